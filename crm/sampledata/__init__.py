"""Deterministic realistic dealer data (see docs/sample-data.md)."""
