"""Tests of HMMClassifier and make_hmm_pipeline (HMMTagger: test_tagger.py)."""

import logging
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from helpers import LABELS, TEXTS
from hmmlearn.hmm import CategoricalHMM
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import SequencePadder
from sklearn_rnn._hmm import SmoothedCategoricalHMM, segmental_start
from sklearn_rnn.hmm import HMMClassifier, make_hmm_pipeline


def make_sequences(n=40, seed=0):
    """Two classes of id sequences with different unigram and order statistics."""
    rng = np.random.RandomState(seed)
    X, y = [], []
    for i in range(n):
        label = i % 2
        length = rng.randint(2, 9)
        if label == 0:  # alternates low and high ids
            seq = [2 + (t % 2) * 4 + rng.randint(2) for t in range(length)]
        else:
            seq = list(rng.randint(4, 9, size=length))
        X.append(np.array(seq, dtype=np.int64))
        y.append(label)
    return X, np.array(y)


X_SEQ, Y_SEQ = make_sequences()


@pytest.fixture(scope="module")
def fitted():
    return HMMClassifier(n_states=2, random_state=0).fit(X_SEQ, Y_SEQ)


# -- HMMClassifier: outputs ------------------------------------------------------
def test_output_shapes_and_consistency(fitted):
    proba = fitted.predict_proba(X_SEQ)
    scores = fitted.decision_function(X_SEQ)
    assert proba.shape == (len(X_SEQ), 2) and scores.shape == (len(X_SEQ),)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(fitted.predict_log_proba(X_SEQ)), proba)
    predicted = fitted.predict(X_SEQ)
    assert predicted.tolist() == fitted.classes_[(scores > 0).astype(int)].tolist()
    assert predicted.tolist() == fitted.classes_[proba.argmax(axis=1)].tolist()
    assert fitted.score(X_SEQ, Y_SEQ) >= 0.9
    assert len(fitted.models_) == 2 and fitted.n_features_ == 9
    assert all(isinstance(m, CategoricalHMM) for m in fitted.models_)
    assert all(m.n_features == 9 for m in fitted.models_)


def joint_log_likelihood(clf, seqs):
    """``log p(x | class) + log p(class)`` by hmmlearn's own ``score``."""
    n = clf.n_features_
    loglik = [
        [m.score(np.where(s >= n, 1, s)[:, None]) for m in clf.models_] for s in seqs
    ]
    return np.array(loglik) + clf.class_log_prior_


def test_binary_decision_function_is_the_posterior_log_odds(fitted):
    seqs = [X_SEQ[0], X_SEQ[1], np.array([2, 40])]  # 40 is unseen -> <unk>
    joint = joint_log_likelihood(fitted, seqs)
    scores = fitted.decision_function(seqs)
    assert scores.shape == (3,)
    np.testing.assert_allclose(scores, joint[:, 1] - joint[:, 0])
    log_proba = fitted.predict_log_proba(seqs)
    np.testing.assert_allclose(scores, log_proba[:, 1] - log_proba[:, 0])


def test_multiclass_decision_function_is_the_joint_log_likelihood():
    y3 = np.where(np.arange(len(Y_SEQ)) % 4 == 0, 2, Y_SEQ)
    clf = HMMClassifier(n_states=2, random_state=0).fit(X_SEQ, y3)
    seqs = [X_SEQ[0], X_SEQ[1], np.array([2, 40])]
    scores = clf.decision_function(seqs)
    assert scores.shape == (3, 3)
    np.testing.assert_allclose(scores, joint_log_likelihood(clf, seqs))
    assert clf.predict(seqs).tolist() == clf.classes_[scores.argmax(axis=1)].tolist()


