"""crm campaigns care | gift | recall | winback | referral | outbox"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from crm.api import FormatOption, Where, current, emit, emit_record, new_app
from crm.errors import BadInput

app = new_app("Campaigns: care (birthday/holiday/card renewal), gifts, recalls, win-back, referrals, outbox.")
care_app = new_app("Care campaigns (客户关怀): birthday, holiday, card renewal.")
gift_app = new_app("Gift records (礼品登记): what was given to whom.")
recall_app = new_app("Recalls and service campaigns from the manufacturer (召回/服务活动).")
winback_app = new_app("Win-back (流失客户召回): churned customers and campaigns.")
referral_app = new_app("Referrals (转介绍): who referred whom, and what came of it.")
outbox_app = new_app("Messages and the outbox files for the SMS/WeChat platform.")
app.add_typer(care_app, name="care")
app.add_typer(gift_app, name="gift")
app.add_typer(recall_app, name="recall")
app.add_typer(winback_app, name="winback")
app.add_typer(referral_app, name="referral")
app.add_typer(outbox_app, name="outbox")


def _flush(crm) -> None:
    from .outbox import flush_quietly

    flush_quietly(crm)


# ---------------------------------------------------------------------------------- care
@care_app.command("run")
def care_run(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Run as on this date (default today)")] = None,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", help="birthday, holiday, renewal (default all)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show who would be greeted; send nothing")] = False,
    format: FormatOption = "table",
) -> None:
    """Send today's birthday, holiday and card-renewal greetings (cron; never twice)."""
    crm = current()
    from . import care
    from .common import parse_date
    from .messages import release_due

    day = parse_date(as_of, "--as-of") or crm.today()
    kinds = tuple(kind or care.KINDS)
    for k in kinds:
        if k not in care.KINDS:
            raise BadInput(f"kind {k!r} is not one of {', '.join(care.KINDS)}")
    with crm.transaction() as tx:
        if not dry_run:
            release_due(tx)
        rows = care.run(tx, day, kinds, dry_run=dry_run)
    if not dry_run:
        _flush(crm)
    fresh = [r for r in rows if r["status"] != "already"]
    if dry_run or format != "table":
        emit([crm.mask(r) for r in rows], format, empty_message="(nobody due)")
    elif fresh:
        crm.info(", ".join(f"{s} {sum(1 for r in fresh if r['status'] == s)}"
                           for s in sorted({r["status"] for r in fresh})))


@care_app.command("holidays")
def care_holidays(
    year: Annotated[Optional[int], typer.Option(help="Default: this year")] = None,
    format: FormatOption = "table",
) -> None:
    """The festival dates the holiday campaign will use for a year."""
    crm = current()
    from . import care, lunar
    from .common import settings

    year = year or crm.today().year
    chosen = settings(crm)["holidays"]
    rows = [{"holiday": key, "name": care.holiday_name(key), "date": care.holiday_date(key, year).isoformat(),
             "enabled": key in chosen} for key in [*care.SOLAR, *lunar.FESTIVALS]]
    emit(sorted(rows, key=lambda r: r["date"]), format)


