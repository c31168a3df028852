"""Benchmarks of specgen against openapi-python-client, run as `python -m bench` (make bench)."""
