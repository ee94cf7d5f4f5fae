"""Tests for sklearn_rnn.compare and its plot: identical folds, tables, plots."""

from __future__ import annotations

import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_validate

from sklearn_rnn.baselines import make_bow_pipeline
from sklearn_rnn.compare import (
    ComparisonResult,
    IncompleteComparisonError,
    compare_models,
    corrected_ttest,
    default_models,
    evaluate_holdout,
    plot_comparison,
)
from sklearn_rnn.datasets import make_order_sentiment
from sklearn_rnn.stats import wilson_interval

X, Y = make_order_sentiment(400, random_state=0)
SUMMARY_COLUMNS = [
    "accuracy_mean",
    "accuracy_std",
    "f1_macro_mean",
    "f1_macro_std",
    "fit_time",
    "score_time",
    "p_value",
    "tied_with_best",
]
#: On a held-out set, the Wilson interval of the accuracy comes before p_value.
HOLDOUT_COLUMNS = [
    *SUMMARY_COLUMNS[:6],
    "accuracy_ci_low",
    "accuracy_ci_high",
    *SUMMARY_COLUMNS[6:],
]


def _bow_models():
    return {
        "unigrams": make_bow_pipeline("nb"),
        "bigrams": make_bow_pipeline("nb", ngram_range=(1, 2)),
        "majority": DummyClassifier(strategy="most_frequent"),
    }


