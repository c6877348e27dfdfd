"""Issue 18 §9: every `crm …` example in README.md and docs/*.md runs against a fixture database.

Each doc's examples run in order, in one process (CliRunner), on a copy of one database
built once per session (a department, sample customers, 张三 with his BMW and a repair
order, open complaints, the callback plan). An example fails the suite when crm does not
understand it: a usage error (no such command or option, a missing argument), an internal
error, or an exit status other than 0, 2 (a domain refusal such as "complaint 3 is closed":
the docs walk a ticket through every state) or 3. An example whose comment says `→ 2`
must exit 2.

Synopsis lines are read the way a person reads them: `[...]` optional parts are left out,
`a|b` takes the first choice, ` | ` between commands takes the first command; FILE, CODE …
are given files and values of the fixture. An example that cannot run here (it needs a
running portal, the tutorial's plugin, a terminal) says so with a visible `(not run: why)`
in its comment; that list stays short (MAX_NOT_RUN).
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from crm.cli import make_app

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md"] + sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "cli.md")
NOT_RUN = "(not run"
MAX_NOT_RUN = 8
#: placeholders of synopsis lines → what the fixture has
PLACEHOLDERS = {"FILE": "customers.csv", "FILE.csv": "customers.csv", "FILE.xlsx": "out.xlsx",
                "FILE.json": "out.json", "CODE": "wangfang", "ID": "1", "ID…": "1", "STAFF": "wangfang",
                "P": "2026-11", "S": "1", "E": "utf-8", "DATE": "2026-11-20"}
SKIP_FENCES = ("python", "toml", "json", "cron")


def examples(path: Path) -> tuple[list[tuple[int, list[str], int | None]], list[tuple[int, str]]]:
    """``([(line, argv, expected exit or None)], [(line, text) marked not run])`` of a doc."""
    runs, not_run = [], []
    fence, pending, start = None, "", 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip().startswith("```"):
            fence = None if fence is not None else (line.strip()[3:].strip() or "sh")
            continue
        if fence is None or fence in SKIP_FENCES:
            continue
        text = line.strip()
        if pending:
            text, start = pending + " " + text, start
        else:
            start = number
        if text.endswith("\\"):
            pending = text[:-1]
            continue
        pending = ""
        text = re.sub(r"^\$\s+", "", text)
        text = re.sub(r"^(\w+=\S*\s+)+(?=crm\s)", "", text)  # CRM_USER=cron crm …
        if not text.startswith("crm "):
            continue
        if NOT_RUN in text:
            not_run.append((start, text))
            continue
        expect = 2 if re.search(r"→\s*2\b", text) else None
        for part in _commands(text):
            runs.append((start, part, expect))
    return runs, not_run


def _commands(text: str) -> list[list[str]]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split, lexer.commenters = True, "#"
    tokens = list(lexer)
    commands, current = [], []
    for token in tokens + [";"]:
        if token in (";", "&&", "||"):
            if current and current[0] == "crm":
                commands.append(_synopsis(current[1:]))
            current = []
        else:
            current.append(token)
    return commands


def _synopsis(tokens: list[str]) -> list[str]:
    out, depth = [], 0
    for token in tokens:
        if token == "|":  # `crm appointment arrive 5 | no-show 5`: the first form
            break
        opens, closes = token.count("["), token.count("]")
        if depth or token.startswith("["):
            depth += opens - closes
            continue
        if "|" in token and not token.startswith("-") or re.fullmatch(r"[\w-]+(\|[\w-]+)+", token):
            token = token.split("|")[0]
        out.append(PLACEHOLDERS.get(token, token))
    return out


@pytest.fixture(scope="session")
def docs_db(tmp_path_factory) -> Path:
    """The fixture database every doc's examples run against (built once)."""
    from conftest import Crm, make_empty_db

    from crm.sampledata import Generator
    from crm.sampledata.files import write_customers_csv

    folder = tmp_path_factory.mktemp("docs-examples")
    crm = Crm(folder)
    make_empty_db(crm.db_path)
    env = {"CRM_DB": str(crm.db_path), "CRM_CONFIG": str(crm.config_path), "CRM_NOW": "2026-11-20T10:00:00",
           "CRM_USER": None, "CRM_PLUGINS": None, "CRM__IDENTITY__ANONYMOUS": "write"}  # building it only
    crm("db", "migrate", env=env)
    for code, name, role in [("li", "李经理", "manager"), ("wangfang", "王芳", "callback"),
                             ("zhaomin", "赵敏", "satisfaction"), ("chenjing", "陈静", "appointment"),
                             ("liuyang", "刘洋", "archive"), ("sunwei", "孙伟", "advisor"), ("it", "运维", "it"),
                             ("cron", "定时任务", "it")]:
        crm(*(("--as", "li") if code != "li" else ()), "staff", "add", code, "--name", name, "--role", role, env=env)
    for person in Generator(seed=1).staff():
        if person["active"]:
            crm("--as", "li", "staff", "add", person["code"], "--name", person["name"], "--role", person["role"], env=env,
                expect=None)
    crm("customer", "add", "--name", "张三", "--mobile", "13812345678", "--city", "北京", env=env)
    crm("vehicle", "add", "--vin", "WBA8E3105JA123456", "--customer", "1", "--plate", "京A12345", "--model", "530Li",
        "--delivered", "2024-05-01", env=env)
    crm("visit", "add", "--ro", "RO123", "--vin", "京A12345", "--in", "2026-11-18T09:00", "--out", "2026-11-18T17:00",
        "--advisor", "sunwei", env=env)
    write_customers_csv(folder / "sample.csv", 60)
    crm("customer", "import", folder / "sample.csv", "--skip-invalid", env=env, expect=None)
    for _ in range(3):
        crm("complaints", "open", "--customer", "1", "--channel", "phone", "--category", "repair_quality",
            "--severity", "normal", "--description", "保养后异响", env={**env, "CRM_USER": "zhaomin"})
    crm("callbacks", "plan", env=env, expect=None)
    return crm.db_path


