"""Rules of the codebase that keep it honest."""

import ast
import inspect
import json
import re
import sqlite3
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


def _hookspec_modules():
    """The core's hookspecs and each plugin's own (``plugins/NAME/hookspecs.py``)."""
    import importlib

    yield hookspecs
    for path in sorted((ROOT / "plugins").glob("*/hookspecs.py")):
        yield importlib.import_module(f"crm_{path.parent.name}.hookspecs")


def _all_hookspecs():
    for module in _hookspec_modules():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if hasattr(fn, "crm_spec"):
                yield module.__name__, name, fn


def test_every_hookspec_is_documented_in_docs_and_has_a_docstring():
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    specs = list(_all_hookspecs())
    assert {"on_portal_record", "register_callback_rules"} <= {name for _, name, _ in specs}
    for module, name, fn in specs:
        assert fn.__doc__ and len(fn.__doc__.strip()) > 40, f"{module}.{name}"
        assert f"### {name}" in docs, f"docs/plugins.md has no section for {module}.{name}"


def test_every_hookspec_is_exercised_by_a_test():
    """A test plugin implements it (and a command makes crm call it), or a test calls it by name."""
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py")
                      if p.name != "test_architecture.py")
    untested = [f"{module}.{name}" for module, name, _ in _all_hookspecs()
                if not re.search(rf"def {name}\(|(?:fire|ask|call_each|call_first|call)\(\s*[\"']{name}[\"']", tests)]
    assert untested == []


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


def test_customer_show_imports_only_what_showing_needs(tmp_path):
    """A cold ``crm customer show`` (a start-up figure of bench/startup.py) on a database
    without PINs locates no login session (crm.login, hashlib, platformdirs), and the plugins'
    customer sections import no report module: callbacks' section lives in sections.py, the
    complaints plugin imports its reports only for a customer with tickets."""
    env = {"CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml"), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "crm", "customer", "add", "--name", "张三"], check=True, env=env,
                   capture_output=True)
    loaded = _modules_after(["customer", "show", "1"], tmp_path)
    needless = ["crm.login", "hashlib", "platformdirs", "crm_callbacks.reports", "crm_complaints.reports",
                "crm_complaints.views"]
    assert [m for m in needless if m in loaded] == []
    assert {"crm_callbacks.sections", "crm.permissions", "crm.identity"} <= loaded  # the checks still run


def test_typer_groups_make_only_the_subcommand_that_runs(crm):
    from crm.cli import LazyCommands, _load_target

    group = _load_target("crm.commands.customer:app", "customer")
    assert isinstance(group.commands, LazyCommands)
    assert {"add", "show", "list", "search", "import", "export"} <= set(group.commands)
    show = group.commands["show"]
    assert show.name == "show" and group.commands._made.keys() == {"show"}
    assert "--format" in {o for p in show.params for o in getattr(p, "opts", [])}


#: what a plugin (built-in or the example) may import from crm: the public API only
PLUGIN_API = {"crm", "crm.api", "crm.errors"}


def _crm_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "crm":
                    yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == "crm":
            for alias in node.names:
                yield node.lineno, node.module, alias.name


def test_plugins_import_from_crm_only_the_public_api():
    """crm.api, crm.errors and crm.hookimpl: the rest of crm is private (docs/plugins.md)."""
    offenders = []
    for root in (ROOT / "plugins", ROOT / "docs" / "examples"):
        for path in root.rglob("*.py"):
            for line, module, name in _crm_imports(path):
                allowed = module in PLUGIN_API and (module != "crm" or name in ("hookimpl", "api", "errors"))
                if not allowed:
                    offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}{'.' + name if name else ''}")
    assert offenders == []


# ----------------------------------------------------------------- import cycles
def _package_modules(folder: Path, package: str) -> dict[str, Path]:
    found = {}
    for path in folder.rglob("*.py"):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join([package, *parts])] = path
    return found


