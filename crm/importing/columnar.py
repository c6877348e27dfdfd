"""Columnar acceptance of stored-form cells (polars), ahead of the row-by-row rules.

For each batch of rows, the cells of a column that are already in their stored form are
recognised by one vectorized expression per column (polars, one thread) instead of one
regular expression per cell: an 11-digit mobile (when the row gives no second phone),
``2025-03-05`` dates that exist, a VIN of 17 allowed characters with a correct check
digit, a canonical plate, a 2–4 character Chinese name, a lower-case e-mail address, a
WeChat id, clean text.  Such a cell is kept as is (a name gets its pinyin keys from the
shared ``name_keys``), exactly what the shared validation returns for it; every other
cell goes through the row-by-row cleaner (:mod:`crm.importing.rowclean`), which applies
the shared rules — so there is one set of rules and one reject report.

Each expression accepts a subset of what the row cleaner's own stored-form tests accept
(and those are checked against the shared rules by tests/importing/test_import_fastpaths.py);
tests/importing/test_import_engines.py imports the same files through both paths and
compares every table, the summaries and the reject reports.

``CRM_IMPORT_ENGINE=rows`` turns this off; ``=columns`` turns it on whatever the size.
By default it is used for files that get a cleaning worker (≥ 20,000 rows): polars is
imported in that worker (0.3–0.6 s), never by any other command.
"""

from __future__ import annotations

import os
from typing import Any

ENV = "CRM_IMPORT_ENGINE"
_HONORIFIC = "(先生|女士|小姐|太太|夫人)$"


def wanted(estimated_rows: int, worker: bool) -> bool:
    """Whether an import of about ``estimated_rows`` rows cleans its columns with polars."""
    # Opt-in until it pays for itself: the bench measured the same CPU for the whole import
    # with and without it (docs/import-export.md), so no user installs polars for it.
    if os.environ.get(ENV, "").strip().lower() != "columns":
        return False
    import importlib.util

    if importlib.util.find_spec("polars") is None:
        from ..errors import BadInput

        raise BadInput(f"{ENV}=columns needs polars: pip install polars")
    return True


def row_by_row() -> bool:
    """``CRM_IMPORT_ENGINE=rows``: every row through :meth:`CustomerRowCleaner.clean` on its
    own (the reference the parity tests compare the default, a field of a batch at a time, with)."""
    return os.environ.get(ENV, "").strip().lower() == "rows"


def fork_safe() -> bool:
    """Whether a worker forked now may use polars: not when this process has loaded it
    already (its thread pool does not survive a fork; the worker would hang)."""
    import sys

    return "polars" not in sys.modules


def _class_of(chars: set[str]) -> str:
    """A regex character class body (Rust syntax) for exactly ``chars``."""
    points = sorted(ord(c) for c in chars)
    parts, i = [], 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = points[i], points[j]
        parts.append(f"\\x{{{lo:x}}}" if lo == hi else f"\\x{{{lo:x}}}-\\x{{{hi:x}}}")
        i = j + 1
    return "".join(parts)


#: every character Python's ``\s`` matches in a str pattern (str.isspace(); a test checks)
PY_SPACE = frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                     + "".join(chr(c) for c in range(0x2000, 0x200B)))


def plain_pattern() -> str:
    """The row cleaner's ``_PLAIN`` (text that cleaning would not change) in Rust syntax,
    its ``\\s`` spelled out as Python's own white space, so both engines agree to the character."""
    from crm.values.text import _TABLE

    cls = _class_of(set(PY_SPACE) | {chr(c) for c in _TABLE})
    return f"^[^{cls}]+(?: [^{cls}]+)*$"


