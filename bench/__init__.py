"""`make bench`: throughput and latency of every hop against its physical limit (see run.py)."""
