"""Importing and exporting the archive as dealers' real files look."""
