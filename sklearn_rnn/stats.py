"""Statistics for comparing models evaluated on the same data.

On cross-validation folds, :func:`corrected_ttest` is the corrected
resampled t-test of Nadeau & Bengio (2003), which
:func:`~sklearn_rnn.compare_models` runs between the best model and each
other one. On one held-out test set, :func:`mcnemar_test` is McNemar's exact
test on the documents that one model gets right and the other wrong, and
:func:`wilson_interval` a confidence interval of an accuracy; both serve
:func:`~sklearn_rnn.evaluate_holdout`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["corrected_ttest", "mcnemar_test", "wilson_interval"]


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


def _correctness(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {array.shape}.")
    if array.dtype != bool:
        if array.dtype.kind not in "biuf" or not np.isin(array, [0, 1]).all():
            raise ValueError(
                f"{name} must hold True/False (or 1/0) per document, whether "
                "the model got it right."
            )
        array = array.astype(bool)
    return array


def mcnemar_test(correct_a, correct_b) -> tuple[int, int, float]:
    """McNemar's exact test: do two classifiers differ in accuracy?

    Both classifiers are scored on the same test documents. Only the
    discordant documents carry evidence: ``b``, those that model A gets
    right and model B wrong, and ``c``, the reverse. Under the null
    hypothesis of equal accuracy each discordant document is equally likely
    to fall either way, so ``b`` follows a binomial distribution with
    ``b + c`` trials and probability 1/2; the two-sided p-value is::

        p = min(1, 2 * P(X <= min(b, c))),  X ~ Binomial(b + c, 1/2)

    the exact test recommended by Dietterich (1998) for one test set.

    Parameters
    ----------
    correct_a, correct_b : array-like of bool of shape (n_documents,)
        Whether each model got each test document right (``y_pred ==
        y_true``); 1 and 0 are accepted for True and False.

    Returns
    -------
    b : int
        Number of documents that only model A gets right.
    c : int
        Number of documents that only model B gets right.
    p_value : float
        Two-sided p-value; 1.0 when the models never disagree
        (``b = c = 0``).

    Raises
    ------
    ValueError
        If the arrays are not 1-D, differ in length, are empty, or hold
        values other than True/False.

    See Also
    --------
    wilson_interval : Confidence interval of one model's accuracy.
    corrected_ttest : The paired test on cross-validation folds.

    References
    ----------
    Quinn McNemar. 1947. "Note on the sampling error of the difference
    between correlated proportions or percentages." Psychometrika 12(2),
    153-157.

    Thomas G. Dietterich. 1998. "Approximate statistical tests for
    comparing supervised classification learning algorithms." Neural
    Computation 10(7), 1895-1923.

    Examples
    --------
    Of 100 test documents, 12 are right only for A and 3 only for B:

    >>> import numpy as np
    >>> from sklearn_rnn.stats import mcnemar_test
    >>> a = np.array([True] * 70 + [True] * 12 + [False] * 3 + [False] * 15)
    >>> b = np.array([True] * 70 + [False] * 12 + [True] * 3 + [False] * 15)
    >>> b_count, c_count, p = mcnemar_test(a, b)
    >>> b_count, c_count, round(p, 4)
    (12, 3, 0.0352)
    """
    a = _correctness(correct_a, "correct_a")
    b = _correctness(correct_b, "correct_b")
    if len(a) != len(b):
        raise ValueError(
            "correct_a and correct_b must have the same length, one entry per "
            f"test document; got {len(a)} and {len(b)}."
        )
    if not len(a):
        raise ValueError("McNemar's test needs at least one test document.")
    only_a = int(np.sum(a & ~b))
    only_b = int(np.sum(~a & b))
    n = only_a + only_b
    if n == 0:
        return only_a, only_b, 1.0
    p = min(1.0, 2 * stats.binom.cdf(min(only_a, only_b), n, 0.5))
    return only_a, only_b, float(p)


def wilson_interval(
    successes: int, n: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval of a proportion, such as an accuracy.

    For ``k`` successes in ``n`` trials, ``p = k / n`` and ``z`` the normal
    quantile of the confidence level (1.96 for 95 %)::

        centre = (p + z**2 / (2 n)) / (1 + z**2 / n)
        half = z / (1 + z**2 / n) * sqrt(p (1 - p) / n + z**2 / (4 n**2))

    and the interval is ``centre ± half``. Unlike the normal approximation
    ``p ± z sqrt(p (1 - p) / n)``, it stays within [0, 1] and keeps close to
    its nominal coverage for small ``n`` and for accuracies near 0 or 1
    (Brown, Cai & DasGupta, 2001).

    Parameters
    ----------
    successes : int
        Number of successes ``k``: the correctly classified test documents.
    n : int
        Number of trials: the test documents, at least 1.
    confidence : float, default=0.95
        Confidence level, in (0, 1).

    Returns
    -------
    low, high : float
        The bounds of the interval, within [0, 1].

    Raises
    ------
    ValueError
        If ``n < 1``, ``successes`` is not between 0 and ``n``, or
        ``confidence`` is not in (0, 1).

    See Also
    --------
    mcnemar_test : Paired test of two models on the same documents.

    References
    ----------
    Edwin B. Wilson. 1927. "Probable inference, the law of succession, and
    statistical inference." Journal of the American Statistical Association
    22(158), 209-212.

    Lawrence D. Brown, T. Tony Cai and Anirban DasGupta. 2001. "Interval
    estimation for a binomial proportion." Statistical Science 16(2),
    101-133.

    Robert G. Newcombe. 1998. "Two-sided confidence intervals for the single
    proportion: comparison of seven methods." Statistics in Medicine 17(8),
    857-872.

    Examples
    --------
    An accuracy of 81 right out of 263 (Newcombe, 1998):

    >>> from sklearn_rnn.stats import wilson_interval
    >>> low, high = wilson_interval(81, 263)
    >>> round(low, 4), round(high, 4)
    (0.2553, 0.3662)
    """
    if not n >= 1:
        raise ValueError(f"n must be at least one trial; got {n}.")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}; got {successes}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1); got {confidence!r}.")
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = successes / n
    shrink = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / shrink
    half = z / shrink * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))
