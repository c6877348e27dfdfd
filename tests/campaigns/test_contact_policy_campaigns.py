"""Campaigns ask the core's contact policy: a customer without consent rows gets the answer
docs/privacy.md states per purpose (marketing and care: no; service surveys: yes), with the reason."""

from campaigns_helpers import fake, set_consent, world, write_sql  # noqa: F401


def _no_consent_rows(crm, cid):
    write_sql(crm, "DELETE FROM customer_consents WHERE customer_id = ?", (cid,))


def test_invitation_leaves_out_a_customer_without_consent_and_says_why(world):
    crm = world
    _no_consent_rows(crm, crm.ids["wang"])
    set_consent(crm, crm.ids["zhao"], "sms", False)
    event = int(crm("event", "create", "--title", "试驾会", "--start", "2026-12-12 09:30", "--place", "展厅").stdout)
    crm("segment", "save", "bj", "--city", "北京")
    result = crm("event", "invite", event, "--segment", "bj")
    assert [m["customer_id"] for m in crm.fake.messages] == [crm.ids["zhang"]]
    assert "left out 1: no consent to SMS (marketing needs an explicit yes)" in result.stderr
    assert "left out 1: no consent to SMS\n" in result.stderr


def test_a_service_survey_reaches_a_customer_without_consent_rows_marketing_does_not(world):
    crm = world
    _no_consent_rows(crm, crm.ids["wang"])
    crm("segment", "save", "bj", "--city", "北京")
    survey = int(crm("survey", "create", "2026-11售后", "--kind", "service_csi").stdout)
    crm("survey", "send", survey, "--segment", "bj", "--channel", "sms")
    assert crm.ids["wang"] in [m["customer_id"] for m in crm.fake.messages]
    # win-back is marketing: the same customer is not messaged
    crm.fake.messages.clear()
    crm("campaigns", "winback", "run", "--name", "w1", "--segment", "bj", "--channel", "sms")
    assert crm.ids["wang"] not in [m["customer_id"] for m in crm.fake.messages]
    assert crm.ids["zhang"] in [m["customer_id"] for m in crm.fake.messages]


def test_care_greeting_needs_an_explicit_yes_and_says_why(world):
    crm = world
    _no_consent_rows(crm, crm.ids["zhang"])  # birthday 11-20 (today)
    rows = crm.json("campaigns", "care", "run", "--kind", "birthday", "--dry-run")
    [row] = [r for r in rows if r["customer_id"] == crm.ids["zhang"]]
    assert row["status"] == "no_channel"
    assert row["why"] == "no consent to SMS (care needs an explicit yes)"


def test_segment_show_says_who_the_policy_leaves_out_and_why(world):
    crm = world
    _no_consent_rows(crm, crm.ids["wang"])
    crm("segment", "save", "bj-sms", "--city", "北京", "--channel", "sms")
    shown = crm.json("segment", "show", "bj-sms")
    assert shown["members"] == 2
    assert shown["left_out"] == {"no consent to SMS (marketing needs an explicit yes)": 1}
    assert "left out: no consent to SMS (marketing needs an explicit yes)" in crm("segment", "show", "bj-sms").stdout
