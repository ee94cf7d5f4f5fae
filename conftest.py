"""Settings for every test and doctest, wherever pytest collects them."""

import matplotlib
import torch

matplotlib.use("agg")
# Tiny models: one thread avoids thread start-up dominating, keeps timings
# steady, and avoids oversubscription slowdowns on a busy machine.
torch.set_num_threads(1)

# The documentation's hand-written pages are collected for their doctests;
# the Sphinx configuration, extension and build outputs are not.
collect_ignore = ["docs/conf.py"]
collect_ignore_glob = [
    "docs/_build/*",
    "docs/_ext/*",
    "docs/auto_examples/*",
    "docs/generated/*",
]
