"""crm customer add | show | edit | list | search | duplicates | merge | forget | assign |
completeness | classify | import | export."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import customers
from ..context import current
from ..errors import BadInput
from ..output import Format, emit, emit_record
from . import customer_io
from ._common import FormatOption, new_app

app = new_app("The customer archive (客户档案): add, show, edit, list, search, merge, forget, assign.")

Opt = typer.Option
Str = Optional[str]
ListOpt = Optional[list[str]]


def _contact_options(**given) -> dict:
    """The options a user actually gave (None = not given)."""
    return {k: v for k, v in given.items() if v is not None}


def _consent(grant: ListOpt, refuse: ListOpt) -> dict | None:
    from ..archive.validate import parse_channel
    from crm.values import Invalid

    out = {}
    for channels, value in ((grant or [], True), (refuse or [], False)):
        for channel in channels:
            try:
                out[parse_channel(channel)] = value
            except Invalid as exc:
                raise BadInput(f"consent channel {channel!r}: {exc.reason}") from None
    return out or None


@app.command()
def add(
    name: Annotated[str, Opt(help="Full name, e.g. 张三")],
    mobile: Annotated[Str, Opt(help="Mobile (+86, spaces, dashes fine); a landline with area code also works")] = None,
    mobile2: Annotated[Str, Opt("--mobile2", help="A second mobile")] = None,
    landline: Annotated[Str, Opt(help="Landline with area code, e.g. 010-12345678")] = None,
    gender: Annotated[Str, Opt(help="M/F or 男/女")] = None,
    birthday: Annotated[Str, Opt(help="Date of birth (2025-03-05, 2025年3月5日 …)")] = None,
    wechat: Annotated[Str, Opt(help="WeChat id")] = None,
    email: Annotated[Str, Opt()] = None,
    city: Annotated[Str, Opt()] = None,
    address: Annotated[Str, Opt()] = None,
    source: Annotated[Str, Opt(help="Where the customer came from (展厅, 转介绍, 厂家线索 …)")] = None,
    channel: Annotated[Str, Opt("--channel", help="Preferred channel: phone, sms, wechat, email")] = None,
    best_time: Annotated[Str, Opt("--best-time", help="Best time to call, e.g. 工作日晚上")] = None,
    specialist: Annotated[Str, Opt(help="Responsible specialist's staff code")] = None,
    tag: Annotated[ListOpt, Opt(help="A tag (repeatable)")] = None,
    grant: Annotated[ListOpt, Opt("--consent", help="Channel the customer agreed to (repeatable)")] = None,
    refuse: Annotated[ListOpt, Opt("--no-consent", help="Channel the customer refused (repeatable)")] = None,
    do_not_contact: Annotated[bool, Opt("--do-not-contact", help="Never contact this customer")] = False,
    notes: Annotated[Str, Opt()] = None,
    format: FormatOption = "table",
) -> None:
    """Add a customer to the archive and print the new id."""
    crm = current()
    fields = _contact_options(name=name, mobile=mobile, mobile2=mobile2, landline=landline, gender=gender,
                              birthday=birthday, wechat=wechat, email=email, city=city, address=address,
                              source=source, preferred_channel=channel, best_time=best_time,
                              specialist=specialist, notes=notes, consent=_consent(grant, refuse))
    fields["tags"] = tag or []
    if do_not_contact:
        fields["do_not_contact"] = True
    with crm.transaction() as tx:
        row = customers.add_customer(tx, fields)
    if format == Format.table:
        typer.echo(row["id"])
    else:
        emit([crm.mask({"id": row["id"], "name": row["name"], "mobile": row["mobile"]})], format)


@app.command()
def edit(
    customer_id: Annotated[str, typer.Argument(metavar="ID")],
    name: Annotated[Str, Opt()] = None,
    mobile: Annotated[Str, Opt()] = None,
    mobile2: Annotated[Str, Opt("--mobile2")] = None,
    landline: Annotated[Str, Opt()] = None,
    gender: Annotated[Str, Opt()] = None,
    birthday: Annotated[Str, Opt()] = None,
    wechat: Annotated[Str, Opt()] = None,
    email: Annotated[Str, Opt()] = None,
    city: Annotated[Str, Opt()] = None,
    address: Annotated[Str, Opt()] = None,
    source: Annotated[Str, Opt()] = None,
    classification: Annotated[Str, Opt(help="VIP, A, B or C (normally computed: crm customer classify)")] = None,
    channel: Annotated[Str, Opt("--channel", help="Preferred channel")] = None,
    best_time: Annotated[Str, Opt("--best-time")] = None,
    specialist: Annotated[Str, Opt(help="Responsible specialist's staff code")] = None,
    notes: Annotated[Str, Opt()] = None,
    tag: Annotated[ListOpt, Opt(help="Add a tag (repeatable)")] = None,
    untag: Annotated[ListOpt, Opt(help="Remove a tag (repeatable)")] = None,
    grant: Annotated[ListOpt, Opt("--consent", help="Record consent for a channel (repeatable)")] = None,
    refuse: Annotated[ListOpt, Opt("--no-consent", help="Record a refusal for a channel (repeatable)")] = None,
    dnc: Annotated[Optional[bool], Opt("--do-not-contact/--may-contact", help="Set or lift do-not-contact")] = None,
    clear: Annotated[ListOpt, Opt(help="Empty a field, e.g. --clear email (repeatable)")] = None,
    format: FormatOption = "table",
) -> None:
    """Change a customer's fields; prints what changed (old → new)."""
    crm = current()
    fields = _contact_options(name=name, mobile=mobile, mobile2=mobile2, landline=landline, gender=gender,
                              birthday=birthday, wechat=wechat, email=email, city=city, address=address,
                              source=source, classification=classification, preferred_channel=channel,
                              best_time=best_time, specialist=specialist, notes=notes, tags=tag or None,
                              consent=_consent(grant, refuse), do_not_contact=dnc)
    for field in clear or []:
        key = {"channel": "preferred_channel", "best-time": "best_time"}.get(field, field)
        if key not in customers.COLUMNS or key in ("name",):
            raise BadInput(f"--clear {field}: not a field that can be emptied")
        if key in fields:
            raise BadInput(f"--clear {field} and --{field} contradict each other")
        fields[key] = None
    if untag:
        fields["untag"] = untag
    if not fields:
        raise BadInput("nothing to change: give at least one option (see --help)")
    with crm.transaction() as tx:
        changes = customers.update_customer(tx, customer_id, fields)
    rows = [{"field": k, "old": v[0], "new": v[1]} for k, v in changes.items()]
    if not crm.may_see_personal_data:
        from ..masking import MASKERS

        for row in rows:
            if row["field"] in MASKERS:
                row["old"], row["new"] = (MASKERS[row["field"]](v) if isinstance(v, str) else v
                                          for v in (row["old"], row["new"]))
    emit(rows, format, columns=["field", "old", "new"], empty_message="nothing changed")