def test_binary_scorers_and_calibration_read_decision_function():
    scores = cross_validate(
        make_hmm_pipeline(random_state=0),
        TEXTS,
        LABELS,
        cv=3,
        scoring="roc_auc",
        error_score="raise",
    )
    assert scores["test_score"].mean() == 1.0
    calibrated = CalibratedClassifierCV(make_hmm_pipeline(random_state=0), cv=3)
    proba = calibrated.fit(TEXTS, LABELS).predict_proba(["a good film", "bad"])
    assert proba.shape == (2, 2)
    assert calibrated.predict(["a good film", "so bad"]).tolist() == ["pos", "neg"]


@pytest.mark.parametrize("n_states", [1, 3])
def test_vectorised_log_likelihood_matches_hmmlearn(n_states):
    clf = HMMClassifier(n_states=n_states, random_state=1).fit(X_SEQ, Y_SEQ)
    seqs = X_SEQ + [np.array([], dtype=np.int64), np.array([5])]
    expected = [
        [m.score(s[:, None]) if s.size else 0.0 for m in clf.models_] for s in seqs
    ]
    np.testing.assert_allclose(clf._log_likelihood(seqs), expected, rtol=1e-10)


def test_one_state_is_a_smoothed_unigram_model():
    alpha = 0.5
    clf = HMMClassifier(alpha=alpha).fit(X_SEQ, Y_SEQ)
    for k, model in enumerate(clf.models_):
        tokens = np.concatenate([s for s, c in zip(X_SEQ, Y_SEQ) if c == k])
        counts = np.bincount(tokens, minlength=clf.n_features_) + alpha
        np.testing.assert_allclose(model.emissionprob_[0], counts / counts.sum())
    assert clf.converged_.all()


def test_prior_decides_for_documents_without_tokens():
    X = [[2, 3], [2], [3, 2, 2], [4, 5], [5]]
    clf = HMMClassifier().fit(X, ["a", "a", "a", "b", "b"])
    np.testing.assert_allclose(clf.class_log_prior_, np.log([0.6, 0.4]))
    proba = clf.predict_proba([[], [0, 0]])  # a padded row without tokens
    np.testing.assert_allclose(proba, [[0.6, 0.4], [0.6, 0.4]])
    assert clf.predict([[]]).tolist() == ["a"]
    # an unseen id is <unk>: smoothed probability 1 / (6 tokens + 6 ids) in
    # class a and 1 / (3 + 6) in b; the prior is added
    np.testing.assert_allclose(
        clf.decision_function([[6]]), [np.log(0.4 / 9) - np.log(0.6 / 12)]
    )


def test_unseen_ids_are_read_as_unk(fitted):
    np.testing.assert_allclose(
        fitted.predict_proba([[2, 100], [1000]]),
        fitted.predict_proba([[2, 1], [1]]),
    )


def test_empty_documents_are_left_out_of_the_fit():
    X = [list(s) for s in X_SEQ]
    with_empty = HMMClassifier(n_states=2, random_state=0).fit(
        X + [[], [0, 0]], np.r_[Y_SEQ, 0, 0]
    )
    without = HMMClassifier(n_states=2, random_state=0).fit(X, Y_SEQ)
    for a, b in zip(with_empty.models_, without.models_):
        np.testing.assert_allclose(a.emissionprob_, b.emissionprob_)
        np.testing.assert_allclose(a.transmat_, b.transmat_)
    np.testing.assert_allclose(np.exp(with_empty.class_log_prior_), [22 / 42, 20 / 42])


def test_class_without_tokens_is_an_error():
    with pytest.raises(ValueError, match=r"Class 'b' has no tokens: all its 2"):
        HMMClassifier().fit([[2, 3], [], [0]], ["a", "b", "b"])


@pytest.mark.parametrize("padding", ["post", "pre"])
def test_padded_and_ragged_input_give_the_same_results(fitted, padding):
    padded = SequencePadder(padding=padding).fit_transform(X_SEQ)
    assert padded.shape[1] == 8
    np.testing.assert_array_equal(
        fitted.predict_proba(padded), fitted.predict_proba(X_SEQ)
    )
    refit = HMMClassifier(n_states=2, random_state=0).fit(padded, Y_SEQ)
    np.testing.assert_array_equal(
        refit.predict_proba(X_SEQ), fitted.predict_proba(X_SEQ)
    )


