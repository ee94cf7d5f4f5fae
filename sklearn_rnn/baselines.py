"""Bag-of-words baselines that a recurrent text classifier has to beat.

:func:`make_bow_pipeline` builds bag-of-words pipelines (counts -> a linear
model or naive Bayes) that see the same tokens as :class:`VocabularyIndexer`.
The hidden Markov model baselines are in :mod:`sklearn_rnn.hmm`.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from .text import DEFAULT_TOKEN_PATTERN

__all__ = ["make_bow_pipeline"]

_BOW_CLASSIFIERS = {
    "logreg": lambda: LogisticRegression(max_iter=1000),
    "nb": MultinomialNB,
    "linearsvc": LinearSVC,
}


def make_bow_pipeline(
    classifier: str = "logreg",
    ngram_range: tuple[int, int] = (1, 1),
    **vectorizer_params,
) -> Pipeline:
    """Build a bag-of-words pipeline: ``CountVectorizer -> classifier``.

    The vectorizer uses :data:`~sklearn_rnn.text.DEFAULT_TOKEN_PATTERN`, so it
    counts the same tokens that :class:`VocabularyIndexer` turns into ids
    (one-letter words and punctuation marks included).

    Parameters
    ----------
    classifier : {"logreg", "nb", "linearsvc"}, default="logreg"
        ``LogisticRegression(max_iter=1000)``, ``MultinomialNB()`` or
        ``LinearSVC()``.
    ngram_range : tuple of int, default=(1, 1)
        Smallest and largest n-gram length counted.
    **vectorizer_params
        Further :class:`~sklearn.feature_extraction.text.CountVectorizer`
        parameters; ``token_pattern`` overrides the default.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps named ``"vectorizer"`` and ``"classifier"``, so a grid search
        addresses e.g. ``"classifier__C"``.

    See Also
    --------
    sklearn_rnn.make_hmm_pipeline : The generative sequence baseline.

    Examples
    --------
    >>> from sklearn_rnn import make_bow_pipeline
    >>> pipe = make_bow_pipeline("nb", ngram_range=(1, 2))
    >>> pipe.fit(["good film !", "bad film .", "good , good", "bad !"],
    ...          ["pos", "neg", "pos", "neg"]).predict(["a good one"])
    array(['pos'], dtype='<U3')
    """
    if classifier not in _BOW_CLASSIFIERS:
        raise ValueError(
            f"Unknown classifier {classifier!r}; choose one of "
            f"{sorted(_BOW_CLASSIFIERS)}."
        )
    vectorizer_params.setdefault("token_pattern", DEFAULT_TOKEN_PATTERN)
    return Pipeline(
        [
            (
                "vectorizer",
                CountVectorizer(ngram_range=ngram_range, **vectorizer_params),
            ),
            ("classifier", _BOW_CLASSIFIERS[classifier]()),
        ]
    )
