"""Options and helpers shared by the core's commands (and usable by plugins)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..output import Format

FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output format: table, json, jsonl or csv", case_sensitive=False),
]


def new_app(help: str) -> typer.Typer:
    """A command group in crm's house style (plain help, -h, no completion install)."""
    return typer.Typer(
        help=help,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )
