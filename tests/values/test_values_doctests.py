"""The examples in the docstrings are part of the suite."""

import doctest
import importlib

import pytest

MODULES = [
    "crm.values",
    "crm.values.text",
    "crm.values.phone",
    "crm.values.vin",
    "crm.values.plate",
    "crm.values.dates",
    "crm.values.numbers",
    "crm.values.names",
    "crm.values.email",
    "crm.values.idcard",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
