"""Benchmarks: every figure is printed as a ratio to a reference measured in the same run."""
