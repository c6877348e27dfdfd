"""Issue 17, complaints as the department works them: several options and one approved (with its own
deadline), the interim solution, the penalty before closing, the signed confirmation kept with the
ticket, routing, escalation by hand, and the statistics' cause / improvement / resolution columns."""

import hashlib
import os
import stat

from complaints_helpers import as_, dept, dept_template, only_complaints, open_ticket, step  # noqa: F401


def _to_investigating(crm, tid, *extra):
    step(crm, tid, "advance", "accept", now="2026-11-20T10:30:00")
    step(crm, tid, "advance", "investigate", "--dept", "workshop", "--findings", "螺丝未紧固", *extra,
         now="2026-11-20T11:00:00")


def _two_options(crm, tid):
    step(crm, tid, "propose", "--solution", "免费返修", "--cost", "300", now="2026-11-20T11:10:00")
    step(crm, tid, "propose", "--solution", "免费返修并赠送一次保养", "--compensation", "保养券一张",
         "--cost", "800", now="2026-11-20T11:20:00")


def test_several_options_and_the_manager_approves_one(dept):
    tid = open_ticket(dept)
    _to_investigating(dept, tid)
    _two_options(dept, tid)
    # two options: the manager must choose
    r = step(dept, tid, "approve", user="li", now="2026-11-20T12:00:00", expect=2)
    assert "2 proposed options (1, 2)" in r.stderr and "--option" in r.stderr
    assert "no proposed option 7" in step(dept, tid, "approve", "--option", "7", user="li", expect=2).stderr
    step(dept, tid, "approve", "--option", "2", "-m", "同意方案二", user="li", now="2026-11-20T12:00:00")
    shown = dept.json("complaints", "show", str(tid), env=as_("zhaomin", "2026-11-20T12:30:00"))
    assert [(o["option"], o["status"], o["cost"]) for o in shown["options"]] == [
        (1, "not chosen", 300.0), (2, "approved", 800.0)]
    approve = shown["timeline"][-1]
    assert approve["data"]["option"] == 2 and approve["data"]["solution"] == "免费返修并赠送一次保养"
    # 及时批示: its own deadline (normal: 4 working hours from the first proposal), met
    t = shown["timings"]
    assert t["approve_due"].startswith("2026-11-20T16:40")  # lunch 12:00-13:30 not counted and t["approve_on_time"] is True
    text = dept("complaints", "show", str(tid), env=as_("zhaomin", "2026-11-20T12:30:00")).stdout
    assert "Options (处理方案)" in text and "not chosen" in text


def test_declining_all_options_starts_a_new_round(dept):
    tid = open_ticket(dept)
    _to_investigating(dept, tid)
    _two_options(dept, tid)
    step(dept, tid, "decline", "-m", "补偿过高", user="li", now="2026-11-20T12:00:00")
    step(dept, tid, "propose", "--solution", "免费返修, 赠送洗车", now="2026-11-20T13:40:00")
    step(dept, tid, "approve", user="li", now="2026-11-20T14:00:00")  # one option in the round: no --option
    shown = dept.json("complaints", "show", str(tid), env=as_("zhaomin", "2026-11-20T14:00:00"))
    assert [(o["option"], o["status"]) for o in shown["options"]] == [(1, "declined"), (2, "declined"), (3, "approved")]


def test_approval_overdue_shows_for_the_manager(dept):
    tid = open_ticket(dept)
    _to_investigating(dept, tid)
    _two_options(dept, tid)
    late = "2026-11-23T10:00:00"  # Monday: the 4 working hours ran out on Friday 16:40
    shown = dept.json("complaints", "show", str(tid), env=as_("li", late))
    assert shown["timings"]["approve_overdue"] is True and shown["timings"]["approve_overdue_hours"] == 2.33
    row = dept.json("complaints", "list", env=as_("li", late))[0]
    assert "approval overdue +2.33h" in row["flags"]
    text = dept("today", "--me", "--format", "csv", env=as_("li", late)).stdout
    assert f"投诉 #{tid} 维修质量: approval overdue +2.33h" in text, text


def test_interim_solution_is_told_and_pauses_nothing(dept):
    tid = open_ticket(dept)
    _to_investigating(dept, tid)
    before = dept.json("complaints", "show", str(tid), env=as_("zhaomin", "2026-11-20T15:00:00"))["timings"]
    step(dept, tid, "interim", "--solution", "提供代步车", "--told-via", "phone", now="2026-11-20T11:30:00")
    shown = dept.json("complaints", "show", str(tid), env=as_("zhaomin", "2026-11-20T15:00:00"))
    last = shown["timeline"][-1]
    assert last["step"] == "interim" and last["state"] == "investigating"
    assert last["data"] == {"interim": "提供代步车", "told_via": "phone"}
    assert shown["timings"]["resolve_due"] == before["resolve_due"] and shown["timings"]["paused_hours"] == 0
    told = dept.sql("SELECT kind, direction, channel FROM interactions WHERE ref = ? AND kind = 'complaint_interim'",
                    (f"complaint:{tid}",))
    assert told == [("complaint_interim", "out", "phone")]
    assert "needs --solution" in step(dept, tid, "interim", "--solution", "", expect=2).stderr


