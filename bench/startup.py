"""Start-up time: `crm --help` and a cold `crm customer show ID` against `sqlite-utils --help`.

Targets (issue 3): cold `crm customer show ID` ≤ 1.0×, `crm --help` ≤ 1.2× `sqlite-utils --help`,
measured paired (alternating) in one run, medians of --rounds runs each.

    python -m bench.startup [--rounds 21]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

from .common import BIN, Figure, paired, run_quiet, standalone


def main(argv=None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args(argv)
    crm, sqlite_utils = str(BIN / "crm"), str(BIN / "sqlite-utils")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CRM_DB": str(Path(tmp) / "bench.db"), "CRM_CONFIG": str(Path(tmp) / "none.toml")}
        env.pop("CRM_PLUGINS", None)
        (Path(tmp) / "none.toml").touch()  # an empty config: the defaults
        subprocess.run([crm, "db", "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([crm, "customer", "add", "--name", "张三", "--mobile", "13812345678"], env=env,
                       check=True, capture_output=True)
        reference = lambda: run_quiet([sqlite_utils, "--help"], env)
        help_s, ref1 = paired(lambda: run_quiet([crm, "--help"], env), reference, args.rounds)
        show_s, ref2 = paired(lambda: run_quiet([crm, "customer", "show", "1"], env), reference, args.rounds)
    figures = [
        Figure("crm --help", help_s, "sqlite-utils --help", ref1, 1.2, group="startup"),
        Figure("crm customer show 1 (cold)", show_s, "sqlite-utils --help", ref2, 1.0, group="startup"),
    ]
    return figures


if __name__ == "__main__":
    raise SystemExit(standalone("Start-up (bench/startup.py)", main, save_as="startup"))
