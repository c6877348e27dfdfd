"""`make demo` (python demo/run.py): a demo database, the portal emulator, a sync, and real output of real commands.

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
SEED = 7  # the staff, the customer sheet and the repair orders all come from this seed
#: who plays which part in the demo (staff codes of the sample department)
MANAGER, CALLBACK, APPOINTMENT, ARCHIVE, ADVISOR = "wuyihan", "zhangxiao", "songheng", "chejianjun", "lichixin"
CRON = "cron"
SALES = "xiaowang"  # a sales consultant (销售顾问), added by the demo


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
            "[appointments]\ncapacity = 2\nslot_minutes = 30\n"
        )
        if portal_url:
            text += f'[portal]\nurl = "{portal_url}"\nclient_id = "BJ001-crm"\nclient_secret_env = "CRM_PORTAL_SECRET"\n'
        (self.root / "config.toml").write_text(text, encoding="utf-8")


def steps_archive(demo: Demo) -> None:
    from crm.sampledata import Generator

    demo.say("A new database (every other command reports a missing one instead of creating it)")
    demo.crm("db", "migrate", quiet_output=True)

    demo.say("The department's staff")
    # first-time setup: the manager first, who then adds everyone else (docs/privacy.md)
    staff = sorted(Generator(seed=SEED).staff(), key=lambda p: p["code"] != MANAGER)
    for person in staff:
        boss = ("--as", MANAGER) if person["code"] != MANAGER else ()
        demo.crm(*boss, "staff", "add", person["code"], "--name", person["name"], "--role", person["role"],
                 "--level", str(person["level"]), "--capacity", str(person["daily_capacity"]), show=False)
        if not person["active"]:
            demo.crm("--as", MANAGER, "staff", "edit", person["code"], "--inactive", show=False)
    demo.crm("--as", MANAGER, "staff", "add", CRON, "--name", "定时任务", "--role", "it", show=False)
    demo.crm("staff", "list", "--active")
    demo.say("Nobody named may read (masked) but not write (docs/privacy.md): say who you are")
    demo.crm("customer", "add", "--name", "张伟", "--mobile", "13910886623", ok=(2,))
    demo.env["CRM_USER"] = ARCHIVE  # the archive specialist at this terminal; --as names somebody else

    demo.say("A customer, a car and a service visit, typed in by hand")
    demo.crm("customer", "add", "--name", "张伟", "--mobile", "+86 139-1088-6623", "--city", "北京", "--tag", "老客户")
    demo.crm("vehicle", "add", "--vin", "LBV5S3107JSA21868", "--customer", "1", "--plate", "京N·8K72D",
             "--model", "530Li", "--delivered", "2023-04-16")
    demo.crm("visit", "add", "--ro", "RO20261118-0007", "--vin", "京N8K72D", "--in", "2026-11-18T09:10",
             "--out", "2026-11-18T16:40", "--type", "maintenance", "--advisor", ADVISOR, "--mileage", "38210",
             "--amount", "2380")
    demo.say("The same customer as a callback specialist sees it, and as an advisor (masked)")
    demo.crm("--as", CALLBACK, "customer", "show", "1")
    demo.crm("--as", ADVISOR, "customer", "list", "--format", "json")


def steps_import(demo: Demo) -> None:
    from crm.sampledata.files import write_customers_xlsx, write_visits_csv

    demo.say("The archive specialist's Excel export (title row, merged cells, messy phones and dates)")
    sheet = demo.root / "客户档案导出.xlsx"
    report = write_customers_xlsx(sheet, 300, seed=SEED, messy=True)
    print(f"(wrote {sheet.name}: {getattr(report, 'rows', 300)} rows, "
          f"{len(getattr(report, 'bad_rows', []) or [])} of them deliberately bad)")
    demo.say("All or nothing by default: the bad rows stop the import (exit 2), nothing is written")
    demo.crm("customer", "import", str(sheet), "--report", str(demo.root / "rejects.csv"), ok=(2,))
    demo.say("Import the valid rows and keep the reject report for a person (exit 3)")
    demo.crm("customer", "import", str(sheet), "--skip-invalid", "--report", str(demo.root / "rejects.csv"),
             ok=(3,))
    demo.say("The same file again changes nothing")
    demo.crm("customer", "import", str(sheet), "--skip-invalid", ok=(3,))
    demo.say("The workshop's repair orders (工单)")
    visits = demo.root / "工单.csv"
    write_visits_csv(visits, 300, seed=SEED)
    demo.crm("visit", "import", str(visits), "--skip-invalid", ok=(0, 3))
    demo.say("Search by mobile tail (尾号), plate without province, VIN tail, pinyin initials")
    row = demo.crm("--as", ARCHIVE, "customer", "list", "--limit", "1", "--format", "json", show=False)
    import json as _json

    first = (_json.loads(row.stdout) or [{}])[0]
    mobile = first.get("mobile") or "13800000000"
    demo.crm("--as", ARCHIVE, "customer", "search", mobile[-4:], "--limit", "5")
    demo.crm("--as", ARCHIVE, "customer", "search", "zw", "--limit", "5")


def steps_portal(demo: Demo) -> "object":
    from crm_portal_emulator.client import EmulatorProcess

    demo.say("The manufacturer's dealer portal (the bundled emulator on 127.0.0.1) and a cron-style sync")
    emulator = EmulatorProcess(["--port", "0", "--seed", "3", "--owners", "120", "--leads", "20",
                                "--complaints", "6", "--campaigns", "3", "--surveys", "30",
                                "--start-time", "2026-11-20T01:30:00Z", "--client-id", "BJ001-crm"],
                               env={"CRM_PORTAL_SECRET": "demo-secret"}).start()
    print(f"(emulator listening on {emulator.base_url})")
    demo.env["CRM_PORTAL_SECRET"] = "demo-secret"
    demo.write_config(emulator.base_url)
    demo.crm("--as", CRON, "sync", "run", "-v", ok=(0, 3))
    demo.crm("sync", "status")
    demo.crm("--as", APPOINTMENT, "sync", "leads", "--open", ok=(0,))
    return emulator


def steps_work(demo: Demo) -> None:
    demo.say("Callbacks (回访): the daily plan (cron), then a specialist's queue")
    demo.say("(its warning is real: chinesecalendar has no 2027 holidays yet; IT enters the State Council's"
             " dates under [calendar] in the config, see docs/configuration.md)")
    demo.crm("--as", CRON, "callbacks", "plan", "--format", "json", ok=(0,))
    demo.crm("--as", CRON, "callbacks", "plan", "--format", "json", ok=(0,))  # cron twice: nothing new
    demo.crm("--as", CALLBACK, "callbacks", "due", "--me", "--format", "table")
    due = demo.crm("--as", CALLBACK, "callbacks", "due", "--me", "--format", "json", show=False)
    import json as _json

    tasks = _json.loads(due.stdout or "[]")
    if tasks:
        pick = next((t for t in tasks if t.get("visit")), tasks[0])  # a post-service callback
        task = pick.get("id") or pick.get("task")
        demo.say("A dissatisfied customer: the callback opens a complaint and is queued for the portal")
        demo.crm("--as", CALLBACK, "callbacks", "record", str(task), "--result", "dissatisfied",
                 "--score", "4", "--aspect", "waiting_time", "--note", "保养等了三个小时,没人说明原因")
    demo.crm("--as", MANAGER, "complaints", "list")
    demo.say("The manager accepts a complaint the manufacturer dispatched: the response goes back to the portal")
    demo.crm("--as", MANAGER, "complaints", "advance", "1", "accept", "--note", "已致电客户,约定明天到店检查")
    demo.say("Answers go back to the portal exactly once")
    demo.crm("--as", CRON, "sync", "run", "-v", ok=(0, 3))
    demo.crm("sync", "outbox", "--status", "sent", ok=(0,))


def steps_department(demo: Demo) -> None:
    demo.say("Sales (订单/合同): a consultant signs an order; delivering it creates the car in the archive")
    demo.crm("--as", MANAGER, "staff", "add", SALES, "--name", "王小明", "--role", "sales", show=False)
    demo.crm("--as", SALES, "order", "add", "--customer", "1", "--model", "X3 xDrive25i", "--price", "398000",
             "--deposit", "20000", "--signed", "2026-11-02", "--promised", "2026-11-18", "--number", "HT-2026-1102")
    demo.crm("--as", SALES, "order", "list", "--slipped")
    demo.crm("--as", SALES, "order", "deliver", "HT-2026-1102", "--vin", "WBA8E3105JA123456", "--plate", "京A·X3888",
             "--on", "2026-11-20")
    demo.say("The delivery hooks fired: the day-1/7/30 delivery callbacks follow in the daily plan")
    demo.crm("--as", CRON, "callbacks", "plan", "--as-of", "2026-11-23", "--format", "json", ok=(0,))  # day 1 is a Saturday
    demo.crm("--as", MANAGER, "report", "sales", "--period", "2026-11")

    demo.say("A complaint with two proposals; the manager approves one (主管领导选择最佳解决方案)")
    opened = demo.crm("--as", CALLBACK, "complaints", "open", "--customer", "1", "--channel", "phone",
                      "--category", "repair_quality", "--description", "保养后发动机异响", "--format", "json")
    import json as _json

    tid = str(_json.loads(opened.stdout)["id"])
    demo.crm("--as", CALLBACK, "complaints", "advance", tid, "accept")
    demo.crm("--as", CALLBACK, "complaints", "advance", tid, "investigate", "--person", "赵师傅",
             "--findings", "机油滤清器未拧紧")  # the department comes from the routing (repair_quality → workshop)
    demo.crm("--as", CALLBACK, "complaints", "interim", tid, "--solution", "提供代步车", "--told-via", "phone")
    demo.crm("--as", CALLBACK, "complaints", "propose", tid, "--solution", "免费返修", "--cost", "300")
    demo.crm("--as", CALLBACK, "complaints", "propose", tid, "--solution", "免费返修并赠送一次保养",
             "--compensation", "保养券一张", "--cost", "1100")
    demo.crm("--as", MANAGER, "complaints", "approve", tid, ok=(2,))  # two options: which one?
    demo.crm("--as", MANAGER, "complaints", "approve", tid, "--option", "2", "-m", "同意方案二")
    demo.crm("--as", CALLBACK, "complaints", "advance", tid, "implement", "--actions", "返修完成,保养券已发放",
             "--penalty-person", "赵师傅扣绩效200元", "--penalty-dept", "车间主管通报批评")
    demo.crm("--as", CALLBACK, "complaints", "show", tid)
    demo.say("A corrective action (整改项) for the workshop from that complaint: on the owner's agenda until verified")
    demo.crm("--as", MANAGER, "action", "add", "--from", f"complaint:{tid}", "--dept", "workshop", "--owner", ADVISOR,
             "--due", "2026-11-27")

    demo.say("Appointments: two bays a half hour; a third booking in a full slot is refused with the next free ones")
    demo.crm("--as", APPOINTMENT, "appointment", "book", "--customer", "1", "--at", "2026-11-23 09:30")
    demo.crm("--as", APPOINTMENT, "appointment", "book", "--customer", "2", "--at", "2026-11-23 09:40",
             "--place", "上门")
    demo.crm("--as", APPOINTMENT, "appointment", "book", "--customer", "3", "--at", "2026-11-23 09:45", ok=(2,))
    demo.say("Repair progress (维修进度): each change tells the customer and shows on the specialist's agenda")
    booked = demo.crm("--as", APPOINTMENT, "appointment", "book", "--customer", "1", "--at", "2026-11-20 10:30",
                      "--vehicle", "WBA8E3105JA123456")
    aid = booked.stdout.strip()
    demo.crm("--as", ADVISOR, "appointment", "progress", aid, "接车")
    demo.crm("--as", ADVISOR, "appointment", "progress", aid, "待料", "-m", "配件明天上午到")
    demo.crm("--as", APPOINTMENT, "today", "--me")


def steps_campaigns(demo: Demo) -> None:
    demo.say("Campaigns: a segment and a winter check clinic with limited seats")
    demo.crm("segment", "save", "x-owners", "--model", "X", "--channel", "sms",
             "--description", "X 系车主,接受短信", ok=(0,))
    demo.crm("segment", "count", "x-owners", ok=(0,))
    created = demo.crm("--as", MANAGER, "event", "create", "--title", "冬季爱车检测日", "--start", "2026-12-05 09:30",
                       "--place", "售后服务中心", "--capacity", "20", ok=(0,))
    event_id = (created.stdout.strip().split() or ["1"])[0]
    demo.crm("--as", MANAGER, "event", "invite", event_id, "--segment", "x-owners", "--limit", "30", ok=(0,))
    demo.crm("event", "show", event_id, ok=(0,))


def steps_reports(demo: Demo) -> None:
    demo.say("What a specialist does today, and the manager's view")
    demo.crm("--as", CALLBACK, "today", "--me")
    demo.crm("--as", MANAGER, "today", "--all")
    demo.say("The monthly report the manager hands in (terminal, XLSX and a single-file HTML)")
    demo.crm("--as", MANAGER, "report", "monthly", "--period", "2026-11")
    demo.crm("--as", MANAGER, "report", "monthly", "--period", "2026-11", "--out", str(demo.root / "月报-2026-11.xlsx"))
    demo.crm("--as", MANAGER, "report", "monthly", "--period", "2026-11", "--out", str(demo.root / "月报-2026-11.html"))


def steps_confidentiality(demo: Demo) -> None:
    demo.say("不得私自转移、复制客户信息: an unmasked export needs the manager (docs/privacy.md)")
    out = str(demo.root / "北京客户.xlsx")
    demo.crm("--as", CALLBACK, "customer", "export", out, "--city", "北京", "--unmasked", ok=(2,))
    demo.crm("--as", CALLBACK, "export", "request", "customer", "--filter", "city=北京", "--file-format", "xlsx",
             "--reason", "保险续保电话名单")
    demo.crm("--as", MANAGER, "export", "approve", "1")
    demo.crm("--as", CALLBACK, "customer", "export", out, "--city", "北京", "--unmasked")
    demo.crm("--as", CALLBACK, "customer", "export", out, "--city", "北京", "--unmasked", ok=(2,))  # used up
    demo.crm("--as", MANAGER, "export", "requests")


def steps_group(demo: Demo) -> None:
    """Two stores of a dealer group: this one (BJ001) and a second one made by the group bench's
    store builder (SH001); both export, the group loads them into DuckDB and reports."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for bench/
    from bench import group_store

    group = demo.root / "group"
    exports = group / "exports"
    exports.mkdir(parents=True, mode=0o700)
    warehouse = str(group / "group.duckdb")
    demo.env["CRM_GROUP_KEY"] = group_store.KEY  # the group's key: the same in every store, never stored
    demo.say("A dealer group: each store exports its changes as Parquet, personal data as keyed hashes"
             " (docs/group.md)")
    demo.crm("--as", MANAGER, "group", "enable")
    demo.crm("--as", MANAGER, "group", "export", "--out", str(exports))
    second = group / "SH001"
    group_store.build_store(second, "SH001", 300, seed=3)  # another store's own crm (sample data)
    mobile = demo.crm("--as", MANAGER, "customer", "show", "1", "--format", "json", show=False).stdout
    import json

    mobile = json.loads(mobile)
    mobile = (mobile.get("customer") or mobile).get("mobile")
    if mobile:  # the same person is a customer of both stores
        group_store.crm(second, "--as", group_store.MANAGER, "customer", "add", "--name", "同一客户",
                        "--mobile", mobile)
    group_store.crm(second, "--as", group_store.MANAGER, "group", "export", "--out", str(exports))
    demo.say("The group loads both stores into DuckDB and sees every store's figures, by the stores' own"
             " definitions")
    demo.crm("group", "load", str(exports), "--warehouse", warehouse)
    demo.crm("group", "report", "kpi", "--warehouse", warehouse)
    demo.crm("group", "rank", "callbacks.接通率", "--warehouse", warehouse)
    if mobile:
        demo.say("One person across the stores, matched by the keyed hash of the mobile")
        demo.crm("group", "person", "--phone", mobile, "--warehouse", warehouse)
    demo.say("The next export carries only the changes since the last one")
    demo.crm("--as", MANAGER, "customer", "add", "--name", "新客户", "--mobile", "13700001111", show=False)
    demo.crm("--as", MANAGER, "group", "export", "--out", str(exports), "--since", "last")
    demo.crm("group", "load", str(exports), "--warehouse", warehouse)


