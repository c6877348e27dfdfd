"""Plugins: entry points, choosing, failures isolated, a third-party plugin installed for real."""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import typer

from crm import hookimpl
from crm.migrations import Migrations

from conftest import ROOT, run_crm_process

BUILTIN = {"callbacks", "complaints", "campaigns", "portal"}


def test_lists_the_builtin_plugins_with_version_source_hooks(crm):
    rows = {r["name"]: r for r in crm.json("plugins", "list")}
    assert BUILTIN <= set(rows)
    for name in BUILTIN:
        assert rows[name]["source"] == "built-in"
        assert rows[name]["status"] == "loaded"
        assert rows[name]["version"]
        assert "register_commands" in rows[name]["hooks"]


@pytest.mark.parametrize("disabled", sorted(BUILTIN))
def test_disabling_any_plugin_leaves_crm_working(crm, disabled):
    keep = ",".join(sorted(BUILTIN - {disabled}))
    env = {"CRM_PLUGINS": keep}
    rows = {r["name"]: r["status"] for r in crm.json("plugins", "list", env=env)}
    assert rows[disabled] == "disabled"
    crm("customer", "add", "--name", "张三", env=env)
    crm("customer", "show", "1", env=env)
    help_text = crm("--help", env=env).stdout
    assert ("  sync " in help_text) == (disabled != "portal")


def test_no_plugins_at_all(crm):
    env = {"CRM_PLUGINS": ""}
    assert all(r["status"] == "disabled" for r in crm.json("plugins", "list", env=env))
    crm("customer", "add", "--name", "张三", env=env)
    assert "  callbacks " not in crm("--help", env=env).stdout


def test_config_disables_a_plugin(crm):
    crm.write_config('[plugins]\ndisabled = ["campaigns"]\n')
    rows = {r["name"]: r["status"] for r in crm.json("plugins", "list")}
    assert rows["campaigns"] == "disabled" and rows["callbacks"] == "loaded"


class Greeter:
    """An in-process plugin with a command, a table, an event and a section."""

    __name__ = "greeter"

    def __init__(self):
        self.migrations = Migrations("greeter")

        @self.migrations()
        def m001_create(db):
            db.execute("CREATE TABLE greeter_seen (customer_id INTEGER, name TEXT)")

        self.app = typer.Typer()

        @self.app.command()
        def count():
            from crm.context import current

            typer.echo(current().store.scalar("SELECT count(*) FROM greeter_seen"))

    @hookimpl
    def register_migrations(self, register):
        register(self.migrations)

    @hookimpl
    def register_commands(self, register):
        register("greeter", self.app, help="Count greetings")

    @hookimpl
    def on_customer_created(self, tx, customer):
        tx.conn.execute("INSERT INTO greeter_seen VALUES (?, ?)", (customer["id"], customer["name"]))

    @hookimpl
    def customer_sections(self, app, customer):
        return [{"title": "Greeter", "rows": [{"seen": True}]}]


class Broken:
    __name__ = "broken"

    @hookimpl
    def on_customer_created(self, tx, customer):
        tx.conn.execute("CREATE TABLE broken_half (x)")  # rolled back with its savepoint
        raise RuntimeError("plugin bug")

    @hookimpl
    def customer_sections(self, app, customer):
        raise KeyError("oops")


def test_registered_plugin_adds_command_table_and_reacts(crm):
    crm.plugins = [Greeter()]
    crm("customer", "add", "--name", "张三")
    assert crm("greeter", "count").stdout.strip() == "1"
    page = crm.json("customer", "show", "1")
    assert any(s["title"] == "Greeter" for s in page["sections"])
    rows = {r["name"]: r for r in crm.json("plugins", "list")}
    assert rows["greeter"]["source"] == "registered"


def test_plugin_raising_in_a_hook_is_named_and_the_rest_works(crm):
    crm.plugins = [Greeter(), Broken()]
    result = crm("customer", "add", "--name", "张三")
    assert "plugin 'broken' failed in on_customer_created: RuntimeError: plugin bug" in result.stderr
    assert crm.sql("SELECT count(*) FROM customers") == [(1,)]
    assert crm.sql("SELECT count(*) FROM greeter_seen") == [(1,)]
    assert crm.sql("SELECT count(*) FROM sqlite_master WHERE name = 'broken_half'") == [(0,)]
    show = crm("customer", "show", "1")
    assert "plugin 'broken' failed in customer_sections" in show.stderr and "Greeter" in show.stdout


class Misspelled:
    __name__ = "misspelled"

    @hookimpl
    def on_customer_creatd(self, tx, customer):  # typo: must fail loudly, not silently
        pass


def test_misspelled_hook_is_refused_with_a_warning(crm):
    crm.plugins = [Misspelled()]
    result = crm("plugins", "list", "--format", "json")
    assert "plugin 'misspelled' was not loaded" in result.stderr
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["misspelled"]["status"] == "failed"


@pytest.fixture(scope="session")
def hello_site(tmp_path_factory):
    """The example plugin of docs/, built as a wheel and installed into its own folder."""
    work = tmp_path_factory.mktemp("hello")
    wheel_dir, site, source = work / "wheels", work / "site", work / "src"
    shutil.copytree(ROOT / "docs" / "examples" / "crm-hello", source)  # build outside the checkout
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheel_dir), str(source)], check=True)
    wheel = next(wheel_dir.glob("crm_hello-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True)
    return site


def test_third_party_plugin_installed_from_a_wheel(hello_site, tmp_path):
    env = {"PYTHONPATH": str(hello_site), "CRM_DB": str(tmp_path / "crm.db"),
           "CRM_CONFIG": str(tmp_path / "config.toml")}
    listed = run_crm_process("plugins", "list", "--format", "json", env=env)
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert rows["hello"]["source"] == "third-party" and rows["hello"]["version"] == "1.0.0"
    assert run_crm_process("customer", "add", "--name", "张三", env=env).returncode == 0
    assert run_crm_process("hello", "greet", "1", "--text", "生日快乐", env=env).returncode == 0
    greetings = json.loads(run_crm_process("hello", "list", "--format", "json", env=env).stdout)
    assert [g["text"] for g in greetings] == ["欢迎 张三!", "生日快乐"]
    bad = run_crm_process("hello", "greet", "42", env=env)
    assert bad.returncode == 2 and "no customer with id 42" in bad.stderr
    show = run_crm_process("customer", "show", "1", env=env)
    assert "Greetings" in show.stdout
    off = run_crm_process("plugins", "list", "--format", "json", env={**env, "CRM_PLUGINS": "callbacks"})
    assert {r["name"]: r["status"] for r in json.loads(off.stdout)}["hello"] == "disabled"


def test_plugin_that_fails_to_import_is_named(tmp_path, hello_site):
    site = tmp_path / "site"
    dist = site / "crm_bad-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: crm-bad\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[crm]\nbad = crm_bad_missing.plugin\n")
    env = {"PYTHONPATH": str(site), "CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml")}
    result = run_crm_process("customer", "add", "--name", "张三", env=env)
    assert result.returncode == 0
    assert "plugin 'bad' failed to import: ModuleNotFoundError" in result.stderr


def test_wheel_of_crm_installs_each_plugin_as_its_own_package(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", "results"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(source)], check=True)
    wheel = next(tmp_path.glob("crm-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for package in ("crm", "crm_callbacks", "crm_complaints", "crm_campaigns", "crm_portal", "crm_portal_emulator"):
        assert f"{package}/__init__.py" in names
    assert not any(n.startswith("plugins/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    for name in BUILTIN:
        assert f"{name} = crm_{name}.plugin" in text
