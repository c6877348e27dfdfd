"""Realistic, deterministic seed data for a BMW dealer in Beijing.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, relative
to the server clock's start instant: the same seed and start give the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import pools
from .adf import AdfLead, build_adf
from .records import Record, format_id, ID_PREFIXES
from .timefmt import CHINA_TZ, china_date, china_iso, format_instant, parse_instant
from .vin import make_vin

DAY = 86400
HOUR = 3600
DEALER_NAME = "北京宝辰汽车销售服务有限公司"
OTHER_DEALERS = ("BJ003", "BJ007", "TJ002", "HB011")


@dataclass(frozen=True)
class Volumes:
    """How many records each stream starts with."""

    owners: int = 200
    leads: int = 50
    complaints: int = 20
    campaigns: int = 8
    surveys: int = 60


@dataclass
class SeedContext:
    """What the generators share: the dealer, the clock start, what is taken."""

    dealer_code: str
    now: int
    owners: list[dict[str, Any]] = field(default_factory=list)
    vins: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)


def _weighted(rng: random.Random, items: tuple, weights: tuple) -> Any:
    return rng.choices(items, weights=weights, k=1)[0]


def person_name(rng: random.Random) -> str:
    """A Chinese full name: surname then given name."""
    surname = rng.choices(pools.SURNAMES, weights=pools.SURNAME_WEIGHTS, k=1)[0]
    return surname + rng.choice(pools.GIVEN_NAMES)


def mobile(rng: random.Random, taken: set[str]) -> str:
    """An 11-digit Chinese mobile number with a real prefix, unique within ``taken``."""
    while True:
        number = rng.choice(pools.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in taken:
            taken.add(number)
            return number


def place(rng: random.Random) -> pools.Place:
    """A city weighted towards Beijing."""
    return rng.choices(pools.PLACES, weights=[p.weight for p in pools.PLACES], k=1)[0]


def plate(rng: random.Random, where: pools.Place, energy: str) -> str:
    """A licence plate of the city: 7 characters, or 8 for new-energy vehicles."""
    prefix = where.province + rng.choice(where.letters)
    if energy in ("bev", "phev"):
        kind = "D" if energy == "bev" else "F"
        return prefix + kind + f"{rng.randrange(10**5):05d}"
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    chars = [str(rng.randrange(10)) for _ in range(5)]
    for position in rng.sample(range(5), k=rng.choice((0, 1, 1, 2))):
        chars[position] = rng.choice(alphabet)
    return prefix + "".join(chars)


def china_time(epoch: int, hour: int, minute: int = 0, second: int = 0) -> int:
    """The instant at a given wall-clock time in China on the day of ``epoch``."""
    day = datetime.fromtimestamp(epoch, tz=CHINA_TZ)
    local = day.replace(hour=hour, minute=minute, second=second, microsecond=0)
    return int(local.timestamp())


def business_instant(rng: random.Random, start: int, end: int) -> int:
    """An instant between start and end, moved into 09:00-21:00 China time."""
    moment = rng.randint(start, max(start, end))
    wall = datetime.fromtimestamp(moment, tz=CHINA_TZ)
    if not 9 <= wall.hour < 21:
        moment = china_time(moment, rng.randint(9, 20), rng.randrange(60), rng.randrange(60))
    return min(max(moment, start), max(start, end))


def new_owner(rng: random.Random, ctx: SeedContext) -> dict[str, Any]:
    """Fields of an owner record (a car delivered to a customer)."""
    model = rng.choices(pools.MODELS, weights=[m.weight for m in pools.MODELS], k=1)[0]
    delivered = rng.randint(ctx.now - 6 * 365 * DAY, ctx.now - 3 * DAY)
    delivery = china_date(delivered)
    model_year = max(model.first_year, delivery.year + (1 if delivery.month >= 10 and rng.random() < 0.5 else 0))
    model_year = min(model_year, 2039)
    while True:
        vin = make_vin(model.wmi, model.vds, model_year, model.plant, rng.randrange(10**6))
        if vin not in ctx.vins:
            ctx.vins.add(vin)
            break
    where = place(rng)
    fresh = delivered > ctx.now - 10 * DAY
    return {
        "vin": vin,
        "plate": None if fresh and rng.random() < 0.6 else plate(rng, where, model.energy),
        "model": model.name,
        "model_year": model_year,
        "delivery_date": delivery.isoformat(),
        "owner": {"name": person_name(rng), "phone": mobile(rng, ctx.phones), "city": where.city},
        "selling_dealer": ctx.dealer_code if rng.random() < 0.85 else rng.choice(OTHER_DEALERS),
    }


def new_lead(
    rng: random.Random, ctx: SeedContext, created: int, ref: str, fixed: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Fields of a lead dispatched by the OEM; ``fixed`` values win and the rest follows them."""
    fixed = fixed or {}
    source = _weighted(rng, pools.LEAD_SOURCES, pools.LEAD_SOURCE_WEIGHTS)
    model = rng.choices(pools.MODELS, weights=[m.weight for m in pools.MODELS], k=1)[0].name
    if ctx.owners and rng.random() < 0.1:
        known = rng.choice(ctx.owners)["owner"]
        name, phone, city = known["name"], known["phone"], known["city"]
    else:
        name, phone, city = person_name(rng), mobile(rng, ctx.phones), place(rng).city
    comments = rng.choice(pools.LEAD_COMMENTS)
    source = fixed.get("source", source)
    model = fixed.get("model_interest", model)
    name, phone, city = fixed.get("name", name), fixed.get("phone", phone), fixed.get("city", city)
    comments = fixed.get("comments", comments.format(model=model))
    if "created_at" in fixed:
        created = int(parse_instant(fixed["created_at"]))
    due_minutes = pools.CONTACT_DUE_MINUTES.get(source, 120)
    fields: dict[str, Any] = {
        "name": name,
        "phone": phone,
        "city": city,
        "model_interest": model,
        "source": source,
        "created_at": format_instant(created),
        "contact_due": format_instant(created + due_minutes * 60),
        "comments": comments,
    }
    if source in pools.ADF_PROVIDERS:
        provider_name, provider_url = pools.ADF_PROVIDERS[source]
        fields["adf"] = build_adf(
            AdfLead(
                lead_ref=ref,
                source=source,
                request_epoch_iso=china_iso(created),
                model_year=china_date(created).year + (1 if china_date(created).month >= 10 else 0),
                model=model,
                name=name,
                phone=phone,
                city=city,
                comments=comments,
                dealer_code=ctx.dealer_code,
                dealer_name=DEALER_NAME,
                provider_name=provider_name,
                provider_url=provider_url,
            )
        )
    fields.update(fixed)
    return fields


