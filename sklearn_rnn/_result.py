"""The result of a model comparison: the summary table and its rendering.

:class:`ComparisonResult` holds the per-fold scores and the summary that
:func:`summarise` makes from them (means, spreads, and the test against the
best model: the corrected resampled t-test after cross-validation,
McNemar's test with Wilson intervals on a held-out set); printing it shows
a text table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .stats import corrected_ttest, mcnemar_test, wilson_interval

__all__ = ["ComparisonResult", "summarise"]


@dataclass(eq=False)
class ComparisonResult:
    """Scores of several models on the same folds (or the same test set).

    Returned by :func:`compare_models` and :func:`evaluate_holdout`. Printing
    it shows a formatted table; ``summary`` holds the numbers.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per model, indexed by model name (index name ``"model"``),
        best first (sorted by the mean of the first metric, descending).
        Columns, in order:

        - ``<metric>_mean`` and ``<metric>_std`` for each metric: the mean
          and the standard deviation (``ddof=0``, as in scikit-learn's
          ``cv_results_``) over the folds; on a held-out set the score and
          NaN;
        - ``fit_time``, ``score_time``: mean seconds per fold;
        - on a held-out set only, ``accuracy_ci_low`` and
          ``accuracy_ci_high``: the 95 % Wilson score interval of the
          accuracy (:func:`~sklearn_rnn.stats.wilson_interval`);
        - ``p_value``: the two-sided p-value of the test of the model
          against the best one; NaN for the best model itself. After
          cross-validation, the corrected resampled t-test
          (:func:`corrected_ttest`) on the first metric; on a held-out set,
          McNemar's exact test (:func:`~sklearn_rnn.stats.mcnemar_test`) on
          which test documents each model gets right;
        - ``tied_with_best``: True for the best model and for every model
          whose ``p_value`` exceeds ``alpha``, i.e. that the test cannot
          tell apart from the best one.
    fold_scores : pandas.DataFrame
        One row per (model, fold): columns ``model``, ``fold`` (0-based),
        one column per metric, ``fit_time`` and ``score_time`` (seconds).
        ``fold_scores.pivot(index="fold", columns="model", values="accuracy")``
        gives a fold-by-model matrix; ``fold_scores.melt(...)`` a long table.
    scoring : tuple of str
        The metric names, in the order given; the first ranks the models.
    splits : list of (ndarray, ndarray)
        The ``(train, test)`` index pairs every model was fitted and scored
        on; on a held-out set one pair indexing the training documents
        followed by the test documents.
    alpha : float
        Significance level of ``tied_with_best``.
    method : {"cv", "holdout"}
        Cross-validation or a fixed held-out test set.
    correct : pandas.DataFrame or None
        On a held-out set, whether each model (column, in the order given)
        got each test document (row, in the order of the test set) right;
        None after cross-validation.

    See Also
    --------
    plot_comparison : Per-fold scores as a figure.

    Examples
    --------
    >>> from sklearn_rnn.compare import compare_models
    >>> from sklearn_rnn.datasets import make_order_sentiment
    >>> X, y = make_order_sentiment(60, random_state=0)
    >>> result = compare_models(X, y, models=["bow_nb", "hmm"], cv=3,
    ...                         progress=False)
    >>> list(result.summary.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['accuracy_mean', 'accuracy_std', 'f1_macro_mean', 'f1_macro_std',
     'fit_time', 'score_time', 'p_value', 'tied_with_best']
    >>> result.fold_scores.shape
    (6, 6)
    """

    summary: pd.DataFrame
    fold_scores: pd.DataFrame
    scoring: tuple[str, ...]
    splits: list
    alpha: float
    method: str
    correct: pd.DataFrame | None = None

    @property
    def best(self) -> str:
        """Name of the model with the highest mean of the first metric."""
        return str(self.summary.index[0])

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of :attr:`summary`, the table of numbers."""
        return self.summary.copy()

    def to_string(self, digits: int = 3) -> str:
        """Format the summary as a text table with a one-line legend.

        Parameters
        ----------
        digits : int, default=3
            Decimals of the scores and p-values.

        Returns
        -------
        table : str
            Scores as ``mean ± std`` (cross-validation) or plain scores and
            the 95 % interval of the accuracy (held-out set), times in
            seconds, the p-value against the best model and whether the
            model is tied with it.
        """
        cv = self.method == "cv"
        header = ["model", *self.scoring]
        if not cv:
            header.append("accuracy 95% CI")
        header += ["fit time", "score time", "p-value", "tied with best"]
        rows = []
        for name, row in self.summary.iterrows():
            cells = [str(name)]
            for metric in self.scoring:
                mean, std = row[f"{metric}_mean"], row[f"{metric}_std"]
                cells.append(
                    f"{mean:.{digits}f} ± {std:.{digits}f}"
                    if cv
                    else f"{mean:.{digits}f}"
                )
            if not cv:
                low, high = row["accuracy_ci_low"], row["accuracy_ci_high"]
                cells.append(f"[{low:.{digits}f}, {high:.{digits}f}]")
            cells += [_seconds(row["fit_time"]), _seconds(row["score_time"])]
            p = row["p_value"]
            cells.append("-" if np.isnan(p) else f"{p:.{digits}f}")
            cells.append("yes" if row["tied_with_best"] else "no")
            rows.append(cells)
        text = _format_table(header, rows)
        tied = f"tied if p > {self.alpha:g}."
        if cv:
            legend = (
                f"{len(self.splits)}-fold cross-validation: mean ± std over the "
                "folds, times per fold.\np-value: corrected resampled t-test "
                f"(Nadeau & Bengio 2003) against {self.best} on "
                f"{self.scoring[0]}; {tied}"
            )
        else:
            legend = (
                f"Scores on a held-out set of {len(self.splits[0][1])} documents; "
                "accuracy 95% CI: Wilson score interval.\np-value: McNemar's "
                f"exact test against {self.best} on the documents one model gets "
                f"right and the other wrong; {tied}"
            )
        return f"{text}\n\n{legend}"

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        what = "cross-validation" if self.method == "cv" else "held-out set"
        return (
            f"<ComparisonResult: {len(self.summary)} models, {what}, "
            f"best {self.best!r}>\n{self.to_string()}"
        )

    def _repr_html_(self) -> str:
        return self.summary._repr_html_()


def _format_table(header: list[str], rows: list[list[str]]) -> str:
    """Columns separated by two spaces; the first left-aligned, others right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:]))
        return "  ".join([first, *rest])

    return "\n".join(line(cells) for cells in [header, *rows])


def _seconds(value: float) -> str:
    return f"{value:.2f}s" if value < 10 else f"{value:.1f}s"


def summarise(
    folds: pd.DataFrame,
    metrics,
    splits,
    alpha: float,
    method: str,
    correct: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The summary table of :class:`ComparisonResult` from the per-fold scores.

    On a held-out set (``method="holdout"``), ``correct`` holds whether each
    model got each test document right: the source of the accuracy
    intervals and of McNemar's test.
    """
    grouped = folds.groupby("model", sort=False)
    columns = {}
    for metric in metrics:
        columns[f"{metric}_mean"] = grouped[metric].mean()
        if method == "cv":
            columns[f"{metric}_std"] = grouped[metric].std(ddof=0)
        else:
            columns[f"{metric}_std"] = np.nan  # one score: no spread
    columns["fit_time"] = grouped["fit_time"].mean()
    columns["score_time"] = grouped["score_time"].mean()
    summary = pd.DataFrame(columns)
    summary = summary.sort_values(
        f"{metrics[0]}_mean", ascending=False, kind="stable", na_position="last"
    )
    summary.index.name = "model"
    best = summary.index[0]

    if method == "cv":
        first = folds.pivot(index="fold", columns="model", values=metrics[0])
        n_train = np.mean([len(train) for train, _ in splits])
        n_test = np.mean([len(test) for _, test in splits])

        def p_value(name):
            return corrected_ttest(first[best] - first[name], n_train, n_test)[1]

    else:
        intervals = [
            wilson_interval(int(correct[name].sum()), len(correct))
            for name in summary.index
        ]
        summary["accuracy_ci_low"], summary["accuracy_ci_high"] = zip(*intervals)

        def p_value(name):
            return mcnemar_test(correct[best], correct[name])[2]

    summary["p_value"] = [
        np.nan if name == best else p_value(name) for name in summary.index
    ]
    tied = summary["p_value"] > alpha
    tied.iloc[0] = True
    summary["tied_with_best"] = tied.astype(bool)
    return summary
