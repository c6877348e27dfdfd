"""The deterministic generator of dealer data.

Design
------
* Every random draw comes from a :class:`random.Random` seeded with a string
  built from the generator's seed and a *stream* name (``people/17``,
  ``visits/17`` …).  String seeds are hashed with SHA-512 by CPython, so a
  seed gives the same data on every machine and Python version that keeps
  Mersenne Twister; no global ``random``, no wall clock.
* Customers come in blocks of :data:`BLOCK` consecutive customers.  Block ``b``
  has its own stream, so customer ``i`` (and its vehicles) depend only on the
  seed, ``as_of``, the city and ``i``: ``customers(10)`` is a prefix of
  ``customers(10_000)``, and any block can be regenerated on its own.
* Values that must be unique (mobile, VIN, plate, card number) are not drawn
  but computed from the row index through seeded bijections
  (:class:`~crm.sampledata.perm.Bijection`), so no set of used values is kept:
  memory stays constant however many rows are streamed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

from . import names as N
from . import places as P
from . import service as S
from . import vehicles as V
from .history import ServiceHistory
from .perm import Bijection

#: Customers per random stream; also the granularity of random access.
BLOCK = 256
#: At most this many vehicles per customer (keys ``3 * i + k``).
MAX_VEHICLES = 3
#: Slots a customer index is mapped to for its (area, plate region) pair.
SLOTS = 1000
#: Default largest number of customers (limited by VIN serial space).
CAPACITY = 2_000_000
#: Share of vehicles that are new-energy (green 8-character plates), out of 20.
NEV_PER_20 = 3

STAFF_ROLES = ("manager", "satisfaction", "appointment", "callback", "archive", "advisor", "it")
# (role, how many, daily capacity range)
_DEPARTMENT = (
    ("manager", 1, (10, 20)),
    ("satisfaction", 2, (50, 80)),
    ("appointment", 2, (40, 70)),
    ("callback", 4, (40, 80)),
    ("archive", 2, (20, 40)),
    ("advisor", 8, (10, 20)),
    ("it", 1, (0, 0)),
)

SOURCES = (("展厅", 35), ("网络", 20), ("转介绍", 15), ("车展", 5), ("老客户", 15), ("厂家线索", 10))
CARD_LEVELS = (("普卡", 50), ("银卡", 30), ("金卡", 15), ("白金卡", 5))
CHANNELS = (("phone", 45), ("wechat", 35), ("sms", 15), ("email", 5))
BEST_TIMES = (("上午", 30), ("下午", 45), ("晚上", 25))
MOBILE_PREFIXES = (
    # China Mobile
    ("134", 3), ("135", 5), ("136", 5), ("137", 5), ("138", 7), ("139", 8), ("147", 1), ("150", 3),
    ("151", 3), ("152", 2), ("157", 1), ("158", 3), ("159", 3), ("178", 2), ("182", 2), ("183", 2),
    ("184", 1), ("187", 3), ("188", 3), ("195", 1), ("198", 2),
    # China Unicom
    ("130", 3), ("131", 3), ("132", 2), ("155", 2), ("156", 2), ("166", 1), ("175", 1), ("176", 2),
    ("185", 3), ("186", 4), ("196", 1),
    # China Telecom
    ("133", 3), ("153", 2), ("173", 1), ("177", 2), ("180", 2), ("181", 2), ("189", 3), ("190", 1),
    ("191", 1), ("193", 1), ("199", 2),
)
EMAIL_DOMAINS = (
    ("163.com", 30), ("126.com", 14), ("sina.com", 8), ("139.com", 6), ("hotmail.com", 6),
    ("outlook.com", 6), ("gmail.com", 6), ("foxmail.com", 5), ("icloud.com", 6), ("sohu.com", 3),
    ("yeah.net", 3), ("aliyun.com", 3),
)
NOTES = (
    "客户较忙，请下午联系", "对价格敏感", "喜欢微信沟通", "家里有两台车", "公司车辆，联系人为行政",
    "老客户介绍", "不喜欢电话打扰", "车辆主要由家属使用", "有置换意向，关注新款", "对上次维修有抱怨",
    "在外地工作，节假日回京", "需要开具增值税专用发票",
)
OPTIONAL_TAGS = (
    ("置换意向", 0.10), ("增购意向", 0.05), ("投诉客户", 0.03), ("延保客户", 0.08),
    ("车队客户", 0.03), ("转介绍达人", 0.03), ("续保客户", 0.20),
)
# Age of customers: (age from, age to, weight)
_AGE_BANDS = ((22, 25, 4), (26, 30, 12), (31, 35, 18), (36, 40, 18), (41, 45, 15),
              (46, 50, 12), (51, 55, 9), (56, 60, 6), (61, 65, 4), (66, 70, 2))
# How long ago cars were delivered, in whole years: weight of 0, 1, 2 … years back.
_DELIVERY_YEARS_ICE = (10, 13, 13, 12, 11, 10, 9, 7, 5, 4, 3, 2)
_DELIVERY_YEARS_NEV = (26, 22, 18, 13, 9, 6, 4, 2, 1)
# Annual mileage (km) and its weight.
_KM_PER_YEAR = ((5000, 6), (8000, 14), (10000, 18), (12000, 18), (15000, 16), (18000, 12),
                (22000, 9), (28000, 5), (35000, 2))


# Sizes of the flat lookup tables (``table[int(random() * K)]``).
K = 4096
KS = 16384  # surnames: the rarest weigh 1/10 000
KD = 256  # districts of an area
KM = 1024  # models on sale in a year


_weighted = N.weighted


def _ref_index(ref: str) -> int:
    """Customer index from a ``C0000001``-style ref (0-based)."""
    if not (isinstance(ref, str) and len(ref) >= 2 and ref[0] == "C" and ref[1:].isdigit()):
        raise ValueError(f"not a generated customer ref: {ref!r}")
    return int(ref[1:]) - 1


class Generator(ServiceHistory):
    """Deterministic generator of a dealer's staff, customers, vehicles and history.

    >>> g = Generator(seed=1)
    >>> first = next(g.customers(1))
    >>> first["ref"]
    'C0000001'

    ``as_of`` is the generator's "today": every date is relative to it.
    ``city`` is the dealer's city (one of :data:`~crm.sampledata.places.CITY_MIXES`).
    """

    def __init__(self, seed: int = 1, as_of: date = date(2026, 11, 20), city: str = "北京") -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError("seed must be an int")
        if type(as_of) is not date:  # noqa: E721 - a datetime is not accepted
            raise TypeError("as_of must be a datetime.date")
        if not date(2019, 1, 1) <= as_of <= date(2040, 12, 31):
            raise ValueError("as_of must be between 2019-01-01 and 2040-12-31")
        if city not in P.CITY_MIXES:
            raise ValueError(f"unknown city {city!r}; one of {', '.join(P.CITY_MIXES)}")
        self.seed = seed
        self.as_of = as_of
        self.city = city
        self.dealer = P.CITY_MIXES[city].dealer
        self._cache: tuple[int, list] | None = None
        rng = random.Random(self._stream("tables"))
        self._build_dates()
        self._build_people_tables()
        self._build_places(rng)
        self._build_vehicle_tables(rng)
        self._mobile_perm = Bijection(10**4, 10**4, rng)
        self._vin_perm = Bijection(2200, 3000, rng)  # 6.6M tails >= 3 * CAPACITY keys
        self._staff = self._make_staff(random.Random(self._stream("staff")))
        self._build_staff_tables()

    # ------------------------------------------------------------ set-up

    def _stream(self, name: str) -> str:
        return f"crm.sampledata/{self.seed}/{self.as_of.isoformat()}/{self.city}/{name}"

    def _build_dates(self) -> None:
        """ISO strings and year*100+month for every day the generator can emit."""
        base = date(self.as_of.year - 75, 1, 1).toordinal()
        end = date(self.as_of.year + 12, 12, 31).toordinal()
        iso, ym, dom = [], [], []
        for o in range(base, end + 1):
            d = date.fromordinal(o)
            iso.append(d.isoformat())
            ym.append(d.year * 100 + d.month)
            dom.append(d.day)
        self._dom = dom
        self._base = base
        self._iso = iso
        self._ym = ym
        self._today = self.as_of.toordinal()
        # birthday ranges per age: born in (as_of - (age+1) years, as_of - age years]
        self._age_lo_hi: dict[int, tuple[int, int]] = {}
        for age in range(22, 71):
            hi = _years_before(self.as_of, age).toordinal()
            lo = _years_before(self.as_of, age + 1).toordinal() + 1
            self._age_lo_hi[age] = (lo, hi)
        self._times = [f"{m // 60:02d}:{m % 60:02d}:00" for m in range(24 * 60)]

    def _build_people_tables(self) -> None:
        surnames = [((s, p)) for s, p, _ in N.SURNAMES] + [(s, p) for s, p, _ in N.COMPOUND_SURNAMES]
        weights = [w for *_, w in N.SURNAMES] + [w for *_, w in N.COMPOUND_SURNAMES]
        self._surnames = N.expand(surnames, weights, KS)
        self._male_chars = N.expand([(c, p) for c, p, _ in N.MALE_CHARS], [w for *_, w in N.MALE_CHARS])
        self._female_chars = N.expand([(c, p) for c, p, _ in N.FEMALE_CHARS],
                                      [w for *_, w in N.FEMALE_CHARS])
        self._male_given = N.expand([(c, p) for c, p, _ in N.MALE_GIVEN], [w for *_, w in N.MALE_GIVEN])
        self._female_given = N.expand([(c, p) for c, p, _ in N.FEMALE_GIVEN],
                                      [w for *_, w in N.FEMALE_GIVEN])
        ages = [(a, w / (hi - lo + 1)) for lo, hi, w in _AGE_BANDS for a in range(lo, hi + 1)]
        self._ages = _weighted(ages)
        self._mobile_prefixes = _weighted(MOBILE_PREFIXES)
        self._email_domains = _weighted(EMAIL_DOMAINS)
        self._sources = _weighted(SOURCES)
        self._card_levels = _weighted(CARD_LEVELS)
        self._channels = _weighted(CHANNELS)
        self._best_times = _weighted(BEST_TIMES)
        self._km_rates = _weighted(_KM_PER_YEAR)

    def _build_places(self, rng: random.Random) -> None:
        mix = P.CITY_MIXES[self.city]
        areas = []
        for area_name in dict.fromkeys(a for a, _, _ in mix.pairs):
            area = P.AREAS[area_name]
            districts = N.expand([(d, roads) for d, _, roads in area.districts],
                                 [w for _, w, _ in area.districts], KD)
            areas.append((area.name, area.prefixes, districts))
        area_index = {a[0]: k for k, a in enumerate(areas)}
        regions = list(dict.fromkeys(r for _, r, _ in mix.pairs))
        # slot -> pair; consecutive slots of a pair, ranks within the plate region
        slots = []
        for area_name, region, w in mix.pairs:
            slots.extend([(area_index[area_name], regions.index(region))] * w)
        counts = [0] * len(regions)
        self._slots = []
        for a, reg in slots:
            self._slots.append((a, reg, counts[reg]))
            counts[reg] += 1
        q = CAPACITY // SLOTS
        self._q = q
        self._city_perm = Bijection(SLOTS, q, rng)
        self._regions = []
        for reg, key in enumerate(regions):
            pr = P.PLATE_REGIONS[key]
            keys = MAX_VEHICLES * counts[reg]  # x q: plate keys of the region
            nl = len(pr.letters)
            nev_needed = (keys * q // 20 + 1) * NEV_PER_20
            ord_needed = (keys * q // 20 + 1) * (20 - NEV_PER_20)
            if nev_needed > nl * V.NEV_TAILS or ord_needed > nl * V.ORDINARY_TAILS:
                raise AssertionError(f"plate region {key} too small for {CAPACITY} customers")
            self._regions.append((pr.province, pr.letters, counts[reg], Bijection(keys, q, rng)))
        self._areas = areas
        self._compounds = [h + t for h in P.COMPOUND_HEADS for t in P.COMPOUND_TAILS]
        self.max_customers = q * SLOTS

    def _build_vehicle_tables(self, rng: random.Random) -> None:
        w = V.VIN_WEIGHTS
        variants = {}
        for m in V.MODELS:
            vs = []
            for vds in m.vds:
                prefix = m.wmi + vds
                partial = sum(V.vin_value(c) * w[k] for k, c in enumerate(prefix))
                vs.append((prefix, partial))
            variants[m] = (m.name, tuple(vs), m.plants, m.power, m.tier)
        self._model_info = {m.name: (m.power, m.tier) for m in V.MODELS}
        first_year = self.as_of.year - len(_DELIVERY_YEARS_ICE) - 1
        self._models_ice: dict[int, list] = {}
        self._models_nev: dict[int, list] = {}
        for year in range(first_year, self.as_of.year + 1):
            for power_nev, table in ((False, self._models_ice), (True, self._models_nev)):
                ms = [m for m in V.MODELS if (m.power != "ice") == power_nev
                      and m.first_year <= year <= m.last_year]
                if ms:
                    table[year] = N.expand([variants[m] for m in ms], [m.weight for m in ms], KM)
        self._year_codes = {y: (V.year_code(y), V.vin_value(V.year_code(y)) * w[9])
                            for y in range(first_year, self.as_of.year + 2)}
        self._plant_values = {c: V.vin_value(c) * w[10] for c in V.VIN_ALPHABET}
        self._p12 = [(c, V.vin_value(c) * w[11]) for c in V.VIN_ALPHABET]
        self._ser_hi = [(n // 10) * w[12] + (n % 10) * w[13] for n in range(100)]
        self._ser_lo = [(n // 100) * w[14] + (n // 10 % 10) * w[15] + (n % 10) * w[16]
                        for n in range(1000)]
        self._colours = _weighted(V.COLOURS)
        self._repairs_bev = [x for x in S.REPAIR if x[3] != "ice"]
        self._repairs_ice = [x for x in S.REPAIR if x[3] != "bev"]
        years_ice = [(y, wt) for y, wt in enumerate(_DELIVERY_YEARS_ICE)]
        # new-energy cars: none delivered before 2014 (the first i3)
        years_nev = [(y, wt) for y, wt in enumerate(_DELIVERY_YEARS_NEV)
                     if self.as_of.year - y - 1 >= 2014]
        self._deliv_ice = _weighted(years_ice)
        self._deliv_nev = _weighted(years_nev)

    def _make_staff(self, rng: random.Random) -> list[dict]:
        r = rng.random
        staff, codes = [], set()
        plan = [(role, n, cap, True) for role, n, cap in _DEPARTMENT]
        plan.append(("advisor", 1, (10, 20), False))  # a service advisor who has left
        for role, n, (lo, hi), active in plan:
            for _ in range(n):
                male = r() < 0.55 if role != "advisor" else r() < 0.8
                name, py = self._chinese_name(r, male)
                code = "".join(py)
                k = 2
                while code in codes:
                    code = f"{''.join(py)}{k}"
                    k += 1
                codes.add(code)
                level = 3 if role == "manager" else 1 + int(r() * 3)
                staff.append({
                    "code": code,
                    "name": name,
                    "role": role,
                    "level": level,
                    "daily_capacity": lo + int(r() * (hi - lo + 1)),
                    "active": active,
                })
        return staff

    def _build_staff_tables(self) -> None:
        st = self._staff
        self._specialists = [s["code"] for s in st if s["role"] in ("archive", "callback") and s["active"]]
        self._advisors_all = [s["code"] for s in st if s["role"] == "advisor"]
        self._advisors = [s["code"] for s in st if s["role"] == "advisor" and s["active"]]
        self._former_advisor_left = self._today - 400  # the inactive advisor's last day
        self._by_role = {role: [s["code"] for s in st if s["role"] == role and s["active"]]
                         for role in STAFF_ROLES}

    def _add_years(self, o: int, years: int) -> int:
        """Day ``o`` (an ordinal) plus whole years."""
        k = o - self._base
        yyyymm = self._ym[k]
        return _same_day(yyyymm // 100 + years, yyyymm % 100, self._dom[k])

    def _anniversary(self, o: int, floor: int) -> int:
        """First anniversary of day ``o`` (a year later at least) on or after ``floor``."""
        k = o - self._base
        yyyymm, day = self._ym[k], self._dom[k]
        month = yyyymm % 100
        year = max(self._ym[floor - self._base] // 100, yyyymm // 100 + 1)
        a = _same_day(year, month, day)
        return a if a >= floor else _same_day(year + 1, month, day)

    def _chinese_name(self, r, male: bool) -> tuple[str, tuple[str, ...]]:
        """A Chinese name and its pinyin syllables (surname first)."""
        s, spy = self._surnames[int(r() * KS)]
        chars = self._male_chars if male else self._female_chars
        if len(s) == 2:
            c, p = chars[int(r() * K)]
            return s + c, (spy, p)
        u = r()
        if u < 0.22:
            c, p = chars[int(r() * K)]
            return s + c, (spy, p)
        if u < 0.40:
            given = self._male_given if male else self._female_given
            g, gp = given[int(r() * K)]
            return s + g, (spy, gp)
        c1, p1 = chars[int(r() * K)]
        c2, p2 = chars[int(r() * K)]
        return s + c1 + c2, (spy, p1 + p2)

    # ------------------------------------------------------------ public API

    def staff(self) -> Iterator[dict]:
        """The department: 20 active staff (1 manager, 2 satisfaction, 2 appointment,
        4 callback, 2 archive specialists, 8 service advisors, 1 IT) and one former
        service advisor (``active`` False) who still appears on old repair orders."""
        for s in self._staff:
            yield dict(s)

    def customers(self, n: int, start: int = 0) -> Iterator[dict]:
        """Customers ``start+1 … start+n`` (refs ``C0000001``…), streamed."""
        for c, _ in self.records(n, start):
            yield c

    def vehicles(self, n_customers: int, start: int = 0) -> Iterator[dict]:
        """The vehicles of customers ``start+1 … start+n_customers`` (about 1.2 each)."""
        for _, vs in self.records(n_customers, start):
            yield from vs

    def records(self, n: int, start: int = 0) -> Iterator[tuple[dict, list[dict]]]:
        """``(customer, [vehicles])`` pairs: the cheapest way to get both."""
        self._check_range(n, start)
        i, stop = start, start + n
        while i < stop:
            b, off = divmod(i, BLOCK)
            count = min(BLOCK, stop - b * BLOCK)
            block = self._block(b, count)
            yield from block[off:count]
            i = b * BLOCK + count

    def _blocks(self, n: int, start: int) -> Iterator[tuple[int, list]]:
        """``(block number, records)`` for the customers of a range."""
        self._check_range(n, start)
        i, stop = start, start + n
        while i < stop:
            b, off = divmod(i, BLOCK)
            count = min(BLOCK, stop - b * BLOCK)
            yield b, self._block(b, count)[off:count]
            i = b * BLOCK + count

    def vehicles_for(self, customer: dict | str) -> list[dict]:
        """The vehicles of one customer (a customer dict or its ref).

        Vehicles depend only on the ref (and the generator's parameters), so the
        result equals what :meth:`vehicles` yields for that customer.  Calling it
        for consecutive customers is cheap (one block is cached); a random
        customer costs regenerating its block of :data:`BLOCK` customers.
        """
        ref = customer if isinstance(customer, str) else customer["ref"]
        i = _ref_index(ref)
        self._check_range(1, i)
        b, off = divmod(i, BLOCK)
        if self._cache is None or self._cache[0] != b:
            self._cache = (b, self._block(b, BLOCK))
        return [dict(v) for v in self._cache[1][off][1]]

    def _check_range(self, n: int, start: int) -> None:
        if n < 0 or start < 0:
            raise ValueError("n and start must not be negative")
        if start + n > self.max_customers:
            raise ValueError(f"at most {self.max_customers} customers can be generated")

    # ------------------------------------------------------------ the hot loop

    def _block(self, b: int, count: int) -> list[tuple[dict, list[dict]]]:
        """Customers ``b*BLOCK … b*BLOCK+count-1`` with their vehicles."""
        rng = random.Random(self._stream(f"people/{b}"))
        r = rng.random
        bits = rng.getrandbits
        iso, ym, base, today = self._iso, self._ym, self._base, self._today
        surnames = self._surnames
        mchars, fchars = self._male_chars, self._female_chars
        mgiven, fgiven = self._male_given, self._female_given
        ages, age_lo_hi = self._ages, self._age_lo_hi
        prefixes, mobile_perm = self._mobile_prefixes, self._mobile_perm
        domains = self._email_domains
        slots, city_perm, q_all = self._slots, self._city_perm, self._q
        areas, regions, compounds = self._areas, self._regions, self._compounds
        sources, levels, channels, times = self._sources, self._card_levels, self._channels, self._best_times
        specialists = self._specialists
        deliv_ice, deliv_nev = self._deliv_ice, self._deliv_nev
        models_ice, models_nev = self._models_ice, self._models_nev
        year_codes, plant_values, p12s = self._year_codes, self._plant_values, self._p12
        ser_hi, ser_lo, vin_perm = self._ser_hi, self._ser_lo, self._vin_perm
        colours, km_rates = self._colours, self._km_rates
        ordinary_tail, nev_tail = V.ordinary_tail, V.nev_tail
        en_m, en_f, en_s = N.ENGLISH_MALE, N.ENGLISH_FEMALE, N.ENGLISH_SURNAMES
        add_years, anniversary = self._add_years, self._anniversary
        out = []
        first = b * BLOCK
        for i in range(first, first + count):
            # --- who
            male = r() < 0.66
            if r() < 0.01:  # English name
                given = (en_m if male else en_f)[int(r() * (len(en_m) if male else len(en_f)))]
                if r() < 0.3:
                    family = en_s[int(r() * len(en_s))]
                else:
                    family = surnames[int(r() * KS)][1].capitalize()
                name = f"{given} {family}"
                py = (family.lower().replace("ü", "ue"), given.lower())
            else:
                s, spy = surnames[int(r() * KS)]
                chars = mchars if male else fchars
                u = r()
                if len(s) == 2 or u < 0.22:
                    c, p = chars[int(r() * K)]
                    name, py = s + c, (spy, p)
                elif u < 0.40:
                    gt = mgiven if male else fgiven
                    g, gp = gt[int(r() * K)]
                    name, py = s + g, (spy, gp)
                else:
                    c1, p1 = chars[int(r() * K)]
                    c2, p2 = chars[int(r() * K)]
                    name, py = s + c1 + c2, (spy, p1 + p2)
            lo, hi = age_lo_hi[ages[int(r() * K)]]
            born = lo + int(r() * (hi - lo + 1))
            birthday = iso[born - base]
            # --- contact
            mobile = prefixes[int(r() * K)] + f"{mobile_perm(i):08d}"
            mobile2 = None
            if r() < 0.10:
                mobile2 = prefixes[int(r() * K)] + f"{mobile_perm(50_000_000 + i):08d}"
            full = py[0] + py[1]
            yy = iso[born - base][2:4]
            u = r()
            if u < 0.10:
                wechat = None
            elif u < 0.45:
                wechat = f"wxid_{bits(56):014x}"
            elif u < 0.75:
                v = r()
                if v < 0.4:
                    wechat = f"{full}{yy}"
                elif v < 0.7:
                    wechat = f"{full}_{int(r() * 1000):03d}"
                else:
                    wechat = f"{py[1]}{py[0]}{mobile[-4:]}"
            else:
                wechat = mobile
            email = None
            if r() < 0.30:
                v = r()
                if v < 0.40:
                    email = f"{10_000_000 + int(r() * 2_990_000_000)}@qq.com"
                else:
                    dom = domains[int(r() * K)]
                    w2 = r()
                    if w2 < 0.35:
                        email = f"{full}{yy}@{dom}"
                    elif w2 < 0.60:
                        email = f"{py[1]}.{py[0]}@{dom}"
                    elif w2 < 0.80:
                        email = f"{full}@{dom}"
                    else:
                        email = f"{full}{int(r() * 10000)}@{dom}"
            # --- where: the slot fixes the area and the plate region
            slot, q = divmod(city_perm(i), q_all)
            area_i, reg_i, rank = slots[slot]
            area_name, aprefixes, districts = areas[area_i]
            district, roads = districts[int(r() * KD)]
            road = roads[int(r() * len(roads))]
            pre = aprefixes[int(r() * len(aprefixes))]
            u = r()
            num = 1 + int(r() * 199)
            if u < 0.35:
                address = (f"{pre}{district}{road}{num}号院{1 + int(r() * 18)}号楼"
                           f"{1 + int(r() * 4)}单元{(2 + int(r() * 26)) * 100 + 1 + int(r() * 4)}")
            elif u < 0.70:
                address = (f"{pre}{district}{compounds[int(r() * len(compounds))]}"
                           f"{1 + int(r() * 30)}号楼{1 + int(r() * 4)}单元"
                           f"{(1 + int(r() * 28)) * 100 + 1 + int(r() * 4)}")
            elif u < 0.90:
                address = (f"{pre}{district}{road}{num}号{compounds[int(r() * len(compounds))]}"
                           f"{1 + int(r() * 20)}-{1 + int(r() * 4)}-"
                           f"{(1 + int(r() * 30)) * 100 + 1 + int(r() * 4)}")
            else:
                address = f"{pre}{district}{road}{num}号"
            province, letters, reg_count, reg_perm = regions[reg_i]
            j = q * reg_count + rank  # index of the customer within the plate region
            # --- vehicles
            u = r()
            nveh = 1 if u < 0.84 else (2 if u < 0.97 else 3)
            ref = f"C{i + 1:07d}"
            vehicles = []
            earliest = today
            any_nev = premium = False
            for k in range(nveh):
                t = reg_perm(j * MAX_VEHICLES + k)
                grp, pos = divmod(t, 20)
                nev = pos < NEV_PER_20
                dtab = deliv_nev if nev else deliv_ice
                yb = dtab[int(r() * K)]
                dl = today - 3 - int((yb + r()) * 365.25)
                adult = born + 7306  # 20th birthday, near enough
                if dl < adult:
                    dl = adult + int(r() * (today - 3 - adult))
                if dl < earliest:
                    earliest = dl
                yyyymm = ym[dl - base]
                year = yyyymm // 100
                table = (models_nev if nev else models_ice)[year]
                mname, variants, plants, power, tier = table[int(r() * KM)]
                model_year = year + 1 if yyyymm % 100 >= 9 and r() < 0.4 else year
                prefix8, partial = variants[int(r() * len(variants))]
                yc, ycv = year_codes[model_year]
                plant_i, s_ = divmod(vin_perm(i * MAX_VEHICLES + k), 3_300_000)
                p12i, serial = divmod(s_, 100_000)
                plant = plants[plant_i]
                p12, p12v = p12s[p12i]
                total = (partial + ycv + plant_values[plant] + p12v
                         + ser_hi[serial // 1000] + ser_lo[serial % 1000])
                rem = total % 11
                vin = f"{prefix8}{'X' if rem == 10 else rem}{yc}{plant}{p12}{serial:05d}"
                nl = len(letters)
                if nev:
                    rank_ = grp * NEV_PER_20 + pos
                    plate = province + letters[rank_ % nl] + nev_tail(rank_ // nl, power == "bev")
                    any_nev = True
                else:
                    rank_ = grp * (20 - NEV_PER_20) + pos - NEV_PER_20
                    plate = province + letters[rank_ % nl] + ordinary_tail(rank_ // nl)
                if tier == 3:
                    premium = True
                age_days = today - dl
                rate = km_rates[int(r() * K)] * (0.85 + 0.3 * r())
                mileage = int(rate * age_days / 365.25) + 5 + int(r() * 40)
                if r() < 0.08:  # insured elsewhere, on another cycle
                    ins = today - 40 + int(r() * 400)
                else:
                    ins = anniversary(dl, today - 40)
                if age_days < 2191:
                    insp = add_years(dl, 6)
                elif age_days < 3652:
                    insp = add_years(dl, 10)
                else:
                    insp = anniversary(dl, today - 30)
                vehicles.append({
                    "vin": vin,
                    "plate": plate,
                    "model": mname,
                    "model_year": model_year,
                    "colour": colours[int(r() * K)],
                    "delivery_date": iso[dl - base],
                    "mileage": mileage,
                    "insurance_expires": iso[ins - base],
                    "inspection_due": iso[insp - base],
                    "owner_ref": ref,
                })
            # --- membership, preferences, tags
            if r() < 0.40:
                card_number = f"VIP{mobile_perm(25_000_000 + i):08d}"
                card_level = levels[int(r() * K)]
                issued = earliest + int(r() * min(730, today - earliest))
                card_issued = iso[issued - base]
                card_expires = iso[add_years(issued, 2 if r() < 0.6 else 3) - base]
            else:
                card_number = card_level = card_issued = card_expires = None
            channel = channels[int(r() * K)]
            if channel == "email" and email is None:
                channel = "phone"
            elif channel == "wechat" and wechat is None:
                channel = "sms"
            dnc = r() < 0.01
            consent_phone = r() < 0.97 and not dnc
            consent_sms = r() < 0.93 and not dnc
            consent_wechat = wechat is not None and r() < 0.95 and not dnc
            consent_email = email is not None and r() < 0.85 and not dnc
            tags = []
            if any_nev:
                tags.append("新能源")
            if nveh > 1:
                tags.append("多车客户")
            if premium:
                tags.append("高端车型")
            if card_level in ("金卡", "白金卡"):
                tags.append("VIP")
            for tag, p in OPTIONAL_TAGS:
                if r() < p:
                    tags.append(tag)
            notes = NOTES[int(r() * len(NOTES))] if r() < 0.15 else None
            specialist = specialists[int(r() * len(specialists))] if r() < 0.9 else None
            customer = {
                "ref": ref,
                "name": name,
                "gender": "M" if male else "F",
                "birthday": birthday,
                "mobile": mobile,
                "mobile2": mobile2,
                "wechat": wechat,
                "email": email,
                "city": area_name,
                "address": address,
                "source": sources[int(r() * K)],
                "classification": None,
                "card_number": card_number,
                "card_level": card_level,
                "card_issued": card_issued,
                "card_expires": card_expires,
                "preferred_channel": channel,
                "best_time": times[int(r() * K)],
                "consent_phone": consent_phone,
                "consent_sms": consent_sms,
                "consent_wechat": consent_wechat,
                "consent_email": consent_email,
                "do_not_contact": dnc,
                "tags": tags,
                "notes": notes,
                "specialist": specialist,
            }
            out.append((customer, vehicles))
        return out

# ---------------------------------------------------------------- date helpers

def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _same_day(year: int, month: int, day: int) -> int:
    """Ordinal of a month/day in a year, 29 February falling back to the 28th."""
    try:
        return date(year, month, day).toordinal()
    except ValueError:
        return date(year, month, 28).toordinal()
