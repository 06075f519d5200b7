"""Pipeline benchmarks: each stage of the real pipeline measured in its own child process.

``tandem bench --scale small`` (``make bench``) runs the harness (:mod:`bench.run`): stages come
from a registry (:mod:`bench.stages`), side-by-side comparisons from another (:mod:`bench.ratios`),
results go to ``bench/results/<scale>-<timestamp>.json`` and the report to ``docs/BENCHMARKS.md``
(:mod:`bench.report`).
"""
