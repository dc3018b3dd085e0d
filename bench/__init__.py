"""Benchmarks that print CX Suite's performance figures (`make bench`, i.e. `python bench/run.py`).

Every bench runs against a database of its own, `cxsuite_bench`, so the demo's data is never
touched; `bench.common` creates and bootstraps it before Django is set up.
"""
