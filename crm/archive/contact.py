"""The contact policy (联系许可): may we contact this customer, on this channel, for this purpose, now?

One rule for every plugin (callbacks, campaigns, surveys, recalls, invitations), written
out in docs/privacy.md::

    from crm.archive.contact import may_contact, contact_facts

    facts = contact_facts(tx.conn, [customer_id])[customer_id]
    decision = may_contact(facts, "sms", "care", app.now())
    if not decision:
        print(decision.why)          # "no consent to SMS (care needs an explicit yes)"

The checks, in order (the first that fails is the reason):

1. ``forgotten`` — the customer is not in the archive or was forgotten (PIPL erasure);
2. ``do_not_contact`` — the customer asked not to be contacted (客户要求勿扰); a *safety*
   recall is a legal duty and is the one purpose it does not stop;
3. ``refused`` — the customer refused this channel (consent row ``granted = 0``); not for
   safety recalls either;
4. ``no_consent`` — no consent row for the channel and the purpose needs an explicit yes
   (by default care and marketing do; service and safety contact does not);
5. ``no_address`` — nothing to reach the customer at on the channel (a phone number for
   calls, a mobile for SMS, a WeChat id or mobile for WeChat, an e-mail address);
6. ``quiet_hours`` — ``at`` is a time of day inside the core's ``[quiet_hours]``; a plain
   date (planning a day) is never refused for this.

Planners ask for many customers at once with :func:`contact_facts` (one query a chunk of
500 ids) and :meth:`ContactPolicy.decide` (no query).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Iterable, Mapping

from .channels import CHANNELS, PURPOSES  # noqa: F401 (the policy's words, defined once)

#: Whether a customer *without a consent row* for the channel may be contacted, per purpose
#: (config ``[contact.without_consent]`` changes it).  PIPL art. 13: contact needed to
#: perform the service contract needs no separate consent; care and marketing do.
WITHOUT_CONSENT = {"safety": True, "service": True, "care": False, "marketing": False}
#: Purposes that contact the customer whatever ``do_not_contact`` and refused consents say.
OVERRIDING = frozenset({"safety"})

_CHANNEL_WORDS = {"phone": "phone calls", "sms": "SMS", "wechat": "WeChat", "email": "e-mail"}
_NO_ADDRESS = {"phone": "no phone number", "sms": "no mobile number", "wechat": "no WeChat id or mobile",
               "email": "no e-mail address"}


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    """The answer: ``allowed`` (truthy), a stable ``reason`` code and ``why`` for people."""

    allowed: bool
    reason: str  # "ok", "forgotten", "do_not_contact", "refused", "no_consent", "no_address", "quiet_hours"
    why: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True, "ok")


@dataclasses.dataclass(slots=True)
class ContactFacts:
    """What the policy needs to know of one customer (see :func:`contact_facts`)."""

    id: int
    name: str | None = None
    mobile: str | None = None
    landline: str | None = None
    wechat: str | None = None
    email: str | None = None
    do_not_contact: bool = False
    forgotten: bool = False
    consent: dict[str, bool] = dataclasses.field(default_factory=dict)  # channel -> granted; absent: no row
    preferred_channel: str | None = None
    member: bool = False  # an active, unexpired membership card (as of the day asked)

    @classmethod
    def from_row(cls, row: Mapping[str, Any], consent: Mapping[str, bool] | None = None) -> "ContactFacts":
        """From a ``customers`` row (a dict) and its consents (``row["consent"]`` when not given)."""
        if consent is None:
            if "consent" not in row:
                raise TypeError("may_contact needs the customer's consents: pass contact_facts(...) or a row"
                                " with a 'consent' key ({channel: granted})")
            consent = row["consent"]
        return cls(id=row.get("id"), name=row.get("name"), mobile=row.get("mobile") or row.get("mobile2"),
                   landline=row.get("landline"), wechat=row.get("wechat"), email=row.get("email"),
                   do_not_contact=bool(row.get("do_not_contact")), forgotten=bool(row.get("forgotten_at")),
                   consent={k: bool(v) for k, v in (consent or {}).items()},
                   preferred_channel=row.get("preferred_channel"))


def address(customer: ContactFacts | Mapping[str, Any], channel: str) -> str | None:
    """Where a contact on ``channel`` goes: the number for calls (mobile, else landline), the
    mobile for SMS, the WeChat id (else the mobile it is found by) for WeChat, the e-mail."""
    get = customer.get if isinstance(customer, Mapping) else lambda k: getattr(customer, k, None)
    mobile = get("mobile") or get("mobile2")
    if channel == "phone":
        return mobile or get("landline")
    if channel == "sms":
        return mobile
    if channel == "wechat":
        return get("wechat") or mobile
    if channel == "email":
        return get("email")
    raise ValueError(f"channel {channel!r} is not one of {', '.join(CHANNELS)}")


@dataclasses.dataclass(frozen=True)
class ContactPolicy:
    """The rule with its settings: defaults per purpose for a missing consent row, quiet hours."""

    without_consent: Mapping[str, bool] = dataclasses.field(default_factory=lambda: dict(WITHOUT_CONSENT))
    quiet: Any = None  # a crm.workdays.QuietHours; None: no time-of-day check

    @classmethod
    def from_config(cls, config) -> "ContactPolicy":
        """``[contact.without_consent]`` (``service = "allow"`` …) and ``[quiet_hours]`` of the config."""
        from ..workdays import QuietHours

        return cls(without_consent=without_consent_of(config), quiet=QuietHours.from_config(config))

    def denying_missing(self) -> "ContactPolicy":
        """The same policy with a missing consent row refused for every purpose but safety."""
        return dataclasses.replace(self, without_consent={p: p == "safety" for p in PURPOSES})

    def decide(self, customer: ContactFacts | Mapping[str, Any] | None, channel: str, purpose: str,
               at: dt.date | dt.datetime | None = None) -> Decision:
        if channel not in _CHANNEL_WORDS:
            raise ValueError(f"channel {channel!r} is not one of {', '.join(CHANNELS)}")
        if purpose not in WITHOUT_CONSENT:
            raise ValueError(f"purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
        if customer is not None and type(customer) is not ContactFacts:
            customer = ContactFacts.from_row(customer)
        if customer is None or customer.forgotten:
            return _deny("forgotten", "customer not in the archive (or forgotten)")
        overriding = purpose in OVERRIDING
        if customer.do_not_contact and not overriding:
            return _deny("do_not_contact", "do not contact (客户要求勿扰)")
        granted = customer.consent.get(channel)
        if granted is False and not overriding:
            return _deny("refused", f"no consent to {_CHANNEL_WORDS[channel]}")
        if granted is None and not self.without_consent.get(purpose, False):
            return _deny("no_consent", f"no consent to {_CHANNEL_WORDS[channel]} ({purpose} needs an explicit yes)")
        if channel == "phone":  # address(), written out: a planner asks this for every candidate
            reachable = customer.mobile or customer.landline
        elif channel == "sms":
            reachable = customer.mobile
        elif channel == "wechat":
            reachable = customer.wechat or customer.mobile
        else:
            reachable = customer.email
        if not reachable:
            return _deny("no_address", _NO_ADDRESS[channel])
        if self.quiet is not None and isinstance(at, dt.datetime) and not self.quiet.allows(at):
            nxt = self.quiet.next_allowed(at.replace(tzinfo=None))
            return _deny("quiet_hours", f"quiet hours (休息时间) until {nxt.isoformat(sep=' ', timespec='minutes')}")
        return ALLOWED

    def first_channel(self, customer, channels: Iterable[str], purpose: str,
                      at: dt.date | dt.datetime | None = None) -> tuple[str | None, Decision]:
        """The first of ``channels`` (the customer's preferred channel first) the policy allows,
        with its decision; ``(None, the first refusal)`` when none is."""
        if customer is not None and not isinstance(customer, ContactFacts):
            customer = ContactFacts.from_row(customer)
        order = list(channels)
        own = customer.preferred_channel if customer is not None else None
        if own in order:
            order.remove(own)
            order.insert(0, own)
        first_no = None
        for channel in order:
            decision = self.decide(customer, channel, purpose, at)
            if decision:
                return channel, decision
            if first_no is None:
                first_no = decision
        return None, first_no if first_no is not None else _deny("no_address", "no channel to try")


_DENIALS: dict[tuple[str, str], Decision] = {}


def _deny(reason: str, why: str) -> Decision:
    decision = _DENIALS.get((reason, why))
    if decision is None:
        decision = _DENIALS[(reason, why)] = Decision(False, reason, why)
    return decision


DEFAULT_POLICY = ContactPolicy()


def without_consent_of(config) -> dict[str, bool]:
    """``[contact.without_consent]`` over :data:`WITHOUT_CONSENT` ("allow"/"deny" per purpose)."""
    out = dict(WITHOUT_CONSENT)
    for purpose, value in ((config.get("contact") or {}).get("without_consent") or {}).items():
        out[purpose] = value == "allow"
    return out


def may_contact(customer: ContactFacts | Mapping[str, Any] | None, channel: str, purpose: str,
                at: dt.date | dt.datetime | None = None, *, policy: ContactPolicy | None = None) -> Decision:
    """May we contact ``customer`` on ``channel`` for ``purpose`` at ``at``? Yes, or no with the reason.

    ``customer``: :class:`ContactFacts` (from :func:`contact_facts`) or a customers row with a
    ``consent`` key (``{channel: granted}``, as ``crm customer show`` gives it); None means
    not in the archive.  ``at``: a datetime is checked against quiet hours, a date is not.
    ``policy``: :meth:`ContactPolicy.from_config` of the app's config (default: the built-in
    defaults and no quiet hours).
    """
    return (policy or DEFAULT_POLICY).decide(customer, channel, purpose, at)


_CHUNK = 500
_FACTS_SQL = (
    "SELECT c.id, c.name, coalesce(c.mobile, c.mobile2), c.landline, c.wechat, c.email, c.do_not_contact,"
    " c.forgotten_at, c.preferred_channel,"
    " EXISTS (SELECT 1 FROM membership_cards m WHERE m.customer_id = c.id AND m.status = 'active'"
    "         AND (m.expires_on IS NULL OR m.expires_on >= ?)){consents}"
    " FROM customers c WHERE c.id IN ({marks})")
_CONSENT_SQL = ", (SELECT k.granted FROM customer_consents k WHERE k.customer_id = c.id AND k.channel = '{}')"


def contact_facts(conn, customer_ids: Iterable[int], as_of: dt.date | str | None = None, *,
                  channels: Iterable[str] = CHANNELS) -> dict[int, ContactFacts]:
    """:class:`ContactFacts` of many customers at once (one query a chunk of 500 ids).

    ``as_of`` (a day) decides ``member``: an active card not expired on it (default: any
    active card).  ``channels``: the consents to read (a planner that only calls reads
    ``("phone",)``: one lookup a customer).  Ids not in the archive are absent from the
    result (``may_contact(None, …)`` refuses).
    """
    day = as_of.isoformat() if isinstance(as_of, dt.date) else (as_of or "0000-00-00")
    wanted = tuple(channels)
    for channel in wanted:
        if channel not in _CHANNEL_WORDS:
            raise ValueError(f"channel {channel!r} is not one of {', '.join(CHANNELS)}")
    consents = "".join(_CONSENT_SQL.format(ch) for ch in wanted)
    ids = list(customer_ids)
    out: dict[int, ContactFacts] = {}
    n = len(wanted)
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        sql = _FACTS_SQL.format(marks=", ".join("?" * len(part)), consents=consents)
        rows = conn.execute(sql, [day, *part])
        if n == 1:  # the planners' case: one channel, no zip
            channel = wanted[0]
            for cid, name, mobile, landline, wechat, email, dnc, forgotten, preferred, member, g in rows:
                out[cid] = ContactFacts(cid, name, mobile, landline, wechat, email, dnc == 1, forgotten is not None,
                                        {} if g is None else {channel: g == 1}, preferred, member == 1)
            continue
        for row in rows:
            consent = {ch: g == 1 for ch, g in zip(wanted, row[10:10 + n]) if g is not None}
            out[row[0]] = ContactFacts(row[0], row[1], row[2], row[3], row[4], row[5], row[6] == 1,
                                       row[7] is not None, consent, row[8], row[9] == 1)
    return out


def may_contact_many(conn, customer_ids: Iterable[int], channel: str, purpose: str,
                     at: dt.date | dt.datetime | None = None, *,
                     policy: ContactPolicy | None = None) -> dict[int, Decision]:
    """:func:`may_contact` for many customers (planners, segments): ``{customer_id: Decision}``."""
    ids = list(customer_ids)
    facts = contact_facts(conn, ids, at.date() if isinstance(at, dt.datetime) else at, channels=(channel,))
    decide = (policy or DEFAULT_POLICY).decide
    return {cid: decide(facts.get(cid), channel, purpose, at) for cid in ids}


def check_config(contact: Any) -> str | None:
    """What is wrong with a config's ``[contact]`` table, or None (used by the config check)."""
    if not isinstance(contact, dict):
        return "contact: must be a table"
    table = contact.get("without_consent", {})
    if not isinstance(table, dict):
        return "contact.without_consent: must be a table like { service = \"allow\", marketing = \"deny\" }"
    for purpose, value in table.items():
        if purpose not in PURPOSES:
            return f"contact.without_consent.{purpose}: unknown purpose (use {', '.join(PURPOSES)})"
        if value not in ("allow", "deny"):
            return f"contact.without_consent.{purpose}: must be \"allow\" or \"deny\", not {value!r}"
    return None


