"""Corrective actions (整改项, issue 16): raised with a department, an owner, a due date and a
status; on the owner's and the manager's agenda; overdue ones escalate like overdue callbacks;
the monthly report lists them (回访报表…问题整改项)."""

from crm import hookimpl

LI = {"CRM_USER": "li"}


def _add(crm, *extra, who="li", expect=0):
    return crm("--as", who, "action", "add", "--dept", "workshop", "--owner", "sunwei", "--due", "2026-11-25",
               "--problem", "等待时间长", *extra, expect=expect)


def _agenda(crm, *args, now="2026-11-20T10:00:00"):
    return crm.json("today", *args, env={"CRM_NOW": now})


def test_an_item_goes_open_in_progress_done_verified_and_each_step_is_audited(staffed):
    aid = int(_add(staffed).stdout)
    [row] = staffed.json("action", "list", env=LI)
    assert (row["status"], row["dept"], row["owner"], row["due_on"], row["problem"]) == (
        "open", "workshop", "sunwei", "2026-11-25", "等待时间长")
    staffed("--as", "sunwei", "action", "start", aid)
    staffed("--as", "sunwei", "action", "done", aid, expect=2)  # what was done: --note
    staffed("--as", "sunwei", "action", "done", aid, "--note", "增开快修工位")
    assert "may not verify" in staffed("--as", "sunwei", "action", "verify", aid, expect=2).stderr
    staffed("--as", "li", "action", "reject", aid, "--note", "仍有客户等待")
    assert staffed.sql("SELECT status, done_at FROM corrective_actions") == [("in_progress", None)]
    staffed("--as", "sunwei", "action", "done", aid, "--note", "预约分时段")
    staffed("--as", "li", "action", "verify", aid, "--note", "回访确认")
    [(status, note, by)] = staffed.sql("SELECT status, note, verified_by FROM corrective_actions")
    assert (status, by) == ("verified", "li") and note.startswith("预约分时段") and "验证: 回访确认" in note
    steps = staffed.sql("SELECT action FROM audit_log WHERE entity = 'corrective_action' ORDER BY id")
    assert [s for (s,) in steps] == ["add", "start", "done", "reject", "done", "verify"]
    assert "cannot be 'start'" in staffed("--as", "sunwei", "action", "start", aid, expect=2).stderr


def test_bad_input_changes_nothing(staffed):
    for extra, says in [(("--owner", "nobody"), "no active staff member"),
                        (("--dept", "canteen"), "--dept 'canteen'"),
                        (("--due", "2026-11-19"), "already passed"),
                        (("--due", "soon"), "not a date"),
                        (("--from", "callback"), "use callback:ID"),
                        (("--from", "complaint:99"), "no such complaint")]:
        out = staffed("--as", "li", "action", "add", "--dept", "workshop", "--owner", "sunwei", "--due",
                      "2026-11-25", "--problem", "x", *extra, expect=2)
        assert says in out.stderr, (extra, out.stderr)
    staffed("--as", "li", "action", "add", "--dept", "workshop", "--owner", "sunwei", "--due", "2026-11-25",
            expect=2)  # no problem and no source to take it from
    assert staffed.sql("SELECT count(*) FROM corrective_actions") == [(0,)]


def test_who_may_raise_move_and_verify(staffed):
    assert "action.raise" in _add(staffed, who="sunwei", expect=2).stderr  # an advisor is not the department
    aid = int(_add(staffed, who="wangfang").stdout)  # a callback specialist raises it
    assert "only its owner" in staffed("--as", "zhaomin", "action", "start", aid, expect=2).stderr
    staffed("--as", "li", "action", "start", aid)  # the manager may move anyone's


def test_the_owner_sees_it_and_overdue_it_tops_the_agenda_and_reaches_the_managers_list(staffed):
    aid = int(_add(staffed).stdout)
    [item] = [i for i in _agenda(staffed, "--staff", "sunwei") if i["kind"] == "corrective_action"]
    assert item["ref"] == f"action:{aid}" and item["priority"] == 3 and not item["overdue"]
    assert not [i for i in _agenda(staffed, "--staff", "wangfang") if i["kind"] == "corrective_action"]
    assert not [i for i in _agenda(staffed, "--staff", "li") if i["kind"] == "corrective_action"]  # not late yet

    late = "2026-11-27T10:00:00"
    [item] = [i for i in _agenda(staffed, "--staff", "sunwei", now=late) if i["kind"] == "corrective_action"]
    assert item["priority"] == 0 and item["overdue"] and "逾期" in item["title"]
    assert [i["ref"] for i in _agenda(staffed, "--staff", "li", now=late) if i["kind"] == "corrective_action"] == [
        f"action:{aid}"]  # the manager's own agenda
    view = _agenda(staffed, "--all", now=late)
    assert f"action:{aid}" in [i["ref"] for i in view["overdue"]]
    assert [r["overdue_days"] for r in staffed.json("action", "list", "--overdue", env={**LI, "CRM_NOW": late})] == [2]
    assert staffed.json("action", "list", "--overdue", env=LI) == []


def test_done_items_wait_on_the_managers_agenda_for_verification(staffed):
    aid = int(_add(staffed).stdout)
    staffed("--as", "sunwei", "action", "done", aid, "--note", "增开快修工位")
    assert not [i for i in _agenda(staffed, "--staff", "sunwei") if i["kind"] == "corrective_action"]
    [item] = [i for i in _agenda(staffed, "--staff", "li") if i["kind"] == "corrective_action"]
    assert "待验证" in item["title"]


def test_the_monthly_report_lists_the_months_corrective_actions(staffed):
    _add(staffed)
    report = staffed.json("report", "monthly", "--period", "2026-11")
    [section] = [s for s in report["sections"] if s["key"] == "corrective_actions"]
    [row] = section["rows"]
    assert (row["dept"], row["owner"], row["status"], row["problem"]) == ("售后车间", "sunwei", "待整改", "等待时间长")
    assert section["title"] == "问题整改项"
    form = staffed.json("report", "form", "monthly-summary", "--period", "2026-11")
    assert [s for s in form["sections"] if s["key"] == "corrective_actions"][0]["rows"]
    october = staffed.json("report", "monthly", "--period", "2026-10")
    assert [s for s in october["sections"] if s["key"] == "corrective_actions"][0]["rows"] == []


def test_list_formats(staffed):
    _add(staffed)
    csv = staffed("action", "list", "--format", "csv", env=LI).stdout
    assert csv.splitlines()[0].startswith("id,status,dept,owner,due_on")
    assert staffed.json("action", "list", "--owner", "wangfang", env=LI) == []
    assert staffed("action", "list", "--status", "closed", env=LI, expect=2).stderr


class Greetings:
    """Another plugin's records can be the source of an item: it answers describe_ref for its kind."""

    __name__ = "greetings"

    @hookimpl
    def describe_ref(self, app, ref):
        if not ref.is_a("greeting") or ref.id != 7:
            return None
        return {"ref": ref, "customer_id": None, "problem": "问候短信发错了人"}


def test_a_plugin_says_what_its_reference_names(staffed):
    staffed.plugins = [Greetings()]
    staffed("--as", "li", "action", "add", "--from", "greeting:7", "--dept", "customer_relations", "--owner",
            "wangfang", "--due", "2026-11-25")
    assert staffed.sql("SELECT source, problem FROM corrective_actions") == [("greeting:7", "问候短信发错了人")]
    assert "no such greeting" in staffed("--as", "li", "action", "add", "--from", "greeting:8", "--dept", "other",
                                         "--owner", "wangfang", "--due", "2026-11-25", expect=2).stderr
