"""Figures of comparison results; matplotlib is imported only here, on use.

:func:`plot_comparison` draws the per-fold scores of a
:class:`~sklearn_rnn.ComparisonResult`; :func:`plot_attention` the
attention weights of an encoder-decoder's output
(:meth:`~sklearn_rnn.RNNSeq2Seq.attention_weights`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._result import ComparisonResult

if TYPE_CHECKING:  # matplotlib is imported when a plot is drawn
    from matplotlib.figure import Figure

__all__ = ["plot_comparison", "plot_attention"]


def plot_comparison(
    results: ComparisonResult, metric: str | None = None, ax=None
) -> Figure:
    """Plot the per-fold scores of each model, one row per model.

    Each fold's score is a dot; the mean is a diamond with a bar of ± one
    standard deviation. On a held-out set the diamond is the score, and for
    the accuracy the bar is its 95 % Wilson score interval. Models tied with
    the best one are drawn in colour, the others in grey. The best model is
    at the top.

    Parameters
    ----------
    results : ComparisonResult
        The output of :func:`compare_models` or :func:`evaluate_holdout`.
    metric : str, default=None
        Metric to plot; None means the first (ranking) metric.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw in; None creates a new
        :class:`~matplotlib.figure.Figure` (not registered with pyplot, so
        nothing is shown or kept open).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure holding the plot; save it with ``fig.savefig(path)``.

    Examples
    --------
    >>> from sklearn_rnn import compare_models, plot_comparison
    >>> from sklearn_rnn.datasets import make_order_sentiment
    >>> X, y = make_order_sentiment(60, random_state=0)
    >>> result = compare_models(X, y, models=["bow_nb", "hmm"], cv=3,
    ...                         progress=False)
    >>> fig = plot_comparison(result)
    >>> [label.get_text() for label in fig.axes[0].get_yticklabels()]
    ['bow_nb', 'hmm']
    """
    if not isinstance(results, ComparisonResult):
        raise TypeError(
            "results must be the ComparisonResult returned by compare_models "
            f"or evaluate_holdout; got {type(results).__name__}."
        )
    metric = results.scoring[0] if metric is None else metric
    if metric not in results.scoring:
        raise ValueError(
            f"Unknown metric {metric!r}; the results hold {list(results.scoring)}."
        )
    if ax is None:
        from matplotlib.figure import Figure

        names = results.summary.index
        fig = Figure(figsize=(6.4, 1.2 + 0.45 * len(names)), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure

    summary, folds = results.summary, results.fold_scores
    order = list(summary.index)
    rows = np.arange(len(order))[::-1]  # best at the top
    cv = results.method == "cv"
    for row, name in zip(rows, order):
        scores = folds.loc[folds["model"] == name, metric].to_numpy()
        color = "C0" if summary.loc[name, "tied_with_best"] else "0.55"
        offsets = np.linspace(-0.18, 0.18, len(scores)) if len(scores) > 1 else [0]
        ax.scatter(scores, row + np.asarray(offsets), s=18, color=color, alpha=0.6)
        mean = summary.loc[name, f"{metric}_mean"]
        ax.errorbar(
            mean,
            row,
            xerr=_error_bar(summary.loc[name], metric, cv),
            fmt="D",
            color=color,
            markeredgecolor="black",
            markersize=7,
            capsize=4,
            zorder=3,
        )
    ax.set_yticks(rows, labels=order)
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.set_xlabel(metric)
    ax.grid(axis="x", alpha=0.3)
    if cv:
        ax.set_title(
            f"{metric} per fold, {len(results.splits)}-fold cross-validation\n"
            "diamond: mean ± std; grey: significantly worse than the best",
            fontsize="medium",
        )
    else:
        interval = "bar: 95% Wilson interval; " if metric == "accuracy" else ""
        ax.set_title(
            f"{metric} on the held-out set\n{interval}grey: significantly worse "
            "than the best (McNemar)",
            fontsize="medium",
        )
    return fig


def plot_attention(weights, source_tokens, target_tokens, ax=None) -> Figure:
    """Heat map of attention weights: one row per output step, one column
    per source token.

    Parameters
    ----------
    weights : array-like of shape (n_target_steps, n_source_tokens)
        The weights of each output step over the source tokens, as one item
        of :meth:`~sklearn_rnn.RNNSeq2Seq.attention_weights` gives them
        (whose last column is the source's end token, and whose last row
        the output's end token when it was written).
    source_tokens : sequence of str
        Labels of the columns, one per column.
    target_tokens : sequence of str
        Labels of the rows, one per row.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw in; None creates a new
        :class:`~matplotlib.figure.Figure` (not registered with pyplot).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure holding the plot.

    Examples
    --------
    >>> from sklearn_rnn.plotting import plot_attention
    >>> fig = plot_attention([[0.9, 0.1], [0.2, 0.8]], ["a", "b"], ["A", "B"])
    >>> [label.get_text() for label in fig.axes[0].get_xticklabels()]
    ['a', 'b']
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2:
        raise ValueError(
            "weights must be 2-D (target steps x source tokens); got an array "
            f"of shape {weights.shape}."
        )
    source_tokens, target_tokens = list(source_tokens), list(target_tokens)
    rows, columns = weights.shape
    if len(source_tokens) != columns or len(target_tokens) != rows:
        raise ValueError(
            f"weights has shape {weights.shape}: it needs {columns} source "
            f"tokens and {rows} target tokens; got {len(source_tokens)} and "
            f"{len(target_tokens)}."
        )
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(
            figsize=(1.5 + 0.35 * columns, 1.2 + 0.35 * rows), layout="constrained"
        )
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    image = ax.imshow(weights, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(columns), labels=source_tokens, rotation=90)
    ax.set_yticks(range(rows), labels=target_tokens)
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    fig.colorbar(image, ax=ax, label="attention weight")
    return fig


def _error_bar(row, metric: str, cv: bool):
    """The ``xerr`` of one model: ± std of the folds, or the accuracy interval."""
    if cv:
        return row[f"{metric}_std"]
    if metric != "accuracy":
        return None
    mean = row["accuracy_mean"]
    return [[mean - row["accuracy_ci_low"]], [row["accuracy_ci_high"] - mean]]


def _figure_formats() -> dict[str, str]:
    """File formats a figure can be saved in: extension -> description."""
    from matplotlib.figure import Figure

    return Figure().canvas.get_supported_filetypes()
