"""Saving with skops, loading with the types of sklearn_rnn.persistence only."""

from __future__ import annotations

import builtins
import copy
import importlib
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import LABELS, TEXTS, TINY
from skorch.callbacks import EarlyStopping
from test_tagger import make_toy_tagging

from sklearn_rnn import (
    CharRNNGenerator,
    GRUClassifier,
    HMMTagger,
    LSTMClassifier,
    RNNTagger,
    VocabularyIndexer,
    WordVectors,
    make_bow_pipeline,
    make_hmm_pipeline,
    make_rnn_pipeline,
)
from sklearn_rnn._training import OPTIMIZERS, WeightedNetClassifier
from sklearn_rnn.persistence import TRUSTED_TYPES, dump, load

skops_io = pytest.importorskip("skops.io")
from skops.io.exceptions import UntrustedTypesFoundException  # noqa: E402

TAGGED = make_toy_tagging(40, seed=0)
IDS = VocabularyIndexer().fit_transform(TEXTS)
TAGGER = dict(embedding_dim=8, hidden_size=8, char_embedding_dim=4, char_filters=4)


def toy_vectors() -> WordVectors:
    words = ["good", "bad", "film", "a", "!", "zebra"]
    return WordVectors(words, np.random.default_rng(0).normal(size=(len(words), 4)))


