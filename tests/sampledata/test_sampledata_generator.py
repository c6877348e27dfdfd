"""crm.sampledata.Generator: determinism, uniqueness, validity, ranges."""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest

from crm.sampledata import Generator
from crm.sampledata.generate import BLOCK
from crm.sampledata.vehicles import BMW_WMIS, MODELS, YEAR_CODES

AS_OF = date(2026, 11, 20)
N = 5000  # customers behind most checks

CUSTOMER_FIELDS = [
    "ref", "name", "gender", "birthday", "mobile", "mobile2", "wechat", "email", "city", "address",
    "source", "classification", "card_number", "card_level", "card_issued", "card_expires",
    "preferred_channel", "best_time", "consent_phone", "consent_sms", "consent_wechat",
    "consent_email", "do_not_contact", "tags", "notes", "specialist",
]
VEHICLE_FIELDS = ["vin", "plate", "model", "model_year", "colour", "delivery_date", "mileage",
                  "insurance_expires", "inspection_due", "owner_ref"]
VISIT_FIELDS = ["ro_number", "vin", "customer_ref", "date_in", "date_out", "type", "advisor",
                "mileage", "amount", "items"]


def digest(rows) -> str:
    h = hashlib.sha256()
    for r in rows:
        h.update(json.dumps(r, ensure_ascii=False, sort_keys=True).encode())
        h.update(b"\n")
    return h.hexdigest()


def everything(g: Generator, n: int) -> dict[str, str]:
    return {
        "staff": digest(g.staff()),
        "customers": digest(g.customers(n)),
        "vehicles": digest(g.vehicles(n)),
        "visits": digest(g.visits(n)),
        "appointments": digest(g.appointments(n)),
        "interactions": digest(g.interactions(n)),
    }


@pytest.fixture(scope="module")
def gen() -> Generator:
    return Generator(seed=1)


@pytest.fixture(scope="module")
def data(gen):
    recs = list(gen.records(N))
    customers = [c for c, _ in recs]
    vehicles = [v for _, vs in recs for v in vs]
    visits = list(gen.visits(N))
    return customers, vehicles, visits


# ------------------------------------------------------------------ determinism

def test_same_seed_same_data():
    a = everything(Generator(seed=7), 700)
    b = everything(Generator(seed=7), 700)
    assert a == b


def test_different_seed_different_data():
    a = list(Generator(seed=1).records(300))
    b = list(Generator(seed=2).records(300))
    names_a = [c["name"] for c, _ in a]
    names_b = [c["name"] for c, _ in b]
    assert sum(x != y for x, y in zip(names_a, names_b)) > 250
    mobiles_a = {c["mobile"] for c, _ in a}
    assert not mobiles_a & {c["mobile"] for c, _ in b}
    vins_a = {v["vin"] for _, vs in a for v in vs}
    assert not vins_a & {v["vin"] for _, vs in b for v in vs}


def test_parameters_are_part_of_the_seed():
    base = everything(Generator(seed=1), 100)
    assert everything(Generator(seed=1, city="上海"), 100)["customers"] != base["customers"]
    assert everything(Generator(seed=1, as_of=date(2025, 3, 5)), 100)["vehicles"] != base["vehicles"]


def test_golden_digest():
    """Pins the output of seed 1: a change here changes every demo and benchmark.

    Update the digests only on purpose (and say so in the commit message)."""
    got = everything(Generator(seed=1), 300)
    assert got == {
        "staff": GOLDEN["staff"],
        "customers": GOLDEN["customers"],
        "vehicles": GOLDEN["vehicles"],
        "visits": GOLDEN["visits"],
        "appointments": GOLDEN["appointments"],
        "interactions": GOLDEN["interactions"],
    }


GOLDEN = {
    "staff": "9f48b5e60c18ddc4b29c27ff558e08348e9a43ff290184a4f3cb4776f1cde2f5",
    "customers": "e4e49b5cd6612004bdc31405bc605afec287a840c4072b793121526c5943b485",
    "vehicles": "c143925647248d3bb6108452b6dd605ccafc3601e6e5e82deaf3d4172ea3980e",
    "visits": "2651decb9c2387e9eadf45d5a99106f76dc77fd3e7b6901aa66bdf035e55a93d",
    "appointments": "175164063f1e8271d403f6921bf47860a04a44add2cfd49312dbe4dadf72d2e4",
    "interactions": "b4ab60069e8c6663b14f0a840f007b09b2a37152c54bd4b5ef5e624e52f623b9",
}


