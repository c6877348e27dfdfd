"""The callbacks plugin's hook implementations (registered through the ``crm`` entry point).

Kept light: heavier modules are imported inside the hooks, so ``crm --help`` stays fast.
"""

from crm import hookimpl


@hookimpl
def register_permissions(register, config):
    from . import settings

    register("callbacks.record", settings.load(config)["caller_roles"],
             "record or import callback results ([callbacks] caller_roles)", owner="callbacks")


@hookimpl
def add_hookspecs(pluginmanager):
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def register_commands(register):
    register("callbacks", "crm_callbacks.cli:app", help="Post-service callbacks (回访): plan, queue, record, report")


@hookimpl
def register_report_forms(register):
    from .forms import register as forms

    forms(register)


@hookimpl
def register_migrations(register):
    from .migrations import migrations

    register(migrations)


@hookimpl
def schedule_callback(tx, request):
    from .planner import schedule

    return schedule(tx, request)


@hookimpl
def on_customers_merged(tx, kept_id, merged_id):
    for table in ("callback_tasks", "callback_calls", "callback_skips"):
        tx.conn.execute(f"UPDATE {table} SET customer_id = ? WHERE customer_id = ?", (kept_id, merged_id))


@hookimpl
def on_customer_forgotten(tx, customer_id):
    tx.conn.execute("UPDATE callback_calls SET note = NULL, suggestion = NULL WHERE customer_id = ?", (customer_id,))
    tx.conn.execute("UPDATE callback_tasks SET message = NULL WHERE customer_id = ?", (customer_id,))
    tx.conn.execute("DELETE FROM callback_skips WHERE customer_id = ?", (customer_id,))
    tx.conn.execute(
        "UPDATE callback_tasks SET note = NULL, status = CASE WHEN status = 'open' THEN 'cancelled' ELSE status END,"
        " closed_at = coalesce(closed_at, ?), updated_at = ? WHERE customer_id = ?", (tx.now, tx.now, customer_id))


@hookimpl
def customer_sections(app, customer):
    from .reports import customer_section

    return customer_section(app, customer)


@hookimpl
def report_sections(app, report):
    from .reports import report_sections_for

    return report_sections_for(app, report)


@hookimpl
def register_group_figures(register):
    from .group import compute, count, figures

    register(figures(), count, compute)


@hookimpl
def agenda_items(app, agenda):
    from .reports import agenda_for

    return agenda_for(app, agenda)


@hookimpl
def on_visit_closed(tx, visit):
    if visit.get("id") is not None:
        tx.conn.execute("INSERT OR REPLACE INTO callback_visit_events (visit_id, at) VALUES (?, ?)",
                        (visit["id"], tx.now))


@hookimpl
def register_config_keys(register):
    register("callbacks", "table")
    register("callbacks.lookback_days", "int", low=1)
    register("callbacks.max_attempts", "int", low=1)
    register("callbacks.specialist_roles", "list")
    register("callbacks.caller_roles", "list")
    register("callbacks.retry_slots", "list", items="time")
    register("callbacks.missing_consent", "str", choices=("allow", "deny"))
    register("callbacks.rules", "table")


@hookimpl
def describe_ref(app, ref):
    from .reports import describe

    return describe(app, ref)
