"""The portal plugin's hook implementations (registered through the `crm` entry point)."""

from crm import hookimpl


@hookimpl
def register_commands(register):
    register("sync", "crm_portal.cli:app", help="The manufacturer's dealer portal: sync, outbox, conflicts")


@hookimpl
def register_migrations(register):
    from .migrations import migrations

    register(migrations)
