"""The daily log of one specialist's own work (``crm report daily --me``).

Sources: the interactions log (calls and contacts made and their results), the
appointments this person booked or that were due with them, and the audit log (every
record the person changed: complaints moved from one state to the next, customers edited…).
"""

from __future__ import annotations

import json

from . import core
from .vocab import Vocab


def _title(key, zh):
    return Vocab("zh_CN" if zh else "en")(f"section.{key}", key)


def sections(app, period, staff: str, zh: bool) -> list[dict]:
    lo, hi = core.bounds(period.start, period.end)
    st = app.store
    calls = st.query(
        "SELECT id, at, customer_id, channel, kind, outcome, ref FROM interactions"
        " WHERE at >= ? AND at < ? AND staff = ? ORDER BY at, id", (lo, hi, staff))
    actions = st.query(
        "SELECT at, action, entity, record_ids, detail FROM audit_log WHERE at >= ? AND at < ? AND actor = ?"
        " AND action NOT IN ('export', 'read') ORDER BY at, id", (lo, hi, staff))
    booked = st.scalar("SELECT count(*) FROM appointments WHERE created_at >= ? AND created_at < ? AND staff = ?",
                       (lo, hi, staff))
    due = st.query("SELECT status, count(*) AS n FROM appointments WHERE at >= ? AND at < ? AND staff = ?"
                   " GROUP BY status", (lo, hi, staff))
    outcomes: dict = {}
    for c in calls:
        if c["channel"] == "phone":
            outcomes[c["outcome"] or "—"] = outcomes.get(c["outcome"] or "—", 0) + 1
    complaint_moves = [a for a in actions if (a["entity"] or "").startswith("complaint")]
    w = Vocab("zh_CN" if zh else "en")
    summary = [
        {"item": w("work.calls"), "count": sum(1 for c in calls if c["channel"] == "phone")},
        {"item": w("work.other_contacts"), "count": sum(1 for c in calls if c["channel"] != "phone")},
    ]
    summary += [{"item": f"  {w('work.result')}: {w('outcome.' + k, k)}", "count": v}
                for k, v in sorted(outcomes.items(), key=lambda kv: -kv[1])]
    summary += [
        {"item": w("work.complaints_moved"), "count": len(complaint_moves)},
        {"item": w("work.appointments_booked"), "count": booked or 0},
    ]
    summary += [{"item": f"  {w('work.appointments_due')}: {w('status.' + r['status'], r['status'])}", "count": r["n"]}
                for r in due]
    summary.append({"item": w("work.records_changed"), "count": len(actions)})
    action_rows = []
    for a in actions:
        detail = ""
        if a["detail"]:
            try:
                d = json.loads(a["detail"])
                if isinstance(d, dict) and "from" in d and "to" in d:
                    detail = f"{d['from']} → {d['to']}"
            except ValueError:
                pass
        ids = ""
        if a["record_ids"]:
            try:
                ids = ", ".join(map(str, json.loads(a["record_ids"])[:10]))
            except ValueError:
                ids = a["record_ids"]
        action_rows.append({"at": a["at"], "entity": a["entity"], "action": a["action"], "record_ids": ids,
                            "detail": detail})
    return [
        {"key": "my_work", "title": _title("my_work", zh), "source": "core", "rows": summary,
         "columns": ["item", "count"]},
        {"key": "my_calls", "title": _title("my_calls", zh), "source": "core", "rows": calls,
         "columns": ["at", "customer_id", "channel", "kind", "outcome", "ref"]},
        {"key": "my_actions", "title": _title("my_actions", zh), "source": "core", "rows": action_rows,
         "columns": ["at", "entity", "action", "record_ids", "detail"]},
    ]
