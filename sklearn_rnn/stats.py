"""Statistical tests for comparing models evaluated on the same folds.

:func:`corrected_ttest` is the corrected resampled t-test of Nadeau & Bengio
(2003), which :func:`~sklearn_rnn.compare_models` runs between the best model
and each other one.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["corrected_ttest"]


def corrected_ttest(differences, n_train: float, n_test: float) -> tuple[float, float]:
    """Corrected resampled t-test of Nadeau & Bengio (2003).

    Tests whether the mean of per-fold score differences between two models
    is zero. The folds of a cross-validation share most of their training
    data, so the plain paired t-test overstates the evidence; the correction
    inflates the variance by ``n_test / n_train``::

        t = mean(d) / sqrt((1 / k + n_test / n_train) * var(d, ddof=1))

    with ``k`` the number of folds, and the p-value is two-sided, from
    Student's t distribution with ``k - 1`` degrees of freedom.

    Parameters
    ----------
    differences : array-like of shape (k,)
        Per-fold score differences ``d`` between two models evaluated on the
        same folds, ``k >= 2``.
    n_train : float
        Number of training documents per fold (the mean, if they differ).
    n_test : float
        Number of test documents per fold (the mean, if they differ).

    Returns
    -------
    t : float
        The t statistic.
    p_value : float
        Two-sided p-value. When all differences are equal (variance 0) the
        statistic is undefined: the p-value is 1.0 (``t = 0``) if they are
        all zero, the models scoring the same on every fold, and 0.0
        (``t = ±inf``) otherwise, one model being better on every fold by
        the same amount. NaN differences give NaN.

    References
    ----------
    Claude Nadeau and Yoshua Bengio. 2003. "Inference for the
    generalization error." Machine Learning 52(3), 239-281.

    Examples
    --------
    >>> from sklearn_rnn.stats import corrected_ttest
    >>> t, p = corrected_ttest([0.02, 0.03, 0.01, 0.04, 0.0],
    ...                        n_train=80, n_test=20)
    >>> round(t, 3), round(p, 3)
    (1.886, 0.132)
    """
    d = np.asarray(differences, dtype=float)
    if d.ndim != 1 or len(d) < 2:
        raise ValueError(
            f"differences must be 1-D with at least 2 folds; got shape {d.shape}."
        )
    if not n_train > 0 or not n_test > 0:
        raise ValueError(
            f"n_train and n_test must be positive; got {n_train} and {n_test}."
        )
    if np.isnan(d).any():
        return float("nan"), float("nan")
    if np.all(d == d[0]):  # zero variance: t is 0/0 or ±x/0
        if d[0] == 0:
            return 0.0, 1.0
        return float(np.copysign(np.inf, d[0])), 0.0
    k = len(d)
    t = d.mean() / np.sqrt((1 / k + n_test / n_train) * d.var(ddof=1))
    p = 2 * stats.t.sf(abs(t), df=k - 1)
    return float(t), float(p)
