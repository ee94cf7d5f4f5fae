import pickle
import pydoc
from itertools import product

import joblib
import numpy as np
import pytest
import torch
from helpers import TINY
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_rnn import (
    GRUClassifier,
    LSTMClassifier,
    RNNClassifier,
    SequencePadder,
    VocabularyIndexer,
    make_rnn_pipeline,
)
from sklearn_rnn import _training as training
from sklearn_rnn._data import SequenceDataset
from sklearn_rnn._training import RefitWarning, mean_loss
from sklearn_rnn.nn import RecurrentClassifierModule


def ragged(n=40, seed=0, vocab=12):
    rng = np.random.RandomState(seed)
    X = [rng.randint(2, vocab, size=rng.randint(0, 9)) for _ in range(n)]
    y = np.array(["neg", "pos"] * (n // 2))
    return X, y


def pad(X, padding, width):
    return SequencePadder(max_len=width, padding=padding).fit_transform(X)


@pytest.mark.parametrize(
    "cell, pooling, bidirectional",
    list(product(["rnn", "lstm", "gru"], ["last", "mean", "max"], [False, True])),
)
def test_padding_never_changes_a_prediction(cell, pooling, bidirectional):
    X, y = ragged()
    width = max(len(x) for x in X)
    clf = RNNClassifier(
        cell=cell, pooling=pooling, bidirectional=bidirectional, num_layers=2, **TINY
    ).fit(pad(X, "post", width), y)
    reference = clf.predict_proba(X)
    for padding, w in product(["post", "pre"], [width, 3 * width]):
        np.testing.assert_allclose(
            clf.predict_proba(pad(X, padding, w)), reference, atol=1e-5, rtol=0
        )


@pytest.mark.parametrize("pooling", ["last", "mean", "max", "concat"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_module_output_independent_of_right_padding(pooling, bidirectional):
    # Below the estimator: the network itself ignores padded steps.
    torch.manual_seed(0)
    module = RecurrentClassifierModule(
        vocab_size=10,
        n_classes=3,
        pooling=pooling,
        cell="lstm",
        embedding_dim=4,
        hidden_size=5,
        bidirectional=bidirectional,
    ).eval()
    tokens = torch.tensor([[3, 4, 5, 0], [6, 7, 0, 0]])
    lengths = torch.tensor([3, 2])
    longer = torch.cat([tokens, torch.zeros(2, 8, dtype=torch.int64)], dim=1)
    with torch.no_grad():
        a = module(tokens, lengths)
        b = module(longer, lengths)
        alone = module(tokens[1:, :2], lengths[1:])
    torch.testing.assert_close(a, b, atol=1e-6, rtol=0)
    torch.testing.assert_close(a[1:], alone, atol=1e-6, rtol=0)


def test_concat_pooling_joins_the_last_state_the_max_and_the_mean():
    torch.manual_seed(0)
    module = RecurrentClassifierModule(
        vocab_size=10, n_classes=2, pooling="concat", embedding_dim=4, hidden_size=5
    ).eval()
    assert module.head.in_features == 15
    tokens, lengths = torch.tensor([[3, 4, 5, 0]]), torch.tensor([3])
    seen = {}
    module.head.register_forward_hook(lambda m, args, out: seen.update(x=args[0]))
    with torch.no_grad():
        module(tokens, lengths)
        outputs, final = module.encoder(tokens, lengths)
    real = outputs[0, :3]
    expected = torch.cat([final[0], real.max(dim=0).values, real.mean(dim=0)])
    torch.testing.assert_close(seen["x"][0], expected)


def test_word_dropout_reads_real_tokens_as_unk_in_training_only():
    torch.manual_seed(0)
    module = RecurrentClassifierModule(
        vocab_size=50, n_classes=2, embedding_dim=4, hidden_size=5, word_dropout=0.5
    )
    seen = []
    module.encoder.embedding.register_forward_hook(
        lambda _module, args, _out: seen.append(args[0].clone())
    )
    tokens = torch.randint(2, 50, (64, 30))
    tokens[:, 20:] = 0  # padding
    module.train()(tokens, torch.full((64,), 20))
    module.eval()(tokens, torch.full((64,), 20))
    trained, evaluated = seen
    dropped = trained != tokens
    assert (trained[dropped] == 1).all()  # replaced by <unk>
    assert not dropped[:, 20:].any()  # padding stays padding
    assert 0.4 < dropped[:, :20].float().mean() < 0.6
    torch.testing.assert_close(evaluated, tokens)


def test_string_and_integer_labels_round_trip_binary_and_multiclass():
    X, _ = ragged(60)
    for y in [
        np.array(["a", "b", "c"] * 20),
        np.array([3, 7] * 30),
        np.array([True, False] * 30),
    ]:
        clf = LSTMClassifier(**TINY).fit(X, y)
        np.testing.assert_array_equal(clf.classes_, np.unique(y))
        pred = clf.predict(X)
        assert pred.dtype == y.dtype and set(pred) <= set(y)
        proba = clf.predict_proba(X)
        assert proba.shape == (60, len(np.unique(y)))
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
        np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])


def test_same_random_state_same_predictions_and_clone_is_unfitted():
    X, y = ragged()
    params = dict(TINY, early_stopping=True, validation_fraction=0.25, max_epochs=3)
    a = GRUClassifier(**params).fit(X, y).predict_proba(X)
    b = GRUClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    fitted = GRUClassifier(**params).fit(X, y)
    with pytest.raises(NotFittedError):
        clone(fitted).predict(X)


def test_fit_does_not_leave_global_torch_rng_changed():
    X, y = ragged()
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    RNNClassifier(**TINY).fit(X, y)
    assert torch.rand(1) == expected


def test_unseen_ids_and_empty_documents_at_predict():
    X, y = ragged(vocab=12)
    clf = RNNClassifier(**TINY).fit(X, y)
    proba_unk = clf.predict_proba([[1, 1], [], [500, 10**6]])
    np.testing.assert_allclose(proba_unk[0], proba_unk[2])
    assert clf.vocab_size_ == max(int(x.max()) for x in X if len(x)) + 1


def test_empty_documents_in_training():
    X, y = ragged()
    X[0] = np.array([], dtype=np.int64)
    X[1] = np.array([], dtype=np.int64)
    RNNClassifier(**TINY).fit(X, y).predict(X)


def test_pipeline_pickle_and_joblib(tmp_path):
    texts = ["good movie", "bad movie", "great film", "awful film"] * 10
    labels = ["pos", "neg", "pos", "neg"] * 10
    pipe = make_rnn_pipeline(**TINY).fit(texts, labels)
    expected = pipe.predict_proba(texts)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(pipe)).predict_proba(texts), expected
    )
    joblib.dump(pipe, tmp_path / "pipe.joblib")
    np.testing.assert_array_equal(
        joblib.load(tmp_path / "pipe.joblib").predict_proba(texts), expected
    )
    unfitted = pickle.loads(pickle.dumps(RNNClassifier(hidden_size=3)))
    assert unfitted.hidden_size == 3


