"""Compare text classifiers on identical cross-validation folds.

:func:`compare_models` fits every model on the same stratified folds, so that
score differences come from the models and not from the splits, and tells
which models cannot be told apart from the best one with the corrected
resampled t-test of Nadeau & Bengio (2003). :func:`evaluate_holdout` scores
the same models on a fixed test set instead. Both return a
:class:`ComparisonResult`. The test itself is :func:`corrected_ttest`
(:mod:`sklearn_rnn.stats`) and :func:`plot_comparison`
(:mod:`sklearn_rnn.plotting`) draws the per-fold scores; both are importable
from here too.
"""

from __future__ import annotations

import numbers
import sys
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.parallel import Parallel, delayed
from tqdm import tqdm

from ._result import ComparisonResult, summarise
from ._validation import check_documents, check_labels
from .plotting import plot_comparison
from .stats import corrected_ttest

__all__ = [
    "ComparisonResult",
    "default_models",
    "compare_models",
    "evaluate_holdout",
    "corrected_ttest",
    "plot_comparison",
]

_DEFAULT_SCORING = ("accuracy", "f1_macro")

#: Names of the default models, in the order of :func:`default_models`.
_MODEL_NAMES = ("bow_logreg", "bow_nb", "hmm", "rnn", "lstm", "gru")


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------


