"""`make demo`: a demo database, the portal emulator, a sync, and real output of real commands.

Everything runs the installed ``crm`` console script as a separate process, exactly as a
person would type it, and prints the command and what it answered. The demo lives in
``demo-data/`` (recreated on each run); it replays a working day (``CRM_NOW``) so that the
queues have something to show.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

DEMO_NOW = "2026-11-20T10:00:00"
STAFF = [
    ("li", "李建国", "manager", 3, 20),
    ("wangfang", "王芳", "callback", 2, 60),
    ("zhaomin", "赵敏", "callback", 1, 50),
    ("chenjing", "陈静", "appointment", 1, 40),
    ("liuyang", "刘洋", "archive", 2, 40),
    ("sunwei", "孙伟", "advisor", 2, 0),
    ("zhoulei", "周磊", "advisor", 1, 0),
    ("cron", "定时任务", "it", 1, 0),
]


class Demo:
    def __init__(self, root: Path):
        self.root = root
        self.bin = Path(sys.executable).parent
        self.env = {
            **os.environ,
            "CRM_DB": str(root / "crm.db"),
            "CRM_CONFIG": str(root / "config.toml"),
            "CRM_NOW": DEMO_NOW,
            "COLUMNS": "120",
        }
        for name in ("CRM_PLUGINS", "CRM_USER"):
            self.env.pop(name, None)

    def say(self, text: str) -> None:
        print(f"\n\033[1m# {text}\033[0m" if sys.stdout.isatty() else f"\n# {text}", flush=True)

    def crm(self, *args: str, show: bool = True, ok=(0,), quiet_output: bool = False) -> subprocess.CompletedProcess:
        argv = [str(self.bin / "crm"), *args]
        if show:
            print("$ crm " + " ".join(shlex.quote(a) for a in args), flush=True)
        result = subprocess.run(argv, capture_output=True, text=True, env=self.env)
        if show and not quiet_output:
            sys.stdout.write(result.stdout)
            sys.stdout.write(result.stderr)
            sys.stdout.flush()
        if result.returncode not in ok:
            raise SystemExit(f"demo: 'crm {' '.join(args)}' exited {result.returncode}:\n{result.stderr}")
        return result

    def write_config(self, portal_url: str = "") -> None:
        text = (
            'dealer_code = "BJ001"\n'
            'dealer_name = "北京宝马4S店 (演示)"\n'
            'locale = "zh_CN"\n'
            "[quiet_hours]\nnot_before = \"09:00\"\nnot_after = \"20:00\"\nbreaks = [\"12:00-14:00\"]\n"
        )
        if portal_url:
            text += f'[portal]\nurl = "{portal_url}"\nclient_id = "BJ001-crm"\nclient_secret_env = "CRM_PORTAL_SECRET"\n'
        (self.root / "config.toml").write_text(text, encoding="utf-8")


def steps_archive(demo: Demo) -> None:
    demo.say("The department's staff")
    for code, name, role, level, capacity in STAFF:
        demo.crm("staff", "add", code, "--name", name, "--role", role, "--level", str(level),
                 "--capacity", str(capacity), show=False)
    demo.crm("staff", "list")

    demo.say("A customer, a car and a service visit, typed in by hand")
    demo.crm("customer", "add", "--name", "张伟", "--mobile", "+86 139-1088-6623", "--city", "北京", "--tag", "老客户")
    demo.crm("vehicle", "add", "--vin", "LBV5S3107JSA21868", "--customer", "1", "--plate", "京N·8K72D",
             "--model", "530Li", "--delivered", "2023-04-16")
    demo.crm("visit", "add", "--ro", "RO20261118-0007", "--vin", "京N8K72D", "--in", "2026-11-18T09:10",
             "--out", "2026-11-18T16:40", "--type", "maintenance", "--advisor", "sunwei", "--mileage", "38210",
             "--amount", "2380")
    demo.say("The same customer as a callback specialist sees it, and as an advisor (masked)")
    demo.crm("--as", "wangfang", "customer", "show", "1")
    demo.crm("--as", "sunwei", "customer", "list", "--format", "json")


def steps_plugins(demo: Demo) -> None:
    demo.say("Plugins: the built-in ones are registered like any dealer's plugin")
    demo.crm("plugins", "list")
    demo.say("Bad input: one line, exit 2, nothing changed")
    demo.crm("customer", "add", "--name", "李四", "--mobile", "1381234", ok=(2,))
    demo.crm("customer", "show", "999", ok=(2,))
    demo.say("Every write is in the audit log")
    demo.crm("audit", "list", "--limit", "5")


def main() -> None:
    root = Path(os.environ.get("CRM_DEMO_DIR", "demo-data")).resolve()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(mode=0o700)
    demo = Demo(root)
    demo.write_config()
    started = time.perf_counter()
    steps_archive(demo)
    steps_plugins(demo)
    print(f"\nDemo database: {root / 'crm.db'}  (finished in {time.perf_counter() - started:.1f} s)")
    print(f"Try it yourself:  export CRM_DB={root / 'crm.db'} CRM_CONFIG={root / 'config.toml'} "
          f"CRM_NOW={DEMO_NOW}; . .venv/bin/activate; crm --help")


if __name__ == "__main__":
    main()
