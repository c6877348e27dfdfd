"""The callbacks section of a customer's page (``crm customer show``).

Kept apart from reports.py (the record sheet, the summary, the report sections) so that
showing a customer imports only this: a cold ``crm customer show`` is a start-up figure of
``python -m bench`` (bench/startup.py); tests/callbacks/test_callbacks_queue.py pins it.
"""

from __future__ import annotations

import json

from .store import reason_text


def customer_section(app, customer: dict) -> list[dict]:
    tasks = app.store.query(
        "SELECT id, reasons, scheduled_on, due_on, assigned_to, attempts FROM callback_tasks"
        " WHERE customer_id = ? AND status = 'open' ORDER BY due_on", (customer["id"],))
    rows = [{"id": t["id"], "why": reason_text(json.loads(t["reasons"])), "call_on": t["scheduled_on"],
             "due_on": t["due_on"], "specialist": t["assigned_to"], "attempts": t["attempts"]} for t in tasks]
    calls = app.store.query(
        "SELECT called_at, staff, result, score, note FROM callback_calls WHERE customer_id = ?"
        " ORDER BY called_at DESC LIMIT 5", (customer["id"],))
    return [
        {"title": "Open callbacks (待回访)", "rows": rows,
         "columns": ["id", "why", "call_on", "due_on", "specialist", "attempts"]},
        {"title": "Recent callbacks (回访记录)", "rows": calls},
    ]
