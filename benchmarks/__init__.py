"""Benchmarks: speed and quality at archive sizes the dev data alone cannot reach."""
