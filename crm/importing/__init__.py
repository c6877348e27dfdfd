"""Import and export of dealers' own files (客户档案 sheets, repair-order lists).

* :mod:`crm.importing.source`   — open a CSV/XLSX/XLS file as a table: encoding, header row,
  header aliases, ``--map``; yields ``(row number, cells)``.
* :mod:`crm.importing.columns`  — per-column normalisers (fast paths first, then the shared
  value rules of :mod:`crm.values`).
* :mod:`crm.importing.customers` — the combined customer + vehicle import (dedupe, never
  blank out, one transaction, hooks).
* :mod:`crm.importing.visits`   — the repair-order import.
* :mod:`crm.importing.report`   — reject report and summary.
* :mod:`crm.importing.export`   — ``crm customer export``.
* :mod:`crm.importing.writers`  — CSV/XLSX/JSON writers (0600, atomic, formula-safe).
* :mod:`crm.importing.adapters` — the seams to the archive's shared validation and hooks.
"""
