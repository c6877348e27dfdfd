"""Lunar (农历) festival dates, computed astronomically.

The Chinese calendar starts each month on the day (Beijing time) of a new moon; month 11
holds the winter solstice; in a year with 13 new moons between two winter-solstice months
the first month without a major solar term (中气) is the leap month.  New moons follow
Meeus, *Astronomical Algorithms* ch. 49 (periodic terms, error well under a minute);
the sun's longitude ch. 25 (about 0.01°).  For the years chinesecalendar knows, the
care campaigns cross-check the result against its public-holiday periods.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

#: key → (Chinese name, lunar month, lunar day); month 0 day 0 = the eve of the new year.
FESTIVALS = {
    "spring_festival": ("春节", 1, 1),
    "lantern": ("元宵节", 1, 15),
    "dragon_boat": ("端午节", 5, 5),
    "qixi": ("七夕", 7, 7),
    "mid_autumn": ("中秋节", 8, 15),
    "double_ninth": ("重阳节", 9, 9),
    "new_years_eve": ("除夕", 0, 0),
}

_UNIX_JD = 2440587.5


def _sin(deg: float) -> float:
    return math.sin(math.radians(deg))


def _delta_t_days(year: float) -> float:
    t = year - 2000
    seconds = 62.92 + 0.32217 * t + 0.005589 * t * t if -20 <= t <= 50 else 32 * ((year - 1820) / 100) ** 2 - 20
    return seconds / 86400


def new_moon_jd(k: int) -> float:
    """Julian day (UT) of new moon number ``k`` (k = 0 near 2000-01-06)."""
    t = k / 1236.85
    jde = (2451550.09766 + 29.530588861 * k + 0.00015437 * t ** 2 - 0.000000150 * t ** 3
           + 0.00000000073 * t ** 4)
    e = 1 - 0.002516 * t - 0.0000074 * t ** 2
    m = 2.5534 + 29.10535670 * k - 0.0000014 * t ** 2 - 0.00000011 * t ** 3
    mp = 201.5643 + 385.81693528 * k + 0.0107582 * t ** 2 + 0.00001238 * t ** 3 - 0.000000058 * t ** 4
    f = 160.7108 + 390.67050284 * k - 0.0016118 * t ** 2 - 0.00000227 * t ** 3 + 0.000000011 * t ** 4
    om = 124.7746 - 1.56375588 * k + 0.0020672 * t ** 2 + 0.00000215 * t ** 3
    jde += (-0.40720 * _sin(mp) + 0.17241 * e * _sin(m) + 0.01608 * _sin(2 * mp) + 0.01039 * _sin(2 * f)
            + 0.00739 * e * _sin(mp - m) - 0.00514 * e * _sin(mp + m) + 0.00208 * e * e * _sin(2 * m)
            - 0.00111 * _sin(mp - 2 * f) - 0.00057 * _sin(mp + 2 * f) + 0.00056 * e * _sin(2 * mp + m)
            - 0.00042 * _sin(3 * mp) + 0.00042 * e * _sin(m + 2 * f) + 0.00038 * e * _sin(m - 2 * f)
            - 0.00024 * e * _sin(2 * mp - m) - 0.00017 * _sin(om) - 0.00007 * _sin(mp + 2 * m)
            + 0.00004 * _sin(2 * mp - 2 * f) + 0.00004 * _sin(3 * m) + 0.00003 * _sin(mp + m - 2 * f)
            + 0.00003 * _sin(2 * mp + 2 * f) - 0.00003 * _sin(mp + m + 2 * f) + 0.00003 * _sin(mp - m + 2 * f)
            - 0.00002 * _sin(mp - m - 2 * f) - 0.00002 * _sin(3 * mp + m) + 0.00002 * _sin(4 * mp))
    return jde - _delta_t_days(2000 + k / 12.3685)


def sun_longitude(jd: float) -> float:
    """The sun's apparent ecliptic longitude in degrees at Julian day ``jd``."""
    t = (jd - 2451545.0) / 36525
    l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t * t
    m = 357.52911 + 35999.05029 * t - 0.0001537 * t * t
    c = ((1.914602 - 0.004817 * t - 0.000014 * t * t) * _sin(m) + (0.019993 - 0.000101 * t) * _sin(2 * m)
         + 0.000289 * _sin(3 * m))
    omega = 125.04 - 1934.136 * t
    return (l0 + c - 0.00569 - 0.00478 * _sin(omega)) % 360


def solar_term_jd(year: int, longitude: float) -> float:
    """When the sun reaches ``longitude`` in (roughly) ``year``."""
    # March equinox ~ day 79; 360° per tropical year
    jd = _UNIX_JD + (dt.date(year, 1, 1) - dt.date(1970, 1, 1)).days + 79 + ((longitude % 360) / 360) * 365.2422
    for _ in range(8):
        diff = (longitude - sun_longitude(jd) + 180) % 360 - 180
        jd += diff * 365.2422 / 360
        if abs(diff) < 1e-6:
            break
    return jd


def beijing_date(jd: float) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=math.floor(jd + 8 / 24 - _UNIX_JD))


def _new_moon_on_or_before(day: dt.date) -> tuple[int, dt.date]:
    k = math.floor(((day - dt.date(2000, 1, 6)).days) / 29.530588861)
    while beijing_date(new_moon_jd(k)) > day:
        k -= 1
    while beijing_date(new_moon_jd(k + 1)) <= day:
        k += 1
    return k, beijing_date(new_moon_jd(k))


@lru_cache(maxsize=64)
def months_of_cycle(year: int) -> list[tuple[int, bool, dt.date]]:
    """Lunar months from month 11 of year-1 up to (not including) month 11 of ``year``:
    ``[(number, is_leap, first day)]``."""
    ws1 = beijing_date(solar_term_jd(year - 1, 270))
    ws2 = beijing_date(solar_term_jd(year, 270))
    k1, _ = _new_moon_on_or_before(ws1)
    k2, _ = _new_moon_on_or_before(ws2)
    starts = [beijing_date(new_moon_jd(k)) for k in range(k1, k2 + 1)]
    leap_index = None
    if len(starts) - 1 == 13:
        terms = [beijing_date(solar_term_jd(year - 1 if lon >= 270 else year, lon))
                 for lon in (300, 330, 0, 30, 60, 90, 120, 150, 180, 210, 240)]
        terms = [ws1, *terms, ws2]
        for i in range(1, len(starts) - 1):
            if not any(starts[i] <= t < starts[i + 1] for t in terms):
                leap_index = i
                break
    months, number = [], 11
    for i, start in enumerate(starts[:-1]):
        if i == 0:
            months.append((11, False, start))
            continue
        if i == leap_index:
            months.append((number, True, start))
            continue
        number = number % 12 + 1
        months.append((number, False, start))
    return months


def lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of lunar ``month``/``day`` (not leap) of the lunar year starting in ``year``."""
    for number, leap, start in months_of_cycle(year):
        if number == month and not leap and (month < 11 or start.year == year):
            return start + dt.timedelta(days=day - 1)
    raise ValueError(f"lunar month {month} of {year} not found")


def festival_date(key: str, year: int) -> dt.date:
    _, month, day = FESTIVALS[key]
    if month == 0:
        return lunar_to_solar(year, 1, 1) - dt.timedelta(days=1)
    return lunar_to_solar(year, month, day)
