"""crm survey create | list | show | send | answer | import | responses | stats"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from crm.api import Format, FormatOption, current, emit, emit_record, new_app
from crm.errors import BadInput, NeedsAttention

from . import surveys

app = new_app("Satisfaction surveys (满意度调查): sales and service CSI, answers, import, stats and NPS.")


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="e.g. 2026-11售后满意度")],
    kind: Annotated[str, typer.Option(help="sales_csi, service_csi or other")] = "service_csi",
    channel: Annotated[str, typer.Option(help="phone, sms, wechat or email")] = "phone",
    question: Annotated[Optional[list[str]], typer.Option(
        "--question", help="code:type:text[:a|b|c] with type scale (0-10), nps (0-10, counts for NPS), choice "
                           "or text; repeatable. Default: the standard questionnaire of the kind")] = None,
) -> None:
    """Create a survey and print its id."""
    crm = current()
    parsed = [surveys.parse_question(q) for q in question or []]
    with crm.transaction() as tx:
        survey = surveys.create_survey(tx, name, kind, channel, parsed or None)
    typer.echo(survey["id"])


@app.command("list")
def list_(format: FormatOption = "table") -> None:
    """Surveys with their number of sends and responses."""
    crm = current()
    rows = crm.store.query(
        "SELECT s.id, s.name, s.kind, s.channel, s.source,"
        " (SELECT count(*) FROM campaigns_survey_sends x WHERE x.survey_id = s.id) AS sent,"
        " (SELECT count(*) FROM campaigns_survey_responses r WHERE r.survey_id = s.id AND r.deleted = 0) AS responses,"
        " s.created_at FROM campaigns_surveys s ORDER BY s.id")
    emit(rows, format, empty_message="(no surveys)")


@app.command()
def show(survey: Annotated[str, typer.Argument(metavar="SURVEY", help="Name or id")],
         format: FormatOption = "table") -> None:
    """A survey's questions."""
    crm = current()
    found = surveys.get_survey(crm.store, survey)
    rows = [{"code": q["code"], "type": "nps" if q["nps"] else q["type"], "text": q["text"],
             "choices": "/".join(q["choices"] or [])} for q in found["questions"]]
    if format in (Format.json, Format.jsonl):
        emit_record({k: v for k, v in found.items() if k != "questions"} | {"questions": rows}, format)
        return
    if format == Format.table:
        typer.echo(f"{found['id']} {found['name']} ({found['kind']}, {found['channel']})")
    emit(rows, format)


@app.command()
def send(
    survey: Annotated[str, typer.Argument(metavar="SURVEY", help="Name or id")],
    segment: Annotated[str, typer.Option(help="Saved segment to survey")],
    channel: Annotated[Optional[str], typer.Option(help="Default: the survey's channel")] = None,
    template: Annotated[str, typer.Option(help="Message template (sms/wechat/email)")] = "survey",
) -> None:
    """Send a survey to a segment (phone: call tasks); nobody gets the same survey twice."""
    crm = current()
    with crm.transaction() as tx:
        counts = surveys.send(tx, surveys.get_survey(tx.store, survey), segment, channel, template)
    from .outbox import flush_quietly

    flush_quietly(crm)
    crm.info(f"sent {counts['sent']}, already {counts['already']}")


@app.command()
def answer(
    survey: Annotated[str, typer.Argument(metavar="SURVEY", help="Name or id")],
    customer: Annotated[int, typer.Option(help="Customer id")],
    set_: Annotated[list[str], typer.Option("--set", help="code=value, repeatable (e.g. --set recommend=9)")],
    ro: Annotated[Optional[str], typer.Option(help="Repair order the answers are about (gives the advisor)")] = None,
    at: Annotated[Optional[str], typer.Option(help="When answered (default now)")] = None,
    channel: Annotated[Optional[str], typer.Option()] = None,
) -> None:
    """Enter one customer's answers (e.g. after a phone survey); prints the response id."""
    crm = current()
    found = surveys.get_survey(crm.store, survey)
    codes = {q["code"]: q for q in found["questions"]}
    answers = {}
    for item in set_:
        code, sep, value = item.partition("=")
        if not sep or code.strip() not in codes:
            raise BadInput(f"--set {item!r}: use code=value with a code of {', '.join(codes)}")
        try:
            answers[code.strip()] = surveys.check_answer(codes[code.strip()], value)
        except ValueError as exc:
            raise BadInput(f"--set {item}: {exc}") from None
    from .survey_import import _moment

    try:
        answered = _moment(crm, at)
    except ValueError as exc:
        raise BadInput(f"--at {at}: {exc}") from None
    with crm.transaction() as tx:
        from crm.api import get_customer

        cust = get_customer(tx.store, customer)
        if ro and not tx.store.scalar("SELECT 1 FROM visits WHERE ro_number = ? AND customer_id = ?", (ro, cust["id"])):
            raise BadInput(f"repair order {ro} is not a visit of customer {cust['id']}")
        response_id, _ = surveys.store_response(
            tx, found, customer_id=cust["id"], vehicle_id=None, channel=channel or found["channel"], source="cli",
            source_ref=f"cli:{found['id']}:{cust['id']}:{answered}:{ro or ''}", answered_at=answered,
            answers=answers, ro=ro)
    typer.echo(response_id)