def test_string_and_integer_labels_and_input_containers():
    y_str = np.where(Y_SEQ == 0, "neg", "pos")
    clf = HMMClassifier(random_state=0).fit(tuple(X_SEQ), pd.Series(y_str))
    assert clf.classes_.tolist() == ["neg", "pos"]
    assert set(clf.predict(X_SEQ)) <= {"neg", "pos"}
    clf_int = HMMClassifier(random_state=0).fit([s.tolist() for s in X_SEQ], Y_SEQ)
    assert clf_int.classes_.tolist() == [0, 1]
    assert (
        clf.predict(X_SEQ) == np.where(clf_int.predict(X_SEQ) == 0, "neg", "pos")
    ).all()


def test_random_state_makes_random_starts_reproducible():
    a = HMMClassifier(n_states=3, init="random", random_state=7).fit(X_SEQ, Y_SEQ)
    b = HMMClassifier(n_states=3, init="random", random_state=7).fit(X_SEQ, Y_SEQ)
    c = HMMClassifier(n_states=3, init="random", random_state=8).fit(X_SEQ, Y_SEQ)
    np.testing.assert_array_equal(a.predict_proba(X_SEQ), b.predict_proba(X_SEQ))
    assert not np.allclose(a.models_[0].emissionprob_, c.models_[0].emissionprob_)
    # each class gets its own seed
    assert a.models_[0].random_state != a.models_[1].random_state


def test_segmental_start_counts_equal_parts_of_each_document():
    # documents [2, 3, 4, 5] and [6, 7]: states 0 0 1 1 and 0 1
    start, transition, emission = segmental_start(
        np.array([2, 3, 4, 5, 6, 7]), np.array([4, 2]), 2, 8, 0.5
    )
    np.testing.assert_allclose(start, [3 / 4, 1 / 4])  # two starts in 0, +1 each
    # 0->0 once, 0->1 twice, 1->1 once, each + 1
    np.testing.assert_allclose(transition, [[2 / 5, 3 / 5], [1 / 3, 2 / 3]])
    np.testing.assert_allclose(
        emission[0], np.array([0.5, 0.5, 1.5, 1.5, 0.5, 0.5, 1.5, 0.5]) / 7
    )
    np.testing.assert_allclose(
        emission[1], np.array([0.5, 0.5, 0.5, 0.5, 1.5, 1.5, 0.5, 1.5]) / 7
    )


def test_segmental_start_needs_no_seed():
    a = HMMClassifier(n_states=3, random_state=7).fit(X_SEQ, Y_SEQ)
    b = HMMClassifier(n_states=3, random_state=8, n_init=3).fit(X_SEQ, Y_SEQ)
    np.testing.assert_array_equal(a.predict_proba(X_SEQ), b.predict_proba(X_SEQ))
    assert a.score(X_SEQ, Y_SEQ) > 0.9


def test_n_init_keeps_the_best_run():
    one = HMMClassifier(n_states=3, init="random", random_state=0).fit(X_SEQ, Y_SEQ)
    best = HMMClassifier(n_states=3, init="random", n_init=4, random_state=0)
    best.fit(X_SEQ, Y_SEQ)
    for a, b in zip(one.models_, best.models_):  # the first run is the same
        assert b.monitor_.history[-1] >= a.monitor_.history[-1]
    assert any(
        b.monitor_.history[-1] > a.monitor_.history[-1] + 1e-6
        for a, b in zip(one.models_, best.models_)
    )
    # one state: a single run, whatever n_init says
    np.testing.assert_array_equal(
        HMMClassifier(n_init=3).fit(X_SEQ, Y_SEQ).predict_proba(X_SEQ),
        HMMClassifier().fit(X_SEQ, Y_SEQ).predict_proba(X_SEQ),
    )


