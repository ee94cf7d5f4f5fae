"""Tests of the input checks every estimator shares (sklearn_rnn._validation)."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from helpers import LABELS, TEXTS, TINY
from sklearn.feature_extraction.text import CountVectorizer

from sklearn_rnn import (
    CharRNNGenerator,
    HMMClassifier,
    RNNClassifier,
    RNNTagger,
    SequencePadder,
    VocabularyIndexer,
    WordVectors,
)
from sklearn_rnn._validation import check_documents, check_labels, check_sequences

torch.set_num_threads(1)

X_IDS = [[2, 3], [4, 5, 4], [2], [5, 4]] * 3
Y_IDS = [0, 1, 0, 1] * 3


# -- labels ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "y",
    [
        np.array([0.0, 1.0, np.inf]),
        np.array([0.0, -np.inf, 1.0]),
        np.array([0, np.inf, "a"], dtype=object),
    ],
    ids=["inf", "-inf", "object"],
)
def test_infinite_labels_are_rejected(y):
    with pytest.raises(ValueError, match=r"y holds 1 non-finite label\(s\)"):
        check_labels(y, 3)


def test_infinite_label_is_not_a_class():
    y = np.array(Y_IDS, dtype=float)
    y[5] = np.inf
    with pytest.raises(ValueError, match=r"non-finite label\(s\) \(inf\), at pos"):
        HMMClassifier().fit(X_IDS, y)


# -- shapes and containers -------------------------------------------------------------
def test_id_array_without_columns_is_reported_as_such():
    for estimator in (HMMClassifier(), RNNClassifier(**TINY)):
        with pytest.raises(ValueError, match=r"shape \(12, 0\): it has no columns"):
            estimator.fit(np.zeros((12, 0), dtype=np.int64), Y_IDS)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix
def test_numpy_matrix_is_read_as_an_array():
    padded = SequencePadder().fit_transform(X_IDS)
    assert [s.tolist() for s in check_sequences(np.matrix(padded), strip_pad=True)] == [
        s.tolist() for s in check_sequences(padded, strip_pad=True)
    ]
    clf = RNNClassifier(**TINY).fit(np.matrix(padded), Y_IDS)
    np.testing.assert_allclose(
        clf.predict_proba(np.matrix(padded)), clf.predict_proba(padded)
    )
    texts = np.matrix(np.array(TEXTS[:3])[:, None])
    assert check_documents(texts) == TEXTS[:3]


def test_sparse_input_is_not_token_ids():
    counts = CountVectorizer().fit_transform(TEXTS)
    for estimator in (HMMClassifier(), RNNClassifier(**TINY)):
        with pytest.raises(TypeError, match="Sparse input .* is not token ids") as err:
            estimator.fit(counts, LABELS)
        assert "VocabularyIndexer" in str(err.value)
        assert "make_bow_pipeline" in str(err.value)
    with pytest.raises(TypeError, match=r"Sparse input .* is not raw text: .*\(str\)"):
        VocabularyIndexer().fit(sp.csr_matrix(np.eye(3)))


@pytest.mark.parametrize(
    "X, match",
    [
        ([[2, 3], [4, 2**70]], r"Document 1 holds the id 1180591620717411303424 at "),
        (
            [[2, 3], np.array([4, 5, 2**64], dtype=object)],
            r"Document 1 holds the id 18446744073709551616 at position 2",
        ),
        (
            np.array([[2, 3], [4, 2**63 + 1]], dtype=np.uint64),
            r"document 1, position 1",
        ),
    ],
    ids=["python-int", "object-array", "uint64"],
)
def test_ids_too_large_for_int64_name_the_position(X, match):
    with pytest.raises(ValueError, match=match):
        HMMClassifier().fit(X, [0, 1])
    with pytest.raises(ValueError, match="too large for a token id"):
        check_sequences(X)


@pytest.mark.parametrize(
    "estimator",
    [
        RNNClassifier(**TINY),
        RNNClassifier(
            **dict(TINY, embedding_dim=None),
            vectors=WordVectors(["good", "film"], np.eye(2)),
        ),
        HMMClassifier(),
    ],
    ids=["rnn", "rnn-vectors", "hmm"],
)
def test_an_id_whose_table_cannot_fit_in_memory_is_named(estimator):
    # a valid int64, but the embedding / emission table up to it: terabytes
    X = [[2, 3], [4, 10**12], [2, 3], [4, 5]]
    match = r"Document 1 holds the token id 1,000,000,000,000: .* GiB, more than"
    with pytest.raises(ValueError, match=match):
        estimator.fit(X, [0, 1, 0, 1])


def test_the_memory_check_passes_where_the_platform_does_not_say(monkeypatch):
    import sklearn_rnn._validation as validation

    monkeypatch.setattr(validation, "_physical_memory", lambda: None)
    assert validation.id_table_size([np.array([3, 7])], 10**9, "table") == 8
    monkeypatch.setattr(validation, "_physical_memory", lambda: 8 * 10**9)
    assert validation.id_table_size([np.array([3, 7])], 10**9, "table") == 8
    with pytest.raises(ValueError, match="token id 8: ids index the rows of the t"):
        validation.id_table_size([np.array([3, 8])], 10**9, "table")


# -- nothing to train on ---------------------------------------------------------------
def test_fitting_on_empty_documents_is_an_error():
    empty = [[]] * 12
    for estimator in (HMMClassifier(), RNNClassifier(**TINY)):
        with pytest.raises(ValueError, match="documents hold no tokens: all 12"):
            estimator.fit(empty, Y_IDS)
    with pytest.raises(ValueError, match="documents hold no tokens"):
        RNNClassifier(**{**TINY, "early_stopping": True}).fit([[0, 0]] * 12, Y_IDS)
    with pytest.raises(ValueError, match="texts hold no tokens: all 4"):
        CharRNNGenerator(max_epochs=1, early_stopping=False).fit([""] * 4)
    with pytest.raises(ValueError, match="sentences hold no tokens"):
        RNNTagger(max_epochs=1, early_stopping=False).fit([[]] * 4, [[]] * 4)