@app.command()
def show(
    customer_id: Annotated[str, typer.Argument(metavar="ID", help="Customer id")],
    format: FormatOption = "table",
) -> None:
    """One screen about a customer: contact, vehicles, visits, log, card, and plugins' sections."""
    from ..archive.page import customer_page

    crm = current()
    page = customer_page(crm, customer_id)
    if format in (Format.json, Format.jsonl):
        import json

        from ..output import json_default

        typer.echo(json.dumps(page, ensure_ascii=False, default=json_default,
                              indent=2 if format == Format.json else None))
        return
    if format == Format.csv:
        emit([page["customer"]], format)
        return
    emit_record({k: v for k, v in page["customer"].items() if v not in (None, [], {})})
    for section in page["sections"]:
        typer.echo(f"\n{section['title']}")
        emit(section.get("rows") or [], Format.table, columns=section.get("columns"), empty_message="  (none)")


@app.command("list")
def list_(
    city: Annotated[ListOpt, Opt(help="City (repeatable: any of)")] = None,
    model: Annotated[ListOpt, Opt(help="Owns a vehicle whose model contains this (5系 matches 5系 530Li; any case)")] = None,
    delivered_from: Annotated[Str, Opt(help="That vehicle delivered on or after YYYY-MM-DD")] = None,
    delivered_to: Annotated[Str, Opt(help="That vehicle delivered on or before YYYY-MM-DD")] = None,
    vin: Annotated[ListOpt, Opt(help="Owns this VIN (repeatable)")] = None,
    classification: Annotated[ListOpt, Opt("--class", "--classification", help="VIP, A, B, C (repeatable)")] = None,
    level: Annotated[ListOpt, Opt("--level", help="Active, unexpired membership card level (repeatable)")] = None,
    specialist: Annotated[ListOpt, Opt(help="Responsible specialist's code; 'none' = unassigned")] = None,
    last_visit_before: Annotated[Str, Opt(help="Last visit before this date (lapsed customers)")] = None,
    last_visit_after: Annotated[Str, Opt(help="Last visit on or after this date")] = None,
    never_visited: Annotated[bool, Opt("--never-visited", help="Never came to the workshop")] = False,
    churned_months: Annotated[Optional[int], Opt(help="No visit for this many months (流失客户)")] = None,
    tag: Annotated[ListOpt, Opt(help="Has this tag (repeatable: any of them)")] = None,
    exclude_tag: Annotated[ListOpt, Opt(help="Has none of these tags")] = None,
    consent: Annotated[ListOpt, Opt(help="The contact policy allows this channel (consent, not do-not-contact, an address)")] = None,
    purpose: Annotated[str, Opt(help="With --consent: service, care, marketing or safety (docs/privacy.md)")] = "marketing",
    filter_: Annotated[ListOpt, Opt("--filter", help="A plugin's filter NAME=VALUE (repeatable), e.g. event=3")] = None,
    dnc: Annotated[Optional[bool], Opt("--do-not-contact/--contactable", help="Only do-not-contact / only the others")] = None,
    due: Annotated[bool, Opt("--first-contact-due", help="Newly assigned customers whose first contact is due by today (or --due-by)")] = False,
    due_by: Annotated[Str, Opt("--due-by", help="With --first-contact-due: due on or before this date")] = None,
    sort: Annotated[str, Opt(help="id, name, due, updated, last_visit")] = "id",
    limit: Annotated[int, Opt(help="At most this many (0 = all)")] = 100,
    format: FormatOption = "table",
) -> None:
    """List customers, filtered (the same filters define campaign segments)."""
    from ..archive.contact import ContactPolicy
    from ..archive.filters import CustomerFilter, extensions, list_rows

    crm = current()
    plugged = extensions(crm)
    given: dict[str, list[str]] = {}
    for item in filter_ or []:
        name, sep, value = item.partition("=")
        if not sep or name not in plugged:
            raise BadInput(f"--filter {item!r}: use NAME=VALUE with NAME one of "
                           f"{', '.join(sorted(plugged)) or '(no plugin filters installed)'}")
        given.setdefault(name, []).append(value)
    extra = {name: values[0] if len(values) == 1 else values for name, values in given.items()}
    f = CustomerFilter(city=city, model=model, classification=classification, member_level=level,
                       specialist=specialist, last_visit_before=last_visit_before,
                       last_visit_after=last_visit_after, never_visited=never_visited,
                       churned_months=churned_months, tag=tag, exclude_tag=exclude_tag, consent=consent,
                       purpose=purpose, do_not_contact=dnc, delivered_from=delivered_from, delivered_to=delivered_to,
                       vin=vin, first_contact_due=(due_by or crm.today().isoformat()) if (due or due_by) else None,
                       extra=extra)
    if due and sort == "id":
        sort = "due"
    rows = list_rows(crm.store, f, limit=limit or None, order=sort, today=crm.today(), extensions=plugged,
                     policy=ContactPolicy.from_config(crm.config))
    emit([crm.mask(r) for r in rows], format, empty_message="no customers match")


