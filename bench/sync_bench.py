"""Portal sync benchmark: `python -m bench.sync_bench [--owners 100000]`.

Against an in-thread emulator (frozen clock) and a fresh database:

1. the initial sync of every stream (N owners → customers and vehicles);
2. a no-change run: it must send exactly one request per stream;
3. a 1 % change set (N/100 owners re-dispatched with another city): its run must cost at
   most 3 % of the initial sync's time.

Returns figures (ratios to the initial sync). `--owners 5000` for a quick run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STREAMS = ("owners", "leads", "complaints", "campaigns", "surveys")

from .common import Figure, run_measured, standalone  # noqa: E402


def _run(env: dict, *args: str) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one ``crm sync run``."""
    exe = str(Path(sys.executable).with_name("crm"))
    took, rss, _ = run_measured([exe, "sync", "run", *args], env, ok=(0, 3))
    return took, rss


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(prog="python -m bench.sync_bench")
    parser.add_argument("--owners", type=int, default=100_000)
    parser.add_argument("--change", type=float, default=0.01, help="share of owners changed (default 1%%)")
    args = parser.parse_args(argv)

    from crm_portal_emulator.server import Emulator

    secret = "bench-secret-0123"
    g = "sync"
    print(f"portal sync benchmark: {args.owners} owners", file=sys.stderr)
    t = time.perf_counter()
    emu = Emulator(seed=1, owners=args.owners, leads=200, complaints=50, campaigns=8, surveys=200,
                   start_time="2026-11-22T08:00:00Z", frozen_clock=True, client_secret=secret)
    emu.start()
    print(f"  emulator seeded in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "config.toml"
            config.write_text(f'dealer_code = "BJ001"\n[log]\npath = "{tmp}/crm.log"\n'
                              f'[portal]\nurl = "{emu.base_url}"\nclient_id = "demo-client"\npage_limit = 500\n')
            env = {**os.environ, "CRM_DB": f"{tmp}/crm.db", "CRM_CONFIG": str(config), "CRM_PORTAL_SECRET": secret,
                   "CRM_NOW": "2026-11-22T17:00:00"}
            subprocess.run([str(Path(sys.executable).with_name("crm")), "db", "migrate"], env=env, check=True,
                           capture_output=True)
            initial, initial_rss = _run(env)

            emu.control.clear_requests()
            nochange, _ = _run(env)
            reads = [r for r in emu.control.requests() if "/streams/" in r["path"]]

            owners = [r for r in emu.control.records("owners") if not r.get("deleted")]
            step = max(1, int(1 / args.change))
            changed = owners[::step]
            emu.control.advance_clock(60)
            for owner in changed:
                city = "天津" if owner["owner"].get("city") != "天津" else "廊坊"
                emu.control.update("owners", owner["id"], owner={**owner["owner"], "city": city})
            delta, delta_rss = _run(env)
            return [
                Figure(f"crm sync run, initial, {args.owners} owners", initial, group=g),
                Figure("  peak RSS of the initial sync", initial_rss, unit="MB", limit=200, group=g),
                Figure("  no-change run: stream requests", len(reads), "streams", len(STREAMS), 1.0, unit="req",
                       group=g),
                Figure("  no-change run", nochange, "initial sync", initial, group=g),
                Figure(f"  {len(changed)} owners changed ({len(changed) / max(1, len(owners)):.1%})", delta,
                       "initial sync", initial, 0.03, group=g),
                Figure("  peak RSS of the change run", delta_rss, unit="MB", limit=200, group=g),
            ]
    finally:
        emu.stop()


if __name__ == "__main__":
    sys.exit(standalone("Portal sync (bench/sync_bench.py)", main))