_ADDRESS_SQL = {
    "phone": "coalesce(nullif({c}.mobile, ''), nullif({c}.mobile2, ''), nullif({c}.landline, '')) IS NOT NULL",
    "sms": "coalesce(nullif({c}.mobile, ''), nullif({c}.mobile2, '')) IS NOT NULL",
    "wechat": "coalesce(nullif({c}.wechat, ''), nullif({c}.mobile, ''), nullif({c}.mobile2, '')) IS NOT NULL",
    "email": "nullif({c}.email, '') IS NOT NULL",
}


def sql_condition(channel: str, purpose: str, *, policy: ContactPolicy | None = None,
                  alias: str = "c") -> tuple[str, list]:
    """The policy as a WHERE condition over ``customers {alias}``: the customers
    :meth:`ContactPolicy.decide` allows on a day (all checks but quiet hours).

    For filters and segments over many customers (one query); the tests check that it
    agrees with :func:`may_contact` on every combination of facts.
    """
    policy = policy or DEFAULT_POLICY
    if channel not in _ADDRESS_SQL:
        raise ValueError(f"channel {channel!r} is not one of {', '.join(CHANNELS)}")
    if purpose not in WITHOUT_CONSENT:
        raise ValueError(f"purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
    c = alias
    where = [f"{c}.forgotten_at IS NULL"]
    granted = f"(SELECT k.granted FROM customer_consents k WHERE k.customer_id = {c}.id AND k.channel = ?)"
    params: list = []
    overriding = purpose in OVERRIDING
    missing_ok = bool(policy.without_consent.get(purpose, False))
    if not overriding:
        where.append(f"{c}.do_not_contact = 0")
        if missing_ok:
            where.append(f"coalesce({granted}, 1) = 1")
        else:
            where.append(f"{granted} = 1")
        params.append(channel)
    elif not missing_ok:
        where.append(f"{granted} IS NOT NULL")
        params.append(channel)
    where.append(_ADDRESS_SQL[channel].format(c=c))
    return "(" + " AND ".join(where) + ")", params
