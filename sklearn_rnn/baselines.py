"""Baselines that a recurrent text classifier has to beat.

:func:`make_bow_pipeline` builds bag-of-words pipelines (counts -> a linear
model or naive Bayes) that see the same tokens as :class:`VocabularyIndexer`.
:class:`HMMClassifier` is a generative sequence classifier: one categorical
hidden Markov model per class, fitted with :mod:`hmmlearn`, and Bayes' rule.
"""

from __future__ import annotations

import contextvars
import logging
import numbers
import warnings

import numpy as np
from hmmlearn.hmm import CategoricalHMM
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder
from sklearn.svm import LinearSVC
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import SoftmaxPredictMixin
from ._validation import check_labels, check_sequences, max_token_id
from .text import DEFAULT_TOKEN_PATTERN, VocabularyIndexer

__all__ = ["make_bow_pipeline", "HMMClassifier", "make_hmm_pipeline"]

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
    make_hmm_pipeline : The generative sequence baseline.

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


# -- hmmlearn's log messages ----------------------------------------------------
# hmmlearn reports through ``logging`` (logger "hmmlearn.base"). Two of its
# messages are noise for HMMClassifier and are dropped while (and only while)
# it fits: the "degenerate solution" notice (more emission parameters than
# tokens is the normal case for a text vocabulary, and the smoothed estimate is
# well defined) and "Model is not converging" (the objective monitored here is
# the smoothed one, which EM never decreases: that message can only come from
# rounding noise). Convergence is reported once, as a ConvergenceWarning.
_QUIET_HMMLEARN = contextvars.ContextVar("sklearn_rnn_quiet_hmmlearn", default=False)
_NOISE = ("degenerate solution", "Model is not converging")


class _DropHMMLearnNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not _QUIET_HMMLEARN.get():
            return True
        message = record.getMessage()
        return not any(noise in message for noise in _NOISE)


_NOISE_FILTER = _DropHMMLearnNoise()


class _SmoothedCategoricalHMM(CategoricalHMM):
    """A ``CategoricalHMM`` whose monitor tracks the smoothed EM objective.

    With ``emissionprob_prior > 1`` EM maximises the log-likelihood plus the
    log Dirichlet prior of the emissions, but hmmlearn's monitor records the
    plain log-likelihood, which may fall between iterations and so stops EM
    early. Here the monitor records the objective EM actually increases.
    """

    def _compute_lower_bound(self, curr_logprob):
        prior = np.asarray(self.emissionprob_prior, dtype=float) - 1.0
        return curr_logprob + float(np.sum(prior * np.log(self.emissionprob_)))


def _met_tol(monitor) -> bool:
    """Whether EM stopped on ``tol`` (hmmlearn's ``converged`` is also True at
    the iteration cap)."""
    history = monitor.history
    return len(history) >= 2 and history[-1] - history[-2] < monitor.tol


def _segmental_start(tokens, doc_lengths, n_states: int, n_features: int, alpha):
    """HMM parameters counted from cutting each document into equal parts.

    Token ``t`` of a document of length ``L`` is assigned state
    ``floor(n_states * t / L)``; emissions get ``alpha`` pseudo-counts, start
    and transition counts one, and each row is normalised.
    """
    doc_starts = np.concatenate(([0], np.cumsum(doc_lengths)[:-1]))
    position = np.arange(len(tokens)) - np.repeat(doc_starts, doc_lengths)
    states = n_states * position // np.repeat(doc_lengths, doc_lengths)
    emission = np.full((n_states, n_features), float(alpha))
    np.add.at(emission, (states, tokens), 1.0)
    start = np.ones(n_states)
    np.add.at(start, states[position == 0], 1.0)
    within = position[1:] > 0  # consecutive tokens of one document
    transition = np.ones((n_states, n_states))
    np.add.at(transition, (states[:-1][within], states[1:][within]), 1.0)
    return (
        start / start.sum(),
        transition / transition.sum(axis=1, keepdims=True),
        emission / emission.sum(axis=1, keepdims=True),
    )