def test_warm_start_continues_training():
    X, y = ragged()
    clf = RNNClassifier(**dict(TINY, warm_start=True, optimizer="sgd")).fit(X, y)
    first = {k: v.clone() for k, v in clf.net_.module_.state_dict().items()}
    clf.set_params(lr=1e-12).fit(X, y)  # steps too small to move the weights
    for name, value in clf.net_.module_.state_dict().items():
        torch.testing.assert_close(value, first[name], rtol=0, atol=1e-6)
    assert clf.n_epochs_ == 4
    with pytest.raises(ValueError, match="unseen in the first fit"):
        clf.fit(X, np.array(["neg", "other"] * 20))


def test_history_early_stopping_and_best_weights():
    X, y = ragged(80)
    clf = RNNClassifier(
        **dict(TINY, early_stopping=True, patience=1, max_epochs=30)
    ).fit(X, y)
    accs = clf.validation_history_[:, "valid_acc"]
    assert len(accs) < 30
    assert 1 <= clf.best_epoch_ <= len(accs) - 1
    assert all(0 <= a <= 1 for a in accs)
    assert clf.history_ is clf.net_.history
    assert len(clf.history_) == clf.n_epochs_


def test_refit_retrains_on_all_data_for_the_best_epoch_count():
    X, y = ragged(80)
    params = dict(TINY, early_stopping=True, patience=2, max_epochs=12)
    refit = RNNClassifier(**params).fit(X, y)
    kept = RNNClassifier(**params, refit=False).fit(X, y)
    # the same early-stopping run picks the epoch count ...
    valid_acc = refit.validation_history_[:, "valid_acc"]
    assert valid_acc == kept.validation_history_[:, "valid_acc"]
    assert refit.best_epoch_ == kept.best_epoch_
    assert kept.history_ is kept.validation_history_ and not kept.refitted_
    # ... and the network kept was trained at least that long on all 80
    assert refit.refitted_
    final = refit.history_
    assert len(final) == refit.n_epochs_ >= refit.best_epoch_
    assert "valid_acc" not in final[-1]
    assert sum(final[0, "batches", :, "train_batch_size"]) == 80
    assert sum(kept.history_[0, "batches", :, "train_batch_size"]) == 72
    assert not np.allclose(refit.predict_proba(X), kept.predict_proba(X))
    # it fits the training data at least as well as the early-stopped net
    data = SequenceDataset(refit._rows.to_rows(X), np.searchsorted(refit.classes_, y))
    assert mean_loss(refit.net_, data) <= mean_loss(kept.net_, data)


