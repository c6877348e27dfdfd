"""Reading one customer: the leaf every archive module may import (no cycles).

:mod:`crm.archive.customers` re-exports these; the writers (customers, cards) and the
page read through here.
"""

from __future__ import annotations

from ..errors import BadInput, NotFound


def get_customer(store, customer_id: int | str) -> dict:
    try:
        key = int(customer_id)
    except (TypeError, ValueError):
        raise BadInput(f"customer id {customer_id!r} is not a number (use 'crm customer search')") from None
    row = store.query_one("SELECT * FROM customers WHERE id = ?", (key,))
    if row is None:
        raise NotFound(f"no customer with id {key}")
    return row


def customer_tags(store, customer_id: int) -> list[str]:
    return [r["tag"] for r in store.query("SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag",
                                          (customer_id,))]


def customer_consent(store, customer_id: int) -> dict[str, bool]:
    return {r["channel"]: bool(r["granted"]) for r in
            store.query("SELECT channel, granted FROM customer_consents WHERE customer_id = ?", (customer_id,))}