@app.command()
def search(
    query: Annotated[str, typer.Argument(metavar="Q", help="Mobile or its last 4 digits, plate, VIN (or last 6–8), card number, name, pinyin")],
    limit: Annotated[int, Opt(help="At most this many results")] = 20,
    deep: Annotated[bool, Opt("--deep", help="Also find the text in the middle of names (slow on big archives)")] = False,
    format: FormatOption = "table",
) -> None:
    """Find customers, best match first; says which field matched and how."""
    from ..archive.search import search as run
    from ..masking import mask_phone

    from ..archive.search import query_kind

    crm = current()
    rows = run(crm.store, query, limit=limit, deep=deep, phone_prefix=crm.may("search.phone-prefix"))
    with crm.transaction() as tx:  # every search is audited: who, what kind, how many — never the query
        tx.audit("search", "customer", [r["id"] for r in rows], count=len(rows),
                 detail={"kind": query_kind(query), "deep": deep} if deep else {"kind": query_kind(query)})
    if not crm.may_see_personal_data:
        for row in rows:
            if row["field"] in ("phone", "tail4"):
                row["value"] = mask_phone(row["value"])
    emit([crm.mask(r) for r in rows], format,
         columns=["id", "name", "mobile", "city", "classification", "field", "match", "value"],
         empty_message=f"nothing found for {query!r}")


