"""The report (or form) as one self-contained HTML file: inline CSS and SVG, no script, prints well."""

from __future__ import annotations

from pathlib import Path


def fmt(value, percent: bool = False) -> str:
    """A cell as text: '—' for nothing, percentages with one decimal and '%', numbers grouped."""
    if value is None or value == "":
        return "—" if value is None else ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, (int, float)):
        if percent:
            return f"{value:.1f}%"
        return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


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