def steps_plugins(demo: Demo) -> None:
    demo.say("Plugins: the built-in ones are registered like any dealer's plugin")
    demo.crm("plugins", "list")
    demo.say("Bad input: one line, exit 2, nothing changed")
    demo.crm("customer", "add", "--name", "李四", "--mobile", "1381234", ok=(2,))
    demo.crm("customer", "show", "999999", ok=(2,))
    demo.say("Every write, export and deletion is in the audit log")
    demo.crm("--as", MANAGER, "audit", "list", "--limit", "8")
    demo.crm("--as", MANAGER, "audit", "verify")


def main() -> None:
    root = Path(os.environ.get("CRM_DEMO_DIR", "demo-data")).resolve()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(mode=0o700)
    demo = Demo(root)
    demo.write_config()
    started = time.perf_counter()
    steps_archive(demo)
    steps_import(demo)
    emulator = steps_portal(demo)
    try:
        steps_work(demo)
        steps_department(demo)
        steps_campaigns(demo)
        steps_reports(demo)
        steps_confidentiality(demo)
        steps_group(demo)
        steps_plugins(demo)
    finally:
        emulator.stop()
    print(f"\nDemo database: {root / 'crm.db'}  (finished in {time.perf_counter() - started:.1f} s)")
    print(f"Try it yourself:  export CRM_DB={root / 'crm.db'} CRM_CONFIG={root / 'config.toml'} "
          f"CRM_NOW={DEMO_NOW}; . .venv/bin/activate; crm --help")


if __name__ == "__main__":
    main()