def _losses_by_epochs(first_good_epoch):
    """A stand-in for mean_loss: nets trained on all the data (no valid
    history) reach the early-stopped loss only from ``first_good_epoch``."""

    def fake(net, dataset):
        if "valid_acc" in net.history[-1]:
            return 1.0  # the early-stopped net
        return 0.5 if len(net.history) >= first_good_epoch else 2.0

    return fake


def test_refit_trains_on_until_it_fits_as_well(monkeypatch):
    X, y = ragged(80)
    params = dict(TINY, early_stopping=True, patience=1, max_epochs=30)
    reference = RNNClassifier(**params).fit(X, y)
    target = reference.best_epoch_ + 3
    monkeypatch.setattr(training, "mean_loss", _losses_by_epochs(target))
    clf = RNNClassifier(**params).fit(X, y)
    assert clf.refitted_ and clf.n_epochs_ == target
    assert clf.best_epoch_ == reference.best_epoch_


def test_refit_that_falls_short_keeps_the_early_stopped_network(monkeypatch):
    X, y = ragged(80)
    params = dict(TINY, early_stopping=True, patience=1, max_epochs=6)
    monkeypatch.setattr(training, "mean_loss", _losses_by_epochs(99))
    with pytest.warns(RefitWarning, match="early-stopped network is kept"):
        clf = RNNClassifier(**params).fit(X, y)
    assert not clf.refitted_
    assert clf.history_ is clf.validation_history_
    assert "valid_acc" in clf.history_[-1]
    kept = RNNClassifier(**params, refit=False).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), kept.predict_proba(X))
    # the optimizer's state came back from disk too (warm_start goes on from it)
    ours, theirs = (c.net_.optimizer_.state_dict()["state"] for c in (clf, kept))
    assert ours.keys() == theirs.keys()
    for key in ours:
        for name, value in ours[key].items():
            torch.testing.assert_close(value, theirs[key][name])


def test_parked_weights_free_the_memory_and_come_back():
    from sklearn_rnn._resources import ParkedWeights

    X, y = ragged(40)
    net = RNNClassifier(**TINY).fit(X, y).net_
    before = {k: v.clone() for k, v in net.module_.state_dict().items()}
    parked = ParkedWeights(net)
    assert all(v.numel() == 0 for v in net.module_.state_dict().values())
    assert not net.optimizer_.state
    parked.restore(net)
    parked.close()
    for name, value in net.module_.state_dict().items():
        torch.testing.assert_close(value, before[name], rtol=0, atol=0)
    assert net.optimizer_.state