#: Factories of fitted estimators, with the input their outputs are compared on.
CASES = {
    "rnn": lambda: (make_rnn_pipeline(**TINY).fit(TEXTS, LABELS), TEXTS),
    "rnn_vectors": lambda: (
        make_rnn_pipeline(
            vectors=toy_vectors(),
            freeze_embeddings=True,
            **{k: v for k, v in TINY.items() if k != "embedding_dim"},
        ).fit(TEXTS, LABELS),
        TEXTS,
    ),
    # early stopping's callback kept, class weights (a tensor), a progress bar
    "rnn_early_stopping": lambda: (
        make_rnn_pipeline(
            **dict(TINY, early_stopping=True, refit=False, max_epochs=3),
            class_weight="balanced",
            verbose=1,
        ).fit(TEXTS, LABELS),
        TEXTS,
    ),
    "lstm_on_ids": lambda: (
        LSTMClassifier(**TINY, optimizer="sgd").fit(IDS, LABELS),
        IDS,
    ),
    "hmm": lambda: (make_hmm_pipeline(n_states=2).fit(TEXTS, LABELS), TEXTS),
    "bow": lambda: (make_bow_pipeline().fit(TEXTS, LABELS), TEXTS),
    "tagger": lambda: (
        RNNTagger(**TAGGER, max_epochs=2, random_state=0).fit(*TAGGED),
        TAGGED[0],
    ),
    "hmm_tagger": lambda: (HMMTagger().fit(*TAGGED), TAGGED[0]),
    "generator": lambda: (
        CharRNNGenerator(
            embedding_dim=8, hidden_size=8, max_epochs=2, random_state=0
        ).fit(TEXTS),
        TEXTS,
    ),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def fitted(request):
    return CASES[request.param]()


def outputs(estimator, X) -> list[np.ndarray]:
    """What an estimator predicts on ``X``, as arrays to compare."""
    if isinstance(estimator, CharRNNGenerator):
        text = estimator.sample(30, random_state=0)
        return [np.array(estimator.score(X)), np.array(list(text))]
    proba = estimator.predict_proba(X)
    return list(proba) if isinstance(proba, list) else [proba]


def assert_same_outputs(a, b, X) -> None:
    for left, right in zip(outputs(a, X), outputs(b, X), strict=True):
        if left.dtype.kind == "f":
            np.testing.assert_allclose(left, right)
        else:
            np.testing.assert_array_equal(left, right)


def test_a_file_needs_only_trusted_types_and_no_generic_callables(fitted):
    estimator, _ = fitted
    untrusted = skops_io.get_untrusted_types(data=skops_io.dumps(estimator))
    assert set(untrusted) <= set(TRUSTED_TYPES)
    assert "builtins.print" not in untrusted
    assert "functools.partial" not in untrusted


def test_loads_with_the_trusted_types_and_predicts_the_same(fitted, tmp_path):
    estimator, X = fitted
    path = tmp_path / "model.skops"
    skops_io.dump(estimator, path)
    assert_same_outputs(skops_io.load(path, trusted=TRUSTED_TYPES), estimator, X)
    dump(estimator, tmp_path / "compressed.skops")
    assert_same_outputs(load(tmp_path / "compressed.skops"), estimator, X)


def test_loading_without_trust_refuses(fitted, tmp_path):
    estimator, X = fitted
    path = tmp_path / "model.skops"
    skops_io.dump(estimator, path)
    if not skops_io.get_untrusted_types(file=path):
        # make_bow_pipeline: scikit-learn's own types, which skops trusts
        assert_same_outputs(skops_io.load(path), estimator, X)
        return
    for trusted in (None, False):
        with pytest.raises(UntrustedTypesFoundException):
            skops_io.load(path, trusted=trusted)


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_optimizer_and_preset_is_trusted(optimizer):
    for Classifier in (GRUClassifier, LSTMClassifier):
        clf = Classifier(**dict(TINY, max_epochs=1), optimizer=optimizer)
        data = skops_io.dumps(clf.fit(IDS, LABELS))
        assert set(skops_io.get_untrusted_types(data=data)) <= set(TRUSTED_TYPES)


def test_every_trusted_type_exists():
    for name in TRUSTED_TYPES:
        module, attribute = name.rsplit(".", 1)
        assert hasattr(importlib.import_module(module), attribute), name


def test_the_callbacks_print_again_after_loading():
    estimator, _ = CASES["rnn_early_stopping"]()
    loaded = skops_io.loads(skops_io.dumps(estimator), trusted=TRUSTED_TYPES)
    callbacks = dict(loaded[-1].net_.callbacks_)
    assert callbacks["print_log"].sink is print
    assert callbacks["early_stopping"].sink is print
    assert dict(estimator[-1].net_.callbacks_)["print_log"].sink is print


@pytest.mark.parametrize(
    "round_trip",
    [
        pickle.loads,
        lambda data: skops_io.loads(
            skops_io.dumps(pickle.loads(data)), trusted=TRUSTED_TYPES
        ),
        lambda data: copy.deepcopy(pickle.loads(data)),
    ],
    ids=["pickle", "skops", "deepcopy"],
)
def test_a_loaded_classifier_trains_on_where_it_stopped(round_trip):
    """The optimizer state, history and callbacks come back: continuing the
    loaded classifier gives what continuing the original gives."""
    pipe = make_rnn_pipeline(**dict(TINY, warm_start=True)).fit(TEXTS, LABELS)
    loaded = round_trip(pickle.dumps(pipe))
    for model in (pipe, loaded):
        model.set_params(classifier__max_epochs=2).fit(TEXTS, LABELS)
    assert loaded[-1].n_epochs_ == pipe[-1].n_epochs_ == 4
    np.testing.assert_array_equal(
        loaded[-1].history_[:, "train_loss"], pipe[-1].history_[:, "train_loss"]
    )
    np.testing.assert_array_equal(
        loaded.predict_proba(TEXTS), pipe.predict_proba(TEXTS)
    )


class _RunsCode:
    """Unpickled, sets ``builtins.sklearn_rnn_was_attacked``."""

    def __reduce__(self):
        return exec, ("import builtins; builtins.sklearn_rnn_was_attacked = True",)


@pytest.mark.parametrize(
    "indexer",
    [
        VocabularyIndexer(min_freq=1),
        # a special token among the vectors' words keeps its special id
        VocabularyIndexer(vectors=WordVectors(["<unk>", "good", "é"], np.eye(3))),
        VocabularyIndexer(vocabulary=["good", "bad", "naïve"]),
        VocabularyIndexer(vocabulary={"<pad>": 0, "<unk>": 1, "b": 3, "a": 2}),
    ],
    ids=["learned", "vectors_with_a_special", "fixed_list", "fixed_dict"],
)
@pytest.mark.parametrize("round_trip", ["pickle", "skops"])
def test_a_vocabulary_is_stored_as_arrays_and_comes_back_whole(
    indexer, round_trip, tmp_path
):
    texts = [*TEXTS, "naïve café é"]
    indexer.fit(texts)
    state = indexer.__getstate__()
    if isinstance(indexer.vocabulary, dict):  # kept in the user's order
        assert list(state["vocabulary_"]) == ["<pad>", "<unk>", "b", "a"]
    else:
        assert "vocabulary_" not in state and "_id_to_token" not in state
        assert not any(isinstance(v, dict) for v in state.values())
    if round_trip == "pickle":
        loaded = pickle.loads(pickle.dumps(indexer))
    else:
        dump(indexer, tmp_path / "indexer.skops")
        loaded = load(tmp_path / "indexer.skops")
    assert loaded.vocabulary_ == indexer.vocabulary_
    assert list(loaded.vocabulary_) == list(indexer.vocabulary_)  # order too
    assert loaded.token_counts_ == indexer.token_counts_
    np.testing.assert_array_equal(
        loaded.get_feature_names_out(), indexer.get_feature_names_out()
    )
    for a, b in zip(loaded.transform(texts), indexer.transform(texts)):
        np.testing.assert_array_equal(a, b)
    assert "vocabulary_" in vars(indexer)  # saving changed nothing in memory


def test_a_loaded_warm_indexer_keeps_its_ids_and_counts_anew():
    indexer = VocabularyIndexer(warm_start=True).fit(TEXTS)
    loaded = pickle.loads(pickle.dumps(indexer))
    loaded.fit(["a zebra crossing"])
    assert all(loaded.vocabulary_[t] == i for t, i in indexer.vocabulary_.items())
    new = {loaded.vocabulary_["crossing"], loaded.vocabulary_["zebra"]}
    assert new == {len(indexer.vocabulary_), len(indexer.vocabulary_) + 1}


def test_a_tampered_network_in_a_file_runs_no_code(monkeypatch):
    """skorch's own networks unpickle bytes of their state on load; a file
    holding this package's networks under the trusted names does not."""
    payload = pickle.dumps(_RunsCode())
    pickle.loads(payload)  # the payload is live
    assert builtins.sklearn_rnn_was_attacked
    del builtins.sklearn_rnn_was_attacked
    pipe = make_rnn_pipeline(**TINY).fit(TEXTS, LABELS)
    honest = WeightedNetClassifier.__getstate__
    monkeypatch.setattr(
        WeightedNetClassifier,
        "__getstate__",
        lambda net: {**honest(net), "__cuda_dependent_attributes__": payload},
    )
    data = skops_io.dumps(pipe)
    monkeypatch.undo()
    loaded = skops_io.loads(data, trusted=TRUSTED_TYPES)
    assert not hasattr(builtins, "sklearn_rnn_was_attacked")
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), pipe.predict_proba(TEXTS))