def default_models(
    max_epochs: int | None = None, random_state: int | None = 0
) -> dict[str, object]:
    """Return the default models of a comparison, by name.

    Parameters
    ----------
    max_epochs : int, default=None
        Maximum training epochs of the three recurrent models; None keeps
        the :class:`~sklearn_rnn.RNNClassifier` default (early stopping on a
        validation split ends training sooner in either case).
    random_state : int, RandomState instance or None, default=0
        Seed of the HMM and the recurrent networks.

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
          hyperparameters.

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
    return dict(zip(_MODEL_NAMES, models))


def _check_model_names(names: Sequence[str]) -> list[str]:
    """Check names of default models (known, each once) without building any."""
    names = list(names)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(
                "models must be a dict of name -> estimator or a list of "
                f"default model names; the list holds {name!r}."
            )
    unknown = [name for name in names if name not in _MODEL_NAMES]
    if unknown:
        raise ValueError(
            f"Unknown model name(s) {', '.join(map(repr, unknown))}; "
            f"available: {', '.join(_MODEL_NAMES)}."
        )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"Model name(s) given twice: {', '.join(duplicates)}.")
    return names


def _check_models(models, random_state, max_epochs=None) -> dict[str, object]:
    """Turn ``models`` (None, a dict or a list of default names) into a dict."""
    if models is None:
        return default_models(max_epochs, random_state)
    if isinstance(models, Mapping):
        checked = dict(models)
    else:
        names = _check_model_names([models] if isinstance(models, str) else models)
        available = default_models(max_epochs, random_state)
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
# Inputs, folds and scoring
# ---------------------------------------------------------------------------


def _check_data(X, y, what: str = "") -> tuple[list[str], np.ndarray]:
    try:
        docs = check_documents(X)
        labels = check_labels(y, len(docs))
    except (TypeError, ValueError) as exc:
        if not what:
            raise
        raise type(exc)(f"{what}: {exc}") from None
    return docs, labels


def _check_folds(cv, X: list[str], y: np.ndarray, random_state) -> list:
    """Materialise the folds once, as a list of (train, test) index arrays."""
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds; got {cv}.")
        classes, counts = np.unique(y, return_counts=True)
        small = [(c, n) for c, n in zip(classes.tolist(), counts) if n < cv]
        if small:
            listed = ", ".join(
                f"{c!r} has {n} member{'s' if n != 1 else ''}" for c, n in small
            )
            raise ValueError(
                f"Too few documents per class for cv={cv} folds: class {listed}. "
                "Every class needs at least one document per fold; use a "
                "smaller cv or more data."
            )
        splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
        folds = splitter.split(X, y)
    elif isinstance(cv, (str, bytes, bool)):
        folds = None
    elif hasattr(cv, "split"):
        folds = cv.split(X, y)
    elif isinstance(cv, Iterable):
        folds = cv
    else:
        folds = None
    if folds is None:
        raise TypeError(
            "cv must be an int, a cross-validation splitter or an iterable of "
            f"(train, test) index arrays; got {type(cv).__name__}."
        )
    splits = [
        (np.asarray(train, dtype=np.intp), np.asarray(test, dtype=np.intp))
        for train, test in folds
    ]
    if len(splits) < 2:
        raise ValueError(
            f"cv gave {len(splits)} split(s); a comparison needs at least 2. "
            "Use evaluate_holdout to score on one fixed test set."
        )
    for i, (train, test) in enumerate(splits):
        if not len(train) or not len(test):
            raise ValueError(f"Fold {i} has an empty training or test set.")
        if min(train.min(), test.min()) < 0 or max(train.max(), test.max()) >= len(y):
            raise ValueError(
                f"Fold {i} holds indices outside 0..{len(y) - 1}, the positions "
                "of the documents."
            )
    return splits


def _check_scoring(scoring) -> tuple[tuple[str, ...], object]:
    """Metric names and one scorer that computes all of them.

    The multi-metric scorer predicts once per fold and reuses the predictions
    for every metric.
    """
    if isinstance(scoring, str):
        scoring = [scoring]
    elif isinstance(scoring, Mapping):
        scoring = dict(scoring)
    else:
        scoring = list(scoring)
    if not scoring:
        raise ValueError("scoring is empty: pass at least one metric.")
    if not isinstance(scoring, dict) and len(set(scoring)) != len(scoring):
        raise ValueError(f"scoring names a metric twice: {scoring!r}.")
    scorer = check_scoring(None, scoring=scoring)
    return tuple(scoring), scorer


def _check_alpha(alpha) -> float:
    if (
        isinstance(alpha, bool)
        or not isinstance(alpha, numbers.Real)
        or not 0 < alpha < 1
    ):
        raise ValueError(f"alpha must be a number in (0, 1); got {alpha!r}.")
    return float(alpha)


def _fit_and_score(estimator, X, y, train, test, scorer, key):
    """Fit a clone on one training set and score it on the matching test set."""
    X_train = [X[i] for i in train]
    X_test = [X[i] for i in test]
    start = time.perf_counter()
    estimator.fit(X_train, y[train])
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    with warnings.catch_warnings():
        # A model that never predicts some class gets F1 = 0 for it; saying so
        # once per fold and model adds nothing to the table.
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        scores = scorer(estimator, X_test, y[test])
    score_time = time.perf_counter() - start
    return key, scores, fit_time, score_time


def _run(models, X, y, splits, scorer, metrics, n_jobs, progress) -> pd.DataFrame:
    """Fit every model on every split; one row per (model, fold)."""
    tasks = [
        delayed(_fit_and_score)(clone(estimator), X, y, train, test, scorer, (m, f))
        for m, estimator in enumerate(models.values())
        for f, (train, test) in enumerate(splits)
    ]
    show = sys.stderr.isatty() if progress is None else bool(progress)
    names = list(models)
    rows = {}
    if isinstance(n_jobs, numbers.Integral) and n_jobs > len(tasks):
        n_jobs = len(tasks)  # joblib would start every worker asked for
    results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)
    with tqdm(
        total=len(tasks), desc="fits", unit="fit", disable=not show, leave=False
    ) as bar:
        for (m, f), scores, fit_time, score_time in results:
            rows[m, f] = {
                "model": names[m],
                "fold": f,
                **{metric: float(scores[metric]) for metric in metrics},
                "fit_time": fit_time,
                "score_time": score_time,
            }
            bar.set_postfix_str(f"{names[m]}, fold {f}", refresh=False)
            bar.update()
    return pd.DataFrame([rows[key] for key in sorted(rows)])


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
        :func:`default_models`. None means all the default models, seeded
        with ``random_state``.
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

    See Also
    --------
    evaluate_holdout : The same comparison on a fixed test set.
    plot_comparison : Per-fold scores as a figure.

    Notes
    -----
    Exceptions raised while fitting a model are not caught: a model that
    fails stops the comparison. Scikit-learn's ``UndefinedMetricWarning``
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
    X, y = _check_data(X, y)
    metrics, scorer = _check_scoring(scoring)
    alpha = _check_alpha(alpha)
    models = _check_models(models, random_state)
    splits = _check_folds(cv, X, y, random_state)
    folds = _run(models, X, y, splits, scorer, metrics, n_jobs, progress)
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
) -> ComparisonResult:
    """Fit several text classifiers on one training set, score them on a test set.

    Use it when the data comes with a fixed split (such as SST-2's or
    TREC's). The result has the same table as :func:`compare_models`, with
    one score per metric: the ``_std`` and ``p_value`` columns are NaN and
    ``tied_with_best`` is missing, since one split gives no spread to test.

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

    Returns
    -------
    result : ComparisonResult
        With ``method="holdout"`` and a single fold (fold 0).

    Raises
    ------
    ValueError
        If the training or test data are invalid (the message says which)
        or a model name is unknown.

    See Also
    --------
    compare_models : Cross-validation with a significance test.

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
    >>> result.summary[["accuracy_mean", "accuracy_std", "p_value"]]
    ... # doctest: +NORMALIZE_WHITESPACE
              accuracy_mean  accuracy_std  p_value
    model
    bigrams            0.76           NaN      NaN
    unigrams           0.56           NaN      NaN
    """
    X_train, y_train = _check_data(X_train, y_train, "Training data")
    X_test, y_test = _check_data(X_test, y_test, "Test data")
    metrics, scorer = _check_scoring(scoring)
    models = _check_models(models, random_state)
    n_train, n_test = len(X_train), len(X_test)
    X = X_train + X_test
    y = np.concatenate([y_train, y_test])
    splits = [(np.arange(n_train), np.arange(n_train, n_train + n_test))]
    folds = _run(models, X, y, splits, scorer, metrics, n_jobs, progress)
    summary = summarise(folds, metrics, splits, np.nan, "holdout")
    return ComparisonResult(summary, folds, metrics, splits, float("nan"), "holdout")
