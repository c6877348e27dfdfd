"""Issue 18 §7: what `crm customer export` writes, `crm customer import` reads back to the
same archive — every exported column (手机2, 客户等级 … too), CSV and XLSX, either headers."""

import csv

import pytest

from crm.importing.export import COLUMNS

VIN, VIN2 = "WBA8E3105JA123456", "LBVNU79004SK12345"
#: what an import cannot carry over: the other archive's own record ids and times
SYSTEM = {"id", "created_at", "updated_at"}


def _archive(crm):
    crm("staff", "add", "li", "--name", "李经理", "--role", "manager")
    crm("--as", "li", "staff", "add", "wangfang", "--name", "王芳", "--role", "callback")
    crm("customer", "add", "--name", "张三", "--mobile", "13812345678", "--mobile2", "13987654321",
        "--landline", "010-12345678", "--gender", "男", "--birthday", "1980-05-06", "--wechat", "zhangsan_wx",
        "--email", "zs@example.com", "--city", "北京", "--address", "北京市海淀区中关村大街1号", "--source", "展厅",
        "--specialist", "wangfang", "--tag", "VIP", "--tag", "老客户", "--do-not-contact")
    crm("customer", "add", "--name", "李四", "--mobile", "13700001111", "--gender", "F", "--city", "上海")
    crm("vehicle", "add", "--vin", VIN, "--customer", "1", "--plate", "京A12345", "--model", "530Li", "--year", "2024",
        "--colour", "黑色", "--delivered", "2024-05-01", "--mileage", "12345", "--insurance-expires", "2026-05-01",
        "--inspection-due", "2028-05-01")
    crm("vehicle", "add", "--vin", VIN2, "--customer", "1", "--plate", "京B54321", "--model", "X3")
    crm.execute("UPDATE customers SET classification = 'A' WHERE id = 1")


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: v for k, v in row.items() if k not in SYSTEM} for row in csv.DictReader(fh)]


def _facts(crm):
    """The archive as the export and the tables hold it, without ids and times."""
    return [
        crm.sql("SELECT name, gender, birthday, mobile, mobile2, landline, wechat, email, city, address, source,"
                " classification, (SELECT code FROM staff WHERE id = specialist_id), do_not_contact"
                " FROM customers ORDER BY name"),
        crm.sql("SELECT c.name, v.vin, v.plate, v.model, v.model_year, v.colour, v.delivery_date, v.mileage,"
                " v.insurance_expires, v.inspection_due FROM vehicles v JOIN customers c ON c.id = v.customer_id"
                " ORDER BY v.vin"),
        crm.sql("SELECT c.name, p.phone, p.kind FROM customer_phones p JOIN customers c ON c.id = p.customer_id"
                " ORDER BY p.phone"),
        crm.sql("SELECT c.name, t.tag FROM customer_tags t JOIN customers c ON c.id = t.customer_id ORDER BY t.tag"),
    ]


@pytest.mark.parametrize("file, headers", [("out.csv", []), ("out.xlsx", ["--chinese-headers"]),
                                           ("zh.csv", ["--chinese-headers"])])
def test_export_imports_back_to_the_same_archive(crm, tmp_path, file, headers):
    import json

    _archive(crm)
    li = {"CRM_USER": "li"}
    crm("customer", "export", tmp_path / file, "--unmasked", *headers, env=li)
    crm("customer", "export", tmp_path / "before.csv", "--unmasked", env=li)
    before = _facts(crm)

    other = tmp_path / "other.db"
    crm("--db", other, "db", "migrate")
    crm("--db", other, "staff", "add", "li", "--name", "李经理", "--role", "manager")
    crm("--db", other, "--as", "li", "staff", "add", "wangfang", "--name", "王芳", "--role", "callback")
    out = json.loads(crm("--db", other, "customer", "import", tmp_path / file, "--format", "json").stdout)
    names = {c: (zh if headers else en) for c, en, zh in COLUMNS}
    assert sorted(out["summary"]["ignored_columns"]) == sorted(names[c] for c in SYSTEM)
    crm("--db", other, "customer", "export", tmp_path / "after.csv", "--unmasked", env=li)

    assert _rows(tmp_path / "after.csv") == _rows(tmp_path / "before.csv")
    crm.db_path, kept = other, crm.db_path
    try:
        assert _facts(crm) == before
    finally:
        crm.db_path = kept


@pytest.mark.parametrize("option, value", [("--model", "x3"), ("--model", "530"), ("--city", "上海"),
                                           ("--tag", "VIP"), ("--specialist", "wangfang")])
def test_export_filters_are_the_archives_one_customer_filter(crm, tmp_path, option, value):
    """`customer export --model x3` selects exactly the customers `customer list --model x3`
    lists (one filter in crm/archive/filters.py: a model matches by its text, any case)."""
    import json

    _archive(crm)
    li = {"CRM_USER": "li"}
    listed = {r["name"] for r in json.loads(
        crm("customer", "list", option, value, "--format", "json", env=li).stdout)}
    crm("customer", "export", tmp_path / "out.csv", "--unmasked", option, value, env=li)
    exported = {r["name"] for r in _rows(tmp_path / "out.csv")}
    assert listed and exported == listed
