"""Small inline SVG charts (bar and line), drawn here: the HTML report needs no script or CDN."""

from __future__ import annotations

from html import escape

PALETTE = ["#2f6db5", "#e07b39", "#4a9c5d", "#b54a6d", "#7b5fb5", "#8c8c8c"]
W, H, PAD_L, PAD_B, PAD_T, PAD_R = 720, 300, 48, 84, 24, 16


def _num(v) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


def _nice_max(m: float) -> float:
    if m <= 0:
        return 1.0
    step = 10 ** (len(str(int(m))) - 1)
    return (int(m / step) + 1) * step


def _frame(top: float, title: str, unit: str = "") -> list[str]:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {H}" role="img"'
             f' aria-label="{escape(title)}">']
    plot_h = H - PAD_B - PAD_T
    for i in range(5):
        y = PAD_T + plot_h * i / 4
        value = top * (4 - i) / 4
        parts.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{W - PAD_R}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{value:g}{escape(unit)}</text>')
    return parts


def _legend(series: list[str]) -> list[str]:
    out = []
    for i, name in enumerate(series):
        x = PAD_L + i * 130
        out.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text x="{x + 14}" y="13" font-size="11">{escape(str(name))}</text>')
    return out


def _label(text: str, x: float, n: int) -> str:
    t = escape(str(text)[5:] if len(str(text)) == 10 and str(text)[4] == "-" else str(text))
    if n > 16 or len(str(text)) * 12 > (W - PAD_L - PAD_R) / max(n, 1):
        return (f'<text x="{x:.1f}" y="{H - PAD_B + 14}" font-size="10" text-anchor="end"'
                f' transform="rotate(-45 {x:.1f} {H - PAD_B + 14})">{t}</text>')
    return f'<text x="{x:.1f}" y="{H - PAD_B + 16}" font-size="11" text-anchor="middle">{t}</text>'


def _top(series: dict[str, list], unit: str) -> float:
    """The axis maximum: 100 for percentages (more only if a value exceeds it), else a round number."""
    values = [v for vals in series.values() for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    m = max([_num(v) for v in values] or [0])
    if unit == "%":  # 0–100%, more only when a value exceeds 100
        return 100.0 if m <= 100 else _nice_max(m)
    top = _nice_max(m)
    if all(isinstance(v, int) for v in values):  # counts: whole-number ticks (four steps)
        top = max(4.0, -(-top // 4) * 4)
    return top


def bar(labels: list, series: dict[str, list], title: str = "", unit: str = "") -> str:
    top = _top(series, unit)
    parts = _frame(top, title, unit)
    n, k = max(len(labels), 1), max(len(series), 1)
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_B - PAD_T
    group = plot_w / n
    bar_w = max(group * 0.8 / k, 1)
    for s, (name, vals) in enumerate(series.items()):
        for i, v in enumerate(vals):
            h = plot_h * _num(v) / top
            x = PAD_L + group * i + group * 0.1 + bar_w * s
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{PAD_T + plot_h - h:.1f}" width="{bar_w:.1f}"'
                         f' height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(str(labels[i]))}'
                         f' {escape(str(name))}: {escape(str(v))}</title></rect>')
    parts += [_label(lab, PAD_L + group * (i + 0.5), n) for i, lab in enumerate(labels)]
    if len(series) > 1:
        parts += _legend(list(series))
    parts.append("</svg>")
    return "".join(parts)


def line(labels: list, series: dict[str, list], title: str = "", unit: str = "") -> str:
    top = _top(series, unit)
    parts = _frame(top, title, unit)
    n = max(len(labels), 1)
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_B - PAD_T
    step = plot_w / max(n - 1, 1)
    for s, (name, vals) in enumerate(series.items()):
        pts = " ".join(f"{PAD_L + step * i:.1f},{PAD_T + plot_h - plot_h * _num(v) / top:.1f}"
                       for i, v in enumerate(vals))
        parts.append(f'<polyline class="line" fill="none" stroke="{PALETTE[s % len(PALETTE)]}" stroke-width="2"'
                     f' points="{pts}"/>')
    every = max(1, n // 15)
    parts += [_label(lab, PAD_L + step * i, n) for i, lab in enumerate(labels) if i % every == 0]
    parts += _legend(list(series))
    parts.append("</svg>")
    return "".join(parts)


def draw(spec: dict | None) -> str | None:
    """The SVG of a chart of the view (:mod:`crm.reports.present`), or None when there is none."""
    if not spec or not spec.get("series"):
        return None
    fn = line if spec["type"] == "line" else bar
    return fn(spec["labels"], spec["series"], spec.get("title", ""), spec.get("unit", ""))