def test_your_own_callbacks_are_trusted_only_when_you_say(tmp_path):
    stopper = EarlyStopping(monitor="train_loss", patience=5)
    pipe = make_rnn_pipeline(**TINY, callbacks=[("stop", stopper)])
    dump(pipe.fit(TEXTS, LABELS), tmp_path / "model.skops")
    with pytest.raises(UntrustedTypesFoundException, match="EarlyStopping"):
        load(tmp_path / "model.skops")
    mine = ["skorch.callbacks.training.EarlyStopping"]
    loaded = load(tmp_path / "model.skops", extra_trusted=mine)
    assert dict(loaded[-1].net_.callbacks_)["stop"].sink is print
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), pipe.predict_proba(TEXTS))


def test_without_skops_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "skops", None)
    monkeypatch.setitem(sys.modules, "skops.io", None)
    with pytest.raises(ImportError, match=r'pip install "sklearn-rnn\[persist\]"'):
        dump(make_bow_pipeline(), tmp_path / "model.skops")


def test_the_user_guide_warns_against_unpickling_untrusted_files():
    guide = Path(__file__).resolve().parents[1] / "docs" / "user_guide"
    text = " ".join((guide / "persistence.rst").read_text(encoding="utf-8").split())
    assert "Never unpickle a file you do not trust" in text
    assert "joblib.load" in text
    assert "sklearn_rnn.persistence.TRUSTED_TYPES" in text