def test_no_global_random_and_no_clock(monkeypatch):
    state = random.getstate()

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):  # pragma: no cover - must not be called
            raise AssertionError("the generator read the clock")

    monkeypatch.setattr("datetime.datetime", Frozen)
    list(Generator(seed=3).records(300))
    assert random.getstate() == state


def test_prefix_and_start():
    g = Generator(seed=5)
    many = list(g.records(3 * BLOCK + 17))
    assert list(g.records(100)) == many[:100]
    assert list(g.records(BLOCK + 30, start=BLOCK - 10)) == many[BLOCK - 10:2 * BLOCK + 20]
    assert [c["ref"] for c in g.customers(3, start=998)] == ["C0000999", "C0001000", "C0001001"]


def test_vehicles_for_matches_the_stream(gen):
    recs = list(gen.records(3 * BLOCK))
    order = list(range(len(recs)))
    random.Random(0).shuffle(order)
    for k in order[:40]:
        c, vs = recs[k]
        assert gen.vehicles_for(c) == vs
        assert gen.vehicles_for(c["ref"]) == vs
    # consecutive calls (the cached path) give the same
    assert [v for c, _ in recs for v in gen.vehicles_for(c)] == [v for _, vs in recs for v in vs]


def test_arguments_are_checked(gen):
    with pytest.raises(ValueError):
        next(gen.customers(gen.max_customers + 1))
    with pytest.raises(ValueError):
        gen.vehicles_for("X123")
    with pytest.raises(ValueError):
        Generator(city="火星")
    with pytest.raises(TypeError):
        Generator(as_of=datetime(2026, 1, 1))
    assert gen.max_customers >= 1_000_000


# ------------------------------------------------------------------ staff

def test_staff_department(gen):
    staff = list(gen.staff())
    active = Counter(s["role"] for s in staff if s["active"])
    assert active == {"manager": 1, "satisfaction": 2, "appointment": 2, "callback": 4,
                      "archive": 2, "advisor": 8, "it": 1}
    assert [s["role"] for s in staff if not s["active"]] == ["advisor"]
    codes = [s["code"] for s in staff]
    assert len(set(codes)) == len(codes)
    for s in staff:
        assert list(s) == ["code", "name", "role", "level", "daily_capacity", "active"]
        assert re.fullmatch(r"[a-z]+\d?", s["code"])
        assert 1 <= s["level"] <= 3 and isinstance(s["daily_capacity"], int)
        if s["role"] == "callback":
            assert 40 <= s["daily_capacity"] <= 80


# ------------------------------------------------------------------ uniqueness

def test_unique_keys(data):
    customers, vehicles, visits = data
    vins = [v["vin"] for v in vehicles]
    assert len(set(vins)) == len(vins)
    phones = [c["mobile"] for c in customers] + [c["mobile2"] for c in customers if c["mobile2"]]
    assert len(set(phones)) == len(phones)
    plates = [v["plate"] for v in vehicles]
    assert len(set(plates)) == len(plates)
    cards = [c["card_number"] for c in customers if c["card_number"]]
    assert len(set(cards)) == len(cards)
    ros = [v["ro_number"] for v in visits]
    assert len(set(ros)) == len(ros)
    refs = [c["ref"] for c in customers]
    assert refs == [f"C{k:07d}" for k in range(1, N + 1)]


def test_unique_keys_across_distant_blocks(gen):
    """Uniqueness comes from bijections of the row index, not from luck."""
    far = [c for c, _ in gen.records(BLOCK, start=gen.max_customers - BLOCK)]
    near = [c for c, _ in gen.records(BLOCK)]
    assert not {c["mobile"] for c in far} & {c["mobile"] for c in near}


# ------------------------------------------------------------------ VINs and plates

_TRANSLIT = dict(zip("0123456789", range(10)))
_TRANSLIT.update(zip("ABCDEFGH", range(1, 9)))
_TRANSLIT.update(zip("JKLMN", range(1, 6)))
_TRANSLIT.update({"P": 7, "R": 9})
_TRANSLIT.update(zip("STUVWXYZ", range(2, 10)))
_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def iso3779_ok(vin: str) -> bool:
    """An independent ISO 3779 check (not the package's)."""
    if len(vin) != 17 or any(ch not in _TRANSLIT for ch in vin):
        return False
    r = sum(_TRANSLIT[ch] * w for ch, w in zip(vin, _WEIGHTS)) % 11
    return vin[8] == ("X" if r == 10 else str(r))


