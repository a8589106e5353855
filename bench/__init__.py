"""Benchmarks of newsflow: each script is run as `python bench/<script>.py` (bench/README.md)."""
