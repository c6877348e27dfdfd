"""How a report writes a value: numbers, percentages, changes (a leaf module: the
terminal, HTML and XLSX renderers and the view all use it)."""

from __future__ import annotations

from ..output import cell_text


def show(value, unit: str) -> str:
    if value is None:
        return "—"
    text = cell_text(value)
    return f"{text}%" if unit == "%" else text


def change(value, before, unit: str) -> str:
    """``▲ +2``, ``▼ -16.7 pt`` (percentage points), ``→``; '' when either side is unknown."""
    if not isinstance(value, (int, float)) or not isinstance(before, (int, float)):
        return ""
    delta = round(value - before, 1)
    mark = "▲" if delta > 0 else "▼" if delta < 0 else "→"
    suffix = " pt" if unit == "%" else ""
    return f"{mark} {'+' if delta > 0 else ''}{cell_text(delta)}{suffix}" if delta else "→"


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