def test_pickle_and_clone(fitted):
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(
        restored.predict_proba(X_SEQ), fitted.predict_proba(X_SEQ)
    )
    unfitted = pickle.loads(pickle.dumps(HMMClassifier(n_states=2, alpha=0.5)))
    assert unfitted.get_params() == HMMClassifier(n_states=2, alpha=0.5).get_params()
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "models_")
    with pytest.raises(NotFittedError):
        copy.predict(X_SEQ)


def test_fit_keeps_parameters_and_predict_keeps_state():
    clf = HMMClassifier(n_states=2, random_state=np.random.RandomState(0))
    params = clf.get_params()
    assert clf.fit(X_SEQ, Y_SEQ) is clf
    assert clf.get_params() == params
    state = dict(clf.__dict__)
    proba = clf.predict_proba(X_SEQ)
    assert clf.__dict__.keys() == state.keys()
    assert all(clf.__dict__[k] is v for k, v in state.items())
    # predictions use the fitted models, not parameters changed since
    np.testing.assert_array_equal(
        clf.set_params(n_states=1).predict_proba(X_SEQ), proba
    )


def test_pipeline_in_grid_search_and_cross_validate():
    pipe = make_hmm_pipeline(random_state=0)
    assert [step for step, _ in pipe.steps] == ["indexer", "classifier"]
    search = GridSearchCV(
        pipe,
        {"classifier__n_states": [1, 2], "classifier__alpha": [0.1, 1.0]},
        cv=3,
        n_jobs=1,
        error_score="raise",
    ).fit(TEXTS, LABELS)
    assert search.best_score_ == 1.0
    assert search.predict(["a really bad film"]).tolist() == ["neg"]

    scores = cross_validate(
        make_hmm_pipeline(indexer_params={"min_freq": 1}, n_states=2, random_state=0),
        TEXTS,
        LABELS,
        cv=3,
        scoring=["accuracy", "neg_log_loss"],
        error_score="raise",
    )
    assert scores["test_accuracy"].mean() == 1.0


# -- sample_weight -------------------------------------------------------------------
def assert_same_models(a, b):
    np.testing.assert_allclose(a.class_log_prior_, b.class_log_prior_)
    for m, n in zip(a.models_, b.models_):
        np.testing.assert_allclose(m.startprob_, n.startprob_, atol=1e-10)
        np.testing.assert_allclose(m.transmat_, n.transmat_, atol=1e-10)
        np.testing.assert_allclose(m.emissionprob_, n.emissionprob_, atol=1e-10)
    np.testing.assert_allclose(a.predict_proba(X_SEQ), b.predict_proba(X_SEQ))


@pytest.mark.parametrize(
    "params",
    [dict(n_states=1), dict(n_states=2), dict(n_states=3, init="random", n_init=2)],
    ids=["one-state", "segmental", "random"],
)
def test_integer_weights_are_repeated_documents(params):
    weights = np.random.RandomState(0).randint(1, 4, size=len(X_SEQ))
    X_rep = [s for s, w in zip(X_SEQ, weights) for _ in range(w)]
    y_rep = np.repeat(Y_SEQ, weights)
    clf = HMMClassifier(**params, random_state=0)
    weighted = clone(clf).fit(X_SEQ, Y_SEQ, sample_weight=weights)
    repeated = clone(clf).fit(X_rep, y_rep)
    assert_same_models(weighted, repeated)
    assert weighted.n_iter_.tolist() == repeated.n_iter_.tolist()
    unweighted = clone(clf).fit(X_SEQ, Y_SEQ)
    assert not np.allclose(
        weighted.models_[0].emissionprob_, unweighted.models_[0].emissionprob_
    )


