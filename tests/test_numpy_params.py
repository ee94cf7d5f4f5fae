"""Hyperparameters given as numpy numbers behave as the Python numbers.

scipy's distributions, ``np.logspace`` and ``np.arange`` grids hand
parameters over as numpy scalars. Every estimator must validate them as
today and give torch, skorch and its own saved states plain Python numbers,
so that (among others) the weights parked on disk during a refit load back
with ``torch.load(weights_only=True)``.
"""

import numbers
import pickle

import numpy as np
import pytest
from helpers import LABELS, TEXTS
from scipy.stats import loguniform, randint
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from test_common import all_estimators

from sklearn_rnn import VocabularyIndexer, make_rnn_pipeline
from sklearn_rnn.datasets import make_order_sentiment

SENTENCES = [["the", "dog", "runs"], ["i", "run", "."], ["a", "cat", "sleeps"]] * 6
TAGS = [["DET", "NOUN", "VERB"], ["PRON", "VERB", "PUNCT"], ["DET", "NOUN", "VERB"]] * 6
IDS = VocabularyIndexer().fit_transform(TEXTS)

#: How to fit each estimator, and the parameters that take the paths where
#: numpy numbers used to break (early stopping, the refit, a token budget).
FIT_DATA = {
    "VocabularyIndexer": lambda: ((TEXTS,), {"min_freq": 1, "max_size": 50}),
    "SequencePadder": lambda: ((IDS,), {"max_len": 6}),
    "RNNClassifier": lambda: ((IDS, LABELS), {}),
    "LSTMClassifier": lambda: ((IDS, LABELS), {}),
    "GRUClassifier": lambda: ((IDS, LABELS), {}),
    "HMMClassifier": lambda: ((IDS, LABELS), {"n_states": 2, "n_iter": 3, "tol": 10.0}),
    "RNNTagger": lambda: ((SENTENCES, TAGS), {"char_filters": 4}),
    "HMMTagger": lambda: ((SENTENCES, TAGS), {}),
    "CharRNNGenerator": lambda: ((TEXTS,), {"bptt_steps": 5}),
    "RNNLanguageModel": lambda: ((TEXTS,), {"bptt_steps": 5, "min_freq": 1}),
    "RNNSeq2Seq": lambda: ((SENTENCES, TAGS), {"beam_size": 2}),
}

#: Small networks through the refit-restore path, as Python numbers.
NETWORK = {
    "embedding_dim": 8,
    "hidden_size": 8,
    "max_epochs": 2,
    "batch_size": 8,
    "early_stopping": True,
    "validation_fraction": 0.25,
    "refit": True,
    "lr": 0.01,
    "weight_decay": 1e-4,
    "clip_grad_norm": 5.0,
    "max_batch_tokens": 4096,
    "random_state": 0,
}


