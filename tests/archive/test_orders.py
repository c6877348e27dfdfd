"""Issue 17, sales side: orders (订单/合同) in the core archive, delivery through the archive with the
delivery hooks, slipped promised dates on the agenda, the sales report, the sales role."""

import json
import sqlite3

from crm import hookimpl

VIN = "WBA8E3105JA123456"


class Deliveries:
    """Records what the delivery hook hears (the callbacks/campaigns plugins listen to it)."""

    def __init__(self):
        self.heard = []

    @hookimpl
    def on_vehicle_delivered(self, tx, vehicle, customer):
        self.heard.append((vehicle["vin"], vehicle["model"], vehicle["delivery_date"], customer["id"]))


def _setup(crm):
    for code, name, role in [("li", "李经理", "manager"), ("xiaowang", "小王", "sales"), ("xiaozhao", "小赵", "sales"),
                             ("wangfang", "王芳", "callback")]:
        # the first manager is added in first-time setup; from then on the manager adds staff
        crm(*(("--as", "li") if code != "li" else ()), "staff", "add", code, "--name", name, "--role", role)
    crm("customer", "add", "--name", "张三", "--mobile", "13812345678")
    crm("customer", "add", "--name", "李四", "--mobile", "13912345678")


def _add(crm, *args, user="xiaowang", expect=0):
    return crm("order", "add", *args, env={"CRM_USER": user}, expect=expect)


def test_sales_role_exists_and_an_old_database_is_migrated(crm):
    crm("staff", "add", "xiaowang", "--name", "小王", "--role", "sales")
    conn = sqlite3.connect(crm.db_path)
    try:
        assert conn.execute("SELECT role FROM staff").fetchall() == [("sales",)]
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        names = [r[0] for r in conn.execute("SELECT name FROM _crm_migrations WHERE owner = 'core' ORDER BY rowid")]
        assert "m008_sales_orders" in names
        cols = [r[1] for r in conn.execute("PRAGMA table_info(orders)")]
        assert cols[:10] == ["id", "number", "customer_id", "model", "price", "deposit", "signed_on", "promised_on",
                             "consultant", "status"]
    finally:
        conn.close()


def test_add_show_list_in_every_format(crm):
    _setup(crm)
    oid = _add(crm, "--customer", "1", "--model", "530Li", "--price", "428,000", "--deposit", "20000",
               "--signed", "2026-11-02", "--promised", "2026-11-28", "--number", "HT-2026-001").stdout.strip()
    shown = crm.json("order", "show", "HT-2026-001", env={"CRM_USER": "xiaowang"})
    assert shown["id"] == int(oid) and shown["price"] == 428000 and shown["consultant"] == "xiaowang"
    assert shown["status"] == "signed (已签约)" and shown["mobile"] == "138****5678"
    for fmt in ("table", "json", "jsonl", "csv"):
        out = crm("--as", "li", "order", "list", "--format", fmt).stdout
        assert "530Li" in out
    rows = crm.json("--as", "li", "order", "list")
    assert [(r["number"], r["status"], r["slipped_days"]) for r in rows] == [("HT-2026-001", "signed", None)]


def test_bad_orders_are_refused_and_nothing_is_written(crm):
    _setup(crm)
    refused = _add(crm, "--customer", "1", "--model", "X3", "--price", "1", user="wangfang", expect=2).stderr
    assert "permission order.write" in refused and "wangfang (callback)" in refused
    assert "--deposit" in _add(crm, "--customer", "1", "--model", "X3", "--price", "100", "--deposit", "200",
                               expect=2).stderr
    assert "is before the contract was signed" in _add(
        crm, "--customer", "1", "--model", "X3", "--price", "100", "--signed", "2026-11-10", "--promised",
        "2026-11-01", expect=2).stderr
    assert "not an amount" in _add(crm, "--customer", "1", "--model", "X3", "--price", "lots", expect=2).stderr
    assert crm("order", "add", "--customer", "99", "--model", "X3", "--price", "1",
               env={"CRM_USER": "li"}, expect=2).stderr.startswith("crm: error")
    assert crm.sql("SELECT count(*) FROM orders") == [(0,)]


def test_delivering_creates_the_vehicle_and_fires_the_delivery_hooks(crm):
    _setup(crm)
    heard = Deliveries()
    crm.plugins = [heard]
    _add(crm, "--customer", "1", "--model", "530Li", "--price", "428000", "--signed", "2026-11-02",
         "--promised", "2026-11-28")
    out = crm("order", "deliver", "1", "--vin", VIN, "--plate", "京A88888", "--on", "2026-11-19",
              env={"CRM_USER": "xiaowang"}).stdout
    assert "delivered 2026-11-19" in out
    assert heard.heard == [(VIN, "530Li", "2026-11-19", 1)]
    assert crm.sql("SELECT customer_id, model, delivery_date FROM vehicles") == [(1, "530Li", "2026-11-19")]
    assert crm.sql("SELECT customer_id, reason FROM vehicle_owners") == [(1, "delivery")]
    row = crm.json("--as", "li", "order", "show", "1")
    assert row["status"].startswith("delivered") and row["vin"] == VIN
    # delivering twice, or in the future, is refused
    assert "only a signed order" in crm("order", "deliver", "1", "--vin", VIN, env={"CRM_USER": "li"},
                                        expect=2).stderr
    _add(crm, "--customer", "2", "--model", "X5", "--price", "700000")
    assert "in the future" in crm("order", "deliver", "2", "--vin", "WBA8E3105JA123457", "--on", "2026-12-01",
                                  env={"CRM_USER": "li"}, expect=2).stderr


