"""Tests for sklearn_rnn.explain and sklearn-rnn explain."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

from sklearn_rnn import explain, make_bow_pipeline, make_rnn_pipeline

FILLER = "the a film plot actor scene story one it was and of to".split()


def _one_word_decides(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    """Seven filler words and, somewhere among them, 'good' (1) or 'bad' (0)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    docs = []
    for label in labels:
        words = list(rng.choice(FILLER, size=7))
        words.insert(int(rng.integers(0, 8)), "good" if label else "bad")
        docs.append(" ".join(words))
    return docs, labels


@pytest.fixture(scope="module")
def lstm():
    X, y = _one_word_decides(300, seed=0)
    pipe = make_rnn_pipeline(
        "lstm",
        hidden_size=16,
        embedding_dim=16,
        lr=1e-2,
        max_epochs=15,
        early_stopping=False,
        random_state=0,
        padder_params={"max_len": 20},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipe.fit(X, y)


def test_deleting_the_top_token_moves_the_probability_more_than_a_random_one(lstm):
    """The attributions mean something: the test of issue 22, on a task where
    one word decides (mean over 40 documents, 5 random deletions each)."""
    docs, _ = _one_word_decides(40, seed=1)
    rng = np.random.default_rng(0)
    top_moves, random_moves, decisive_on_top = [], [], 0
    for doc in docs:
        why = explain(lstm, doc)
        assert len(why.tokens) == len(why.scores) == 8
        index = list(lstm.classes_).index(why.target)

        def probability_without(i: int, why=why, index=index) -> float:
            kept = why.tokens[:i] + why.tokens[i + 1 :]
            return lstm.predict_proba([" ".join(kept)])[0, index]

        top = int(np.argmax(why.scores))
        decisive_on_top += why.tokens[top] in ("good", "bad")
        top_moves.append(abs(why.probability - probability_without(top)))
        random_moves.append(
            np.mean(
                [
                    abs(why.probability - probability_without(i))
                    for i in rng.integers(0, len(why.tokens), size=5)
                ]
            )
        )
    assert decisive_on_top >= 36
    assert np.mean(top_moves) > 2 * np.mean(random_moves)


def test_integrated_gradients_add_up_to_the_change_from_the_padding_baseline(lstm):
    import torch

    doc = "the film was good and the plot of it"
    why = explain(lstm, doc, n_steps=100)
    classifier = lstm[-1]
    ids = lstm[:-1].transform([doc])[0]
    rows = classifier._rows.to_rows([ids[ids != 0]])[0]
    pads = torch.zeros((1, len(rows)), dtype=torch.long)
    with torch.no_grad():
        logits = classifier.net_.module_(pads, torch.tensor([len(rows)]))
    index = list(classifier.classes_).index(why.target)
    baseline = torch.softmax(logits, dim=-1)[0, index].item()
    assert why.scores.sum() == pytest.approx(why.probability - baseline, abs=0.01)
    assert why.method == "integrated gradients"
    other = explain(lstm, doc, target=1 - why.target)
    np.testing.assert_allclose(other.scores, -why.scores, atol=1e-4)  # two classes


def test_tokens_are_those_the_pipeline_read_lower_cased_and_cut(lstm):
    from sklearn.base import clone

    why = explain(lstm, "The FILM was GOOD, unseenword")
    assert why.tokens == ["the", "film", "was", "good", ",", "unseenword"]
    cut = clone(lstm).set_params(padder__max_len=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cut.fit(*_one_word_decides(40, seed=2))
        why = explain(cut, "the film was good")
    assert why.tokens == ["the", "film", "was"] and len(why.scores) == 3
    empty = explain(lstm, "")
    assert empty.tokens == [] and empty.scores.shape == (0,)


@pytest.mark.parametrize("classifier", ["logreg", "nb"])
def test_bag_of_words_scores_are_the_coefficients(classifier):
    X, y = _one_word_decides(200, seed=3)
    pipe = make_bow_pipeline(classifier).fit(X, y)
    why = explain(pipe, "the film was good")
    assert why.method == "coefficients" and why.target == 1
    assert why.top(1)[0][0] == "good"
    vocabulary = pipe[0].vocabulary_
    model = pipe[-1]
    if classifier == "logreg":
        expected = model.coef_[0][vocabulary["good"]]
    else:
        log_prob = model.feature_log_prob_[:, vocabulary["good"]]
        expected = log_prob[1] - log_prob[0]
    assert why.scores[3] == pytest.approx(expected)
    proba = pipe.predict_proba(["the film was good"])[0, 1]
    assert why.probability == pytest.approx(proba)
    against = explain(pipe, "the film was good", target=0)
    np.testing.assert_allclose(against.scores, -why.scores)


def test_bigrams_share_their_weight_among_their_tokens():
    X, y = _one_word_decides(200, seed=4)
    pipe = make_bow_pipeline("logreg", ngram_range=(1, 2)).fit(X, y)
    why = explain(pipe, "was good")
    coef, vocabulary = pipe[-1].coef_[0], pipe[0].vocabulary_
    bigram = coef[vocabulary["was good"]] / 2 if "was good" in vocabulary else 0.0
    assert why.scores[1] == pytest.approx(coef[vocabulary["good"]] + bigram)


def test_bad_arguments_are_clear_errors(lstm):
    from sklearn.exceptions import NotFittedError


    with pytest.raises(TypeError, match="text must be one document"):
        explain(lstm, ["a", "list"])
    with pytest.raises(ValueError, match="target 'pos' is not a class of the model"):
        explain(lstm, "a film", target="pos")
    with pytest.raises(TypeError, match="needs a fitted pipeline"):
        explain(lstm[-1], "a film")
    with pytest.raises(NotFittedError):
        explain(make_bow_pipeline("nb"), "a film")
    with pytest.raises(TypeError, match="has no predict_proba|with predict_proba"):
        explain(object(), "a film")


def test_other_classifiers_are_explained_by_occlusion(monkeypatch):
    """An HMM pipeline or a stack: a token's score is the probability of the
    document minus that of the document without it, in bounded batches."""
    from sklearn_rnn import _explain, make_hmm_pipeline, stacked_model

    X, y = _one_word_decides(200, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hmm = make_hmm_pipeline(random_state=0).fit(X, y)
    stack = stacked_model(
        [("logreg", make_bow_pipeline("logreg")), ("nb", make_bow_pipeline("nb"))]
    ).fit(X, y)
    text = "The film, it was GOOD"
    words = ["the", "film", ",", "it", "was", "good"]
    left_out = [
        " film, it was GOOD", "The , it was GOOD", "The film it was GOOD",
        "The film,  was GOOD", "The film, it  GOOD", "The film, it was ",
    ]  # fmt: skip
    for model in (hmm, stack):
        why = explain(model, text, target=1)
        assert why.method == "occlusion" and why.tokens == words
        whole = model.predict_proba([text])[0, 1]
        expected = whole - model.predict_proba(left_out)[:, 1]
        np.testing.assert_allclose(why.scores, expected, rtol=0, atol=1e-12)
        assert why.top(1)[0][0] == "good" and why.probability == pytest.approx(whole)
        # a batch of one document at a time gives the same scores
        monkeypatch.setattr(_explain, "OCCLUSION_BATCH_CHARS", 1)
        np.testing.assert_allclose(explain(model, text, 1).scores, why.scores, atol=0)
        monkeypatch.undo()
    assert explain(stack, "").tokens == [] and not len(explain(stack, "").scores)


def test_html_and_terminal_shading(lstm):
    why = explain(lstm, "the <b>film</b> was good")
    page = why.to_html()
    assert page.startswith("<!DOCTYPE html>") and "&lt;" in page and "<b>" not in page
    assert page.count("<span ") == len(why.tokens)
    shaded = why.to_ansi()
    assert shaded.count("\x1b[0m") == len(why.tokens)


# -- the command -----------------------------------------------------------------


@pytest.fixture(scope="module")
def model_file(lstm, tmp_path_factory):
    from sklearn_rnn._saved_model import make_record, save_model

    path = tmp_path_factory.mktemp("model") / "lstm.skops"
    record = make_record(
        lstm, name="lstm", text_column="text", label_column="label",
        training_file=None, source="test", n_documents=300, seed=0,
    )  # fmt: skip
    with open(path, "wb") as file:
        save_model(lstm, file, record)
    return path


def test_the_command_prints_scores_and_writes_html(model_file, tmp_path, capsys):
    from sklearn_rnn.cli import main

    page = tmp_path / "why.html"
    argv = ["explain", "--model", str(model_file), "the film was good"]
    assert main([*argv, "--html", str(page)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1 (probability ") and "integrated gradients" in out[0]
    assert [line.split("\t")[1] for line in out[1:]] == "the film was good".split()
    assert "\x1b[" not in "".join(out)  # not a terminal: no escape codes
    assert page.read_text().count("<span ") == 4


def test_the_command_shades_on_a_terminal(model_file, monkeypatch, capsys):
    from sklearn_rnn.cli import main

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert main(["explain", "--model", str(model_file), "a bad film"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[1].count("\x1b[0m") == 3


def test_the_command_refuses_an_unknown_target(model_file, capsys):
    from sklearn_rnn.cli import main

    argv = ["explain", "--model", str(model_file), "a film", "--target", "pos"]
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "sklearn-rnn: error: --target 'pos' is not a class of the model; its "
        "classes are 0, 1."
    ]
