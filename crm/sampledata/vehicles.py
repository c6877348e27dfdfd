"""Vehicle tables and codes: BMW models, colours, ISO 3779 VINs, Chinese plates.

The VIN check digit is implemented here on purpose (the project's own
``crm.values.vin`` is developed separately); :func:`vin_check_digit` and
:func:`is_valid_vin` follow ISO 3779 / FMVSS 565 exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------- VIN (ISO 3779)

#: Characters allowed in a VIN (no I, O, Q).
VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_TRANSLIT = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9))),
    **dict(zip("JKLMN", range(1, 6))),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10))),
}
#: Weight of each of the 17 positions; position 9 (the check digit) weighs 0.
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_value(ch: str) -> int:
    """Transliterated value of one VIN character (KeyError if not allowed)."""
    return _TRANSLIT[ch]


def vin_check_digit(vin: str) -> str:
    """Return the check digit ('0'-'9' or 'X') for a 17-character VIN.

    The character at position 9 is ignored (it has weight 0).
    """
    if len(vin) != 17:
        raise ValueError(f"a VIN has 17 characters, not {len(vin)}")
    total = sum(_TRANSLIT[c] * w for c, w in zip(vin.upper(), VIN_WEIGHTS))
    r = total % 11
    return "X" if r == 10 else str(r)


def is_valid_vin(vin: str) -> bool:
    """True if ``vin`` has 17 allowed characters and a correct check digit."""
    if len(vin) != 17 or any(c not in _TRANSLIT for c in vin):
        return False
    return vin[8] == vin_check_digit(vin)


#: Model-year code at VIN position 10 (30-year cycle, no I O Q U Z 0).
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"


def year_code(year: int) -> str:
    """VIN position-10 code of a model year (2010 → 'A', 2026 → 'T')."""
    return YEAR_CODES[(year - 2010) % 30]


# ---------------------------------------------------------------- models

@dataclass(frozen=True)
class Model:
    """One BMW model as sold by a Chinese dealer."""

    name: str
    weight: float  # relative share of sales while on sale
    first_year: int  # first delivery year (0: long before any archive)
    last_year: int  # last delivery year (9999: still on sale)
    wmi: str
    vds: tuple[str, ...]  # VIN positions 4-8 variants
    plants: tuple[str, str]  # VIN position 11 codes
    power: str  # "ice", "phev" or "bev"
    tier: int  # 1 (3 series, X1) .. 3 (7 series, X7): drives workshop prices


LBV_PLANTS = ("S", "T")  # Shenyang Dadong / Tiexi (illustrative codes)
MODELS: tuple[Model, ...] = (
    Model("320Li", 14, 0, 9999, "LBV", ("5G310", "5G312", "8E310"), LBV_PLANTS, "ice", 1),
    Model("325Li", 16, 0, 9999, "LBV", ("5G510", "5G512", "8E510"), LBV_PLANTS, "ice", 1),
    Model("330Li", 4, 2019, 9999, "LBV", ("5G710", "5G712"), LBV_PLANTS, "ice", 1),
    Model("525Li", 12, 0, 9999, "LBV", ("5R310", "5R312", "JA310"), LBV_PLANTS, "ice", 2),
    Model("530Li", 13, 2017, 9999, "LBV", ("5R510", "5R512"), LBV_PLANTS, "ice", 2),
    Model("535Li", 3, 0, 2017, "LBV", ("5M710", "5M712"), LBV_PLANTS, "ice", 2),
    Model("X1", 12, 2016, 9999, "LBV", ("7K310", "7K312", "5X310"), LBV_PLANTS, "ice", 1),
    Model("X2", 3, 2018, 9999, "WBA", ("YH710", "YH712"), ("R", "K"), "ice", 1),
    Model("X3", 12, 2018, 9999, "LBV", ("TX310", "TX312", "TX510"), LBV_PLANTS, "ice", 2),
    Model("X3", 3, 0, 2017, "WBA", ("WX510", "WX512"), ("L", "F"), "ice", 2),
    Model("X5", 5, 0, 2022, "5UX", ("CR610", "CR612", "KR410"), ("L", "W"), "ice", 3),
    Model("X5", 5, 2023, 9999, "LBV", ("CR910", "CR912"), LBV_PLANTS, "ice", 3),
    Model("X6", 1.5, 0, 9999, "5UX", ("KU210", "KU212"), ("L", "W"), "ice", 3),
    Model("X7", 3, 2019, 9999, "5UX", ("CW210", "CW212"), ("L", "W"), "ice", 3),
    Model("730Li", 2, 0, 9999, "WBA", ("7R210", "7R212"), ("G", "B"), "ice", 3),
    Model("740Li", 3, 0, 9999, "WBA", ("7R410", "7R412", "7F410"), ("G", "B"), "ice", 3),
    Model("M340i", 2, 2020, 9999, "WBA", ("5U710", "5U712"), ("F", "K"), "ice", 2),
    Model("M3", 0.5, 0, 9999, "WBS", ("8M910", "31A00"), ("F", "K"), "ice", 3),
    Model("M5", 0.3, 0, 9999, "WBS", ("JF910", "83A00"), ("G", "B"), "ice", 3),
    # New-energy models.
    Model("530Le", 3, 2018, 2024, "LBV", ("5R710", "5R712"), LBV_PLANTS, "phev", 2),
    Model("X1 xDrive25Le", 2, 2018, 2023, "LBV", ("7K710", "7K712"), LBV_PLANTS, "phev", 1),
    Model("X5 xDrive45e", 1, 2020, 9999, "5UX", ("TA610", "TA612"), ("L", "W"), "phev", 3),
    Model("i3", 1, 2014, 2021, "WBY", ("1Z210", "8P410"), ("V", "N"), "bev", 1),
    Model("i3", 5, 2022, 9999, "LBV", ("ED310", "ED312"), LBV_PLANTS, "bev", 1),
    Model("iX3", 6, 2020, 9999, "LBV", ("TR910", "TR912"), LBV_PLANTS, "bev", 2),
    Model("i4", 3, 2022, 9999, "WBY", ("71AW0", "71AY0"), ("F", "N"), "bev", 2),
    Model("iX1", 3, 2023, 9999, "LBV", ("EJ310", "EJ312"), LBV_PLANTS, "bev", 1),
    Model("i5", 2, 2024, 9999, "LBV", ("EF510", "EF512"), LBV_PLANTS, "bev", 2),
    Model("iX", 1, 2022, 9999, "WBY", ("21CF0", "21CG0"), ("F", "N"), "bev", 3),
    Model("i7", 0.3, 2023, 9999, "WBY", ("31EJ0", "31EK0"), ("G", "B"), "bev", 3),
)

#: WMIs the generator uses (BMW AG, BMW M, BMW i, BMW US, BMW Brilliance).
BMW_WMIS = frozenset(m.wmi for m in MODELS)

# Exterior colours (Chinese trade names) and their shares.
COLOURS: tuple[tuple[str, float], ...] = (
    ("矿石白", 30), ("雪山白", 8), ("黑色", 12), ("碳黑", 10), ("蓝宝石黑", 6), ("矿石灰", 8),
    ("布鲁克林灰", 4), ("曼哈顿灰", 3), ("冰川银", 5), ("宝石青", 5), ("波蒂芒蓝", 4),
    ("墨尔本红", 2), ("天际蓝", 2), ("碧玺绿", 1),
)

# ---------------------------------------------------------------- plates

PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # 24 letters: no I, O
PLATE_ALNUM = "0123456789" + PLATE_LETTERS  # 34, digits first
#: Letters after the city letter on new-energy plates: battery-electric, then other.
NEV_BEV = "DABCE"
NEV_PHEV = "FGHJK"

_ONE_LETTER = 5 * 24 * 10**4  # 5 positions x 24 letters x 4 digits
_TWO_LETTERS = 10 * 24 * 24 * 10**3  # C(5,2) position pairs x 24^2 x 3 digits
_PAIRS = tuple((a, b) for a in range(5) for b in range(a + 1, 5))
#: Number of distinct 5-character tails of ordinary plates (at most 2 letters).
ORDINARY_TAILS = 10**5 + _ONE_LETTER + _TWO_LETTERS
#: Number of distinct tails per letter of a new-energy plate ("D" + X + 4 digits).
NEV_TAILS = 5 * 34 * 10**4


def ordinary_tail(t: int) -> str:
    """The ``t``-th 5-character tail of an ordinary plate, digits-only ones first.

    0 ≤ t < ORDINARY_TAILS; distinct ``t`` give distinct tails.
    """
    if t < 10**5:
        return f"{t:05d}"
    t -= 10**5
    if t < _ONE_LETTER:
        pos, rest = divmod(t, 24 * 10**4)
        letter, num = divmod(rest, 10**4)
        d = f"{num:04d}"
        return d[:pos] + PLATE_LETTERS[letter] + d[pos:]
    t -= _ONE_LETTER
    if t >= _TWO_LETTERS:
        raise ValueError("plate tail index out of range")
    pair, rest = divmod(t, 576 * 10**3)
    letters, num = divmod(rest, 10**3)
    l1, l2 = divmod(letters, 24)
    a, b = _PAIRS[pair]
    chars = list(f"{num:03d}")
    chars.insert(a, PLATE_LETTERS[l1])
    chars.insert(b, PLATE_LETTERS[l2])
    return "".join(chars)


def nev_tail(t: int, bev: bool) -> str:
    """The ``t``-th 6-character tail of a small new-energy plate ("D12345")."""
    cls, rest = divmod(t, 34 * 10**4)
    x, num = divmod(rest, 10**4)
    return (NEV_BEV if bev else NEV_PHEV)[cls] + PLATE_ALNUM[x] + f"{num:04d}"
