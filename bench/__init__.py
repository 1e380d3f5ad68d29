"""`make bench`: performance figures for the B12 bot (see bench/run_bench.py)."""
