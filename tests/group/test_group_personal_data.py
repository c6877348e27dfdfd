"""Personal data in a group export: keyed hashes that match across stores, --with-personal-data
only for the manager and audited, a forgotten customer leaves as tombstones."""

from __future__ import annotations

import json

from group_helpers import KEY, all_values, make_store, read


def test_the_same_person_in_two_stores_gets_the_same_hashes(crm, tmp_path):
    a = make_store(crm, tmp_path / "a", customers=20, seed=1, dealer="BJ001")
    b = make_store(crm, tmp_path / "b", customers=20, seed=2, dealer="TJ002")
    a.li("customer", "add", "--name", "张 伟 ", "--mobile", "13812345678")
    b.li("customer", "add", "--name", "张 伟", "--mobile", "+86 138-1234-5678")  # typed differently
    _, ta = read(a.export(tmp_path / "out")["directory"])
    _, tb = read(b.export(tmp_path / "out")["directory"])
    phones_a = {r["phone_hash"] for r in ta["customer_phones"]}
    phones_b = {r["phone_hash"] for r in tb["customer_phones"]}
    shared = phones_a & phones_b
    assert len(shared) == 1  # the one person in both stores (the sample stores' mobiles are their own)
    [za] = [c for c in ta["customers"] if c["mobile_hash"] in shared]
    [zb] = [c for c in tb["customers"] if c["mobile_hash"] in shared]
    assert za["name_hash"] == zb["name_hash"] and za["_store"] == "BJ001" and zb["_store"] == "TJ002"
    # no clear phone, name, VIN or plate travels
    clear = {v for (v,) in a.sql("SELECT name FROM customers UNION SELECT mobile FROM customers"
                                 " UNION SELECT phone FROM customer_phones UNION SELECT vin FROM vehicles"
                                 " UNION SELECT plate FROM vehicles UNION SELECT address FROM customers")
             if v}
    assert clear and not clear & all_values(ta)
    columns = set(ta["customers"][0])
    assert {"name_hash", "mobile_hash"} <= columns and not {"name", "mobile", "address", "email", "wechat"} & columns
    assert {"vin_hash", "plate_hash"} <= set(ta["vehicles"][0]) and "vin" not in ta["vehicles"][0]
    # another group key: other hashes (the key is what makes them unguessable)
    other = a.export(tmp_path / "other", env={"CRM_GROUP_KEY": "another-group-key-0000"})
    assert not {r["phone_hash"] for r in read(other["directory"])[1]["customer_phones"]} & phones_a


def test_with_personal_data_is_for_the_manager_and_audited(crm, tmp_path):
    store = make_store(crm, tmp_path / "s", customers=10)
    for who in ("it", "liuyang"):
        result = store("--as", who, "group", "export", "--out", tmp_path / "out", "--with-personal-data", expect=2)
        assert "permission group.export" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    result = store.export(tmp_path / "out", "--with-personal-data")
    assert result["personal_data"] is True
    manifest, tables = read(result["directory"])
    assert manifest["personal_data"] is True
    mobiles = {m for (m,) in store.sql("SELECT mobile FROM customers")}
    assert {c["mobile"] for c in tables["customers"]} == mobiles
    assert all(c["mobile_hash"] for c in tables["customers"])  # the hashes travel too
    assert "pin_hash" not in tables["staff"][0]  # a secret never leaves
    [(actor, detail)] = store.sql("SELECT actor, detail FROM audit_log WHERE action = 'export' AND entity = 'group'")
    assert actor == "li" and json.loads(detail)["personal_data"] is True
    # IT may export pseudonymised data (cron)
    store("--as", "it", "group", "export", "--out", tmp_path / "plain")


