"""Import and export of dealers' own files (客户档案 sheets, repair-order lists).

* :mod:`crm.importing.source`   — open a CSV/XLSX/XLS file through the shared reader
  (:func:`crm.io.readers.read_table`), check ``--map``; yields ``(row number, {field: cell})``.
* :mod:`crm.importing.rowclean` — one row through the shared validation
  (:mod:`crm.archive.validate`), with memo and fast paths (:mod:`crm.importing.columns`).
* :mod:`crm.importing.customers` — the combined customer + vehicle import (dedupe, never
  blank out, one transaction, hooks).
* :mod:`crm.importing.visits`   — the repair-order import.
* :mod:`crm.importing.report`   — reject report and summary.
* :mod:`crm.importing.export`   — ``crm customer export``.
* :mod:`crm.importing.writers`  — the shared writers of :mod:`crm.io.writers` (0600, atomic, formula-safe).
* :mod:`crm.importing.adapters` — the seams to the archive's shared validation and hooks.
"""
