"""Compare text classifiers on identical cross-validation folds.

:func:`compare_models` fits every model on the same stratified folds, so that
score differences come from the models and not from the splits, and tells
which models cannot be told apart from the best one with the corrected
resampled t-test of Nadeau & Bengio (2003). :func:`evaluate_holdout` scores
the same models on a fixed test set instead, with McNemar's exact test on
the same test documents. Both return a :class:`ComparisonResult`. The tests
themselves are in :mod:`sklearn_rnn.stats` (:func:`corrected_ttest` is
importable from here too), the checks of the arguments in
``_compare_checks.py``, and :func:`plot_comparison`
(:mod:`sklearn_rnn.plotting`) draws the per-fold scores.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._compare_checks import (
    MODEL_NAMES,
    OPT_IN_MODEL_NAMES,
    VECTOR_MODEL_NAMES,
    check_alpha,
    check_data,
    check_folds,
    check_metrics,
    check_model_names,
    unseen_classes,
)
from ._result import ComparisonResult, summarise
from ._runner import FitsStopped, run_fits
from .plotting import plot_comparison
from .stats import corrected_ttest

__all__ = [
    "ComparisonResult",
    "IncompleteComparisonError",
    "default_models",
    "stacked_model",
    "compare_models",
    "evaluate_holdout",
    "corrected_ttest",
    "plot_comparison",
]

_DEFAULT_SCORING = ("accuracy", "f1_macro")


class IncompleteComparisonError(MemoryError):
    """A fit of a comparison ran out of memory, and the comparison stopped.

    Attributes
    ----------
    result : ComparisonResult or None
        The models whose every fit finished before the failure, compared
        among themselves; None when none did.
    failed : tuple of (str, int) or None
        The model name and fold that ran out of memory (None when a worker
        process was killed and it is not known which).
    """

    def __init__(self, message: str, result, failed):
        super().__init__(message)
        self.result, self.failed = result, failed


def _stopped(stopped, names, metrics, splits, alpha, method):
    """The :class:`IncompleteComparisonError` of a run that ran out of memory."""
    rows = stopped.rows
    counts = rows["model"].value_counts() if len(rows) else pd.Series(dtype=int)
    done = [name for name in names if counts.get(name, 0) == len(splits)]
    result = None
    if done:
        folds = rows[rows["model"].isin(done)].reset_index(drop=True)
        correct = None
        if method == "holdout":
            correct = pd.DataFrame({n: stopped.correct[n, 0] for n in done})
            correct.index.name = "document"
        summary = summarise(folds, metrics, splits, alpha, method, correct)
        result = ComparisonResult(
            summary, folds, metrics, splits, alpha, method, correct
        )
    message = (
        f"Out of memory: {stopped.reason}. The comparison stopped; "
        f"{len(done)} of {len(names)} models had finished every fit."
    )
    return IncompleteComparisonError(message, result, stopped.failed)


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------


def default_models(
    max_epochs: int | None = None,
    random_state: int | None = 0,
    vectors=None,
) -> dict[str, object]:
    """Return the default models of a comparison, by name.

    Parameters
    ----------
    max_epochs : int, default=None
        Maximum training epochs of the recurrent models; None keeps the
        :class:`~sklearn_rnn.RNNClassifier` default (early stopping on a
        validation split ends training sooner in either case).
    random_state : int, RandomState instance or None, default=0
        Seed of the HMM and the recurrent networks.
    vectors : str, path-like or WordVectors, default=None
        Pretrained word vectors; when given, the same three recurrent models
        initialised from them are added as ``"rnn_vectors"``,
        ``"lstm_vectors"`` and ``"gru_vectors"``.

    Returns
    -------
    models : dict of str to Pipeline
        Unfitted pipelines that take raw text, in this order:

        - ``"bow_logreg"``: word counts and logistic regression
          (:func:`~sklearn_rnn.make_bow_pipeline`);
        - ``"bow_nb"``: word counts and multinomial naive Bayes;
        - ``"hmm"``: one categorical HMM per class
          (:func:`~sklearn_rnn.make_hmm_pipeline`);
        - ``"rnn"``, ``"lstm"``, ``"gru"``: recurrent networks
          (:func:`~sklearn_rnn.make_rnn_pipeline`) with the default
          hyperparameters;
        - with ``vectors``, ``"rnn_vectors"``, ``"lstm_vectors"``,
          ``"gru_vectors"``: the same with ``vectors=vectors``.

    See Also
    --------
    compare_models : Cross-validate these (or your own) models.

    Examples
    --------
    >>> from sklearn_rnn.compare import default_models
    >>> models = default_models(max_epochs=5)
    >>> list(models)
    ['bow_logreg', 'bow_nb', 'hmm', 'rnn', 'lstm', 'gru']
    >>> models["gru"].get_params()["classifier__max_epochs"]
    5
    """
    # Imported here, on use: they import PyTorch, which the command line
    # loads only once the arguments and the data have been checked.
    from .baselines import make_bow_pipeline
    from .hmm import make_hmm_pipeline
    from .presets import make_rnn_pipeline

    rnn_params: dict = {"random_state": random_state}
    if max_epochs is not None:
        rnn_params["max_epochs"] = max_epochs
    models = (
        make_bow_pipeline("logreg"),
        make_bow_pipeline("nb"),
        make_hmm_pipeline(random_state=random_state),
        make_rnn_pipeline("rnn", **rnn_params),
        make_rnn_pipeline("lstm", **rnn_params),
        make_rnn_pipeline("gru", **rnn_params),
    )
    if vectors is not None:
        models += tuple(
            make_rnn_pipeline(cell, vectors=vectors, **rnn_params)
            for cell in ("rnn", "lstm", "gru")
        )
    return dict(zip(MODEL_NAMES + VECTOR_MODEL_NAMES, models))


#: Folds of the stack's inner cross-validation, which makes the out-of-fold
#: probabilities its final estimator learns from: each member is fitted this
#: many times, and once more on all the training documents.
STACK_CV = 3


def stacked_model(members, random_state=0):
    """Stack text classifiers under a logistic regression, as the comparison does.

    Parameters
    ----------
    members : list of (str, estimator)
        Named estimators that take raw text and have ``predict_proba``.
    random_state : int, RandomState instance or None, default=0
        Seed of the :data:`STACK_CV`-fold stratified split of each fit's
        training documents on which the members' out-of-fold probabilities
        are computed (never the documents scored).

    Returns
    -------
    stack : StackingClassifier
        Unfitted. Each member is fitted ``STACK_CV + 1`` times per fit.

    Examples
    --------
    >>> from sklearn_rnn import make_bow_pipeline, stacked_model
    >>> stack = stacked_model(
    ...     [("logreg", make_bow_pipeline("logreg")), ("nb", make_bow_pipeline("nb"))]
    ... )
    >>> stack.cv.n_splits
    3
    """
    from sklearn.ensemble import StackingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    return StackingClassifier(
        list(members),
        final_estimator=LogisticRegression(),
        cv=StratifiedKFold(STACK_CV, shuffle=True, random_state=random_state),
        stack_method="predict_proba",
    )


def _opt_in_models(max_epochs=None, random_state=0) -> dict[str, object]:
    """The models that :func:`compare_models` builds only when named.

    They answer whether the recurrent model adds anything to bag-of-words:
    ``"stack_bow"`` is the :func:`stacked_model` of the counting models,
    logistic regression on unigrams and bigrams and naive Bayes, and
    ``"stack_bow_lstm"`` the same with the default LSTM as a third member,
    so the difference between the two rows is what the LSTM adds to them.
    These members were chosen on validation splits of the training data of
    SST-2, TREC-6, MR and UCI Yelp, where the three-member stack was 1.7 to
    3.5 points above a stack of unigram logistic regression and the LSTM
    (``benchmarks/study_stack.py``). ``"stack_bow_lstm"`` fits the LSTM
    ``STACK_CV + 1`` times per fold, so neither is a default model.
    """
    from .baselines import make_bow_pipeline

    def counting_models():
        return [
            ("bigrams", make_bow_pipeline("logreg", ngram_range=(1, 2))),
            ("nb", make_bow_pipeline("nb")),
        ]

    lstm = default_models(max_epochs, random_state)["lstm"]
    stacks = (
        stacked_model(counting_models(), random_state),
        stacked_model([*counting_models(), ("lstm", lstm)], random_state),
    )
    return dict(zip(OPT_IN_MODEL_NAMES, stacks))


def _check_models(
    models, random_state, max_epochs=None, vectors=None
) -> dict[str, object]:
    """Turn ``models`` (None, a dict or a list of default names) into a dict."""
    if models is None:
        return default_models(max_epochs, random_state, vectors)
    if isinstance(models, Mapping):
        checked = dict(models)
    else:
        names = check_model_names(
            [models] if isinstance(models, str) else models, vectors is not None
        )
        available = default_models(max_epochs, random_state, vectors)
        if set(names) & set(OPT_IN_MODEL_NAMES):
            available.update(_opt_in_models(max_epochs, random_state))
        checked = {name: available[name] for name in names}
    if not checked:
        raise ValueError("models is empty: pass at least one model.")
    for name, estimator in checked.items():
        if not isinstance(name, str):
            raise TypeError(f"Model names must be strings; got {name!r}.")
        if not hasattr(estimator, "fit"):
            raise TypeError(
                f"Model {name!r} is a {type(estimator).__name__}, not an "
                "estimator with a fit method."
            )
    return checked


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------


def compare_models(
    X,
    y,
    models: Mapping[str, object] | Sequence[str] | None = None,
    *,
    cv=5,
    scoring: str | Sequence[str] | Mapping = _DEFAULT_SCORING,
    n_jobs: int | None = None,
    random_state: int | np.random.RandomState | None = 0,
    progress: bool | None = None,
    alpha: float = 0.05,
) -> ComparisonResult:
    """Cross-validate several text classifiers on identical stratified folds.

    The folds are drawn once and every model -- a fresh
    :func:`~sklearn.base.clone` per fold -- is fitted and scored on the very
    same ``(train, test)`` pairs. That makes the per-fold scores paired, so
    the models are compared with the corrected resampled t-test of Nadeau &
    Bengio (2003), which accounts for the overlap of the training sets
    between folds (see :func:`corrected_ttest`).

    Parameters
    ----------
    X : iterable of str
        The documents (list, tuple, array, pandas Series, ...).
    y : array-like of shape (n_documents,)
        Class labels, at least two classes.
    models : dict of str to estimator, list of str or None, default=None
        The models by name: estimators that take raw text (pipelines such as
        :func:`~sklearn_rnn.make_rnn_pipeline`), or names of
        :func:`default_models`, or the stacks built only when named:
        ``"stack_bow"``, a :class:`~sklearn.ensemble.StackingClassifier` of
        bag-of-words logistic regression on unigrams and bigrams and naive
        Bayes, whose logistic regression learns from their out-of-fold
        probabilities on each fit's training documents (3 inner folds,
        seeded), and ``"stack_bow_lstm"``, the same with the LSTM as a third
        member (fitted 4 times per fold): the difference between the two is
        what the LSTM adds to bag-of-words. None means all the default
        models, seeded with ``random_state``.
    cv : int, cross-validation splitter or iterable, default=5
        Number of folds of a shuffled
        :class:`~sklearn.model_selection.StratifiedKFold`; or a splitter
        whose ``split(X, y)`` gives the folds; or the ``(train, test)``
        index pairs themselves. At least 2 folds.
    scoring : str, list of str or dict, default=("accuracy", "f1_macro")
        Metric names known to :func:`sklearn.metrics.get_scorer`, or a dict
        of name -> scorer ``scorer(estimator, X, y)``. The first metric
        ranks the models and is the one tested. Predictions are computed
        once per fold and shared by the metrics.
    n_jobs : int, default=None
        Number of (model, fold) fits run in parallel by joblib; None means 1
        unless in a :func:`joblib.parallel_config` context, -1 all cores.
        No more processes than fits are started.
    random_state : int, RandomState instance or None, default=0
        Seeds the shuffling of the folds, and the default models when
        ``models`` is None or a list of names.
    progress : bool or None, default=None
        Show a progress bar over the (model, fold) fits on stderr. None
        shows it when stderr is a terminal.
    alpha : float, default=0.05
        Significance level: a model is ``tied_with_best`` when the test's
        p-value against the best model exceeds ``alpha``.

    Returns
    -------
    result : ComparisonResult
        ``result.summary`` is a DataFrame with one row per model (mean and
        std of each metric, mean fit and score time, ``p_value``,
        ``tied_with_best``), best first; ``result.fold_scores`` holds the
        score of every (model, fold); ``print(result)`` shows a table.

    Raises
    ------
    ValueError
        If the texts or labels are invalid (empty, missing values, a single
        class, lengths differ), a class has fewer documents than ``cv``
        folds (the message names it), a model name is unknown, or a
        parameter is out of range.

    Warns
    -----
    Warning
        What a model warns while it is fitted or scored is warned again in
        the calling process, under its warning filters, once per fit, with
        its category and the model and fold in front (``"lstm, fold 2:
        ..."``), also when the fits run in worker processes.

    See Also
    --------
    evaluate_holdout : The same comparison on a fixed test set, with
        McNemar's test.
    plot_comparison : Per-fold scores as a figure.

    Notes
    -----
    Exceptions raised while fitting a model are not caught: a model that
    fails stops the comparison. A fit that runs out of memory stops it with
    an :class:`IncompleteComparisonError` that holds the comparison of the
    models that had finished. Scikit-learn's ``UndefinedMetricWarning``
    (a class never predicted, whose precision counts as 0) is silenced
    while scoring.

    References
    ----------
    Claude Nadeau and Yoshua Bengio. 2003. "Inference for the
    generalization error." Machine Learning 52(3), 239-281.

    Examples
    --------
    >>> from sklearn_rnn.baselines import make_bow_pipeline
    >>> from sklearn_rnn.compare import compare_models
    >>> from sklearn_rnn.datasets import make_order_sentiment
    >>> X, y = make_order_sentiment(200, random_state=0)
    >>> models = {"unigrams": make_bow_pipeline("nb"),
    ...           "bigrams": make_bow_pipeline("nb", ngram_range=(1, 2))}
    >>> result = compare_models(X, y, models=models, cv=5, progress=False)
    >>> result.summary[["accuracy_mean", "p_value", "tied_with_best"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
              accuracy_mean  p_value  tied_with_best
    model
    bigrams           0.720      NaN            True
    unigrams          0.535      0.0           False
    """
    X, y = check_data(X, y)
    metrics, scorer = check_metrics(scoring)
    alpha = check_alpha(alpha)
    models = _check_models(models, random_state)
    splits = check_folds(cv, X, y, random_state)
    try:
        folds, _ = run_fits(models, X, y, splits, scorer, metrics, n_jobs, progress)
    except FitsStopped as stopped:
        raise _stopped(stopped, list(models), metrics, splits, alpha, "cv") from None
    summary = summarise(folds, metrics, splits, alpha, "cv")
    return ComparisonResult(summary, folds, metrics, splits, alpha, "cv")


def evaluate_holdout(
    X_train,
    y_train,
    X_test,
    y_test,
    models: Mapping[str, object] | Sequence[str] | None = None,
    *,
    scoring: str | Sequence[str] | Mapping = _DEFAULT_SCORING,
    n_jobs: int | None = None,
    random_state: int | np.random.RandomState | None = 0,
    progress: bool | None = None,
    alpha: float = 0.05,
) -> ComparisonResult:
    """Fit several text classifiers on one training set, score them on a test set.

    Use it when the data comes with a fixed split (such as SST-2's or
    TREC's). The result has the table of :func:`compare_models` with one
    score per metric (the ``_std`` columns are NaN: one split has no spread)
    and two more columns, ``accuracy_ci_low`` and ``accuracy_ci_high``, the
    95 % Wilson score interval of each model's accuracy
    (:func:`~sklearn_rnn.stats.wilson_interval`). ``p_value`` compares
    each model with the best one by McNemar's exact test on the same test
    documents (:func:`~sklearn_rnn.stats.mcnemar_test`), so that
    ``tied_with_best`` means here what it means after cross-validation: the
    data do not show that the model is worse than the best.

    Parameters
    ----------
    X_train : iterable of str
        Training documents.
    y_train : array-like of shape (n_train,)
        Training labels, at least two classes.
    X_test : iterable of str
        Test documents.
    y_test : array-like of shape (n_test,)
        Test labels.
    models : dict of str to estimator, list of str or None, default=None
        As in :func:`compare_models`.
    scoring : str, list of str or dict, default=("accuracy", "f1_macro")
        As in :func:`compare_models`; the first metric ranks the models.
    n_jobs : int, default=None
        Number of models fitted in parallel (at most one process per model).
    random_state : int, RandomState instance or None, default=0
        Seeds the default models when ``models`` is None or a list of names.
    progress : bool or None, default=None
        Show a progress bar on stderr; None shows it when stderr is a
        terminal.
    alpha : float, default=0.05
        Significance level: a model is ``tied_with_best`` when McNemar's
        p-value against the best model exceeds ``alpha``.

    Returns
    -------
    result : ComparisonResult
        With ``method="holdout"``, a single fold (fold 0), and
        ``result.correct``, whether each model got each test document right.

    Raises
    ------
    ValueError
        If the training or test data are invalid (the message says which)
        or a model name is unknown.

    Warns
    -----
    UserWarning
        If the test labels hold a class absent from the training labels:
        no model can predict it, and the message names it.
    Warning
        What a model warns while it is fitted or scored, as in
        :func:`compare_models` (the fold is 0).

    See Also
    --------
    compare_models : Cross-validation with a significance test.

    Notes
    -----
    McNemar's test compares accuracies (which documents each model gets
    right), whatever the first metric that ranks the models: it is the
    exact paired test for one test set (Dietterich, 1998). The models are
    ranked by the first metric, and each is tested against the top one.
    The test documents are predicted once more, outside ``score_time``, to
    record which ones each model gets right.

    References
    ----------
    Thomas G. Dietterich. 1998. "Approximate statistical tests for
    comparing supervised classification learning algorithms." Neural
    Computation 10(7), 1895-1923.

    Examples
    --------
    >>> from sklearn_rnn.baselines import make_bow_pipeline
    >>> from sklearn_rnn.compare import evaluate_holdout
    >>> from sklearn_rnn.datasets import make_order_sentiment
    >>> X, y = make_order_sentiment(200, random_state=0)
    >>> models = {"unigrams": make_bow_pipeline("nb"),
    ...           "bigrams": make_bow_pipeline("nb", ngram_range=(1, 2))}
    >>> result = evaluate_holdout(X[:150], y[:150], X[150:], y[150:],
    ...                           models=models, progress=False)
    >>> columns = ["accuracy_mean", "accuracy_ci_low", "accuracy_ci_high",
    ...            "p_value"]
    >>> result.summary[columns].round(3)  # doctest: +NORMALIZE_WHITESPACE
              accuracy_mean  accuracy_ci_low  accuracy_ci_high  p_value
    model
    bigrams            0.76            0.626             0.857      NaN
    unigrams           0.56            0.423             0.688    0.002
    """
    X_train, y_train = check_data(X_train, y_train, "Training data")
    X_test, y_test = check_data(X_test, y_test, "Test data")
    metrics, scorer = check_metrics(scoring)
    alpha = check_alpha(alpha)
    models = _check_models(models, random_state)
    if (unseen := unseen_classes(y_train, y_test)) is not None:
        warnings.warn(unseen, UserWarning, stacklevel=2)
    n_train, n_test = len(X_train), len(X_test)
    X = X_train + X_test
    y = np.concatenate([y_train, y_test])
    splits = [(np.arange(n_train), np.arange(n_train, n_train + n_test))]
    try:
        folds, right = run_fits(
            models, X, y, splits, scorer, metrics, n_jobs, progress, keep_correct=True
        )
    except FitsStopped as stopped:
        names = list(models)
        raise _stopped(stopped, names, metrics, splits, alpha, "holdout") from None
    correct = pd.DataFrame({name: right[name, 0] for name in models})
    correct.index.name = "document"
    summary = summarise(folds, metrics, splits, alpha, "holdout", correct)
    return ComparisonResult(summary, folds, metrics, splits, alpha, "holdout", correct)
