"""The arithmetic of the hidden Markov models, and hmmlearn's traps.

Parameters counted from a known assignment of states (the segmental start of
:class:`~sklearn_rnn.HMMClassifier`, the tag counts of
:class:`~sklearn_rnn.HMMTagger`), EM's stopping rule on the smoothed
objective, the forward algorithm vectorised over documents and classes, and
a filter for the two hmmlearn log messages that are noise here.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import logging
import threading
from collections import deque

import numpy as np
from hmmlearn.hmm import CategoricalHMM

from ._data import lengths_of

__all__ = [
    "quiet_hmmlearn",
    "SmoothedCategoricalHMM",
    "fit_class_hmm",
    "met_tol",
    "segmental_start",
    "tagged_counts",
    "forward_log_likelihood",
    "ListHistoriesMixin",
]

# -- hmmlearn's log messages ----------------------------------------------------
# hmmlearn reports through ``logging`` (logger "hmmlearn.base"). Two of its
# messages are noise for HMMClassifier and are dropped while (and only while)
# it fits: the "degenerate solution" notice (more emission parameters than
# tokens is the normal case for a text vocabulary, and the smoothed estimate is
# well defined) and "Model is not converging" (the objective monitored here is
# the smoothed one, which EM never decreases: that message can only come from
# rounding noise). Convergence is reported once, as a ConvergenceWarning.
# The filter sits on the logger only while some fit runs (fits in other
# threads share it, hence the count), and drops messages only in the context
# of such a fit (the context variable), so other code logging through
# hmmlearn at the same time is not silenced.
_QUIET_HMMLEARN = contextvars.ContextVar("sklearn_rnn_quiet_hmmlearn", default=False)
_NOISE = ("degenerate solution", "Model is not converging")


class _DropHMMLearnNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not _QUIET_HMMLEARN.get():
            return True
        message = record.getMessage()
        return not any(noise in message for noise in _NOISE)


_NOISE_FILTER = _DropHMMLearnNoise()
_FILTER_LOCK = threading.Lock()
_FITS_RUNNING = 0


@contextlib.contextmanager
def quiet_hmmlearn():
    """Drop hmmlearn's two noise messages inside the ``with`` block only.

    The filter is added to hmmlearn's logger on entry and removed on exit,
    also when the block raises.
    """
    global _FITS_RUNNING
    logger = logging.getLogger("hmmlearn.base")
    with _FILTER_LOCK:
        if _FITS_RUNNING == 0:
            logger.addFilter(_NOISE_FILTER)
        _FITS_RUNNING += 1
    token = _QUIET_HMMLEARN.set(True)
    try:
        yield
    finally:
        _QUIET_HMMLEARN.reset(token)
        with _FILTER_LOCK:
            _FITS_RUNNING -= 1
            if _FITS_RUNNING == 0:
                logger.removeFilter(_NOISE_FILTER)


class SmoothedCategoricalHMM(CategoricalHMM):
    """A ``CategoricalHMM`` whose monitor tracks the smoothed EM objective,
    and whose sequences can carry weights.

    With ``emissionprob_prior > 1`` EM maximises the log-likelihood plus the
    log Dirichlet prior of the emissions, but hmmlearn's monitor records the
    plain log-likelihood, which may fall between iterations and so stops EM
    early. Here the monitor records the objective EM actually increases.

    :meth:`fit_weighted` weights each sequence's sufficient statistics and
    log-likelihood (hmmlearn has no sample weights): weight 2 is the same
    fit as the sequence given twice.
    """

    _sequence_weights = None  # set only during fit_weighted

    def fit_weighted(self, X, lengths=None, weights=None):
        """``fit``, with one non-negative weight per sequence (None: all 1)."""
        self._sequence_weights = weights
        try:
            return self.fit(X, lengths)
        finally:
            del self._sequence_weights

    def _do_estep(self, X, lengths):
        # hmmlearn 0.3.3's E-step, each sequence's statistics times its weight
        weights = self._sequence_weights
        if weights is None:
            return super()._do_estep(X, lengths)
        forward_backward = {"scaling": self._fit_scaling, "log": self._fit_log}
        fit_sequence = forward_backward[self.implementation]
        stats = self._initialize_sufficient_statistics()
        self._estep_begin()
        objective = 0.0
        for weight, x in zip(weights, np.split(X, np.cumsum(lengths)[:-1])):
            lattice, logprob, posteriors, fwd, bwd = fit_sequence(x)
            # the start and emission statistics are sums of the posteriors, the
            # transitions' are computed from the lattices: weight both
            trans = stats["trans"].copy()
            self._accumulate_sufficient_statistics(
                stats, x, lattice, posteriors * weight, fwd, bwd
            )
            stats["trans"] = trans + weight * (stats["trans"] - trans)
            objective += weight * logprob
        return stats, objective

    def _compute_lower_bound(self, curr_logprob):
        prior = np.asarray(self.emissionprob_prior, dtype=float) - 1.0
        return curr_logprob + float(np.sum(prior * np.log(self.emissionprob_)))


def fit_class_hmm(clf, tokens, doc_lengths, doc_weights, seeds) -> CategoricalHMM:
    """The best of ``clf.n_init`` EM runs on one class's documents.

    ``clf`` is the :class:`~sklearn_rnn.HMMClassifier` (its parameters and
    ``n_features_``); ``tokens`` the documents' ids concatenated, shape
    ``(n_tokens, 1)``; ``doc_weights`` their sample weights, or None.
    """
    n_tokens = len(tokens) if doc_weights is None else doc_weights @ doc_lengths

    def make_hmm(seed):
        return SmoothedCategoricalHMM(
            n_components=clf.n_states,
            emissionprob_prior=1.0 + clf.alpha,
            n_features=clf.n_features_,
            n_iter=clf.n_iter,
            tol=clf.tol * n_tokens,
            random_state=int(seed),
            verbose=bool(clf.verbose),
            implementation="scaling",
        )

    if clf.n_states == 1:
        # One state ignores where documents end: the documents of one weight
        # are fitted as one long sequence (the same fit without a Python step
        # per document), and every run reaches the same optimum.
        if doc_weights is None:
            return make_hmm(seeds[0]).fit(tokens)
        token_weights = np.repeat(doc_weights, doc_lengths)
        values, group = np.unique(token_weights, return_inverse=True)
        tokens = tokens[np.argsort(group, kind="stable")]
        return make_hmm(seeds[0]).fit_weighted(tokens, np.bincount(group), values)
    if clf.init == "segmental":
        hmm = make_hmm(seeds[0])
        hmm.init_params = ""  # start from the parameters set here
        hmm.startprob_, hmm.transmat_, hmm.emissionprob_ = segmental_start(
            tokens[:, 0],
            doc_lengths,
            clf.n_states,
            clf.n_features_,
            clf.alpha,
            doc_weights,
        )
        return hmm.fit_weighted(tokens, doc_lengths, doc_weights)
    best = None
    for seed in seeds:
        hmm = make_hmm(seed).fit_weighted(tokens, doc_lengths, doc_weights)
        if best is None or hmm.monitor_.history[-1] > best.monitor_.history[-1]:
            best = hmm
    return best


def met_tol(monitor) -> bool:
    """Whether EM stopped on ``tol`` (hmmlearn's ``converged`` is also True at
    the iteration cap)."""
    history = monitor.history
    return len(history) >= 2 and history[-1] - history[-2] < monitor.tol


# -- parameters counted from known states ---------------------------------------
def segmental_start(
    tokens, doc_lengths, n_states: int, n_features: int, alpha, weights=None
):
    """HMM parameters counted from cutting each document into equal parts.

    Token ``t`` of a document of length ``L`` is assigned state
    ``floor(n_states * t / L)``; emissions get ``alpha`` pseudo-counts, start
    and transition counts one, and each row is normalised. ``weights`` (one
    per document, None: all 1) weight each document's counts.
    """
    doc_starts = np.concatenate(([0], np.cumsum(doc_lengths)[:-1]))
    position = np.arange(len(tokens)) - np.repeat(doc_starts, doc_lengths)
    states = n_states * position // np.repeat(doc_lengths, doc_lengths)
    if weights is None:
        weights = np.ones(len(doc_lengths))
    token_weights = np.repeat(weights, doc_lengths)
    emission = np.full((n_states, n_features), float(alpha))
    np.add.at(emission, (states, tokens), token_weights)
    start = np.ones(n_states)
    first = position == 0
    np.add.at(start, states[first], token_weights[first])
    within = position[1:] > 0  # consecutive tokens of one document
    transition = np.ones((n_states, n_states))
    pairs = (states[:-1][within], states[1:][within])
    np.add.at(transition, pairs, token_weights[1:][within])
    return (
        start / start.sum(),
        transition / transition.sum(axis=1, keepdims=True),
        emission / emission.sum(axis=1, keepdims=True),
    )


def tagged_counts(
    tag_ids: list[np.ndarray],
    word_ids: list[np.ndarray],
    n_tags: int,
    n_words: int,
    alpha: float,
    emission_alpha: float,
    rare_threshold: int,
):
    """Start, transition and emission probabilities counted from tagged text.

    Start and transition counts get ``alpha`` pseudo-counts, emissions
    ``emission_alpha`` (word id 0, the padding, is never emitted). The rare
    words of a tag (seen at most ``rare_threshold`` times) also count as
    emissions of ``<unk>`` (id 1), so an unseen word is tagged like them.
    """
    tags = [t for t in tag_ids if len(t)]
    starts = np.bincount([t[0] for t in tags], minlength=n_tags) + alpha
    pairs = np.concatenate([t[:-1] * n_tags + t[1:] for t in tags])
    transitions = np.bincount(pairs, minlength=n_tags * n_tags)
    transitions = transitions.reshape(n_tags, n_tags) + alpha

    flat_tags, flat_words = np.concatenate(tag_ids), np.concatenate(word_ids)
    emissions = (
        np.bincount(flat_tags * n_words + flat_words, minlength=n_tags * n_words)
        .reshape(n_tags, n_words)
        .astype(np.float64)
    )
    word_counts = np.bincount(flat_words, minlength=n_words)
    rare = word_counts[flat_words] <= rare_threshold
    emissions[:, 1] += np.bincount(flat_tags[rare], minlength=n_tags)
    emissions[:, 1:] += emission_alpha  # column 0 (padding): never
    return (
        starts / starts.sum(),
        transitions / transitions.sum(axis=1, keepdims=True),
        emissions / emissions.sum(axis=1, keepdims=True),
    )


# -- the forward algorithm --------------------------------------------------------
def forward_log_likelihood(
    seqs: list[np.ndarray], models: list[CategoricalHMM], n_features: int
) -> np.ndarray:
    """``log p(x | model)`` of each sequence: shape (n_sequences, n_models).

    The scaled forward algorithm, run on all sequences and models at once:
    sequences are sorted by length, so at step ``t`` the sequences still
    running are a prefix of that order. Ids ``>= n_features`` are read as
    ``<unk>`` (1); an empty sequence has log-likelihood 0.
    """
    lengths = lengths_of(seqs)
    n_docs, n_classes = len(seqs), len(models)
    loglik = np.zeros((n_docs, n_classes))
    if not lengths.any():
        return loglik
    order = np.argsort(-lengths, kind="stable")
    sorted_lengths = lengths[order]
    tokens = np.concatenate([seqs[i] for i in order])
    tokens[tokens >= n_features] = 1  # unseen ids -> <unk>
    starts = np.concatenate(([0], np.cumsum(sorted_lengths)[:-1]))
    # running[t]: number of documents with more than t tokens
    running = np.searchsorted(-sorted_lengths, -np.arange(sorted_lengths[0]))

    startprob = np.stack([m.startprob_ for m in models])  # (C, K)
    transmat = np.stack([m.transmat_ for m in models])  # (C, K, K)
    emission = np.stack([m.emissionprob_ for m in models])  # (C, K, V)
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


def _with_histories(kind: type, models):
    """Shallow copies of hmmlearn ``models`` (a list, or one model) whose
    monitor's ``history`` is a ``kind`` (``list`` or ``deque``)."""
    if isinstance(models, list):
        return [_with_histories(kind, model) for model in models]
    model = copy.copy(models)
    model.monitor_ = copy.copy(model.monitor_)
    model.monitor_.history = kind(model.monitor_.history)
    return model


class ListHistoriesMixin:
    """Store the convergence histories of the hmmlearn models in the
    attribute ``_hmm_attribute`` as lists: skops keeps none of a deque's
    items (see :mod:`sklearn_rnn.persistence`)."""

    _hmm_attribute: str

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: not our own __dict__
        if self._hmm_attribute in state:
            models = state[self._hmm_attribute]
            state[self._hmm_attribute] = _with_histories(list, models)
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if self._hmm_attribute in state:
            models = getattr(self, self._hmm_attribute)
            setattr(self, self._hmm_attribute, _with_histories(deque, models))
