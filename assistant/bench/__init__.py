"""`assistant bench`: speed and memory as ratios against baselines timed in the same run."""

from assistant.bench.runner import run_bench

__all__ = ["run_bench"]
