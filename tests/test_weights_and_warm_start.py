"""RNNClassifier: sample weights (with metadata routing) and warm starts."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from helpers import LABELS, TEXTS, TINY
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from skorch.callbacks import EpochScoring

from sklearn_rnn import (
    RNNClassifier,
    SequencePadder,
    VocabularyIndexer,
    make_rnn_pipeline,
)
from sklearn_rnn._data import SequenceDataset
from sklearn_rnn._training import mean_loss

LEARN = dict(TINY, max_epochs=8, lr=0.02)
NEG_IGNORED = np.array([0.0 if label == "neg" else 1.0 for label in LABELS])


def test_zero_weight_on_a_class_leaves_it_out():
    weighted = make_rnn_pipeline(**LEARN).fit(
        TEXTS, LABELS, classifier__sample_weight=NEG_IGNORED
    )
    plain = make_rnn_pipeline(**LEARN).fit(TEXTS, LABELS)
    assert (weighted.predict(TEXTS) == "pos").all()
    assert plain.score(TEXTS, LABELS) > 0.9


def test_a_weight_of_two_counts_a_document_twice():
    clf = RNNClassifier(**TINY).fit([[2, 3], [3, 4], [4, 2]], ["a", "b", "a"])
    seqs, y = [np.array([2, 3]), np.array([3, 4])], np.array([0, 1])
    weighted = SequenceDataset(seqs, y, np.array([4 / 3, 2 / 3], dtype=np.float32))
    repeated = SequenceDataset([seqs[0], seqs[0], seqs[1]], np.array([0, 0, 1]))
    assert mean_loss(clf.net_, weighted) == pytest.approx(
        mean_loss(clf.net_, repeated), rel=1e-5
    )


def test_sample_weight_is_routed_through_a_grid_search():
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_rnn_pipeline(**LEARN)
        pipe["classifier"].set_fit_request(sample_weight=True)
        pipe["classifier"].set_score_request(sample_weight=True)
        search = GridSearchCV(pipe, {"classifier__hidden_size": [8]}, cv=2)
        search.fit(TEXTS, LABELS, sample_weight=NEG_IGNORED)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert (search.predict(TEXTS) == "pos").all()


@pytest.mark.parametrize(
    "weights, match",
    [
        (np.ones(3), "inconsistent numbers of samples|shape"),
        (-NEG_IGNORED, "Negative values"),
        (np.zeros(len(LABELS)), "at least one non-zero"),
    ],
)
def test_bad_sample_weights(weights, match):
    X = VocabularyIndexer().fit_transform(TEXTS)
    with pytest.raises(ValueError, match=match):
        RNNClassifier(**TINY).fit(X, LABELS, sample_weight=weights)


def test_warm_start_follows_the_new_training_parameters():
    X = VocabularyIndexer().fit_transform(TEXTS)
    clf = RNNClassifier(**dict(TINY, warm_start=True, lr=0.01)).fit(X, LABELS)
    assert clf.n_epochs_ == 2
    clf.set_params(max_epochs=5, lr=0.05, batch_size=4).fit(X, LABELS)
    assert clf.n_epochs_ == 7
    assert [g["lr"] for g in clf.net_.optimizer_.param_groups] == [0.05]
    sizes = clf.history_[-1, "batches", :, "train_batch_size"]
    assert max(sizes) == 4


def test_a_warm_start_that_diverges_keeps_the_fitted_network():
    X = VocabularyIndexer().fit_transform(TEXTS)
    clf = RNNClassifier(**dict(TINY, warm_start=True, optimizer="sgd", lr=0.1))
    clf.fit(X, LABELS)
    proba = clf.predict_proba(X)
    epochs = clf.n_epochs_
    with pytest.raises(ValueError, match="training diverged"):
        clf.set_params(lr=1e38).fit(X, LABELS)
    assert np.isfinite(clf.predict_proba(X)).all()
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    assert clf.n_epochs_ == epochs
    # and it trains on from there once the rate is sane again
    clf.set_params(lr=0.1).fit(X, LABELS)
    assert clf.n_epochs_ == 2 * epochs


def test_a_warm_start_with_an_unpicklable_callback_still_goes_back():
    X = VocabularyIndexer().fit_transform(TEXTS)
    scoring = EpochScoring(lambda net, X, y: 0.5, name="half", on_train=True)
    clf = RNNClassifier(
        **dict(TINY, warm_start=True, optimizer="sgd", lr=0.1), callbacks=[scoring]
    ).fit(X, LABELS)
    clf.fit(X, LABELS)  # it trains on
    assert clf.n_epochs_ == 4 and clf.history_[-1, "half"] == 0.5
    proba = clf.predict_proba(X)
    with pytest.raises(ValueError, match="training diverged"):
        clf.set_params(lr=1e38).fit(X, LABELS)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    assert clf.n_epochs_ == 4


def test_a_warm_start_refuses_renumbered_ids_in_a_pipeline():
    other = ["the weather is sweet", "the sun is shining", "what a day"] * 4
    labels = ["pos", "neg", "pos"] * 4
    pipe = make_pipeline(
        VocabularyIndexer(),
        SequencePadder(),
        RNNClassifier(**dict(TINY, warm_start=True)),
    ).fit(TEXTS, LABELS)
    pipe.fit(TEXTS, LABELS)  # the same documents: the same ids
    with pytest.raises(ValueError, match="token ids were renumbered"):
        pipe.fit(other, labels)


def test_a_warm_indexer_keeps_its_ids():
    other = ["the weather is sweet", "a good weather", "what a day"] * 4
    labels = ["pos", "neg", "pos"] * 4
    pipe = make_rnn_pipeline(**dict(TINY, warm_start=True)).fit(TEXTS, LABELS)
    indexer = pipe["indexer"]
    assert indexer.warm_start
    before = dict(indexer.vocabulary_)
    pipe.fit(other, labels)
    after = indexer.vocabulary_
    assert all(after[token] == i for token, i in before.items())
    assert after["weather"] >= len(before)
    assert pipe["classifier"].n_epochs_ == 4
