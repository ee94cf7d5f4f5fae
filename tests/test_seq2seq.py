"""RNNSeq2Seq: learning, decoding, the scikit-learn contract and bad input."""

import copy
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import RNNSeq2Seq, TruncationWarning
from sklearn_rnn.metrics import sequence_error_rate


def _strings(n, seed):
    rng = np.random.default_rng(seed)
    return [
        "".join(rng.choice(list("abcde"), size=rng.integers(3, 6))) for _ in range(n)
    ]


TRAIN = _strings(300, 0)
TEST = _strings(60, 1)
CHARS = dict(
    source_analyzer="char",
    target_analyzer="char",
    embedding_dim=16,
    hidden_size=32,
    lr=0.01,
    batch_size=16,
    max_epochs=12,
    random_state=0,
)
#: Tiny and quick, for the contract tests that need no good model.
QUICK = dict(CHARS, hidden_size=16, max_epochs=2, early_stopping=False)
SHORT = TRAIN[:40]


def _reverse(words):
    return [w[::-1] for w in words]


@pytest.fixture(scope="module")
def reverser():
    return RNNSeq2Seq(**CHARS).fit(TRAIN, _reverse(TRAIN))


@pytest.fixture(scope="module")
def quick():
    return RNNSeq2Seq(**QUICK).fit(SHORT, _reverse(SHORT))


def test_learns_to_reverse_unseen_strings(reverser):
    predicted = reverser.predict(TEST)
    assert 1 - sequence_error_rate(_reverse(TEST), predicted, analyzer="char") >= 0.9
    assert reverser.score(TEST, _reverse(TEST)) >= 0.95
    history = reverser.history_
    assert reverser.best_epoch_ <= reverser.n_epochs_ == len(history)
    best = history[reverser.best_epoch_ - 1, "valid_ter"]
    assert min(history[:, "valid_ter"]) == best


def test_beam_search_and_n_best(reverser):
    alpha = reverser.length_penalty

    def score(output, log_prob):
        return log_prob / ((5 + len(output) + 1) / 6) ** alpha

    greedy = reverser.predict_n_best(TEST, 1)  # beam_size=1: greedy decoding
    assert [h[0][0] for h in greedy] == reverser.predict(TEST)
    beam = copy.deepcopy(reverser).set_params(beam_size=4)
    for (g,), (b, *_) in zip(greedy, beam.predict_n_best(TEST, 4)):
        assert score(*b) >= score(*g) - 1e-9
    assert beam.predict(TEST) == [h[0][0] for h in beam.predict_n_best(TEST, 4)]
    n_best = reverser.predict_n_best(TEST[:10], 3)
    for hypotheses in n_best:
        assert 1 <= len(hypotheses) <= 3
        outputs = [out for out, _ in hypotheses]
        assert len(set(outputs)) == len(outputs)
        scores = [score(out, lp) for out, lp in hypotheses]
        assert scores == sorted(scores, reverse=True)
        assert all(lp <= 0 for _, lp in hypotheses)


def test_padding_and_batch_make_up_never_change_an_output(reverser):
    words = TEST[:12] + ["a", "abcdeabcde"]
    together = reverser.predict(words)
    assert [reverser.predict([w])[0] for w in words] == together
    small = copy.deepcopy(reverser).set_params(batch_size=3, max_batch_tokens=20)
    assert small.predict(words) == together


def test_attention_weights(reverser):
    words = ["abc", "e", "", "abcde"]
    predicted = reverser.predict(words)
    for word, out, weights in zip(words, predicted, reverser.attention_weights(words)):
        assert weights.shape[1] == len(word) + 1
        assert weights.shape[0] in (len(out), len(out) + 1)
        np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)
    no_attention = RNNSeq2Seq(**dict(QUICK, attention=None)).fit(SHORT, SHORT)
    with pytest.raises(ValueError, match="needs a model with attention"):
        no_attention.attention_weights(["abc"])


