"""The docs keep up with the code: the command reference, help texts, the docs index."""

import subprocess
import sys

import click

from conftest import ROOT


def test_cli_reference_is_current():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "cli_docs.py"), "--check"],
                            capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, "docs/cli.md is out of date: run `python tools/cli_docs.py`"


def test_every_command_has_help_text():
    sys.path.insert(0, str(ROOT / "tools"))
    from cli_docs import walk

    from crm.cli import make_app

    app = make_app(environ={"CRM_CONFIG": ""})
    ctx = app.make_context("crm", ["--help"], resilient_parsing=True)
    missing = [" ".join(path) for path, command in walk(app, ctx, [])
               if not (command.help or command.short_help or "").strip()]
    assert missing == []


def test_readme_links_resolve():
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(((?:docs|bench)/[^)#]+)", text):
        assert (ROOT / target).exists(), target


LISTING = {"list", "due", "search", "overdue", "outbox", "conflicts", "quarantine", "leads", "invitees",
           "responses", "members", "duplicates", "completeness", "stats", "status", "sheet", "summary"}


def test_every_listing_command_takes_format():
    sys.path.insert(0, str(ROOT / "tools"))
    from cli_docs import walk

    from crm.cli import make_app

    app = make_app(environ={"CRM_CONFIG": ""})
    ctx = app.make_context("crm", ["--help"], resilient_parsing=True)
    missing = []
    for path, command in walk(app, ctx, []):
        if path[-1] in LISTING and not isinstance(command, click.Group):
            options = {opt for param in command.params for opt in getattr(param, "opts", [])}
            if "--format" not in options and not any(o in options for o in ("--out",)):
                missing.append(" ".join(path))
    assert missing == []
