"""The callbacks plugin's hook implementations (registered through the `crm` entry point)."""

from crm import hookimpl


@hookimpl
def register_commands(register):
    register("callbacks", "crm_callbacks.cli:app", help="Post-service callbacks (回访): plan, queue, record, report")


@hookimpl
def register_migrations(register):
    from .migrations import migrations

    register(migrations)
