"""Pretrained vectors in the indexer, the classifier and their pipelines."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from helpers import LABELS, TEXTS, TINY
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline

from sklearn_rnn import (
    RNNClassifier,
    RNNTagger,
    VocabularyIndexer,
    WordVectors,
    make_rnn_pipeline,
)

#: No embedding_dim: the vectors give it.
SMALL = {k: v for k, v in TINY.items() if k != "embedding_dim"}


def toy_vectors(dim: int = 4) -> WordVectors:
    """Vectors where "great" is "good" and "awful" is "bad"; "zebra" is far."""
    rng = np.random.default_rng(0)
    words = ["the", "good", "bad", "film", "great", "awful", "zebra", "a", "!"]
    matrix = rng.normal(size=(len(words), dim))
    matrix[words.index("great")] = matrix[words.index("good")]
    matrix[words.index("awful")] = matrix[words.index("bad")]
    return WordVectors(words, matrix)


def test_indexer_gives_vector_words_their_row_ids():
    wv = toy_vectors()
    indexer = VocabularyIndexer(vectors=wv, min_freq=2).fit(TEXTS)
    vocab = indexer.vocabulary_
    assert [vocab[w] for w in wv.words] == list(range(2, 2 + len(wv)))
    # training tokens without a vector follow, filtered by min_freq (all
    # occur 3 times or more here); vector words are in whatever their count
    extras = sorted(t for t in vocab if t not in wv and t not in ("<pad>", "<unk>"))
    assert min(vocab[t] for t in extras) == 2 + len(wv)
    assert "zebra" in vocab and "zebra" not in indexer.token_counts_
    assert indexer.transform(["great zebra xyz"])[0].tolist() == [
        2 + wv.index["great"],
        2 + wv.index["zebra"],
        1,
    ]
    names = indexer.get_feature_names_out()
    assert names[2 + wv.index["film"]] == "film" and len(names) == len(vocab)
    with pytest.raises(ValueError, match="either a fixed vocabulary or vectors"):
        VocabularyIndexer(vectors=wv, vocabulary=["a"]).fit(TEXTS)


def test_words_unseen_in_training_keep_their_vector():
    """ "great" never occurs in training; its vector is that of "good"."""
    wv = toy_vectors()
    pipe = make_rnn_pipeline(vectors=wv, freeze_embeddings=True, **SMALL)
    pipe.fit(TEXTS, LABELS)
    assert "great" not in pipe["indexer"].token_counts_
    np.testing.assert_allclose(
        pipe.predict_proba(["a great film !"]),
        pipe.predict_proba(["a good film !"]),
        rtol=1e-3,  # the unseen rows are stored in half precision
    )
    # without the vectors in the indexer, "great" is only <unk>
    plain = make_rnn_pipeline(freeze_embeddings=True, **SMALL).fit(TEXTS, LABELS)
    unk = plain["indexer"].transform(["a great film !"])[0]
    assert unk.tolist()[1] == 1


def test_embedding_is_initialised_from_the_vectors():
    wv = toy_vectors()
    pipe = make_rnn_pipeline(vectors=wv, freeze_embeddings=True, **SMALL)
    pipe.fit(TEXTS, LABELS)
    clf = pipe["classifier"]
    embedding = clf.net_.module_.encoder.embedding
    ids = pipe["indexer"].transform(["good film zebra"])[0]
    rows = torch.as_tensor(clf._rows.to_rows([ids])[0])
    vectors = embedding(rows[None])[0].detach().numpy()
    np.testing.assert_allclose(vectors, wv.vectors[[1, 3, 6]], rtol=1e-3)
    assert clf.net_.module_.encoder.rnn.input_size == wv.dim
    # coverage: of the training types, those with a vector
    tokens = {t for t in pipe["indexer"].token_counts_}
    assert clf.vectors_coverage_["types"] == pytest.approx(
        len(tokens & set(wv.words)) / len(tokens)
    )
    assert 0 < clf.vectors_coverage_["tokens"] < 1


def test_fine_tuning_moves_the_pretrained_rows_and_freezing_does_not():
    wv = toy_vectors()
    params = dict(SMALL, max_epochs=3, lr=0.05)
    for freeze in (False, True):
        pipe = make_rnn_pipeline(vectors=wv, freeze_embeddings=freeze, **params)
        pipe.fit(TEXTS, LABELS)
        embedding = pipe["classifier"].net_.module_.encoder.embedding
        ids = pipe["indexer"].transform(["good"])[0]
        row = int(pipe["classifier"]._rows.to_rows([ids])[0][0])
        moved = embedding(torch.tensor([[row]]))[0, 0].detach().numpy()
        assert np.allclose(moved, wv["good"]) == freeze
        assert embedding.learned.weight.requires_grad  # words without vectors


def test_embedding_lr_is_a_parameter_group():
    wv = toy_vectors()
    pipe = make_rnn_pipeline(vectors=wv, embedding_lr=1e-4, **SMALL)
    pipe.fit(TEXTS, LABELS)
    groups = pipe["classifier"].net_.optimizer_.param_groups
    assert sorted(g["lr"] for g in groups) == [1e-4, 1e-3]
    small = next(g for g in groups if g["lr"] == 1e-4)
    embedding = pipe["classifier"].net_.module_.encoder.embedding
    assert {id(p) for p in small["params"]} == {id(p) for p in embedding.parameters()}


def test_vectors_as_a_path_in_a_grid_search_align_per_fold(tmp_path):
    wv = toy_vectors()
    path = tmp_path / "tiny.txt"
    path.write_text(
        "".join(
            w + " " + " ".join(f"{v:.6f}" for v in row) + "\n"
            for w, row in zip(wv.words, wv.vectors)
        )
    )
    pipe = make_rnn_pipeline(vectors=str(path), **SMALL)
    search = GridSearchCV(pipe, {"classifier__hidden_size": [4, 8]}, cv=3)
    search.fit(TEXTS, LABELS)
    assert search.best_estimator_["classifier"].vectors_coverage_["types"] > 0
    scores = cross_validate(clone(pipe), TEXTS, LABELS, cv=3)["test_score"]
    assert np.isfinite(scores).all()
    again = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_allclose(
        again.predict_proba(TEXTS), search.best_estimator_.predict_proba(TEXTS)
    )


def test_the_pickle_holds_the_vectors_once(tmp_path):
    """5,000 words of 50 dims: 1 MB as float32. The fitted pipeline pickles
    the words once (indexer) and the vectors once (network, unseen rows in
    half precision)."""
    rng = np.random.default_rng(0)
    words = ["good", "bad", "film", "a", "!"] + [f"w{i}" for i in range(4995)]
    wv = WordVectors(words, rng.normal(size=(5000, 50)))
    path = tmp_path / "v.txt"
    path.write_text(
        "".join(
            w + " " + " ".join(f"{v:.4f}" for v in row) + "\n"
            for w, row in zip(wv.words, wv.vectors)
        )
    )
    pipe = make_rnn_pipeline(vectors=str(path), **SMALL).fit(TEXTS, LABELS)
    size = len(pickle.dumps(pipe))
    float32_size = wv.vectors.nbytes
    assert 0.5 * float32_size < size < 0.8 * float32_size, size


def test_bad_vectors_give_one_clear_error(tmp_path):
    wv = toy_vectors()
    with pytest.raises(FileNotFoundError, match="No word-vectors file"):
        make_rnn_pipeline(vectors=tmp_path / "none.txt", **SMALL).fit(TEXTS, LABELS)
    not_vectors = tmp_path / "data.csv"
    not_vectors.write_text("text,label\nhello,1\n")
    with pytest.raises(ValueError, match="Is this a word-vectors file"):
        make_rnn_pipeline(vectors=not_vectors, **SMALL).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match="embedding_dim=8 clashes"):
        make_rnn_pipeline(vectors=wv, **TINY).fit(TEXTS, LABELS)
    # the classic slip: vectors for the classifier, none for the indexer
    pipe = make_pipeline(VocabularyIndexer(), RNNClassifier(vectors=wv, **SMALL))
    with pytest.raises(ValueError, match="look like those of a VocabularyIndexer"):
        pipe.fit(TEXTS, LABELS)
    # ids that are all beyond the vectors: none of the tokens has one
    with pytest.raises(ValueError, match="None of the 2 distinct training tokens"):
        RNNClassifier(vectors=wv, **SMALL).fit([[20, 21], [21]], [0, 1])
    with pytest.raises(ValueError, match="either vectors or an embeddings matrix"):
        RNNClassifier(vectors=wv, embeddings=np.ones((3, 4)), **SMALL).fit(
            [[2, 3], [3]], [0, 1]
        )


def test_low_coverage_warns():
    wv = WordVectors(["good", "film"], np.eye(2))
    pipe = make_rnn_pipeline(vectors=wv, **SMALL)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipe.fit(TEXTS, LABELS)
    messages = [str(w.message) for w in caught]
    assert any("of the training tokens have a pretrained vector" in m for m in messages)


def test_tagger_reads_unseen_words_with_their_vector():
    wv = toy_vectors()
    X = [["the", "good", "film"], ["a", "bad", "film", "!"]] * 6
    y = [["DET", "ADJ", "NOUN"], ["DET", "ADJ", "NOUN", "PUNCT"]] * 6
    tagger = RNNTagger(
        vectors=wv,
        freeze_embeddings=True,
        char_features=False,
        word_dropout=0,
        hidden_size=8,
        max_epochs=3,
        early_stopping=False,
        random_state=0,
    ).fit(X, y)
    assert tagger.net_.module_.encoder.rnn.input_size == wv.dim
    assert 0 < tagger.vectors_coverage_["types"] <= 1
    unseen, seen = tagger.predict_proba([["a", "great", "film"], ["a", "good", "film"]])
    np.testing.assert_allclose(unseen, seen, rtol=1e-3)
    with_chars = RNNTagger(
        vectors=wv, hidden_size=8, max_epochs=2, early_stopping=False, random_state=0
    ).fit(X, y)
    assert with_chars.predict([["a", "great", "film"]])[0].shape == (3,)


def test_auto_embedding_lr_is_three_times_lr_with_vectors_only():
    with_vectors = make_rnn_pipeline(vectors=toy_vectors(), **SMALL).fit(TEXTS, LABELS)
    groups = with_vectors["classifier"].net_.optimizer_.param_groups
    assert sorted(g["lr"] for g in groups) == pytest.approx([1e-3, 3e-3])
    plain = make_rnn_pipeline(**SMALL).fit(TEXTS, LABELS)
    assert [g["lr"] for g in plain["classifier"].net_.optimizer_.param_groups] == [1e-3]
