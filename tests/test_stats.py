"""Tests of the statistics of a comparison: t-test, McNemar, Wilson interval."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sklearn_rnn.stats import corrected_ttest, mcnemar_test, wilson_interval


def test_corrected_ttest_matches_a_hand_computed_example():
    d = [0.02, 0.03, 0.01, 0.04, 0.0]
    # mean 0.02; var (ddof=1) = (0 + 1 + 1 + 4 + 4) * 1e-4 / 4 = 2.5e-4;
    # correction 1/5 + 20/80 = 0.45; t = 0.02 / sqrt(0.45 * 2.5e-4) = 1.88562
    t, p = corrected_ttest(d, n_train=80, n_test=20)
    assert t == pytest.approx(0.02 / np.sqrt(0.45 * 2.5e-4))
    assert t == pytest.approx(1.885618, abs=1e-6)
    assert p == pytest.approx(2 * stats.t.sf(1.885618, df=4), abs=1e-6)
    assert p == pytest.approx(0.13233, abs=1e-4)
    # the uncorrected paired t-test would claim much stronger evidence
    assert stats.ttest_1samp(d, 0).pvalue < p
    assert corrected_ttest([-x for x in d], 80, 20) == pytest.approx((-t, p))


def test_corrected_ttest_with_zero_variance():
    assert corrected_ttest([0.0, 0.0, 0.0], 10, 5) == (0.0, 1.0)
    assert np.isnan(corrected_ttest([0.1, np.nan], 10, 5)[1])
    t, p = corrected_ttest([0.1, 0.1, 0.1], 10, 5)
    assert t == np.inf and p == 0.0
    assert corrected_ttest([-0.1, -0.1], 10, 5) == (-np.inf, 0.0)


@pytest.mark.parametrize(
    "args, match",
    [(([0.1], 8, 2), "at least 2"), (([0.1, 0.2], 0, 2), "positive")],
)
def test_corrected_ttest_errors(args, match):
    with pytest.raises(ValueError, match=match):
        corrected_ttest(*args)


# -- McNemar's exact test -------------------------------------------------------


def _pairs(both, a_only, b_only, neither):
    """Per-document correctness of two models with the given counts."""
    a = [True] * both + [True] * a_only + [False] * b_only + [False] * neither
    b = [True] * both + [False] * a_only + [True] * b_only + [False] * neither
    return np.array(a), np.array(b)


def test_mcnemar_matches_a_hand_computed_value_and_binomtest():
    # 12 documents only A gets right, 3 only B: under H0 the 15 discordant
    # documents split like fair coins; P(X <= 3) = (1 + 15 + 105 + 455) / 2**15
    a, b = _pairs(both=70, a_only=12, b_only=3, neither=15)
    b_count, c_count, p = mcnemar_test(a, b)
    assert (b_count, c_count) == (12, 3)
    assert p == pytest.approx(2 * 576 / 2**15) == 0.03515625
    assert p == pytest.approx(stats.binomtest(3, 15, 0.5).pvalue)
    assert mcnemar_test(b, a) == (3, 12, pytest.approx(p))
    # the concordant documents do not matter
    assert mcnemar_test(*_pairs(0, 12, 3, 0))[2] == pytest.approx(p)


@pytest.mark.parametrize("a_only, b_only", [(0, 0), (5, 5), (1, 0), (40, 25), (9, 1)])
def test_mcnemar_agrees_with_binomtest(a_only, b_only):
    _, _, p = mcnemar_test(*_pairs(10, a_only, b_only, 3))
    n = a_only + b_only
    expected = stats.binomtest(b_only, n, 0.5).pvalue if n else 1.0
    assert p == pytest.approx(expected)


def test_mcnemar_takes_zeros_and_ones():
    assert mcnemar_test([1, 0, 1], [1, 1, 0]) == (1, 1, 1.0)


@pytest.mark.parametrize(
    "a, b, match",
    [
        ([True, False], [True], "same length"),
        ([[True]], [[True]], "1-D"),
        ([True, 2], [True, False], "True/False"),
        ([], [], "at least one"),
    ],
)
def test_mcnemar_errors(a, b, match):
    with pytest.raises(ValueError, match=match):
        mcnemar_test(a, b)


# -- Wilson score interval ------------------------------------------------------


def test_wilson_interval_matches_newcombe_and_scipy():
    # Newcombe (1998), example: 81 of 263, 95 % interval 0.2553 to 0.3662
    low, high = wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    expected = stats.binomtest(81, 263).proportion_ci(0.95, method="wilson")
    assert (low, high) == pytest.approx((expected.low, expected.high))
    ci = stats.binomtest(81, 263).proportion_ci(0.9, method="wilson")
    assert wilson_interval(81, 263, 0.9) == pytest.approx((ci.low, ci.high))


def test_wilson_interval_at_the_edges():
    low, high = wilson_interval(0, 5)
    assert low == 0.0 and 0 < high < 1
    low, high = wilson_interval(5, 5)
    assert 0 < low < 1 and high == 1.0


@pytest.mark.parametrize(
    "args, match",
    [
        ((1, 0), "at least one"),
        ((6, 5), "between 0 and n"),
        ((-1, 5), "between 0 and n"),
        ((1, 5, 1.0), "confidence"),
    ],
)
def test_wilson_interval_errors(args, match):
    with pytest.raises(ValueError, match=match):
        wilson_interval(*args)
