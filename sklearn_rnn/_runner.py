"""Running the (model, fold) fits of a comparison: in parallel, with progress,
and stopping cleanly when memory runs out.

Each fit clones its model, trains it on one training set and scores it on
the matching test set. Progress goes to stderr: on a terminal a bar that
names the running model, fold and epoch; otherwise, when asked for, one line
per finished fit, so a log file gets a handful of lines, not a bar redrawn
thousands of times. A fit that runs out of memory stops the run; what
finished before is kept and handed back with the error. What a fit warns is
recorded where it runs (perhaps a worker process) and warned again here,
under the caller's warning filters, with the model and fold it came from.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd
from joblib.externals.loky.process_executor import TerminatedWorkerError
from sklearn.base import clone
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.utils.parallel import Parallel, delayed
from tqdm import tqdm

__all__ = ["FitsStopped", "run_fits", "is_out_of_memory", "fit_warning_lines"]


class FitsStopped(Exception):
    """A fit ran out of memory; ``rows`` and ``correct`` hold the fits that
    finished, ``failed`` the ``(model name, fold)`` that did not (or None when
    a worker process was killed and it is not known which), ``reason`` a
    one-line account."""

    def __init__(self, rows: pd.DataFrame, correct: dict, failed, reason: str):
        super().__init__(reason)
        self.rows, self.correct = rows, correct
        self.failed, self.reason = failed, reason


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` says that memory ran out (Python, NumPy or PyTorch)."""
    torch = sys.modules.get("torch")
    if isinstance(exc, (MemoryError, getattr(torch, "OutOfMemoryError", ()))):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text
    )


def _fit_and_score(estimator, X, y, train, test, scorer, key, keep_correct):
    """Fit a clone on one training set and score it on the matching test set.

    With ``keep_correct``, also return whether each test document is
    predicted right (predicting once more, outside the timing). Running out
    of memory is returned, not raised, so that the caller knows which fit.
    """
    X_train = [X[i] for i in train]
    X_test = [X[i] for i in test]
    with warnings.catch_warnings(record=True) as caught:
        try:
            start = time.perf_counter()
            estimator.fit(X_train, y[train])
            fit_time = time.perf_counter() - start
            start = time.perf_counter()
            # A model that never predicts some class gets F1 = 0 for it;
            # saying so once per fold and model adds nothing to the table.
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            scores = scorer(estimator, X_test, y[test])
            score_time = time.perf_counter() - start
        except Exception as exc:
            if not is_out_of_memory(exc):
                raise
            return key, None, 0.0, 0.0, f"{type(exc).__name__}: {exc}", []
        correct = None
        if keep_correct:
            correct = np.asarray(estimator.predict(X_test)) == y[test]
    # each once, as plain data that a worker process can send back
    said = dict.fromkeys(
        (w.category, str(w.message), f"{w.filename}:{w.lineno}") for w in caught
    )
    return key, scores, fit_time, score_time, correct, list(said)


def _warn_again(said, name: str, fold: int) -> None:
    """Warn, in the caller's process and under its filters, what a fit warned,
    saying which model and fold it came from (also as the attributes
    ``model``, ``fold``, ``text`` and ``origin``, the file and line that
    warned, for a caller that groups them)."""
    for category, message, origin in said:
        warning = f"{name}, fold {fold}: {message}"
        try:
            warning = category(warning)
            warning.model, warning.fold = name, fold
            warning.text, warning.origin = message, origin
        except Exception:  # a category whose constructor wants other arguments
            pass
        warnings.warn(warning, category, stacklevel=4)


def fit_warning_lines(said) -> list[str]:
    """Recorded warnings (``warnings.catch_warnings(record=True)``) as one
    line each; those that one model's folds raised at the same place, one
    line: the first fold's message and how many more folds warned there."""
    groups: dict = {}
    for i, warning in enumerate(said):
        model = getattr(warning.message, "model", None)
        origin = getattr(warning.message, "origin", None)
        key = (model, warning.category, origin) if model is not None else i
        groups.setdefault(key, []).append(warning)
    lines = []
    for alike in groups.values():
        text = " ".join(str(alike[0].message).split())
        if len(alike) > 1:
            text += f" (and in {len(alike) - 1} more fold(s))"
        lines.append(f"{alike[0].category.__name__}: {text}")
    return lines


class _Progress:
    """A bar on a terminal, one line per finished fit otherwise, or nothing."""

    def __init__(self, mode: str | None, total: int):
        self.mode, self.total, self.done = mode, total, 0
        self.bar = tqdm(
            total=total, desc="fits", unit="fit", leave=False, disable=mode != "bar"
        )
        self.running = ""

    def start(self, name: str, fold: int) -> None:
        self.running = f"{name}, fold {fold}"
        self.bar.set_postfix_str(self.running)

    def epoch(self, epoch: int) -> None:
        self.bar.set_postfix_str(f"{self.running}, epoch {epoch}")

    def finished(self, name: str, fold: int, score: float, seconds: float) -> None:
        self.done += 1
        self.bar.update()
        if self.mode == "lines":
            print(
                f"fits {self.done}/{self.total}: {name}, fold {fold}: "
                f"{score:.3f} in {seconds:.1f} s",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        self.bar.close()


def _progress_mode(progress) -> str | None:
    """None shows a bar on a terminal only; True also prints lines elsewhere."""
    if progress is False:
        return None
    if sys.stderr.isatty():
        return "bar"
    return "lines" if progress else None


def run_fits(
    models, X, y, splits, scorer, metrics, n_jobs, progress, keep_correct=False
) -> tuple[pd.DataFrame, dict]:
    """Fit every model on every split.

    Returns one row per (model, fold), and with ``keep_correct`` the
    correctness of every test document by (model name, fold). Raises
    :class:`FitsStopped` when a fit runs out of memory.
    """
    from ._resources import epoch_listener

    names = list(models)
    tasks = [
        (
            (names[m], f),
            delayed(_fit_and_score)(
                clone(estimator), X, y, train, test, scorer, (m, f), keep_correct
            ),
        )
        for m, estimator in enumerate(models.values())
        for f, (train, test) in enumerate(splits)
    ]
    if isinstance(n_jobs, int) and n_jobs > len(tasks):
        n_jobs = len(tasks)  # joblib would start every worker asked for
    show = _Progress(_progress_mode(progress), len(tasks))
    in_process = n_jobs in (None, 1)
    rows, correct = {}, {}

    def frame() -> pd.DataFrame:
        return pd.DataFrame([rows[key] for key in sorted(rows)])

    def calls():  # in this process, tasks run as they are drawn from here
        for key, call in tasks:
            if in_process:
                show.start(*key)
            yield call

    try:
        with epoch_listener(show.epoch if in_process else None):
            results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(calls())
            for (m, f), scores, fit_time, score_time, right, said in results:
                _warn_again(said, names[m], f)
                if scores is None:  # ``right`` says why
                    reason = f"{names[m]}, fold {f}: {right}"
                    raise FitsStopped(frame(), correct, (names[m], f), reason)
                rows[m, f] = {
                    "model": names[m],
                    "fold": f,
                    **{metric: float(scores[metric]) for metric in metrics},
                    "fit_time": fit_time,
                    "score_time": score_time,
                }
                correct[names[m], f] = right
                show.finished(names[m], f, float(scores[metrics[0]]), fit_time)
    except TerminatedWorkerError as exc:
        reason = f"a worker process was killed, probably out of memory ({exc})"
        raise FitsStopped(frame(), correct, None, " ".join(reason.split())) from None
    finally:
        show.close()
    return frame(), correct