def test_class_weight_and_optimizer_and_callbacks():
    X, y = ragged()

    class Counter(Callback):
        def initialize(self):
            self.epochs_ = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs_ += 1

    user_cb = Counter()
    clf = RNNClassifier(
        **dict(
            TINY,
            class_weight="balanced",
            optimizer="sgd",
            callbacks=[("count", user_cb)],
        )
    ).fit(X, y)
    assert dict(clf.net_.callbacks_)["count"].epochs_ == 2
    assert not hasattr(user_cb, "epochs_")  # the user's object is not touched
    weight = clf.net_.criterion_.weight
    torch.testing.assert_close(weight, torch.ones(2))
    clf = RNNClassifier(**dict(TINY, class_weight={"pos": 3.0})).fit(X, y)
    torch.testing.assert_close(clf.net_.criterion_.weight, torch.tensor([1.0, 3.0]))
    with pytest.raises(ValueError, match="not in y"):
        RNNClassifier(**dict(TINY, class_weight={"zzz": 3.0})).fit(X, y)
    clf = RNNClassifier(**dict(TINY, optimizer=torch.optim.RMSprop)).fit(X, y)
    assert isinstance(clf.net_.optimizer_, torch.optim.RMSprop)


def test_pretrained_embeddings_frozen():
    X, y = ragged(vocab=12)
    emb = np.random.RandomState(0).normal(size=(12, 5)).astype(np.float32)
    params = dict(TINY, embedding_dim=None, embeddings=emb, freeze_embeddings=True)
    clf = RNNClassifier(**params).fit(X, y)
    np.testing.assert_allclose(
        clf.net_.module_.encoder.embedding.weight.detach().numpy(), emb
    )
    with pytest.raises(ValueError, match="needs a row for every id"):
        RNNClassifier(**dict(params, embeddings=emb[:5])).fit(X, y)
    with pytest.raises(ValueError, match="embedding_dim=8 clashes with the 5-dim"):
        RNNClassifier(**dict(params, embedding_dim=8)).fit(X, y)


def test_relu_rnn_and_no_clipping_and_no_bucketing():
    X, y = ragged()
    RNNClassifier(
        **dict(
            TINY, cell="rnn", nonlinearity="relu", clip_grad_norm=None, bucketing=False
        )
    ).fit(X, y).predict(X)


@pytest.mark.parametrize(
    "X, y, error, match",
    [
        ([[2, 3], [4]], ["a", None], ValueError, "missing label"),
        ([[2, 3], [4]], [1.0, np.nan], ValueError, "missing label"),
        ([[2, 3], [4]], ["a", "a"], ValueError, "single class"),
        ([[2, 3], [4]], ["a", "b", "a"], ValueError, "2 documents but 3 labels"),
        ([[2, 3], [4]], [0.5, 1.5], ValueError, "continuous"),
        ([[2, 3], [4]], None, ValueError, "needs labels"),
        ([[2, 3.5], [4]], ["a", "b"], TypeError, "Document 0 holds floats"),
        (np.array([[2.0, 3.0]]), ["a"], TypeError, "floats"),
        ([[2, -3], [4]], ["a", "b"], ValueError, "negative id -3 at position 1"),
        ([], [], ValueError, "empty"),
        (np.zeros((2, 2, 2), dtype=int), ["a", "b"], ValueError, "2-D"),
        (["raw text", "more"], ["a", "b"], TypeError, "VocabularyIndexer"),
    ],
)
def test_bad_input(X, y, error, match):
    y_before = None if y is None else list(y)
    with pytest.raises(error, match=match):
        RNNClassifier(**TINY).fit(X, y)
    assert y_before is None or list(y) == y_before


def test_input_not_mutated():
    X, y = ragged()
    X_padded = pad(X, "pre", 10)
    X_padded[0, 0] = 10**6
    before = X_padded.copy(), [x.copy() for x in X], y.copy()
    clf = RNNClassifier(**TINY).fit(X_padded, y)
    clf.predict(X_padded)
    np.testing.assert_array_equal(X_padded, before[0])
    assert all(np.array_equal(a, b) for a, b in zip(X, before[1]))
    np.testing.assert_array_equal(y, before[2])