def _owner_or_stranger(rng: random.Random, ctx: SeedContext) -> dict[str, Any]:
    if ctx.owners:
        return rng.choice(ctx.owners)
    return new_owner(rng, ctx)


def new_complaint(
    rng: random.Random, ctx: SeedContext, dispatched: int, fixed: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Fields of a complaint dispatched from the OEM hotline; ``fixed`` values win."""
    fixed = fixed or {}
    car = _owner_or_stranger(rng, ctx)
    category = fixed.get("category", rng.choice(pools.COMPLAINT_CATEGORIES))
    severity = _weighted(rng, pools.COMPLAINT_SEVERITIES, pools.COMPLAINT_SEVERITY_WEIGHTS)
    severity = fixed.get("severity", severity)
    if "dispatched_at" in fixed:
        dispatched = int(parse_instant(fixed["dispatched_at"]))
    respond_h, resolve_h = pools.COMPLAINT_DEADLINES_HOURS.get(severity, (24, 168))
    descriptions = pools.COMPLAINT_DESCRIPTIONS.get(category, pools.COMPLAINT_DESCRIPTIONS["other"])
    fields = {
        "customer": {"name": car["owner"]["name"], "phone": car["owner"]["phone"]},
        "vin": car["vin"],
        "plate": car["plate"],
        "channel": _weighted(rng, pools.COMPLAINT_CHANNELS, pools.COMPLAINT_CHANNEL_WEIGHTS),
        "category": category,
        "severity": severity,
        "description": rng.choice(descriptions).format(model=car["model"]),
        "dispatched_at": format_instant(dispatched),
        "respond_due": format_instant(dispatched + respond_h * HOUR),
        "resolve_due": format_instant(dispatched + resolve_h * HOUR),
        "oem_status": "dispatched",
    }
    fields.update(fixed)
    return fields


def new_campaign(rng: random.Random, ctx: SeedContext, kind: str) -> dict[str, Any]:
    """Fields of a recall, a service campaign or a marketing event."""
    models_present = sorted({o["model"] for o in ctx.owners}) or [pools.MODELS[0].name]
    today = china_date(ctx.now)
    if kind == "marketing_event":
        title, description = rng.choice(pools.CAMPAIGN_MARKETING)
        starts = today + timedelta(days=rng.randint(3, 30))
        ends = starts + timedelta(days=rng.choice((0, 1)))
        vins: list[str] = []
    else:
        model = rng.choice(models_present)
        if kind == "recall":
            electric = any(m.name == model and m.energy != "ice" for m in pools.MODELS)
            special = pools.CAMPAIGN_RECALLS_ELECTRIC if electric else pools.CAMPAIGN_RECALLS_ICE
            catalogue = pools.CAMPAIGN_RECALLS + special
        else:
            catalogue = pools.CAMPAIGN_SERVICE
        title, description = rng.choice(catalogue)
        title, description = title.format(model=model), description.format(model=model)
        starts = today - timedelta(days=rng.randint(5, 120))
        ends = starts + timedelta(days=365 if kind == "recall" else 90)
        affected = [o["vin"] for o in ctx.owners if o["model"] == model]
        rng.shuffle(affected)
        vins = sorted(affected[: max(1, int(len(affected) * rng.uniform(0.4, 0.9)))])
    return {
        "kind": kind,
        "title": title,
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
        "vins": vins,
        "description": description,
    }


def new_survey(rng: random.Random, ctx: SeedContext, answered: int) -> dict[str, Any]:
    """Fields of a customer-satisfaction survey answer (0-10)."""
    car = _owner_or_stranger(rng, ctx)
    roll = rng.random()
    if roll < 0.6:
        score, bucket = rng.choice((9, 10)), "promoter"
    elif roll < 0.85:
        score, bucket = rng.choice((7, 8)), "passive"
    else:
        score, bucket = rng.randint(0, 6), "detractor"
    return {
        "vin": car["vin"],
        "phone": car["owner"]["phone"],
        "kind": rng.choice(("sales_csi", "service_csi", "service_csi")),
        "score": score,
        "answered_at": format_instant(answered),
        "verbatim": rng.choice(pools.SURVEY_VERBATIMS[bucket]),
    }


def nightly_batch(rng: random.Random, now: int, max_days: int) -> int:
    """The OEM's nightly owner batch (02:00 China time) on one of the past days."""
    return china_time(now - rng.randint(1, max_days) * DAY, 2)


def _record(stream: str, number: int, version: int, updated: int, fields: dict[str, Any]) -> Record:
    return Record(id=format_id(ID_PREFIXES[stream], number), version=version, updated_at=updated, fields=fields)


def seed_records(seed: int, dealer_code: str, now: int, volumes: Volumes) -> dict[str, list[Record]]:
    """Generate the initial records of every stream."""
    rng = random.Random(seed)
    ctx = SeedContext(dealer_code=dealer_code, now=now)
    out: dict[str, list[Record]] = {stream: [] for stream in ID_PREFIXES}

    for number in range(1, volumes.owners + 1):
        fields = new_owner(rng, ctx)
        ctx.owners.append(fields)
        version = 1 if rng.random() < 0.8 else rng.randint(2, 3)
        out["owners"].append(_record("owners", number, version, nightly_batch(rng, now, 180), fields))

    for number in range(1, volumes.leads + 1):
        recent = rng.random() < 0.25
        created = business_instant(rng, now - (6 * HOUR if recent else 30 * DAY), now - 10 * 60)
        ref = format_id(ID_PREFIXES["leads"], number)
        record = _record("leads", number, 1, created, new_lead(rng, ctx, created, ref))
        if rng.random() < 0.06:
            record.version, record.deleted = 2, True
            record.updated_at = min(now - 60, created + rng.randint(HOUR, 2 * DAY))
        elif rng.random() < 0.2:
            record.version = 2
            record.updated_at = min(now - 60, created + rng.randint(5 * 60, DAY))
        out["leads"].append(record)

    for number in range(1, volumes.complaints + 1):
        dispatched = business_instant(rng, now - 30 * DAY, now - HOUR)
        fields = new_complaint(rng, ctx, dispatched)
        status = _weighted(rng, pools.COMPLAINT_OEM_STATUSES, pools.COMPLAINT_OEM_STATUS_WEIGHTS)
        record = _record("complaints", number, 1, dispatched, fields)
        if status != "dispatched":
            fields["oem_status"] = status
            record.version = 2 if status in ("escalated", "customer_called_again", "closed_by_oem") else 3
            record.updated_at = min(now - 60, dispatched + rng.randint(HOUR, 5 * DAY))
        out["complaints"].append(record)

    kinds = ["recall", "service_campaign", "marketing_event"]
    for number in range(1, volumes.campaigns + 1):
        kind = kinds[(number - 1) % 3] if number <= 3 else _weighted(rng, tuple(kinds), (4, 3, 3))
        fields = new_campaign(rng, ctx, kind)
        updated = rng.randint(now - 60 * DAY, now - DAY)
        out["campaigns"].append(_record("campaigns", number, 1, updated, fields))

    for number in range(1, volumes.surveys + 1):
        answered = business_instant(rng, now - 60 * DAY, now - HOUR)
        fields = new_survey(rng, ctx, answered)
        out["surveys"].append(_record("surveys", number, 1, answered + rng.randint(60, 6 * HOUR), fields))
        # The survey reaches the dealer after the OEM's survey platform processed it.
        out["surveys"][-1].updated_at = min(out["surveys"][-1].updated_at, now - 60)

    return out


def fresh_fields(
    stream: str, rng: random.Random, ctx: SeedContext, record_id: str, fixed: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Fields for one new record made at run time (the control API's create).

    ``fixed`` fields are taken as given; for leads and complaints the derived
    fields (deadlines, the ADF document) follow them.
    """
    now, fixed = ctx.now, dict(fixed or {})
    if stream == "leads":
        return new_lead(rng, ctx, now, record_id, fixed)
    if stream == "complaints":
        return new_complaint(rng, ctx, now, fixed)
    if stream == "owners":
        fields = new_owner(rng, ctx)
    elif stream == "campaigns":
        kind = fixed.get("kind") or rng.choice(("recall", "service_campaign", "marketing_event"))
        fields = new_campaign(rng, ctx, kind)
    elif stream == "surveys":
        fields = new_survey(rng, ctx, now)
    else:
        raise KeyError(stream)
    fields.update(fixed)
    return fields