def test_a_forgotten_customer_leaves_as_tombstones(crm, tmp_path):
    store = make_store(crm, tmp_path / "s", customers=10)
    first = store.export(tmp_path / "out")
    cid = 4
    name, mobile = store.sql("SELECT name, mobile FROM customers WHERE id = ?", (cid,))[0]
    phones = [p for (p,) in store.sql("SELECT phone FROM customer_phones WHERE customer_id = ?", (cid,))]
    vins = [v for (v,) in store.sql("SELECT vin FROM vehicles WHERE customer_id = ?", (cid,))]
    n_tags = store.sql("SELECT count(*) FROM customer_tags WHERE customer_id = ?", (cid,))[0][0]
    store.li("customer", "forget", str(cid), "--yes")
    result = store.export(tmp_path / "out", "--since", str(first["bookmark"]))
    _, tables = read(result["directory"])
    deleted = [r for r in tables["customer_phones"] if r["_op"] == "delete"]
    assert {r["customer_id"] for r in deleted} == {cid} and len(deleted) == len(phones)
    first_phones = {(r["customer_id"], r["phone_hash"]) for r in read(first["directory"])[1]["customer_phones"]}
    assert {(r["customer_id"], r["phone_hash"]) for r in deleted} <= first_phones  # the warehouse's keys
    assert all(r["kind"] is None for r in deleted)  # a tombstone carries the key only
    assert len([r for r in tables.get("customer_tags", []) if r["_op"] == "delete"]) == n_tags
    [customer] = tables["customers"]
    assert customer["id"] == cid and customer["name_hash"] is None and customer["mobile_hash"] is None
    assert customer["forgotten_at"]
    values = all_values(tables)
    assert not {name, mobile, *phones, *vins} & values
    # once exported, the numbers leave the store's change log too (the log keeps their keyed hashes) …
    log = " ".join(pk for (pk,) in store.sql("SELECT pk FROM change_log"))
    assert phones and not [p for p in phones if p in log]
    # … and the same export again gives the same tombstones
    again = store.export(tmp_path / "again", "--since", str(first["bookmark"]))
    assert read(again["directory"])[1] == tables


def test_with_personal_data_tombstones_carry_no_clear_key(crm, tmp_path):
    store = make_store(crm, tmp_path / "s", customers=5)
    first = store.export(tmp_path / "out")
    phones = [p for (p,) in store.sql("SELECT phone FROM customer_phones WHERE customer_id = 2")]
    store.li("customer", "forget", "2", "--yes")
    result = store.export(tmp_path / "out", "--since", str(first["bookmark"]), "--with-personal-data")
    _, tables = read(result["directory"])
    assert not set(phones) & all_values(tables)
    assert KEY not in json.dumps(tables, ensure_ascii=False, default=str)


def test_a_phone_removed_and_added_again_ends_as_an_upsert(crm, tmp_path):
    store = make_store(crm, tmp_path / "s", customers=3)
    first = store.export(tmp_path / "out")
    [(old,)] = store.sql("SELECT mobile FROM customers WHERE id = 2")
    store.li("customer", "edit", "2", "--mobile", "13700000001")
    second = store.export(tmp_path / "out", "--since", "last")  # the old number's rows are now hashed in the log
    store.li("customer", "edit", "2", "--mobile", old)
    third = store.export(tmp_path / "out", "--since", "last")
    _, tables = read(third["directory"])
    ops = {r["_op"] for r in tables["customer_phones"]}
    assert ops == {"upsert", "delete"}
    # what the warehouse keeps, per key the highest version, over the three exports
    latest: dict = {}
    for result in (first, second, third):
        for r in read(result["directory"])[1]["customer_phones"]:
            key = (r["customer_id"], r["phone_hash"])
            if key not in latest or r["_version"] > latest[key]["_version"]:
                latest[key] = r
    kept = {k for k, r in latest.items() if r["_op"] == "upsert" and k[0] == 2}
    full = read(store.export(tmp_path / "full")["directory"])[1]["customer_phones"]
    assert kept == {(r["customer_id"], r["phone_hash"]) for r in full if r["customer_id"] == 2}
    assert len(kept) == len(store.sql("SELECT phone FROM customer_phones WHERE customer_id = 2"))


def test_the_fast_mobile_path_agrees_with_phonenumbers():
    import phonenumbers

    from crm.group.pseudonym import normal_phone
    from crm.sampledata.generate import Generator

    for customer in Generator(seed=3).customers(300):
        for number in filter(None, (customer["mobile"], customer.get("mobile2"))):
            e164 = phonenumbers.format_number(phonenumbers.parse(number, "CN"), phonenumbers.PhoneNumberFormat.E164)
            assert normal_phone(number) == normal_phone(f"+86 {number[:3]}-{number[3:7]} {number[7:]}") == e164
    assert normal_phone("010-6552 9988") == "+861065529988"  # not a mobile: phonenumbers
