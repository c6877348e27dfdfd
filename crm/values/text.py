"""Text cleaning: full-width to half-width, stray spaces, "empty" markers.

Dealers' files are typed with Chinese input methods, so digits, letters and
punctuation often arrive in their full-width forms (``１３８``, ``ＡＢＣ``,
``（``), padded with ideographic spaces (U+3000), no-break spaces or
invisible zero-width characters copied from web pages or WeChat.

    >>> to_halfwidth("１３８　ＡＢＣ（注）")
    '138 ABC(注)'
    >>> clean("  张\u200b三  \u00a0")
    '张三'
    >>> clean(" hello    world ")
    'hello world'
    >>> clean("无") is None
    True
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "EMPTY_MARKERS",
    "to_halfwidth",
    "strip_invisible",
    "clean",
    "clean_or_empty",
    "is_empty",
]

# Full-width ASCII variants U+FF01..U+FF5E map to U+0021..U+007E; the
# ideographic space U+3000 becomes a plain space.  A few look-alikes that are
# not in that block but behave the same in practice are added.
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALFWIDTH.update(
    {
        0x3000: 0x20,  # ideographic space
        0xFFE5: ord("¥"),  # full-width yen/yuan sign
        0xFFE0: ord("¢"),
        0xFFE1: ord("£"),
        0x2212: ord("-"),  # minus sign
    }
)

# Characters that are removed outright: zero-width space/joiners, word joiner,
# BOM, soft hyphen, direction marks.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
# Characters that become a plain space: NBSP, the typographic spaces, narrow
# NBSP, medium mathematical space, ideographic space, tabs and line breaks.
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\n\r\x0b\x0c\x85\u2028\u2029"

_TABLE = dict(_HALFWIDTH)
_TABLE.update({ord(c): None for c in _INVISIBLE})
_TABLE.update({ord(c): 0x20 for c in _SPACES})

_WS_RUN = re.compile(r" {2,}")

#: Cell contents meaning "nothing here" (compared case-insensitively, after
#: cleaning).  ``nan`` and ``\\N`` come from pandas and MySQL exports.
EMPTY_MARKERS = frozenset(
    {
        "",
        "-",
        "--",
        "—",
        "——",
        "/",
        "无",
        "暂无",
        "n/a",
        "na",
        "#n/a",
        "null",
        "none",
        "nan",
        "\\n",
    }
)


def to_halfwidth(s: str) -> str:
    """Map full-width ASCII forms and the ideographic space to plain ASCII.

    Chinese punctuation that has no ASCII twin (、。《》“”) is left alone.

    >>> to_halfwidth("ＶＩＮ：ＬＢＶ１２３")
    'VIN:LBV123'
    >>> to_halfwidth("￥１，２３４")
    '¥1,234'
    """
    return s.translate(_HALFWIDTH)


def strip_invisible(s: str) -> str:
    """Half-width the text, drop zero-width characters and turn every kind of
    space, tab and line break into a plain space (not collapsed).

    >>> strip_invisible("a\u200bb\u00a0c\\td")
    'ab c d'
    """
    return s.translate(_TABLE)


def clean_or_empty(value: Any) -> str:
    """Like :func:`clean` but returns ``""`` for empty cells instead of None."""
    c = clean(value)
    return "" if c is None else c


def clean(value: Any) -> str | None:
    """Normalize a text cell; return None for empty or "nothing" markers.

    * full-width → half-width, invisible characters removed,
    * all whitespace (NBSP, ideographic space, tabs, line breaks) collapsed
      to single spaces and stripped at both ends,
    * ``""``, ``"-"``, ``"—"``, ``"/"``, ``"无"``, ``"N/A"``, ``"null"``
      (and a few relatives, see :data:`EMPTY_MARKERS`) → None.

    Non-string values are converted with ``str`` (a float that is a whole
    number loses its ``.0``: Excel stores 123 as 123.0).

    >>> clean("\u3000李\u00a0四\u3000")
    '李 四'
    >>> clean("N/A") is None, clean(None) is None, clean("  ") is None
    (True, True, True)
    >>> clean(12345.0)
    '12345'
    """
    if value is None:
        return None
    if not isinstance(value, str):
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            value = str(int(value))
        else:
            value = str(value)
    s = value.translate(_TABLE)
    if "  " in s:
        s = _WS_RUN.sub(" ", s)
    s = s.strip()
    if len(s) <= 4 and s.lower() in EMPTY_MARKERS:
        return None
    return s


def is_empty(value: Any) -> bool:
    """True if the cell is empty or holds a "nothing" marker.

    >>> is_empty(" — "), is_empty("0")
    (True, False)
    """
    return clean(value) is None
