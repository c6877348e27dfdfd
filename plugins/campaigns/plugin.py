"""The campaigns plugin's hook implementations (registered through the `crm` entry point)."""

from crm import hookimpl


@hookimpl
def register_commands(register):
    register("campaigns", "crm_campaigns.cli:app", help="Campaigns: events, invitations, care, recalls, surveys")


@hookimpl
def register_migrations(register):
    from .migrations import migrations

    register(migrations)
