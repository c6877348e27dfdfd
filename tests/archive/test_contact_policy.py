"""The one contact policy (crm.archive.contact): per purpose, a customer without a consent row
gets the answer docs/privacy.md states, in the callbacks planner and in campaigns alike."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from callbacks_helpers import customer, explain, tasks, vehicle, visit, write_sql

from crm.archive.contact import (CHANNELS, ContactPolicy, contact_facts, may_contact, may_contact_many)
from crm.workdays import QuietHours


def _no_consent_rows(crm, cid: int) -> None:
    write_sql(crm, "DELETE FROM customer_consents WHERE customer_id = ?", (cid,))


def test_channels_are_defined_once():
    from crm.archive import validate

    assert validate.CHANNELS is CHANNELS


def test_without_a_consent_row_service_is_allowed_and_care_and_marketing_are_not(crm):
    cid = customer(crm)
    _no_consent_rows(crm, cid)
    conn = sqlite3.connect(crm.db_path)
    facts = contact_facts(conn, [cid])[cid]
    assert may_contact(facts, "phone", "service")
    assert may_contact(facts, "phone", "safety")
    for purpose in ("care", "marketing"):
        decision = may_contact(facts, "phone", purpose)
        assert not decision and decision.reason == "no_consent"
        assert decision.why == f"no consent to phone calls ({purpose} needs an explicit yes)"
    # an explicit yes allows everything; an explicit no refuses all but a safety recall
    write_sql(crm, "INSERT INTO customer_consents (customer_id, channel, granted, updated_at) VALUES (?, 'sms', 1, 'x')",
              (cid,))
    write_sql(crm, "INSERT INTO customer_consents (customer_id, channel, granted, updated_at) VALUES (?, 'phone', 0, 'x')",
              (cid,))
    facts = contact_facts(conn, [cid])[cid]
    assert may_contact(facts, "sms", "marketing")
    assert may_contact(facts, "phone", "service").reason == "refused"
    assert may_contact(facts, "phone", "safety")
    assert may_contact(facts, "email", "service").reason == "no_address"
    many = may_contact_many(conn, [cid, 999], "sms", "care")
    assert many[cid] and many[999].reason == "forgotten"


def test_do_not_contact_stops_all_but_a_safety_recall_and_quiet_hours_only_a_time(crm):
    cid = customer(crm, do_not_contact=1)
    conn = sqlite3.connect(crm.db_path)
    facts = contact_facts(conn, [cid])[cid]
    assert may_contact(facts, "phone", "service").reason == "do_not_contact"
    assert may_contact(facts, "phone", "safety")
    policy = ContactPolicy(quiet=QuietHours("09:00", "20:00", ["12:00-14:00"]))
    other = contact_facts(conn, [customer(crm, "李四", "13912345678")])
    [facts] = other.values()
    late = policy.decide(facts, "sms", "service", dt.datetime(2026, 11, 20, 21, 30))
    assert late.reason == "quiet_hours" and "2026-11-21 09:00" in late.why
    assert policy.decide(facts, "sms", "service", dt.date(2026, 11, 20))  # a day is never refused


def test_callbacks_planner_asks_the_policy_per_purpose(staffed):
    # no consent rows at all: the service callback is made, the birthday care call is not
    cid = customer(staffed, birthday="1990-11-20")
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-19")
    _no_consent_rows(staffed, cid)
    notes = explain(staffed, "2026-11-20")
    by_rule = {n["rule"]: n for n in notes}
    assert by_rule["service_visit"]["decision"] == "created"
    assert by_rule["birthday"]["decision"] == "skipped"
    assert by_rule["birthday"]["why"] == "no consent to phone calls (care needs an explicit yes)"
    [task] = tasks(staffed)
    assert task["rules"] == "service_visit"


def test_callbacks_missing_consent_deny_still_refuses_service(staffed):
    staffed.write_config('[callbacks]\nmissing_consent = "deny"\n')
    cid = customer(staffed)
    visit(staffed, vehicle(staffed, cid), "RO1", "2026-11-19")
    _no_consent_rows(staffed, cid)
    [note] = explain(staffed, "2026-11-20")
    assert note["decision"] == "skipped" and "no consent to phone calls" in note["why"]


def test_contact_config_is_checked(crm):
    crm.write_config('[contact.without_consent]\nmarketing = "yes"\n')
    result = crm("customer", "list", expect=2)
    assert "contact.without_consent.marketing" in result.stderr


@pytest.mark.parametrize("value,allowed", [("allow", True), ("deny", False)])
def test_contact_config_changes_the_default(crm, value, allowed):
    crm.write_config(f'[contact.without_consent]\ncare = "{value}"\n')
    cid = customer(crm)
    _no_consent_rows(crm, cid)
    from crm.context import App
    import os

    app = App(environ=dict(os.environ))
    policy = ContactPolicy.from_config(app.config)
    facts = contact_facts(app.store.conn, [cid])[cid]
    assert bool(policy.decide(facts, "phone", "care")) is allowed


def test_the_sql_form_agrees_with_the_policy_on_every_case(crm):
    """sql_condition (segments, filters) and may_contact (planners) give the same answers."""
    import itertools

    from crm.archive.contact import PURPOSES, sql_condition

    conn = sqlite3.connect(crm.db_path)
    crm("customer", "list")  # the schema
    now = "2026-11-20T10:00:00"
    ids = []
    for n, (dnc, forgotten, consent, mobile, email, wechat) in enumerate(itertools.product(
            (0, 1), (None, now), (None, 0, 1), (None, "", "13812345678"), (None, "a@b.cn"), (None, "wx1"))):
        cid = conn.execute("INSERT INTO customers (name, mobile, email, wechat, do_not_contact, forgotten_at,"
                           " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (f"c{n}", mobile, email, wechat, dnc, forgotten, now, now)).lastrowid
        if consent is not None:
            conn.executemany("INSERT INTO customer_consents (customer_id, channel, granted, updated_at)"
                             " VALUES (?, ?, ?, ?)", [(cid, ch, consent, now) for ch in CHANNELS])
        ids.append(cid)
    conn.commit()
    facts = contact_facts(conn, ids)
    for policy in (ContactPolicy(), ContactPolicy().denying_missing()):
        for channel in CHANNELS:
            for purpose in PURPOSES:
                where, params = sql_condition(channel, purpose, policy=policy)
                in_sql = {r[0] for r in conn.execute(f"SELECT c.id FROM customers c WHERE {where}", params)}
                in_py = {cid for cid in ids if policy.decide(facts[cid], channel, purpose)}
                assert in_sql == in_py, (channel, purpose)