def test_plot_attention_draws_one_cell_per_weight(reverser):
    from sklearn_rnn.plotting import plot_attention

    word = "abcd"
    weights = reverser.attention_weights([word])[0]
    rows = list(reverser.predict([word])[0] + "$")[: len(weights)]
    fig = plot_attention(weights, list(word) + ["</s>"], rows)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [*word, "</s>"]
    assert [t.get_text() for t in ax.get_yticklabels()] == rows
    np.testing.assert_allclose(ax.images[0].get_array(), weights)
    with pytest.raises(ValueError, match="needs 5 source tokens"):
        plot_attention(weights, list(word), rows)
    with pytest.raises(ValueError, match="must be 2-D"):
        plot_attention(weights[0], list(word), rows)


def test_vectors_start_the_source_embedding(tmp_path):
    from sklearn_rnn import WordVectors
    from sklearn_rnn.persistence import dump, load

    words = ["red", "purple", "blue", "big", "small", "<unk>"]
    rows = np.random.default_rng(0).normal(size=(len(words), 6))
    vectors = WordVectors(words, rows)
    X = ["red big", "blue small", "big red", "small blue", "red", "oops"] * 5
    params = dict(
        QUICK, source_analyzer="word", target_analyzer="word", embedding_dim=None
    )
    model = RNNSeq2Seq(**params, vectors=vectors).fit(X, X)
    # 5 distinct training words (oops has no vector) and the end token; the
    # vectors' "<unk>" repeats a special token, so the end id must not
    # follow len(vocabulary_)
    assert model.vectors_coverage_ == pytest.approx({"types": 4 / 6, "tokens": 45 / 51})
    embedding = model.module_.encoder.embedding
    assert embedding.embedding_dim == 6
    np.testing.assert_allclose(embedding.frozen.float(), rows[[1, 5]], atol=1e-2)
    # purple was never seen: it reads its own vector, not <unk>'s row
    assert model._source_rows([["purple"]])[0][0] != 1
    assert model._source_rows([["unseen"]])[0][0] == 1
    oops, end = model._source_rows([["oops"]])[0]
    assert oops != end and oops != 1
    expected = model.predict(["purple big", "oops"])
    dump(model, tmp_path / "model.skops")
    assert load(tmp_path / "model.skops").predict(["purple big", "oops"]) == expected
    with pytest.raises(ValueError, match="embedding_dim=8 clashes"):
        RNNSeq2Seq(**dict(params, embedding_dim=8), vectors=vectors).fit(X, X)


def test_token_lists_in_token_lists_out():
    X = [["the", "dog", "runs"], ["a", "cat", "sleeps"], ["i", "run"]] * 6
    y = [["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"], ["PRON", "VERB"]] * 6
    words_params = dict(QUICK, source_analyzer="word", target_analyzer="word")
    model = RNNSeq2Seq(**words_params).fit(X, y)
    predicted = model.predict(X[:3] + [["unseen", "words"], []])
    assert all(isinstance(p, list) for p in predicted)
    assert all(set(p) <= {"DET", "NOUN", "VERB", "PRON"} for p in predicted)
    # strings in -> strings out, word tokens joined by a space
    words = RNNSeq2Seq(**words_params)
    words.fit([" ".join(x) for x in X], [" ".join(t) for t in y])
    out = words.predict(["the dog runs"])
    assert isinstance(out[0], str)
    assert set(out[0].split()) <= {"DET", "NOUN", "VERB", "PRON"}


def test_empty_targets_are_learned():
    X = ["ab", "ba", "xa", "xb", "aab", "xab"] * 10
    y = ["ba", "ab", "", "", "baa", ""]
    model = RNNSeq2Seq(**dict(CHARS, max_epochs=25, early_stopping=False))
    model.fit(X, y * 10)
    assert model.predict(["xa", "ab"]) == ["", "ba"]


def test_clone_pickle_and_skops_keep_predictions(quick, tmp_path):
    from sklearn_rnn.persistence import dump, load

    expected = quick.predict(TEST)
    assert not hasattr(clone(quick), "module_")
    assert clone(quick).get_params() == quick.get_params()
    assert pickle.loads(pickle.dumps(quick)).predict(TEST) == expected
    assert copy.deepcopy(quick).predict(TEST) == expected
    dump(quick, tmp_path / "model.skops")
    assert load(tmp_path / "model.skops").predict(TEST) == expected
    unfitted = pickle.loads(pickle.dumps(RNNSeq2Seq(beam_size=3)))
    assert unfitted.get_params()["beam_size"] == 3


