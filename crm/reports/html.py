"""The report (or form) as one self-contained HTML file: inline CSS and SVG, no script, prints well."""

from __future__ import annotations

from pathlib import Path

from .text import fmt


def render(report: dict, app=None) -> str:
    import jinja2
    from markupsafe import Markup

    from . import svg
    from .present import view

    v = view(report, app)
    for s in v["sections"]:
        chart = svg.draw(s["chart"])
        s["svg"] = Markup(chart) if chart else None
    chart = svg.draw(v["figure_chart"])
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["fmt"] = fmt
    return env.get_template("report.html.j2").render(v=v, figure_svg=Markup(chart) if chart else None)
