"""``staircase bench``: the project measured against the raw-sqlite3 floor (PRODUCT.md §8).

It drives every other layer (it builds a synthetic municipality in the
project's own schema and runs the real commands as whole processes), so it
sits at the top of the layers beside the demo; nothing imports it but the
command line and ``benchmarks/run.py``.
"""
