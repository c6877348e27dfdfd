"""A report (or form) as it is shown: every word from the vocabulary, people by name, enum
values as words, numbers kept as numbers (the renderers format them), the definition of
each figure, and charts only where there is something to draw.

The table, HTML and XLSX renderers read only this view, so what one shows the others show;
:func:`labels` lists every label of a view (the zh_CN label test walks it).
"""

from __future__ import annotations

import re

from .text import change
from .vocab import Vocab

#: columns whose values are staff login codes (shown as the person's name)
PEOPLE = {"staff", "specialist", "advisor", "handler", "assigned_to"}


_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?$")


def stamp(value):
    """An ISO timestamp as a person reads it (``2026-11-20 09:30``); other values unchanged."""
    if isinstance(value, str) and (m := _STAMP.match(value)):
        return f"{m[1]} {m[2]}"
    return value


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def people(app) -> dict:
    """{login code: name} of every staff member."""
    if app is None:
        return {}
    return {code: name for code, name in app.store.conn.execute("SELECT code, name FROM staff") if name}


def meta_lines(report: dict, v: Vocab) -> list[tuple[str, str]]:
    p, q, y = report["period"], report.get("previous"), report.get("last_year")
    period = f"{p['start']} – {p['end']}" + (f" ({v('text.to_date')})" if p.get("to_date") else "")
    lines = [(v("text.dealer"), report["dealer"])] if report.get("dealer") else []
    lines.append((v("text.period"), period))
    if q:
        lines.append((v("text.previous"), f"{q['start']} – {q['end']}"))
    if y:
        lines.append((v("text.last_year"), f"{y['start']} – {y['end']}"))
    if report.get("staff"):
        lines.append((v("text.staff"), report.get("staff_name") or report["staff"]))
    lines.append((v("text.made_by"), report.get("generated_by_name") or report.get("generated_by") or ""))
    lines.append((v("text.made_at"), str(report.get("generated_at") or "")[:16].replace("T", " ")))
    return lines


def _figures(report: dict, v: Vocab, titles: dict) -> list[dict]:
    out = []
    for f in report["figures"]:
        group = f.get("group") or v(f"group.{f['section']}", "") or titles.get(f["section"], f["section"])
        out.append({
            "key": f["key"], "group": group, "name": v.figure_name(f), "unit": f["unit"],
            "percent": f["unit"] == "%", "value": f["value"], "previous": f["previous"], "last_year": f["last_year"],
            "change": change(f["value"], f["previous"], f["unit"]),
            "change_year": change(f["value"], f["last_year"], f["unit"]),
            "trend": f.get("trend", ""), "trend_year": f.get("trend_year", ""),
            "unit_label": v(f"unit.{f['unit']}", f["unit"]),
            "definition": v.text(f.get("definition")) or v.text(f.get("how")) or "",
        })
    return out


def _chart(section: dict, columns: list[str], rows: list[dict], v: Vocab, labels: dict) -> dict | None:
    """The chart of a section, or None when it has nothing to draw (no rows, every value zero or empty)."""
    spec = section.get("chart")
    if not spec or not rows:
        return None
    pct = set(section.get("percent") or [])
    series = {}
    for y in spec["y"]:
        values = [r.get(y) for r in rows]
        if any(_is_num(x) and x for x in values):
            series[v.column(y, labels)] = values
    if not series:
        return None
    x = spec["x"]
    skip = set(spec.get("exclude") or [])
    if skip:
        keep = [i for i, r in enumerate(rows) if r.get(x) not in skip]
        rows = [rows[i] for i in keep]
        series = {k: [vals[i] for i in keep] for k, vals in series.items()}
    return {"type": spec["type"], "x": x, "labels": [v.value(x, r.get(x)) for r in rows], "series": series,
            "unit": "%" if set(spec["y"]) <= pct else "", "title": section["title"]}


