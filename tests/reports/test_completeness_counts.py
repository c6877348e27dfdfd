"""The maintained completeness counts (core m005) always equal a full scan of the archive."""

import random

from crm.context import App
from crm.reports import completeness

T = "2026-01-01T00:00:00+08:00"
TEXT = ["mobile", "name", "gender", "birthday", "wechat", "email", "city", "address", "source",
        "preferred_channel", "best_time"]


def scanned(app):
    """The former definition: one scan of every live archive."""
    score, total = completeness.score_sql(app)
    rows = app.store.conn.execute(
        f"SELECT c.specialist_id, count(*), sum({score}) FROM customers c WHERE c.forgotten_at IS NULL"
        " GROUP BY c.specialist_id").fetchall()
    return {sid: (n, pts or 0) for sid, n, pts in rows}, total


def value(rnd, fact):
    if fact == "gender":
        return rnd.choice(["M", "F", None])
    return rnd.choice([None, "", f"{fact}{rnd.randrange(100)}"])


def test_counts_match_a_full_scan_through_random_changes(tmp_path):
    app = App(environ={"CRM_DB": str(tmp_path / "crm.db"), "CRM_NOW": "2026-11-20T10:00:00"})
    conn = app.store.conn
    rnd = random.Random(9)
    conn.executemany("INSERT INTO staff (id, code, name, role, created_at, updated_at) VALUES (?, ?, ?, 'callback', ?, ?)",
                     [(i, f"s{i}", f"s{i}", T, T) for i in (1, 2, 3)])
    next_vehicle = 1
    for step in range(600):
        op = rnd.randrange(9)
        ids = [r[0] for r in conn.execute("SELECT id FROM customers")]
        vids = [r[0] for r in conn.execute("SELECT id FROM vehicles")]
        if op <= 1 or not ids:
            cols = rnd.sample(TEXT, rnd.randrange(len(TEXT)))
            conn.execute(f"INSERT INTO customers ({', '.join(cols + ['specialist_id', 'created_at', 'updated_at'])})"
                         f" VALUES ({', '.join('?' * (len(cols) + 3))})",
                         [value(rnd, c) for c in cols] + [rnd.choice([None, 1, 2, 3]), T, T])
        elif op == 2:
            fact = rnd.choice(TEXT)
            conn.execute(f"UPDATE customers SET {fact} = ? WHERE id = ?", (value(rnd, fact), rnd.choice(ids)))
        elif op == 3:
            conn.execute("UPDATE customers SET specialist_id = ? WHERE id = ?", (rnd.choice([None, 1, 2, 3]), rnd.choice(ids)))
        elif op == 4:
            conn.execute("UPDATE customers SET forgotten_at = ?, mobile = NULL WHERE id = ?",
                         (rnd.choice([None, T]), rnd.choice(ids)))
        elif op == 5:
            vin = f"VIN{next_vehicle:014d}"
            next_vehicle += 1
            conn.execute("INSERT INTO vehicles (vin, vin_rev, plate, customer_id, created_at, updated_at)"
                         " VALUES (?, ?, ?, ?, ?, ?)", (vin, vin[::-1], rnd.choice([None, "", "沪A1"]),
                                                        rnd.choice(ids + [None]), T, T))
        elif op == 6 and vids:
            conn.execute("UPDATE vehicles SET customer_id = ?, plate = ? WHERE id = ?",
                         (rnd.choice(ids + [None]), rnd.choice([None, "", "沪B2"]), rnd.choice(vids)))
        elif op == 7 and vids:
            conn.execute("UPDATE vehicles SET plate = ? WHERE id = ?", (rnd.choice([None, "", "沪C3"]), rnd.choice(vids)))
        elif op == 8 and vids:
            conn.execute("DELETE FROM vehicles WHERE id = ?", (rnd.choice(vids),))
        if rnd.random() < 0.1:
            spare = [i for i in ids if not conn.execute("SELECT 1 FROM vehicles WHERE customer_id = ?", (i,)).fetchone()]
            if spare:
                conn.execute("DELETE FROM customers WHERE id = ?", (rnd.choice(spare),))
        if step % 25 == 0:
            assert completeness.by_specialist(app) == scanned(app), step
    assert completeness.by_specialist(app) == scanned(app)
    assert completeness.by_specialist(app, 2)[0] == {k: v for k, v in scanned(app)[0].items() if k == 2}


def test_counts_follow_custom_weights(tmp_path):
    app = App(environ={"CRM_DB": str(tmp_path / "crm.db"), "CRM_NOW": "2026-11-20T10:00:00"})
    app.store.conn.execute("INSERT INTO customers (name, mobile, created_at, updated_at) VALUES ('a', '139', ?, ?)", (T, T))
    app.config.data.setdefault("archive", {})["completeness_weights"] = {"mobile": 50, "email": 0}
    assert completeness.by_specialist(app) == scanned(app)