@app.command()
def duplicates(
    key: Annotated[ListOpt, Opt(help="Only this key: vin, mobile, name+plate (repeatable)")] = None,
    limit: Annotated[int, Opt(help="At most this many groups per key")] = 500,
    format: FormatOption = "table",
) -> None:
    """Customers recorded twice: same VIN, then same mobile, then same name and plate."""
    from ..archive.dedupe import duplicate_groups

    crm = current()
    keys = tuple(key) if key else ("vin", "mobile", "name+plate")
    for k in keys:
        if k not in ("vin", "mobile", "name+plate"):
            raise BadInput(f"--key {k!r}: use vin, mobile or name+plate")
    rows = duplicate_groups(crm.store, keys=keys, limit=limit)
    if not crm.may_see_personal_data:
        from ..masking import mask_phone

        for row in rows:
            if row["key"] == "mobile":
                row["value"] = mask_phone(row["value"])
    emit([crm.mask(r) for r in rows], format, empty_message="no duplicates found")


@app.command()
def merge(
    kept: Annotated[str, typer.Argument(metavar="KEEP", help="The record that stays")],
    merged: Annotated[str, typer.Argument(metavar="MERGED", help="The record merged into it (then deleted)")],
    yes: Annotated[bool, Opt("--yes", help="Confirm")] = False,
) -> None:
    """Merge MERGED into KEEP: vehicles, visits, log, cards, appointments, tags, phones, plugins' rows."""
    from ..archive.merge import merge as run

    crm = current()
    crm.require("customer.merge")
    if not yes:
        raise BadInput(f"merging deletes customer {merged} after moving everything to {kept}; add --yes")
    with crm.transaction() as tx:
        result = run(tx, kept, merged)
    crm.info(f"merged customer {result['merged']} into {result['kept']}"
             + (f" ({', '.join(result['changes'])} taken over)" if result["changes"] else ""))


@app.command()
def forget(
    customer_id: Annotated[str, typer.Argument(metavar="ID")],
    yes: Annotated[bool, Opt("--yes", help="Confirm: this cannot be undone")] = False,
) -> None:
    """Erase a person's personal data everywhere (PIPL); anonymous statistics stay."""
    from ..archive.forget import copies_before, forget as run, scrub_wal

    crm = current()
    crm.require("customer.forget")
    from ..archive.customers import get_customer

    get_customer(crm.store, customer_id)  # an unknown id is reported before asking for --yes
    if not yes:
        raise BadInput(f"this erases customer {customer_id}'s personal data for good; add --yes")
    copies = copies_before(crm.store)
    with crm.transaction() as tx:
        result = run(tx, customer_id)
    crm.info(f"customer {result['id']} forgotten ({result['vehicles']} vehicle(s) anonymised)")
    if copies:
        crm.info(f"{len(copies)} file(s) written before still hold this person (backups, exports, outbox files; "
                 "delete or re-make them — see docs/privacy.md):")
        for path in copies:
            crm.info(f"  {path}")
    scrub_wal(crm.store)