def test_grid_search_and_cross_validate():
    scorer = make_scorer(sequence_error_rate, greater_is_better=False, analyzer="char")
    search = GridSearchCV(
        RNNSeq2Seq(**QUICK),
        {"hidden_size": [8, 16]},
        scoring=scorer,
        cv=2,
        error_score="raise",
    ).fit(SHORT, _reverse(SHORT))
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    scores = cross_validate(
        RNNSeq2Seq(**QUICK), SHORT, _reverse(SHORT), cv=2, error_score="raise"
    )
    assert (scores["test_score"] <= 1).all()


def test_unfitted_use_raises():
    model = RNNSeq2Seq()
    for call in (
        lambda: model.predict(["a"]),
        lambda: model.predict_n_best(["a"], 2),
        lambda: model.attention_weights(["a"]),
        lambda: model.score(["a"], ["a"]),
    ):
        with pytest.raises(NotFittedError):
            call()


def test_bad_input_names_the_position(quick):
    model = RNNSeq2Seq(**QUICK)
    with pytest.raises(ValueError, match="2 sources but 1 targets"):
        model.fit(["ab", "cd"], ["ba"])
    with pytest.raises(TypeError, match="Item 1 of X is a int"):
        model.fit(["ab", 3], ["ba", "dc"])
    with pytest.raises(ValueError, match="Item 1 of y is missing"):
        model.fit(["ab", "cd"], ["ba", None])
    with pytest.raises(TypeError, match="Item 0 of X holds 5 at position 1"):
        model.fit([["a", 5]], [["b"]])
    with pytest.raises(TypeError, match="got None"):
        model.fit(None, ["a"])
    with pytest.raises(TypeError, match="not one str"):
        model.fit("abc", "cba")
    with pytest.raises(ValueError, match="needs targets"):
        model.fit(["ab"], None)
    with pytest.raises(InvalidParameterError, match="beam_size"):
        RNNSeq2Seq(beam_size=0).fit(["ab"], ["ba"])
    with pytest.raises(ValueError, match="attention='dot'"):
        RNNSeq2Seq(attention="dot").fit(["ab"], ["ba"])
    with pytest.raises(ValueError, match="max_output_length"):
        RNNSeq2Seq(max_output_length=(1.0,)).fit(["ab"], ["ba"])
    with pytest.raises(TypeError, match="Item 2 of X is a float"):
        quick.predict(["ab", "cd", 1.5])
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        quick.predict_n_best(["ab"], 0)


def test_empty_and_very_long_inputs_give_bounded_outputs(quick):
    out = quick.predict(["", "a"])
    assert all(len(o) <= 10 for o in out)  # ceil(3.0 * m) + 10, m <= 1
    long = "abcde" * 2000
    (result,) = quick.predict([long])
    assert len(result) <= 256
    capped = copy.deepcopy(quick).set_params(max_output_length=7)
    assert len(capped.predict([long])[0]) <= 7
    tight = copy.deepcopy(quick).set_params(max_batch_tokens=100)
    with pytest.warns(TruncationWarning, match="first 100"):
        tight.predict([long])


def test_inputs_are_never_mutated():
    X = [list("abc"), list("bca")] * 5
    y = [list("cba"), list("acb")] * 5
    X_copy, y_copy = copy.deepcopy(X), copy.deepcopy(y)
    model = RNNSeq2Seq(**QUICK).fit(X, y)
    model.predict(X)
    model.score(X, y)
    assert X == X_copy and y == y_copy


def test_random_state_reproducible_and_fit_returns_self():
    a = RNNSeq2Seq(**QUICK)
    assert a.fit(SHORT, _reverse(SHORT)) is a
    b = RNNSeq2Seq(**QUICK).fit(SHORT, _reverse(SHORT))
    assert a.history_[:, "train_loss"] == b.history_[:, "train_loss"]
    assert a.predict(TEST) == b.predict(TEST)


