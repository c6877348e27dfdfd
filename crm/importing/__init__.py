"""Import and export of dealers' own files (客户档案 sheets, repair-order lists).

* :mod:`crm.importing.source`   — open a CSV/XLSX/XLS file through the shared reader
  (:func:`crm.io.readers.read_table`), check ``--map``; yields ``(row number, {field: cell})``.
* :mod:`crm.importing.rowclean` — one row through the shared validation
  (:mod:`crm.archive.validate`), with memo and stored-form fast paths.
* :mod:`crm.importing.customers` — the combined customer + vehicle import (dedupe, never
  blank out, one transaction, hooks).
* :mod:`crm.importing.visits`   — the repair-order import.
* :mod:`crm.importing.report`   — reject report and summary.
* :mod:`crm.importing.export`   — ``crm customer export``.
* :mod:`crm.importing.writers`  — the shared writers of :mod:`crm.io.writers` (0600, atomic, formula-safe).
* :mod:`crm.importing.hooks`    — the lifecycle hooks an import fires (only when a plugin listens).

The importer writes no core table itself: new and changed rows go through the archive
(:mod:`crm.archive.bulk`, :func:`crm.archive.customers.apply_update`).
"""