class ColumnAcceptor:
    """Which cells of a batch are in stored form, per field: ``{field: [value or None]}``
    (``None``: not accepted here, the row cleaner decides)."""

    def __init__(self, fields, plain_limits: dict[str, int], phone_fields: tuple[str, ...] = ("mobile",)):
        import polars as pl

        from crm.values.email import _EMAIL, _WECHAT_ID
        from crm.values.plate import _FAST as PLATE
        from crm.values.text import _ZERO_DATES

        self.pl = pl
        fields = self.given = set(fields)
        col = pl.col
        exprs = {}
        iso = r"^(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
        for f in ("birthday", "delivery_date", "insurance_expiry", "inspection_due", "card_issued", "card_expires"):
            if f in fields:
                exprs[f] = col(f).str.contains(iso) & col(f).str.to_date("%Y-%m-%d", strict=False).is_not_null()
        plain = plain_pattern()
        for f, limit in plain_limits.items():
            if f in fields:
                n = col(f).str.len_chars()
                exprs[f] = (col(f).str.contains(plain) & (n > 4) & (n <= limit)
                            & ~col(f).is_in(sorted(_ZERO_DATES)))
        self.other_phones = [f for f in phone_fields if f != "mobile" and f in fields]
        if "mobile" in fields:
            single = pl.lit(True)
            for other in self.other_phones:  # the only phone of the row (the row cleaner's fast path)
                single = single & (col(other).is_null() | (col(other) == ""))
            exprs["mobile"] = col("mobile").str.contains(r"^1[3-9][0-9]{9}$") & single
        if "plate" in fields:
            exprs["plate"] = col("plate").str.contains(f"^(?:{PLATE.pattern})$")
        if "name" in fields:
            exprs["name"] = col("name").str.contains(r"^[\x{4e00}-\x{9fff}]{2,4}$") & \
                ~col("name").str.contains(_HONORIFIC)
        if "email" in fields:
            exprs["email"] = col("email").str.contains(f"^(?:{_EMAIL.pattern})$") & (col("email").str.len_bytes() <= 254)
        if "wechat" in fields:
            exprs["wechat"] = col("wechat").str.contains(
                f"^(?:[wW][xX][iI][dD]_[a-zA-Z0-9]{{4,30}}|{_WECHAT_ID.pattern})$")
        if "vin" in fields:
            exprs["vin"] = self._vin(col("vin"))
        self.exprs = exprs
        self.fields = sorted(exprs)

    def _vin(self, s):
        """17 allowed characters, upper case, position 9 the correct check digit, and not
        starting with a label (``VIN…``) the rule would strip: the VIN rule returns it unchanged."""
        pl = self.pl
        from crm.values.vin import _VALUES, _WEIGHTS

        total = pl.lit(0, dtype=pl.Int32)
        for i, w in enumerate(_WEIGHTS):
            if w:
                total = total + s.str.slice(i, 1).replace_strict(_VALUES, default=0, return_dtype=pl.Int32) * w
        r = total % 11
        check = pl.when(r == 10).then(pl.lit("X")).otherwise(r.cast(pl.String))
        return s.str.contains(r"^[A-HJ-NPR-Z0-9]{17}$") & ~s.str.starts_with("VIN") & (check == s.str.slice(8, 1))

    def accept(self, rows: list[tuple[int, dict[str, Any]]]) -> dict[str, list]:
        """``{field: [cell or None per row]}`` for the fields with an expression."""
        pl = self.pl
        others = self.other_phones if "mobile" in self.exprs else []
        data = {f: [c if type(c) is str else None for c in (cells.get(f) for _, cells in rows)] for f in self.fields}
        for f in others:  # another phone that is not text (an XLSX number) is another phone
            data[f] = [c if type(c) is str or c is None else "#" for c in (cells.get(f) for _, cells in rows)]
        frame = pl.DataFrame(data, schema={f: pl.String for f in data})
        masks = frame.select(**{f: self.exprs[f].fill_null(False) for f in self.fields})
        out = {}
        for f in self.fields:
            keep = masks.get_column(f).to_list()
            column = data[f]
            out[f] = [v if k else None for v, k in zip(column, keep)]
        return out
