"""Shared by the portal tests."""

from __future__ import annotations

import os

from crm.context import App


def ask(item):
    """What another plugin does: ``tx.ask("send_to_portal", item=...)`` in its own transaction."""
    app = App(environ=dict(os.environ))
    try:
        with app.transaction() as tx:
            return tx.ask("send_to_portal", item=item)
    finally:
        app.store.close()
