"""The report as one self-contained HTML file: inline CSS and SVG, no script, prints well."""

from __future__ import annotations

from pathlib import Path

from .definitions import ZH
from .render import change, figure_rows, period_line, section_rows, show


def render(report: dict) -> str:
    import jinja2
    from markupsafe import Markup

    from . import svg

    zh = report["locale"].lower().startswith("zh")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
                             lstrip_blocks=True)
    headers = ZH if zh else {}
    sections = []
    for s in report["sections"]:
        if s["key"] == "kpi":
            continue
        cols = s.get("columns") or (list(s["rows"][0]) if s["rows"] else [])
        chart = svg.chart(s, headers)
        sections.append({"key": s["key"], "title": s["title"], "columns": [headers.get(c, c) for c in cols],
                         "rows": [[r.get(c) for c in cols] for r in section_rows(s)],
                         "chart": Markup(chart) if chart else None})
    figure_chart = svg.figure_bars(report["figures"], zh)
    return env.get_template("report.html.j2").render(
        report=report, zh=zh, period=period_line(report), figures=figure_rows(report, zh),
        raw=report["figures"], sections=sections, figure_chart=Markup(figure_chart) if figure_chart else None,
        h=lambda k: headers.get(k, k), show=show, change=change)
