"""Every label of every report and form, in zh_CN: no ASCII-only label, no raw key; the
same in English has no untranslated key either; the XLSX sheet names and headers too."""

import os
import re

import pytest

from crm.context import App
from crm.reports import build, forms, present
from crm.reports.vocab import CATALOGUE

#: ASCII words a Chinese form uses as they are
ALLOWED = {"VIN", "%", "PDI"}
RAW_KEY = re.compile(r"^[a-z]+(?:[._][a-z0-9]+)+$|^[a-z]+_[a-z_]+$")

REPORTS = [("kpi", "2026-11", None), ("daily", "2026-11-20", None), ("daily", "2026-11-20", "wangfang"),
           ("weekly", "2026-W47", None), ("monthly", "2026-11", None), ("monthly", "2026-11", "chenjing")]
FORMS = [("daily-log", "2026-11-20", "wangfang"), ("weekly-plan", "2026-W48", None), ("monthly-summary", "2026-11", None),
         ("callback-record", "2026-11", None), ("callback-summary", "2026-11", None),
         ("complaint-register", "2026-11", None), ("complaint-stats", "2026-11", None)]


def _app():
    return App(environ=dict(os.environ, CRM_USER="li"))


def _views(app, lang):
    for kind, period, staff in REPORTS:
        yield f"report {kind} {staff or ''}", present.view(build.build(app, kind, period, staff, lang), app)
    for name, period, staff in FORMS:
        yield f"form {name}", present.view(forms.build(app, name, period, staff, lang), app)


def _bad_zh(text: str) -> bool:
    text = str(text).strip()
    if not text or text in ALLOWED:
        return False
    return text.isascii() and any(c.isalpha() for c in text)


def test_every_zh_label_is_chinese(full):
    app = _app()
    try:
        bad = [f"{where}: {kind}: {text!r}" for where, v in _views(app, "zh_CN")
               for kind, text in present.labels(v) if _bad_zh(text)]
        n = sum(len(present.labels(v)) for _, v in _views(app, "zh_CN"))
    finally:
        app.store.close()
    assert n > 500  # the walk saw the reports' labels
    assert not bad, "\n".join(bad)


def test_every_form_has_its_sections_in_zh(full):
    app = _app()
    try:
        titles = {name: [s["title"] for s in present.view(forms.build(app, name, p, s, "zh_CN"), app)["sections"]]
                  for name, p, s in FORMS}
    finally:
        app.store.close()
    assert titles["weekly-plan"] == ["本周工作目标", "每日工作安排"]
    assert "按投诉类别" in titles["complaint-stats"] and "回访记录" in titles["callback-record"]
    assert titles["monthly-summary"][-2:] == ["存在问题及原因分析", "下月工作计划"]


def test_english_has_no_raw_keys(full):
    app = _app()
    try:
        bad = [f"{where}: {kind}: {text!r}" for where, v in _views(app, "en") for kind, text in present.labels(v)
               if RAW_KEY.match(str(text).strip()) or re.search(r"[\u4e00-\u9fff]", str(text)) and kind in ("title", "word")]
        title = present.view(build.build(app, "monthly", "2026-11", None, "en"), app)["title"]
    finally:
        app.store.close()
    assert title == "Monthly report"
    assert not bad, "\n".join(bad)


def test_the_vocabulary_has_both_languages():
    for key, (zh, en) in CATALOGUE.items():
        assert en or key.startswith("unit."), key
        assert zh or key.startswith("unit."), key
        assert not RAW_KEY.match(zh), key


@pytest.mark.parametrize("args", [["report", "monthly", "--period", "2026-11"],
                                  ["report", "form", "顾客投诉分类统计表", "--period", "2026-11"],
                                  ["report", "form", "回访记录表", "--period", "2026-11"]])
def test_xlsx_sheet_names_and_headers_in_chinese(full, tmp_path, args):
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    full(*args, "--out", str(out), env={"CRM_USER": "li"})
    wb = load_workbook(out)
    for ws in wb.worksheets:
        assert len(ws.title) <= 31 and not _bad_zh(ws.title), ws.title
        headers = [c.value for c in ws[3] if c.value is not None]
        assert headers and not [h for h in headers if _bad_zh(h)], (ws.title, headers)
        assert int(ws.page_setup.paperSize) == 9 and ws.print_title_rows == "$1:$3"


def test_lang_option_and_config_locale(full):
    text = full("report", "monthly", "--period", "2026-11", "--lang", "en").stdout
    assert text.startswith("Monthly report") and "appointment success rate" in text
    full.write_config('locale = "en"\n')
    assert full("report", "monthly", "--period", "2026-11").stdout.startswith("Monthly report")
    assert full("report", "monthly", "--period", "2026-11", "--lang", "zh_CN").stdout.startswith("客户关系部月报")
    bad = full("report", "monthly", "--lang", "fr", expect=2)
    assert "--lang" in bad.stderr


def test_plugin_words_in_english(full):
    app = _app()
    try:
        v = present.view(build.build(app, "monthly", "2026-11", None, "en"), app)
    finally:
        app.store.close()
    titles = {s["key"]: s for s in v["sections"]}
    assert titles["callbacks_satisfaction"]["title"] == "Satisfaction"
    assert [r[0] for r in titles["callbacks_satisfaction"]["rows"]] == ["satisfied", "neutral", "dissatisfied"]
    assert titles["complaints"]["headers"][:2] == ["category", "complaints"]
    labels = [r[0] for r in titles["complaints"]["rows"]]
    assert labels[-1] == "total" and "pricing" in labels
    names = {f["name"] for f in v["figures"]}
    assert {"member coverage", "on-time rate", "nps", "lead first contact on time"} <= names
