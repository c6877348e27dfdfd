"""Portal sync benchmark: `python -m bench.sync_bench [--owners 100000]`.

Against an in-thread emulator (frozen clock) and a fresh database:

1. the initial sync of every stream (N owners → customers and vehicles);
2. a no-change run: it must send exactly one request per stream;
3. a 1 % change set (N/100 owners re-dispatched with another city): its run must cost at
   most 3 % of the initial sync's time.

Figures are printed as ratios. `--owners 5000` for a quick run.
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


def _run(env: dict, *args: str) -> float:
    exe = str(Path(sys.executable).with_name("crm"))
    started = time.perf_counter()
    done = subprocess.run([exe, "sync", "run", *args], env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise SystemExit(f"crm sync run failed ({done.returncode}): {done.stderr.strip()}")
    return took


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(prog="python -m bench.sync_bench")
    parser.add_argument("--owners", type=int, default=100_000)
    parser.add_argument("--change", type=float, default=0.01, help="share of owners changed (default 1%%)")
    args = parser.parse_args(argv)

    from crm_portal_emulator.server import Emulator

    secret = "bench-secret-0123"
    print(f"portal sync benchmark: {args.owners} owners")
    t = time.perf_counter()
    emu = Emulator(seed=1, owners=args.owners, leads=200, complaints=50, campaigns=8, surveys=200,
                   start_time="2026-11-22T08:00:00Z", frozen_clock=True, client_secret=secret)
    emu.start()
    print(f"  emulator seeded in {time.perf_counter() - t:.1f} s")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "config.toml"
            config.write_text(f'dealer_code = "BJ001"\n[log]\npath = "{tmp}/crm.log"\n'
                              f'[portal]\nurl = "{emu.base_url}"\nclient_id = "demo-client"\npage_limit = 500\n')
            env = {**os.environ, "CRM_DB": f"{tmp}/crm.db", "CRM_CONFIG": str(config), "CRM_PORTAL_SECRET": secret,
                   "CRM_NOW": "2026-11-22T17:00:00"}
            initial = _run(env)
            print(f"  initial sync: {initial:.1f} s")

            emu.control.clear_requests()
            nochange = _run(env)
            reads = [r for r in emu.control.requests() if "/streams/" in r["path"]]
            per_stream = {s: sum(1 for r in reads if r["path"].endswith("/" + s)) for s in STREAMS}
            one_each = all(n == 1 for n in per_stream.values())
            print(f"  no-change run: {len(reads)} stream requests for {len(STREAMS)} streams "
                  f"({'one per stream' if one_each else per_stream}); {nochange / initial:.4f} of the initial time")

            owners = [r for r in emu.control.records("owners") if not r.get("deleted")]
            step = max(1, int(1 / args.change))
            changed = owners[::step]
            emu.control.advance_clock(60)
            for owner in changed:
                city = "天津" if owner["owner"].get("city") != "天津" else "廊坊"
                emu.control.update("owners", owner["id"], owner={**owner["owner"], "city": city})
            delta = _run(env)
            ratio = delta / initial
            ok = one_each and ratio <= 0.03
            print(f"  {len(changed)} owners changed ({len(changed) / len(owners):.1%}): {delta:.2f} s = "
                  f"{ratio:.4f} of the initial sync (limit 0.03) {'OK' if ratio <= 0.03 else 'TOO SLOW'}")
            return ok
    finally:
        emu.stop()


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)
