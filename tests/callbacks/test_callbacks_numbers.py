"""The department's numbers as its own documents define them (issue 16): 三天之内回访, member
coverage, the follow-up's typed link to its complaint, per-specialist scorecards."""

from callbacks_helpers import customer, explain, member, plan, tasks, vehicle, visit, write_sql


# a repair-quality complaint (zhaomin handles, li approves) taken step by step on 2026-11-20
COMPLAINT_STEPS = [(("advance", "accept"), "10:30"),
                   (("advance", "investigate", "--dept", "workshop", "--person", "张师傅", "--findings", "螺丝未紧固"),
                    "11:00"),
                   (("advance", "propose", "--solution", "免费返修"), "11:10"),
                   (("approve", "-m", "同意"), "11:20"),
                   (("advance", "implement", "--actions", "返修完成", "--penalty-person", "技师扣绩效",
                     "--penalty-dept", "车间主管通报"), "14:00"),
                   (("advance", "summarize", "--root-cause", "作业不规范", "--lessons", "加强终检"), "15:00"),
                   (("advance", "confirm", "--via", "phone"), "15:30"),
                   (("close",), "16:00")]


def complaint_through(staffed, cid, last: str) -> int:
    """Open the complaint and take it through the steps up to ``last`` (a step's verb)."""
    tid = staffed.json("complaints", "open", "--customer", cid, "--channel", "phone", "--category",
                       "repair_quality", "--severity", "normal", "--description", "保养后发动机异响",
                       env={"CRM_USER": "zhaomin"})["id"]
    for args, now in COMPLAINT_STEPS:
        user = "li" if args[0] == "approve" else "zhaomin"
        staffed("complaints", args[0], tid, *args[1:], env={"CRM_USER": user, "CRM_NOW": f"2026-11-20T{now}:00"})
        if last in args[:2]:
            break
    return tid


def _figures(report: dict, key: str) -> dict:
    return {f["name"]: f["value"] for f in report[key]["figures"]}


# ------------------------------------------------------------- 会员客户100%回访
def _member_who_refused_calls(staffed, *consent) -> int:
    cid = int(staffed("customer", "add", "--name", "钱会员", "--mobile", "13900001111", "--no-consent", "phone",
                      *consent).stdout.strip())
    member(staffed, cid)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-18")  # a maintenance visit
    return cid


def test_a_member_who_refused_calls_is_called_back_by_sms_and_counts_as_reached(staffed):
    """必须保证会员客户的100%的回访: no phone consent, but SMS allowed → an SMS callback
    through the outbox (send_message), and the member counts as reached."""
    _member_who_refused_calls(staffed, "--consent", "sms")
    notes = explain(staffed, "2026-11-19")
    assert [n["decision"] for n in notes] == ["created"] and "by sms instead" in notes[0]["why"]
    [task] = tasks(staffed)
    assert (task["channel"], task["status"], task["member"]) == ("sms", "done", 1)
    assert "钱会员您好" in task["message"]
    assert staffed.sql("SELECT channel, to_addr FROM campaigns_outbox") == [("sms", "13900001111")]
    assert staffed.sql("SELECT channel, kind, outcome FROM interactions WHERE kind = 'callback'") == [
        ("sms", "callback", "sent")]
    report = staffed.json("callbacks", "summary", "--period", "2026-11")
    assert _figures(report, "callbacks_members") == {"应回访会员": 1, "已回访会员": 1, "会员覆盖率": 100.0,
                                                     "其他渠道回访会员": 1}


def test_a_member_no_channel_reaches_counts_as_not_reached_with_the_reason(staffed):
    _member_who_refused_calls(staffed, "--no-consent", "sms", "--no-consent", "wechat")
    plan(staffed, "2026-11-19")
    assert tasks(staffed) == []
    report = staffed.json("callbacks", "summary", "--period", "2026-11")
    assert _figures(report, "callbacks_members")["会员覆盖率"] == 0.0  # not 100% of nobody
    [row] = report["callbacks_members"]["rows"]
    assert row["customer"] == "钱会员" and "phone calls" in row["why"] and "no other channel" in row["why"]


# ------------------------------------------------------------- 三天之内回访
def test_a_car_out_on_30_september_is_called_before_national_day_not_after(staffed):
    """必须保证在三天之内回访: due three calendar days after the car left, never later; the
    department is off 1–8 October 2025, so the call moves earlier (to 30 September)."""
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2025-09-30")
    assert plan(staffed, "2025-09-30")["created"] == 1
    [task] = tasks(staffed)
    assert (task["start_on"], task["due_on"]) == ("2025-09-30", "2025-09-30")  # not 10-09 .. 10-11
    staffed("--as", "wangfang", "callbacks", "record", task["id"], "--result", "satisfied", "--score", "9",
            env={"CRM_NOW": "2025-09-30T17:00:00"})
    report = staffed.json("callbacks", "summary", "--period", "2025-09")
    assert _figures(report, "callbacks")["按时回访率"] == 100.0


