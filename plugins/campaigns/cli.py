"""The campaigns plugin's commands."""

from __future__ import annotations

from crm.commands._common import FormatOption, new_app
from crm.context import current
from crm.output import emit

app = new_app("Campaigns: events, invitations, care, recalls, surveys.")


@app.command("list")
def list_rows(format: FormatOption = "table") -> None:
    """List what the campaigns plugin holds."""
    emit(current().store.query("SELECT * FROM campaigns ORDER BY id"), format, empty_message="(none)")

