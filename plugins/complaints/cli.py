"""The complaints plugin's commands."""

from __future__ import annotations

from crm.commands._common import FormatOption, new_app
from crm.context import current
from crm.output import emit

app = new_app("Complaint tickets (投诉): the six-step closed loop.")


@app.command("list")
def list_rows(format: FormatOption = "table") -> None:
    """List what the complaints plugin holds."""
    emit(current().store.query("SELECT * FROM complaints ORDER BY id"), format, empty_message="(none)")

