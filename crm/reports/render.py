"""The report on the terminal (tables, trends marked ▲▼), as JSON, JSON lines or CSV."""

from __future__ import annotations

import json
from typing import IO

from ..output import Format, emit, json_default, render_table
from .text import fmt as text, show

FIGURE_COLUMNS = ["section", "key", "name", "value", "unit", "previous", "trend", "last_year", "trend_year", "doc"]


def write(report: dict, fmt: Format | str, out: IO[str], app=None) -> None:
    fmt = Format(fmt)
    if fmt is Format.json:
        out.write(json.dumps(report, ensure_ascii=False, default=json_default, indent=2) + "\n")
        return
    if fmt in (Format.jsonl, Format.csv):
        emit(report["figures"], fmt, columns=FIGURE_COLUMNS, out=out)
        return
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