def test_every_vin_is_valid(data):
    _, vehicles, _ = data
    for v in vehicles:
        vin = v["vin"]
        assert iso3779_ok(vin), vin
        assert vin[:3] in BMW_WMIS
        assert vin[9] == YEAR_CODES[(v["model_year"] - 2010) % 30]
    assert {v["vin"][:3] for v in vehicles} >= {"WBA", "WBS", "WBY", "LBV"}


PROVINCES = "京津冀鲁沪苏浙皖粤湘川渝"
ORDINARY = re.compile(rf"[{PROVINCES}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{5}}")
NEW_ENERGY = re.compile(rf"[{PROVINCES}][A-HJ-NP-Z][DABCEFGHJK][A-HJ-NP-Z0-9]\d{{4}}")


def test_plate_formats(data):
    _, vehicles, _ = data
    power = {m.name: m.power for m in MODELS}
    green = 0
    for v in vehicles:
        plate = v["plate"]
        if power[v["model"]] == "ice":
            assert ORDINARY.fullmatch(plate), plate
            assert sum(ch.isalpha() for ch in plate[2:]) <= 2
        else:
            assert NEW_ENERGY.fullmatch(plate), plate
            assert (plate[2] in "DABCE") == (power[v["model"]] == "bev")
            green += 1
    assert 0.12 < green / len(vehicles) < 0.18
    provinces = Counter(v["plate"][0] for v in vehicles)
    assert provinces.most_common(1)[0][0] == "京"
    assert provinces["京"] / len(vehicles) > 0.6


# ------------------------------------------------------------------ customers

MOBILE = re.compile(r"1(3\d|4[57]|5[0-35-9]|66|7[35-8]|8\d|9[0135689])\d{8}")


def test_customer_fields(data, gen):
    customers, _, _ = data
    specialists = {s["code"] for s in gen.staff() if s["role"] in ("archive", "callback")}
    english = 0
    for c in customers:
        assert list(c) == CUSTOMER_FIELDS
        assert c["gender"] in ("M", "F")
        if " " in c["name"]:
            english += 1
            assert re.fullmatch(r"[A-Z][a-z]+ [A-ZÜ][a-zü]+", c["name"]), c["name"]
        else:
            assert 2 <= len(c["name"]) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in c["name"])
        born = date.fromisoformat(c["birthday"])
        age = AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
        assert 22 <= age <= 70
        assert MOBILE.fullmatch(c["mobile"]), c["mobile"]
        assert c["mobile2"] is None or MOBILE.fullmatch(c["mobile2"])
        assert c["email"] is None or re.fullmatch(r"[a-z0-9._]+@[a-z0-9.]+\.[a-z]+", c["email"])
        assert c["wechat"] is None or re.fullmatch(r"[A-Za-z0-9_]{6,30}", c["wechat"])
        assert c["address"].startswith(("北京市", "河北省", "天津市"))
        assert c["source"] in ("展厅", "网络", "转介绍", "车展", "老客户", "厂家线索")
        assert c["classification"] is None
        if c["card_number"]:
            assert re.fullmatch(r"VIP\d{8}", c["card_number"])
            assert c["card_level"] in ("普卡", "银卡", "金卡", "白金卡")
            assert c["card_issued"] <= AS_OF.isoformat() < "2031" and c["card_issued"] < c["card_expires"]
        else:
            assert c["card_level"] is c["card_issued"] is c["card_expires"] is None
        assert c["preferred_channel"] in ("phone", "sms", "wechat", "email")
        assert c["best_time"] in ("上午", "下午", "晚上")
        flags = [c[k] for k in ("consent_phone", "consent_sms", "consent_wechat", "consent_email")]
        assert all(isinstance(f, bool) for f in flags + [c["do_not_contact"]])
        if c["do_not_contact"]:
            assert not any(flags)
        assert isinstance(c["tags"], list) and all(isinstance(t, str) for t in c["tags"])
        assert c["specialist"] is None or c["specialist"] in specialists
    n = len(customers)
    share = lambda pred: sum(1 for c in customers if pred(c)) / n  # noqa: E731
    assert 0.003 < english / n < 0.02
    assert 0.07 < share(lambda c: c["mobile2"]) < 0.13
    assert 0.25 < share(lambda c: c["email"]) < 0.35
    assert 0.35 < share(lambda c: c["card_number"]) < 0.45
    assert 0.003 < share(lambda c: c["do_not_contact"]) < 0.02
    assert 0.9 < share(lambda c: c["consent_phone"]) < 0.99
    assert 0.55 < share(lambda c: c["gender"] == "M") < 0.75
    assert share(lambda c: c["city"] == "北京") > 0.6
    surnames = Counter(c["name"][0] for c in customers if " " not in c["name"])
    assert {s for s, _ in surnames.most_common(5)} <= {"王", "李", "张", "刘", "陈", "杨"}