def _imported(path: Path, module: str) -> set[str]:
    """Every module ``module`` imports, at its top or inside a function (not for type checkers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                   for n in ast.walk(node)}
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    out = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1]) if node.level else ""
            source = ".".join(p for p in (base, node.module or "") if p)
            out.add(source)
            out.update(f"{source}.{alias.name}" for alias in node.names)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


#: cycles other branches of issue 14 remove (the importer's adapters module goes): the lead
#: empties this list when they merge
KNOWN_CYCLES: list[list[str]] = []


def test_no_import_cycles_between_modules():
    """A module that is both a dispatcher and a helper library makes cycles (hidden by
    imports inside functions): shared helpers go to a leaf module, dispatch through a table."""
    packages = [(ROOT / "crm", "crm")] + [(d, f"crm_{d.name}") for d in sorted((ROOT / "plugins").iterdir())
                                          if (d / "__init__.py").exists()]
    cycles = []
    for folder, package in packages:
        modules = _package_modules(folder, package)
        graph = {m: {i for i in _imported(p, m) if i in modules and i != m and not m.startswith(i + ".")}
                 for m, p in modules.items()}
        cycles += _cycles(graph)
    assert [c for c in cycles if c not in KNOWN_CYCLES] == []


# ------------------------------------------------------------ one writer per table
CORE_TABLES = ("customers", "corrective_actions", "customer_phones", "customer_consents", "customer_tags", "vehicles", "vehicle_owners",
               "visits", "interactions", "appointments", "membership_cards", "audit_log")
_WRITE = re.compile(
    r"\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+[\"`\[]?("
    + "|".join(CORE_TABLES) + r")\b")  # SQL keywords in capitals, as the codebase writes them
_TABLE_API = re.compile(r"\[\s*[\"'](" + "|".join(CORE_TABLES) + r")[\"']\s*\]\s*\.\s*(?:insert|upsert|update|delete)")

#: the core tables' writers: the archive, the schema and its migrations, and the audit trail
#: (``Transaction.audit`` in crm/context.py is the one writer of ``audit_log``)
CORE_WRITERS = ("crm/archive/", "crm/schema.py", "crm/migrations.py", "crm/context.py")

#: today's other writers of core tables, moved into the archive by the other branches of
#: issue 14 (importer: the bulk path; the plugins' were emptied by the policy branch): the
#: lead empties this list as they merge; nothing may be added to it
KNOWN_WRITERS: set[str] = set()


def _core_writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for pattern in (_WRITE, _TABLE_API):
                found += [f"{path.relative_to(ROOT)}:{node.lineno} writes {m.group(1)}"
                          for m in pattern.finditer(node.value)]
    return found


def test_only_the_archive_writes_the_core_tables():
    writes = []
    for root in (ROOT / "crm", ROOT / "plugins"):
        for path in root.rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(CORE_WRITERS) or relative in KNOWN_WRITERS:
                continue
            writes += _core_writes(path)
    assert writes == []


def test_the_known_writers_list_only_shrinks():
    """An entry that no longer writes a core table must leave KNOWN_WRITERS."""
    stale = [p for p in sorted(KNOWN_WRITERS) if not _core_writes(ROOT / p)]
    assert stale == []


def test_no_index_twice(crm):
    """The core and the plugins never keep the same index under two names: each copy costs
    every write of its table and buys nothing."""
    crm("db", "migrate")
    conn = sqlite3.connect(crm.db_path)
    try:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall()
    finally:
        conn.close()
    seen: dict[str, str] = {}
    twice = []
    for name, sql in rows:
        shape = re.sub(r"\s+", " ", re.sub(r"(?i)^CREATE (UNIQUE )?INDEX (IF NOT EXISTS )?\S+", r"\1", sql)).strip()
        if shape in seen:
            twice.append((seen[shape], name))
        seen[shape] = name
    assert len(seen) > 20 and twice == []
