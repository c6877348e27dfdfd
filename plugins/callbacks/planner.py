"""``crm callbacks plan``: turn the rules into tasks — once, merged, allowed, spread out.

One run, in one write transaction:

1. each enabled rule finds candidates whose first call day lies between its watermark
   (the last ``as_of`` it planned) and ``as_of`` (the first run looks back
   ``lookback_days``); service visits also catch new/changed visits by id/updated_at;
2. a candidate whose key was planned before is dropped (idempotent), as is one the
   core's contact policy refuses for the rule's purpose (``crm.archive.contact``:
   forgotten, do-not-contact, no phone consent, no number) or whose last day has passed;
3. candidates of one customer whose windows overlap merge into one task (several
   reasons), also into an open task planned before;
4. new tasks go to the active callback specialists within their daily capacity, on a
   working day inside the window, never to a staff member the rule said to avoid (the
   visit's service advisor);
5. open tasks past their last day expire as missed; the watermarks move on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import heapq
import json
from operator import itemgetter
from typing import Any

from crm.api import ContactFacts, ContactPolicy, contact_address, contact_facts

from . import store
from .rules import Rule, RuleContext, parse_day

DAY = dt.timedelta(days=1)
PAGE_CACHE_MIB = 256  # page cache for the plan's transaction (see store.page_cache)
MEMORY_MAP_MIB = 2048  # and read up to this much of the file through a memory map (SQLite caps it at its build limit)
_to_json = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(..., ensure_ascii=False) does, built once
_quote = json.encoder.encode_basestring  # how that encoder writes a string (ensure_ascii=False)
_REASON = ("rule", "key", "reason")


def reasons_json(reasons: list) -> str:
    """``_to_json(reasons)``, written directly for the usual reasons (rule, key, reason: strings).

    The same text to the byte: the encoder's separators and its string quoting; anything
    else goes through the encoder.
    """
    parts = []
    for r in reasons:
        if type(r) is not dict or tuple(r) != _REASON:
            return _to_json(reasons)
        rule, key, reason = r["rule"], r["key"], r["reason"]
        if type(rule) is not str or type(key) is not str or type(reason) is not str:
            return _to_json(reasons)
        parts.append(f'{{"rule": {_quote(rule)}, "key": {_quote(key)}, "reason": {_quote(reason)}}}')
    return f"[{', '.join(parts)}]"


@dataclasses.dataclass(eq=False, slots=True)
class Group:
    """One call to make: a new task, or an open one that candidates merge into."""

    customer_id: int
    start_on: dt.date
    due_on: dt.date
    last_on: dt.date
    reasons: list[dict]
    avoid: set[str]
    member: bool = False
    vehicle_id: int | None = None
    visit_id: int | None = None
    task: dict | None = None  # the existing task, when merging into one
    changed: bool = False
    keys: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    assigned_to: str | None = None
    scheduled_on: dt.date | None = None
    first_cand: dict | None = None  # the candidate a new task was made for
    merged_cands: list[dict] = dataclasses.field(default_factory=list)  # others that joined a new task
    why: str | None = None  # what assigning it had to give up (capacity, no specialist)
    channel: str = "phone"  # phone, or the channel a member who refused calls allows (sms, wechat, email)
    to: str | None = None  # where a message goes (not a phone call)


class Plan:
    def __init__(self, tx, settings: dict, rules: list[Rule], as_of: dt.date, *, full: bool = False,
                 explain: bool = True):
        self.tx, self.conn = tx, tx.conn
        self.calendar = tx.app.calendar
        self.settings, self.rules = settings, rules
        self.as_of, self.full = as_of, full
        self.explaining = explain  # keep a note per candidate (``plan --explain``, schedule_callback)
        self.explain: list[dict] = []
        self.stats = {"as_of": as_of.isoformat(), "considered": 0, "created": 0, "merged": 0, "skipped": 0,
                      "already_planned": 0, "expired": 0, "over_capacity": 0, "unassigned": 0}
        self._facts: dict[int, ContactFacts] = {}
        policy = ContactPolicy.from_config(tx.app.config)
        self.policy = policy.denying_missing() if settings.get("missing_consent") == "deny" else policy
        self._rule_facts: dict[int, tuple] = {}  # id(rule) -> what normalise needs of it, worked out once

    # ------------------------------------------------------------------ explain
    def note(self, cand: dict, decision: str, why: str, task_id=None) -> None:
        if not self.explaining:
            return
        facts = self._facts.get(cand["customer_id"])
        self.explain.append({
            "customer_id": cand["customer_id"],
            "customer": facts.name if facts is not None else None,
            "rule": cand["rule"], "key": cand["key"], "decision": decision, "task_id": task_id, "why": why,
        })

    # ------------------------------------------------------------------ run
    def run(self) -> dict:
        state = store.read_state(self.conn)
        candidates = self.collect(state)
        self.stats["considered"] = len(candidates)
        fresh = self.drop_planned(candidates)
        allowed = self.check_allowed(fresh)
        groups = self.merge(allowed)
        self.assign([g for g in groups if g.task is None or g.changed])
        self.write(groups)
        self.expire()
        self.move_watermarks(state)
        self.tx.audit("plan", "callback_task", count=self.stats["created"],
                      detail={k: v for k, v in self.stats.items() if k != "as_of"} | {"as_of": self.stats["as_of"]})
        return self.stats

    def window(self, rule: Rule, state: dict) -> tuple[dt.date, dt.date]:
        oldest = self.as_of - dt.timedelta(days=int(self.settings["lookback_days"]))
        last = parse_day(state.get(f"rule:{rule.name}:last_as_of"))
        if self.full or last is None:
            return oldest, self.as_of
        return max(last + DAY, oldest), self.as_of

    def collect(self, state: dict) -> list[dict]:
        out: list[dict] = []
        seen: set[tuple[str, str]] = set()
        rule_state = {
            "lookback_days": int(self.settings["lookback_days"]),
            "max_visit_id": int(state["max_visit_id"]) if state.get("max_visit_id") else None,
            "last_run_at": state.get("last_run_at"),
        }
        for rule in self.rules:
            if not rule.enabled:
                continue
            lo, hi = self.window(rule, state)
            ctx = RuleContext(conn=self.conn, as_of=self.as_of, options=rule.options, calendar=self.calendar,
                              full=self.full, state=rule_state)
            try:
                found = list(rule.find(ctx, lo, hi))
            except Exception as exc:
                if rule.source == "built-in":
                    raise
                self.tx.app.warn(f"callback rule '{rule.name}' failed: {type(exc).__name__}: {exc}")
                rule.enabled = False  # its watermark stays, it is tried again next run
                continue
            for raw in found:
                cand = self.normalise(rule, raw)
                if cand is None or (rule.name, cand["key"]) in seen:
                    continue
                seen.add((rule.name, cand["key"]))
                out.append(cand)
        return out

    def normalise(self, rule: Rule, raw: dict) -> dict | None:
        facts = self._rule_facts.get(id(rule))
        if facts is None or facts[0] is not rule:
            facts = self._rule_facts[id(rule)] = (
                rule, rule.name, rule.title, max(rule.window_days - 1, 0), dt.timedelta(days=rule.expire_days),
                rule.options.get("audience", "all"), rule.purpose)
        _, name, title, window, expire, audience, purpose = facts
        get = raw.get
        on = get("on")
        if type(on) is not dt.date:  # rules mostly give dates; anything else as parse_day reads it
            on = parse_day(on)
        customer_id, key = get("customer_id"), get("key")
        if on is None or not customer_id or not key:
            self.tx.app.warn(f"callback rule '{name}' gave a candidate without customer_id/on/key; ignored")
            return None
        start = self.calendar.add_workdays(on, 0)
        due = get("due_on")
        if type(due) is not dt.date:
            due = parse_day(due)
        due = due or self.calendar.add_workdays(start, window)
        if due < start:
            due = start
        trigger = get("trigger")
        if type(trigger) is not dt.date:
            trigger = parse_day(trigger)
        last = (trigger or start) + expire
        if last < due:
            last = due
        avoid = get("avoid_staff")
        return {
            "rule": name, "title": title, "key": key if type(key) is str else str(key),
            "customer_id": customer_id if type(customer_id) is int else int(customer_id),
            "start_on": start, "due_on": due, "last_on": last, "reason": get("reason") or title,
            "vehicle_id": get("vehicle_id"), "visit_id": get("visit_id"),
            "avoid": {s for s in avoid if s} if avoid else set(), "skip": get("skip"),
            "audience": audience, "purpose": purpose,
        }

    def drop_planned(self, candidates: list[dict]) -> list[dict]:
        done = store.planned_keys(self.conn, [(c["rule"], c["key"]) for c in candidates])
        self._facts = contact_facts(self.conn, sorted({c["customer_id"] for c in candidates}), self.as_of,
                                    channels=("phone",))
        out = []
        for cand in candidates:
            task_id = done.get((cand["rule"], cand["key"]))
            if task_id is not None:
                self.stats["already_planned"] += 1
                self.note(cand, "skipped", f"already planned (task {task_id})", task_id)
            else:
                out.append(cand)
        return out

    def check_allowed(self, candidates: list[dict]) -> list[dict]:
        decide, as_of = self.policy.decide, self.as_of
        out, refused_members = [], []
        for cand in candidates:
            facts = self._facts.get(cand["customer_id"])
            why = None
            if cand["skip"]:
                why = str(cand["skip"])
            elif not (decision := decide(facts, "phone", cand["purpose"], as_of)):
                why = decision.why  # the core's contact policy (crm.archive.contact)
            elif cand["audience"] == "members" and not facts.member:
                why = "not a member (rule audience: members)"
            elif cand["last_on"] < self.as_of:
                why = f"window passed (last day {cand['last_on'].isoformat()})"
            if why:
                if facts is not None and facts.member and not cand["skip"] and cand["last_on"] >= as_of:
                    refused_members.append((cand, why))  # 会员客户100%回访: another channel, else remembered
                    continue
                self.stats["skipped"] += 1
                self.note(cand, "skipped", why)
                continue
            cand["member"] = facts.member
            out.append(cand)
        return out + self.other_channels(refused_members)

    def other_channels(self, refused: list[tuple[dict, str]]) -> list[dict]:
        """Members the phone may not reach: a task on another channel the member allows.

        The procedure's 必须保证会员客户的100%的回访 (docs/callbacks.md): the first of
        ``member_channels`` (the customer's preferred channel first) the contact policy
        allows for the rule's purpose becomes the task's channel, with the text to send;
        a member no channel reaches is kept in ``callback_skips`` with the reason, and the
        summary counts them as not reached.
        """
        if not refused:
            return []
        facts_of = contact_facts(self.conn, sorted({c["customer_id"] for c, _ in refused}), self.as_of)
        order = [c for c in self.settings["member_channels"] if c != "phone"]
        out, skips = [], []
        for cand, why in refused:
            facts = facts_of.get(cand["customer_id"])
            channels = sorted(order, key=lambda c: c != getattr(facts, "preferred_channel", None))
            found = None
            for channel in channels:
                if self.policy.decide(facts, channel, cand["purpose"], self.as_of):
                    found = channel
                    break
            if found is None:
                reason = f"{why}; no other channel allowed ({', '.join(channels) or 'none configured'})"
                self.stats["skipped"] += 1
                self.note(cand, "skipped", f"member not reached: {reason}")
                skips.append((cand["rule"], cand["key"], cand["customer_id"], cand["due_on"].isoformat(), reason,
                              self.tx.now))
                continue
            cand["member"], cand["channel"], cand["to"] = True, found, contact_address(facts, found)
            cand["why_channel"] = f"{why}: by {found} instead"
            out.append(cand)
        self.conn.executemany(
            "INSERT OR REPLACE INTO callback_skips (rule, key, customer_id, member, due_on, reason, planned_at)"
            " VALUES (?, ?, ?, 1, ?, ?, ?)", skips)
        return out

    # ------------------------------------------------------------------ merge
    def merge(self, candidates: list[dict]) -> list[Group]:
        existing = store.open_tasks_of(self.conn, sorted({c["customer_id"] for c in candidates}))
        groups_of: dict[int, list[Group]] = {}
        for cid, tasks in existing.items():
            groups_of[cid] = [self._group_of_task(t) for t in tasks]
        new_groups: list[Group] = []
        listed: set[int] = set()
        for cand in sorted(candidates, key=itemgetter("customer_id", "start_on", "due_on", "rule")):
            customer_id = cand["customer_id"]
            mine = groups_of.get(customer_id)
            target = None
            if mine is None:
                mine = groups_of[customer_id] = []
            else:
                for group in mine:
                    if group.channel == cand.get("channel", "phone") and self._overlaps(group, cand):
                        target = group
                        break
            reason = {"rule": cand["rule"], "key": cand["key"], "reason": cand["reason"]}
            if target is None:
                group = Group(customer_id, cand["start_on"], cand["due_on"], cand["last_on"], [reason],
                              set(cand["avoid"]), cand["member"], cand["vehicle_id"], cand["visit_id"],
                              keys=[(cand["rule"], cand["key"])], first_cand=cand,
                              channel=cand.get("channel", "phone"), to=cand.get("to"))
                mine.append(group)
                new_groups.append(group)
                listed.add(id(group))
                continue
            self._absorb(target, cand, reason)
            if target.task is not None:
                self.stats["merged"] += 1
                if self.explaining:
                    self.note(cand, "merged",
                              f"same customer, overlapping window: joined open task {target.task['id']}",
                              target.task["id"])
                if id(target) not in listed:
                    new_groups.append(target)
                    listed.add(id(target))
            else:
                self.stats["merged"] += 1
                target.merged_cands.append(cand)
        return new_groups

    def _group_of_task(self, task: dict) -> Group:
        """An open task as stored (store.open_tasks_of), as a group candidates can merge into."""
        reasons, avoid = task["reasons"], task["avoid_staff"]
        return Group(
            customer_id=task["customer_id"], start_on=parse_day(task["start_on"]), due_on=parse_day(task["due_on"]),
            last_on=parse_day(task["last_on"]), reasons=json.loads(reasons) if reasons else [],
            avoid={s for s in avoid.split(",") if s} if avoid else set(),
            member=bool(task["member"]), vehicle_id=task["vehicle_id"], visit_id=task["visit_id"], task=task,
            assigned_to=task["assigned_to"], scheduled_on=parse_day(task["scheduled_on"]),
            channel=task["channel"] or "phone",
        )

    def _overlaps(self, group: Group, cand: dict) -> bool:
        due = max(group.due_on, self.as_of) if group.task is not None else group.due_on
        return group.start_on <= cand["due_on"] and cand["start_on"] <= due

    def _absorb(self, group: Group, cand: dict, reason: dict) -> None:
        overdue = group.task is not None and group.due_on < self.as_of
        group.start_on = max(group.start_on, cand["start_on"]) if not overdue else group.start_on
        if not overdue:
            group.due_on = min(group.due_on, cand["due_on"])
        group.last_on = max(group.last_on, cand["last_on"])
        group.reasons.append(reason)
        group.avoid |= cand["avoid"]
        group.member = group.member or cand["member"]
        group.vehicle_id = group.vehicle_id or cand["vehicle_id"]
        if cand["visit_id"] and not group.visit_id:
            group.visit_id = cand["visit_id"]
        group.keys.append((cand["rule"], cand["key"]))
        group.changed = True
        if group.scheduled_on is not None and not overdue and not (
                group.start_on <= group.scheduled_on <= group.due_on) or group.assigned_to in group.avoid:
            group.scheduled_on = None  # to be placed again
            group.assigned_to = None

    # ------------------------------------------------------------------ assign
    def assign(self, groups: list[Group]) -> None:
        staff = store.specialists(self.conn, self.settings["specialist_roles"])
        load = {(code, parse_day(day)): n for (code, day), n in store.loads(self.conn, self.as_of.isoformat()).items()}
        capacity = {s["code"]: max(s["capacity"], 0) for s in staff}
        weight = {code: max(cap, 1) for code, cap in capacity.items()}
        full_days: set[dt.date] = set()  # days on which every specialist is full
        windows: dict[tuple[dt.date, dt.date], list[dt.date]] = {}  # (first, due) -> its working days
        is_workday, add_workdays = self.calendar.is_workday, self.calendar.add_workdays

        def is_full(day: dt.date) -> bool:
            if day in full_days:
                return True
            if all(load.get((code, day), 0) >= cap for code, cap in capacity.items()):
                full_days.add(day)
                return True
            return False

        codes = [s["code"] for s in staff]
        load_of = load.get
        heaps: dict[dt.date, list[tuple[float, str, int]]] = {}  # day -> (load / weight, code, load) of each

        def least_loaded(day: dt.date) -> str:
            """``min((load / weight, code) for code in codes)[1]`` on ``day``, from a heap kept per day.

            Loads only grow, so an entry whose load is out of date is put back with the
            current one until the smallest is up to date: then it is the smallest of all.
            """
            heap = heaps.get(day)
            if heap is None:
                heap = heaps[day] = [((n := load_of((code, day), 0)) / weight[code], code, n) for code in codes]
                heapq.heapify(heap)
            while True:
                _, code, n = heap[0]
                current = load_of((code, day), 0)
                if current == n:
                    return code
                heapq.heapreplace(heap, (current / weight[code], code, current))
        for group in sorted(groups, key=lambda g: (g.due_on, not g.member, g.customer_id)):
            if group.assigned_to and group.scheduled_on:
                continue
            first = max(group.start_on, self.as_of)
            days = windows.get((first, group.due_on))
            if days is None:
                days = windows[(first, group.due_on)] = [
                    d for d in _day_range(first, max(group.due_on, first)) if is_workday(d)] or [add_workdays(first, 0)]
            avoid = group.avoid
            eligible = [code for code in codes if code not in avoid] if avoid and not avoid.isdisjoint(codes) else codes
            group.why = None
            if not eligible:
                group.scheduled_on, group.assigned_to = days[0], None
                self.stats["unassigned"] += 1
                group.why = ("no active callback specialist" if not staff
                             else "every callback specialist served this visit (may not call)")
                continue
            choice = None
            for day in days:
                if day in full_days or is_full(day):
                    continue
                free = [(n / weight[code], code) for code in eligible
                        if (n := load_of((code, day), 0)) < capacity[code]]
                if free:
                    choice = (day, min(free)[1])
                    break
            if choice is None:
                day = days[-1]
                least = least_loaded(day) if eligible is codes else min(
                    [(load_of((code, day), 0) / weight[code], code) for code in eligible])[1]
                choice = (day, least)
                self.stats["over_capacity"] += 1
                group.why = (f"capacity: every specialist is full until {day.isoformat()}; "
                             f"given to {least} over capacity")
            day, code = choice
            group.scheduled_on, group.assigned_to = day, code
            load[(code, day)] = load_of((code, day), 0) + 1

    # ------------------------------------------------------------------ write
    def write(self, groups: list[Group]) -> None:
        """Insert the new tasks and update the merged ones, each kind in one ``executemany``.

        New tasks get their ids up front (the next free rowids, as SQLite itself would
        give them one by one: the run holds the write lock), so the plan keys and the
        explanation can name them without a statement per task.
        """
        now = self.tx.now
        explaining = self.explaining
        keys: list[tuple] = []
        columns = ["customer_id", "vehicle_id", "visit_id", "rules", "reasons", "member", "start_on", "due_on",
                   "last_on", "scheduled_on", "assigned_to", "avoid_staff", "updated_at"]
        inserts: list[tuple] = []
        updates: dict[tuple[int, ...], list[tuple]] = {}
        next_id = None
        messages: list[tuple[int, Group]] = []  # new tasks on another channel than the phone
        texts: dict[dt.date, str] = {}  # each day's ISO text, worked out once

        def iso(day: dt.date) -> str:
            return texts.get(day) or texts.setdefault(day, day.isoformat())

        for group in groups:
            reasons = group.reasons
            rules = reasons[0]["rule"] if len(reasons) == 1 else ",".join(dict.fromkeys(r["rule"] for r in reasons))
            scheduled = iso(group.scheduled_on or group.start_on)
            due = iso(group.due_on)
            values = (group.customer_id, group.vehicle_id, group.visit_id, rules,
                      reasons_json(reasons), int(group.member), iso(group.start_on),
                      due, iso(group.last_on), scheduled, group.assigned_to,
                      ",".join(sorted(group.avoid)) if group.avoid else None, now)
            if group.task is None:
                if next_id is None:
                    next_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM callback_tasks").fetchone()[0]
                task_id = next_id
                next_id += 1
                inserts.append((task_id, *values, now))
                self.stats["created"] += 1
                if group.channel != "phone":
                    messages.append((task_id, group))
                if explaining:
                    if group.channel != "phone":
                        why = f"{reasons[0]['reason']}; {group.first_cand.get('why_channel')} {scheduled} (due {due})"
                    else:
                        why = f"{reasons[0]['reason']}; call {scheduled} (due {due})"
                    who = f" by {group.assigned_to}" if group.assigned_to else " (unassigned)"
                    self.note(group.first_cand, "created", why + who + (f"; {group.why}" if group.why else ""),
                              task_id)
                    for cand in group.merged_cands:
                        self.note(cand, "merged", f"same customer, overlapping window: one call with task {task_id}",
                                  task_id)
            else:
                task_id = group.task["id"]
                stored = group.task  # the row as stored: write back only what changes
                # Only the columns whose value changes: an index none of whose columns is
                # set is left alone (customer_id never changes; due_on seldom does).
                changed = tuple(i for i, k in enumerate(columns) if k == "updated_at" or stored.get(k, k) != values[i])
                updates.setdefault(changed, []).append((*(values[i] for i in changed), task_id))
            keys.extend((rule, key, task_id, now) for rule, key in group.keys)
        if inserts:
            self.conn.executemany(
                f"INSERT INTO callback_tasks (id, {', '.join(columns)}, created_at)"
                f" VALUES ({store.marks(range(len(columns) + 2))})", inserts)
        for changed, rows in updates.items():
            sets = ", ".join(f"{columns[i]} = ?" for i in changed)
            rows.sort(key=lambda row: row[-1])  # in id order: each page of the table once
            self.conn.executemany(f"UPDATE callback_tasks SET {sets} WHERE id = ?", rows)
        keys.sort()  # in (rule, key) order: the primary key's pages one after the other
        self.conn.executemany(
            "INSERT OR IGNORE INTO callback_plan_keys (rule, key, task_id, planned_at) VALUES (?, ?, ?, ?)", keys)
        if messages:
            self.send(messages)

    def send(self, messages: list[tuple[int, "Group"]]) -> None:
        """Member callbacks on SMS/WeChat/e-mail: the text goes out through ``send_message``.

        Sent (a sender answered, e.g. the campaigns outbox): the task is done, logged as an
        interaction on that channel.  Nobody sends: the task stays open in the specialist's
        queue with its channel and text, to send by hand and record.
        """
        from crm.api import log_interaction

        template = self.settings["member_message"]
        for task_id, group in messages:
            name = getattr(self._facts.get(group.customer_id), "name", None) or ""
            text = template.format(name=name, reason="；".join(r["reason"] for r in group.reasons))
            self.conn.execute("UPDATE callback_tasks SET channel = ?, message = ? WHERE id = ?",
                              (group.channel, text, task_id))
            sent = self.tx.ask("send_message", message={
                "customer_id": group.customer_id, "channel": group.channel, "to": group.to, "text": text,
                "campaign": None, "ref": f"callback:{task_id}"})
            if sent is None:
                continue
            self.conn.execute(
                "UPDATE callback_tasks SET status = 'done', attempts = 1, closed_at = ?, updated_at = ?,"
                " note = ? WHERE id = ?", (self.tx.now, self.tx.now, f"sent by {group.channel} ({sent})", task_id))
            log_interaction(self.tx, {"customer_id": group.customer_id, "at": self.tx.now[:19], "channel": group.channel,
                                      "direction": "out", "kind": "callback", "summary": text, "outcome": "sent",
                                      "ref": f"callback:{task_id}"}, audit=False)
            self.stats["sent"] = self.stats.get("sent", 0) + 1

    def expire(self) -> None:
        # OR FAIL, not the default ABORT: SQLite then keeps no statement journal for this
        # one multi-row UPDATE (a copy of every page it changes, ≈ 13k at 1M customers,
        # spilled to a temporary file, only to undo the statement alone if a row failed a
        # constraint halfway).  No row can fail one here, and any error still rolls the
        # whole plan back: it is one transaction.
        cursor = self.conn.execute(
            "UPDATE OR FAIL callback_tasks SET status = 'missed', closed_at = ?, updated_at = ?"
            " WHERE status = 'open' AND last_on < ?", (self.tx.now, self.tx.now, self.as_of.isoformat()))
        self.stats["expired"] = cursor.rowcount

    def move_watermarks(self, state: dict) -> None:
        values: dict[str, Any] = {}
        for rule in self.rules:
            if not rule.enabled:
                continue
            key = f"rule:{rule.name}:last_as_of"
            old = parse_day(state.get(key))
            values[key] = max(old, self.as_of).isoformat() if old else self.as_of.isoformat()
        values["max_visit_id"] = self.conn.execute("SELECT coalesce(max(id), 0) FROM visits").fetchone()[0]
        if any(r.name == "service_visit" and r.enabled for r in self.rules):
            self.conn.execute("DELETE FROM callback_visit_events")
        values["last_run_at"] = self.tx.now
        store.write_state(self.conn, values, self.tx.now)


def _day_range(lo: dt.date, hi: dt.date):
    day = lo
    while day <= hi:
        yield day
        day += DAY


@contextlib.contextmanager
def collector_paused():
    """No cyclic garbage collection for a while (then as before).

    A plan makes a handful of dicts and objects per occasion (tens of thousands on a large
    archive) and keeps them to the end; the collector would walk them again and again
    (≈ 3 % of a daily plan at 1M customers).  They hold no reference cycles: reference
    counting frees them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def run_plan(app, as_of: dt.date, *, full: bool = False, dry_run: bool = False,
             explain: bool = False) -> tuple[dict, list[dict]]:
    """Plan as of ``as_of``: (the counts, a note per candidate considered when ``explain``, else []).

    The notes (``plan --explain``) are not built for the daily run that does not show them.
    """
    from . import settings as settings_mod
    from .rules import load_rules

    settings = settings_mod.load(app.config)
    rules = load_rules(app, settings)
    plan = None
    try:
        with collector_paused(), store.page_cache(app.store.conn, PAGE_CACHE_MIB, MEMORY_MAP_MIB), \
                app.transaction() as tx:
            plan = Plan(tx, settings, rules, as_of, full=full, explain=explain)
            plan.run()
            if dry_run:
                raise DryRun()
    except DryRun:
        pass
    return plan.stats, plan.explain


def _purpose(value) -> str:
    from crm.api import PURPOSES
    from crm.errors import BadInput

    value = value or "service"
    if value not in PURPOSES:
        raise BadInput(f"schedule_callback purpose {value!r} is not one of {', '.join(PURPOSES)}")
    return value


def schedule(tx, request: dict) -> int | None:
    """The ``schedule_callback`` service: queue one call asked for by another plugin."""
    from crm.api import Ref
    from crm.errors import BadInput

    from . import settings as settings_mod
    from .rules import Rule, load_rules

    settings = settings_mod.load(tx.app.config)
    today = dt.date.fromisoformat(tx.now[:10])
    try:
        customer_id = int(request["customer_id"])
    except (KeyError, TypeError, ValueError):
        raise BadInput("schedule_callback needs a customer_id") from None
    name = str(request.get("rule") or "requested")
    rule = next((r for r in load_rules(tx.app, settings) if r.name == name), None) or Rule(
        name=name, title=request.get("reason") or name, find=lambda *_: [], window_days=3, expire_days=15,
        source="request", purpose=_purpose(request.get("purpose")))
    on = parse_day(request.get("start_on")) or today
    due = parse_day(request.get("due_on"))
    key = str(request.get("ref") or f"{name}:{customer_id}:{tx.now}")
    raw = {"customer_id": customer_id, "on": on, "due_on": due, "key": key,
           "reason": request.get("reason") or rule.title, "vehicle_id": request.get("vehicle_id"),
           "visit_id": request.get("visit_id"), "avoid_staff": request.get("avoid_staff") or []}
    plan = Plan(tx, settings, [rule], today)
    cand = plan.normalise(rule, raw)
    if cand is None:
        raise BadInput("schedule_callback needs customer_id and a date")
    if due and due < cand["start_on"]:
        cand["due_on"] = cand["start_on"]
    cand["last_on"] = max(cand["last_on"], cand["due_on"])
    fresh = plan.drop_planned([cand])
    if not fresh:
        return plan.explain[-1]["task_id"]
    allowed = plan.check_allowed(fresh)
    if not allowed:
        return None
    groups = plan.merge(allowed)
    plan.assign([g for g in groups if g.task is None or g.changed])
    plan.write(groups)
    task_id = plan.explain[-1]["task_id"] if plan.explain else None
    if request.get("note") and task_id:
        tx.conn.execute("UPDATE callback_tasks SET note = coalesce(note || '; ', '') || ? WHERE id = ?",
                        (request["note"], task_id))
    about = request.get("about")
    if about is not None and task_id:
        if not isinstance(about, Ref):
            raise BadInput(f"schedule_callback: 'about' must be a crm.api.Ref (is {type(about).__name__})")
        tx.conn.execute("UPDATE callback_tasks SET about_kind = ?, about_id = ? WHERE id = ?",
                        (about.kind, about.id, task_id))
    tx.audit("schedule", "callback_task", [task_id] if task_id else [], detail={"rule": name})
    return task_id
