"""Printing rows as a table (CJK-aware), JSON, JSON lines or CSV.

Every listing command takes ``--format table|json|jsonl|csv``.  Tables count East Asian
wide characters as two columns so Chinese text lines up; JSON dates and times are ISO
8601; CSV cells that a spreadsheet would run as a formula are neutralised with a leading
apostrophe (see docs/output.md).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
import unicodedata
from decimal import Decimal
from typing import IO, Any, Iterable, Sequence


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
MAX_CELL = 40


def display_width(text: str) -> int:
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _truncate(text: str, limit: int) -> str:
    if display_width(text) <= limit:
        return text
    out, width = [], 0
    for ch in text:
        w = display_width(ch)
        if width + w > limit - 1:
            break
        out.append(ch)
        width += w
    return "".join(out) + "…"


def _wrap(text: str, limit: int) -> list[str]:
    """``text`` in lines of at most ``limit`` columns (CJK counted 2), broken after a space
    or a punctuation mark when there is one in the second half of the line: nothing is cut."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        while display_width(paragraph) > limit:
            width, cut = 0, 0
            for i, ch in enumerate(paragraph):
                width += display_width(ch)
                if width > limit:
                    break
                cut = i + 1
            cut = max(cut, 1)
            soft = max((paragraph.rfind(c, 0, cut) for c in " ,;:/，；：、。)"), default=-1)
            if soft >= cut // 2:
                cut = soft + 1
            lines.append(paragraph[:cut].rstrip())
            paragraph = paragraph[cut:].lstrip()
        lines.append(paragraph)
    return lines


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return ", ".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=json_default)
    return " ".join(str(value).split()) if "\n" in str(value) else str(value)


def neutralise_formula(text: str) -> str:
    """Prefix a cell that a spreadsheet would evaluate with ``'``; real numbers stay."""
    if text.startswith(FORMULA_STARTS):
        try:
            float(text)
            return text
        except ValueError:
            return "'" + text
    return text


def columns_of(rows: Sequence[dict], columns: Sequence[str] | None) -> list[str]:
    if columns:
        return list(columns)
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def render_table(
    rows: Sequence[dict], columns: Sequence[str], headers: dict[str, str] | None = None,
    max_cell: int = MAX_CELL,
) -> str:
    """Rows as an aligned table; a cell wider than ``max_cell`` columns is wrapped onto more
    lines of its row (never cut: a long reason or note is read in full)."""
    headers = headers or {}
    titles = [headers.get(c, c) for c in columns]
    body = []
    for row in rows:
        cells = [_wrap(cell_text(row.get(c)), max_cell) for c in columns]
        height = max(len(c) for c in cells) if cells else 1
        body.extend([c[k] if k < len(c) else "" for c in cells] for k in range(height))
    numeric = [
        all(isinstance(row.get(c), (int, float)) and not isinstance(row.get(c), bool)
            for row in rows if row.get(c) is not None) and any(row.get(c) is not None for row in rows)
        for c in columns
    ]
    widths = [
        max([display_width(t)] + [display_width(line[i]) for line in body])
        for i, t in enumerate(titles)
    ]
    lines = ["  ".join(_pad(t, w) for t, w in zip(titles, widths)).rstrip()]
    lines.append("  ".join("─" * w for w in widths))
    for line in body:
        lines.append("  ".join(_pad(v, w, numeric[i]) for i, (v, w) in enumerate(zip(line, widths))).rstrip())
    return "\n".join(lines)


def emit(
    rows: Iterable[dict],
    fmt: Format | str = Format.table,
    *,
    columns: Sequence[str] | None = None,
    headers: dict[str, str] | None = None,
    out: IO[str] | None = None,
    empty_message: str | None = None,
) -> int:
    """Write ``rows`` to ``out`` (stdout) in ``fmt``; return how many rows were written."""
    out = out or sys.stdout
    fmt = Format(fmt)
    if fmt is Format.jsonl:
        count = 0
        for row in rows:
            out.write(json.dumps(_pick(row, columns), ensure_ascii=False, default=json_default) + "\n")
            count += 1
        return count
    rows = list(rows)
    if fmt is Format.json:
        out.write(json.dumps([_pick(r, columns) for r in rows], ensure_ascii=False,
                             default=json_default, indent=2) + "\n")
        return len(rows)
    cols = columns_of(rows, columns)
    if fmt is Format.csv:
        import csv

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([(headers or {}).get(c, c) for c in cols])
        for row in rows:
            writer.writerow([neutralise_formula(cell_text(row.get(c))) for c in cols])
        return len(rows)
    if not rows:
        if empty_message:
            out.write(empty_message + "\n")
        return 0
    out.write(render_table(rows, cols, headers) + "\n")
    return len(rows)


def emit_record(record: dict, fmt: Format | str = Format.table, *, out: IO[str] | None = None,
                headers: dict[str, str] | None = None) -> None:
    """One record: a two-column ``field  value`` table, or a JSON object."""
    out = out or sys.stdout
    fmt = Format(fmt)
    if fmt in (Format.json, Format.jsonl):
        out.write(json.dumps(record, ensure_ascii=False, default=json_default,
                             indent=2 if fmt is Format.json else None) + "\n")
        return
    if fmt is Format.csv:
        emit([record], fmt, out=out, headers=headers)
        return
    width = max((display_width((headers or {}).get(k, k)) for k in record), default=0)
    for key, value in record.items():
        out.write(f"{_pad((headers or {}).get(key, key), width)}  {cell_text(value)}\n")


def _pick(row: dict, columns: Sequence[str] | None) -> dict:
    return {c: row.get(c) for c in columns} if columns else row
