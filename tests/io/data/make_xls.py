"""Regenerate ``customers.xls`` (a real BIFF8 .xls) with xlwt.

xlwt is not a dependency of the project; the generated file is committed so
the suite can read a genuine legacy workbook without it::

    .venv/bin/pip install xlwt && .venv/bin/python tests/io/data/make_xls.py
"""

import datetime
from pathlib import Path

import xlwt


def main() -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("客户档案")
    ws.write_merge(0, 0, 0, 4, "XX宝马4S店客户档案 2025年")
    headers = ["客户姓名", "手机号码", "车牌号", "购车日期", "备注"]
    for c, h in enumerate(headers):
        ws.write(2, c, h)
    date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    ws.write_merge(3, 4, 0, 0, "张三")  # one customer, two vehicles
    ws.write(3, 1, 13812345678)
    ws.write(3, 2, "京A12345")
    ws.write(3, 3, datetime.date(2025, 3, 5), date)
    ws.write(4, 1, "139 8765 4321")
    ws.write(4, 2, "京B54321")
    ws.write(4, 3, datetime.date(2024, 12, 31), date)
    ws.write(6, 0, "李四")
    ws.write(6, 1, "+86 137 0000 1111")
    ws.write(6, 4, "老客户")
    wb.save(str(Path(__file__).with_name("customers.xls")))


if __name__ == "__main__":
    main()
