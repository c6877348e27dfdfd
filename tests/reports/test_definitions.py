"""The definitions (口径说明) a report prints and docs/reports.md come from one source."""

from pathlib import Path

from crm.reports.definitions import DOCS_BEGIN, DOCS_END, FIGURES, docs_section

DOC = Path(__file__).resolve().parents[2] / "docs" / "reports.md"


def test_docs_figures_section_is_generated_from_the_source():
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(DOCS_BEGIN), text.index(DOCS_END) + len(DOCS_END)
    assert text[start:end] == docs_section(), "run: python -m crm.reports.definitions, paste into docs/reports.md"


def test_every_core_figure_has_both_definitions_and_its_anchor():
    text = DOC.read_text(encoding="utf-8")
    for key, f in FIGURES.items():
        assert f.define_zh and f.define_en and f"### {key.replace('_', '-')}\n" in text


def test_the_report_prints_the_definition_not_a_link(dept, tmp_path):
    out = tmp_path / "m.html"
    dept("report", "monthly", "--period", "2026-11", "--out", str(out), env={"CRM_PLUGINS": ""})
    page = out.read_text(encoding="utf-8")
    assert "口径说明" in page and FIGURES["appointment_success_rate"].define_zh in page
    assert "docs/reports.md#" not in page
    en = tmp_path / "en.html"
    dept("report", "monthly", "--period", "2026-11", "--out", str(en), "--lang", "en", env={"CRM_PLUGINS": ""})
    assert "Definitions" in en.read_text(encoding="utf-8") and "<html lang=\"en\">" in en.read_text(encoding="utf-8")
