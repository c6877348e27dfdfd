"""The portal plugin's own hook: other plugins take the portal's records without importing it.

Added to crm's plugin manager through ``add_hookspecs`` (see :mod:`crm_portal.plugin`).
Implement it with ``@hookimpl(optionalhook=True)`` so your plugin still loads when the
portal plugin is disabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from crm.api import Transaction

hookspec = pluggy.HookspecMarker("crm")


@hookspec
def on_portal_record(tx: "Transaction", stream: str, record: dict) -> Any:
    """A record arrived from the manufacturer's portal (called by the portal plugin's sync).

    Called once for every applied record of every stream, inside the sync's write
    transaction, each implementation in its own savepoint (a plugin that raises is rolled
    back alone and named in a warning). Plugins take the streams they understand
    (complaints, campaigns, surveys) and return None for the others.

    :param tx: the sync's write transaction.
    :param stream: ``leads|complaints|owners|campaigns|surveys``.
    :param record: the record as the portal sent it (unknown fields included).
    :returns: a short string naming what was done, or None if ignored.

    Example::

        @hookimpl(optionalhook=True)
        def on_portal_record(tx, stream, record):
            if stream != "surveys":
                return None
            tx.conn.execute("INSERT INTO hello_scores (vin, score) VALUES (?, ?)",
                            (record["vin"], record["score"]))
            return "stored"
    """
