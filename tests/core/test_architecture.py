"""Rules of the codebase that keep it honest."""

import ast
import inspect
import json
import subprocess
import sys
from pathlib import Path

from crm import hookspecs

from conftest import ROOT

PLUGIN_PACKAGES = {"plugins", "crm_callbacks", "crm_complaints", "crm_campaigns", "crm_portal", "crm_portal_emulator"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_core_never_imports_a_plugin():
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / "crm").rglob("*.py")
        for name in _imports(path)
        if name in PLUGIN_PACKAGES
    ]
    assert offenders == []


def test_plugins_never_import_each_other():
    for plugin_dir in (ROOT / "plugins").iterdir():
        if not plugin_dir.is_dir():
            continue
        own = f"crm_{plugin_dir.name}"
        others = PLUGIN_PACKAGES - {own, "crm_portal_emulator"}
        for path in plugin_dir.rglob("*.py"):
            bad = [n for n in _imports(path) if n in others]
            assert bad == [], f"{path.relative_to(ROOT)} imports {bad}"


def test_every_hookspec_is_documented_in_docs_and_has_a_docstring():
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if hasattr(fn, "crm_spec"):
            assert fn.__doc__ and len(fn.__doc__.strip()) > 40, name
            assert f"### {name}" in docs, f"docs/plugins.md has no section for {name}"


HEAVY = ["requests", "openpyxl", "jinja2", "dateutil", "python_calamine", "pypinyin", "phonenumbers",
         "rich.console", "sqlite_utils", "pydantic", "crm_callbacks.cli", "crm_complaints.cli",
         "crm_campaigns.cli", "crm_portal.cli"]


def _modules_after(args, tmp_path):
    code = (
        "import sys, json\n"
        "from crm.cli import make_app\n"
        f"make_app().main(args={args!r}, prog_name='crm', standalone_mode=False)\n"
        "print('MODULES=' + json.dumps(sorted(sys.modules)))\n"
    )
    env = {"CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    return set(json.loads(out.split("MODULES=")[-1]))


def test_help_and_customer_show_import_nothing_heavy(tmp_path):
    subprocess.run([sys.executable, "-m", "crm", "customer", "add", "--name", "张三"], check=True,
                   env={"CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml"), "PATH": "/usr/bin:/bin"},
                   capture_output=True)
    for args in (["--help"], ["customer", "show", "1"]):
        loaded = _modules_after(args, tmp_path)
        heavy = [m for m in HEAVY if m in loaded]
        assert heavy == [], f"crm {' '.join(args)} imported {heavy}"


def test_typer_groups_make_only_the_subcommand_that_runs(crm):
    from crm.cli import LazyCommands, _load_target

    group = _load_target("crm.commands.customer:app", "customer")
    assert isinstance(group.commands, LazyCommands)
    assert {"add", "show", "list", "search", "import", "export"} <= set(group.commands)
    show = group.commands["show"]
    assert show.name == "show" and group.commands._made.keys() == {"show"}
    assert "--format" in {o for p in show.params for o in getattr(p, "opts", [])}