@care_app.command("list")
def care_list(
    campaign: Annotated[Optional[str], typer.Option(help="e.g. birthday, holiday:mid_autumn, card_renewal")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 200,
    format: FormatOption = "table",
) -> None:
    """Greetings sent (newest first)."""
    crm = current()
    sql = ("SELECT s.created_at, s.customer_id, c.name, s.campaign, s.occasion, s.channel, m.status"
           " FROM campaigns_care_sends s LEFT JOIN customers c ON c.id = s.customer_id"
           " LEFT JOIN campaigns_messages m ON m.id = s.message_id")
    params: list = []
    if campaign:
        sql += " WHERE s.campaign = ?"
        params.append(campaign)
    emit(crm.store.query(sql + " ORDER BY s.id DESC LIMIT ?", (*params, limit)), format, empty_message="(none)")


# ---------------------------------------------------------------------------------- gifts
@gift_app.command("add")
def gift_add(
    customer: Annotated[int, typer.Argument(metavar="CUSTOMER", help="Customer id")],
    gift: Annotated[str, typer.Option(help="What, e.g. 车载香薰")],
    campaign: Annotated[str, typer.Option(help="Why: birthday, event:3, referral ...")] = "manual",
    occasion: Annotated[Optional[str], typer.Option()] = None,
    given: Annotated[bool, typer.Option("--given", help="Already handed over")] = False,
    note: Annotated[Optional[str], typer.Option()] = None,
) -> None:
    """Record a gift for a customer; prints its id."""
    crm = current()
    from crm.api import get_customer

    from .care import add_gift

    with crm.transaction() as tx:
        get_customer(tx.store, customer)
        gift_id = add_gift(tx, customer, gift, campaign=campaign, occasion=occasion, given=given, note=note)
        tx.audit("create", "campaigns_gift", [gift_id])
    typer.echo(gift_id)


@gift_app.command("give")
def gift_give(gift_id: Annotated[int, typer.Argument(metavar="ID")],
              note: Annotated[Optional[str], typer.Option()] = None) -> None:
    """Mark a planned gift as handed over."""
    crm = current()
    from .care import give_gift

    with crm.transaction() as tx:
        give_gift(tx, gift_id, note)


@gift_app.command("list")
def gift_list(
    status: Annotated[Optional[str], typer.Option(help="planned, given or cancelled")] = None,
    customer: Annotated[Optional[int], typer.Option()] = None,
    format: FormatOption = "table",
) -> None:
    """Gift records: what was given to whom."""
    crm = current()
    sql = ("SELECT g.id, g.customer_id, c.name, g.campaign, g.occasion, g.gift, g.status, g.given_on, g.given_by,"
           " g.created_at FROM campaigns_gifts g LEFT JOIN customers c ON c.id = g.customer_id")
    w = Where().equal("g.status", status).equal("g.customer_id", customer or None)
    emit(crm.store.query(sql + w.sql() + " ORDER BY g.id", tuple(w.params)), format, empty_message="(no gifts)")


# -------------------------------------------------------------------------------- recalls
@recall_app.command("list")
def recall_list(format: FormatOption = "table") -> None:
    """Manufacturer campaigns with VINs, completions and completion rate."""
    from . import recalls

    emit(recalls.report(current().store), format, empty_message="(no recalls or service campaigns)")


@recall_app.command("report")
def recall_report(campaign: Annotated[Optional[str], typer.Argument(metavar="[ID]")] = None,
                  format: FormatOption = "table") -> None:
    """Completion rate and owners not reached, per campaign (or one)."""
    from . import recalls

    emit(recalls.report(current().store, campaign), format, empty_message="(none)",
         columns=("id", "kind", "title", "starts_on", "ends_on", "active", "matched", "unmatched", "completed",
                  "completion_rate", "not_reached", "deleted"))


@recall_app.command("show")
def recall_show(
    campaign: Annotated[str, typer.Argument(metavar="ID")],
    status: Annotated[Optional[str], typer.Option(help="open, unmatched, completed or withdrawn")] = None,
    format: FormatOption = "table",
) -> None:
    """A campaign's VINs with owner, outreach and completion."""
    crm = current()
    from . import recalls

    emit([crm.mask(r) for r in recalls.vins(crm.store, campaign, status)], format, empty_message="(no VINs)")


@recall_app.command("not-reached")
def recall_not_reached(campaign: Annotated[str, typer.Argument(metavar="ID")], format: FormatOption = "table") -> None:
    """Owners of open VINs who have not been reached yet."""
    crm = current()
    from . import recalls

    emit([crm.mask(r) for r in recalls.not_reached(crm.store, campaign)], format, empty_message="(everyone reached)")


@recall_app.command("contact")
def recall_contact(
    campaign: Annotated[str, typer.Argument(metavar="ID")],
    vin: Annotated[str, typer.Argument()],
    outcome: Annotated[str, typer.Option(help="reached, booked, refused, no_answer or wrong_number")],
    note: Annotated[Optional[str], typer.Option()] = None,
) -> None:
    """Record the outcome of an outreach call."""
    crm = current()
    from . import recalls

    with crm.transaction() as tx:
        recalls.record_contact(tx, campaign, vin, outcome, note)


@recall_app.command("outreach")
def recall_outreach() -> None:
    """Create call tasks for matched owners that have none yet (cron; e.g. after callbacks was enabled)."""
    crm = current()
    from . import recalls

    with crm.transaction() as tx:
        made = recalls.retry_outreach(tx)
    if made:
        crm.info(f"{made} outreach task(s)")


@recall_app.command("load")
def recall_load(
    file: Annotated[Path, typer.Argument(help="JSON file: a list of portal records (campaigns stream)")],
    stream: Annotated[str, typer.Option(help="campaigns or surveys")] = "campaigns",
) -> None:
    """Feed portal records by hand (e.g. a campaign the OEM sent by e-mail); same rules as sync."""
    crm = current()
    if stream not in ("campaigns", "surveys"):
        raise BadInput("--stream must be campaigns or surveys")
    try:
        records = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(f"{file}: not a JSON file ({exc})") from None
    if isinstance(records, dict):
        records = records.get("data", [records])
    if not isinstance(records, list):
        raise BadInput(f"{file}: expected a list of records")
    from . import recalls, surveys

    handler = recalls.on_campaign_record if stream == "campaigns" else surveys.on_survey_record
    with crm.transaction() as tx:
        for record in records:
            result = handler(tx, record)
            if result:
                crm.info(result)


# -------------------------------------------------------------------------------- win-back
@winback_app.command("segment")
def winback_segment(
    months: Annotated[Optional[int], typer.Option(help="No visit for this many months (default config)")] = None,
    name: Annotated[Optional[str], typer.Option(help="Segment name (default churned-<N>m)")] = None,
) -> None:
    """Save the churned customers (no visit for N months) as a segment; prints its size."""
    crm = current()
    from . import segments, winback
    from .common import settings

    months = months or int(settings(crm)["churn_months"])
    name = name or f"churned-{months}m"
    with crm.transaction() as tx:
        saved = winback.save_churn_segment(tx, name, months)
    typer.echo(f"{name} {segments.count(crm.store, saved['spec'], crm.today())}")


@winback_app.command("run")
def winback_run(
    segment: Annotated[str, typer.Option(help="Segment to win back (see 'winback segment')")],
    channel: Annotated[str, typer.Option(help="sms, wechat, email or phone")] = "sms",
    name: Annotated[Optional[str], typer.Option(help="Run name (default winback-YYYY-MM); same name = same run")] = None,
    template: Annotated[str, typer.Option()] = "winback",
    offer: Annotated[Optional[str], typer.Option(help="The offer, e.g. 免费检测+工时8折")] = None,
) -> None:
    """Send the win-back offer to the segment (repeatable: nobody is messaged twice per run)."""
    crm = current()
    from . import winback

    with crm.transaction() as tx:
        counts = winback.run(tx, name=name or f"winback-{crm.today():%Y-%m}", segment_name=segment,
                             channel=channel, template_name=template, offer=offer)
    _flush(crm)
    crm.info(f"run {counts['run']}: sent {counts['sent']}, already {counts['already']}")


@winback_app.command("report")
def winback_report(run: Annotated[Optional[int], typer.Argument(metavar="[RUN]")] = None,
                   format: FormatOption = "table") -> None:
    """Results: targets, came back (a visit within results_days), purchases, amount."""
    from . import winback

    emit(winback.report(current(), run), format, empty_message="(no win-back runs)")


# -------------------------------------------------------------------------------- referrals
@referral_app.command("add")
def referral_add(
    referrer: Annotated[int, typer.Option(help="Customer id of who referred")],
    referred: Annotated[Optional[int], typer.Option(help="Customer id of the referred person, if in the archive")] = None,
    name: Annotated[Optional[str], typer.Option(help="Referred person's name (not yet a customer)")] = None,
    phone: Annotated[Optional[str], typer.Option(help="Referred person's mobile")] = None,
    interest: Annotated[Optional[str], typer.Option(help="e.g. X3 新车, 保养")] = None,
    on: Annotated[Optional[str], typer.Option(help="Date of the referral (default today)")] = None,
    note: Annotated[Optional[str], typer.Option()] = None,
) -> None:
    """Record a referral; prints its id."""
    crm = current()
    from . import winback

    with crm.transaction() as tx:
        ref_id = winback.add_referral(tx, referrer_id=referrer, referred_id=referred, name=name, phone=phone,
                                      interest=interest, on=on, note=note)
    typer.echo(ref_id)


@referral_app.command("update")
def referral_update(
    ref_id: Annotated[int, typer.Argument(metavar="ID")],
    outcome: Annotated[Optional[str], typer.Option(help="open, contacted, visited, purchased or lost")] = None,
    referred: Annotated[Optional[int], typer.Option(help="Link the referred person's customer id")] = None,
    reward: Annotated[Optional[str], typer.Option(help="Reward given to the referrer")] = None,
    note: Annotated[Optional[str], typer.Option()] = None,
) -> None:
    """Update a referral's outcome, link or reward."""
    crm = current()
    from . import winback

    with crm.transaction() as tx:
        winback.update_referral(tx, ref_id, outcome=outcome, referred_id=referred, reward=reward, note=note)


@referral_app.command("list")
def referral_list(referrer: Annotated[Optional[int], typer.Option()] = None, format: FormatOption = "table") -> None:
    """Referrals with their result (purchase/visit read from the archive)."""
    crm = current()
    from . import winback

    emit([crm.mask(r) for r in winback.referrals(crm.store, referrer)], format, empty_message="(no referrals)")


@referral_app.command("report")
def referral_report(format: FormatOption = "table") -> None:
    """Per referrer: referrals, purchases, visits, rewards."""
    from . import winback

    emit(winback.referral_report(current().store), format, empty_message="(no referrals)")


# -------------------------------------------------------------------------------- outbox
@outbox_app.command("flush")
def outbox_flush() -> None:
    """Write pending outbox messages to files for the SMS/WeChat platform (cron)."""
    current().require("outbox.files")
    _flush(current())


@outbox_app.command("release")
def outbox_release() -> None:
    """Send messages held by quiet hours whose time has come, then flush (cron)."""
    crm = current()
    crm.require("outbox.files")
    from .messages import release_due

    with crm.transaction() as tx:
        count = release_due(tx)
    _flush(crm)
    if count:
        crm.info(f"released {count} held message(s)")


@outbox_app.command("messages")
def outbox_messages(
    status: Annotated[Optional[str], typer.Option(help="held, sent, no_sender or failed")] = None,
    campaign: Annotated[Optional[str], typer.Option(help="e.g. event:3, care:birthday")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 200,
    format: FormatOption = "table",
) -> None:
    """Messages this plugin sent or holds (newest first)."""
    crm = current()
    sql = ("SELECT id, created_at, customer_id, channel, to_addr AS mobile, campaign, status, not_before, sent_at,"
           " delivery_ref, text FROM campaigns_messages")
    where, params = [], []
    if status:
        where.append("status = ?")
        params.append(status)
    if campaign:
        where.append("campaign = ?")
        params.append(campaign)
    if where:
        sql += " WHERE " + " AND ".join(where)
    emit([crm.mask(r) for r in crm.store.query(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))], format,
         empty_message="(no messages)")


@outbox_app.command("files")
def outbox_files(format: FormatOption = "table") -> None:
    """Outbox files written, with their message counts."""
    crm = current()
    crm.require("outbox.files")
    from .common import outbox_dir

    rows = crm.store.query("SELECT file, channel, count(*) AS messages, min(written_at) AS written_at"
                           " FROM campaigns_outbox WHERE file IS NOT NULL GROUP BY file, channel ORDER BY written_at")
    pending = crm.store.scalar("SELECT count(*) FROM campaigns_outbox WHERE written_at IS NULL")
    emit(rows, format, empty_message="(no files yet)")
    if format == "table":
        crm.info(f"folder {outbox_dir(crm)}; {pending} pending")


@app.command("status")
def status(format: FormatOption = "table") -> None:
    """One screen: events coming, held messages, pending outbox, recalls open, survey NPS."""
    crm = current()
    from .sections import status_figures

    emit_record(status_figures(crm), format)
