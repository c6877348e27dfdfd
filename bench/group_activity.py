"""The plugins' activity in a group's sample store (for bench/group_store.py ``build_store``).

A few dozen rows a store, made through the plugins' own commands (the portal's leads through
the plugin's own ``apply_lead``, as ``crm sync`` applies them: no portal runs here), so that
every figure of the store's report has something to count, in this month, the previous one
and the same month last year: complaints (closed on time and late, invalid, a repeat, open
and overdue), an event with invitations and check-ins, greetings and gifts, survey replies
(NPS), portal leads contacted on time or late, a recall completed in the workshop, and
callbacks planned and called.  ``seed``
varies the numbers from store to store, so the group's totals are not one store's times five.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

#: a repair-quality complaint's steps after ``open``, each (args, hours after it was opened)
LOOP = [(("advance", "accept"), 1),
        (("advance", "investigate", "--dept", "workshop", "--person", "张师傅", "--findings", "螺丝未紧固"), 2),
        (("advance", "propose", "--solution", "免费返修"), 2.2),
        (("approve", "-m", "同意"), 2.4),
        (("advance", "implement", "--actions", "返修完成", "--penalty-person", "技师扣绩效",
          "--penalty-dept", "车间主管通报"), 5),
        (("advance", "summarize", "--root-cause", "作业不规范", "--lessons", "加强终检"), 6),
        (("advance", "confirm", "--via", "phone"), 6.5),
        (("close",), 7)]


def _at(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def add_activity(root: Path, run, seed: int, manager: str) -> None:
    """Plugin activity in the store at ``root``; ``run(root, *args, ok=…)`` runs crm."""
    conn = sqlite3.connect(root / "crm.db")
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM customers ORDER BY id LIMIT 40")]
        city = conn.execute("SELECT city FROM customers WHERE city IS NOT NULL GROUP BY city"
                            " ORDER BY count(*) DESC, city LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    me = ("--as", manager)

    def crm(*args, ok=(0,)):
        return run(root, *me, *args, ok=ok)

    def complaint(customer: int, opened: dt.datetime, *, upto: int = 0, late: float = 0,
                  invalid: bool = False) -> int:
        """Open a complaint at ``opened`` and take it ``upto`` steps of LOOP (``late``: hours added
        to every step, so it is answered and resolved late); or judge it invalid."""
        out = crm("complaints", "open", "--customer", customer, "--channel", "phone", "--category", "repair_quality",
                  "--description", "保养后异响", "--at", _at(opened), "--format", "json").stdout
        tid = json.loads(out)["id"]
        if invalid:
            crm("complaints", "close", tid, "--invalid", "--reason", "非质量问题", "--reply", "已解释",
                "--at", _at(opened + dt.timedelta(hours=1)))
        for args, hours in LOOP[:upto]:
            crm("complaints", args[0], tid, *args[1:], "--at", _at(opened + dt.timedelta(hours=hours + late)))
        return tid

    day = dt.datetime
    # complaints: this month (to 2026-11-20), October, November last year
    complaint(ids[0], day(2026, 11, 3, 9), upto=len(LOOP))                     # closed on time
    if seed % 2:
        complaint(ids[1], day(2026, 11, 4, 9), upto=len(LOOP), late=30)        # answered and closed late
    complaint(ids[2], day(2026, 11, 5, 9), upto=1, late=24 + seed)             # answered late, still open
    complaint(ids[3], day(2026, 11, 6, 9), invalid=True)                       # invalid
    for k in range(1 + seed % 3):
        complaint(ids[4 + k], day(2026, 11, 9 + k, 9))                         # not answered: overdue now
    complaint(ids[0], day(2026, 11, 12, 9))                                    # a repeat of the first
    complaint(ids[8], day(2026, 11, 19, 16))                                   # new, not due yet
    complaint(ids[9], day(2026, 10, 13, 9), upto=len(LOOP))
    complaint(ids[10], day(2026, 10, 20, 9), invalid=True)
    complaint(ids[11], day(2025, 11, 4, 9), upto=len(LOOP), late=seed % 2 * 20)

    # an event today: invitations, a reply, check-ins; gifts; greetings
    crm("segment", "save", "group-sample", "--city", city)
    event = crm("event", "create", "--title", "车主讲堂", "--start", "2026-11-20 09:00", "--end", "2026-11-20 18:00",
                "--place", "展厅", "--capacity", "30").stdout.strip()
    crm("event", "invite", event, "--segment", "group-sample", "--limit", 4 + seed)
    conn = sqlite3.connect(root / "crm.db")
    try:
        invited = [r[0] for r in conn.execute("SELECT customer_id FROM campaigns_invitations WHERE event_id = ?"
                                              " ORDER BY id", (event,))]
    finally:
        conn.close()
    crm("event", "rsvp", event, invited[0], "accepted")
    for cid in invited[:1 + seed % 3]:
        crm("event", "checkin", event, cid)
    crm("campaigns", "gift", "add", ids[12], "--gift", "车载香薰", "--given")
    crm("campaigns", "gift", "add", ids[13], "--gift", "雨伞")
    crm("campaigns", "care", "run")

    # survey replies (the NPS question: recommend)
    survey = crm("survey", "create", "售后满意度").stdout.strip()
    scores = [10, 9, 7, 3, 10, 6, 8][: 3 + seed % 4]
    for k, score in enumerate(scores):
        crm("survey", "answer", survey, "--customer", ids[14 + k], "--set", f"recommend={score}",
            "--set", f"overall={min(10, score + 1)}", "--at", f"2026-11-{10 + k:02d} 10:00")
    crm("survey", "answer", survey, "--customer", ids[25], "--set", "recommend=4", "--at", "2026-10-12 10:00")
    crm("survey", "answer", survey, "--customer", ids[26], "--set", "recommend=9", "--at", "2025-11-12 10:00")

    # portal leads, as `crm sync` applies them, and the dealer's first contacts
    leads = [("L1", "2026-11-02T09:00:00+08:00", "2026-11-03T09:00:00+08:00", "2026-11-02 15:00"),  # on time
             ("L2", "2026-10-31T17:00:00Z", "2026-11-02T01:00:00Z", "2026-11-02 10:00"),  # 11-01 here; on time
             ("L3", "2026-11-10T09:00:00+08:00", "2026-11-11T09:00:00+08:00", "2026-11-12 09:00"),  # late
             ("L4", "2026-11-16T09:00:00+08:00", "2026-11-17T09:00:00+08:00", None),  # never contacted
             ("L5", "2026-11-18T09:00:00+08:00", "2026-11-19T09:00:00+08:00", "2026-11-18 11:00"),
             ("L6", "2026-10-15T09:00:00+08:00", "2026-10-16T09:00:00+08:00", "2026-10-15 11:00"),
             ("L7", "2025-11-05T09:00:00+08:00", "2025-11-06T09:00:00+08:00", "2025-11-07 10:00")]
    leads = [lead for k, lead in enumerate(leads) if k != 4 or seed % 2]
    _apply_leads(root, manager, [(f"{root.name}-{lid}", c, d) for lid, c, d, _ in leads])
    for lid, _c, _d, contacted in leads:
        if contacted and not (lid == "L3" and seed % 3 == 0):
            crm("sync", "followup", f"{root.name}-{lid}", "--outcome", "reached", "--at", contacted)

    # a recall from the manufacturer, as `crm sync` delivers it, and the workshop's visits that
    # complete it: this month, last month, the same month last year, and one before the campaign
    conn = sqlite3.connect(root / "crm.db")
    try:
        vins = [r[0] for r in conn.execute("SELECT vin FROM vehicles WHERE vin IS NOT NULL AND customer_id IS NOT NULL"
                                           " ORDER BY id LIMIT 8")]
    finally:
        conn.close()
    _deliver_recall(root, manager, vins[:6] + ["LBV8E3103JA999999"])
    done = ["2026-11-11", "2026-11-16", "2026-10-14", "2025-11-18", "2026-11-17", "2025-08-01"][: 3 + seed % 4]
    for k, day_out in enumerate(done):
        crm("visit", "add", "--ro", f"RC-{k}", "--vin", vins[k], "--in", day_out, "--out", day_out, "--type", "warranty")

    # callbacks: today's plan, and a few calls with different results
    crm("callbacks", "plan")
    due = json.loads(crm("callbacks", "due", "--format", "json").stdout)
    results = [("--result", "satisfied", "--score", "9"), ("--result", "satisfied", "--score", "10"),
               ("--result", "dissatisfied", "--score", "4", "--aspect", "waiting_time", "--note", "等待太久"),
               ("--result", "unreachable"), ("--result", "neutral", "--score", "7")]
    for k, task in enumerate(due[: 3 + seed % 3]):
        crm("callbacks", "record", task["id"], *results[k], "--at", f"2026-11-20 0{8 + k % 2}:{10 * k:02d}")


def _deliver_recall(root: Path, manager: str, vins: list[str]) -> None:
    """A recall campaign record of the portal's campaigns stream, handed to the plugins as the
    sync hands it (``on_portal_record`` in a transaction)."""
    from crm.context import App

    from .group_store import store_env

    app = App(environ=dict(store_env(root), CRM_USER=manager))
    try:
        with app.transaction() as tx:
            tx.fire("on_portal_record", stream="campaigns", record={
                "id": "RC-2025-09", "version": 1, "updated_at": "2025-09-01T08:00:00Z", "deleted": False,
                "kind": "recall", "title": "前排安全气囊气体发生器更换", "starts_on": "2025-09-01",
                "ends_on": "2027-06-30", "vins": vins, "description": "召回"})
    finally:
        app.store.close()


def _apply_leads(root: Path, manager: str, leads) -> None:
    """Leads dispatched by the manufacturer, applied by the portal plugin's own code."""
    from crm.context import App
    from crm_portal.leads import apply_lead

    from .group_store import store_env

    app = App(environ=dict(store_env(root), CRM_USER=manager))
    with app.transaction() as tx:
        for k, (lid, created, due) in enumerate(leads):
            apply_lead(tx, {"id": lid, "version": 1, "name": f"线索{k}", "phone": f"1390000{k:04d}",
                            "city": "北京", "model_interest": "X3", "source": "autohome",
                            "created_at": created, "contact_due": due}, None)
        tx.audit("sync", "portal_lead", [lid for lid, _, _ in leads])