@pytest.fixture(scope="module")
def result():
    return compare_models(X, Y, models=_bow_models(), cv=4, progress=False)


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class and records the documents it was fitted on."""

    seen: list = []

    def __init__(self, tag="a"):
        self.tag = tag

    def fit(self, X, y):
        RecordingClassifier.seen.append((self.tag, frozenset(X)))
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[counts.argmax()]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


# -- folds --------------------------------------------------------------------


def test_every_model_sees_identical_stratified_folds():
    docs = [f"doc{i} {text}" for i, text in enumerate(X)]
    RecordingClassifier.seen = []
    res = compare_models(
        docs,
        Y,
        models={"a": RecordingClassifier("a"), "b": RecordingClassifier("b")},
        cv=3,
        random_state=7,
        progress=False,
    )
    by_model = {"a": [], "b": []}
    for tag, train_docs in RecordingClassifier.seen:
        by_model[tag].append(train_docs)
    assert by_model["a"] == by_model["b"] and len(by_model["a"]) == 3
    expected = StratifiedKFold(3, shuffle=True, random_state=7).split(docs, Y)
    for (train, test), (exp_train, exp_test), seen in zip(
        res.splits, expected, by_model["a"]
    ):
        np.testing.assert_array_equal(train, exp_train)
        np.testing.assert_array_equal(test, exp_test)
        assert seen == frozenset(docs[i] for i in train)


def test_fold_scores_match_a_manual_cross_validate(result):
    folds = StratifiedKFold(4, shuffle=True, random_state=0)
    scores = result.fold_scores
    for name, model in _bow_models().items():
        manual = cross_validate(model, X, Y, cv=folds, scoring="accuracy")
        ours = scores[scores["model"] == name].sort_values("fold")
        np.testing.assert_allclose(ours["accuracy"], manual["test_score"])


def test_cv_accepts_a_splitter_and_explicit_pairs():
    splitter = StratifiedKFold(3, shuffle=True, random_state=1)
    pairs = list(splitter.split(X, Y))
    a = compare_models(X, Y, models=["bow_nb"], cv=splitter, progress=False)
    b = compare_models(X, Y, models=["bow_nb"], cv=pairs, progress=False)
    pd.testing.assert_series_equal(a.fold_scores["accuracy"], b.fold_scores["accuracy"])


def test_n_jobs_2_gives_the_same_scores(result):
    parallel = compare_models(
        X, Y, models=_bow_models(), cv=4, n_jobs=2, progress=False
    )
    columns = ["model", "fold", "accuracy", "f1_macro"]
    pd.testing.assert_frame_equal(
        parallel.fold_scores[columns], result.fold_scores[columns]
    )


def test_n_jobs_above_the_number_of_fits_starts_one_process_per_fit(monkeypatch):
    import sklearn_rnn._runner

    seen = []

    class RecordingParallel(sklearn_rnn._runner.Parallel):
        def __init__(self, n_jobs=None, **kwargs):
            seen.append(n_jobs)
            super().__init__(n_jobs=1, **kwargs)

    monkeypatch.setattr(sklearn_rnn._runner, "Parallel", RecordingParallel)
    for n_jobs in [500, 3, None, -1]:
        compare_models(X, Y, models=["bow_nb"], cv=2, n_jobs=n_jobs, progress=False)
    assert seen == [2, 2, None, -1]


# -- the summary table ----------------------------------------------------------


def test_summary_columns_order_and_values(result):
    summary = result.summary
    assert isinstance(result, ComparisonResult)
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert summary.index.name == "model"
    assert set(summary.index) == set(_bow_models())
    assert summary["accuracy_mean"].is_monotonic_decreasing
    assert result.best == summary.index[0] == "bigrams"
    grouped = result.fold_scores.groupby("model")
    for name, row in summary.iterrows():
        assert row["accuracy_mean"] == pytest.approx(grouped["accuracy"].mean()[name])
        assert row["accuracy_std"] == pytest.approx(
            np.std(grouped.get_group(name)["accuracy"])
        )
        assert row["fit_time"] > 0 and row["score_time"] > 0
    assert list(result.fold_scores.columns) == [
        "model",
        "fold",
        "accuracy",
        "f1_macro",
        "fit_time",
        "score_time",
    ]
    assert len(result.fold_scores) == 3 * 4


def test_p_values_and_tied_column(result):
    summary, folds = result.summary, result.fold_scores
    matrix = folds.pivot(index="fold", columns="model", values="accuracy")
    n_train = np.mean([len(train) for train, _ in result.splits])
    n_test = np.mean([len(test) for _, test in result.splits])
    assert np.isnan(summary.loc["bigrams", "p_value"])
    for name in ["unigrams", "majority"]:
        _, p = corrected_ttest(matrix["bigrams"] - matrix[name], n_train, n_test)
        assert summary.loc[name, "p_value"] == pytest.approx(p)
    # bigrams learn the word-order task; unigrams and the majority class can't
    assert summary["tied_with_best"].dtype == bool
    assert summary["tied_with_best"].tolist() == [True, False, False]
    assert (summary["p_value"].iloc[1:] < 0.05).all()


def test_identical_models_are_tied_with_p_value_one():
    models = {"nb": make_bow_pipeline("nb"), "nb_again": make_bow_pipeline("nb")}
    res = compare_models(X, Y, models=models, cv=3, progress=False)
    assert res.summary["p_value"].iloc[1] == 1.0
    assert res.summary["tied_with_best"].all()
    # ties keep the order given
    assert list(res.summary.index) == ["nb", "nb_again"]


def test_alpha_controls_the_tied_column(result):
    res = compare_models(X, Y, models=_bow_models(), cv=4, progress=False, alpha=0.999)
    assert res.summary["tied_with_best"].sum() == 1
    assert res.alpha == 0.999


def test_scoring_single_metric_and_dict():
    res = compare_models(
        X, Y, models=["bow_nb"], cv=2, scoring="f1_macro", progress=False
    )
    assert res.scoring == ("f1_macro",)
    assert list(res.summary.columns[:2]) == ["f1_macro_mean", "f1_macro_std"]
    res = compare_models(
        X,
        Y,
        models=["bow_nb"],
        cv=2,
        scoring={"always_one": lambda est, X, y: 1.0},
        progress=False,
    )
    assert (res.fold_scores["always_one"] == 1.0).all()


def test_text_table_and_repr(result):
    text = str(result)
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["model", "accuracy", "f1_macro"]
    assert lines[1].startswith("bigrams") and "±" in lines[1]
    assert "Nadeau & Bengio" in text and "4-fold" in text
    assert repr(result).startswith("<ComparisonResult: 3 models, cross-validation")
    frame = result.to_frame()
    frame.iloc[0, 0] = -1.0
    assert result.summary.iloc[0, 0] != -1.0
    assert "<table" in result._repr_html_()


def test_string_labels_and_pandas_input():
    labels = np.where(Y == 1, "pos", "neg").astype(object)
    res = compare_models(
        pd.Series(X), pd.Series(labels), models=["bow_nb"], cv=2, progress=False
    )
    assert len(res.summary) == 1


def test_progress_bar_on_stderr(capsys):
    compare_models(X, Y, models=["bow_nb"], cv=2, progress=True)
    assert "fits" in capsys.readouterr().err
    compare_models(X, Y, models=["bow_nb"], cv=2, progress=False)
    assert capsys.readouterr().err == ""


def test_a_tiny_recurrent_model_runs():
    tiny = default_models(max_epochs=1)["gru"].set_params(
        classifier__hidden_size=8, classifier__embedding_dim=8
    )
    res = compare_models(
        X, Y, models={"gru": tiny, "nb": make_bow_pipeline("nb")}, cv=2, progress=False
    )
    assert set(res.summary.index) == {"gru", "nb"}


# -- default models ---------------------------------------------------------------


def test_default_models():
    models = default_models(max_epochs=3, random_state=5)
    assert list(models) == ["bow_logreg", "bow_nb", "hmm", "rnn", "lstm", "gru"]
    for cell in ["rnn", "lstm", "gru"]:
        params = models[cell].get_params()
        assert params["classifier__cell"] == cell
        assert params["classifier__max_epochs"] == 3
        assert params["classifier__random_state"] == 5
    assert models["hmm"].get_params()["classifier__random_state"] == 5
    assert default_models()["lstm"].get_params()["classifier__max_epochs"] == 20


def test_the_stacks_of_bag_of_words_and_lstm_are_built_only_when_named():
    from sklearn.ensemble import StackingClassifier

    from sklearn_rnn._compare_checks import check_model_names
    from sklearn_rnn.compare import _check_models

    assert not {"stack_bow", "stack_bow_lstm"} & set(default_models())
    names = ["stack_bow_lstm", "bow_nb", "stack_bow"]
    assert check_model_names(names) == names
    stacks = _check_models(names, random_state=5, max_epochs=3)
    for name, members in [
        ("stack_bow", ["bigrams", "nb"]),
        ("stack_bow_lstm", ["bigrams", "nb", "lstm"]),
    ]:
        stack = stacks[name]
        assert isinstance(stack, StackingClassifier)
        assert [member for member, _ in stack.estimators] == members
        params = stack.get_params()
        assert params["bigrams__vectorizer__ngram_range"] == (1, 2)
        assert params["nb__classifier"].get_params() == (
            default_models()["bow_nb"].get_params()["classifier"].get_params()
        )
        assert stack.stack_method == "predict_proba"
        assert isinstance(stack.cv, StratifiedKFold)
        assert (stack.cv.n_splits, stack.cv.shuffle, stack.cv.random_state) == (
            3,
            True,
            5,
        )
    params = stacks["stack_bow_lstm"].get_params()
    assert params["lstm__classifier__cell"] == "lstm"
    assert params["lstm__classifier__max_epochs"] == 3
    assert params["lstm__classifier__random_state"] == 5
    # the two stacks share no member object: setting one leaves the other
    stacks["stack_bow"].set_params(nb__classifier__alpha=0.5)
    assert stacks["stack_bow_lstm"].get_params()["nb__classifier__alpha"] != 0.5


def test_the_stack_runs_and_learns_from_both_members():
    from sklearn_rnn.compare import _check_models

    stack = _check_models(["stack_bow_lstm"], random_state=0, max_epochs=2)[
        "stack_bow_lstm"
    ].set_params(
        lstm__classifier__hidden_size=8,
        lstm__classifier__embedding_dim=8,
        lstm__classifier__refit=False,
        cv=2,
    )
    res = compare_models(
        X, Y, models={"stack": stack, "nb": make_bow_pipeline("nb")}, cv=2,
        progress=False,
    )
    assert set(res.summary.index) == {"stack", "nb"}
    fitted = stack.fit(X[:200], Y[:200])
    # one coefficient per member (two classes: one probability column each)
    assert fitted.final_estimator_.coef_.shape == (1, 3)
    assert fitted.predict_proba(X[200:210]).shape == (10, 2)


# -- held-out set -----------------------------------------------------------------


def test_evaluate_holdout():
    models = _bow_models()
    res = evaluate_holdout(
        X[:90], Y[:90], X[90:], Y[90:], models=models, progress=False
    )
    assert res.method == "holdout"
    assert list(res.summary.columns) == HOLDOUT_COLUMNS
    assert res.summary["accuracy_std"].isna().all()
    assert (res.fold_scores["fold"] == 0).all() and len(res.fold_scores) == 3
    expected = models["bigrams"].fit(X[:90], Y[:90]).score(X[90:], Y[90:])
    assert res.summary.loc["bigrams", "accuracy_mean"] == pytest.approx(expected)
    assert "held-out set of 310 documents" in str(res)
    assert "±" not in str(res)


class FixedAnswers(ClassifierMixin, BaseEstimator):
    """Answers each document with the label stored for it."""

    def __init__(self, answers=None):
        self.answers = answers

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.array([self.answers[doc] for doc in X])


def _answering(right: set, docs, labels):
    """A model right on the documents at the positions in ``right`` only."""
    other = {"pos": "neg", "neg": "pos"}
    return FixedAnswers(
        {d: t if i in right else other[t] for i, (d, t) in enumerate(zip(docs, labels))}
    )


def test_holdout_tests_each_model_against_the_best_with_mcnemar():
    docs = [f"document {i}" for i in range(100)]
    labels = np.array(["pos", "neg"] * 50, dtype=object)
    both, a_only, b_only = set(range(70)), set(range(70, 82)), set(range(82, 85))
    models = {
        "b": _answering(both | b_only, docs, labels),
        "a": _answering(both | a_only, docs, labels),
        "same_as_a": _answering(both | a_only, docs, labels),
    }
    res = evaluate_holdout(
        docs[:4], labels[:4], docs, labels, models=models, progress=False
    )
    summary = res.summary
    assert list(summary.index) == ["a", "same_as_a", "b"]
    assert summary["accuracy_mean"].tolist() == [0.82, 0.82, 0.73]
    # McNemar: 12 documents only a gets right, 3 only b: 2 P(X <= 3), n = 15
    assert np.isnan(summary.loc["a", "p_value"])
    assert summary.loc["same_as_a", "p_value"] == 1.0
    assert summary.loc["b", "p_value"] == pytest.approx(0.03515625)
    assert summary["tied_with_best"].dtype == bool
    assert summary["tied_with_best"].tolist() == [True, True, False]
    for name, right in [("a", 82), ("b", 73)]:
        low, high = wilson_interval(right, 100)
        assert summary.loc[name, "accuracy_ci_low"] == pytest.approx(low)
        assert summary.loc[name, "accuracy_ci_high"] == pytest.approx(high)
    # the per-document correctness behind them
    assert list(res.correct.columns) == ["b", "a", "same_as_a"]
    assert res.correct.shape == (100, 3) and res.correct.dtypes.eq(bool).all()
    assert res.correct["a"].sum() == 82
    text = str(res)
    assert "accuracy 95% CI" in text.splitlines()[0]
    assert "p-value" in text and "tied with best" in text
    assert "McNemar" in text and "Wilson" in text
    assert "[0.733, 0.883]" in text.splitlines()[1]
    # the ranking metric may be another one; the test stays on correctness
    res = evaluate_holdout(
        docs[:4],
        labels[:4],
        docs,
        labels,
        models=models,
        scoring="f1_macro",
        progress=False,
    )
    assert res.summary.loc["b", "p_value"] == pytest.approx(0.03515625)
    assert "accuracy_ci_low" in res.summary


def test_holdout_alpha_controls_the_tied_column():
    res = evaluate_holdout(
        X[:90],
        Y[:90],
        X[90:],
        Y[90:],
        models=_bow_models(),
        progress=False,
        alpha=0.999,
    )
    assert res.alpha == 0.999
    assert res.summary["tied_with_best"].sum() == 1


def test_holdout_warns_of_a_class_never_seen_in_training():
    docs = [f"document {i}" for i in range(12)]
    train = np.array(["pos", "neg"] * 3, dtype=object)
    test = np.array(["pos", "neg", "meh", "meh", "pos", "neg"], dtype=object)
    with pytest.warns(UserWarning, match=r"class 'meh' \(2 documents\) never seen"):
        evaluate_holdout(
            docs[:6], train, docs[6:], test, models=["bow_nb"], progress=False
        )


def test_evaluate_holdout_names_the_bad_part():
    with pytest.raises(ValueError, match="Test data: X and y have different lengths"):
        evaluate_holdout(X[:90], Y[:90], X[90:], Y[91:], models=["bow_nb"])
    with pytest.raises(ValueError, match="Training data: The text input is empty"):
        evaluate_holdout([], [], X, Y, models=["bow_nb"])


# -- errors ----------------------------------------------------------------------


def test_a_class_smaller_than_cv_is_named():
    labels = np.array(["ham"] * 10 + ["spam"] * 3, dtype=object)
    docs = [f"text {i}" for i in range(13)]
    with pytest.raises(ValueError, match=r"cv=5 folds: class 'spam' has 3 members"):
        compare_models(docs, labels, models=["bow_nb"], cv=5)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(models=["bow_nb", "cnn"]), ValueError, r"Unknown model name\(s\) 'cnn'"),
        (dict(models=["bow_nb", "bow_nb"]), ValueError, "given twice"),
        (dict(models={}), ValueError, "models is empty"),
        (dict(models={"x": "not a model"}), TypeError, "Model 'x' is a str"),
        (dict(models=[1]), TypeError, "list holds 1"),
        (dict(cv=1), ValueError, "at least 2 folds"),
        (dict(cv="five"), TypeError, "cv must be an int"),
        (dict(cv=[([0, 1], [2]), ([2], [999])]), ValueError, "outside 0..399"),
        (dict(cv=[([0, 1], [2])]), ValueError, "at least 2"),
        (dict(scoring="no_such_metric"), ValueError, "no_such_metric"),
        (dict(scoring=[]), ValueError, "scoring is empty"),
        (dict(alpha=1.5), ValueError, "alpha must be"),
    ],
)
def test_parameter_errors(kwargs, error, match):
    kwargs = {"models": ["bow_nb"], **kwargs}
    with pytest.raises(error, match=match):
        compare_models(X, Y, **kwargs)


@pytest.mark.parametrize(
    "docs, labels, error, match",
    [
        (None, Y, TypeError, "got None"),
        ("one text", Y, TypeError, "Wrap a single document"),
        ([], [], ValueError, "empty"),
        (X, Y[:-1], ValueError, "different lengths"),
        (X, [None] + list(Y[1:]), ValueError, "missing label"),
        (X, np.zeros(len(X)), ValueError, "single class"),
    ],
)
def test_data_errors(docs, labels, error, match):
    with pytest.raises(error, match=match):
        compare_models(docs, labels, models=["bow_nb"])


# -- plot --------------------------------------------------------------------------


def test_plot_comparison_has_one_row_per_model(result):
    fig = plot_comparison(result)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels == ["bigrams", "unigrams", "majority"]
    positions = dict(zip(labels, ax.get_yticks()))
    assert positions["bigrams"] > positions["unigrams"] > positions["majority"]
    assert ax.get_xlabel() == "accuracy"
    assert len(ax.collections) >= 3  # one set of fold dots per model
    fig = plot_comparison(result, metric="f1_macro")
    assert fig.axes[0].get_xlabel() == "f1_macro"


def test_plot_comparison_into_given_axes_and_holdout(result):
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_comparison(result, ax=ax) is fig
    holdout = evaluate_holdout(
        X[:90], Y[:90], X[90:], Y[90:], models=["bow_nb"], progress=False
    )
    assert len(plot_comparison(holdout).axes[0].get_yticklabels()) == 1


def test_plot_comparison_on_a_holdout_shows_the_interval_and_the_test():
    holdout = evaluate_holdout(
        X[:90], Y[:90], X[90:], Y[90:], models=_bow_models(), progress=False
    )
    assert holdout.summary["tied_with_best"].tolist() == [True, False, False]
    (ax,) = plot_comparison(holdout).axes
    bars = dict(zip(holdout.summary.index, ax.containers))  # drawn best first
    for name, row in holdout.summary.iterrows():
        (caps,) = bars[name].lines[2]  # the horizontal bar: the 95 % interval
        (low, _), (high, _) = caps.get_segments()[0]
        assert (low, high) == pytest.approx(
            (row["accuracy_ci_low"], row["accuracy_ci_high"])
        )
    colours = [tuple(bars[name].lines[0].get_color()) for name in holdout.summary.index]
    assert colours[1] == colours[2] != colours[0]  # grey: worse than the best
    assert "Wilson" in ax.get_title() and "McNemar" in ax.get_title()
    (ax,) = plot_comparison(holdout, metric="f1_macro").axes
    assert all(not container.has_xerr for container in ax.containers)


def test_plot_comparison_errors(result):
    with pytest.raises(ValueError, match="Unknown metric 'roc_auc'"):
        plot_comparison(result, metric="roc_auc")
    with pytest.raises(TypeError, match="ComparisonResult"):
        plot_comparison(result.summary)


def test_matplotlib_is_imported_only_to_draw():
    code = "import sys, sklearn_rnn.cli; print('matplotlib' in sys.modules)"
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "False"


class RunsOutOfMemory(ClassifierMixin, BaseEstimator):
    """Fails as a too-large network would, on every fold."""

    def fit(self, X, y):
        raise MemoryError("cannot allocate 8.0 GiB")


@pytest.mark.parametrize("holdout", [False, True])
def test_running_out_of_memory_keeps_the_models_that_finished(holdout):
    models = {"nb": make_bow_pipeline("nb"), "huge": RunsOutOfMemory()}
    with pytest.raises(IncompleteComparisonError, match="Out of memory") as caught:
        if holdout:
            evaluate_holdout(X[:300], Y[:300], X[300:], Y[300:], models, progress=False)
        else:
            compare_models(X, Y, models=models, cv=2, progress=False)
    stopped = caught.value
    assert stopped.failed == ("huge", 0)
    assert "cannot allocate 8.0 GiB" in str(stopped)
    assert list(stopped.result.summary.index) == ["nb"]
    assert isinstance(stopped, MemoryError)


def test_other_errors_are_not_taken_for_memory():
    class Broken(RunsOutOfMemory):
        def fit(self, X, y):
            raise ValueError("not memory")

    with pytest.raises(ValueError, match="not memory"):
        compare_models(X, Y, models={"b": Broken()}, cv=2, progress=False)


def _stopped_early():
    """A model that warns in every fit: one iteration of logistic regression."""
    return make_bow_pipeline("logreg").set_params(classifier__max_iter=1)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_fit_s_warnings_are_warned_again_with_model_and_fold(n_jobs):
    with pytest.warns(ConvergenceWarning) as caught:
        compare_models(
            X,
            Y,
            models={"short": _stopped_early()},
            cv=2,
            n_jobs=n_jobs,
            progress=False,
        )
    said = sorted(str(w.message) for w in caught if w.category is ConvergenceWarning)
    assert len(said) == 2  # once per fold, also from worker processes
    assert said[0].startswith("short, fold 0: ") and "lbfgs" in said[0]
    assert said[1].startswith("short, fold 1: ")
    first = next(w.message for w in caught if w.category is ConvergenceWarning)
    assert first.model == "short" and first.fold in (0, 1)
    assert first.text.startswith("lbfgs failed to converge")


def test_warning_lines_group_one_model_s_folds_by_where_they_warned():
    from sklearn_rnn._runner import _warn_again, fit_warning_lines

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fold in range(3):
            said = [(UserWarning, f"cut {fold} documents", "text.py:10")]
            said.append((UserWarning, "low coverage", "vectors.py:20"))
            _warn_again(said, "lstm", fold)
        warnings.warn("no model", RuntimeWarning, stacklevel=1)
    assert fit_warning_lines(caught) == [
        "UserWarning: lstm, fold 0: cut 0 documents (and in 2 more fold(s))",
        "UserWarning: lstm, fold 0: low coverage (and in 2 more fold(s))",
        "RuntimeWarning: no model",
    ]


def test_the_caller_s_filters_apply_to_what_workers_warned():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        compare_models(
            X, Y, models={"short": _stopped_early()}, cv=2, n_jobs=2, progress=False
        )
    assert not [w for w in caught if w.category is ConvergenceWarning]


def test_progress_lines_when_stderr_is_not_a_terminal(capsys):
    compare_models(X, Y, models=["bow_nb"], cv=2, progress=True)
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["fits 1/2", "fits 2/2"]
    assert "bow_nb, fold" in lines[0]


def test_epochs_are_reported_to_a_listener():
    from sklearn_rnn._resources import epoch_listener

    seen = []
    tiny = default_models(max_epochs=3)["gru"].set_params(
        classifier__hidden_size=4,
        classifier__embedding_dim=4,
        classifier__early_stopping=False,
    )
    with epoch_listener(seen.append):
        tiny.fit(X[:40], Y[:40])
    assert seen == [1, 2, 3]
