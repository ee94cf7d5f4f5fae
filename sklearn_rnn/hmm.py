"""Hidden Markov model baselines, fitted or decoded with :mod:`hmmlearn`.

:class:`HMMClassifier` is a generative document classifier: one categorical
HMM per class, fitted by EM, and Bayes' rule; :func:`make_hmm_pipeline` puts
a :class:`~sklearn_rnn.VocabularyIndexer` before it. :class:`HMMTagger` is
the classic supervised bigram HMM tagger: probabilities counted from the
training tags, decoded by Viterbi. They are the baselines of
:class:`~sklearn_rnn.RNNClassifier` and :class:`~sklearn_rnn.RNNTagger`.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from hmmlearn.hmm import CategoricalHMM
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import SoftmaxPredictMixin
from ._data import lengths_of, split_by_lengths
from ._hmm import (
    ListHistoriesMixin,
    fit_class_hmm,
    forward_log_likelihood,
    met_tol,
    quiet_hmmlearn,
    tagged_counts,
)
from ._params import fit_context
from ._tagging import TaggerMixin, check_sentences, check_tag_sequences
from ._validation import (
    check_has_tokens,
    check_labels,
    check_sample_weight,
    check_sequences,
    id_table_size,
)
from .text import VocabularyIndexer

__all__ = ["HMMClassifier", "make_hmm_pipeline", "HMMTagger"]


class HMMClassifier(
    ListHistoriesMixin, SoftmaxPredictMixin, ClassifierMixin, BaseEstimator
):
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
        to hmmlearn is ``tol`` times the class's token count, weighted by
        ``sample_weight`` when given, so one setting suits small and large
        corpora alike).
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

    _hmm_attribute = "models_"

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

    @fit_context
    def fit(self, X, y, sample_weight=None):
        """Fit one HMM per class by EM.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Token-id sequences (pad id 0), as made by :class:`VocabularyIndexer`
            or :class:`SequencePadder`.
        y : array-like of shape (n_documents,)
            Class labels (strings or integers).
        sample_weight : array-like of shape (n_documents,), default=None
            Non-negative weight of each document in the class priors and in
            its class's EM statistics: weight 2 is the document given twice,
            weight 0 leaves it out. None weights every document 1.

        Returns
        -------
        self : HMMClassifier
            The fitted classifier.
        """
        seqs = check_sequences(X, strip_pad=True)
        y_arr = check_labels(y, len(seqs))
        # as given: a weight counts documents, as EM's counts do
        weights = check_sample_weight(sample_weight, len(seqs), mean_one=False)
        encoder = LabelEncoder().fit(y_arr)
        classes, y_encoded = encoder.classes_, encoder.transform(y_arr)
        lengths = lengths_of(seqs)
        check_has_tokens(lengths, "documents")
        # per class: emission probabilities, EM statistics and their logs
        per_id = 4 * 8 * max(self.n_states, 1) * len(classes)
        self.n_features_ = id_table_size(seqs, per_id, "emission matrices")
        counts = np.bincount(y_encoded, minlength=len(classes))
        totals = np.bincount(y_encoded, weights=weights, minlength=len(classes))
        used = lengths > 0 if weights is None else (lengths > 0) & (weights > 0)
        rng = check_random_state(self.random_state)
        # seeds[i, k]: run i of class k; the first runs do not depend on n_init
        seeds = rng.randint(np.iinfo(np.int32).max, size=(self.n_init, len(classes)))

        models = []
        with quiet_hmmlearn():
            for k, label in enumerate(classes.tolist()):
                if totals[k] == 0:
                    raise ValueError(
                        f"Class {label!r} has sample_weight 0 on all its "
                        f"{counts[k]} document(s): its HMM and prior would be "
                        "undefined. Give it weight or leave its documents out."
                    )
                docs = np.flatnonzero((y_encoded == k) & used)
                if docs.size == 0:
                    raise ValueError(
                        f"Class {label!r} has no tokens: all its {counts[k]} "
                        "document(s) are empty (or of weight 0), so there is "
                        "nothing to fit its HMM on."
                    )
                tokens = np.concatenate([seqs[i] for i in docs])[:, None]
                doc_weights = None if weights is None else weights[docs]
                models.append(
                    fit_class_hmm(self, tokens, lengths[docs], doc_weights, seeds[:, k])
                )

        self.classes_ = classes
        self.class_log_prior_ = np.log(totals / totals.sum())
        self.models_ = models
        self.n_iter_ = np.array([m.monitor_.iter for m in models], dtype=np.int64)
        self.converged_ = np.array([met_tol(m.monitor_) for m in models])
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
        """``log p(x | class)`` of each document: shape (n_documents, n_classes)."""
        return forward_log_likelihood(seqs, self.models_, self.n_features_)

    def _class_scores(self, X) -> np.ndarray:
        check_is_fitted(self, "models_")
        seqs = check_sequences(X, strip_pad=True)
        return self._log_likelihood(seqs) + self.class_log_prior_

    def decision_function(self, X) -> np.ndarray:
        """Joint log-likelihoods ``log p(x | class) + log p(class)``.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Token-id sequences.

        Returns
        -------
        scores : ndarray of shape (n_documents,) or (n_documents, n_classes)
            One column per class, following ``classes_``; the largest one is
            the prediction. For two classes, as in scikit-learn, one value per
            document: the joint log-likelihood of ``classes_[1]`` minus that of
            ``classes_[0]``, i.e. the posterior log-odds (positive means
            ``classes_[1]``), so ``scoring="roc_auc"`` and
            :class:`~sklearn.calibration.CalibratedClassifierCV` work.
        """
        return self._decision_scores(X)

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


class HMMTagger(ListHistoriesMixin, TaggerMixin, BaseEstimator):
    """Supervised bigram hidden Markov model tagger, decoded by hmmlearn.

    The hidden states are the tags. Start, transition and emission
    probabilities are counted from the training tags with additive
    smoothing; a reserved unknown-word symbol (``<unk>``, id 1) emits, for
    each tag, as often as the rare training words (seen at most
    ``rare_threshold`` times) of that tag, so an unseen word is tagged like
    the rare words of its context. The counts are set as the parameters of a
    :class:`hmmlearn.hmm.CategoricalHMM`, whose Viterbi decoder tags each
    sentence (``predict``) and whose forward-backward algorithm gives the
    per-token posteriors (``predict_proba``).

    Parameters
    ----------
    alpha : float, default=1.0
        Add-alpha smoothing of the start and transition counts.
    emission_alpha : float, default=0.01
        Add-alpha smoothing of the emission counts (every tag may emit every
        word of the vocabulary and ``<unk>``).
    rare_threshold : int, default=1
        Words seen at most this often in training also count as emissions
        of ``<unk>`` (1: the hapaxes). 0 leaves ``<unk>`` to the smoothing.
    lowercase : bool, default=False
        Lowercase words before counting.

    Attributes
    ----------
    classes_ : ndarray of shape (n_tags,)
        Tag labels (the HMM's states, in this order).
    word_indexer_ : VocabularyIndexer
        Word vocabulary: symbol ids of the HMM.
    startprob_ : ndarray of shape (n_tags,)
        Probability of each tag starting a sentence.
    transmat_ : ndarray of shape (n_tags, n_tags)
        ``transmat_[i, j]`` is the probability of tag ``j`` after tag ``i``.
    emissionprob_ : ndarray of shape (n_tags, n_words)
        ``emissionprob_[i, w]`` is the probability that tag ``i`` emits the
        word of id ``w`` (column 0, the padding id, is never emitted).
    hmm_ : hmmlearn.hmm.CategoricalHMM
        The HMM holding these parameters.

    See Also
    --------
    sklearn_rnn.RNNTagger : The recurrent tagger.
    HMMClassifier : An HMM per class for document classification.

    Examples
    --------
    >>> from sklearn_rnn import HMMTagger
    >>> X = [["the", "dog", "runs"], ["a", "cat", "sleeps"], ["the", "cat"]]
    >>> y = [["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"], ["DET", "NOUN"]]
    >>> tagger = HMMTagger().fit(X, y)
    >>> tagger.predict([["a", "dog", "barks"]])[0].tolist()
    ['DET', 'NOUN', 'VERB']
    >>> tagger.classes_.tolist()
    ['DET', 'NOUN', 'VERB']
    >>> tagger.transmat_.round(2)  # DET -> NOUN 3 times: (3 + 1) / (3 + 3)
    array([[0.17, 0.67, 0.17],
           [0.2 , 0.2 , 0.6 ],
           [0.33, 0.33, 0.33]])
    """

    _hmm_attribute = "hmm_"

    _parameter_constraints: dict = {
        "alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "emission_alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "rare_threshold": [Interval(numbers.Integral, 0, None, closed="left")],
        "lowercase": ["boolean"],
    }

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        emission_alpha: float = 0.01,
        rare_threshold: int = 1,
        lowercase: bool = False,
    ):
        self.alpha = alpha
        self.emission_alpha = emission_alpha
        self.rare_threshold = rare_threshold
        self.lowercase = lowercase

    @fit_context
    def fit(self, X, y):
        """Count the HMM's probabilities from tagged sentences.

        Parameters
        ----------
        X : iterable of (list of str or str)
            Training sentences.
        y : iterable of sequences
            The tags of each sentence, one per token.

        Returns
        -------
        self : HMMTagger
            The fitted tagger.
        """
        sentences = check_sentences(X)
        tag_ids = self._encode_tags(check_tag_sequences(y, sentences))
        word_ids = self._fit_words(sentences)
        n_tags, n_words = len(self.classes_), len(self.word_indexer_.vocabulary_)
        smoothing = (self.alpha, self.emission_alpha, self.rare_threshold)
        probabilities = tagged_counts(tag_ids, word_ids, n_tags, n_words, *smoothing)
        self.startprob_, self.transmat_, self.emissionprob_ = probabilities
        hmm = CategoricalHMM(n_components=n_tags, n_features=n_words)
        hmm.startprob_ = self.startprob_
        hmm.transmat_ = self.transmat_
        hmm.emissionprob_ = self.emissionprob_
        self.hmm_ = hmm
        return self

    def _hmm_input(self, sentences):
        word_ids = self._word_ids(sentences)
        lengths = np.array([len(w) for w in word_ids], dtype=np.int64)
        if not lengths.any():
            return None, lengths
        return np.concatenate(word_ids)[:, None], lengths

    def _predict_ids(self, sentences: list[list[str]]) -> list[np.ndarray]:
        check_is_fitted(self, "hmm_")
        symbols, lengths = self._hmm_input(sentences)
        if symbols is None:
            return [np.zeros(0, dtype=np.int64) for _ in sentences]
        _, states = self.hmm_.decode(symbols, lengths[lengths > 0], algorithm="viterbi")
        return split_by_lengths(states, lengths.tolist())

    def predict_proba(self, X) -> list[np.ndarray]:
        """Posterior tag probabilities of every token (forward-backward).

        Parameters
        ----------
        X : iterable of (list of str or str)
            Sentences.

        Returns
        -------
        proba : list of ndarray of shape (n_tokens, n_tags)
            One array per sentence; rows sum to one, columns follow
            ``classes_``. Their row-wise argmax can differ from ``predict``,
            which gives the single most likely tag sequence.
        """
        check_is_fitted(self, "hmm_")
        sentences = check_sentences(X)
        symbols, lengths = self._hmm_input(sentences)
        if symbols is None:
            return [np.zeros((0, len(self.classes_))) for _ in sentences]
        posteriors = self.hmm_.predict_proba(symbols, lengths[lengths > 0])
        return split_by_lengths(posteriors, lengths.tolist())
