"""Rows under a table that are not data: totals, signatures, notes (表尾).

Dealer exports end with ``合计：10 条``, ``小计``, ``制表人：王芳  审核：李经理`` or a note
under the table (``注：数据截至 2026-11-20``), often after a blank row.  The reader
(:class:`crm.io.readers.Table`) skips them and lists them in ``Table.footer_rows`` —
this module is the one place that decides what such a row is::

    >>> watch = FooterWatch()
    >>> watch.is_footer(["合计：10 条", "", ""], after_blank=False)
    True
    >>> watch.is_footer(["王芳", "2026-11-20", ""], after_blank=False)  # a signature after it
    True
    >>> FooterWatch().is_footer(["张三", "13812345678", "北京"], after_blank=True)
    False
"""

from __future__ import annotations

import re
from typing import Any

#: the words that open a totals, signature or note row (first non-empty cell)
FOOTER_START = re.compile(
    r"\s*(合\s*计|总\s*计|小\s*计|共\s*计|共\s*\d+\s*[条行人户辆位名个]|制\s*表|审\s*核|复\s*核|经\s*办\s*人"
    r"|备\s*注\s*[:：]|注\s*[:：]|说\s*明\s*[:：]|打印(时间|人|日期)|导出(时间|人)|数据来源|截至|以上"
    r"|(grand\s+|sub)?total\b|prepared\s+by|checked\s+by|note\s*:)",
    re.IGNORECASE)
#: first characters of those words: most data rows are ruled out by one set lookup
_FIRST = frozenset("合总小共制审复经备注说打导数截以GgSsTtPpCcNn \u3000")
#: a note under a blank row with no keyword: one cell of sentence-like text
_SENTENCE = re.compile(r"[:：，,。；;！!？?]|\S+\s+\S+\s+\S+")


def _filled(cells: list[Any]) -> list[Any]:
    return [c for c in cells if c is not None and not (type(c) is str and not c.strip())]


class FooterWatch:
    """Decides row by row; once a footer row is seen, sparse rows after it (a signature,
    a date) are footer rows too, while a full row is data again (totals per section)."""

    def __init__(self) -> None:
        self.seen = False

    def is_footer(self, cells: list[Any], *, after_blank: bool) -> bool:
        first = cells[0] if cells else None
        if (type(first) is str and first[:1] not in _FIRST and not self.seen and not after_blank):
            return False  # the common case: a data row starting with a name or a number
        filled = _filled(cells)
        if not filled:
            return False
        lead = filled[0]
        if type(lead) is str and FOOTER_START.match(lead):
            self.seen = True
            return True
        if self.seen and len(filled) <= 2:
            return True
        if (after_blank and len(filled) == 1 and type(lead) is str
                and (len(lead.strip()) >= 12 or _SENTENCE.search(lead.strip()))):
            self.seen = True
            return True
        return False
