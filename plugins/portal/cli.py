"""The portal plugin's commands."""

from __future__ import annotations

from crm.commands._common import FormatOption, new_app
from crm.context import current
from crm.output import emit

app = new_app("The manufacturer's dealer portal: sync, outbox, conflicts.")


@app.command("status")
def list_rows(format: FormatOption = "table") -> None:
    """List what the portal plugin holds."""
    emit(current().store.query("SELECT * FROM portal_streams ORDER BY id"), format, empty_message="(none)")

