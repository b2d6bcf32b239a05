"""Plenária benchmarks: fan-out, vote bursts and moderation throughput (see benchmarks/README.md)."""
