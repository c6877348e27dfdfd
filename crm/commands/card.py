"""crm card issue | renew | list — membership cards (会员卡)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import cards
from ..context import current
from ..output import emit
from ._common import FormatOption, new_app

app = new_app("Membership cards: issue, renew, list the ones about to expire.")
Str = Optional[str]


@app.command()
def issue(
    customer: Annotated[int, typer.Option(help="Customer id")],
    number: Annotated[str, typer.Option(help="Card number")],
    level: Annotated[str, typer.Option(help="Level, e.g. 银卡 / 金卡 / 钻石卡")] = "standard",
    issued: Annotated[Str, typer.Option("--issued", help="Issue date (default today)")] = None,
    expires: Annotated[Str, typer.Option("--expires", help="Expiry date (default: archive.card_years after issue)")] = None,
) -> None:
    """Issue a card (an older active card of the customer is cancelled); prints its id."""
    crm = current()
    fields = {"customer_id": customer, "number": number, "level": level, "issued_on": issued, "expires_on": expires}
    with crm.transaction() as tx:
        card = cards.issue_card(tx, {k: v for k, v in fields.items() if v is not None})
    typer.echo(card["id"])


@app.command()
def renew(
    card: Annotated[str, typer.Argument(metavar="NUMBER|ID")],
    until: Annotated[Str, typer.Option(help="New expiry date")] = None,
    years: Annotated[Optional[int], typer.Option(help="Extend by this many years (default archive.card_years)")] = None,
    level: Annotated[Str, typer.Option(help="Change the level too")] = None,
) -> None:
    """Renew a card: from its expiry (or today if lapsed) by --years, or to --until."""
    crm = current()
    with crm.transaction() as tx:
        row = cards.renew_card(tx, card, until=until, years=years, level=level)
    crm.info(f"card {row['number']} valid until {row['expires_on']}")


@app.command("list")
def list_(
    expiring: Annotated[Optional[int], typer.Option(help="Active cards expiring within DAYS", metavar="DAYS")] = None,
    level: Annotated[Str, typer.Option()] = None,
    customer: Annotated[Optional[int], typer.Option()] = None,
    status: Annotated[Str, typer.Option(help="active, expired, cancelled")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 1000,
    format: FormatOption = "table",
) -> None:
    """List cards, soonest expiry first."""
    crm = current()
    rows = cards.list_cards(crm.store, today=crm.today().isoformat(), expiring=expiring, level=level,
                            customer_id=customer, status=status, limit=limit)
    emit([crm.mask(r) for r in rows], format, empty_message="no cards")
