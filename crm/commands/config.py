"""crm config show | path"""

from __future__ import annotations

import json

import typer

from ..context import current
from ..output import Format, emit, json_default
from ._common import FormatOption, new_app

app = new_app("Show the configuration (secrets redacted).")


@app.command()
def show(format: FormatOption = "json") -> None:
    """Print the settings in force: file, defaults and environment overrides; secrets hidden."""
    data = current().config.redacted()
    if format == Format.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=json_default))
        return
    rows = [{"key": k, "value": json.dumps(v, ensure_ascii=False, default=json_default)} for k, v in _flatten(data)]
    emit(rows, format)


@app.command()
def path() -> None:
    """Print where the config file is (or would be) and whether it exists."""
    config = current().config
    typer.echo(f"{config.path}{'' if config.file_exists else '  (not created; defaults apply)'}")


def _flatten(node, prefix=""):
    for key, value in node.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, dotted + ".")
        else:
            yield dotted, value