def _to_summarized(crm, tid, *implement_extra):
    _to_investigating(crm, tid, "--person", "张师傅")
    step(crm, tid, "propose", "--solution", "免费返修", now="2026-11-20T11:10:00")
    step(crm, tid, "approve", user="li", now="2026-11-20T11:20:00")
    step(crm, tid, "advance", "implement", "--actions", "返修完成", *implement_extra, now="2026-11-20T14:00:00")
    step(crm, tid, "advance", "summarize", "--root-cause", "作业不规范", "--lessons", "加强终检",
         now="2026-11-20T15:00:00")


def test_penalty_for_person_and_department_before_closing(dept):
    tid = open_ticket(dept)
    _to_summarized(dept, tid)
    step(dept, tid, "advance", "confirm", "--via", "phone", now="2026-11-20T15:30:00")
    r = step(dept, tid, "close", now="2026-11-20T16:00:00", expect=2)
    assert "without the penalty (处罚) for the responsible person and the responsible department" in r.stderr
    step(dept, tid, "penalize", "--person", "技师扣绩效200元", now="2026-11-20T15:40:00")
    assert "for the responsible department" in step(dept, tid, "close", now="2026-11-20T16:00:00", expect=2).stderr
    step(dept, tid, "penalize", "--dept", "车间主管通报批评", now="2026-11-20T15:50:00")
    step(dept, tid, "close", now="2026-11-20T16:00:00")


def test_penalty_not_required_when_the_dealer_says_so_or_nobody_is_responsible(dept):
    tid = open_ticket(dept)
    _to_summarized(dept, tid)
    step(dept, tid, "advance", "confirm", "--via", "phone", now="2026-11-20T15:30:00")
    dept.write_config("[complaints]\npenalty_required = false\n")
    step(dept, tid, "close", now="2026-11-20T16:00:00")
    dept.write_config("[complaints]\npenalty_required = \"yes\"\n")
    assert "penalty_required must be true or false" in dept("complaints", "list", env=as_("zhaomin"), expect=2).stderr


def test_signature_file_kept_with_the_ticket_when_the_dealer_asks_for_it(dept, tmp_path):
    dept.write_config('[complaints]\nconfirmation = "签字"\n')
    tid = open_ticket(dept)
    _to_summarized(dept, tid, "--penalty-person", "扣绩效", "--penalty-dept", "通报")
    r = step(dept, tid, "advance", "confirm", "--via", "phone", now="2026-11-20T15:30:00", expect=2)
    assert "needs --signature FILE" in r.stderr
    assert "no such file" in step(dept, tid, "advance", "confirm", "--signature", str(tmp_path / "nope.jpg"),
                                  expect=2).stderr
    scan = tmp_path / "incoming" / "签字确认.jpg"
    scan.parent.mkdir()
    scan.write_bytes(b"\xff\xd8\xff\xe0 a signed confirmation")
    step(dept, tid, "advance", "confirm", "--signature", str(scan), now="2026-11-20T15:30:00")
    digest = hashlib.sha256(scan.read_bytes()).hexdigest()
    shown = dept.json("complaints", "show", str(tid), env=as_("zhaomin", "2026-11-20T15:40:00"))
    [f] = shown["files"]
    assert f["kind"] == "signature" and f["sha256"] == digest and f["name"] == "签字确认.jpg"
    stored = dept.db_path.parent / f["path"]
    assert stored.parent.parent.parent.name == "crm-files" and stored.read_bytes() == scan.read_bytes()
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600
    assert shown["timeline"][-1]["data"]["confirmation"]["via"] == "signature"
    assert "Files (附件)" in dept("complaints", "show", str(tid), env=as_("zhaomin")).stdout
    step(dept, tid, "close", now="2026-11-20T16:00:00")


def test_routing_proposes_the_responsible_department(dept):
    dept.write_config('[complaints.routing]\nrepair_quality = {dept = "service", person = "客服主管"}\n')
    tid = open_ticket(dept)
    step(dept, tid, "advance", "accept")
    step(dept, tid, "advance", "investigate", "--findings", "接车时未说明")
    shown = dept.json("complaints", "show", str(tid), env=as_("zhaomin"))
    assert shown["ticket"]["responsible_dept"].startswith("service")
    assert shown["timeline"][-1]["data"]["route_to"] == "客服主管" and shown["timeline"][-1]["data"]["routed"]
    dept.write_config('[complaints.routing]\nrepair_quality = {dept = "nowhere"}\n')
    assert "complaints.routing.repair_quality" in dept("complaints", "list", env=as_("zhaomin"), expect=2).stderr


