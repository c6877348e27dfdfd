"""The warehouse's commands import no engine at start-up (crm group load/report --help)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

ENGINES = ["duckdb", "pyarrow", "psycopg"]


@pytest.mark.parametrize("args", [["--help"], ["group", "--help"], ["group", "load", "--help"],
                                  ["group", "report", "--help"]])
def test_help_imports_no_engine(tmp_path, args):
    code = ("import sys, json\nfrom crm.cli import make_app\n"
            f"make_app().main(args={args!r}, prog_name='crm', standalone_mode=False)\n"
            "print('MODULES=' + json.dumps(sorted(sys.modules)))\n")
    env = {"CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    loaded = set(json.loads(out.split("MODULES=")[-1]))
    assert [m for m in ENGINES if m in loaded] == []
