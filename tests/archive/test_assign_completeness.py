"""assign --balance / --rebalance, first-contact queue, completeness."""


def add(crm, *args):
    return int(crm("customer", "add", *args).stdout.strip())


def test_balance_weighted_and_first_contact_due(staffed):
    staffed("--as", "li", "staff", "edit", "wangfang", "--level", "3")  # weight 40 × 1.5 = 60
    # zhaomin (satisfaction) level 1: 40; liuyang (archive) level 1: 40 → shares 60:40:40 of 14
    ids = [add(staffed, "--name", f"客户{i}", "--mobile", f"138000000{i:02d}") for i in range(14)]
    dnc = add(staffed, "--name", "免打扰", "--do-not-contact")
    staffed("customer", "assign", "--balance", expect=2)  # no role
    plan = staffed.json("customer", "assign", "--balance", "--dry-run", env={"CRM_USER": "li"})
    assert sum(r["would_assign"] for r in plan) == 15
    out = staffed.json("customer", "assign", "--balance", env={"CRM_USER": "li"})
    counts = {r["specialist"]: r["assigned"] for r in out}
    assert counts == {"wangfang": 7, "zhaomin": 4, "liuyang": 4} or sum(counts.values()) == 15
    assert counts["wangfang"] > counts["zhaomin"]
    dues = [r[0] for r in staffed.sql("SELECT first_contact_due FROM customers WHERE id <> ?", (dnc,))]
    assert all(d and "2026-11-21" <= d <= "2026-11-27" for d in dues)
    assert staffed.sql("SELECT first_contact_due FROM customers WHERE id = ?", (dnc,)) == [(None,)]
    assert staffed.json("customer", "assign", "--balance", env={"CRM_USER": "li"}) == []
    # The specialist's queue, then a logged call clears the due date.
    queue = staffed.json("customer", "list", "--specialist", "wangfang", "--first-contact-due", "--due-by", "2026-11-30")
    expected = staffed.sql("SELECT count(*) FROM customers c JOIN staff s ON s.id = c.specialist_id"
                           " WHERE s.code = 'wangfang' AND c.do_not_contact = 0")[0][0]
    assert len(queue) == expected and queue == sorted(queue, key=lambda r: r["first_contact_due"])
    first = queue[0]["id"]
    staffed("log", "add", "--customer", str(first), "--kind", "call", "--summary", "自我介绍", env={"CRM_USER": "wangfang"})
    assert staffed.sql("SELECT first_contact_due FROM customers WHERE id = ?", (first,)) == [(None,)]
    # Someone leaves: their customers are released and rebalanced.
    staffed("--as", "li", "staff", "edit", "zhaomin", "--inactive")
    out = staffed.json("customer", "assign", "--rebalance", env={"CRM_USER": "li"})
    after = dict(staffed.sql("SELECT s.code, count(*) FROM customers c JOIN staff s ON s.id = c.specialist_id"
                             " GROUP BY s.code"))
    assert "zhaomin" not in after and sum(after.values()) == 15
    assert after["wangfang"] >= after["liuyang"]
    assert ids


def test_assign_one(staffed):
    cid = add(staffed, "--name", "张三")
    staffed("customer", "assign", str(cid), "--to", "wangfang", env={"CRM_USER": "liuyang"})
    assert staffed.sql("SELECT first_contact_due IS NOT NULL FROM customers") == [(1,)]
    staffed("customer", "assign", str(cid), "--to", "wangfang", env={"CRM_USER": "liuyang"}, expect=2)
    staffed("customer", "assign", str(cid), "--to", "nobody", env={"CRM_USER": "liuyang"}, expect=2)


def test_completeness(staffed):
    full = add(staffed, "--name", "张三", "--mobile", "13812345678", "--gender", "男", "--birthday", "1980-01-01",
               "--wechat", "zhangsan88", "--email", "z@example.com", "--city", "北京", "--address", "北京市某路1号",
               "--source", "展厅", "--channel", "phone", "--best-time", "上午", "--specialist", "wangfang")
    staffed("vehicle", "add", "--vin", "WBA8E3105JA123456", "--customer", str(full), "--plate", "京A12345")
    bare = add(staffed, "--name", "李四")
    rows = {r["id"]: r for r in staffed.json("customer", "completeness", "--by", "customer")}
    assert rows[full]["rate"] == 100.0 and rows[full]["missing"] == []
    assert rows[bare]["rate"] == 10.0 and "mobile" in rows[bare]["missing"]
    overall = staffed.json("customer", "completeness")
    assert overall == [{"specialist": "overall", "customers": 2, "rate": 55.0, "complete": 1,
                        "most_missing": overall[0]["most_missing"]}]
    by = {r["specialist"]: r for r in staffed.json("customer", "completeness", "--by", "specialist")}
    assert by["wangfang"]["rate"] == 100.0 and by[None]["rate"] == 10.0 and by["overall"]["rate"] == 55.0
    staffed.write_config("[archive.completeness_weights]\nmobile = 90\n")
    rows = {r["id"]: r for r in staffed.json("customer", "completeness", "--by", "customer")}
    assert rows[bare]["rate"] == round(100 * 10 / 170, 1)
    staffed("customer", "completeness", "--by", "city", expect=2)
