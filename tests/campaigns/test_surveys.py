"""Surveys: XLSX import with bad rows, low-score follow-up, portal merge, stats and NPS."""

from campaigns_helpers import VINS, fake, world  # noqa: F401
from openpyxl import Workbook
from test_recalls import portal


def sheet(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


HEADER = ["customer", "mobile", "vin", "ro", "answered_at", "overall", "reception", "fixed", "recommend", "comment"]


def setup_survey(crm):
    crm("visit", "add", "--ro", "RO-1", "--vin", VINS[0], "--in", "2026-11-10", "--out", "2026-11-10",
        "--advisor", "sunwei")
    crm("visit", "add", "--ro", "RO-2", "--vin", VINS[1], "--in", "2026-11-11", "--out", "2026-11-11",
        "--advisor", "sunwei")
    return int(crm("survey", "create", "2026-11售后", "--kind", "service_csi").stdout)


def test_import_with_bad_rows_is_all_or_nothing_and_idempotent(world, tmp_path):
    crm = world
    i = crm.ids
    survey = setup_survey(crm)
    path = sheet(tmp_path / "answers.xlsx", [
        HEADER,
        [i["zhang"], None, None, "RO-1", "2026-11-12", 10, 9, "是", 10, "很好"],
        [None, "13912345678", None, None, "2026-11-13", 5, 8, "否", 6, "等太久"],
        [None, None, VINS[2], None, "2026-11-14 15:00", 11, 8, "也许", 9, None],   # bad scale, bad choice
        [999, None, None, None, "2026-11-14", 8, 8, "是", 8, None],                 # unknown customer
        [i["zhao"], None, None, "RO-1", "2026-11-30", 8, 8, "是", 8, None],         # someone else's RO, future
    ])
    r = crm("survey", "import", survey, path, "--format", "json", expect=2)
    assert "3 row(s) rejected, nothing imported" in r.stderr
    import json

    rejects = json.loads(r.stdout)
    assert {(x["row"], x["column"]) for x in rejects} == {
        (4, "overall"), (4, "fixed"), (5, "customer"), (6, "ro"), (6, "answered_at")}
    assert next(x for x in rejects if x["column"] == "overall")["value"] == "11"
    assert crm.sql("SELECT count(*) FROM campaigns_survey_responses")[0][0] == 0
    report = tmp_path / "rejects.csv"
    r = crm("survey", "import", survey, path, "--skip-invalid", "--rejects", report, expect=3)
    assert "3 row(s) rejected" in r.stderr
    assert report.read_text(encoding="utf-8-sig").startswith("row,column,value,reason")
    assert crm.sql("SELECT count(*) FROM campaigns_survey_responses")[0][0] == 2
    crm("survey", "import", survey, path, "--skip-invalid", expect=3)  # again: nothing new
    assert crm.sql("SELECT count(*) FROM campaigns_survey_responses")[0][0] == 2
    # li's 5 is low (≤ 6): a callback; nothing very low, so no complaint
    assert [c["customer_id"] for c in crm.fake.callbacks] == [i["li"]]
    assert crm.fake.callbacks[0]["rule"] == "campaigns.survey_low_score"
    assert crm.fake.complaints == []
    responses = crm.json("survey", "responses", survey)
    assert [(r["customer_id"], r["advisor"], r["recommend"]) for r in responses] == \
        [(i["zhang"], "sunwei", 10), (i["li"], "sunwei", 6)]
    crm("survey", "import", survey, tmp_path / "missing.xlsx", expect=2)
    bad_header = sheet(tmp_path / "header.xlsx", [["customer", "score?"], [1, 3]])
    assert "unknown column" in crm("survey", "import", survey, bad_header, expect=2).stderr


def test_low_scores_portal_merge_stats_and_nps(world):
    crm = world
    i = crm.ids
    survey = setup_survey(crm)
    crm("survey", "answer", survey, "--customer", i["zhang"], "--ro", "RO-1", "--set", "overall=2",
        "--set", "recommend=3", "--set", "comment=服务态度差")
    assert crm.fake.complaints[0]["customer_id"] == i["zhang"]
    assert "服务态度差" in crm.fake.complaints[0]["description"]
    crm("survey", "answer", survey, "--customer", i["li"], "--set", "overall=9", "--set", "recommend=9")
    crm("survey", "answer", survey, "--customer", i["li"], "--set", "recommend=eleven", expect=2)
    crm("survey", "answer", survey, "--customer", i["li"], "--set", "nope=1", expect=2)
    # the manufacturer's survey of the same kind merges into the statistics
    record = {"id": "SV-1", "version": 1, "kind": "service_csi", "vin": VINS[2], "phone": None, "score": 10,
              "answered_at": "2026-11-15T02:00:00Z", "verbatim": "满意"}
    portal(crm, "surveys", record, {**record, "version": 0, "score": 0})  # older version ignored
    portal(crm, "surveys", {"id": "SV-2", "version": 1, "kind": "service_csi", "vin": VINS[3], "score": 1,
                            "answered_at": "2026-11-16T02:00:00Z"})
    assert len(crm.fake.complaints) == 2
    stats = crm.json("survey", "stats", "--kind", "service_csi")
    recommend = next(s for s in stats if s["question"] == "recommend")
    assert recommend["nps_n"] == 4 and recommend["promoters"] == 2 and recommend["detractors"] == 2
    assert recommend["nps"] == 0.0
    by_source = {s["source"]: s for s in crm.json("survey", "stats", "--by", "source")}
    assert by_source["portal"]["nps_n"] == 2 and by_source["cli"]["nps_n"] == 2
    by_advisor = {s["advisor"]: s for s in crm.json("survey", "stats", "--by", "advisor", "--survey", survey)}
    assert by_advisor["sunwei"]["nps"] == 0.0 and by_advisor["sunwei"]["responses"] == 2
    table = crm("survey", "stats").stdout
    assert "NPS 0" in table
    crm("survey", "stats", "--by", "colour", expect=2)


def test_send_survey_to_a_segment_once(world):
    crm = world
    survey = int(crm("survey", "create", "购车满意度", "--kind", "sales_csi", "--channel", "sms").stdout)
    crm("segment", "save", "bj", "--city", "北京")
    crm("survey", "send", survey, "--segment", "bj")
    crm("survey", "send", survey, "--segment", "bj")
    assert len(crm.fake.messages) == 3 and "推荐" in crm.fake.messages[0]["text"]
    crm("survey", "send", survey, "--segment", "bj", "--channel", "phone")
    assert crm.fake.callbacks == []  # already surveyed, whatever the channel
    questions = crm.json("survey", "show", survey)["questions"]
    assert [q["code"] for q in questions] == ["overall", "consultant", "delivery", "recommend", "comment"]
    crm("survey", "create", "x", "--question", "a:scale", expect=2)
    crm("survey", "create", "x", "--question", "a:choice:颜色", expect=2)
    crm("survey", "create", "x", "--question", "a:choice:颜色:红|蓝", "--question", "b:nps:推荐")


def test_low_scores_of_the_month_reach_the_monthly_summary_with_their_follow_up_and_corrective_action(world, tmp_path):
    """Low survey scores (≤ [campaigns] low_score, default 6) are problems of the month (issue 16)."""
    crm = world
    i = crm.ids
    survey = setup_survey(crm)
    crm("survey", "import", survey, sheet(tmp_path / "a.xlsx", [
        HEADER, [i["zhang"], None, None, "RO-1", "2026-11-12", 10, 9, "是", 10, "很好"],
        [None, "13912345678", None, None, "2026-11-13", 5, 8, "否", 6, "等太久"]]))
    [(rid,)] = crm.sql("SELECT id FROM campaigns_survey_responses WHERE customer_id = ?", (i["li"],))
    aid = int(crm("action", "add", "--from", f"survey:{rid}", "--dept", "service", "--owner", "sunwei",
                  "--due", "2026-11-30").stdout)
    [(source, problem, customer_id)] = crm.sql("SELECT source, problem, customer_id FROM corrective_actions")
    assert (source, customer_id) == (f"survey-response:{rid}", i["li"]) and "等太久" in problem
    form = crm.json("report", "form", "monthly-summary", "--period", "2026-11")
    [row] = next(s for s in form["sections"] if s["key"] == "survey_problems")["rows"]  # not the 10
    assert (row["customer"], row["result"]) == ("李四", "5分") and "等太久" in row["problem"]
    assert row["resolution"].startswith("回访任务") and row["action"].startswith(f"整改 #{aid} 售后服务部")
    crm.write_config('[plugins]\nenabled = ["campaigns"]\n[campaigns]\nlow_score = 4\n')
    form = crm.json("report", "form", "monthly-summary", "--period", "2026-11")
    assert not [s for s in form["sections"] if s["key"] == "survey_problems"]  # 5 is not low at 4