def test_delivery_day_callbacks_follow(crm, monkeypatch):
    monkeypatch.setenv("CRM_PLUGINS", "callbacks")
    _setup(crm)
    _add(crm, "--customer", "1", "--model", "530Li", "--price", "428000", "--signed", "2026-11-02")
    crm("order", "deliver", "1", "--vin", VIN, "--on", "2026-11-19", env={"CRM_USER": "xiaowang"})
    crm("callbacks", "plan", "--as-of", "2026-11-20")
    reasons = [r[0] for r in crm.sql("SELECT reasons FROM callback_tasks")]
    assert any("新车交付第1天回访" in r for r in reasons), reasons


def test_a_slipped_promised_date_shows_on_the_agenda(crm):
    _setup(crm)
    _add(crm, "--customer", "1", "--model", "530Li", "--price", "428000", "--signed", "2026-11-02",
         "--promised", "2026-11-18")
    _add(crm, "--customer", "2", "--model", "X5", "--price", "700000", "--signed", "2026-11-02",
         "--promised", "2026-11-30", user="xiaozhao")
    text = crm("today", "--me", "--format", "csv", env={"CRM_USER": "xiaowang"}).stdout
    assert "交车延期 2 天: 张三 530Li" in text
    assert "交车延期" not in crm("today", "--me", "--format", "csv", env={"CRM_USER": "xiaozhao"}).stdout
    assert "交车延期 2 天" in crm("today", "--me", "--format", "csv", env={"CRM_USER": "li"}).stdout
    assert [r["id"] for r in crm.json("--as", "li", "order", "list", "--slipped")] == [1]
    # who sees every consultant's slipped deliveries is a row of the permission table (agenda.department)
    crm.write_config('[permissions]\n"agenda.department" = ["manager", "sales"]\n')
    assert "交车延期 2 天" in crm("today", "--me", "--format", "csv", env={"CRM_USER": "xiaozhao"}).stdout
    crm.write_config('[permissions]\n"agenda.department" = ["it"]\n')
    assert "交车延期" not in crm("today", "--me", "--format", "csv", env={"CRM_USER": "li"}).stdout


def test_sales_report_by_consultant_model_and_month(crm):
    _setup(crm)
    _add(crm, "--customer", "1", "--model", "530Li", "--price", "428000", "--deposit", "20000", "--signed", "2026-11-02")
    _add(crm, "--customer", "2", "--model", "X5", "--price", "700000", "--deposit", "50000", "--signed", "2026-11-05",
         user="xiaozhao")
    _add(crm, "--customer", "2", "--model", "530Li", "--price", "400000", "--signed", "2026-11-06", user="xiaozhao")
    _add(crm, "--customer", "1", "--model", "X1", "--price", "300000", "--signed", "2026-10-30")
    crm("order", "cancel", "3", "--reason", "顾客改买X5", env={"CRM_USER": "li"})
    rows = crm.json("--as", "xiaozhao", "report", "sales", "--period", "2026-11")
    assert [(r["key"], r["label"], r["orders"], r["amount"], r["cancelled"]) for r in rows] == [
        ("xiaowang", "小王", 1, 428000, 0), ("xiaozhao", "小赵", 1, 700000, 1), ("total", "合计", 2, 1128000, 1)]
    assert rows[-1]["deposit"] == 70000 and rows[-1]["avg_price"] == 564000
    by_model = crm.json("--as", "li", "report", "sales", "--period", "2026-10-01..2026-11-30", "--by", "model")
    assert [(r["key"], r["orders"]) for r in by_model] == [("530Li", 1), ("X1", 1), ("X5", 1), ("total", 3)]
    text = crm("--as", "li", "report", "sales", "--period", "2026-11").stdout
    assert "销售报表" in text and "签约台数" in text and "销售顾问" in text and "合计" in text
    assert "--by" in crm("--as", "li", "report", "sales", "--by", "colour", expect=2).stderr
    assert "permission report.sales" in crm("--as", "wangfang", "report", "sales", expect=2).stderr


def test_a_sales_consultant_sells_and_delivers_but_sees_personal_data_masked(crm):
    """The sales column of the permission table: orders yes, unmasked numbers, prefixes and staff no."""
    _setup(crm)
    _add(crm, "--customer", "1", "--model", "530Li", "--price", "428000", "--signed", "2026-11-02")
    crm("--as", "xiaowang", "order", "deliver", "1", "--vin", VIN, "--on", "2026-11-19")
    _add(crm, "--customer", "2", "--model", "X5", "--price", "700000")
    crm("--as", "xiaowang", "order", "cancel", "2", "--reason", "改期")
    shown = crm.json("--as", "xiaowang", "customer", "show", "1")
    assert (shown["mobile"] if "mobile" in shown else shown["customer"]["mobile"]) == "138****5678"
    assert crm.json("--as", "xiaowang", "customer", "search", "13812") == []
    for args in (("customer", "export", crm.tmp_path / "o.csv", "--unmasked"),
                 ("staff", "add", "x", "--name", "某", "--role", "sales"),
                 ("appointment", "progress", "1", "received")):
        assert "permission" in crm("--as", "xiaowang", *args, expect=2).stderr
    assert "permission order.read" in crm("order", "list", expect=2).stderr  # nobody named
    assert crm.sql("SELECT status FROM orders ORDER BY id") == [("delivered",), ("cancelled",)]
