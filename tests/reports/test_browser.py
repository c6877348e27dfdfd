"""The HTML reports and forms opened in a real browser: headless Chromium (Debian's
``chromium``) driven by Playwright. No console errors, every chart's SVG drawn where there is
data, the page printable to PDF; a screenshot of each is written to the artefact folder
(``$CRM_TEST_ARTIFACTS``, default ``tests/artifacts/``, ignored by git).

Skipped when Chromium is missing on a developer's machine; under CI (``CI=true``) a missing
Chromium fails the test (``.ci/run`` installs it).
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CRM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("CRM_TEST_ARTIFACTS") or Path(__file__).resolve().parents[1] / "artifacts")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

PAGES = [
    ("monthly", ["report", "monthly", "--period", "2026-11"]),
    ("monthly-en", ["report", "monthly", "--period", "2026-11", "--lang", "en"]),
    ("weekly", ["report", "weekly", "--period", "2026-W47"]),
    ("daily-me", ["--as", "wangfang", "report", "daily", "--me"]),
    ("kpi-staff", ["report", "kpi", "--period", "2026-11", "--staff", "wangfang"]),
    ("form-daily-log", ["report", "form", "每日工作日志", "--period", "2026-11-20", "--staff", "wangfang"]),
    ("form-weekly-plan", ["report", "form", "每周工作计划", "--period", "2026-W48"]),
    ("form-monthly-summary", ["report", "form", "月度工作总结", "--period", "2026-11"]),
    ("form-callback-record", ["report", "form", "回访记录表", "--period", "2026-11"]),
    ("form-callback-summary", ["report", "form", "回访总结报告", "--period", "2026-11"]),
    ("form-complaint-register", ["report", "form", "顾客投诉登记表", "--period", "2026-11"]),
    ("form-complaint-stats", ["report", "form", "顾客投诉分类统计表", "--period", "2026-11"]),
]


def _chromium_or_skip():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI: Chromium is missing at {CHROMIUM} (.ci/run installs Debian's chromium)")
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI: Playwright for Python is missing (pyproject's test extra)")
        pytest.skip("playwright not installed")


@pytest.fixture(scope="module")
def browser():
    """Chromium, launched by Playwright with a fresh temporary profile (its own user-data-dir)."""
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.mark.slow
def test_html_reports_and_forms_in_chromium(full, browser, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, args in PAGES:
        out = tmp_path / f"{name}.html"
        full(*args, "--out", str(out), env={"CRM_USER": "li"} if args[0] != "--as" else None)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        errors = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.on("requestfailed", lambda r, errors=errors: errors.append(f"request failed: {r.url}"))
        page.goto(out.as_uri(), wait_until="load")
        if errors:
            problems.append(f"{name}: console errors {errors}")
        charts = page.eval_on_selector_all(
            "svg.chart", "els => els.map(e => ({marks: e.querySelectorAll('rect.bar, polyline.line').length,"
                         " drawn: e.querySelectorAll('rect.bar[height]:not([height=\"0.0\"]), polyline.line').length,"
                         " w: e.getBoundingClientRect().width, h: e.getBoundingClientRect().height}))")
        for i, c in enumerate(charts):
            if not (c["marks"] and c["drawn"] and c["w"] > 100 and c["h"] > 30):
                problems.append(f"{name}: chart {i} is empty or not laid out: {c}")
        pdf = page.pdf(format="A4", print_background=True)
        if not (pdf.startswith(b"%PDF") and len(pdf) > 2000):
            problems.append(f"{name}: no PDF")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        page.close()
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_charts_where_there_is_data(full, browser, tmp_path):
    """The monthly report of November has data for its charts; an empty month draws none."""
    def count(args):
        out = tmp_path / "x.html"
        full(*args, "--out", str(out), env={"CRM_USER": "li"})
        page = browser.new_page()
        page.goto(out.as_uri())
        n = page.eval_on_selector_all("svg.chart", "els => els.length")
        empty_lines = page.eval_on_selector_all("p.empty", "els => els.map(e => e.textContent)")
        legends = page.eval_on_selector_all("#kpi svg.chart text", "els => els.map(e => e.textContent)")
        page.close()
        return n, empty_lines, legends

    n, _, legends = count(["report", "monthly", "--period", "2026-11"])
    assert n >= 4 and "本期" in legends and "100%" in legends
    n, empty, legends = count(["report", "monthly", "--period", "2025-06"])
    # June 2025 has no data: only the archive-completeness snapshot (a rate of today) is drawn,
    # with no legend for the previous period or last year, and every empty section says so
    assert n == 1 and "上期" not in legends and "去年同期" not in legends and "100%" in legends
    assert empty and all(e.strip() for e in empty)
