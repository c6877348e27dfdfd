"""Recording results: interactions, retries to unreachable, complaints, portal, appointments, the script."""

from crm import hookimpl

from callbacks_helpers import customer, plan, tasks, vehicle, visit


def _one_task(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-19")
    plan(staffed, "2026-11-20")
    return tasks(staffed)[0]["id"]


def rec(staffed, tid, *args, at="2026-11-20T10:00:00", expect=0, input=None):
    return staffed("--as", "wangfang", "callbacks", "record", tid, *args, "--format", "json",
                   env={"CRM_NOW": at}, expect=expect, input=input)


class Complaints:
    __name__ = "test_complaints"

    def __init__(self):
        self.requests = []

    @hookimpl
    def open_complaint(self, tx, request):
        self.requests.append(request)
        return 77


class Portal:
    __name__ = "test_portal"

    def __init__(self):
        self.items = []

    @hookimpl
    def send_to_portal(self, tx, item):
        self.items.append(item)
        return "out-1"


def test_satisfied_call_closes_the_task_and_logs_an_interaction(staffed):
    tid = _one_task(staffed)
    rec(staffed, tid, "--result", "satisfied", "--score", "9", "--suggestion", "多些提醒")
    assert staffed.sql("SELECT status, result, score, attempts FROM callback_tasks") == [("done", "satisfied", 9, 1)]
    assert staffed.sql("SELECT channel, kind, outcome, ref, staff FROM interactions") == [
        ("phone", "callback", "satisfied", f"callback:{tid}", "wangfang")]
    rec(staffed, tid, "--result", "satisfied", expect=2)  # a closed task takes no second result


def test_unreachable_is_retried_at_other_times_of_day_then_closed(staffed):
    tid = _one_task(staffed)
    first = rec(staffed, tid, "--result", "unreachable", at="2026-11-20T09:40:00")
    import json

    out = json.loads(first.stdout)
    assert out["status"] == "open" and out["next_attempt"] == "2026-11-20T14:30+08:00"
    # not offered again before the retry time
    assert staffed.json("--as", "wangfang", "callbacks", "due", env={"CRM_NOW": "2026-11-20T11:00:00"}) == []
    assert len(staffed.json("--as", "wangfang", "callbacks", "due", env={"CRM_NOW": "2026-11-20T14:31:00"})) == 1
    second = json.loads(rec(staffed, tid, "--result", "unreachable", at="2026-11-20T14:35:00").stdout)
    assert second["next_attempt"] == "2026-11-20T18:30+08:00"
    third = json.loads(rec(staffed, tid, "--result", "unreachable", at="2026-11-20T18:40:00").stdout)
    assert third["status"] == "unreachable"
    assert staffed.sql("SELECT status, attempts FROM callback_tasks") == [("unreachable", 3)]
    assert staffed.sql("SELECT count(*) FROM interactions WHERE kind = 'callback'") == [(3,)]


def test_max_attempts_is_configurable(staffed):
    staffed.write_config("[callbacks]\nmax_attempts = 1\n")
    tid = _one_task(staffed)
    rec(staffed, tid, "--result", "unreachable")
    assert staffed.sql("SELECT status FROM callback_tasks") == [("unreachable",)]


def test_dissatisfied_opens_a_complaint_and_queues_the_portal_item(staffed):
    complaints, portal = Complaints(), Portal()
    staffed.plugins = [complaints, portal]
    tid = _one_task(staffed)
    rec(staffed, tid, "--result", "dissatisfied", "--score", "3", "--aspect", "price", "--aspect", "等待时间",
        "--note", "太贵了")
    [request] = complaints.requests
    assert request["source"] == "callback" and request["customer_id"] == 1 and request["category"] == "price"
    assert request["severity"] == "urgent" and "太贵了" in request["description"]
    [item] = portal.items
    assert item["kind"] == "callback" and item["ref"] is None
    assert item["payload"] == {"vin": "WBA8E3105JA123420", "phone": "13812345678", "visit_on": "2026-11-19",
                               "called_at": "2026-11-20T10:00:00+08:00", "result": "dissatisfied", "score": 3,
                               "note": "太贵了"}
    assert staffed.sql("SELECT complaint_ref, portal_ref, aspects FROM callback_calls") == [
        ("77", "out-1", '["price", "waiting_time"]')]


def test_dissatisfied_without_the_complaints_plugin_is_a_clean_no_op(staffed):
    env = {"CRM_PLUGINS": "callbacks", "CRM_NOW": "2026-11-20T10:00:00"}
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-19")
    staffed("callbacks", "plan", "--as-of", "2026-11-20", env=env)
    r = staffed("--as", "wangfang", "callbacks", "record", "1", "--result", "dissatisfied", "--score", "2",
                "--aspect", "reception", "--note", "接待冷淡", env=env)
    assert "warning" not in r.stderr
    assert staffed.sql("SELECT result, complaint_ref FROM callback_calls") == [("dissatisfied", None)]


def test_a_callback_books_an_appointment(staffed):
    tid = _one_task(staffed)
    rec(staffed, tid, "--result", "satisfied", "--score", "10", "--book", "2026-11-25 10:00")
    assert staffed.sql("SELECT customer_id, vehicle_id, at, type, status, source FROM appointments") == [
        (1, 1, "2026-11-25T10:00:00", "maintenance", "booked", "callback")]  # the archive's format (crm appointment book)
    assert staffed.sql("SELECT appointment_id FROM callback_calls") == [(1,)]


def test_bad_input_changes_nothing(staffed):
    tid = _one_task(staffed)
    rec(staffed, tid, "--result", "great", expect=2)
    rec(staffed, tid, "--result", "satisfied", "--score", "11", expect=2)
    rec(staffed, tid, "--result", "neutral", "--aspect", "weather", expect=2)
    rec(staffed, tid, "--result", "unreachable", "--score", "5", expect=2)
    rec(staffed, 999, "--result", "satisfied", expect=2)
    staffed("callbacks", "record", tid, "--result", "satisfied", expect=2)  # nobody named: no role
    rec(staffed, tid, expect=2)  # no --result and not at a terminal
    assert staffed.sql("SELECT count(*) FROM callback_calls") == [(0,)]
    assert staffed.sql("SELECT count(*) FROM interactions") == [(0,)]


def test_the_advisor_of_the_visit_may_not_make_the_call(staffed):
    staffed("--as", "li", "staff", "add", "lina", "--name", "李娜", "--role", "callback")
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-19", advisor="wangfang")
    plan(staffed, "2026-11-20")
    assert tasks(staffed)[0]["assigned_to"] == "lina"
    r = rec(staffed, 1, "--result", "satisfied", expect=2)
    assert "served this customer" in r.stderr


def test_guided_script_asks_what_is_missing(staffed):
    tid = _one_task(staffed)
    # result 3 = 不满意, aspects 1,3 = 接待, 等待时间, score, note, no appointment
    r = rec(staffed, tid, "--interactive", input="3\n1,3\n4\n等太久\nn\n")
    assert "请问您是张先生/女士吗" in r.stdout and "哪方面不满意" in r.stdout
    assert staffed.sql("SELECT result, score, aspects, note FROM callback_calls") == [
        ("dissatisfied", 4, '["reception", "waiting_time"]', "等太久")]


def test_guided_script_satisfied_asks_for_suggestions(staffed):
    tid = _one_task(staffed)
    rec(staffed, tid, "-i", input="1\n多发保养提醒\n10\n\nn\n")
    assert staffed.sql("SELECT result, score, suggestion FROM callback_calls") == [("satisfied", 10, "多发保养提醒")]


def test_care_calls_are_not_sent_to_the_portal(staffed):
    """The OEM's POST /callbacks is about service visits (vin, visit_on); a birthday call is not."""
    portal = Portal()
    staffed.plugins = [portal]
    customer(staffed, birthday="1980-11-21")
    plan(staffed, "2026-11-20")
    [task] = [t for t in tasks(staffed) if "birthday" in (t.get("rule") or t.get("rules") or "")]
    rec(staffed, task["id"], "--result", "satisfied", "--score", "10")
    assert portal.items == []
