"""The campaigns plugin's hook implementations (registered through the `crm` entry point).

Kept light: every hook imports its module only when it runs.
"""

from crm import hookimpl


@hookimpl
def register_commands(register):
    register("campaigns", "crm_campaigns.cli:app",
             help="Campaigns: care (birthday/holiday/card), recalls, win-back, referrals, outbox")
    register("segment", "crm_campaigns.segments_cli:app", help="Segments (客户分群): saved filters over the archive")
    register("event", "crm_campaigns.events_cli:app",
             help="Events (活动): invitations, replies, waitlist, check-in, results, iCalendar")
    register("survey", "crm_campaigns.surveys_cli:app", help="Satisfaction surveys (满意度调查): CSI, NPS, import")


@hookimpl
def register_permissions(register):
    senders = ["manager", "satisfaction", "appointment", "callback", "it"]  # it: the cron jobs
    register("event.create", senders, "create or change events", owner="campaigns")
    register("event.invite", senders, "invite customers to events or send reminders (messages with full numbers)",
             owner="campaigns")
    register("outbox.files", senders, "write or list the outbox files (full mobile numbers)", owner="campaigns")


@hookimpl
def register_customer_filters(register):
    """``event`` and ``reply``: who was invited to an event, and what they replied."""
    from .customer_filters import register as register_own

    register_own(register)


@hookimpl
def register_migrations(register):
    from .migrations import migrations

    register(migrations)


@hookimpl(trylast=True)
def send_message(tx, message):
    """The built-in sender: queue for the outbox CSV files (a dealer's sender plugin wins)."""
    from .outbox import queue

    return queue(tx, message)


@hookimpl(optionalhook=True)  # the portal plugin's own hook: absent when it is disabled
def on_portal_record(tx, stream, record):
    if stream == "campaigns":
        from .recalls import on_campaign_record

        return on_campaign_record(tx, record)
    if stream == "surveys":
        from .surveys import on_survey_record

        return on_survey_record(tx, record)
    return None


@hookimpl
def on_visit_closed(tx, visit):
    from .recalls import visit_closed

    visit_closed(tx, visit)


@hookimpl
def on_vehicle_delivered(tx, vehicle, customer):
    from .recalls import match_vehicle

    match_vehicle(tx, vehicle)


@hookimpl
def on_vehicle_transferred(tx, vehicle, old_owner_id, new_owner_id):
    from .recalls import match_vehicle

    match_vehicle(tx, vehicle, new_owner_id=new_owner_id)


@hookimpl
def on_customers_merged(tx, kept_id, merged_id):
    from .privacy import merge

    merge(tx, kept_id, merged_id)


@hookimpl
def on_customer_forgotten(tx, customer_id):
    from .privacy import forget

    forget(tx, customer_id)


@hookimpl
def customer_sections(app, customer):
    from .sections import customer_sections as sections

    return sections(app, customer)


@hookimpl
def report_sections(app, report):
    from .sections import report_sections as sections

    return sections(app, report)


@hookimpl
def agenda_items(app, agenda):
    from .sections import agenda_items as items

    return items(app, agenda)


@hookimpl
def register_config_keys(register):
    from crm.api import CHANNELS  # the core's (not .common: a start-up figure, see bench/startup.py)

    register("campaigns", "table")
    for key in ("outbox_dir", "templates_dir", "birthday_gift", "holiday_gift", "renewal_gift", "signature"):
        register(f"campaigns.{key}", "str")
    register("campaigns.care_channels", "list", choices=CHANNELS)
    register("campaigns.holidays", "list")
    register("campaigns.recall_visit_types", "list")
    for key in ("low_score", "complaint_score", "churn_months", "results_days", "renewal_days_ahead",
                "remind_days_before", "holiday_days_before", "birthday_days_before", "recall_due_workdays",
                "chase_days_before"):
        register(f"campaigns.{key}", "number", low=0)


@hookimpl
def describe_ref(app, ref):
    from .sections import describe

    return describe(app, ref)


@hookimpl
def register_group_figures(register):
    """The report's campaigns figures in the dealer group's report (group.py)."""
    from .group import FIGURES, compute, count

    register(FIGURES, count, compute)
