"""Tests of the bag-of-words baselines."""

import pytest
from helpers import LABELS, TEXTS
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

from sklearn_rnn.baselines import make_bow_pipeline
from sklearn_rnn.text import DEFAULT_TOKEN_PATTERN


# -- bag-of-words pipelines ----------------------------------------------------
@pytest.mark.parametrize(
    "name, cls",
    [("logreg", LogisticRegression), ("nb", MultinomialNB), ("linearsvc", LinearSVC)],
)
def test_bow_pipeline_variants(name, cls):
    pipe = make_bow_pipeline(name)
    assert [step for step, _ in pipe.steps] == ["vectorizer", "classifier"]
    assert isinstance(pipe.named_steps["classifier"], cls)
    pipe.fit(TEXTS, LABELS)
    assert pipe.score(TEXTS, LABELS) == 1.0
    assert pipe.predict(["so bad"]).tolist() == ["neg"]


def test_bow_pipeline_sees_the_indexer_tokens_and_takes_vectorizer_params():
    pipe = make_bow_pipeline().fit(TEXTS, LABELS)
    vectorizer = pipe.named_steps["vectorizer"]
    assert vectorizer.token_pattern == DEFAULT_TOKEN_PATTERN
    assert {"i", "a", "!", ","} <= set(vectorizer.vocabulary_)
    assert pipe.named_steps["classifier"].max_iter == 1000

    pipe = make_bow_pipeline("nb", ngram_range=(1, 2), token_pattern=r"\w\w+")
    vocabulary = pipe.fit(TEXTS, LABELS).named_steps["vectorizer"].vocabulary_
    assert "really good" in vocabulary
    assert "a" not in vocabulary and "!" not in vocabulary


def test_bow_pipeline_unknown_classifier():
    with pytest.raises(ValueError, match=r"Unknown classifier 'svm'.*'linearsvc'"):
        make_bow_pipeline("svm")
