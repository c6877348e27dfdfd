"""Issue 18 §10: words a person reads — the 配件 alias, role refusals in English, the follow-up reason."""

from complaints_helpers import as_, dept, dept_template, only_complaints, open_ticket, run_to_summarized, step  # noqa: F401


def test_peijian_is_a_category_alias(dept):
    tid = open_ticket(dept, category="配件")
    shown = dept.json("complaints", "show", str(tid), env=as_("zhaomin"))
    assert shown["ticket"]["category"].startswith("parts_delay")


def test_refusal_reads_as_english(dept):
    tid = open_ticket(dept)
    out = step(dept, tid, "advance", "invalid", "--reason", "不成立", "--reply", "已解释", user="sunwei", expect=2)
    assert "may invalid" not in out.stderr
    assert "may judge a complaint invalid" in out.stderr


def test_followup_call_reason_is_a_label_not_a_key(dept, monkeypatch):
    monkeypatch.setenv("CRM_PLUGINS", "complaints,callbacks")
    tid = open_ticket(dept, now="2026-11-20T10:00:00")
    run_to_summarized(dept, tid)
    step(dept, tid, "advance", "confirm", "--via", "signature", now="2026-11-20T15:30:00")
    step(dept, tid, "close", now="2026-11-20T16:00:00")
    tasks = dept.json("callbacks", "due", "--date", "2026-11-25", env=as_("li", "2026-11-25T09:00:00"))
    reasons = [t["why"] for t in tasks]
    assert reasons and all("complaint_followup" not in str(r) for r in reasons), reasons
    assert any("投诉" in str(r) for r in reasons), reasons
