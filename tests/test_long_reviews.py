"""The token budget bounds memory, not what a training step learns from.

Issue 21: with ``max_batch_tokens=16384`` long reviews travelled in batches
of 1 to 63 documents, each a full optimizer step (221 steps an epoch on
``imdb_reviews`` instead of 156), and the default LSTM scored 0.839 / 0.835
(seeds 0 / 1) against 0.860 / 0.838 without the budget on a split of those
reviews (``benchmarks/study_long_reviews.py``). A batch above the budget is
now run in pieces within it whose gradients add up to the batch's, so the
budget changes the memory of a step and not the training.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import TINY

from sklearn_rnn import RNNClassifier

BUDGET = 60


def documents(n=96, seed=0):
    """Documents of 1 to 40 tokens whose label is whether token 3 is in them,
    and weights for them."""
    rng = np.random.default_rng(seed)
    X = [rng.integers(2, 30, rng.integers(1, 41)) for _ in range(n)]
    y = np.array([int((x == 3).any()) for x in X])
    return X, y, rng.uniform(0.5, 2.0, n)


def fitted(max_batch_tokens, fit_params=None, **params):
    """The classifier fitted without dropout, and the shape of the tokens of
    every forward pass of its training."""
    X, y, _ = documents()
    clf = RNNClassifier(
        **{**TINY, "batch_size": 16, "dropout": 0.0, **params},
        max_batch_tokens=max_batch_tokens,
    )

    def record(module, args):
        if isinstance(module, torch.nn.Embedding):
            shapes.append(tuple(args[0].shape))

    shapes = []
    with torch.nn.modules.module.register_module_forward_pre_hook(record):
        clf.fit(X, y, **(fit_params or {}))
    return clf, shapes


@pytest.mark.parametrize("case", ["plain", "class_weight", "sample_weight"])
def test_budget_changes_the_memory_of_a_step_not_the_training(case):
    params = {"class_weight": {"class_weight": "balanced"}}.get(case, {})
    if case == "sample_weight":
        params["fit_params"] = {"sample_weight": documents()[2]}
    free, free_shapes = fitted(None, **params)
    bounded, shapes = fitted(BUDGET, **params)
    assert max(b * t for b, t in free_shapes) > BUDGET  # the budget binds
    assert max(b * t for b, t in shapes) <= BUDGET
    np.testing.assert_allclose(
        bounded.history_[:, "train_loss"], free.history_[:, "train_loss"], rtol=1e-5
    )
    weights = free.net_.module_.state_dict()
    for name, value in bounded.net_.module_.state_dict().items():
        np.testing.assert_allclose(
            value.numpy(), weights[name].numpy(), atol=1e-6, err_msg=name
        )


def test_training_batches_keep_batch_size_documents():
    X, _, _ = documents()
    clf, _ = fitted(BUDGET)
    sizes = [b["train_batch_size"] for b in clf.history_[0, "batches"]]
    assert sizes == [16] * (len(X) // 16)