def _numpy(value, flip: bool):
    """The numpy twin of a Python number (float32 or float64 by ``flip``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return value
    if isinstance(value, numbers.Integral):
        return np.int64(value)
    return np.float32(value) if flip else np.float64(value)


def _python_and_numpy(Estimator):
    args, extra = FIT_DATA[Estimator.__name__]()
    names = Estimator().get_params(deep=False)
    params = {k: v for k, v in {**NETWORK, **extra}.items() if k in names}
    plain = Estimator(**params)
    # Every numeric parameter, the defaults too, as a numpy number.
    given = plain.get_params().items()
    twin = {k: _numpy(v, i % 2 == 0) for i, (k, v) in enumerate(given)}
    return args, plain, Estimator(**twin)


def _outputs(estimator, args):
    if hasattr(estimator, "predict"):
        return estimator.predict(args[0])
    if hasattr(estimator, "transform"):
        return estimator.transform(args[0])
    return estimator.score(args[0])


def test_every_estimator_has_fit_data():
    assert {cls.__name__ for cls in all_estimators()} <= set(FIT_DATA)


@pytest.mark.parametrize("Estimator", all_estimators(), ids=lambda c: c.__name__)
def test_numpy_numbers_fit_as_python_numbers(Estimator):
    args, plain, twin = _python_and_numpy(Estimator)
    numpy_params = {
        k: v for k, v in twin.get_params().items() if isinstance(v, np.generic)
    }
    assert numpy_params, "the test must give some numpy numbers"
    reference = _outputs(plain.fit(*args), args)
    outputs = _outputs(twin.fit(*args), args)
    # The parameters stay exactly as given (sklearn's clone and search rely on it).
    assert {k: twin.get_params()[k] for k in numpy_params} == numpy_params
    assert all(type(twin.get_params()[k]) is type(v) for k, v in numpy_params.items())
    if isinstance(reference, np.ndarray) or isinstance(reference, list):
        assert [np.asarray(a).tolist() for a in outputs] == [
            np.asarray(a).tolist() for a in reference
        ]
    else:
        assert outputs == pytest.approx(reference)
    # ... and the fitted estimator pickles and predicts on.
    again = pickle.loads(pickle.dumps(twin))
    if not isinstance(reference, float):
        assert [np.asarray(a).tolist() for a in _outputs(again, args)] == [
            np.asarray(a).tolist() for a in reference
        ]


@pytest.mark.filterwarnings("ignore::sklearn_rnn._training.RefitWarning")
@pytest.mark.parametrize(
    "numpy_params",
    [
        {"lr": np.float64(0.01)},
        {"lr": np.float32(0.01)},
        {"weight_decay": np.float64(1e-4)},
        {"hidden_size": np.int64(8), "embedding_dim": np.int64(8)},
    ],
    ids=["lr-float64", "lr-float32", "weight_decay", "sizes"],
)
def test_refit_restores_parked_weights_with_numpy_params(numpy_params):
    """The issue's reproduction: the refit puts back the early-stopped net
    (whose optimizer state held the numpy learning rate)."""
    texts, labels = make_order_sentiment(n_samples=200, random_state=0)
    params = dict(embedding_dim=8, hidden_size=8, max_epochs=2, random_state=0)
    plain = {k: v.item() for k, v in numpy_params.items()}
    reference = make_rnn_pipeline(**{**params, **plain}).fit(texts, labels)
    pipe = make_rnn_pipeline(**{**params, **numpy_params}).fit(texts, labels)
    assert not pipe[-1].refitted_  # the parked network was put back
    np.testing.assert_array_equal(pipe.predict(texts), reference.predict(texts))
    np.testing.assert_array_equal(
        pipe.predict_proba(texts), reference.predict_proba(texts)
    )


@pytest.mark.filterwarnings("ignore::sklearn_rnn._training.RefitWarning")
def test_randomized_search_over_distributions_in_two_processes():
    texts, labels = make_order_sentiment(n_samples=120, random_state=0)
    pipe = make_rnn_pipeline(embedding_dim=8, max_epochs=2, random_state=0)
    search = RandomizedSearchCV(
        pipe,
        {
            "classifier__hidden_size": randint(4, 12),
            "classifier__lr": loguniform(1e-3, 1e-1),
            "classifier__weight_decay": loguniform(1e-6, 1e-3),
        },
        n_iter=2,
        cv=2,
        n_jobs=2,
        random_state=0,
        error_score="raise",
    )
    search.fit(texts, labels)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


@pytest.mark.filterwarnings("ignore::sklearn_rnn._training.RefitWarning")
def test_grid_search_over_logspace_learning_rates():
    texts, labels = make_order_sentiment(n_samples=120, random_state=0)
    pipe = make_rnn_pipeline(
        embedding_dim=8, hidden_size=8, max_epochs=2, random_state=0
    )
    grid = {"classifier__lr": np.logspace(-4, -2, 3)}
    search = GridSearchCV(pipe, grid, cv=2, error_score="raise").fit(texts, labels)
    assert len(search.cv_results_["params"]) == 3
    assert clone(search.best_estimator_).get_params()["classifier__lr"] in grid[
        "classifier__lr"
    ]
