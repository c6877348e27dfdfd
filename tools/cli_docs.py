"""Write docs/cli.md from the commands' own --help (run: python tools/cli_docs.py).

tests/core/test_docs.py fails when docs/cli.md is out of date, like llm's cog check.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "cli.md"


def walk(group: click.Group, ctx: click.Context, path: list[str]):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        yield [*path, name], command
        if isinstance(command, click.Group):
            sub_ctx = click.Context(command, info_name=name, parent=ctx)
            yield from walk(command, sub_ctx, [*path, name])


def help_text(app, args: list[str]) -> str:
    from click.testing import CliRunner

    result = CliRunner().invoke(app, [*args, "--help"], terminal_width=100)
    return result.stdout.rstrip()


def render() -> str:
    from crm.cli import make_app

    import tempfile

    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM")}
    empty = tempfile.NamedTemporaryFile(prefix="crm-cli-docs-", suffix=".toml")
    env["CRM_CONFIG"] = empty.name  # an empty config: the defaults, every plugin loads
    app = make_app(environ=env)
    ctx = app.make_context("crm", ["--help"], resilient_parsing=True)
    parts = ["# Command reference", "",
             "Generated from each command's `--help` by `python tools/cli_docs.py`; do not edit by hand.",
             "", "```", help_text(app, []), "```", ""]
    for path, _command in walk(app, ctx, []):
        parts += [f"{'#' * min(len(path) + 1, 4)} crm {' '.join(path)}", "", "```",
                  help_text(make_app(environ=env), path), "```", ""]
    return "\n".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        return 0 if TARGET.read_text(encoding="utf-8") == text else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