@app.command()
def assign(
    customer_id: Annotated[Str, typer.Argument(metavar="[ID]", help="One customer (with --to)")] = None,
    to: Annotated[Str, Opt(help="Staff code to assign the customer to")] = None,
    balance: Annotated[bool, Opt("--balance", help="Spread unassigned customers over the specialists")] = False,
    rebalance: Annotated[bool, Opt("--rebalance", help="Also even out the existing assignments")] = False,
    dry_run: Annotated[bool, Opt("--dry-run", help="Show the plan, change nothing")] = False,
    format: FormatOption = "table",
) -> None:
    """Assign responsible specialists (weighted by level and capacity); sets first-contact due dates."""
    from ..archive import assign as assigning

    crm = current()
    crm.require("customer.assign")
    if customer_id is not None:
        if not to or balance or rebalance:
            raise BadInput("give either ID --to STAFF, or --balance [--rebalance]")
        with crm.transaction() as tx:
            emit([assigning.assign_one(tx, customer_id, to)], format)
        return
    if not (balance or rebalance):
        raise BadInput("say what to do: --balance (unassigned customers), --rebalance, or ID --to STAFF")
    if dry_run:
        moves = assigning.plan(crm, rebalance=rebalance)
        counts: dict = {}
        codes = dict(crm.store.conn.execute("SELECT id, code FROM staff"))
        for _, _, new in moves:
            counts[codes[new]] = counts.get(codes[new], 0) + 1
        emit([{"specialist": k, "would_assign": v} for k, v in sorted(counts.items())], format,
             empty_message="nothing to assign")
        return
    with crm.transaction() as tx:
        summary = assigning.assign_balance(tx, rebalance=rebalance)
    emit(summary, format, empty_message="nothing to assign: every customer has an active specialist")


@app.command()
def completeness(
    by: Annotated[Str, Opt(help="'specialist' for one row per specialist; 'customer' for each customer")] = None,
    specialist: Annotated[Str, Opt(help="Only this specialist's customers ('none' = unassigned)")] = None,
    below: Annotated[Optional[float], Opt(help="With --by customer: only rates below this %")] = None,
    limit: Annotated[int, Opt(help="With --by customer: at most this many")] = 1000,
    format: FormatOption = "table",
) -> None:
    """Profile completeness (档案完整率): overall, per specialist, or per customer with what is missing."""
    from ..archive import completeness as comp

    crm = current()
    if by in (None, "specialist"):
        rows = comp.summary(crm, by_specialist=by == "specialist")
        if by == "specialist":
            rows += comp.summary(crm)
        emit(rows, format)
        return
    if by != "customer":
        raise BadInput(f"--by {by!r}: use specialist or customer")
    emit(comp.per_customer(crm, specialist=specialist, below=below, limit=limit or None), format,
         empty_message="no customers")


@app.command()
def classify(
    customer_id: Annotated[Optional[list[str]], typer.Argument(metavar="[ID]...", help="Only these customers")] = None,
    dry_run: Annotated[bool, Opt("--dry-run", help="Show the changes, write nothing")] = False,
    format: FormatOption = "table",
) -> None:
    """Recompute VIP/A/B/C from spend, visits and recency (rules in the config); shows the changes."""
    from ..archive import classify as cls

    crm = current()
    columns = ["id", "old", "new", "spend", "visits", "last_visit"]
    if dry_run:
        rows = [r for r in cls.facts(crm, ids=customer_id) if r["new"] != r["old"]]
    else:
        with crm.transaction() as tx:
            rows = cls.classify(tx, ids=customer_id)
    if format == Format.table and not rows:
        crm.info("no classification changed")
        return
    emit(rows, format, columns=columns)


app.command("import")(customer_io.import_customers)
app.command("export")(customer_io.export_customers)