class HMMClassifier(SoftmaxPredictMixin, ClassifierMixin, BaseEstimator):
    """Generative sequence classifier: one categorical HMM per class.

    Each class gets its own :class:`hmmlearn.hmm.CategoricalHMM` over the
    token ids, fitted by EM on the documents of that class. A document is
    assigned the class with the largest joint log-likelihood
    ``log p(x | class) + log p(class)``, the prior being the class frequency
    in the training data. With ``n_states=1`` every model is a smoothed
    unigram language model, which makes the classifier multinomial naive
    Bayes; more states let the emissions depend on the position in the
    sentence.

    The input is the output of :class:`VocabularyIndexer` (a ragged list of
    id arrays) or of :class:`SequencePadder` (a 2-D id array, pre- or
    post-padded with 0): pad ids are removed, so padding never changes a
    result. Ids that were not seen in ``fit`` (``>= n_features_``) are read
    as ``<unk>`` (1). A document without tokens has log-likelihood 0 under
    every class, so the prior decides.

    Parameters
    ----------
    n_states : int, default=1
        Hidden states of each class's HMM.
    alpha : float, default=1.0
        Additive (Laplace/Lidstone) smoothing of the emission probabilities:
        every token gets ``alpha`` pseudo-counts in every state, so a token
        unseen in one class never has probability zero. It is hmmlearn's
        Dirichlet prior ``emissionprob_prior = 1 + alpha``.
    n_iter : int, default=100
        Maximum number of EM iterations per class.
    tol : float, default=1e-4
        EM stops when an iteration raises the smoothed log-likelihood of a
        class's training data by less than ``tol`` per token (the value given
        to hmmlearn is ``tol`` times the class's token count, so one setting
        suits small and large corpora alike).
    init : {"segmental", "random"}, default="segmental"
        Where EM starts when ``n_states > 1``. "segmental" cuts every
        document into ``n_states`` equal parts and counts the tokens of part
        ``k`` as emitted by state ``k`` (the start and the transitions are
        counted from the same assignment, with one pseudo-count each, so
        every transition stays possible): the states start as "beginning",
        "middle", "end" of a sentence, deterministically. "random" is
        hmmlearn's random start, run ``n_init`` times. EM finds local optima;
        on TREC-6 validation the segmental start was ahead of two random
        starts in 12 of 15 settings (2, 3, 4, 6, 8 states x three ``alpha``;
        behind with 3 states at ``alpha=0.5`` and 8 states at ``alpha`` 0.5
        and 1), see the user guide.
    n_init : int, default=1
        With ``init="random"``: EM runs from different random starts per
        class; the run reaching the highest smoothed log-likelihood is kept.
        Ignored when ``n_states=1``, where every start reaches the same
        optimum, and with ``init="segmental"``, which has one start.
    random_state : int, RandomState instance or None, default=None
        Seeds the random initialisation of the HMMs with ``init="random"``
        (each class and each of the ``n_init`` runs gets its own seed drawn
        from it). An int gives reproducible results.
    verbose : int, default=0
        When positive, hmmlearn prints one line per EM iteration to stderr.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    class_log_prior_ : ndarray of shape (n_classes,)
        Log of each class's share of the training documents.
    models_ : list of hmmlearn.hmm.CategoricalHMM
        The fitted HMM of each class (the best of its ``n_init`` runs), in
        the order of ``classes_``; their ``monitor_.history`` holds the
        smoothed log-likelihood per iteration.
    n_features_ : int
        Number of token ids the HMMs emit (largest id seen in ``fit`` plus
        one, at least 2).
    n_iter_ : ndarray of shape (n_classes,)
        EM iterations run for each class (by its kept run).
    converged_ : ndarray of shape (n_classes,)
        Whether EM met ``tol`` for each class (hitting ``n_iter`` does not
        count as converged, unlike hmmlearn's ``monitor_.converged``).

    See Also
    --------
    make_hmm_pipeline : Indexer and classifier in one pipeline.
    sklearn.naive_bayes.MultinomialNB : The bag-of-words counterpart of
        ``n_states=1``.

    Notes
    -----
    Fitting with a vocabulary larger than a class's token count makes
    hmmlearn log that the solution is "degenerate"; with ``alpha > 0`` the
    smoothed estimate is well defined, so that message (and hmmlearn's
    "Model is not converging" message, see below) is dropped during ``fit``.
    hmmlearn's monitor would track the plain log-likelihood, which the
    smoothed EM may lower; the models here track the smoothed objective,
    which EM never lowers. A class that does not converge within ``n_iter``
    iterations raises one :class:`~sklearn.exceptions.ConvergenceWarning`.
    Documents without tokens are left out of the HMMs' training data (they
    still count for the prior); a class whose documents hold no token at all
    is an error.

    For ``n_states=1`` the documents are handed to hmmlearn as one sequence:
    a single-state model does not depend on where documents end, and the fit
    is the same, only faster. Per-document log-likelihoods are computed by a
    forward pass vectorised over documents and classes (hmmlearn's ``score``
    returns one sum over all sequences it is given).

    Examples
    --------
    >>> from sklearn_rnn import HMMClassifier
    >>> X = [[2, 3, 2], [2, 2], [4, 5, 4], [5, 4]]
    >>> clf = HMMClassifier(random_state=0).fit(X, ["a", "a", "b", "b"])
    >>> clf.predict([[2, 3], [4, 4, 9]])
    array(['a', 'b'], dtype='<U1')
    >>> clf.predict_proba([[]]).round(2)  # no tokens: the prior decides
    array([[0.5, 0.5]])
    """

    _parameter_constraints: dict = {
        "n_states": [Interval(numbers.Integral, 1, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "init": [StrOptions({"segmental", "random"})],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        n_states: int = 1,
        alpha: float = 1.0,
        n_iter: int = 100,
        tol: float = 1e-4,
        init: str = "segmental",
        n_init: int = 1,
        random_state=None,
        verbose: int = 0,
    ):
        self.n_states = n_states
        self.alpha = alpha
        self.n_iter = n_iter
        self.tol = tol
        self.init = init
        self.n_init = n_init
        self.random_state = random_state
        self.verbose = verbose

    def _make_hmm(self, seed: int, n_tokens: int) -> CategoricalHMM:
        return _SmoothedCategoricalHMM(
            n_components=self.n_states,
            emissionprob_prior=1.0 + self.alpha,
            n_features=self.n_features_,
            n_iter=self.n_iter,
            tol=self.tol * n_tokens,
            random_state=seed,
            verbose=bool(self.verbose),
            implementation="scaling",
        )

    def _fit_class(self, tokens, doc_lengths, seeds) -> CategoricalHMM:
        """The best of ``n_init`` EM runs on one class's tokens."""
        if self.n_states == 1:
            # One state ignores where documents end: fitting one long sequence
            # is the same fit without a Python step per document, and every
            # run reaches the same optimum.
            return self._make_hmm(int(seeds[0]), len(tokens)).fit(tokens)
        if self.init == "segmental":
            hmm = self._make_hmm(int(seeds[0]), len(tokens))
            hmm.init_params = ""  # start from the parameters set here
            hmm.startprob_, hmm.transmat_, hmm.emissionprob_ = _segmental_start(
                tokens[:, 0], doc_lengths, self.n_states, self.n_features_, self.alpha
            )
            return hmm.fit(tokens, doc_lengths)
        best = None
        for seed in seeds:
            hmm = self._make_hmm(int(seed), len(tokens)).fit(tokens, doc_lengths)
            if best is None or hmm.monitor_.history[-1] > best.monitor_.history[-1]:
                best = hmm
        return best

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit one HMM per class by EM.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Token-id sequences (pad id 0), as made by :class:`VocabularyIndexer`
            or :class:`SequencePadder`.
        y : array-like of shape (n_documents,)
            Class labels (strings or integers).

        Returns
        -------
        self : HMMClassifier
            The fitted classifier.
        """
        seqs = check_sequences(X, strip_pad=True)
        y_arr = check_labels(y, len(seqs))
        encoder = LabelEncoder().fit(y_arr)
        classes, y_encoded = encoder.classes_, encoder.transform(y_arr)
        lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
        max_id = max_token_id(seqs)
        self.n_features_ = max(max_id + 1, 2)
        counts = np.bincount(y_encoded, minlength=len(classes))
        rng = check_random_state(self.random_state)
        # seeds[i, k]: run i of class k; the first runs do not depend on n_init
        seeds = rng.randint(np.iinfo(np.int32).max, size=(self.n_init, len(classes)))

        models = []
        logger = logging.getLogger("hmmlearn.base")
        if _NOISE_FILTER not in logger.filters:
            logger.addFilter(_NOISE_FILTER)
        token = _QUIET_HMMLEARN.set(True)
        try:
            for k, label in enumerate(classes.tolist()):
                docs = np.flatnonzero((y_encoded == k) & (lengths > 0))
                if docs.size == 0:
                    raise ValueError(
                        f"Class {label!r} has no tokens: all its {counts[k]} "
                        "document(s) are empty, so there is nothing to fit its "
                        "HMM on."
                    )
                tokens = np.concatenate([seqs[i] for i in docs])[:, None]
                models.append(self._fit_class(tokens, lengths[docs], seeds[:, k]))
        finally:
            _QUIET_HMMLEARN.reset(token)

        self.classes_ = classes
        self.class_log_prior_ = np.log(counts / counts.sum())
        self.models_ = models
        self.n_iter_ = np.array([m.monitor_.iter for m in models], dtype=np.int64)
        self.converged_ = np.array([_met_tol(m.monitor_) for m in models])
        if not self.converged_.all():
            labels = ", ".join(repr(c) for c in classes[~self.converged_].tolist())
            warnings.warn(
                f"EM did not converge within n_iter={self.n_iter} iterations "
                f"for class(es) {labels} (tol={self.tol} per token). Increase "
                "n_iter or tol; see converged_ and n_iter_.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _log_likelihood(self, seqs: list[np.ndarray]) -> np.ndarray:
        """``log p(x | class)`` of each document: shape (n_documents, n_classes).

        The scaled forward algorithm, run on all documents and classes at
        once: documents are sorted by length, so at step ``t`` the documents
        still running are a prefix of that order.
        """
        lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
        n_docs, n_classes = len(seqs), len(self.models_)
        loglik = np.zeros((n_docs, n_classes))
        if not lengths.any():
            return loglik
        order = np.argsort(-lengths, kind="stable")
        sorted_lengths = lengths[order]
        tokens = np.concatenate([seqs[i] for i in order])
        tokens[tokens >= self.n_features_] = 1  # unseen ids -> <unk>
        starts = np.concatenate(([0], np.cumsum(sorted_lengths)[:-1]))
        # running[t]: number of documents with more than t tokens
        running = np.searchsorted(-sorted_lengths, -np.arange(sorted_lengths[0]))

        startprob = np.stack([m.startprob_ for m in self.models_])  # (C, K)
        transmat = np.stack([m.transmat_ for m in self.models_])  # (C, K, K)
        emission = np.stack([m.emissionprob_ for m in self.models_])  # (C, K, V)
        out = np.zeros((n_docs, n_classes))
        fwd = np.empty((n_docs, n_classes, startprob.shape[1]))
        with np.errstate(divide="ignore", invalid="ignore"):
            for t, n in enumerate(running):
                frame = emission[:, :, tokens[starts[:n] + t]].transpose(2, 0, 1)
                if t == 0:
                    step = startprob * frame
                else:
                    step = (fwd[:n, :, None, :] @ transmat)[:, :, 0, :] * frame
                scale = step.sum(axis=2)
                out[:n] += np.log(scale)
                fwd[:n] = step / scale[:, :, None]
        loglik[order] = out
        return loglik

    def _class_scores(self, X) -> np.ndarray:
        check_is_fitted(self, "models_")
        seqs = check_sequences(X, strip_pad=True)
        return self._log_likelihood(seqs) + self.class_log_prior_

    def decision_function(self, X) -> np.ndarray:
        """Joint log-likelihood ``log p(x | class) + log p(class)`` per class.

        Unlike most scikit-learn binary classifiers, the output has one
        column per class even for two classes, so binary scorers that read
        ``decision_function`` first (``scoring="roc_auc"``) reject it; score
        ``predict_proba`` instead, e.g. ``make_scorer(roc_auc_score,
        response_method="predict_proba")``.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Token-id sequences.

        Returns
        -------
        scores : ndarray of shape (n_documents, n_classes)
            Columns follow ``classes_``; the largest one is the prediction.
        """
        return self._class_scores(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        return tags


def make_hmm_pipeline(*, indexer_params: dict | None = None, **hmm_params) -> Pipeline:
    """Build ``VocabularyIndexer -> HMMClassifier``.

    Parameters
    ----------
    indexer_params : dict, default=None
        Parameters of the :class:`VocabularyIndexer` step.
    **hmm_params
        Parameters of the :class:`HMMClassifier` step.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps named ``"indexer"`` and ``"classifier"``, so a grid search
        addresses e.g. ``"classifier__n_states"``.

    Examples
    --------
    >>> from sklearn_rnn import make_hmm_pipeline
    >>> pipe = make_hmm_pipeline(n_states=1, random_state=0)
    >>> pipe.fit(["good film", "a good one", "bad film", "so bad"],
    ...          ["pos", "pos", "neg", "neg"]).predict(["good", "bad !"])
    array(['pos', 'neg'], dtype='<U3')
    """
    return Pipeline(
        [
            ("indexer", VocabularyIndexer(**(indexer_params or {}))),
            ("classifier", HMMClassifier(**hmm_params)),
        ]
    )
