"""The examples in the docstrings are part of the suite."""

import doctest
import importlib

import pytest

MODULES = [
    "crm.io",
    "crm.io.aliases",
    "crm.io.sniff",
    "crm.io.readers",
    "crm.io.writers",
    "crm.io.normalize",
    "crm.io.footer",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
