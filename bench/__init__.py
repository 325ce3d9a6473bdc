"""Benchmarks: reported by `make bench`, never asserted in tests."""
