"""The portal plugin's hook implementations (registered through the `crm` entry point).

Light on purpose: every hook imports its module when called.
"""

from crm import hookimpl


@hookimpl
def add_hookspecs(pluginmanager):
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def register_commands(register):
    register("sync", "crm_portal.cli:app", help="The manufacturer's dealer portal: sync, outbox, conflicts")


@hookimpl
def register_permissions(register):
    register("portal.cancel", ["manager", "it"], "cancel an answer to the portal", owner="portal")
    register("portal.resolve", ["manager", "archive"], "resolve portal conflicts", owner="portal")
    register("portal.lead", ["manager", "appointment", "callback", "satisfaction", "advisor"],
             "record a lead follow-up", owner="portal")


@hookimpl
def register_migrations(register):
    from .migrations import migrations

    register(migrations)


@hookimpl
def send_to_portal(tx, item):
    """Queue an answer for the portal in the caller's transaction; returns the outbox id."""
    from .outbox import queue

    return queue(tx, item)


@hookimpl
def on_customers_merged(tx, kept_id, merged_id):
    from .hooks import customers_merged

    customers_merged(tx, kept_id, merged_id)


@hookimpl
def on_customer_forgotten(tx, customer_id, erased):
    from .hooks import customer_forgotten

    customer_forgotten(tx, customer_id, erased)


@hookimpl
def customer_sections(app, customer):
    from .hooks import sections

    return sections(app, customer)


@hookimpl
def agenda_items(app, agenda):
    from .hooks import agenda as items

    return items(app, agenda)


@hookimpl
def report_sections(app, report):
    from .hooks import report as portal_report

    return portal_report(app, report)


@hookimpl
def register_config_keys(register):
    from .settings import STREAMS

    register("portal", "table")
    for key in ("url", "client_id", "client_secret_env"):  # client_secret_command: a string or a list
        register(f"portal.{key}", "str")
    register("portal.page_limit", "int", low=1, high=500)
    register("portal.timeout", "number", low=0.1, high=600)
    register("portal.retries", "int", low=0, high=20)
    register("portal.backoff", "number", low=0, high=60)
    register("portal.backoff_max", "number", low=0, high=3600)
    register("portal.max_retry_after", "number", low=0, high=86400)
    register("portal.streams", "list", choices=STREAMS)


@hookimpl
def register_group_figures(register):
    """The report's lead figure in the dealer group's report (group.py)."""
    from .group import FIGURES, compute, count

    register(FIGURES, count, compute)
