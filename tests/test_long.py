"""Long documents and large models: length caps, token budgets, bounded memory.

Small versions of the cases of issue 15 (a 50k-token document among short
ones, a large embedding), asserting the shapes and allocations, not times.
"""

from __future__ import annotations

import tempfile
import tracemalloc

import numpy as np
import pytest
import torch
from helpers import TINY
from skorch.callbacks import Callback

from sklearn_rnn import (
    CharRNNGenerator,
    RNNClassifier,
    RNNTagger,
    SequencePadder,
    TruncationWarning,
)
from sklearn_rnn import _resources as resources
from sklearn_rnn._data import (
    LengthBucketSampler,
    SequenceDataset,
    cut_batches,
    join_pieces,
    make_loader,
    split_long,
)

LONG = 50_000


def short_and_long(n_short=300, long=LONG, seed=0):
    """``n_short`` documents of 1-20 tokens and one of ``long`` tokens."""
    rng = np.random.default_rng(seed)
    X = [rng.integers(2, 50, rng.integers(1, 21)) for _ in range(n_short)]
    X.insert(n_short // 2, rng.integers(2, 50, long))
    y = np.array(["a", "b"] * (len(X) // 2) + ["a"] * (len(X) % 2))
    return X, y


class BatchShapes(Callback):
    """Record the shape of every batch's token tensor."""

    def on_train_begin(self, net, **kwargs):
        self.shapes_ = []

    def on_batch_begin(self, net, batch=None, **kwargs):
        self.shapes_.append(tuple(batch[0]["tokens"].shape))


# -- SequencePadder's default cap ---------------------------------------------------
def test_padder_default_caps_an_outlier_and_says_so():
    X, _ = short_and_long()
    padder = SequencePadder()
    tracemalloc.start()
    with pytest.warns(TruncationWarning, match=f"1 of 301 .* {LONG} tokens"):
        out = padder.fit_transform(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert padder.max_len_ == 256  # 4 x the 99th percentile (20), at least 256
    assert out.shape == (301, 256)
    assert peak < 5 * 2**20  # the uncapped output alone would be 120 MB
    long_row = out[150]
    np.testing.assert_array_equal(long_row, X[150][:256])
    assert padder.transform([[3, 4]]).shape == (1, 256)


def test_padder_truncating_pre_keeps_the_end_and_warns_at_transform():
    X, _ = short_and_long()
    with pytest.warns(TruncationWarning, match="will be truncated .* last 256"):
        padder = SequencePadder(truncating="pre").fit(X)
    with pytest.warns(TruncationWarning, match="were truncated to their last 256"):
        out = padder.transform(X[149:152])
    np.testing.assert_array_equal(out[1], X[150][-256:])


def test_padder_default_unchanged_without_outliers():
    seqs = [np.arange(1, n + 1) for n in range(1, 301)]  # no outlier: cap 4 x 297
    assert SequencePadder().fit(seqs).max_len_ == 300
    assert SequencePadder().fit([[5, 2, 7], [3]]).max_len_ == 3


def test_padder_names_the_longest_training_document_when_the_cap_did_not_cut():
    padder = SequencePadder().fit([[2] * 10, [3] * 20])
    match = r"longer than 20 tokens .* 20 tokens is the longest training document"
    with pytest.warns(TruncationWarning, match=match) as caught:
        assert padder.transform([[2] * 30]).shape == (1, 20)
    assert "caps the length" not in str(caught[0].message)


def test_padder_small_sample_ignores_its_single_outlier():
    seqs = [[2] * 10] * 19 + [[2] * 10_000]
    with pytest.warns(TruncationWarning):
        assert SequencePadder().fit(seqs).max_len_ == 256


@pytest.mark.parametrize("max_len", [5, 0.5, 1.0])
def test_padder_cap_set_by_the_user_is_silent(max_len, recwarn):
    X, _ = short_and_long(long=1000)
    SequencePadder(max_len=max_len).fit_transform(X)
    assert not recwarn.list


# -- token-budget batches -----------------------------------------------------------
def test_cut_batches_respects_both_bounds():
    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 300, 500)
    lengths[7] = 5000
    batches = cut_batches(np.argsort(lengths), lengths, 16, max_tokens=1024)
    assert sorted(np.concatenate(batches).tolist()) == list(range(500))
    for batch in batches:
        assert len(batch) <= 16
        padded = len(batch) * max(lengths[batch].max(), 1)
        assert padded <= 1024 or len(batch) == 1


def test_budget_that_never_binds_changes_no_batch():
    lengths = np.random.default_rng(0).integers(1, 30, 1000)

    def batches(max_tokens):
        sampler = LengthBucketSampler(
            lengths,
            16,
            shuffle=True,
            generator=np.random.default_rng(3),
            max_tokens=max_tokens,
        )
        return list(sampler)

    assert batches(16 * 30) == batches(None)


@pytest.mark.parametrize(
    "shuffle, bucketing", [(False, True), (True, True), (True, False)]
)
def test_loader_batches_stay_within_the_budget(shuffle, bucketing):
    X, y = short_and_long(long=3000)
    loader = make_loader(
        SequenceDataset(X, np.zeros(len(X), dtype=np.int64)),
        batch_size=64,
        shuffle=shuffle,
        bucketing=bucketing,
        generator=np.random.default_rng(0),
        max_tokens=512,
    )
    sizes = [features["tokens"].numel() for features, _ in loader]
    assert max(sizes) == 3000  # the long document travels alone
    assert sorted(sizes)[-2] <= 512
    assert sum(t["tokens"].shape[0] for t, _ in loader) == len(X)
    if not shuffle:
        assert len(loader) == len(sizes)


def test_split_long_and_join_pieces_round_trip():
    seqs = [np.arange(7), np.arange(0), np.arange(3)]
    pieces, owners = split_long(seqs, 3)
    assert [len(p) for p in pieces] == [3, 3, 1, 0, 3]
    assert owners.tolist() == [0, 0, 0, 1, 2]
    for joined, seq in zip(join_pieces(pieces, owners, 3), seqs):
        np.testing.assert_array_equal(joined, seq)


# -- the estimators' max_batch_tokens -----------------------------------------------
def test_classifier_bounds_its_batches_and_keeps_the_end():
    X, y = short_and_long()
    shapes = BatchShapes()
    clf = RNNClassifier(**{**TINY, "batch_size": 64}, max_batch_tokens=1000)
    clf.set_params(callbacks=[("shapes", shapes)])
    passes = []  # the tokens of every forward pass: what holds the memory

    def record(module, args):
        if isinstance(module, torch.nn.Embedding):
            passes.append(tuple(args[0].shape))

    truncated = pytest.warns(
        TruncationWarning, match="their last 1000 .* max_batch_tokens"
    )
    with torch.nn.modules.module.register_module_forward_pre_hook(record), truncated:
        clf.fit(X, y)
    assert max(b * t for b, t in passes) <= 1000
    recorded = dict(clf.net_.callbacks_)["shapes"].shapes_
    assert {b for b, _ in recorded} == {64, len(X) % 64}  # a step: 64 documents
    with pytest.warns(TruncationWarning):
        proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba[150], clf.predict_proba([X[150][-1000:]])[0])
    order = np.random.default_rng(1).permutation(len(X))
    with pytest.warns(TruncationWarning):
        np.testing.assert_allclose(
            clf.predict_proba([X[i] for i in order]), proba[order], atol=1e-6
        )


def test_classifier_budget_changes_nothing_on_short_documents(recwarn):
    X, y = short_and_long(long=20)
    kept = RNNClassifier(**TINY).fit(X, y).predict_proba(X)
    free = RNNClassifier(**TINY, max_batch_tokens=None).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(kept, free)
    assert not recwarn.list


def test_tagger_reads_a_long_sentence_in_pieces():
    rng = np.random.default_rng(0)
    words = np.array(["the", "dog", "runs", "a", "cat", "sleeps"])
    tags = np.array(["DET", "NOUN", "VERB"] * 2)
    X = [list(words[[0, 1, 2]]), list(words[[3, 4, 5]])] * 20
    y = [list(tags[:3])] * 40
    picks = rng.integers(0, 6, 2000)
    X.append(list(words[picks]))
    y.append(list(tags[picks]))
    shapes = BatchShapes()
    tagger = RNNTagger(
        embedding_dim=8,
        hidden_size=8,
        char_features=False,
        max_epochs=1,
        early_stopping=False,
        random_state=0,
        max_batch_tokens=300,
        callbacks=[("shapes", shapes)],
    )
    with pytest.warns(TruncationWarning, match="pieces of at most 300"):
        tagger.fit(X, y)
    recorded = dict(tagger.net_.callbacks_)["shapes"].shapes_
    assert max(b * t for b, t in recorded) <= 300
    with pytest.warns(TruncationWarning):
        predicted = tagger.predict(X[-2:])
    assert [len(p) for p in predicted] == [3, 2000]


def test_generator_steps_are_bounded_by_streams_and_bptt(monkeypatch):
    """The generator needs no token budget: each step reads at most
    ``batch_size x bptt_steps`` characters, however long a text."""
    from sklearn_rnn import generator

    seen = []

    class Recording(generator.RecurrentDecoder):
        def forward(self, x, state=None):
            seen.append(tuple(x.shape))
            return super().forward(x, state)

    monkeypatch.setattr(generator, "RecurrentDecoder", Recording)
    texts = ["ab" * 10_000] + ["abc"] * 20
    CharRNNGenerator(
        hidden_size=8,
        embedding_dim=4,
        batch_size=4,
        bptt_steps=20,
        max_epochs=1,
        random_state=0,
    ).fit(texts)
    assert max(b * t for b, t in seen) <= 4 * 512  # scoring: _EVAL_CHUNK steps
    training = [shape for shape in seen if shape[1] == 20]
    assert training and max(b for b, _ in training) <= 4


# -- large embeddings and early stopping's best weights ---------------------------
def test_large_embedding_warns_with_the_remedy(monkeypatch):
    monkeypatch.setattr(resources, "LARGE_EMBEDDING_BYTES", 2**20)
    rng = np.random.default_rng(0)
    X = [rng.integers(2, 200_000, 5) for _ in range(40)]
    X[0] = np.array([199_999])
    y = ["a", "b"] * 20
    with pytest.warns(UserWarning, match="200,000 trainable rows of 8 .*min_freq=2"):
        RNNClassifier(**TINY, refit=False).fit(X, y)


@pytest.fixture
def temp_files(monkeypatch):
    """The temporary files that BestWeights opens, as they are opened."""
    files = []
    real = tempfile.TemporaryFile

    def tracked(*args, **kwargs):
        files.append(real(*args, **kwargs))
        return files[-1]

    monkeypatch.setattr(resources.tempfile, "TemporaryFile", tracked)
    return files


def test_early_stopping_restores_the_best_epoch_from_disk(temp_files):
    class Snapshots(Callback):
        def on_train_begin(self, net, **kwargs):
            self.states_ = {}

        def on_epoch_end(self, net, **kwargs):
            state = net.module_.state_dict()
            self.states_[len(net.history)] = {k: v.clone() for k, v in state.items()}

    X, y = short_and_long(long=20)
    params = {**TINY, "early_stopping": True, "max_epochs": 6, "patience": 2}
    clf = RNNClassifier(**params, refit=False, callbacks=[("snap", Snapshots())])
    clf.fit(X, y)
    best = dict(clf.net_.callbacks_)["snap"].states_[clf.best_epoch_]
    for name, value in clf.net_.module_.state_dict().items():
        torch.testing.assert_close(value, best[name], rtol=0, atol=0)
    stopper = dict(clf.net_.callbacks_)["early_stopping"]
    assert stopper.best_model_weights_ is None  # no copy in memory
    assert temp_files and all(f.closed for f in temp_files)


def test_best_weights_file_is_closed_when_training_fails(temp_files):
    class FailSecondEpoch(Callback):
        def on_epoch_begin(self, net, **kwargs):
            if len(net.history) == 2:
                raise RuntimeError("boom")

    X, y = short_and_long(long=20)
    params = {**TINY, "early_stopping": True, "max_epochs": 4}
    clf = RNNClassifier(**params, callbacks=[FailSecondEpoch()])
    with pytest.raises(RuntimeError, match="boom"):
        clf.fit(X, y)
    assert temp_files and all(f.closed for f in temp_files)


# -- verbose ------------------------------------------------------------------------
def test_verbose_prints_the_row_of_the_stopping_epoch(capsys):
    X = [[2, 3, 4], [4, 3, 2], [2, 3], [4, 3], [2, 2, 3], [4, 4, 3]] * 10
    y = ["up", "down", "up", "down", "up", "down"] * 10
    params = {**TINY, "max_epochs": 30, "early_stopping": True}
    clf = RNNClassifier(**params, patience=2, refit=False, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    rows = [line.split()[0] for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert rows == [str(e) for e in range(1, len(clf.history_) + 1)]
    assert out.index(f"\n      {len(clf.history_)} ") < out.index("Stopping since")
    assert "progress_bar" in dict(clf.net_.callbacks_)


def test_training_flushes_denormals_and_restores_the_mode():
    class Mode(Callback):
        def on_batch_begin(self, net, **kwargs):
            self.flushing_ = resources._flushes_denormals()

    X, y = short_and_long(long=20)
    clf = RNNClassifier(**TINY, callbacks=[("mode", Mode())]).fit(X, y)
    assert dict(clf.net_.callbacks_)["mode"].flushing_
    assert not resources._flushes_denormals()


def test_forward_all_matches_skorch_forward():
    X, y = short_and_long(long=20)
    clf = RNNClassifier(**TINY).fit(X, y)
    dataset = SequenceDataset(X)
    expected = clf.net_.forward(dataset, training=False)
    torch.testing.assert_close(resources.forward_all(clf.net_, dataset), expected)
