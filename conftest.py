"""Settings for every test and doctest, wherever pytest collects them."""

import torch

# Tiny models: one thread avoids thread start-up dominating, keeps timings
# steady, and avoids oversubscription slowdowns on a busy machine.
torch.set_num_threads(1)
