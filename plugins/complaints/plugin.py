"""The complaints plugin's hook implementations (registered through the `crm` entry point).

Kept light: every heavier module is imported inside the hook that needs it.
"""

from crm import hookimpl


@hookimpl
def register_commands(register):
    register("complaints", "crm_complaints.cli:app", help="Complaint tickets (投诉): the six-step closed loop")


@hookimpl
def register_permissions(register, config):
    """The ticket roles, as rows of the one permission table; ``[complaints]`` ``open_roles``,
    ``handler_roles`` and ``approver_roles`` give the defaults, ``[permissions]`` the last word."""
    from .settings import from_section

    settings = from_section(config.section("complaints"))
    register("complaints.open", settings.open_roles, "open a complaint ticket ([complaints] open_roles)",
             owner="complaints")
    register("complaints.handle", settings.handler_roles,
             "handle complaint tickets ([complaints] handler_roles)", owner="complaints")
    register("complaints.approve", settings.approver_roles,
             "approve a complaint's solution ([complaints] approver_roles)", owner="complaints")


@hookimpl
def register_migrations(register):
    from .migrations import migrations

    register(migrations)


@hookimpl
def open_complaint(tx, request):
    """A complaint from another plugin (e.g. a dissatisfied callback): the new (or existing) ticket id."""
    from .intake import from_request

    return from_request(tx, request)


@hookimpl(optionalhook=True)  # the portal plugin's own hook: absent when it is disabled
def on_portal_record(tx, stream, record):
    if stream != "complaints":
        return None
    from .portal import on_record

    return on_record(tx, record)


@hookimpl
def on_customers_merged(tx, kept_id, merged_id):
    tx.conn.execute("UPDATE complaints_tickets SET customer_id = ? WHERE customer_id = ?", (kept_id, merged_id))


@hookimpl
def on_customer_forgotten(tx, customer_id):
    from .privacy import forget

    forget(tx, customer_id)


@hookimpl
def customer_sections(app, customer):
    # Most customers never complained: one indexed look-up, and the reports and views modules
    # are imported only for a customer with tickets (a cold ``crm customer show`` is a bench figure).
    if app.store.scalar("SELECT 1 FROM complaints_tickets WHERE customer_id = ? LIMIT 1", (customer["id"],)) is None:
        return None
    from .reports import customer_sections as sections

    return sections(app, customer)


@hookimpl
def register_report_forms(register):
    from .forms import register as forms

    forms(register)


@hookimpl
def report_sections(app, report):
    from .reports import report_sections as sections

    return sections(app, report)


@hookimpl
def agenda_items(app, agenda):
    from .reports import agenda_items as items

    return items(app, agenda)


@hookimpl
def register_config_keys(register):
    register("complaints", "table")
    register("complaints.respond_hours", "table")
    register("complaints.resolve_hours", "table")
    register("complaints.work_hours", "list")
    register("complaints.escalation", "list", items="table")
    register("complaints.repeat_window_days", "int", low=0)
    register("complaints.followup_workdays", "int", low=0)
    for key in ("handler_roles", "open_roles", "approver_roles"):
        register(f"complaints.{key}", "list")


@hookimpl
def describe_ref(app, ref):
    from .reports import describe

    return describe(app, ref)


@hookimpl
def before_group_export(tx):
    """Every ticket's timing facts up to date before the store exports for the group: tickets
    from before complaints_timings existed, or computed with other settings (facts.py)."""
    from .facts import refresh

    refresh(tx)


@hookimpl
def register_group_figures(register):
    """The report's complaint figures in the dealer group's report (group.py)."""
    from .group import FIGURES, compute, count

    register(FIGURES, count, compute)
