"""Hook specifications: everything a plugin can add to crm or react to.

Plugins implement these with :data:`crm.hookimpl`.  Hooks come in families:

- ``register_*``: add things (commands, migrations). They receive a ``register``
  callback; call it once per thing you add.
- ``on_*``: react to a lifecycle event of the archive.  They run **inside the write
  transaction** of the command that caused the event (``tx``): whatever the plugin writes
  commits or rolls back with it.  A plugin that raises is rolled back to just before its
  own call, named in a warning, and the command goes on.
- ``*_sections`` / ``*_items``: contribute to what the core shows (a customer's page,
  reports, the agenda).  Return a list (or None).
- Services (``open_complaint``, ``schedule_callback``, ``send_to_portal``,
  ``send_message``): one plugin provides a service another may ask for without importing
  it.  They are ``firstresult``: the first non-None answer wins, and ``None`` means "no
  plugin provides this here" — callers treat that as a clean no-op.  A provider that
  raises fails the command (exit 1, or its :class:`crm.errors.CrmError`'s own code, e.g.
  75), naming the plugin and the hook: an answer owed is never dropped quietly.

Hooks are called through pluggy's own caller, so ``@hookimpl(wrapper=True)`` (and the
old ``hookwrapper=True``) work; wrappers are not isolated.

Every example below is runnable; see docs/plugins.md for the tutorial.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from .context import App, Transaction
    from .migrations import Migrations

hookspec = pluggy.HookspecMarker("crm")


# --------------------------------------------------------------------------- setup
@hookspec(historic=True)
def add_hookspecs(pluginmanager: pluggy.PluginManager) -> None:
    """Add a plugin's own hook specifications, so other plugins can extend it.

    Called once for every plugin as it is registered (historic), before crm checks
    that every implemented hook has a specification.

    :param pluginmanager: crm's plugin manager; call ``pluginmanager.add_hookspecs(module)``.

    Example::

        @hookimpl
        def add_hookspecs(pluginmanager):
            from crm_hello import hookspecs
            pluginmanager.add_hookspecs(hookspecs)
    """


@hookspec
def register_commands(register: Callable[..., None]) -> None:
    """Add top-level commands (or command groups) to ``crm``.

    Called every time ``crm`` starts, before arguments are parsed, so keep it cheap: pass
    the *import path* of a Typer app or click command as a string, and crm imports it only
    when that command runs (``crm --help`` stays fast).

    :param register: ``register(name, target, *, help)`` where ``target`` is a
        ``"module:attribute"`` string naming a ``typer.Typer`` or ``click.Command``, or
        the object itself; ``help`` is the one-line summary shown by ``crm --help``.

    Example::

        @hookimpl
        def register_commands(register):
            register("hello", "crm_hello.cli:app", help="Greet the customers")
    """


@hookspec
def register_config_keys(register: Callable[..., None]) -> None:
    """Declare the plugin's config keys, so that the core checks them when crm starts.

    Called once, right after the plugins are loaded.  Each key of the plugin's own
    ``[section]`` gets its kind and limits; a config file that sets one of them wrongly
    stops every command with one line naming the file, the line, the key and what it must
    be (exit 2), instead of failing later deep inside a command (``care_channels = "sms"``
    read letter by letter, ``timeout = inf``).  Keys not declared are not checked.

    :param register: ``register(dotted_key, kind, *, low=None, high=None, above=None,
        choices=None, items="str")``; *kind* is ``str``, ``int``, ``number`` (finite),
        ``bool``, ``list``, ``table``, ``time`` ("HH:MM") or ``timezone``; *low*/*high* are
        inclusive bounds, *above* an exclusive lower bound, *choices* the allowed strings (of
        a ``str`` or of a ``list``'s items).

    Example::

        @hookimpl
        def register_config_keys(register):
            register("hello.channels", "list", choices=("sms", "wechat"))
            register("hello.max_per_day", "int", low=1, high=1000)
    """


@hookspec
def register_permissions(register: Callable[..., None], config: Any) -> None:
    """Add rows to the permission table (crm/permissions.py): who may do a plugin's action.

    Called once when the table is first needed. Gate the command with
    ``app.require("myplugin.action")``; the dealer may change the row in the config's
    ``[permissions]`` table, and docs/privacy.md lists it.

    :param register: ``register(action, roles, doing, owner=...)``: ``action`` a dotted
        name, ``roles`` the roles allowed (``"none"`` = no staff identity), ``doing`` the
        words after "may" in the refusal, ``owner`` your plugin's name (shown in the table).
    :param config: the dealer's configuration, for a plugin whose own settings choose the
        roles (the config's ``[permissions]`` table still has the last word).

    Example::

        @hookimpl
        def register_permissions(register):
            register("hello.greet", ["manager", "callback"], "greet customers")
    """


@hookspec
def register_migrations(register: Callable[["Migrations"], None]) -> None:
    """Provide the plugin's schema migrations (its own tables).

    Called whenever crm opens the database; pending migrations of every owner are then
    applied in order, each in its own write transaction. Name your tables after your
    plugin (``hello_greetings``) so they never collide.

    :param register: call ``register(migrations)`` with a :class:`crm.migrations.Migrations`.

    Example::

        from crm.migrations import Migrations
        migrations = Migrations("hello")

        @migrations()
        def m001_create_greetings(db):
            db["hello_greetings"].create({"id": int, "customer_id": int, "text": str}, pk="id")

        @hookimpl
        def register_migrations(register):
            register(migrations)
    """


@hookspec
def register_customer_filters(register: Callable[..., None]) -> None:
    """Add filters to the archive's one customer filter (:mod:`crm.archive.filters`).

    Called the first time a command filters customers (``crm customer list --filter``,
    campaign segments); each filter then works wherever customers are filtered, alongside
    the core's (city, model, tag, consent …).

    :param register: ``register(name, compile, *, help)``.  ``name`` (``[a-z_]+``, not a
        core filter's) is the key in ``--filter NAME=VALUE`` and in a segment's JSON;
        ``compile(value, context)`` returns ``(sql, params)`` — a condition over the
        customers table aliased ``c`` with ``?`` placeholders for every value — or None
        to add nothing; ``context`` has ``today`` (a date) and ``filters`` (every plugin
        filter of the same query, for filters that go together).  Raise
        :class:`crm.errors.BadInput` for a bad value.

    Example::

        @hookimpl
        def register_customer_filters(register):
            def compile(value, context):
                return ("EXISTS (SELECT 1 FROM hello_greetings g WHERE g.customer_id = c.id"
                        " AND g.text LIKE ?)", [f"%{value}%"])
            register("greeted", compile, help="Was greeted with this text")
    """


# ------------------------------------------------------------------ archive events
@hookspec
def on_customer_created(tx: "Transaction", customer: dict) -> None:
    """A customer was added to the archive (CLI, import or portal sync alike).

    :param tx: the running write transaction (``tx.conn``, ``tx.db``, ``tx.app``).
    :param customer: the stored customer row as a dict (``id``, ``name``, ...).
    """


@hookspec
def on_customer_updated(tx: "Transaction", customer: dict, changes: dict) -> None:
    """A customer's fields changed.

    :param customer: the stored row after the change.
    :param changes: ``{field: (old, new)}`` for each changed field.
    """


@hookspec
def on_customers_merged(tx: "Transaction", kept_id: int, merged_id: int) -> None:
    """Two customer records were found to be one person: ``merged_id`` goes into ``kept_id``.

    Move your plugin's rows that point at ``merged_id`` over to ``kept_id`` here; after
    the hook returns, ``merged_id`` is deleted.

    Example::

        @hookimpl
        def on_customers_merged(tx, kept_id, merged_id):
            tx.conn.execute("UPDATE hello_greetings SET customer_id = ? WHERE customer_id = ?",
                            (kept_id, merged_id))
    """


@hookspec
def on_customer_forgotten(tx: "Transaction", customer_id: int, erased: dict) -> None:
    """The person's personal data must be erased everywhere (PIPL right to deletion).

    Erase or anonymise every personal field your plugin holds for ``customer_id``
    (names, phones, free-text notes); keep anonymous counts if your reports need them.
    The database runs with ``secure_delete`` so erased bytes are overwritten. Unlike other
    events, a plugin that raises here makes the whole forget fail and roll back (exit 1,
    naming the plugin): a person is forgotten everywhere or nowhere.

    :param customer_id: the customer (the row stays, anonymous).
    :param erased: ``{"vins": [...], "phones": [...]}``, the person's VINs and phone
        numbers as they were before the erasure, to find rows keyed by them (e.g. queued
        messages); never store them.

    Example::

        @hookimpl
        def on_customer_forgotten(tx, customer_id, erased):
            tx.conn.execute("DELETE FROM hello_greetings WHERE customer_id = ?", (customer_id,))
    """


@hookspec
def on_vehicle_delivered(tx: "Transaction", vehicle: dict, customer: dict | None) -> None:
    """A vehicle was delivered to (or first recorded for) a customer.

    :param vehicle: the vehicle row (``vin``, ``plate``, ``model``, ``delivery_date`` ...).
    :param customer: its owner's row, or None if the owner is unknown.
    """


@hookspec
def on_vehicle_transferred(
    tx: "Transaction", vehicle: dict, old_owner_id: int | None, new_owner_id: int
) -> None:
    """A vehicle changed owner (sold on, or corrected); the history is kept by the core."""


@hookspec
def on_visit_closed(tx: "Transaction", visit: dict) -> None:
    """A service visit (repair order) was closed: the car left the workshop.

    :param visit: the visit row (``ro_number``, ``vin``, ``customer_id``, ``type``,
        ``advisor``, ``date_in``, ``date_out`` ...).
    """


@hookspec
def before_group_export(tx: "Transaction") -> None:
    """The store is about to write its changes for the dealer group (``crm group export``).

    Bring up to date, in ``tx``, the rows the plugin derives from others and keeps for the
    group's warehouse, so that this export carries them: the change log records what the
    hook writes, and the export reads after it commits.  Write only rows that differ from
    what is stored, so that a second export from the same bookmark gives the same files.
    Like every event hook it runs in its own savepoint: a failing implementation is reported
    as a warning and the export goes on without its rows.

    Example (the complaints plugin fills in the timing facts of tickets from before its
    ``complaints_timings`` table existed)::

        @hookimpl
        def before_group_export(tx):
            from .facts import refresh
            refresh(tx)
    """


# ------------------------------------------------------------------- contributions
@hookspec
def customer_sections(app: "App", customer: dict) -> list[dict] | None:
    """Add sections to ``crm customer show``.

    :param app: the running application (``app.store``, ``app.actor``, ``app.mask``).
    :param customer: the customer row.
    :returns: a list of sections ``{"title": str, "rows": [dict, ...], "columns": [str]}``
        (``columns`` optional), or None.
    """


@hookspec
def report_sections(app: "App", report: dict) -> list[dict] | None:
    """Add sections to a report (``crm report ...``).

    Called once for the period (with ``previous``) and once for the same period last year
    (``previous`` None). Every *text* below may be a plain string or ``{"zh_CN": ..., "en":
    ...}``; the report shows the language of ``report["lang"]`` (zh_CN, the dealer's default,
    or en), so give both. Values stay codes/numbers; percentages are numbers 0–100.

    :param report: ``{"kind": "kpi|daily|weekly|monthly", "start": date, "end": date,
        "previous": (date, date) or None, "staff": code or None, "lang": "zh_CN" | "en"}``.
    :returns: sections, or None. A section is ``{"key", "title": text, "rows": [dict],
        "columns": [key]}`` and optionally ``"scope": "staff"`` (its figures are the report's
        ``staff`` member's own: on a per-person report, ``staff`` given, every other section
        is department-wide and is left out of the scorecard, listed under 部门整体数据), ``"labels": {column: text}`` (column headers),
        ``"percent": [column]`` (0–100 numbers shown as %), ``"people": [column]`` (staff
        codes shown as names), ``"chart": {"type": "bar"|"line", "x": column, "y": [column],
        "exclude": [x values]}`` (drawn only when a value is non-zero), ``"empty": text`` (the
        one line shown when there are no rows) and ``"figures": [{"key", "name": text,
        "value", "previous", "unit", "better": "up"|"down"|None, "doc": text}]`` where ``doc``
        is the figure's definition (口径说明), printed in the report. Example::

            @hookimpl
            def report_sections(app, report):
                return [{"key": "hello", "title": {"zh_CN": "问候", "en": "Greetings"}, "rows": [],
                         "figures": [{"key": "sent", "name": {"zh_CN": "问候数", "en": "greetings"},
                                      "value": 3, "unit": "", "doc": {"zh_CN": "本期发送的问候。",
                                                                        "en": "greetings sent"}}]}]
    """


@hookspec
def register_report_forms(register: Callable[..., None]) -> None:
    """Add department forms to ``crm report form NAME`` (XLSX and HTML, like the reports).

    :param register: ``register(name, title, build, *, period="month", aliases=())`` where
        ``name`` is the command-line name (``callback-record``), ``title`` a text
        ``{"zh_CN": "回访记录表", "en": "Callback record"}``, ``period`` the default period
        kind (``day``, ``week``, ``month``) and ``aliases`` other names (the Chinese title is
        always one). ``build(app, request)`` gets ``{"start", "end", "staff", "lang",
        "period": label}`` and returns ``{"sections": [...], "figures": [...], "fields":
        [(text, value)], "signatures": [text]}`` (sections and figures as in
        ``report_sections``; all keys optional). Example::

            @hookimpl
            def register_report_forms(register):
                register("hello-log", {"zh_CN": "问候登记表", "en": "Greetings log"}, build_hello)
    """


@hookspec
def register_group_figures(register: Callable[..., None]) -> None:
    """Add the plugin's report figures to the dealer group's report (``crm group report``).

    A group's warehouse (DuckDB or PostgreSQL, docs/group.md) holds every store's exported
    tables, the plugin's among them, with a ``_store`` column (the dealer code).  The group
    report computes the core's figures itself; a plugin whose ``report_sections`` give
    figures registers how to count the same figures there, so each store's figures in the
    group report equal the store's own ``crm report``.

    :param register: ``register(figures, count, compute)`` where

        - ``figures`` is a list of ``crm.api.GroupFigure(key, zh, unit="", better=None)``,
          ``key`` being the figure's key in the store's report (``crm report kpi --format
          json``: the section key, a dot, the figure key: ``"complaints.invalid_rate"``);
        - ``count(warehouse, spans, now, store)`` counts in the warehouse and returns
          ``{(store code, span.label): {count name: number}}``.  ``warehouse.execute(sql,
          params)`` runs SQL written once for both engines with ``?`` placeholders and returns
          tuples; ``warehouse.tables()`` and ``warehouse.columns(table)`` say what was loaded
          (a store may not have exported the plugin's tables yet: count nothing then).
          ``spans`` are the periods the report compares (``crm.api.GroupSpan``: ``label``,
          text bounds ``lo <= date < hi``, ``start``/``end`` days, ``zone``:
          the report's time zone); ``now`` is the report's
          local time as ``YYYY-MM-DDTHH:MM:SS``; ``store`` a dealer code or None for all.
          ``crm.api.group_span_case`` and ``crm.api.group_store_filter`` build the SQL parts.
        - ``compute(counts)`` turns one store's counts (or the group's: every count summed
          over the stores) into ``{figure key: value}``; ``counts`` is None when there were
          none.  Counts must add up across stores: counts and totals, never rates or
          averages (a rate is computed again from the summed parts).

    Example::

        from crm.api import GroupFigure, group_span_case, hookimpl

        @hookimpl
        def register_group_figures(register):
            def count(warehouse, spans, now, store):
                if "hello_greetings" not in warehouse.tables():
                    return {}
                case, cp, where, wp = group_span_case("sent_at", spans)
                rows = warehouse.execute(f"SELECT _store, {case}, count(*) FROM hello_greetings"
                                         f" WHERE {where} GROUP BY 1, 2", cp + wp)
                return {(s, span): {"sent": n} for s, span, n in rows if span}

            register([GroupFigure("hello.greetings", "问候数")], count,
                     lambda c: {"hello.greetings": (c or {}).get("sent", 0)})
    """


@hookspec
def agenda_items(app: "App", agenda: dict) -> list[dict] | None:
    """Add items to ``crm today``.

    :param agenda: ``{"day": date, "staff": code or None, "now": datetime}``.
    :returns: items ``{"kind", "priority" (0 most urgent), "due", "customer_id",
        "title", "ref"}``, or None.
    """


@hookspec(firstresult=True)
def describe_ref(app: "App", ref: Any) -> dict | None:
    """Say what a typed reference names, for the plugin that keeps such records.

    ``crm action add --from callback:6`` asks this to raise a corrective action (整改项)
    from the record: the plugin whose records ``ref.kind`` names answers, the others
    return None.

    :param ref: a :class:`crm.api.Ref` (``Ref("callback", 6)``, ``Ref("complaint", 3)``,
        ``Ref("survey-response", 5)``).
    :returns: ``{"ref": the Ref to keep (e.g. with the call as its part), "customer_id",
        "problem": one line of what went wrong}``, or None when the record does not exist
        or is not this plugin's.
    """


# ---------------------------------------------------------------------- services
@hookspec(firstresult=True)
def open_complaint(tx: "Transaction", request: dict) -> Any:
    """Open a complaint ticket (provided by the complaints plugin).

    :param request: ``{"customer_id", "vehicle_id", "channel", "source", "source_ref",
        "category", "severity", "description", "respond_due", "resolve_due", "about", ...}``;
        ``source_ref`` may be a :class:`crm.api.Ref` (``Ref("callback", task, call)``);
        ``about`` is the ``Ref`` a ``schedule_callback`` request gave (the call was *about*
        that record): ``Ref("complaint", id)`` reopens that ticket instead of opening one.
    :returns: the new ticket's id (or the reopened one's), or None when no plugin handles
        complaints.
    """


@hookspec(firstresult=True)
def schedule_callback(tx: "Transaction", request: dict) -> Any:
    """Put a call on a specialist's queue (provided by the callbacks plugin).

    :param request: ``{"customer_id", "reason", "due_on", "rule", "ref", "note", "purpose",
        "about"}``; ``purpose`` (default ``"service"``) is the contact policy's purpose
        (:data:`crm.archive.contact.PURPOSES`): the call is only queued when
        ``may_contact(customer, "phone", purpose, day)`` allows it; ``about`` (a
        :class:`crm.api.Ref`, optional) is what the call is about; the provider keeps it and
        hands it back in the ``open_complaint`` request when the customer is dissatisfied on
        that call.
    :returns: the task id, or None when no plugin handles callbacks (or the policy refuses).
    """


@hookspec(firstresult=True)
def send_to_portal(tx: "Transaction", item: dict) -> Any:
    """Queue an answer for the manufacturer's portal (provided by the portal plugin).

    Queued in the same transaction as the local change, so it is sent exactly once.

    :param item: ``{"kind": "callback|complaint_event|lead_followup|campaign_completion",
        "ref": remote id or None, "payload": dict, "customer_id": the person it is about, or None}``.
        Give ``customer_id`` whenever the payload holds a person's data: forgetting the customer
        erases the payloads of the items already sent.
    :returns: the outbox item id, or None when no plugin talks to the portal.
    """


@hookspec(firstresult=True)
def send_message(tx: "Transaction", message: dict) -> Any:
    """Deliver (or queue) an SMS/WeChat/email message to a customer.

    :param message: ``{"customer_id", "channel", "to", "text", "campaign", "ref"}``.
    :returns: a delivery reference, or None when no sender is installed.
    """

