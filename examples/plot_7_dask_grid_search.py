"""
=======================================
Scaling a grid search out with Dask
=======================================

A grid search is many independent fits. On one machine
``GridSearchCV(n_jobs=k)`` runs them in ``k`` processes; to spread them over
several machines, joblib can hand them to a `Dask <https://www.dask.org>`_
cluster instead. Nothing in the estimators changes: the pipelines are
pickled, sent to the workers, fitted there, and the results come back.

This needs the ``dask`` extra: ``pip install "sklearn-rnn[dask]"``.
"""

# %%
# A cluster
# ---------
# Here the "cluster" is a :class:`~distributed.LocalCluster` on this machine,
# with two workers of one thread each, so the example runs anywhere. On a real
# cluster, start a scheduler (``dask scheduler``) and workers
# (``dask worker tcp://SCHEDULER:8786 --nthreads 1`` on each machine, with
# sklearn_rnn installed), then connect with ``Client("tcp://SCHEDULER:8786")``
# instead; the rest of this example stays the same. One thread per worker
# process, and one process per core, keeps PyTorch from oversubscribing the
# cores: Dask workers started by a nanny already set ``OMP_NUM_THREADS=1``.
import time

import pandas as pd
from distributed import Client, LocalCluster
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV

from sklearn_rnn import make_rnn_pipeline
from sklearn_rnn.datasets import make_order_sentiment

cluster = LocalCluster(
    n_workers=2,
    threads_per_worker=1,
    processes=False,  # in-process workers: the simplest to run in a docs build
    dashboard_address=None,
)
client = Client(cluster)
print(client)

# %%
# The same grid search, run by the cluster
# ----------------------------------------
# ``parallel_backend("dask")`` routes the fits of ``GridSearchCV(n_jobs=-1)``
# to the cluster's workers.
texts, labels = make_order_sentiment(400, random_state=0)
pipe = make_rnn_pipeline(
    embedding_dim=16,
    lr=1e-2,
    batch_size=32,
    max_epochs=10,
    early_stopping=False,
    random_state=0,
)
grid = {"classifier__cell": ["lstm", "gru"], "classifier__hidden_size": [8, 16]}

start = time.perf_counter()
with parallel_backend("dask"):
    search = GridSearchCV(pipe, grid, cv=3, n_jobs=-1).fit(texts, labels)
print(
    f"{len(search.cv_results_['params']) * 3} fits in "
    f"{time.perf_counter() - start:.1f} s on {len(client.nthreads())} workers"
)

results = pd.DataFrame(search.cv_results_)
print(
    results[
        ["param_classifier__cell", "param_classifier__hidden_size", "mean_test_score"]
    ].round(3)
)

# %%
# The fitted search is an ordinary local object: the best pipeline was
# refitted on all the data and predicts here, without the cluster.
client.close()
cluster.close()
print(search.best_params_)
print(search.predict(["the movie my friend has not seen is good"]))