def _clone(src: Path, dst: Path) -> None:
    """Copy a database with SQLite's backup (the template's WAL included)."""
    import sqlite3

    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _files(folder: Path, db: Path) -> None:
    """The files the examples name, in the folder they run in."""
    from crm.sampledata.files import write_customers_csv, write_customers_xlsx

    write_customers_csv(folder / "customers.csv", 5)
    write_customers_xlsx(folder / "客户档案2025.xlsx", 5)
    write_customers_csv(folder / "old.csv", 5, encoding="gbk")
    (folder / "vins.csv").write_text("VIN\nWBA8E3105JA123456\n", encoding="utf-8")
    (folder / "records.json").write_text("[]", encoding="utf-8")


@pytest.mark.parametrize("doc", [d for d in DOCS if examples(d)[0]], ids=lambda p: p.name)
def test_the_examples_of_a_doc_run(doc, docs_db, tmp_path, monkeypatch):
    runs, _ = examples(doc)
    db = tmp_path / "crm.db"
    if doc.name != "README.md":  # the README's first session starts without a database
        _clone(docs_db, db)
    _files(tmp_path, db)
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    environ = {**os.environ, "CRM_DB": str(db), "CRM_CONFIG": str(tmp_path / "config.toml"),
               "CRM_NOW": "2026-11-20T10:00:00", "COLUMNS": "120"}
    if doc.name != "README.md":
        environ["CRM_USER"] = "li"  # the reader has CRM_USER set (the manager may do most things)
    else:
        environ.pop("CRM_USER", None)
    environ.pop("CRM_PLUGINS", None)
    environ.pop("CRM__IDENTITY__ANONYMOUS", None)  # the default: without a staff identity, read only
    wrong, shown = [], []
    for line, argv, expect in runs:
        result = CliRunner().invoke(make_app(environ=environ), argv, input="")
        err = result.stderr
        usage = "--help')" in err  # click's usage errors: no such command/option, missing argument …
        anonymous = "permission write" in err  # an example that writes must say who writes
        ok = result.exit_code == expect if expect is not None else (
            result.exit_code in (0, 2, 3) and not usage and "internal error" not in err and not anonymous)
        shown.append(f"{result.exit_code:>3} {doc.name}:{line}: crm {shlex.join(argv)}  {err.strip()[:150]}")
        if not ok:
            wrong.append(f"{doc.name}:{line}: crm {shlex.join(argv)} → exit {result.exit_code}: "
                         f"{(err or result.stdout).strip().splitlines()[-1:] }")
    if os.environ.get("DOCS_EXAMPLES_SHOW"):  # to see what each example did: set it, run with -s
        print(*shown, sep="\n")
    assert not wrong, "examples that do not run:\n" + "\n".join(wrong)


def test_few_examples_are_marked_not_run():
    marked = [(doc.name, line, text) for doc in DOCS for line, text in examples(doc)[1]]
    assert len(marked) <= MAX_NOT_RUN, marked


def test_a_wrong_example_is_caught(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("```\ncrm complaints escalate --nosuch\ncrm customer show 999;  echo $?   # → 2\n"
                   "crm appointment arrive 5 | no-show 5 [--note …]   # (not run: an example)\n"
                   "crm complaints stats --by category|dept [--format] [--out FILE.xlsx]\n```\n", encoding="utf-8")
    runs, not_run = examples(doc)
    assert [argv for _, argv, _ in runs] == [["complaints", "escalate", "--nosuch"], ["customer", "show", "999"],
                                             ["complaints", "stats", "--by", "category"]]
    assert runs[1][2] == 2 and [line for line, _ in not_run] == [4]
