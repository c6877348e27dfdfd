"""Reading one customer: the leaf every archive module may import (no cycles).

:mod:`crm.archive.customers` re-exports these; the writers (customers, cards) and the
page read through here.
"""

from __future__ import annotations

from ..errors import BadInput, NotFound


def row_by_id(store, table: str, row_id, *, what: str, missing: str, hint: str = "") -> dict:
    """The row of ``table`` whose ``id`` is ``row_id``, else a clear error naming ``what``.

    ``BadInput`` (exit 2) when ``row_id`` is not a number: "``what`` id 'x' is not a number"
    and ``hint``; ``NotFound`` when there is no such row: ``missing`` with ``{id}`` filled in.
    """
    try:
        key = int(row_id)
    except (TypeError, ValueError):
        raise BadInput(f"{what} id {row_id!r} is not a number{hint}") from None
    row = store.query_one(f"SELECT * FROM {table} WHERE id = ?", (key,))
    if row is None:
        raise NotFound(missing.format(id=key))
    return row


def get_customer(store, customer_id: int | str) -> dict:
    return row_by_id(store, "customers", customer_id, what="customer", missing="no customer with id {id}",
                     hint=" (use 'crm customer search')")


def customer_tags(store, customer_id: int) -> list[str]:
    return [r["tag"] for r in store.query("SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag",
                                          (customer_id,))]


def customer_consent(store, customer_id: int) -> dict[str, bool]:
    return {r["channel"]: bool(r["granted"]) for r in
            store.query("SELECT channel, granted FROM customer_consents WHERE customer_id = ?", (customer_id,))}