def test_vehicle_fields(data):
    customers, vehicles, _ = data
    born = {c["ref"]: c["birthday"] for c in customers}
    models = {m.name for m in MODELS}
    for v in vehicles:
        assert list(v) == VEHICLE_FIELDS
        assert v["model"] in models
        delivered = date.fromisoformat(v["delivery_date"])
        assert date(2013, 1, 1) <= delivered < AS_OF
        assert v["model_year"] in (delivered.year, delivered.year + 1)
        assert delivered.year - int(born[v["owner_ref"]][:4]) >= 19
        assert 0 < v["mileage"] < 800_000
        assert AS_OF - timedelta(days=41) <= date.fromisoformat(v["insurance_expires"]) \
            <= AS_OF + timedelta(days=400)
        assert date.fromisoformat(v["inspection_due"]) >= AS_OF - timedelta(days=31)
    per_customer = len(vehicles) / len(customers)
    assert 1.1 < per_customer < 1.3
    assert Counter(v["owner_ref"] for v in vehicles).most_common(1)[0][1] <= 3


# ------------------------------------------------------------------ visits

def test_visits(data, gen):
    customers, vehicles, visits = data
    owner = {v["vin"]: v["owner_ref"] for v in vehicles}
    delivered = {v["vin"]: v["delivery_date"] for v in vehicles}
    advisors = {s["code"] for s in gen.staff() if s["role"] == "advisor"}
    earliest = (AS_OF - timedelta(days=3 * 365)).isoformat()
    by_vin = defaultdict(list)
    for v in visits:
        assert list(v) == VISIT_FIELDS
        m = re.fullmatch(r"RO(\d{8})-(\d{4,})", v["ro_number"])
        assert m and m.group(1) == v["date_in"][:10].replace("-", "")
        assert owner[v["vin"]] == v["customer_ref"]
        d_in, d_out = datetime.fromisoformat(v["date_in"]), datetime.fromisoformat(v["date_out"])
        assert d_in < d_out and d_out.date() <= AS_OF
        assert earliest <= v["date_in"] < AS_OF.isoformat()
        assert v["type"] in ("maintenance", "repair", "warranty", "bodypaint", "pdi")
        assert v["advisor"] in advisors
        assert v["amount"] >= 0 and (v["amount"] == 0) == (v["type"] == "warranty" or (
            v["type"] == "pdi" and v["items"] == ["新车PDI检查"]))
        assert v["items"] and all(isinstance(i, str) for i in v["items"])
        if v["type"] == "pdi":
            assert v["date_in"][:10] < delivered[v["vin"]]
        by_vin[v["vin"]].append(v)
    for vs in by_vin.values():
        assert [x["date_in"] for x in vs] == sorted(x["date_in"] for x in vs)
        kms = [x["mileage"] for x in vs]
        assert all(a < b for a, b in zip(kms, kms[1:])), kms
        assert all(a["date_out"] < b["date_in"] for a, b in zip(vs, vs[1:]))
    assert 2.5 < len(visits) / len(customers) < 3.5
    kinds = Counter(v["type"] for v in visits)
    assert kinds.most_common(1)[0][0] == "maintenance" and set(kinds) == {
        "maintenance", "repair", "warranty", "bodypaint", "pdi"}


def test_appointments_and_interactions(gen):
    codes = {s["code"]: s["role"] for s in gen.staff()}
    appts = list(gen.appointments(3000))
    assert 100 < len(appts) < 300
    for a in appts:
        assert a["status"] in ("booked", "arrived", "no_show", "cancelled")
        if a["scheduled_at"] >= AS_OF.isoformat():
            assert a["status"] in ("booked", "cancelled")
        else:
            assert a["status"] != "booked"
        assert codes[a["booked_by"]] == "appointment" and codes[a["advisor"]] == "advisor"
        assert a["created_at"] < a["scheduled_at"]
    logs = list(gen.interactions(3000))
    assert 800 < len(logs) < 1600
    for e in logs:
        assert e["channel"] in ("call", "sms", "wechat", "visit")
        assert e["direction"] in ("in", "out") and e["staff"] in codes
        assert "{" not in e["summary"] and e["at"] < AS_OF.isoformat()
