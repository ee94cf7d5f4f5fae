"""Grid searches in parallel: joblib processes and a Dask cluster."""

import numpy as np
import pytest
from helpers import TINY
from joblib import Parallel, delayed, parallel_backend
from sklearn.model_selection import GridSearchCV

from sklearn_rnn import make_rnn_pipeline

TEXTS = [
    "good movie",
    "bad movie",
    "great film",
    "awful film",
    "not bad",
    "not good",
] * 6
LABELS = ["pos", "neg", "pos", "neg", "pos", "neg"] * 6


def _torch_threads(_):
    import torch

    return torch.get_num_threads()


def test_joblib_workers_do_not_oversubscribe_cores():
    # joblib's process workers cap the threads of each worker so that
    # n_jobs workers share the cores instead of each taking all of them.
    import os

    n_jobs = 2
    threads = Parallel(n_jobs=n_jobs)(delayed(_torch_threads)(i) for i in range(n_jobs))
    assert all(t <= max(1, (os.cpu_count() or 1) // n_jobs) for t in threads)


def test_grid_search_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed")
    grid = {"classifier__cell": ["lstm", "gru"], "padder__padding": ["pre", "post"]}
    expected = GridSearchCV(make_rnn_pipeline(**TINY), grid, cv=2).fit(TEXTS, LABELS)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with parallel_backend("dask"):
            search = GridSearchCV(make_rnn_pipeline(**TINY), grid, cv=2, n_jobs=-1)
            search.fit(TEXTS, LABELS)
        threads = client.run(_torch_threads, 0)
    assert len(threads) == 2 and all(t == 1 for t in threads.values())
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], expected.cv_results_["mean_test_score"]
    )
    assert search.best_params_ == expected.best_params_
