"""crm report form NAME: each of the department's forms, its layout, XLSX and HTML."""

import json

import pytest

from crm.reports.xlsx import sheet_name


def test_forms_are_listed(full):
    forms = {f["name"]: f for f in json.loads(full("report", "forms", "--format", "json").stdout)}
    assert {f["title"] for f in forms.values()} == {"每日工作日志", "每周工作计划", "月度工作总结", "回访记录表", "回访总结报告",
                                                  "顾客投诉登记表", "顾客投诉分类统计表"}
    assert forms["weekly-plan"]["period"] == "week"


def test_unknown_form_and_missing_person_are_bad_input(full):
    bad = full("report", "form", "周报表", expect=2)
    assert "周报表" in bad.stderr and "daily-log" in bad.stderr
    assert "--staff" in full("report", "form", "daily-log", env={"CRM_USER": ""}, expect=2).stderr


def test_callback_record_in_its_own_columns(full, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "回访记录表.xlsx"
    full("report", "form", "回访记录表", "--period", "2026-11", "--out", str(out), env={"CRM_USER": "li"})
    wb = load_workbook(out)
    assert wb.sheetnames == ["回访记录表", "回访记录"]
    ws = wb["回访记录"]
    assert [c.value for c in ws[3]][:5] == ["序号", "回访日期", "回访时间", "客户姓名", "联系电话"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert len(rows) == 3 and rows[1][13] == "不满意" and rows[1][10] == "孙伟" and rows[1][20] == "王芳"
    assert rows[0][0] == 1 and ws.cell(4, 1).number_format == "#,##0"
    assert "制表: 李经理" in ws["A2"].value


def test_complaint_stats_has_cause_and_improvement_and_percent_numbers(full, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "s.xlsx"
    full("report", "form", "complaint-stats", "--period", "2026-11", "--out", str(out), env={"CRM_USER": "li"})
    ws = load_workbook(out)["按投诉类别"]
    head = [c.value for c in ws[3]]
    assert head[-2:] == ["原因分析", "改进对策"]
    total = next(r for r in ws.iter_rows(min_row=4) if r[0].value == "合计")
    rate = total[head.index("无效率")]
    assert rate.value == pytest.approx(0.25) and rate.number_format == "0.0%"
    assert len(ws._charts) == 1


def test_html_form_has_fields_sections_and_signatures(full, tmp_path):
    out = tmp_path / "plan.html"
    full("report", "form", "每周工作计划", "--period", "2026-W48", "--out", str(out), env={"CRM_USER": "li"})
    page = out.read_text(encoding="utf-8")
    for text in ("每周工作计划", "本周工作目标", "每日工作安排", "星期一", "制定人", "经理审批", "周次", "2026-W48"):
        assert text in page, text
    audit = full.sql("SELECT detail FROM audit_log WHERE action = 'export' AND entity = 'report'")
    assert "form:weekly-plan" in audit[-1][0]


def test_monthly_summary_compares_and_has_written_parts(full):
    text = full("report", "form", "月度工作总结", "--period", "2026-11", env={"CRM_USER": "li"}).stdout
    assert "上期" in text and "预约成功率" in text and "存在问题及原因分析" in text and "下月工作计划" in text


def test_daily_log_of_a_person(full):
    text = full("--as", "wangfang", "report", "form", "daily-log", "--me", "--period", "2026-11-20").stdout
    assert "每日工作日志" in text and "王芳" in text and "回访专员" in text and "工作内容与备注" in text


def test_dealer_name_in_the_header(full, tmp_path):
    from openpyxl import load_workbook

    full.write_config('dealer_name = "上海宝马4S店"\n')
    out = tmp_path / "m.xlsx"
    full("report", "monthly", "--period", "2026-11", "--out", str(out), env={"CRM_USER": "li"})
    ws = load_workbook(out)["关键指标"]
    assert ws["A1"].value.startswith("上海宝马4S店") and "上海宝马4S店" in ws.oddHeader.center.text


@pytest.mark.parametrize("title, name", [
    ("OEM leads: first contact on time", "OEM leads first contact on time"),
    ("Campaigns (活动与关怀) and a very long section title", "Campaigns and a very long"),
    ("会员回访覆盖 (目标 100%)", "会员回访覆盖 (目标 100%)"),
])
def test_sheet_names_read_well(title, name):
    got = sheet_name(title, set())
    assert got == name and len(got) <= 31


def test_weekly_plan_covers_the_whole_week(full):
    plan = full.json("report", "form", "weekly-plan", env={"CRM_USER": "li"})
    assert (plan["period"]["start"], plan["period"]["end"]) == ("2026-11-16", "2026-11-22")
    ahead = full.json("report", "form", "weekly-plan", "--period", "next", env={"CRM_USER": "li"})
    assert ahead["period"]["label"] == "2026-W48"
    days = next(s for s in ahead["sections"] if s["key"] == "days")
    assert [r["weekday"] for r in days["rows"]][:2] == ["星期一", "星期二"]


class HelloForms:
    """A dealer's plugin adding a form through the hook."""

    __name__ = "hello_forms"

    @__import__("crm").hookimpl
    def register_report_forms(self, register):
        def build(app, request):
            return {"fields": [({"zh_CN": "门店", "en": "Shop"}, "一店")],
                    "sections": [{"key": "greetings", "title": {"zh_CN": "问候记录", "en": "Greetings"},
                                  "rows": [{"staff": "wangfang", "n": 2}], "columns": ["staff", "n"],
                                  "labels": {"n": {"zh_CN": "问候数", "en": "greetings"}}}],
                    "signatures": [{"zh_CN": "登记人", "en": "Registered by"}]}

        register("hello-log", {"zh_CN": "问候登记表", "en": "Greetings log"}, build, period="day")


def test_a_plugin_adds_a_form(dept):
    dept.plugins = [HelloForms()]
    listed = {f["name"]: f for f in dept.json("report", "forms", env={"CRM_PLUGINS": ""})}
    assert listed["hello-log"]["title"] == "问候登记表" and listed["hello-log"]["period"] == "day"
    text = dept("report", "form", "问候登记表", env={"CRM_PLUGINS": "", "CRM_USER": "li"}).stdout
    assert "问候登记表" in text and "门店: 一店" in text and "王芳" in text and "问候数" in text
    en = dept("report", "form", "hello-log", "--lang", "en", env={"CRM_PLUGINS": ""}).stdout
    assert en.startswith("Greetings log") and "greetings" in en
