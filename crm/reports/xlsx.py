"""The report as an XLSX workbook a manager hands in (openpyxl, imported here only).

One sheet a section: a merged title row, a subtitle (period, comparisons, dealer, who made
it and when), a bold header row (Chinese when the locale is zh_CN) frozen under the title,
column widths from the content (CJK characters count double), number and percentage formats,
and a native bar or line chart where the section shows a distribution or a trend.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..output import cell_text, display_width, neutralise_formula
from .definitions import ZH
from .render import period_line

HEADER_ROW = 3
FIGURE_COLUMNS = ["section", "figure", "value", "unit", "previous", "change", "last_year", "change_year", "doc"]
EN = {"section": "section", "figure": "figure", "value": "this period", "unit": "unit", "previous": "previous",
      "change": "change", "last_year": "last year", "change_year": "vs last year", "doc": "how it is computed"}


def _cell(value):
    if isinstance(value, str):
        return neutralise_formula(value)
    if isinstance(value, (list, tuple, dict)):
        return neutralise_formula(cell_text(value))
    return value


def _sheet_name(title: str, used: set) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    base, n = name, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    return {
        "title": Font(size=15, bold=True), "bold": Font(bold=True),
        "fill": PatternFill("solid", fgColor="DDEBF7"), "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
    }


def _header(ws, title: str, subtitle: str, titles: list[str], st) -> None:
    from openpyxl.utils import get_column_letter

    last = get_column_letter(max(len(titles), 1))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = _cell(title)
    ws["A1"].font = st["title"]
    ws["A1"].alignment = st["center"]
    ws.row_dimensions[1].height = 26
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = _cell(subtitle)
    for col, text in enumerate(titles, start=1):
        c = ws.cell(row=HEADER_ROW, column=col, value=_cell(text))
        c.font, c.fill, c.border, c.alignment = st["bold"], st["fill"], st["border"], st["center"]
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)


def _widths(ws, titles: list[str], rows: list[list]) -> None:
    from openpyxl.utils import get_column_letter

    for i, t in enumerate(titles):
        width = max([display_width(str(t))] + [display_width(cell_text(r[i])) for r in rows[:500]])
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width + 2, 8), 60)


def _number_format(value, percent: bool) -> str | None:
    if percent:
        return "0.0%"
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return "#,##0"
    if isinstance(value, float):
        return "#,##0.0"
    return None


def _figures_sheet(ws, report: dict, zh: bool, st) -> None:
    from .render import change

    names = ZH if zh else EN
    titles = [names.get(c, EN[c]) for c in FIGURE_COLUMNS]
    _header(ws, report["title"], _subtitle(report), titles, st)
    section_titles = {s["key"]: s["title"] for s in report["sections"]}
    core_titles = {"appointments": ("预约", "appointments"), "archive": ("档案", "archive"),
                   "service": ("售后", "service"), "contacts": ("联系", "contacts")}
    rows = []
    for f in report["figures"]:
        sec = core_titles.get(f["section"])
        sec_title = (sec[0] if zh else sec[1]) if sec else section_titles.get(f["section"], f["section"])
        rows.append([sec_title, f["name_zh"] if zh else f["name"], f["value"], f["unit"], f["previous"],
                     change(f["value"], f["previous"], f["unit"]), f["last_year"],
                     change(f["value"], f["last_year"], f["unit"]), f["doc"] + (f"  {f['how']}" if f["how"] else "")])
    for r, (row, f) in enumerate(zip(rows, report["figures"]), start=HEADER_ROW + 1):
        for c, value in enumerate(row, start=1):
            percent = c in (3, 5, 7) and f["unit"] == "%" and isinstance(value, (int, float))
            cell = ws.cell(row=r, column=c, value=_cell(value / 100 if percent else value))
            cell.border = st["border"]
            fmt = _number_format(value, percent) if c in (3, 5, 7) else None
            if fmt:
                cell.number_format = fmt
    _widths(ws, titles, rows)
    ws.column_dimensions["I"].width = 48


def _subtitle(report: dict) -> str:
    return (f"{period_line(report)}    {report.get('dealer') or ''}    制表 made by: {report['generated_by']}"
            f"    {report['generated_at']}")


def _section_sheet(ws, report: dict, section: dict, zh: bool, st) -> None:
    cols = section.get("columns") or (list(section["rows"][0]) if section["rows"] else ["—"])
    titles = [(ZH.get(c, c) if zh else c) for c in cols]
    _header(ws, section["title"], _subtitle(report), titles, st)
    pct = set(section.get("percent") or [])
    body = [[r.get(c) for c in cols] for r in section["rows"]]
    for r, row in enumerate(body, start=HEADER_ROW + 1):
        for c, (key, value) in enumerate(zip(cols, row), start=1):
            percent = key in pct and isinstance(value, (int, float))
            cell = ws.cell(row=r, column=c, value=_cell(value / 100 if percent else value))
            cell.border = st["border"]
            fmt = _number_format(value, percent)
            if fmt:
                cell.number_format = fmt
    _widths(ws, titles, body)
    chart = section.get("chart")
    if chart and body:
        _chart(ws, section, cols, chart, len(body))


def _chart(ws, section: dict, cols: list[str], spec: dict, n: int) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.utils import get_column_letter

    chart = LineChart() if spec["type"] == "line" else BarChart()
    chart.title = section["title"]
    chart.height, chart.width = 8, max(16, min(32, n * 1.2))
    first, last = HEADER_ROW, HEADER_ROW + n
    for y in spec["y"]:
        if y in cols:
            col = cols.index(y) + 1
            chart.add_data(Reference(ws, min_col=col, min_row=first, max_row=last), titles_from_data=True)
    x = cols.index(spec["x"]) + 1
    chart.set_categories(Reference(ws, min_col=x, min_row=first + 1, max_row=last))
    ws.add_chart(chart, f"{get_column_letter(len(cols) + 2)}{HEADER_ROW}")


def write(report: dict, fh) -> None:
    """Save the workbook to ``fh``, a binary file open for writing (crm.io.writers.atomic_write)."""
    from openpyxl import Workbook

    zh = report["locale"].lower().startswith("zh")
    st = _styles()
    wb = Workbook()
    used: set = set()
    first = True
    for section in report["sections"]:
        if first:
            ws, first = wb.active, False
        else:
            ws = wb.create_sheet()
        ws.title = _sheet_name(section["title"], used)
        if section["key"] == "kpi":
            _figures_sheet(ws, report, zh, st)
        else:
            _section_sheet(ws, report, section, zh, st)
    wb.properties.title = report["title"]
    wb.properties.creator = report["generated_by"]
    wb.save(fh)
