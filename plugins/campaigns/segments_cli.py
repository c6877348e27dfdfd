"""crm segment save | show | count | members | export | list | delete"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from crm.api import Format, FormatOption, current, emit, emit_record, new_app
from crm.errors import BadInput

from . import segments

app = new_app("Segments (客户分群): saved filters over the archive for invitations, care and surveys.")

Many = Optional[list[str]]
Model = Annotated[Many, typer.Option("--model", help="Vehicle model contains this (repeatable: any of)")]
DeliveredFrom = Annotated[Optional[str], typer.Option(help="Vehicle delivered on or after YYYY-MM-DD")]
DeliveredTo = Annotated[Optional[str], typer.Option(help="Vehicle delivered on or before YYYY-MM-DD")]
Level = Annotated[Many, typer.Option("--level", help="Active membership card level (会员等级), any of")]
Classification = Annotated[Many, typer.Option("--classification", help="Customer classification, any of")]
City = Annotated[Many, typer.Option("--city", help="City, any of")]
VisitBefore = Annotated[Optional[str], typer.Option(help="Last visit before YYYY-MM-DD")]
VisitAfter = Annotated[Optional[str], typer.Option(help="Last visit on or after YYYY-MM-DD")]
Never = Annotated[bool, typer.Option("--never-visited", help="Never came for service")]
Churned = Annotated[Optional[int], typer.Option(help="No visit for this many months (流失客户)")]
Tag = Annotated[Many, typer.Option("--tag", help="Has this tag (repeatable: any of)")]
NoTag = Annotated[Many, typer.Option("--exclude-tag", help="Has none of these tags")]
Channel = Annotated[Optional[str], typer.Option(help="Consented and reachable on phone, sms, wechat or email")]
Vin = Annotated[Many, typer.Option("--vin", help="Owns this VIN (repeatable)")]
VinFile = Annotated[Optional[Path], typer.Option(help="File of VINs, one a line (first CSV column)")]
Customer = Annotated[Optional[list[int]], typer.Option("--customer", help="This customer id (repeatable)")]
Event = Annotated[Optional[int], typer.Option(help="Invited to this event (with --reply)")]
Reply = Annotated[Many, typer.Option("--reply", help="Reply to --event: accepted, declined, maybe, pending, "
                                                     "waitlisted, walk_in, attended, no_show")]


def _read_vins(path: Path | None) -> list[str]:
    if path is None:
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read the VIN file ({exc})") from None
    vins = []
    for line in text.splitlines():
        first = line.split(",")[0].strip().strip('"')
        if first and first.lower() != "vin":
            vins.append(first)
    return vins


def build_spec(*, model=None, delivered_from=None, delivered_to=None, level=None, classification=None,
               city=None, last_visit_before=None, last_visit_after=None, never_visited=False,
               churned_months=None, tag=None, exclude_tag=None, channel=None, vin=None, vin_file=None,
               customer=None, event=None, reply=None) -> dict:
    return segments.validate_spec({
        "model": model or [], "delivered_from": delivered_from, "delivered_to": delivered_to,
        "level": level or [], "classification": classification or [], "city": city or [],
        "last_visit_before": last_visit_before, "last_visit_after": last_visit_after,
        "never_visited": never_visited, "churned_months": churned_months, "tags": tag or [],
        "exclude_tags": exclude_tag or [], "channel": channel,
        "vins": (vin or []) + _read_vins(vin_file), "customers": customer or [], "event": event,
        "reply": reply or [],
    })


@app.command()
def save(
    name: Annotated[str, typer.Argument(help="Segment name, e.g. x5-owners-2024")],
    model: Model = None, delivered_from: DeliveredFrom = None, delivered_to: DeliveredTo = None,
    level: Level = None, classification: Classification = None, city: City = None,
    last_visit_before: VisitBefore = None, last_visit_after: VisitAfter = None, never_visited: Never = False,
    churned_months: Churned = None, tag: Tag = None, exclude_tag: NoTag = None, channel: Channel = None,
    vin: Vin = None, vin_file: VinFile = None, customer: Customer = None, event: Event = None,
    reply: Reply = None,
    description: Annotated[Optional[str], typer.Option(help="What the segment is for")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite an existing segment's filters")] = False,
) -> None:
    """Save a filter as a named segment; prints how many customers it holds today.

    Do-not-contact and forgotten customers are always left out; --channel also leaves out
    customers without consent or an address on that channel.
    """
    crm = current()
    spec = build_spec(model=model, delivered_from=delivered_from, delivered_to=delivered_to, level=level,
                      classification=classification, city=city, last_visit_before=last_visit_before,
                      last_visit_after=last_visit_after, never_visited=never_visited,
                      churned_months=churned_months, tag=tag, exclude_tag=exclude_tag, channel=channel,
                      vin=vin, vin_file=vin_file, customer=customer, event=event, reply=reply)
    with crm.transaction() as tx:
        saved = segments.save_segment(tx, name, spec, description=description, replace=replace)
    crm.info(f"segment {saved['name']}: {segments.count(crm.store, saved['spec'], crm.today())} customers")


@app.command()
def count(
    name: Annotated[Optional[str], typer.Argument(help="A saved segment (or give filters instead)")] = None,
    model: Model = None, delivered_from: DeliveredFrom = None, delivered_to: DeliveredTo = None,
    level: Level = None, classification: Classification = None, city: City = None,
    last_visit_before: VisitBefore = None, last_visit_after: VisitAfter = None, never_visited: Never = False,
    churned_months: Churned = None, tag: Tag = None, exclude_tag: NoTag = None, channel: Channel = None,
    vin: Vin = None, vin_file: VinFile = None, customer: Customer = None, event: Event = None,
    reply: Reply = None,
) -> None:
    """Print how many customers a saved segment (or an ad-hoc filter) holds today."""
    crm = current()
    if name:
        spec = segments.get_segment(crm.store, name)["spec"]
    else:
        spec = build_spec(model=model, delivered_from=delivered_from, delivered_to=delivered_to, level=level,
                          classification=classification, city=city, last_visit_before=last_visit_before,
                          last_visit_after=last_visit_after, never_visited=never_visited,
                          churned_months=churned_months, tag=tag, exclude_tag=exclude_tag, channel=channel,
                          vin=vin, vin_file=vin_file, customer=customer, event=event, reply=reply)
    typer.echo(segments.count(crm.store, spec, crm.today()))


@app.command()
def show(name: Annotated[str, typer.Argument(help="Segment name or id")], format: FormatOption = "table") -> None:
    """A segment's filters and its size today; with a channel, who the contact policy leaves out and why."""
    crm = current()
    seg = segments.get_segment(crm.store, name)
    record = {"id": seg["id"], "name": seg["name"], "description": seg["description"],
              "members": segments.count(crm.store, seg["spec"], crm.today()),
              "created_by": seg["created_by"], "updated_at": seg["updated_at"]}
    if seg["spec"].get("channel"):  # who the contact policy leaves out, and why (docs/privacy.md)
        from .common import contact_policy

        record["left_out"] = segments.left_out(crm.store, seg["spec"], crm.today(), seg["spec"]["channel"],
                                               "marketing", contact_policy(crm))
    if format in (Format.json, Format.jsonl):
        emit_record({**record, "spec": seg["spec"]}, format)
        return
    left_out = record.pop("left_out", {})
    emit_record({**record, **{f"filter.{k}": v for k, v in seg["spec"].items()},
                 **{f"left out: {why}": n for why, n in sorted(left_out.items())}}, format)


