"""crm.api: the public plugin surface resolves, stays cheap to import, and is documented."""

import json
import subprocess
import sys

import pytest

import crm.api
from conftest import ROOT


def test_every_exported_name_resolves_to_its_home():
    for name in crm.api.__all__:
        value = getattr(crm.api, name)
        module, attribute = crm.api._EXPORTS[name]
        assert value is getattr(__import__(module, fromlist=[attribute]), attribute), name


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'commands'"):
        crm.api.commands  # noqa: B018
    with pytest.raises(ImportError):
        exec("from crm.api import _common", {})


def test_importing_the_api_imports_none_of_the_homes():
    code = ("import sys, json; before = set(sys.modules); import crm.api;"
            "print(json.dumps(sorted(set(sys.modules) - before)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = [m for m in json.loads(out) if m.startswith("crm")]
    assert sorted(loaded) == ["crm", "crm.api"]



def test_every_exported_name_has_a_section_in_the_plugin_docs():
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    missing = [name for name in crm.api.__all__ if f"#### `{name}" not in docs]
    assert missing == []
