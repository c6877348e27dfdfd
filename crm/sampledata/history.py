"""Service and contact history: repair orders, appointments, the contact log.

:class:`ServiceHistory` is a mixin of :class:`~crm.sampledata.generate.Generator`:
it walks the generator's customers and vehicles block by block (each kind of
history has its own random stream per block) and needs nothing else from it
than its tables and ``_block``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

from . import names as N
from . import service as S


class ServiceHistory:
    """Repair orders, appointments and interactions of the generated customers."""

    def visits(self, n_customers: int, start: int = 0) -> Iterator[dict]:
        """Repair orders of the last three years for the customers' vehicles.

        About 3 per customer.  RO numbers (``RO20250305-0012``) are numbered per
        day in the order they are generated; they are unique within one call
        (and so within any file written from one call) as long as ``start`` is 0.
        """
        counters: dict[int, int] = {}
        compact: dict[int, str] = {}
        today, base, iso = self._today, self._base, self._iso
        info = self._model_info
        for b0, recs in self._blocks(n_customers, start):
            rng = random.Random(self._stream(f"visits/{b0}"))
            r = rng.random
            for c, vs in recs:
                for v in vs:
                    dl = date.fromisoformat(v["delivery_date"]).toordinal()
                    power, tier = info[v["model"]]
                    busy_until, last_km = 0, 0  # a vehicle is in one RO at a time
                    for day, kind in self._visit_days(r, dl, v["mileage"]):
                        if day <= busy_until:
                            day = busy_until + 1
                            if day >= today:
                                break
                        n = counters.get(day, 0) + 1
                        counters[day] = n
                        ymd = compact.get(day)
                        if ymd is None:
                            ymd = compact[day] = iso[day - base].replace("-", "")
                        visit, busy_until = self._visit(r, v, c, day, kind, n, ymd, dl, power, tier)
                        if visit["mileage"] <= last_km:
                            visit["mileage"] = last_km + 1 + int(r() * 20)
                        last_km = visit["mileage"]
                        yield visit

    def _visit_days(self, r, dl: int, mileage: int) -> list[tuple[int, str]]:
        """Days and types of a vehicle's visits, in date order."""
        today = self._today
        window = today - 3 * 365
        lo = max(dl, window)
        if lo >= today - 1:
            return []
        age_years = (today - dl) / 365.25
        stop = today - 1
        if r() < 0.20:  # the customer stops coming at some point
            stop = lo + int(r() * (stop - lo))
        events: list[tuple[int, str]] = []
        if dl - 3 >= window:
            events.append((dl - 1 - int(r() * 3), "pdi"))
        km_per_day = max(mileage, 1000) / max(today - dl, 30)
        interval = min(365.0, 15000 / km_per_day)
        skip = min(0.8, 0.15 + 0.05 * age_years)
        n0 = int((lo - dl) / interval)
        t = dl + (n0 + 1) * interval * (0.85 + 0.25 * r())
        while t <= stop:
            if t >= lo and r() >= skip:
                events.append((int(t), "maintenance"))
            t += interval * (0.85 + 0.3 * r())
        span = (stop - lo) / 365.25
        for kind, per_year in (("repair", 0.16), ("bodypaint", 0.08)):
            for _ in range(int(per_year * span + r())):
                events.append((lo + int(r() * (stop - lo)), kind))
        w_stop = min(stop, dl + 3 * 365)
        if w_stop > lo:
            for _ in range(int(0.30 * (w_stop - lo) / 365.25 + r())):
                events.append((lo + int(r() * (w_stop - lo)), "warranty"))
        events.sort()
        return events

    def _visit(self, r, v: dict, c: dict, day: int, kind: str, seq: int, ymd: str,
               dl: int, power: str, tier: int) -> tuple[dict, int]:
        """One repair order and the day the vehicle leaves the workshop."""
        today, times, iso, base = self._today, self._times, self._iso, self._base
        # check-in between 08:00 and 17:00, mornings busier
        u = r()
        minute = 480 + int(r() * 210) if u < 0.65 else 780 + int(r() * 240)
        if kind == "maintenance" or kind == "pdi":
            out_day, out_min = day, min(minute + 90 + int(r() * 210), 1140)
        elif kind in ("repair", "warranty") and r() < 0.55:
            out_day, out_min = day, min(minute + 120 + int(r() * 300), 1170)
        else:
            extra = 2 + int(r() * 6) if kind == "bodypaint" else 1 + int(r() * 4)
            out_day, out_min = day + extra, 600 + int(r() * 510)
        if out_day > today:
            out_day, out_min = today, 1080
        factor = S.TIER_FACTOR[tier]
        items: list[str] = []
        amount = 0.0
        if kind == "maintenance":
            for item, p, lo, hi in (S.MAINTENANCE_BEV if power == "bev" else S.MAINTENANCE_ICE):
                if p >= 1.0 or r() < p:
                    items.append(item)
                    amount += lo + r() * (hi - lo)
        elif kind == "repair":
            choices = self._repairs_bev if power == "bev" else self._repairs_ice
            for _ in range(1 + (r() < 0.3)):
                item, lo, hi, _ = choices[int(r() * len(choices))]
                if item not in items:
                    items.append(item)
                    amount += lo + r() * (hi - lo)
        elif kind == "warranty":
            items.append(S.WARRANTY[int(r() * len(S.WARRANTY))])
        elif kind == "bodypaint":
            for _ in range(1 + int(r() * 2.5)):
                item, lo, hi = S.BODYPAINT[int(r() * len(S.BODYPAINT))]
                if item not in items:
                    items.append(item)
                    amount += lo + r() * (hi - lo)
        else:  # pdi
            items.append("新车PDI检查")
            if r() < 0.5:
                item, lo, hi = S.PDI_EXTRAS[int(r() * len(S.PDI_EXTRAS))]
                items.append(item)
                amount += (lo + r() * (hi - lo)) / factor
        km = v["mileage"] * (day - dl) / max(today - dl, 1)
        mileage = max(int(km), 5 + (day - dl + 3) * 3)
        advisors = self._advisors_all
        adv = advisors[int(r() * len(advisors))]
        if day > self._former_advisor_left and adv not in self._advisors:
            adv = self._advisors[int(r() * len(self._advisors))]
        return {
            "ro_number": f"RO{ymd}-{seq:04d}",
            "vin": v["vin"],
            "customer_ref": c["ref"],
            "date_in": f"{iso[day - base]}T{times[minute]}",
            "date_out": f"{iso[out_day - base]}T{times[out_min]}",
            "type": kind,
            "advisor": adv,
            "mileage": mileage,
            "amount": float(round(amount * factor)),
            "items": items,
        }, out_day

    # ------------------------------------------------------------ contact history

    def appointments(self, n_customers: int, start: int = 0) -> Iterator[dict]:
        """Workshop appointments around ``as_of`` (60 days back, 30 ahead) for ~6 %
        of customers: ``booked`` (future), ``arrived``/``no_show``/``cancelled``."""
        today, iso, base, times = self._today, self._iso, self._base, self._times
        bookers, advisors = self._by_role["appointment"], self._advisors
        kinds = N.weighted((("maintenance", 70), ("repair", 20), ("bodypaint", 5), ("warranty", 5)), 100)
        for b, recs in self._blocks(n_customers, start):
            r = random.Random(self._stream(f"appointments/{b}")).random
            for c, vs in recs:
                if r() >= 0.06:
                    continue
                v = vs[int(r() * len(vs))]
                day = today - 60 + int(r() * 91)
                minute = 510 + 30 * int(r() * 17)
                if day >= today:
                    status = "booked" if r() < 0.9 else "cancelled"
                else:
                    u = r()
                    status = "arrived" if u < 0.72 else ("no_show" if u < 0.86 else "cancelled")
                created = min(day - 1 - int(r() * 14), today)
                yield {
                    "customer_ref": c["ref"],
                    "vin": v["vin"],
                    "scheduled_at": f"{iso[day - base]}T{times[minute]}",
                    "type": kinds[int(r() * len(kinds))],
                    "status": status,
                    "booked_by": bookers[int(r() * len(bookers))],
                    "created_at": f"{iso[created - base]}T{times[540 + int(r() * 540)]}",
                    "advisor": advisors[int(r() * len(advisors))],
                    "notes": S.APPOINTMENT_NOTES[int(r() * len(S.APPOINTMENT_NOTES))] if r() < 0.3 else None,
                }

    def interactions(self, n_customers: int, start: int = 0) -> Iterator[dict]:
        """Contact-log entries of the last year (calls, SMS, WeChat, visits) for
        about 30 % of customers, in time order per customer.  Customers marked
        ``do_not_contact`` get no outbound contact."""
        today, iso, base, times = self._today, self._iso, self._base, self._times
        roles = self._by_role
        templates = S.INTERACTIONS
        for b, recs in self._blocks(n_customers, start):
            r = random.Random(self._stream(f"interactions/{b}")).random
            for c, vs in recs:
                u = r()
                n = 0 if u < 0.70 else (1 if u < 0.88 else (2 if u < 0.96 else 3))
                entries = []
                for _ in range(n):
                    channel, direction, outcome, summary = templates[int(r() * len(templates))]
                    if direction == "out" and c["do_not_contact"]:
                        continue
                    day = today - 1 - int(r() * 365)
                    minute = 540 + int(r() * 660)
                    if channel == "visit":
                        staff = roles["advisor"]
                    elif direction == "in" and channel == "call":
                        staff = roles["appointment"]
                    elif summary.startswith("保养后回访"):
                        staff = roles["satisfaction"]
                    else:
                        staff = roles["callback"]
                    v = vs[0]
                    if "{" in summary:
                        summary = summary.format(model=v["model"], plate=v["plate"],
                                                 honorific=_honorific(c))
                    entries.append({
                        "customer_ref": c["ref"],
                        "at": f"{iso[day - base]}T{times[minute]}",
                        "channel": channel,
                        "direction": direction,
                        "staff": staff[int(r() * len(staff))],
                        "outcome": outcome,
                        "summary": summary,
                    })
                entries.sort(key=lambda e: e["at"])
                yield from entries


def _honorific(c: dict) -> str:
    name = c["name"]
    if " " in name:
        return name
    surname = name[:2] if name[:2] in _COMPOUND else name[0]
    return surname + ("先生" if c["gender"] == "M" else "女士")


_COMPOUND = frozenset(s for s, _, _ in N.COMPOUND_SURNAMES)
