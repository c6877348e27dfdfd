"""Deterministic generator of realistic data for a Chinese BMW dealer (4S shop).

Used by the demo, the tests and the benchmarks::

    from crm.sampledata import Generator
    g = Generator(seed=1)
    for customer, vehicles in g.records(1000):
        ...

Files in the shape of dealers' real exports come from :mod:`crm.sampledata.files`
(``write_customers_csv``, ``write_customers_xlsx``, ``write_visits_csv``) and from
the command line: ``python -m crm.sampledata customers --rows 100000 --out x.csv``.
See docs/sample-data.md.
"""

from .generate import BLOCK, Generator
from .vehicles import is_valid_vin, vin_check_digit

__all__ = ["BLOCK", "Generator", "is_valid_vin", "vin_check_digit"]
