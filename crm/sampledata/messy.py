"""Dealer-style messiness: the changes that turn a clean export row into a messy one.

See :mod:`crm.sampledata.files` for the file layout (title, blank row,
footer) and the report of bad rows.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from datetime import date

from .columns import COLUMN as _COL
from .columns import DATE_FIELDS

BAD_REASONS = ("vin_check_digit", "mobile_length", "vin_length", "date_invalid")
#: One data row in this many carries an invalid value (messy files).
BAD_EVERY = 125
#: One exact duplicate row is added per this many rows (messy files).
DUPLICATE_EVERY = 200
#: Largest number of rows of an xlsx sheet.
_DATE_COLS = tuple(_COL[f] for f in DATE_FIELDS)
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class Messer:
    """Turns the clean rows of one chunk into a dealer's messy rows, deterministically.

    Each chunk of :data:`CSV_CHUNK` customers has its own random stream, so
    chunks can be made in any order (or in parallel).  In every run of
    :data:`BAD_EVERY` rows one row gets a bad value, the reasons rotating;
    once per :data:`DUPLICATE_EVERY` rows a recent clean row is repeated.
    Keeps only a few recent rows, so memory stays constant; the bad-row and
    duplicate lists grow with the chunk.
    """

    def __init__(self, seed: int, as_of: date, chunk: int = 0) -> None:
        self.rng = random.Random(f"crm.sampledata/{seed}/{as_of.isoformat()}/messy/{chunk}")
        self.chunk = chunk
        self.features: Counter[str] = Counter()
        self.bad: list[tuple[int, str, int, str, str]] = []  # (data index, ref, col, value, reason)
        self.dups: list[tuple[int, int, str]] = []  # (data index, of data index, ref)
        self._recent: deque[tuple[int, str, list]] = deque(maxlen=30)
        self._src = 0  # source rows seen
        self._out = 0  # data rows emitted
        self._bad_at = -1
        self._dup_at = -1

    def rows(self, rows: Iterable[tuple[str, list]]) -> Iterator[list]:
        r = self.rng.random
        for ref, cells in rows:
            k = self._src
            if k % BAD_EVERY == 0:
                self._bad_at = k + int(r() * BAD_EVERY)
            if k % DUPLICATE_EVERY == 0:
                self._dup_at = k + 1 + int(r() * (DUPLICATE_EVERY - 1))
            self._src += 1
            bad_col = -1
            if k == self._bad_at:
                reason = BAD_REASONS[(self.chunk + k // BAD_EVERY) % len(BAD_REASONS)]
                bad_col, value = self._bad_value(reason, cells)
                self.bad.append((self._out, ref, bad_col, value, reason))
            out = self._mess(cells, bad_col)
            if bad_col >= 0:
                out[bad_col] = value
            else:
                self._recent.append((self._out, ref, out))
            yield out
            self._out += 1
            if k == self._dup_at and self._recent:
                idx, dref, dcells = self._recent[int(r() * len(self._recent))]
                self.dups.append((self._out, idx, dref))
                self.features["duplicate_row"] += 1
                yield list(dcells)
                self._out += 1

    def _bad_value(self, reason: str, cells: list) -> tuple[int, str]:
        r = self.rng.random
        if reason == "vin_check_digit":
            vin = cells[_COL["vin"]]
            wrong = [c for c in "0123456789X" if c != vin[8]]
            return _COL["vin"], vin[:8] + wrong[int(r() * len(wrong))] + vin[9:]
        if reason == "vin_length":
            vin = cells[_COL["vin"]]
            return _COL["vin"], vin[:-1]
        if reason == "mobile_length":
            m = cells[_COL["mobile"]]
            pos = 3 + int(r() * 8)
            return _COL["mobile"], m[:pos] + m[pos + 1:]
        # date_invalid
        d = cells[_COL["delivery_date"]]
        y = d[:4]
        bad = (f"{y}-02-30", f"{y}/13/{int(d[8:10])}", f"{y}年2月30日", f"{y}0231")[int(r() * 4)]
        return _COL["delivery_date"], bad

    def _mess(self, cells: list, bad_col: int) -> list:
        r = self.rng.random
        f = self.features
        out = list(cells)
        # phones
        for col in (_COL["mobile"], _COL["mobile2"]):
            m = out[col]
            if not m or col == bad_col:
                continue
            u = r()
            if u < 0.08:
                out[col] = f"{m[:3]} {m[3:7]} {m[7:]}"
                f["phone_spaces"] += 1
            elif u < 0.14:
                out[col] = f"{m[:3]}-{m[3:7]}-{m[7:]}"
                f["phone_dashes"] += 1
            elif u < 0.20:
                out[col] = ("+86 " if r() < 0.5 else "+86") + m
                f["phone_plus86"] += 1
            elif u < 0.22:
                out[col] = m.translate(_FULLWIDTH)
                f["phone_fullwidth"] += 1
            elif u < 0.25:
                out[col] = m + " "
                f["stray_spaces"] += 1
        # dates
        for col in _DATE_COLS:
            d = out[col]
            if not d or col == bad_col:
                continue
            u = r()
            if u < 0.40:
                continue
            y, m, day = d[:4], int(d[5:7]), int(d[8:10])
            if u < 0.65:
                out[col] = f"{y}/{m}/{day}"
                f["date_slash"] += 1
            elif u < 0.82:
                out[col] = f"{y}年{m}月{day}日"
                f["date_chinese"] += 1
            else:
                out[col] = d.replace("-", "")
                f["date_compact"] += 1
        # names and free text with stray spaces
        u = r()
        name = out[_COL["name"]]
        if u < 0.02:
            out[_COL["name"]] = " " + name
            f["stray_spaces"] += 1
        elif u < 0.04:
            out[_COL["name"]] = name + "  "
            f["stray_spaces"] += 1
        elif u < 0.06 and len(name) == 2:
            out[_COL["name"]] = name[0] + " " + name[1]
            f["name_inner_space"] += 1
        if r() < 0.03:
            out[_COL["address"]] += " "
            f["stray_spaces"] += 1
        # gender written as 先生/女士
        if r() < 0.03:
            out[_COL["gender"]] = "先生" if out[_COL["gender"]] == "男" else "女士"
            f["gender_alias"] += 1
        # VIN
        vc = _COL["vin"]
        if vc != bad_col:
            u = r()
            if u < 0.02:
                out[vc] = out[vc].lower()
                f["vin_lowercase"] += 1
            elif u < 0.03:
                out[vc] = " " + out[vc]
                f["stray_spaces"] += 1
        # plates
        pc = _COL["plate"]
        p = out[pc]
        u = r()
        if u < 0.05:
            out[pc] = p[:2] + "·" + p[2:]
            f["plate_dot"] += 1
        elif u < 0.07:
            out[pc] = p[:2] + " " + p[2:]
            f["plate_space"] += 1
        elif u < 0.08:
            out[pc] = p[0] + p[1:].lower()
            f["plate_lowercase"] += 1
        # placeholders in empty optional cells
        for col in (_COL["mobile2"], _COL["email"], _COL["wechat"], _COL["notes"]):
            if not out[col] and r() < 0.10:
                out[col] = ("无", "-", "/", "暂无")[int(r() * 4)]
                f["placeholder"] += 1
        return out


