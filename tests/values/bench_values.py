"""Micro-benchmarks of the value normalizers and of table I/O (not a test).

    .venv/bin/python tests/values/bench_values.py

Prints the best of 5 runs in µs per call; the figures are quoted in
docs/import-formats.md.  Run it on an idle machine.
"""

import datetime as dt
import tempfile
import time
import timeit
from pathlib import Path

from crm.io.readers import read_table
from crm.io.writers import write_csv, write_xlsx
from crm.values.dates import parse_date, parse_datetime
from crm.values.names import _keys, normalize_name, pinyin_keys
from crm.values.numbers import parse_amount, parse_mileage
from crm.values.phone import mask, normalize_phone
from crm.values.plate import normalize_plate
from crm.values.text import clean
from crm.values.vin import normalize_vin

CASES = [
    ("normalize_phone('13812345678')", lambda: normalize_phone("13812345678")),
    ("normalize_phone('138 1234 5678')", lambda: normalize_phone("138 1234 5678")),
    ("normalize_phone('+86 138-1234-5678')", lambda: normalize_phone("+86 138-1234-5678")),
    ("normalize_phone(13812345678)", lambda: normalize_phone(13812345678)),
    ("normalize_phone(13812345678.0)", lambda: normalize_phone(13812345678.0)),
    ("normalize_phone('010-12345678')", lambda: normalize_phone("010-12345678")),
    ("normalize_phone('0755 1234 5678')", lambda: normalize_phone("0755 1234 5678")),
    ("normalize_phone('(021)12345678转123')", lambda: normalize_phone("(021)12345678转123")),
    ("normalize_phone(full-width 138-1234-5678)", lambda: normalize_phone("１３８－１２３４－５６７８")),
    ("normalize_phone('+1 415 555 2671') phonenumbers", lambda: normalize_phone("+1 415 555 2671")),
    ("mask('13812345678')", lambda: mask("13812345678")),
    ("parse_date('2025-03-05')", lambda: parse_date("2025-03-05")),
    ("parse_date('2025/3/5')", lambda: parse_date("2025/3/5")),
    ("parse_date('2025年3月5日')", lambda: parse_date("2025年3月5日")),
    ("parse_date(45721)", lambda: parse_date(45721)),
    ("parse_date(date)", lambda: parse_date(dt.date(2025, 3, 5))),
    ("parse_datetime('2025-03-05 14:30:00')", lambda: parse_datetime("2025-03-05 14:30:00")),
    ("parse_date('5 Mar 2025') dateutil", lambda: parse_date("5 Mar 2025")),
    ("normalize_vin('LBVNU79004SK12345')", lambda: normalize_vin("LBVNU79004SK12345")),
    ("normalize_plate('京A12345')", lambda: normalize_plate("京A12345")),
    ("normalize_plate('京A·12345')", lambda: normalize_plate("京A·12345")),
    ("parse_mileage('12345')", lambda: parse_mileage("12345")),
    ("parse_mileage('12,345km')", lambda: parse_mileage("12,345km")),
    ("parse_amount('1,234.50')", lambda: parse_amount("1,234.50")),
    ("clean(' 张三 ')", lambda: clean(" 张三 ")),
    ("normalize_name('张 三')", lambda: normalize_name("张 三")),
    ("pinyin_keys('张三丰') cached", lambda: pinyin_keys("张三丰")),
    ("pinyin_keys('张三丰') uncached", lambda: _keys.__wrapped__("张三丰")),
]


def values() -> None:
    for label, fn in CASES:
        fn()
        n, _ = timeit.Timer(fn).autorange()
        best = min(timeit.Timer(fn).repeat(5, n)) / n
        print(f"{label:50s} {best * 1e6:8.2f} µs")


def tables() -> None:
    d = Path(tempfile.mkdtemp())
    rows = [
        {
            "客户姓名": f"客户{i}",
            "手机号码": f"138{i:08d}",
            "车牌号": f"京A{i % 100000:05d}",
            "购车日期": "2025-03-05",
            "地址": "北京市朝阳区建国路88号",
            "备注": "老客户",
        }
        for i in range(100_000)
    ]
    for label, n, write, path in (
        ("CSV ", 100_000, write_csv, d / "a.csv"),
        ("XLSX", 50_000, write_xlsx, d / "a.xlsx"),
    ):
        t = time.perf_counter()
        write(path, rows[:n])
        tw = time.perf_counter() - t
        t = time.perf_counter()
        with read_table(path) as table:
            count = sum(1 for _ in table)
        tr = time.perf_counter() - t
        print(f"{label} {n} rows x 6: write {tw / n * 1e6:6.1f} µs/row, read {tr / count * 1e6:6.1f} µs/row")


if __name__ == "__main__":
    values()
    tables()