@pytest.mark.parametrize("n_states", [1, 2])
def test_zero_weight_leaves_documents_out(n_states):
    weights = np.where(np.arange(len(X_SEQ)) < 12, 0.0, 1.0)
    weighted = HMMClassifier(n_states=n_states).fit(X_SEQ, Y_SEQ, sample_weight=weights)
    subset = HMMClassifier(n_states=n_states).fit(X_SEQ[12:], Y_SEQ[12:])
    assert_same_models(weighted, subset)
    ones = HMMClassifier(n_states=n_states).fit(X_SEQ, Y_SEQ, sample_weight=1.0)
    assert_same_models(ones, HMMClassifier(n_states=n_states).fit(X_SEQ, Y_SEQ))


def test_weights_set_the_class_prior():
    X, y = [[2, 3], [2], [4, 5], [5]], ["a", "a", "b", "b"]
    clf = HMMClassifier().fit(X, y, sample_weight=[1, 2, 3, 4])
    np.testing.assert_allclose(np.exp(clf.class_log_prior_), [0.3, 0.7])
    # an empty document counts for the prior only, with its weight
    clf = HMMClassifier().fit(X + [[]], y + ["a"], sample_weight=[1, 2, 3, 4, 10])
    np.testing.assert_allclose(np.exp(clf.class_log_prior_), [0.65, 0.35])


def test_sample_weight_is_routed_through_a_pipeline_in_grid_search():
    weights = np.where([("bad" in t) or ("good" in t) for t in TEXTS], 1.0, 0.0)
    weights[:8] *= 3
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_hmm_pipeline(random_state=0)
        pipe.named_steps["classifier"].set_fit_request(sample_weight=True)
        pipe.named_steps["classifier"].set_score_request(sample_weight=True)
        search = GridSearchCV(
            pipe, {"classifier__alpha": [0.1, 1.0]}, cv=3, error_score="raise"
        ).fit(TEXTS, LABELS, sample_weight=weights)
        assert not np.isnan(search.cv_results_["mean_test_score"]).any()
        best = search.best_estimator_.named_steps["classifier"]
        alpha = best.alpha
        by_hand = clone(pipe).set_params(classifier__alpha=alpha)
        by_hand.fit(TEXTS, LABELS, sample_weight=weights)
    expected = by_hand.named_steps["classifier"]
    unweighted = make_hmm_pipeline(alpha=alpha, random_state=0).fit(TEXTS, LABELS)
    np.testing.assert_allclose(
        best.models_[0].emissionprob_, expected.models_[0].emissionprob_
    )
    assert not np.allclose(
        best.models_[0].emissionprob_,
        unweighted.named_steps["classifier"].models_[0].emissionprob_,
    )


@pytest.mark.parametrize(
    "weights, match",
    [
        ([1.0, -1.0, 1.0, 1.0], "Negative values"),
        ([1.0, np.nan, 1.0, 1.0], "NaN"),
        ([1.0, np.inf, 1.0, 1.0], "infinity"),
        ([1.0, 1.0, 1.0], r"shape == \(3,\), expected \(4,\)"),
        ([0, 0, 0, 0], "at least one non-zero"),
        ([1.0, 1.0, 0.0, 0.0], "Class 'b' has sample_weight 0 on all its 2"),
    ],
)
def test_bad_sample_weight_errors(weights, match):
    X, y = [[2, 3], [2], [4, 5], [5]], ["a", "a", "b", "b"]
    with pytest.raises(ValueError, match=match):
        HMMClassifier().fit(X, y, sample_weight=weights)


# -- warnings -----------------------------------------------------------------------
def test_convergence_warning_when_n_iter_is_hit():
    clf = HMMClassifier(n_states=2, n_iter=1, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"n_iter=1 .* class\(es\) 0, 1"):
        clf.fit(X_SEQ, Y_SEQ)
    assert clf.n_iter_.tolist() == [1, 1]
    assert not clf.converged_.any()


