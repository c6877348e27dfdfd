"""The report (or form) as an XLSX workbook a manager hands in (openpyxl, imported here only).

Built from the same view as the HTML (:mod:`crm.reports.present`): one sheet a section that
has rows (an empty one is left out), a merged title row, the dealer and period under it, a
bold header row frozen and repeated on every printed page, numbers stored as numbers
(``#,##0``; percentages as fractions formatted ``0.0%``), widths from the content (CJK
characters count double), a native chart where the section has one, A4 fitted to the page
width, and a sheet of definitions (口径说明) when the report has figures.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..output import cell_text, display_width, neutralise_formula

HEADER_ROW = 3


def _cell(value):
    if isinstance(value, str):
        return neutralise_formula(value)
    if isinstance(value, (list, tuple, dict)):
        return neutralise_formula(cell_text(value))
    return value


def sheet_name(title: str, used: set) -> str:
    """A sheet name ≤ 31 characters that reads well: no forbidden characters, cut at a word or bracket."""
    name = re.sub(r"[\[\]:*?/\\]", " ", str(title))
    name = re.sub(r"\s*[(（].*?[)）]\s*", " ", name) if len(name) > 31 else name
    name = re.sub(r"\s+", " ", name).strip()
    if len(name) > 31:
        cut = name[:31]
        name = cut.rsplit(" ", 1)[0] if " " in cut[10:] else cut[:30] + "…"
    name = name or "Sheet"
    base, n = name, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    used.add(name.lower())
    return name


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    return {
        "title": Font(size=15, bold=True), "bold": Font(bold=True), "small": Font(size=9, color="555555"),
        "fill": PatternFill("solid", fgColor="DDEBF7"), "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "wrap": Alignment(wrap_text=True, vertical="top"),
    }


def _page_setup(ws, v: dict) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if ws.max_column > 7 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.oddHeader.center.text = f"{v['dealer']}  {v['title']}  {v['period_label']}".replace("&", "&&")
    ws.oddFooter.center.text = "&P / &N"
    ws.print_options.horizontalCentered = True


def _header(ws, v: dict, title: str, titles: list[str], st) -> None:
    from openpyxl.utils import get_column_letter

    last = get_column_letter(max(len(titles), 1))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = _cell(f"{v['dealer']}  {title}".strip())
    ws["A1"].font, ws["A1"].alignment = st["title"], st["center"]
    ws.row_dimensions[1].height = 26
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = _cell("    ".join(f"{k}: {val}" for k, val in v["meta"] if k))
    ws["A2"].font, ws["A2"].alignment = st["small"], st["center"]
    ws.row_dimensions[2].height = 30
    for col, text in enumerate(titles, start=1):
        c = ws.cell(row=HEADER_ROW, column=col, value=_cell(text))
        c.font, c.fill, c.border, c.alignment = st["bold"], st["fill"], st["border"], st["center"]
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)


def _widths(ws, titles: list[str], rows: list[list], cap: int = 40) -> None:
    from openpyxl.utils import get_column_letter

    for i, t in enumerate(titles):
        width = max([display_width(str(t))] + [display_width(cell_text(r[i])) for r in rows[:500]])
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width + 2, 8), cap)


def _put(ws, r: int, c: int, value, percent: bool, st):
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    cell = ws.cell(row=r, column=c, value=_cell(value / 100 if percent and number else value))
    cell.border = st["border"]
    if number:
        cell.number_format = "0.0%" if percent else "#,##0" if isinstance(value, int) else "#,##0.0#"
    elif isinstance(value, str) and len(value) > 30:
        cell.alignment = st["wrap"]
    return cell


def _table(ws, v: dict, title: str, headers: list[str], rows: list[list], percent: list, st) -> None:
    _header(ws, v, title, headers, st)
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for c, value in enumerate(row, start=1):
            _put(ws, r, c, value, c - 1 < len(percent) and bool(percent[c - 1]), st)
    _widths(ws, headers, rows)
    _page_setup(ws, v)


def _figures_sheet(ws, v: dict, st) -> None:
    w = v["words"]
    headers = [w["col.section"], w["col.figure"], w["col.value"], w["col.previous"], w["col.change"],
               w["col.last_year"], w["col.change_year"], w["col.unit"]]
    if not v["compare"]:
        headers = headers[:3] + headers[-1:]
    _header(ws, v, v["title"], headers, st)
    rows = []
    for r, f in enumerate(v["figures"], start=HEADER_ROW + 1):
        row = [f["group"], f["name"], f["value"], f["previous"], f["change"], f["last_year"], f["change_year"],
               "" if f["percent"] else f["unit_label"]]
        if not v["compare"]:
            row = row[:3] + row[-1:]
        rows.append(row)
        for c, value in enumerate(row, start=1):
            _put(ws, r, c, value, f["percent"] and c in ((3, 4, 6) if v["compare"] else (3,)), st)
    _widths(ws, headers, rows)
    _page_setup(ws, v)


def _definitions_sheet(ws, v: dict, st) -> None:
    w = v["words"]
    headers = [w["col.figure"], w["col.definition"]]
    _header(ws, v, w["section.definitions"], headers, st)
    for r, f in enumerate(v["figures"], start=HEADER_ROW + 1):
        _put(ws, r, 1, f["name"], False, st)
        cell = _put(ws, r, 2, f["definition"], False, st)
        cell.alignment = st["wrap"]
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 90
    _page_setup(ws, v)


def _chart(ws, section: dict, n: int) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.utils import get_column_letter

    spec = section["chart"]
    chart = LineChart() if spec["type"] == "line" else BarChart()
    chart.title = section["title"]
    chart.height, chart.width = 8, max(16, min(32, n * 1.2))
    first, last = HEADER_ROW, HEADER_ROW + n
    headers = section["headers"]
    for name in spec["series"]:
        if name in headers:
            col = headers.index(name) + 1
            chart.add_data(Reference(ws, min_col=col, min_row=first, max_row=last), titles_from_data=True)
    x = section["columns"].index(spec["x"]) + 1 if spec["x"] in section["columns"] else 1
    chart.set_categories(Reference(ws, min_col=x, min_row=first + 1, max_row=last))
    if spec.get("unit") == "%":
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
        chart.y_axis.number_format = "0%"
    if len(spec["series"]) == 1:
        chart.legend = None
    ws.add_chart(chart, f"{get_column_letter(len(headers) + 2)}{HEADER_ROW}")


def write(report: dict, path: Path, app=None) -> None:
    from openpyxl import Workbook

    from .present import view

    v = view(report, app)
    st = _styles()
    wb = Workbook()
    wb.remove(wb.active)
    used: set = set()
    if v["fields"]:
        ws = wb.create_sheet(sheet_name(v["title"], used))
        _table(ws, v, v["title"], [k for k, _ in v["fields"]], [[val for _, val in v["fields"]]], [], st)
    if v["figures"]:
        _figures_sheet(wb.create_sheet(sheet_name(v["words"]["section.kpi"], used)), v, st)
    for s in v["sections"]:
        if not s["rows"]:
            continue
        ws = wb.create_sheet(sheet_name(s["title"], used))
        _table(ws, v, f"{v['title']} · {s['title']}", s["headers"], s["rows"], s["percent"], st)
        if s["chart"]:
            _chart(ws, s, len(s["rows"]))
    if v["figures"]:
        _definitions_sheet(wb.create_sheet(sheet_name(v["words"]["section.definitions"], used)), v, st)
    if not wb.sheetnames:
        ws = wb.create_sheet(sheet_name(v["title"], used))
        _header(ws, v, v["title"], [v["words"].get("text.no_rows", "")], st)
        _page_setup(ws, v)
    wb.properties.title = v["title"]
    wb.properties.creator = report.get("generated_by_name") or report.get("generated_by") or ""
    wb.save(path)
