"""pytest configuration for the doctests of the documentation pages.

Run them with ``pytest --doctest-glob="*.rst" docs``. Only the hand-written
pages are collected, not the Sphinx configuration, the extension or the
build outputs (which hold copies of the gallery examples).
"""

import matplotlib
import torch

matplotlib.use("agg")
# Tiny models: one thread is as fast and keeps results and timings steady.
torch.set_num_threads(1)

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*", "_ext/*", "auto_examples/*", "generated/*"]