def test_grid_search_over_all_steps_n_jobs_1_and_2():
    texts = [
        "good movie",
        "bad movie",
        "great film",
        "awful film",
        "not bad",
        "not good",
    ] * 6
    labels = ["pos", "neg", "pos", "neg", "pos", "neg"] * 6
    pipe = make_pipeline(VocabularyIndexer(), SequencePadder(), LSTMClassifier(**TINY))
    grid = {
        "vocabularyindexer__min_freq": [1, 2],
        "sequencepadder__padding": ["post", "pre"],
        "lstmclassifier__cell": ["lstm", "gru"],
    }
    for n_jobs in (1, 2):
        search = GridSearchCV(pipe, grid, cv=2, n_jobs=n_jobs, error_score="raise")
        search.fit(texts, labels)
        assert len(search.cv_results_["params"]) == 8
        assert search.predict(["good film"])[0] in {"pos", "neg"}


def test_cross_validate():
    texts = ["good movie", "bad movie", "great film", "awful film"] * 5
    labels = [1, 0, 1, 0] * 5
    scores = cross_validate(make_rnn_pipeline("gru", **TINY), texts, labels, cv=2)
    assert len(scores["test_score"]) == 2


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_device():
    X, y = ragged()
    clf = RNNClassifier(**dict(TINY, device="cuda")).fit(X, y)
    assert next(clf.net_.module_.parameters()).is_cuda
    cpu = RNNClassifier(**TINY).fit(X, y)
    assert clf.predict_proba(X).shape == cpu.predict_proba(X).shape


def test_lstm_learns_word_order_where_bag_of_words_cannot():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    from sklearn_rnn.datasets import make_order_sentiment

    X, y = make_order_sentiment(800, random_state=1)
    X_train, y_train, X_test, y_test = X[:400], y[:400], X[400:], y[400:]
    bow = make_pipeline(
        CountVectorizer(token_pattern=r"(?u)\b\w+\b"), LogisticRegression()
    ).fit(X_train, y_train)
    assert bow.score(X_test, y_test) <= 0.65
    lstm = make_rnn_pipeline(
        "lstm",
        hidden_size=32,
        embedding_dim=32,
        batch_size=16,
        lr=5e-3,
        max_epochs=30,
        early_stopping=False,
        random_state=0,
    ).fit(X_train, y_train)
    assert lstm.score(X_test, y_test) >= 0.95


def test_binary_decision_function_is_one_column_so_roc_auc_works():
    X, y = ragged()
    clf = RNNClassifier(**TINY).fit(X, y)
    scores = clf.decision_function(X)
    assert scores.shape == (len(X),)
    np.testing.assert_array_equal(
        clf.predict(X), clf.classes_[(scores > 0).astype(int)]
    )
    auc = cross_validate(RNNClassifier(**TINY), X, y, cv=2, scoring="roc_auc")
    assert np.all(np.isfinite(auc["test_score"]))
    X3, _ = ragged(60)
    clf3 = RNNClassifier(**TINY).fit(X3, np.array(["a", "b", "c"] * 20))
    assert clf3.decision_function(X3).shape == (60, 3)
    np.testing.assert_allclose(
        np.exp(clf3.predict_log_proba(X3)), clf3.predict_proba(X3)
    )


@pytest.mark.parametrize(
    "preset, cell", [(LSTMClassifier, "lstm"), (GRUClassifier, "gru")]
)
def test_presets_document_every_parameter_with_its_default(preset, cell):
    text = pydoc.plain(pydoc.render_doc(preset))
    for name in RNNClassifier().get_params():
        assert f"{name} :" in preset.__doc__, name
    assert f'cell : {{"lstm", "gru", "rnn"}}, default="{cell}"' in preset.__doc__
    assert "vectors=None" in text and f"cell: 'str' = '{cell}'" in text
    assert preset().get_params() == {**RNNClassifier().get_params(), "cell": cell}
