"""crm --help and crm group --help import no columnar engine (pyarrow, duckdb, psycopg)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pyarrow", "duckdb", "psycopg")


@pytest.mark.parametrize("args", [["--help"], ["group", "--help"], ["group", "export", "--help"]])
def test_help_imports_no_columnar_engine(tmp_path, args):
    code = ("import sys\nfrom crm.cli import make_app\n"
            f"make_app().main(args={args!r}, prog_name='crm', standalone_mode=False)\n"
            "print('MODULES=' + __import__('json').dumps(sorted(sys.modules)))\n")
    (tmp_path / "config.toml").touch()
    env = {"CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    loaded = set(json.loads(out.split("MODULES=")[-1]))
    assert [m for m in HEAVY if m in loaded] == []
