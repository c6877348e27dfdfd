"""The callbacks plugin's commands."""

from __future__ import annotations

from crm.commands._common import FormatOption, new_app
from crm.context import current
from crm.output import emit

app = new_app("Post-service callbacks (回访): plan, queue, record, report.")


@app.command("due")
def list_rows(format: FormatOption = "table") -> None:
    """List what the callbacks plugin holds."""
    emit(current().store.query("SELECT * FROM callback_tasks ORDER BY id"), format, empty_message="(none)")