def test_manual_escalation_to_a_named_superior(dept):
    dept.write_config('[complaints.superiors]\n"总经理" = {name = "王总", phone = "13900009999"}\n')
    tid = open_ticket(dept)
    step(dept, tid, "escalate", "--to", "总经理", "-m", "顾客要求见总经理")
    ev = dept.json("complaints", "show", str(tid), env=as_("zhaomin"))["timeline"][-1]
    assert ev["step"] == "escalate" and ev["actor"] == "zhaomin"
    assert ev["data"] == {"manual": True, "to": "总经理", "name": "王总", "title": "总经理", "contact": "13900009999"}
    r = step(dept, tid, "escalate", "--to", "区域经理", expect=2)
    assert "needs --contact" in r.stderr
    step(dept, tid, "escalate", "--to", "li", "--contact", "li@dealer.cn")
    assert dept.json("complaints", "show", str(tid), env=as_("zhaomin"))["timeline"][-1]["data"]["name"] == "李经理"


def test_statistics_have_cause_improvement_resolution_rate_and_handlers(dept):
    a = open_ticket(dept)
    _to_summarized(dept, a, "--penalty-person", "扣绩效", "--penalty-dept", "通报")
    step(dept, a, "advance", "confirm", "--via", "phone", now="2026-11-20T15:30:00")
    step(dept, a, "close", now="2026-11-20T16:00:00")
    open_ticket(dept, user="wangfang", now="2026-11-20T10:00:00")  # valid, still open
    rows = dept.json("complaints", "stats", "--period", "2026-11", env=as_("li", "2026-11-30T10:00:00"))
    total = rows[-1]
    assert total["resolved"] == 1 and total["resolution_rate"] == 0.5
    by = {r["key"]: r for r in rows}
    assert by["repair_quality"]["causes"] == "作业不规范" and by["repair_quality"]["improvements"] == "加强终检"
    handlers = dept.json("complaints", "stats", "--period", "2026-11", "--by", "handler",
                         env=as_("li", "2026-11-30T10:00:00"))
    assert [(r["key"], r["label"], r["count"]) for r in handlers] == [
        ("wangfang", "王芳", 1), ("zhaomin", "赵敏", 1), ("total", "合计", 2)]
    assert handlers[1]["avg_respond_hours"] == 0.5 and handlers[1]["avg_resolve_hours"] == 4.5
    text = dept("complaints", "stats", "--period", "2026-11", env=as_("li", "2026-11-30T10:00:00")).stdout
    assert "原因分析" in text and "改进对策" in text and "解决率" in text


def test_statistics_xlsx_has_the_documents_columns(dept, tmp_path):
    from openpyxl import load_workbook

    open_ticket(dept)
    out = tmp_path / "stats.xlsx"
    dept("complaints", "stats", "--period", "2026-11", "--out", str(out), env=as_("li", "2026-11-30T10:00:00"))
    header = [c.value for c in load_workbook(out)["分类统计"][3]]
    assert {"解决率", "原因分析", "改进对策"} <= set(header)


def test_register_form_data(dept):
    from crm.cli import make_app  # noqa: F401  (the plugin is importable as crm_complaints)
    from crm.context import App
    from crm_complaints import views

    tid = open_ticket(dept)
    step(dept, tid, "advance", "accept")
    app = App(environ={**os.environ, "CRM_USER": "zhaomin"})
    form = views.register_form(app, tid)
    assert form["fields"]["complainant"] == "张三" and form["fields"]["channel"] == "电话"
    assert form["fields"]["phone"] != "13812345678" or app.may_see_personal_data
    assert [s["step"] for s in form["steps"]] == ["受理登记", "判定有效"]
    assert form["labels"]["description"] == "投诉内容"


def test_files_table_is_a_migration(dept):
    assert dept.sql("SELECT name FROM _crm_migrations WHERE owner = 'complaints' ORDER BY rowid") == [
        ("m001_create_complaints",), ("m002_complaint_files",), ("m003_complaint_timings",)]


def test_forgetting_the_customer_removes_the_signature_file(dept, tmp_path):
    from crm.context import App

    dept.write_config('[complaints]\nconfirmation = "signature"\n')
    tid = open_ticket(dept)
    _to_summarized(dept, tid, "--penalty-person", "扣绩效", "--penalty-dept", "通报")
    scan = tmp_path / "sig.png"
    scan.write_bytes(b"\x89PNG signed")
    step(dept, tid, "advance", "confirm", "--signature", str(scan), now="2026-11-20T15:30:00")
    [(path, digest)] = dept.sql("SELECT path, sha256 FROM complaints_files")
    assert (dept.db_path.parent / path).exists()
    app = App(environ=dict(os.environ, CRM_USER="li"))
    with app.transaction() as tx:
        tx.fire("on_customer_forgotten", customer_id=1, erased={"vins": [], "phones": []})
    assert not (dept.db_path.parent / path).exists()
    assert dept.sql("SELECT name, path, sha256 FROM complaints_files") == [("[erased]", "[erased]", digest)]
