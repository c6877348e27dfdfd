"""The report on the terminal (tables, trends marked ▲▼), as JSON, JSON lines or CSV."""

from __future__ import annotations

import json
from typing import IO

from ..output import Format, cell_text, emit, json_default, render_table

FIGURE_COLUMNS = ["section", "key", "name", "value", "unit", "previous", "trend", "last_year", "trend_year", "doc"]


def show(value, unit: str) -> str:
    if value is None:
        return "—"
    text = cell_text(value)
    return f"{text}%" if unit == "%" else text


def change(value, before, unit: str) -> str:
    if not isinstance(value, (int, float)) or not isinstance(before, (int, float)):
        return ""
    delta = round(value - before, 1)
    mark = "▲" if delta > 0 else "▼" if delta < 0 else "→"
    suffix = " pt" if unit == "%" else ""
    return f"{mark} {'+' if delta > 0 else ''}{cell_text(delta)}{suffix}" if delta else "→"


def figure_rows(report: dict, zh: bool) -> list[dict]:
    rows = []
    for f in report["figures"]:
        rows.append({
            "figure": f["name_zh"] if zh else f["name"],
            "value": show(f["value"], f["unit"]),
            "previous": show(f["previous"], f["unit"]),
            "change": change(f["value"], f["previous"], f["unit"]),
            "last_year": show(f["last_year"], f["unit"]),
            "change_year": change(f["value"], f["last_year"], f["unit"]),
            "doc": f["doc"],
        })
    return rows


def section_rows(section: dict) -> list[dict]:
    pct = set(section.get("percent") or [])
    if not pct:
        return section["rows"]
    return [{k: (f"{cell_text(v)}%" if k in pct and v is not None else v) for k, v in r.items()}
            for r in section["rows"]]


def period_line(report: dict) -> str:
    p, q, y = report["period"], report["previous"], report["last_year"]
    to_date = " (to date)" if p["to_date"] else ""
    who = f"   staff: {report['staff']}" if report["staff"] else ""
    return (f"{p['label']}: {p['start']} .. {p['end']}{to_date}   vs previous {q['start']} .. {q['end']}"
            f"   vs last year {y['start']} .. {y['end']}{who}")


def write(report: dict, fmt: Format | str, out: IO[str], app=None) -> None:
    fmt = Format(fmt)
    if fmt is Format.json:
        out.write(json.dumps(report, ensure_ascii=False, default=json_default, indent=2) + "\n")
        return
    if fmt in (Format.jsonl, Format.csv):
        emit(report["figures"], fmt, columns=FIGURE_COLUMNS, out=out)
        return
    from .html import fmt as text
    from .present import view

    v = view(report, app)
    out.write(f"{v['title']}  {v['dealer']}".rstrip() + "\n")
    out.write("   ".join(f"{k}: {val}" for k, val in v["meta"] if not v["dealer"] or val != v["dealer"]) + "\n\n")
    if v["fields"]:
        out.write("\n".join(f"{k}: {text(val)}" for k, val in v["fields"]) + "\n\n")
    w = v["words"]
    if v["figures"]:
        cols = ["figure", "value", "previous", "change", "last_year", "change_year"] if v["compare"] else ["figure", "value"]
        rows = [{"figure": f["name"], "value": text(f["value"], f["percent"]), "previous": text(f["previous"], f["percent"]),
                 "change": f["change"], "last_year": text(f["last_year"], f["percent"]), "change_year": f["change_year"]}
                for f in v["figures"]]
        out.write(render_table(rows, cols, {c: w[f"col.{c}"] for c in cols}, max_cell=60) + "\n")
    for s in v["sections"]:
        if not s["rows"]:
            continue
        keys = [f"c{i}" for i in range(len(s["columns"]))]
        rows = [{k: text(val, pct) for k, val, pct in zip(keys, r, s["percent"])} for r in s["rows"]]
        out.write(f"\n{s['title']}\n")
        out.write(render_table(rows, keys, dict(zip(keys, s["headers"]))) + "\n")


def write_details(rows: list[dict], columns: list[str], figure: dict, fmt: Format | str, out: IO[str]) -> None:
    if Format(fmt) is Format.table:
        out.write(f"{figure['name']} = {show(figure['value'], figure['unit'])}   ({figure['doc']})\n")
        if figure.get("how"):
            out.write(f"{figure['how']}\n")
    emit(rows, fmt, columns=columns or None, out=out, empty_message="(no records)")
