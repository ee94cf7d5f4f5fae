"""Tests of the corrected resampled t-test."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sklearn_rnn.stats import corrected_ttest


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
