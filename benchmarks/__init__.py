"""Throughput measurements; run them as modules, e.g. `python -m benchmarks.updates`."""
