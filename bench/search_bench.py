"""Search benchmark: each kind of ``crm customer search`` on N customers (default 1M).

    .venv/bin/python -m bench.search_bench [--customers 1000000] [--db /tmp/search-bench.db] [--keep]

Builds an archive of N customers (1.2 vehicles each, cards for a fifth of them) with plain
SQL inserts through the real schema (migrations), names/pinyin from a deterministic pool,
then times ``crm.archive.search.search`` per kind of query (median of many different
queries) and prints it next to a reference measured in the same run: a primary-key lookup
of a customer row (``SELECT * FROM customers WHERE id = ?``). Targets: ≤ 5 ms median per
kind. It never fails on time: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉文斌宇浩凯鹏飞晨雪梅琳欣怡子涵梓萱一诺宇轩浩然俊杰"
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁苏浙粤川"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


def build(db_path: Path, n: int) -> None:
    from crm.archive.validate import name_keys
    from crm.migrations import apply
    from crm.schema import migrations
    from crm.store import Store
    from crm.values.vin import make_vin

    store = Store(db_path)
    apply(store, [migrations])
    conn = store.conn
    rng = random.Random(20261120)
    names = [s + g1 + (g2 if k % 3 else "") for k, (s, g1, g2) in enumerate(
        (rng.choice(SURNAMES), rng.choice(GIVEN), rng.choice(GIVEN)) for _ in range(20000))]
    keys = {nm: name_keys(nm) for nm in set(names)}
    now = "2026-11-20T10:00:00+08:00"
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    mult = 2_654_435_761  # a bijection on the mobile numbers: distinct, scattered
    vid = 0
    for start in range(0, n, 50_000):
        cust, phones, vehicles, cards = [], [], [], []
        for i in range(start + 1, min(n, start + 50_000) + 1):
            nm = names[(i * 7919) % len(names)]
            k = keys[nm]
            mobile = f"1{3 + i % 7}{(i * mult) % 10**9:09d}"
            cust.append((i, nm, k["name_rev"], k["name_pinyin"], k["name_initials"], mobile, "北京", now, now))
            phones.append((i, mobile, "mobile", mobile[-4:]))
            for _ in range(1 if i % 5 else 2):
                vid += 1
                serial = f"{(vid * 7_368_787) % 10**6:06d}"
                body = "".join(VIN_CHARS[(vid * p) % len(VIN_CHARS)] for p in (3, 5, 7, 11, 13))
                vin = make_vin(f"LBV{body}" + "_" + f"N{VIN_CHARS[vid % 33]}" + serial)
                plate = PROVINCES[vid % len(PROVINCES)] + LETTERS[vid % 23] + f"{(vid * 48271) % 10**5:05d}"
                vehicles.append((vid, vin, vin[::-1], plate, plate[1:], "530Li", i, now, now))
            if i % 5 == 0:
                cards.append((i, f"VIP{(i * 97) % 10**8:08d}", "金卡", "2025-01-01", now, now))
        conn.executemany("INSERT INTO customers (id, name, name_rev, name_pinyin, name_initials, mobile, city,"
                         " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)", cust)
        conn.executemany("INSERT INTO customer_phones VALUES (?,?,?,?)", phones)
        conn.executemany("INSERT OR IGNORE INTO vehicles (id, vin, vin_rev, plate, plate_key, model, customer_id,"
                         " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)", vehicles)
        conn.executemany("INSERT OR IGNORE INTO membership_cards (customer_id, number, level, issued_on, created_at,"
                         " updated_at) VALUES (?,?,?,?,?,?)", cards)
        print(f"\r  built {min(n, start + 50_000):,} customers", end="", file=sys.stderr, flush=True)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    print(file=sys.stderr)
    store.close()


def timed(fn, queries) -> float:
    times = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(argv=None) -> list:
    from bench.common import Figure

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    parser.add_argument("--queries", type=int, default=200, help="different queries per kind")
    args = parser.parse_args(argv)
    if args.db:
        db_path = args.db
    elif args.keep:  # a fixed name, so the next --keep run reuses it
        db_path = Path(tempfile.gettempdir()) / f"crm-search-bench-{args.customers}.db"
    else:  # a private folder: two runs at once never delete each other's database
        db_path = Path(tempfile.mkdtemp(prefix="crm-search-bench-")) / "crm.db"
    if not (args.keep and db_path.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        t = time.perf_counter()
        build(db_path, args.customers)
        print(f"built {args.customers:,} customers in {time.perf_counter() - t:.1f} s", file=sys.stderr)

    from crm.archive.search import search
    from crm.store import Store

    store = Store(db_path)
    rng = random.Random(7)
    n = store.scalar("SELECT max(id) FROM customers")
    sample = [rng.randint(1, n) for _ in range(args.queries)]
    rows = {r["id"]: r for r in store.query(
        f"SELECT id, name, name_pinyin, name_initials, mobile FROM customers WHERE id IN ({','.join(map(str, sample))})")}
    vehicles = store.query(
        f"SELECT vin, plate FROM vehicles WHERE customer_id IN ({','.join(map(str, sample))}) ORDER BY id")
    cards = [r[0] for r in store.conn.execute("SELECT number FROM membership_cards ORDER BY random() LIMIT ?",
                                              (args.queries,))]
    people = [rows[i] for i in sample if i in rows]
    kinds = {
        "mobile (full)": [p["mobile"] for p in people],
        "mobile tail 4 (尾号)": [p["mobile"][-4:] for p in people],
        "plate with province": [v["plate"] for v in vehicles],
        "plate without province": [v["plate"][1:].lower() for v in vehicles],
        "VIN (full)": [v["vin"] for v in vehicles],
        "VIN last 6": [v["vin"][-6:] for v in vehicles],
        "VIN last 8": [v["vin"][-8:] for v in vehicles],
        "card number": cards,
        "name exact": [p["name"] for p in people],
        "name prefix (surname)": [p["name"][:1] for p in people],
        "name suffix (given name)": [p["name"][1:] for p in people],
        "pinyin full": [p["name_pinyin"] for p in people],
        "pinyin initials": [p["name_initials"] for p in people],
    }
    ref = timed(lambda i: store.query_one("SELECT * FROM customers WHERE id = ?", (i,)), sample)
    for q in kinds["name exact"][:20]:  # warm the page cache like a running department would
        search(store, q)
    print(f"search on {n:,} customers, {args.queries} queries per kind, median ms "
          f"(reference: primary-key lookup {ref:.3f} ms)", file=sys.stderr)
    figures = []
    for kind, queries in kinds.items():
        ms = timed(lambda q: search(store, q, limit=20), queries)
        figures.append(Figure(f"search {kind}, {n} customers", ms, "pk lookup", ref, unit="ms", limit=5,
                              group="search"))
    store.close()
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        if not args.db:
            db_path.parent.rmdir()
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("PYTHONHASHSEED", "0")
    from bench.common import standalone

    sys.exit(standalone("Search (bench/search_bench.py)", main))
