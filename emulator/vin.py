"""Vehicle identification numbers (ISO 3779 / GB 16735): check digit and make-up."""

from __future__ import annotations

import re

_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_SHAPE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")

# Position 10: the model year (the 30-year cycle that started in 2010 with "A").
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"


def check_digit(vin: str) -> str:
    """The check digit (position 9) for a 17-character VIN; ``X`` stands for 10."""
    if len(vin) != 17:
        raise ValueError("a VIN has 17 characters")
    total = 0
    for index, char in enumerate(vin.upper()):
        if index == 8:
            continue
        if char not in _TRANSLITERATION:
            raise ValueError(f"character {char!r} is not allowed in a VIN")
        total += _TRANSLITERATION[char] * _WEIGHTS[index]
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def is_valid(vin: object) -> bool:
    """True for a well-formed VIN whose check digit is right."""
    if not isinstance(vin, str) or not _SHAPE.match(vin):
        return False
    return vin[8] == check_digit(vin)


def year_code(model_year: int) -> str:
    """The position-10 code of a model year (2010..2039)."""
    if not 2010 <= model_year <= 2039:
        raise ValueError("model year out of the supported cycle 2010..2039")
    return _YEAR_CODES[model_year - 2010]


def make_vin(wmi: str, vds: str, model_year: int, plant: str, serial: int) -> str:
    """Assemble a VIN from its parts and fill in the check digit."""
    if len(wmi) != 3 or len(vds) != 5 or len(plant) != 1:
        raise ValueError("WMI has 3, VDS 5 (without check digit) and plant 1 character")
    body = f"{wmi}{vds}0{year_code(model_year)}{plant}{serial:06d}"
    return body[:8] + check_digit(body) + body[9:]
