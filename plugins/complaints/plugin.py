"""The complaints plugin's hook implementations (registered through the `crm` entry point)."""

from crm import hookimpl


@hookimpl
def register_commands(register):
    register("complaints", "crm_complaints.cli:app", help="Complaint tickets (投诉): the six-step closed loop")


@hookimpl
def register_migrations(register):
    from .migrations import migrations

    register(migrations)