def test_a_weekend_moves_the_due_date_earlier(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-18")  # a Wednesday: + 3 days is Saturday 21
    plan(staffed, "2026-11-19")
    [task] = tasks(staffed)
    assert (task["start_on"], task["due_on"]) == ("2026-11-19", "2026-11-20")  # Thu .. Fri, not Mon 23


def test_working_day_counting_is_an_option(staffed):
    staffed.write_config('[callbacks.rules.service_visit]\ncount = "workdays"\n')
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2025-09-30")
    plan(staffed, "2025-10-09")
    [task] = tasks(staffed)
    assert (task["start_on"], task["due_on"]) == ("2025-10-09", "2025-10-11")


def test_on_time_rate_is_measured_against_the_three_day_due_date(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2025-09-30")
    plan(staffed, "2025-09-30")
    [task] = tasks(staffed)
    # called on 9 October: inside the old working-day window, late by the document's rule
    staffed("--as", "wangfang", "callbacks", "record", task["id"], "--result", "satisfied",
            env={"CRM_NOW": "2025-10-09T10:00:00"})
    report = staffed.json("callbacks", "summary", "--period", "2025-09")
    assert _figures(report, "callbacks")["按时回访率"] == 0.0


# ------------------------------------------------------------- the follow-up and its complaint
def test_a_dissatisfied_follow_up_after_a_closed_complaint_reopens_the_original(staffed):
    """The complaints plugin schedules its follow-up call about Ref("complaint", id); the
    callbacks plugin gives that reference back when the customer is still unhappy."""
    cid = customer(staffed)
    vehicle(staffed, cid)
    tid = complaint_through(staffed, cid, "close")
    [task] = tasks(staffed)
    out = staffed.json("--as", "wangfang", "callbacks", "record", task["id"], "--result", "dissatisfied",
                       "--score", "3", "--aspect", "repair_quality", "--note", "异响仍在",
                       env={"CRM_NOW": "2026-11-25T10:00:00"})
    assert out["complaint"] == tid
    tickets = staffed.sql("SELECT id, state, repeat_of FROM complaints_tickets")
    assert tickets == [(tid, "reopened", None)]  # no new ticket "repeat of #1"
    assert (task["about_kind"], task["about_id"]) == ("complaint", tid)  # kept typed, not parsed from a key


# ------------------------------------------------------------- per-specialist scorecards
def test_each_specialists_scorecard_shows_only_their_own_figures(staffed):
    staffed("--as", "li", "staff", "add", "lina", "--name", "李娜", "--role", "callback")
    for i, who in enumerate(["wangfang", "lina", "lina"]):
        cid = customer(staffed, f"客户{i}", f"1381234560{i}")
        vin = vehicle(staffed, cid, 10 + i)
        visit(staffed, vin, f"RO{i}", "2026-11-18")
    plan(staffed, "2026-11-19")
    for task, who in zip(tasks(staffed), ["wangfang", "lina", "lina"]):
        write_sql(staffed, "UPDATE callback_tasks SET assigned_to = ? WHERE id = ?", (who, task["id"]))
        staffed("--as", who, "callbacks", "record", task["id"], "--result", "satisfied", "--score", "9",
                env={"CRM_NOW": "2026-11-19T10:00:00"})
    # a department-wide complaint (nobody's own call)
    staffed("--as", "zhaomin", "complaints", "open", "--customer", "1", "--channel", "phone", "--category",
            "repair_quality", "--severity", "normal", "--description", "异响")

    def card(code):
        report = staffed.json("report", "kpi", "--period", "2026-11", "--staff", code)
        return {f["key"]: f["value"] for f in report["figures"]}, {s["key"]: s for s in report["sections"]}

    a, a_sections = card("wangfang")
    b, b_sections = card("lina")
    calls = next(k for k in a if k.endswith("回访次数") and k.startswith("callbacks."))
    assert (a[calls], b[calls]) == (1, 2)
    for figures in (a, b):  # the department's complaints and NPS are not on a person's scorecard
        assert not any(k.startswith(("complaints.", "campaigns.")) for k in figures), figures
    left = [r["section"] for r in a_sections["department_wide"]["rows"]]
    assert any("投诉" in s for s in left)


def test_without_a_sender_the_sms_callback_waits_in_the_queue_with_its_text(staffed, monkeypatch):
    monkeypatch.setenv("CRM_PLUGINS", "callbacks")  # no campaigns plugin: nobody answers send_message
    _member_who_refused_calls(staffed, "--consent", "sms")
    plan(staffed, "2026-11-19")
    [row] = staffed.json("callbacks", "due", "--date", "2026-11-19")
    assert row["channel"] == "sms" and "钱会员您好" in row["message"]
    report = staffed.json("callbacks", "summary", "--period", "2026-11")
    assert _figures(report, "callbacks_members")["会员覆盖率"] == 0.0  # not reached until it is sent


# ------------------------------------------------------------- the complete call record
def _one_task(staffed) -> int:
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-18")
    plan(staffed, "2026-11-19")
    return tasks(staffed)[0]["id"]


def test_dissatisfied_needs_the_aspects_and_a_note(staffed):
    tid = _one_task(staffed)
    for extra in ((), ("--aspect", "price"), ("--note", "太贵")):
        out = staffed("--as", "wangfang", "callbacks", "record", tid, "--result", "dissatisfied", *extra, expect=2)
        assert "needs the aspect(s) (--aspect) and a note (--note)" in out.stderr
    assert staffed.sql("SELECT count(*) FROM callback_calls") == [(0,)]


def test_call_start_and_length_give_average_and_longest_call_per_specialist(staffed):
    staffed("--as", "li", "staff", "add", "lina", "--name", "李娜", "--role", "callback")
    for i in range(3):
        cid = customer(staffed, f"客户{i}", f"1381234560{i}")
        visit(staffed, vehicle(staffed, cid, 10 + i), f"RO{i}", "2026-11-18")
    plan(staffed, "2026-11-19")
    for task, length in zip(tasks(staffed), ["3m", "4:30", "300"]):
        staffed("--as", "wangfang", "callbacks", "record", task["id"], "--result", "satisfied",
                "--at", "2026-11-19 10:05", "--length", length)
    assert staffed.sql("SELECT called_at, duration_s FROM callback_calls ORDER BY id")[1] == (
        "2026-11-19T10:05:00+08:00", 270)
    report = staffed.json("callbacks", "summary", "--period", "2026-11")
    [row] = report["callbacks_staff"]["rows"]
    assert (row["平均通话(分)"], row["最长通话(分)"]) == (4.2, 5.0)  # (180 + 270 + 300) s / 3
    staffed("--as", "wangfang", "callbacks", "record", tasks(staffed)[0]["id"], "--result", "satisfied",
            "--length", "forever", expect=2)


def test_a_call_recorded_inside_quiet_hours_warns_and_at_sets_the_real_time(staffed):
    tid = _one_task(staffed)
    late = staffed("--as", "wangfang", "callbacks", "record", tid, "--result", "unreachable",
                   env={"CRM_NOW": "2026-11-19T21:30:00"})
    assert "inside quiet hours" in late.stderr and "--at" in late.stderr
    ok = staffed("--as", "wangfang", "callbacks", "record", tid, "--result", "satisfied", "--at", "2026-11-20 10:00",
                 env={"CRM_NOW": "2026-11-20T21:30:00"})  # recorded in the evening, made in the morning
    assert "quiet hours" not in ok.stderr
    assert staffed.sql("SELECT called_at FROM callback_calls ORDER BY id") == [
        ("2026-11-19T21:30:00+08:00",), ("2026-11-20T10:00:00+08:00",)]


def test_call_me_back_at_seven_tomorrow_books_that_time_not_a_retry_slot(staffed):
    tid = _one_task(staffed)
    now = {"CRM_NOW": "2026-11-19T10:00:00"}
    out = staffed.json("--as", "wangfang", "callbacks", "record", tid, "--result", "call_back",
                       "--at", "2026-11-20 19:00", env=now)
    assert (out["status"], out["next_attempt"]) == ("open", "2026-11-20T19:00+08:00")
    [task] = tasks(staffed)
    assert (task["next_attempt_at"], task["scheduled_on"], task["attempts"]) == ("2026-11-20T19:00:00+08:00",
                                                                                 "2026-11-20", 0)
    assert staffed.sql("SELECT called_at, result FROM callback_calls") == [("2026-11-19T10:00:00+08:00", "call_back")]
    # held back until its time, then offered
    assert staffed.json("callbacks", "due", "--date", "2026-11-20", env={"CRM_NOW": "2026-11-20T18:00:00"}) == []
    [row] = staffed.json("callbacks", "due", "--date", "2026-11-20", env={"CRM_NOW": "2026-11-20T19:00:00"})
    assert row["id"] == tid
    staffed("--as", "wangfang", "callbacks", "record", tid, "--result", "call_back", env=now, expect=2)  # needs --at


def test_the_customers_best_time_orders_todays_queue(staffed):
    for i, best in enumerate(["晚上", None, "上午", "工作日 09:30-11:00"]):
        cid = customer(staffed, f"客户{i}", f"1381234560{i}")
        if best:
            staffed("customer", "edit", cid, "--best-time", best)
        visit(staffed, vehicle(staffed, cid, 10 + i), f"RO{i}", "2026-11-18")
    plan(staffed, "2026-11-19")
    order = lambda now: [r["customer"] for r in staffed.json("callbacks", "due", env={"CRM_NOW": now})]  # noqa: E731
    # Thursday 10:00: the morning people first, then who named no time, the evening person last
    assert order("2026-11-19T10:00:00") == ["客户2", "客户3", "客户1", "客户0"]
    assert order("2026-11-19T19:00:00") == ["客户0", "客户1", "客户2", "客户3"]


def test_the_monthly_summary_lists_the_problems_found_and_how_each_was_handled(staffed):
    tid = _one_task(staffed)
    staffed("--as", "wangfang", "callbacks", "record", tid, "--result", "dissatisfied", "--score", "4",
            "--aspect", "waiting_time", "--note", "等了三小时", env={"CRM_NOW": "2026-11-19T10:00:00"})
    form = staffed.json("report", "form", "monthly-summary", "--period", "2026-11")
    [row] = next(s for s in form["sections"] if s["key"] == "callbacks_problems")["rows"]
    assert "等待时间" in row["problem"] and "等了三小时" in row["problem"]
    assert row["resolution"].startswith("投诉单 #")


# ------------------------------------------------------------- 整改项 from callbacks and complaints
def test_a_dissatisfied_call_proposes_a_corrective_action_raised_from_it_by_reference(staffed):
    tid = _one_task(staffed)
    out = staffed("--as", "wangfang", "callbacks", "record", tid, "--result", "dissatisfied", "--score", "4",
                  "--aspect", "waiting_time", "--note", "等了三小时", env={"CRM_NOW": "2026-11-19T10:00:00"})
    assert f"crm action add --from callback:{tid}:" in out.stderr
    aid = int(staffed("--as", "li", "action", "add", "--from", f"callback:{tid}", "--dept", "service",
                      "--owner", "sunwei", "--due", "2026-11-30").stdout)
    [(source, problem, customer_id)] = staffed.sql("SELECT source, problem, customer_id FROM corrective_actions")
    [(call_id, cid)] = staffed.sql("SELECT id, customer_id FROM callback_calls")
    assert source == f"callback:{tid}:{call_id}" and customer_id == cid  # the call, kept typed
    assert "不满意" in problem and "等待时间" in problem and "等了三小时" in problem
    form = staffed.json("report", "form", "monthly-summary", "--period", "2026-11")
    [row] = next(s for s in form["sections"] if s["key"] == "callbacks_problems")["rows"]
    assert row["action"].startswith(f"整改 #{aid} 售后服务部 sunwei 2026-11-30 待整改")
    assert staffed("action", "add", "--from", f"callback:{tid}:999", "--dept", "service", "--owner", "sunwei",
                   "--due", "2026-11-30", env={"CRM_USER": "li"}, expect=2).stderr


def test_the_monthly_summary_lists_complaints_with_how_each_was_resolved_and_its_corrective_action(staffed):
    cid = customer(staffed)
    tid = complaint_through(staffed, cid, "summarize")
    aid = int(staffed("--as", "li", "action", "add", "--from", f"complaint:{tid}", "--dept", "workshop",
                      "--owner", "sunwei", "--due", "2026-12-05").stdout)
    [(problem,)] = staffed.sql("SELECT problem FROM corrective_actions")
    assert "保养后发动机异响" in problem and "改进对策: 加强终检" in problem  # from the complaint's summary
    form = staffed.json("report", "form", "monthly-summary", "--period", "2026-11")
    [row] = next(s for s in form["sections"] if s["key"] == "complaints_problems")["rows"]
    assert "保养后发动机异响" in row["problem"]
    assert "返修完成" in row["resolution"] and "改进对策: 加强终检" in row["resolution"]
    assert row["action"].startswith(f"整改 #{aid} 售后车间 sunwei")