@app.command("import")
def import_(
    survey: Annotated[str, typer.Argument(metavar="SURVEY", help="Name or id")],
    file: Annotated[Path, typer.Argument(help="XLSX file: customer|mobile|vin, ro, answered_at, channel, "
                                              "then one column per question code")],
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the good rows, report the rest "
                                                                      "(exit 3)")] = False,
    rejects: Annotated[Optional[Path], typer.Option(help="Also write the reject report to this CSV file")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only")] = False,
    format: FormatOption = "table",
) -> None:
    """Import answers from XLSX: all or nothing unless --skip-invalid; re-importing is harmless.

    Rejected cells are listed with row, column, value and reason.
    """
    crm = current()
    from . import survey_import

    found = surveys.get_survey(crm.store, survey)
    good, bad = survey_import.validate(crm, found, file)
    if bad:
        emit(bad, format, columns=("row", "column", "value", "reason"))
        if rejects is not None:
            from .files import write_table

            write_table(rejects, bad, ("row", "column", "value", "reason"))
    bad_rows = len({r["row"] for r in bad})
    if bad and not skip_invalid:
        raise BadInput(f"{file.name}: {bad_rows} row(s) rejected, nothing imported (fix them or use --skip-invalid)")
    if dry_run:
        crm.info(f"{file.name}: {len(good)} row(s) valid, {bad_rows} rejected (dry run, nothing imported)")
        return
    with crm.transaction() as tx:
        counts = survey_import.import_rows(tx, found, good)
    crm.info(f"{file.name}: {counts['created']} imported, {counts['unchanged']} already there"
             + (f", {bad_rows} rejected" if bad else ""))
    if bad:
        raise NeedsAttention(f"{file.name}: {bad_rows} row(s) rejected; the other rows were imported")


@app.command()
def responses(
    survey: Annotated[str, typer.Argument(metavar="SURVEY", help="Name or id")],
    low: Annotated[bool, typer.Option("--low", help="Only responses with a follow-up (low score)")] = False,
    format: FormatOption = "table",
) -> None:
    """Responses with their answers and follow-up."""
    crm = current()
    found = surveys.get_survey(crm.store, survey)
    rows = crm.store.query(
        "SELECT r.id, r.customer_id, c.name, r.advisor, r.source, r.channel, r.answered_at, r.followup,"
        " r.followup_ref FROM campaigns_survey_responses r LEFT JOIN customers c ON c.id = r.customer_id"
        " WHERE r.survey_id = ? AND r.deleted = 0" + (" AND r.followup IS NOT NULL" if low else "")
        + " ORDER BY r.answered_at, r.id", (found["id"],))
    answers = crm.store.query(
        "SELECT a.response_id, q.code, a.value_num, a.value_text FROM campaigns_survey_answers a"
        " JOIN campaigns_survey_questions q ON q.id = a.question_id WHERE q.survey_id = ?", (found["id"],))
    by_response: dict = {}
    for a in answers:
        value = a["value_text"] if a["value_text"] is not None else (
            int(a["value_num"]) if a["value_num"] is not None else None)
        by_response.setdefault(a["response_id"], {})[a["code"]] = value
    meta = ("id", "customer_id", "name", "advisor", "source", "answered_at", "followup")
    codes = {q["code"]: (f"q_{q['code']}" if q["code"] in meta else q["code"]) for q in found["questions"]}
    out = [{**r, **{column: by_response.get(r["id"], {}).get(code) for code, column in codes.items()}} for r in rows]
    emit(out, format, columns=(*meta[:-1], *codes.values(), "followup"),
         empty_message="(no responses)")


@app.command()
def stats(
    survey: Annotated[Optional[str], typer.Option(help="Only this survey (name or id)")] = None,
    kind: Annotated[Optional[str], typer.Option(help="sales_csi or service_csi (dealer and portal merged)")] = None,
    from_: Annotated[Optional[str], typer.Option("--from", help="Answered on or after YYYY-MM-DD")] = None,
    to: Annotated[Optional[str], typer.Option(help="Answered on or before YYYY-MM-DD")] = None,
    by: Annotated[str, typer.Option(help="question, advisor, source, month or kind")] = "question",
    format: FormatOption = "table",
) -> None:
    """Statistics per question (or advisor, source, month) with NPS (promoters 9–10, detractors 0–6)."""
    crm = current()
    survey_id = surveys.get_survey(crm.store, survey)["id"] if survey else None
    if kind and kind not in surveys.KINDS:
        raise BadInput(f"kind {kind!r} is not one of {', '.join(surveys.KINDS)}")
    rows = surveys.stats(crm, survey_id=survey_id, kind=kind, since=from_, until=to, by=by)
    emit(rows, format, empty_message="(no answers)")
    if format == Format.table and rows:
        from .common import parse_date

        since, until = parse_date(from_, "--from"), parse_date(to, "--to")
        overall = surveys.overall_nps(crm, kind=kind, since=since and since.isoformat(),
                                      until=until and until.isoformat())
        if survey_id is None and overall["nps_n"]:
            typer.echo(f"\nNPS {overall['nps']} ({overall['promoters']} promoters, {overall['passives']} passives,"
                       f" {overall['detractors']} detractors of {overall['nps_n']})")
