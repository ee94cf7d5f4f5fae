"""Checks of a comparison's arguments, before any model is built or fitted.

The model names, the documents and labels, the folds, the metrics and the
significance level of :func:`~sklearn_rnn.compare_models` and
:func:`~sklearn_rnn.evaluate_holdout` are checked here, with messages that
name the problem. The command line runs the same checks before it imports
PyTorch, so nothing here may import it; scikit-learn is imported by the two
checks that need it, so that a misspelt model name is reported at once.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ._validation import check_documents, check_labels

__all__ = [
    "MODEL_NAMES",
    "VECTOR_MODEL_NAMES",
    "OPT_IN_MODEL_NAMES",
    "check_model_names",
    "check_data",
    "check_class_count",
    "check_folds",
    "check_metrics",
    "check_alpha",
    "unseen_classes",
]

#: Names of the default models, in the order of
#: :func:`~sklearn_rnn.default_models`.
MODEL_NAMES = ("bow_logreg", "bow_nb", "hmm", "rnn", "lstm", "gru")

#: ... and of the recurrent models initialised from pretrained vectors, which
#: it adds when given ``vectors``.
VECTOR_MODEL_NAMES = ("rnn_vectors", "lstm_vectors", "gru_vectors")

#: Models built only when asked for by name: the stack of bag-of-words
#: models, and the same with the LSTM, which fits the LSTM four times per
#: fold and would double the default comparison's run time.
OPT_IN_MODEL_NAMES = ("stack_bow", "stack_bow_lstm")


def check_model_names(names: Sequence[str], vectors: bool = False) -> list[str]:
    """Check names of default models (known, each once) without building any.

    ``vectors`` says whether pretrained vectors were given, which makes the
    ``*_vectors`` models available.
    """
    names = list(names)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(
                "models must be a dict of name -> estimator or a list of "
                f"default model names; the list holds {name!r}."
            )
    available = (
        MODEL_NAMES + (VECTOR_MODEL_NAMES if vectors else ()) + OPT_IN_MODEL_NAMES
    )
    unknown = [name for name in names if name not in available]
    if unknown:
        hint = ""
        if not vectors and set(unknown) & set(VECTOR_MODEL_NAMES):
            hint = " (the *_vectors models need pretrained vectors: --vectors PATH)"
        raise ValueError(
            f"Unknown model name(s) {', '.join(map(repr, unknown))}; "
            f"available: {', '.join(available)}{hint}."
        )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"Model name(s) given twice: {', '.join(duplicates)}.")
    return names


def check_data(X, y, what: str = "") -> tuple[list[str], np.ndarray]:
    try:
        docs = check_documents(X)
        labels = check_labels(y, len(docs))
    except (TypeError, ValueError) as exc:
        if not what:
            raise
        raise type(exc)(f"{what}: {exc}") from None
    return docs, labels


def _listed(items: list[str], shown: int = 5) -> str:
    """The first ``shown`` items joined by commas, and how many more."""
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


def check_class_count(y: np.ndarray, hint: str = "") -> None:
    """Refuse labels with fewer than two documents per class on average.

    Such labels are not classes but identifiers (100,000 distinct labels
    gave a 2.3 MB error message, and on a held-out set ran out of memory
    after minutes of fitting); ``hint`` ends the message.
    """
    n_classes = len(np.unique(y))
    if n_classes > 2 and 2 * n_classes > len(y):
        raise ValueError(
            f"Too many classes for the data: {n_classes} distinct labels in "
            f"{len(y)} documents ({len(y) / n_classes:.1f} per class on average); "
            f"a classifier needs several documents of each class.{hint}"
        )


def check_folds(cv, X: list[str], y: np.ndarray, random_state) -> list:
    """Materialise the folds once, as a list of (train, test) index arrays."""
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds; got {cv}.")
        classes, counts = np.unique(y, return_counts=True)
        small = [(c, n) for c, n in zip(classes.tolist(), counts) if n < cv]
        if small:
            listed = _listed(
                [f"{c!r} has {n} member{'s' if n != 1 else ''}" for c, n in small]
            )
            raise ValueError(
                f"Too few documents per class for cv={cv} folds: class {listed}. "
                "Every class needs at least one document per fold; use a "
                "smaller cv or more data."
            )
        from sklearn.model_selection import StratifiedKFold

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


def check_metrics(scoring) -> tuple[tuple[str, ...], object]:
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
    from sklearn.metrics import check_scoring

    scorer = check_scoring(None, scoring=scoring)
    return tuple(scoring), scorer


def check_alpha(alpha) -> float:
    if (
        isinstance(alpha, bool)
        or not isinstance(alpha, numbers.Real)
        or not 0 < alpha < 1
    ):
        raise ValueError(f"alpha must be a number in (0, 1); got {alpha!r}.")
    return float(alpha)


def unseen_classes(y_train: np.ndarray, y_test: np.ndarray) -> str | None:
    """A message naming the test classes absent from training, or None."""
    seen = set(np.unique(y_train).tolist())
    classes, counts = np.unique(y_test, return_counts=True)
    unseen = [
        (c, n) for c, n in zip(classes.tolist(), counts.tolist()) if c not in seen
    ]
    if not unseen:
        return None
    listed = _listed(
        [f"{c!r} ({n} document{'s' if n != 1 else ''})" for c, n in unseen]
    )
    total = sum(n for _, n in unseen)
    return (
        f"Test data has class{'es' if len(unseen) > 1 else ''} {listed} never "
        f"seen in training; every model gets {'it' if total == 1 else 'them'} "
        "wrong."
    )
