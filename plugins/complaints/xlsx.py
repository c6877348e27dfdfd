"""The 顾客投诉分类统计表 as an XLSX a manager hands in (openpyxl, imported here only).

Layout: a merged title row, a subtitle (period, grouping, dealer, who made it and when),
the Chinese header row (frozen), one row per class, a bold totals row (合计), percentages and
hours formatted, column widths set; a second sheet lists the tickets (no names or phones).
Written atomically and private (0600): a temp file in the same folder, then os.replace.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from crm.errors import BadInput
from crm.api import neutralise_formula

from . import reports, vocab

COLUMNS = ["label", "count", "invalid", "invalid_rate", "open", "avg_respond_hours", "max_respond_hours",
           "avg_resolve_hours", "max_resolve_hours", "on_time_rate", "repeat", "repeat_rate", "paused_hours"]
WIDTHS = {"label": 16}
DETAIL = [("id", "编号"), ("received", "受理时间"), ("channel", "渠道"), ("category", "类别"), ("severity", "程度"),
          ("state", "状态"), ("dept", "责任部门"), ("respond_hours", "响应(工时)"), ("resolve_hours", "解决(工时)"),
          ("on_time", "按时"), ("repeat_of", "重复(前次)")]


def _cell(value):
    if isinstance(value, str):
        return neutralise_formula(value)
    return value


def write(path: str | Path, *, rows: list[dict], total: dict, by: str, period_label: str, dealer: str,
          made_by: str, made_at: str, pairs) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise BadInput(f"--out {path}: the file name must end in .xlsx")
    if not target.parent.exists():
        raise BadInput(f"--out {path}: the folder {target.parent} does not exist")
    wb = Workbook()
    ws = wb.active
    ws.title = "分类统计"
    ncol = len(COLUMNS)
    last = get_column_letter(ncol)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = "顾客投诉分类统计表"
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = _cell(f"统计期间: {period_label}    分类方式: {reports.BY[by][0]}    经销商: {dealer or '—'}"
                     f"    制表: {made_by}    制表时间: {made_at}")
    ws["A2"].alignment = Alignment(horizontal="left")
    header_row = 3
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = PatternFill("solid", fgColor="DDEBF7")
    first_title = reports.BY[by][0]
    for col, key in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=header_row, column=col, value=first_title if key == "label" else reports.HEADERS[key])
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[header_row].height = 32
    r = header_row
    for row in rows + [total]:
        r += 1
        for col, key in enumerate(COLUMNS, start=1):
            cell = ws.cell(row=r, column=col, value=_cell(row.get(key)))
            cell.border = border
            if key in reports.RATES:
                cell.number_format = "0.0%"
            elif key.endswith("_hours"):
                cell.number_format = "0.0"
            if row is total:
                cell.font = Font(bold=True)
                cell.border = Border(left=thin, right=thin, bottom=thin, top=Side(style="medium"))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    for col, key in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS.get(key, 12)
    note_row = r + 2
    ws.merge_cells(f"A{note_row}:{last}{note_row}")
    ws.cell(row=note_row, column=1, value=(
        "说明: 时长按工作时间(小时)计算, 已扣除法定节假日、周末(调休上班日计入)及暂停(等待顾客/配件)时间; "
        "厂家期限不暂停。按时率 = 按期响应且按期解决的投诉 / 已结案或已逾期的投诉。"
        "重复率 = 同一顾客或车辆在规定天数内再次投诉的比例。")).alignment = Alignment(wrap_text=True)
    ws.row_dimensions[note_row].height = 45
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = f"{header_row}:{header_row}"

    detail = wb.create_sheet("投诉明细")
    for col, (_key, title) in enumerate(DETAIL, start=1):
        cell = detail.cell(row=1, column=col, value=title)
        cell.font = Font(bold=True)
        cell.fill = fill
        detail.column_dimensions[get_column_letter(col)].width = 16 if col == 2 else 12
    for i, (k, t) in enumerate(pairs, start=2):
        values = {
            "id": k["id"], "received": t["received_at"].strftime("%Y-%m-%d %H:%M"),
            "channel": vocab.label(k["channel"], vocab.CHANNELS),
            "category": vocab.label(k["final_category"] or k["category"], vocab.CATEGORIES),
            "severity": vocab.label(k["severity"], vocab.SEVERITIES), "state": k["state"],
            "dept": vocab.label(k["responsible_dept"], vocab.DEPARTMENTS) or "未定",
            "respond_hours": t["respond_hours"] if t["responded_at"] else None,
            "resolve_hours": t["resolve_hours"] if t["resolved_at"] else None,
            "on_time": None if t["resolve_on_time"] is None else ("是" if t["resolve_on_time"] and t["respond_on_time"] is not False else "否"),
            "repeat_of": k["repeat_of"],
        }
        for col, (key, _title) in enumerate(DETAIL, start=1):
            detail.cell(row=i, column=col, value=_cell(values[key]))
    detail.freeze_panes = "A2"

    fd, tmp = tempfile.mkstemp(prefix=".complaints-", suffix=".xlsx", dir=str(target.parent))
    os.close(fd)
    try:
        os.chmod(tmp, 0o600)
        wb.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target