@app.command()
def members(
    name: Annotated[str, typer.Argument(help="Segment name or id")],
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows")] = 1000,
    format: FormatOption = "table",
) -> None:
    """List a segment's customers today (phones masked unless your role may see them)."""
    crm = current()
    seg = segments.get_segment(crm.store, name)
    rows = segments.members(crm.store, seg["spec"], crm.today(), limit=limit)
    emit([crm.mask(r) for r in rows], format, columns=segments.MEMBER_COLUMNS, empty_message="(no customers)")


@app.command()
def export(
    name: Annotated[str, typer.Argument(help="Segment name or id")],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write: .csv or .xlsx")],
) -> None:
    """Export a segment's customers to a CSV/XLSX file (0600, audit-logged).

    Phones and e-mail are written in full only for the manager, or with an approved
    'crm export request segment --filter segment=NAME' (docs/privacy.md); else masked.
    """
    from crm.api import check_target

    from .files import write_table

    check_target(out, (".csv", ".xlsx"))  # never the database, a device or a folder
    crm = current()
    seg = segments.get_segment(crm.store, name)
    from crm.api import mask_row

    unmasked = crm.unmasked_file("segment", filters={"segment": seg["name"]}, fmt=out.suffix.lower().lstrip("."))
    rows = [r if unmasked else mask_row(r) for r in segments.members(crm.store, seg["spec"], crm.today())]
    with crm.transaction() as tx:
        tx.audit("export", "campaigns_segment", [seg["id"]], count=len(rows),
                 detail={"file": out.name, "masked": not unmasked})
        write_table(out, rows, segments.MEMBER_COLUMNS)
    crm.info(f"{out}: {len(rows)} customers")


@app.command("list")
def list_(format: FormatOption = "table") -> None:
    """All saved segments with their size today."""
    crm = current()
    emit(segments.list_segments(crm.store, crm.today()), format,
         columns=("id", "name", "members", "description", "spec", "created_by", "updated_at"),
         empty_message="(no segments; see 'crm segment save --help')")


@app.command()
def delete(name: Annotated[str, typer.Argument(help="Segment name or id")]) -> None:
    """Delete a saved segment (campaigns already sent keep their records)."""
    crm = current()
    with crm.transaction() as tx:
        seg = segments.get_segment(tx.store, name)
        tx.conn.execute("DELETE FROM campaigns_segments WHERE id = ?", (seg["id"],))
        tx.audit("delete", "campaigns_segment", [seg["id"]])


def spec_json(spec: dict) -> str:
    return json.dumps(spec, ensure_ascii=False, sort_keys=True)
