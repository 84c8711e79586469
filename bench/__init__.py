"""Benchmarks run by `make bench`; each prints JSON."""