def test_converged_is_recorded_and_the_objective_never_falls():
    clf = HMMClassifier(n_states=3, tol=0.0, n_iter=30, random_state=0)
    with warnings.catch_warnings():
        # tol=0 runs to the cap; only the warning that says so is expected
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_SEQ, Y_SEQ)
    for model in clf.models_:
        history = np.array(model.monitor_.history)
        assert len(history) == 30
        assert np.all(np.diff(history) > -1e-9 * np.abs(history[1:]))
    clf = HMMClassifier(n_states=2, tol=1e-3, random_state=0).fit(X_SEQ, Y_SEQ)
    assert clf.converged_.all() and (clf.n_iter_ < 100).all()
    n_tokens = sum(len(s) for s, c in zip(X_SEQ, Y_SEQ) if c == 0)
    assert clf.models_[0].tol == pytest.approx(1e-3 * n_tokens)


def test_hmmlearn_noise_is_dropped_only_during_fit(caplog):
    # 2 classes of ~5 tokens against 9 symbols: hmmlearn calls this degenerate
    X, y = [[2, 3], [4, 2, 3], [5, 6], [7, 8, 6]], [0, 0, 1, 1]
    with caplog.at_level(logging.WARNING, logger="hmmlearn"):
        HMMClassifier(n_states=2, random_state=0).fit(X, y)
    assert not caplog.records
    with caplog.at_level(logging.WARNING, logger="hmmlearn"):
        CategoricalHMM(n_components=2, n_features=9, n_iter=2, random_state=0).fit(
            np.array([[2], [3], [4]])
        )
    assert "degenerate solution" in caplog.text


def hmmlearn_filters():
    return list(logging.getLogger("hmmlearn.base").filters)


def test_hmmlearn_log_filter_is_there_only_during_fit(monkeypatch):
    before = hmmlearn_filters()
    seen = []
    fit = SmoothedCategoricalHMM.fit

    def spy(self, *args):
        seen.append(len(hmmlearn_filters()) - len(before))
        return fit(self, *args)

    monkeypatch.setattr(SmoothedCategoricalHMM, "fit", spy)
    HMMClassifier(n_states=2, random_state=0).fit(X_SEQ, Y_SEQ)
    assert seen == [1, 1]  # present while each class's HMM is fitted
    assert hmmlearn_filters() == before
    with pytest.raises(ValueError, match="no tokens"):
        HMMClassifier().fit([[2, 3], [], [0]], ["a", "b", "b"])  # fails mid-fit
    assert hmmlearn_filters() == before


# -- bad input -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "X, y, error, match",
    [
        ("some text", [0], TypeError, "Token-id sequences expected"),
        (["some text", "more"], [0, 1], TypeError, "Document 0 is a string"),
        ([[2, -1], [3]], [0, 1], ValueError, "negative id -1"),
        ([[2.5], [3]], [0, 1], TypeError, "floats"),
        ([[2], [3]], None, ValueError, "needs labels"),
        ([[2], [3]], [0, 1, 1], ValueError, "different lengths"),
        ([[2], [3]], [0, 0], ValueError, "single class"),
        ([[2], [3]], [0.5, 1.0], ValueError, "continuous"),
        ([[2], [3]], [0, np.nan], ValueError, "missing label"),
        ([], [], ValueError, "empty"),
    ],
)
def test_bad_input_errors(X, y, error, match):
    with pytest.raises(error, match=match):
        HMMClassifier().fit(X, y)


def test_bad_parameters_and_unfitted_use(fitted):
    for params in (
        {"n_states": 0},
        {"alpha": 0.0},
        {"n_iter": 0},
        {"tol": -1.0},
        {"n_init": 0},
    ):
        with pytest.raises(InvalidParameterError):
            HMMClassifier(**params).fit(X_SEQ, Y_SEQ)
    with pytest.raises(NotFittedError):
        HMMClassifier().predict_proba(X_SEQ)
    with pytest.raises(TypeError, match="VocabularyIndexer"):
        fitted.predict(["raw text"])
