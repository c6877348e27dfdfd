"""crm plugins list"""

from __future__ import annotations

from ..context import current
from ..output import emit
from ._common import FormatOption, new_app

app = new_app("Installed plugins: what they add.")


@app.command("list")
def list_plugins(format: FormatOption = "table") -> None:
    """List plugins: name, version, source (built-in or third-party), status and hooks."""
    plugins = current().plugins
    rows = [
        {
            "name": info.name,
            "version": info.version,
            "source": info.source,
            "status": info.status,
            "hooks": info.hooks if format != "table" else ", ".join(info.hooks),
            "module": info.module,
            **({"error": info.error} if info.error else {}),
        }
        for info in plugins.infos
    ]
    emit(rows, format, columns=None if format != "table" else ["name", "version", "source", "status", "hooks"])

