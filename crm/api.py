"""The supported surface for plugins: import from here, ``crm.errors`` and ``crm.hookimpl`` only.

Everything a plugin needs from the core is named here once; docs/plugins.md gives each
name's contract, and names listed in :data:`__all__` stay compatible across releases.
The rest of ``crm`` is private and may change without notice.

Importing this module is cheap: each name is looked up in its home module on first use
(PEP 562), so ``from crm.api import emit`` in a plugin's ``cli.py`` imports the output
module only, and a plugin's ``plugin.py`` costs nothing at ``crm --help``::

    from crm.api import FormatOption, current, emit, new_app

    app = new_app("Greetings")

    @app.command()
    def list(format: FormatOption = "table"):
        crm = current()
        emit(crm.store.query("SELECT * FROM hello_greetings"), format)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: public name -> (home module, name there).  One line a name; the home stays private.
_EXPORTS: dict[str, tuple[str, str]] = {
    # the plugin marker
    "hookimpl": ("crm", "hookimpl"),
    # the running application and its write transaction (audit, fire, ask)
    "App": ("crm.context", "App"),
    "Transaction": ("crm.context", "Transaction"),
    "current": ("crm.context", "current"),
    # commands
    "new_app": ("crm.commands._common", "new_app"),
    "FormatOption": ("crm.commands._common", "FormatOption"),
    # output
    "Format": ("crm.output", "Format"),
    "emit": ("crm.output", "emit"),
    "emit_record": ("crm.output", "emit_record"),
    "cell_text": ("crm.output", "cell_text"),
    "json_default": ("crm.output", "json_default"),
    "neutralise_formula": ("crm.output", "neutralise_formula"),
    "display_width": ("crm.output", "display_width"),
    # private files
    "atomic_write": ("crm.io.writers", "atomic_write"),
    "check_target": ("crm.io.writers", "check_target"),
    "check_xlsx": ("crm.io.readers", "check_xlsx"),
    "FileProblem": ("crm.io", "FileProblem"),
    # masking of personal data
    "mask_phone": ("crm.masking", "mask_phone"),
    "mask_row": ("crm.masking", "mask_row"),
    # schema
    "Migrations": ("crm.migrations", "Migrations"),
    # values
    "parse_date": ("crm.values.dates", "parse_date"),
    "parse_datetime": ("crm.values.dates", "parse_datetime"),
    "parse_moment": ("crm.values.dates", "parse_moment"),
    "Invalid": ("crm.values", "Invalid"),
    "Ref": ("crm.values.refs", "Ref"),
    "normalize_mobile": ("crm.archive.customers", "normalize_mobile"),
    "normalize_vin": ("crm.archive.vehicles", "normalize_vin"),
    "clean_customer": ("crm.archive.validate", "clean_customer"),
    "clean_vehicle": ("crm.archive.validate", "clean_vehicle"),
    # the archive: customers
    "add_customer": ("crm.archive.customers", "add_customer"),
    "get_customer": ("crm.archive.customers", "get_customer"),
    "row_by_id": ("crm.archive.lookup", "row_by_id"),
    "update_customer": ("crm.archive.customers", "update_customer"),
    "match_customer": ("crm.archive.dedupe", "match_customer"),
    "is_forgotten": ("crm.archive.forget", "is_forgotten"),
    # vehicles
    "add_vehicle": ("crm.archive.vehicles", "add_vehicle"),
    "get_vehicle": ("crm.archive.vehicles", "get_vehicle"),
    "update_vehicle": ("crm.archive.vehicles", "update_vehicle"),
    "transfer_vehicle": ("crm.archive.vehicles", "transfer_vehicle"),
    # visits
    "add_visit": ("crm.archive.visits", "add_visit"),
    "get_visit": ("crm.archive.visits", "get_visit"),
    "close_visit": ("crm.archive.visits", "close_visit"),
    # interactions
    "log_interaction": ("crm.archive.interactions", "log_interaction"),
    "list_interactions": ("crm.archive.interactions", "list_interactions"),
    "LOG_CHANNELS": ("crm.archive.validate", "LOG_CHANNELS"),
    # the contact policy: may we contact this customer?
    "CHANNELS": ("crm.archive.channels", "CHANNELS"),
    "PURPOSES": ("crm.archive.channels", "PURPOSES"),
    "may_contact": ("crm.archive.contact", "may_contact"),
    "may_contact_many": ("crm.archive.contact", "may_contact_many"),
    "contact_facts": ("crm.archive.contact", "contact_facts"),
    "contact_address": ("crm.archive.contact", "address"),
    "contact_sql": ("crm.archive.contact", "sql_condition"),
    "ContactPolicy": ("crm.archive.contact", "ContactPolicy"),
    "ContactFacts": ("crm.archive.contact", "ContactFacts"),
    "ContactDecision": ("crm.archive.contact", "Decision"),
    # a listing's WHERE clause
    "Where": ("crm.archive.where", "Where"),
    # the customer filter
    "CustomerFilter": ("crm.archive.filters", "CustomerFilter"),
    "compile_filter": ("crm.archive.filters", "compile_filter"),
    "FilterExtension": ("crm.archive.filters", "FilterExtension"),
    "customer_filter_extensions": ("crm.archive.filters", "extensions"),
    # appointments
    "book_appointment": ("crm.archive.appointments", "book"),
    "get_appointment": ("crm.archive.appointments", "get_appointment"),
    # membership cards
    "issue_card": ("crm.archive.cards", "issue_card"),
    "get_card": ("crm.archive.cards", "get_card"),
    "renew_card": ("crm.archive.cards", "renew_card"),
    # corrective actions (整改项)
    "add_corrective_action": ("crm.archive.actions", "add_action"),
    "corrective_actions_for": ("crm.archive.actions", "actions_for"),
    "corrective_action_text": ("crm.archive.actions", "summary_text"),
    # the dealer group's report (register_group_figures)
    "GroupFigure": ("crm.group.figures", "GroupFigure"),
    "GroupSpan": ("crm.group.figures", "Span"),
    "group_span_case": ("crm.group.figures", "span_case"),
    "group_store_filter": ("crm.group.figures", "store_filter"),
    # the working-day calendar (the App's: app.calendar) and quiet hours
    "Calendar": ("crm.workdays", "Calendar"),
    "parse_hhmm": ("crm.workdays", "parse_hhmm"),
    "QuietHours": ("crm.workdays", "QuietHours"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'crm.api' has no attribute {name!r}") from None
    value = getattr(import_module(module), attribute)
    globals()[name] = value  # the next lookup is a plain global
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from crm import hookimpl
    from crm.archive.appointments import book as book_appointment
    from crm.archive.actions import actions_for as corrective_actions_for
    from crm.archive.actions import add_action as add_corrective_action
    from crm.archive.actions import summary_text as corrective_action_text
    from crm.archive.appointments import get_appointment
    from crm.archive.cards import get_card, issue_card, renew_card
    from crm.archive.customers import add_customer, get_customer, normalize_mobile, update_customer
    from crm.archive.dedupe import match_customer
    from crm.archive.channels import CHANNELS, PURPOSES
    from crm.archive.contact import ContactFacts, ContactPolicy, contact_facts, may_contact
    from crm.archive.contact import Decision as ContactDecision
    from crm.archive.contact import address as contact_address
    from crm.archive.contact import may_contact_many
    from crm.archive.contact import sql_condition as contact_sql
    from crm.archive.filters import CustomerFilter, FilterExtension, compile_filter
    from crm.archive.filters import extensions as customer_filter_extensions
    from crm.archive.interactions import list_interactions, log_interaction
    from crm.archive.lookup import row_by_id
    from crm.archive.validate import LOG_CHANNELS
    from crm.archive.where import Where
    from crm.archive.validate import clean_customer, clean_vehicle
    from crm.archive.vehicles import add_vehicle, get_vehicle, normalize_vin, transfer_vehicle, update_vehicle
    from crm.archive.visits import add_visit, close_visit, get_visit
    from crm.commands._common import FormatOption, new_app
    from crm.context import App, Transaction, current
    from crm.group.figures import GroupFigure
    from crm.group.figures import Span as GroupSpan
    from crm.group.figures import span_case as group_span_case
    from crm.group.figures import store_filter as group_store_filter
    from crm.io import FileProblem
    from crm.io.readers import check_xlsx
    from crm.io.writers import atomic_write, check_target
    from crm.masking import mask_phone, mask_row
    from crm.migrations import Migrations
    from crm.output import Format, cell_text, display_width, emit, emit_record, json_default, neutralise_formula
    from crm.values import Invalid
    from crm.values.dates import parse_date, parse_datetime, parse_moment
    from crm.values.refs import Ref
    from crm.workdays import Calendar, QuietHours, parse_hhmm