def _section(section: dict, v: Vocab, names: dict) -> dict:
    rows = section["rows"]
    columns = section.get("columns") or (list(rows[0]) if rows else [])
    labels = section.get("labels") or {}
    who = PEOPLE | set(section.get("people") or [])
    shown = []
    for r in rows:
        r = dict(r)
        for c in columns:
            if c in who and isinstance(r.get(c), str):
                r[c] = names.get(r[c], r[c])
            elif c != "name":
                r[c] = stamp(v.value(c, r.get(c)))
        shown.append(r)
    title = v.text(section.get("title_i18n")) if section.get("title_i18n") else section["title"]
    empty = None
    if not rows:
        empty = v.text(section.get("empty")) if section.get("empty") else v("text.no_rows")
    return {
        "key": section["key"], "title": title, "columns": columns,
        "headers": [v.column(c, labels) for c in columns],
        "rows": [[r.get(c) for c in columns] for r in shown],
        "percent": [c in set(section.get("percent") or []) for c in columns],
        "chart": _chart({**section, "title": title}, columns, shown, v, labels), "empty": empty,
        "note": v.text(section.get("note")) if section.get("note") else None,
    }


def view(report: dict, app=None) -> dict:
    """The view of ``report`` in its language (``report["locale"]``)."""
    v = Vocab(report.get("locale"))
    names = people(app)
    titles = {s["key"]: s["title"] for s in report["sections"]}
    figures = _figures(report, v, titles)
    sections = [_section(s, v, names) for s in report["sections"]
                if s["key"] != "kpi" and (s["rows"] or not s.get("has_figures"))]
    rate_chart = None
    rates = [f for f in figures if f["percent"] and f["value"] is not None]
    if rates:
        series = {}
        for col, key in (("value", "col.value"), ("previous", "col.previous"), ("last_year", "col.last_year")):
            values = [f[col] for f in rates]
            if any(_is_num(x) for x in values):
                series[v(key)] = values
        rate_chart = {"type": "bar", "labels": [f["name"] for f in rates], "series": series, "unit": "%",
                      "title": v("text.rates")}
    return {
        "lang": v.lang, "kind": report.get("kind"), "title": report["title"], "dealer": report.get("dealer") or "",
        "period_label": report["period"].get("label", ""), "meta": meta_lines(report, v),
        "made_by": f"{v('text.made_by')}: {report.get('generated_by_name') or report.get('generated_by') or ''}",
        "figures": figures, "figure_chart": rate_chart, "sections": sections,
        "compare": any(f["previous"] is not None or f["last_year"] is not None for f in figures),
        "fields": [(v.text(k), val) for k, val in report.get("fields", [])],
        "words": {k: v(k) for k in ("section.kpi", "section.definitions", "text.no_rows", "col.figure", "col.value",
                                    "col.unit", "col.previous", "col.change", "col.last_year", "col.change_year",
                                    "col.definition", "col.section", "text.signature")},
        "signatures": [v.text(s) for s in report.get("signatures", [])],
    }


def labels(view_: dict) -> list[tuple[str, str]]:
    """Every label a reader sees, as (where, text): titles, headers, figure names, legends, enum cells."""
    out = [("title", view_["title"])]
    out += [("meta", k) for k, _ in view_["meta"]]
    out += [("field", k) for k, _ in view_["fields"]]
    out += [("word", w) for w in view_["words"].values()]
    for f in view_["figures"]:
        out += [("figure", f["name"]), ("group", f["group"])]
        if f["definition"]:
            out.append(("definition", f["definition"]))
    charts = [view_["figure_chart"]] if view_["figure_chart"] else []
    for s in view_["sections"]:
        out.append(("section", s["title"]))
        out += [(f"{s['key']} header", h) for h in s["headers"]]
        if s["empty"]:
            out.append((f"{s['key']} empty", s["empty"]))
        for col, label_col in zip(s["columns"], range(len(s["columns"]))):
            from .vocab import VALUE_GROUPS

            if col in VALUE_GROUPS or col in PEOPLE:
                out += [(f"{s['key']}.{col}", r[label_col]) for r in s["rows"] if isinstance(r[label_col], str)]
        if s["chart"]:
            charts.append(s["chart"])
    for c in charts:
        out += [("legend", name) for name in c["series"]]
        out.append(("chart", c["title"]))
    out += [("signature", s) for s in view_["signatures"]]
    return out
