"""Building blocks of crm.sampledata: bijections, VIN check digits, plate tails, tables."""

from __future__ import annotations

import random
import re

import pytest

from crm.sampledata import is_valid_vin, vin_check_digit
from crm.sampledata.names import expand
from crm.sampledata.perm import Bijection
from crm.sampledata.places import AREAS, CITY_MIXES, PLATE_REGIONS
from crm.sampledata.vehicles import (
    NEV_TAILS,
    ORDINARY_TAILS,
    VIN_ALPHABET,
    nev_tail,
    ordinary_tail,
    year_code,
)
from crm.sampledata import Generator


@pytest.mark.parametrize("m,n", [(1, 1), (7, 3), (37, 53), (100, 20)])
def test_bijection_is_a_permutation(m, n):
    f = Bijection(m, n, random.Random(m * 1000 + n))
    images = [f(x) for x in range(m * n)]
    assert sorted(images) == list(range(m * n))
    assert all(f.inverse(f(x)) == x for x in range(m * n))


def test_bijection_scrambles():
    f = Bijection(10**4, 10**4, random.Random(1))
    ys = [f(x) for x in range(1000)]
    assert len({y // 10**6 for y in ys}) > 50  # consecutive inputs spread over the range


@pytest.mark.parametrize("vin,check", [
    ("1M8GDM9AXKP042788", "X"),  # the textbook example
    ("11111111111111111", "1"),
    ("1HGCM82633A004352", "3"),
])
def test_vin_check_digit(vin, check):
    assert vin_check_digit(vin) == check
    assert is_valid_vin(vin)
    wrong = vin[:8] + ("0" if check != "0" else "1") + vin[9:]
    assert not is_valid_vin(wrong)


def test_vin_validation_rejects_bad_shapes():
    assert not is_valid_vin("1M8GDM9AXKP04278")  # 16 characters
    assert not is_valid_vin("1M8GDM9AXKP0427880")  # 18
    assert not is_valid_vin("1M8GDM9AXKP04278O")  # letter O
    with pytest.raises(ValueError):
        vin_check_digit("ABC")
    assert year_code(2010) == "A" and year_code(2026) == "T" and year_code(2031) == "1"
    assert set(VIN_ALPHABET).isdisjoint("IOQ")


def test_ordinary_tails_are_distinct_and_well_formed():
    rng = random.Random(0)
    samples = list(range(0, 2000)) + list(range(99_000, 101_000)) + list(range(1_300_000, 1_302_000))
    samples += [rng.randrange(ORDINARY_TAILS) for _ in range(50_000)] + [ORDINARY_TAILS - 1]
    samples = sorted(set(samples))
    tails = [ordinary_tail(t) for t in samples]
    assert len(set(tails)) == len(tails)
    for t in tails:
        assert re.fullmatch(r"[A-HJ-NP-Z0-9]{5}", t)
        assert sum(ch.isalpha() for ch in t) <= 2
    assert ordinary_tail(0) == "00000" and ordinary_tail(99_999) == "99999"
    with pytest.raises(ValueError):
        ordinary_tail(ORDINARY_TAILS)


def test_new_energy_tails_are_distinct():
    tails = {nev_tail(t, True) for t in range(0, NEV_TAILS, 3)}
    assert len(tails) == len(range(0, NEV_TAILS, 3))
    assert nev_tail(0, True) == "D00000" and nev_tail(0, False) == "F00000"
    assert all(re.fullmatch(r"[DABCE][A-HJ-NP-Z0-9]\d{4}", t) for t in list(tails)[:1000])


def test_expand_gives_exact_sizes():
    t = expand(["a", "b", "c"], [5, 1, 0.001], 100)
    assert len(t) == 100 and set(t) == {"a", "b", "c"}
    assert 80 < t.count("a") < 86
    with pytest.raises(ValueError):
        expand([], [], 10)


def test_place_tables_are_consistent():
    for mix in CITY_MIXES.values():
        assert sum(w for _, _, w in mix.pairs) == 1000
        for area, region, _ in mix.pairs:
            assert area in AREAS and region in PLATE_REGIONS
    seen = {}
    for key, region in PLATE_REGIONS.items():
        for letter in region.letters:
            assert seen.setdefault(region.province + letter, key) == key  # disjoint letters


@pytest.mark.parametrize("city", sorted(CITY_MIXES))
def test_every_city_supports_a_million_customers(city):
    g = Generator(city=city)
    assert g.max_customers >= 1_000_000
    recs = list(g.records(300))
    assert sum(c["city"] == city for c, _ in recs) > 180
    assert len({v["plate"] for _, vs in recs for v in vs}) == sum(len(vs) for _, vs in recs)
