"""scikit-learn's structural estimator checks, run on every public estimator.

scikit-learn skips its whole check suite for estimators whose input is text
(``two_d_array=False``), and its data checks feed float matrices that token-id
estimators rightly reject. So we run, by name, the API checks that do not
depend on the input, and test the text versions of the data checks in each
estimator's own test module.
"""

import inspect

import numpy as np
import pytest
from helpers import TINY
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, KBinsDiscretizer
from sklearn.utils import estimator_checks as checks

import sklearn_rnn
from sklearn_rnn import HMMClassifier, RNNClassifier

STRUCTURAL_CHECKS = [
    checks.check_estimator_cloneable,
    checks.check_estimator_repr,
    checks.check_no_attributes_set_in_init,
    checks.check_do_not_raise_errors_in_init_or_set_params,
    checks.check_get_params_invariance,
    checks.check_set_params,
    checks.check_parameters_default_constructible,
    checks.check_param_validation,
    checks.check_mixin_order,
    checks.check_valid_tag_types,
    checks.check_estimator_tags_renamed,
]


def all_estimators():
    """Every public estimator class of the package."""
    return [
        obj
        for name in sklearn_rnn.__all__
        if inspect.isclass(obj := getattr(sklearn_rnn, name))
        and hasattr(obj, "get_params")
    ]


def test_all_estimators_found():
    names = {cls.__name__ for cls in all_estimators()}
    assert {
        "VocabularyIndexer",
        "SequencePadder",
        "RNNClassifier",
        "LSTMClassifier",
        "GRUClassifier",
    } <= names


@pytest.mark.parametrize("Estimator", all_estimators(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("check", STRUCTURAL_CHECKS, ids=lambda c: c.__name__)
def test_structural_checks(Estimator, check):
    estimator = Estimator()
    check(Estimator.__name__, estimator)


# -- scikit-learn's classifier contract, on adapted data -------------------------
# sklearn's data checks feed float feature matrices. A classifier of token ids
# sees them through a discretiser: each feature's bin becomes one token (its id
# distinct per feature), so a row is a document of n_features tokens and the
# checks test the classifier itself.
N_BINS = 4


def bins_to_token_ids(bins):
    """Ordinal bins ``(n, d)`` -> token ids: ``2 + bin + N_BINS * feature``."""
    return 2 + bins.astype(int) + N_BINS * np.arange(bins.shape[1])


def on_float_features(classifier):
    return make_pipeline(
        KBinsDiscretizer(n_bins=N_BINS, encode="ordinal", strategy="uniform"),
        FunctionTransformer(bins_to_token_ids),
        classifier,
    )


ID_CLASSIFIERS = [
    HMMClassifier(n_states=2),
    RNNClassifier(**TINY),
]
CLASSIFIER_CHECKS = [
    checks.check_classifiers_classes,
    checks.check_decision_proba_consistency,
]


@pytest.mark.parametrize("classifier", ID_CLASSIFIERS, ids=lambda c: type(c).__name__)
@pytest.mark.parametrize("check", CLASSIFIER_CHECKS, ids=lambda c: c.__name__)
def test_classifier_checks_on_discretised_features(classifier, check):
    check(type(classifier).__name__, on_float_features(classifier))
