"""Where: a listing's WHERE clause from the options given (crm/archive/where.py), on a real table."""

import doctest
import sqlite3

import crm.archive.where
from crm.api import Where


def test_docstring_examples():
    assert doctest.testmod(crm.archive.where).failed == 0


def test_options_left_out_do_not_narrow_and_values_travel_as_parameters():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER, owner TEXT, state TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [(1, "li", "open"), (2, "wang", "done"), (3, "li", "done")])

    def ids(w):
        return [r[0] for r in conn.execute("SELECT id FROM t" + w.sql() + " ORDER BY id", w.params)]

    assert ids(Where().equal("owner", None).equal("state", "")) == [1, 2, 3]
    assert ids(Where().equal("owner", "li")) == [1, 3]
    assert ids(Where().equal("owner", "li").among("state", ["done"])) == [3]
    assert ids(Where().among("id", [])) == []
    assert ids(Where().equal("owner", "x' OR '1'='1")) == []  # a value is a parameter, never SQL
