"""Benchmarks: ``python -m benchmarks`` measures, compares and prints a table.

Not part of the test suite's pass/fail; see README.md ("Benchmarks")."""