def test_scheduled_sampling_trains():
    model = RNNSeq2Seq(**dict(QUICK, teacher_forcing=0.5, max_epochs=3))
    model.fit(SHORT, _reverse(SHORT))
    assert model.history_[:, "teacher_forcing"] == [1.0, 0.75, 0.5]
    assert np.isfinite(model.history_[:, "train_loss"]).all()


def test_lr_decay_follows_the_validation_error():
    model = RNNSeq2Seq(**dict(QUICK, early_stopping=True, max_epochs=6, patience=6))
    model.set_params(lr_decay=0.5).fit(SHORT, _reverse(SHORT))
    lrs, ters = model.history_[:, "lr"], model.history_[:, "valid_ter"]
    expected, best = [0.01], np.inf
    for ter in ters[:-1]:  # an epoch that is not the best so far halves it
        expected.append(expected[-1] * (1.0 if ter < best else 0.5))
        best = min(best, ter)
    assert min(expected) < 0.01  # the case is one where it decays
    assert lrs == pytest.approx(expected)
    # Without early stopping there is no validation error to follow.
    constant = RNNSeq2Seq(**dict(QUICK, max_epochs=3)).fit(SHORT, _reverse(SHORT))
    assert constant.history_[:, "lr"] == [0.01] * 3


@pytest.mark.parametrize("start", [3, 0.5, np.float64(0.5), np.int64(3)])
def test_lr_decay_start_decays_every_epoch_from_there(start):
    params = dict(QUICK, max_epochs=6, lr_decay=0.5, lr_decay_start=start)
    model = RNNSeq2Seq(**params).fit(SHORT, _reverse(SHORT))
    assert model.history_[:, "lr"] == pytest.approx(
        [0.01, 0.01, 0.01, 0.005, 0.0025, 0.00125]
    )


def test_label_smoothing_raises_the_training_loss():
    plain = RNNSeq2Seq(**dict(QUICK, label_smoothing=0.0)).fit(SHORT, _reverse(SHORT))
    smoothed = RNNSeq2Seq(**dict(QUICK, label_smoothing=0.1)).fit(
        SHORT, _reverse(SHORT)
    )
    # Same weights before the first step: the smoothed cross-entropy of the
    # first epoch is above the plain one, never equal.
    assert smoothed.history_[0, "train_loss"] > plain.history_[0, "train_loss"]
    with pytest.raises(InvalidParameterError, match="label_smoothing"):
        RNNSeq2Seq(label_smoothing=1.0).fit(SHORT, _reverse(SHORT))
    with pytest.raises(InvalidParameterError, match="lr_decay"):
        RNNSeq2Seq(lr_decay=0.0).fit(SHORT, _reverse(SHORT))


def test_scheduled_sampling_never_writes_into_the_scored_logits(quick):
    import torch

    from sklearn_rnn._seq2seq_training import _sampled_logits

    source = torch.tensor([[2, 3, 4]])
    inputs = torch.tensor(
        [[quick.module_.decoder.encoder.embedding.num_embeddings - 1, 2, 3]]
    )
    logits = _sampled_logits(
        quick.module_, source, torch.tensor([3]), inputs, 0.0, banned=(0, 1)
    )
    # The banned tokens are never drawn, but their logits stay finite: the
    # loss (smoothed or not) reads every one of them.
    assert torch.isfinite(logits).all()


def test_score_accepts_several_references(quick):
    predicted = quick.predict(["abc"])
    assert quick.score(["abc"], [[predicted[0], "zzz"]]) == 1.0


def test_no_warnings_on_ordinary_use(quick):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quick.predict(TEST)


def test_prediction_decodes_in_bounded_chunks(quick, monkeypatch):
    from sklearn_rnn import _seq2seq_training

    sizes = []
    real = _seq2seq_training.greedy_search

    def recording(model, source, *args, **kwargs):
        sizes.append(source.shape)
        return real(model, source, *args, **kwargs)

    monkeypatch.setattr(_seq2seq_training, "greedy_search", recording)
    words = _strings(500, 2) + ["abcde" * 6]
    model = copy.deepcopy(quick).set_params(batch_size=16, max_batch_tokens=64)
    model.predict(words)
    assert sum(shape[0] for shape in sizes) == len(words)
    assert all(rows <= 16 and (rows == 1 or rows * cols <= 64) for rows, cols in sizes)
