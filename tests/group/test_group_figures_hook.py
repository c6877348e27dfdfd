"""register_group_figures: a plugin's figures in the group report, per store and for the group
(counts summed, the rate computed again), ranked, in the monthly rows, on both engines."""

from __future__ import annotations

import pytest
from warehouse_helpers import write_export

from crm.api import GroupFigure, group_span_case, group_store_filter, hookimpl


class HelloPlugin:
    """A dealer's plugin as docs/plugins.md shows it: greetings sent, and how many were answered."""

    @hookimpl
    def register_group_figures(self, register):
        def count(warehouse, spans, now, store):
            if "hello_greetings" not in warehouse.tables():
                return {}
            case, cp, where, wp = group_span_case("created_at", spans)
            sf, sp = group_store_filter(store)
            rows = warehouse.execute(
                f"SELECT _store, {case}, count(*), sum(CASE WHEN answered = 1 THEN 1 ELSE 0 END)"
                f" FROM hello_greetings WHERE {where}{sf} GROUP BY 1, 2", cp + wp + sp)
            return {(st, span): {"sent": int(n), "answered": int(a)} for st, span, n, a in rows if span}

        def compute(c):
            c = c or {}
            sent = c.get("sent", 0)
            return {"hello.sent": sent,
                    "hello.answer_rate": round(100.0 * c.get("answered", 0) / sent, 1) if sent else None}

        register([GroupFigure("hello.sent", "问候数"), GroupFigure("hello.answer_rate", "问候回复率", "%", "up")],
                 count, compute)


def greeting(i, day, answered):
    return {"id": i, "created_at": f"2026-{day}T10:00:00", "answered": answered, "_version": i}


@pytest.fixture(params=["duckdb", "postgresql"])
def loaded(request, crm, tmp_path):
    crm.plugins = [HelloPlugin()]
    wh = str(tmp_path / "group.duckdb") if request.param == "duckdb" else request.getfixturevalue("pg_url")
    out = tmp_path / "exports"
    # S1: 1 of 1 answered (100 %); S2: 1 of 4 (25 %) this month and 2 greetings in October
    write_export(out, "S1", 0, 5, {"hello_greetings": (["id"], [greeting(1, "11-03", 1)])})
    write_export(out, "S2", 0, 9, {"hello_greetings": (["id"], [
        greeting(1, "11-02", 1), greeting(2, "11-04", 0), greeting(3, "11-05", 0), greeting(4, "11-06", 0),
        greeting(5, "10-06", 1), greeting(6, "10-07", 1)])})
    write_export(out, "S3", 0, 2, {"visits": (["id"], [  # a store without the plugin's table
        {"id": 1, "customer_id": 1, "date_in": "2026-11-02T09:00:00", "type": "maintenance", "_version": 2}])})
    crm("group", "load", out, "--warehouse", wh)
    return wh


def test_a_plugins_figures_per_store_and_for_the_group(crm, loaded):
    rows = {r["store"]: r for r in crm.json("group", "report", "kpi", "--warehouse", loaded)}
    assert (rows["S1"]["hello.sent"], rows["S1"]["hello.answer_rate"]) == (1, 100.0)
    assert (rows["S2"]["hello.sent"], rows["S2"]["hello.answer_rate"]) == (4, 25.0)
    assert (rows["S3"]["hello.sent"], rows["S3"]["hello.answer_rate"]) == (0, None)
    assert rows[None]["hello.sent"] == 5
    assert rows[None]["hello.answer_rate"] == 40.0  # 2 of 5, not the stores' average (62.5)
    monthly = [r for r in crm.json("group", "report", "monthly", "--warehouse", loaded) if r["key"] == "hello.sent"]
    assert {r["store"]: (r["value"], r["previous"]) for r in monthly} == {
        "S1": (1, 0), "S2": (4, 2), "S3": (0, 0), None: (5, 2)}
    assert monthly[0]["figure"] == "问候数"
    one = crm.json("group", "report", "kpi", "--warehouse", loaded, "--store", "S2")
    assert [(r["store"], r["hello.sent"]) for r in one] == [("S2", 4)]


def test_a_plugins_figure_ranks_the_stores_and_shows_in_the_table(crm, loaded):
    ranked = crm.json("group", "rank", "hello.answer_rate", "--warehouse", loaded)
    assert [(r["rank"], r["store"], r["value"]) for r in ranked] == [(1, "S1", 100.0), (2, "S2", 25.0),
                                                                       (None, "S3", None)]
    ranked_table = crm("group", "rank", "hello.answer_rate", "--warehouse", loaded).stdout.splitlines()
    assert ranked_table[2].split()[:4] == ["1", "S1", "问候回复率", "100.0%"]
    table = crm("group", "report", "kpi", "--warehouse", loaded).stdout
    line = next(x for x in table.splitlines() if x.startswith("问候回复率"))
    assert line.split()[1:] == ["100.0%", "25.0%", "—", "40.0%"]  # S1, S2, S3, 集团合计


def test_without_the_plugin_its_figures_are_not_known(crm, loaded):
    crm.plugins = []
    rows = crm.json("group", "report", "kpi", "--warehouse", loaded)
    assert all("hello.sent" not in r for r in rows)
    result = crm("group", "rank", "hello.sent", "--warehouse", loaded, expect=2)
    assert "KPI 'hello.sent'" in result.stderr
