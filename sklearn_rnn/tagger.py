"""Sequence taggers (many-to-many): one label per token.

:class:`RNNTagger` reads a sentence with a (by default bidirectional) LSTM
and labels every token from the network's output at that token; a small
character CNN lets it guess the tag of words it never saw. It is trained by
skorch like :class:`~sklearn_rnn.RNNClassifier`. :class:`HMMTagger` is the
classic supervised bigram hidden Markov model: probabilities counted from the
training tags, decoded by :mod:`hmmlearn`'s Viterbi.

Both take a list of sentences, each a list of tokens (or a string, split by
:class:`~sklearn_rnn.VocabularyIndexer`'s default token pattern, case kept),
and a list of tag sequences of the same lengths; ``predict`` returns one
array of tags per sentence and ``score`` is the token accuracy.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterable

import numpy as np
import torch
from hmmlearn.hmm import CategoricalHMM
from scipy.special import softmax
from sklearn.base import BaseEstimator, _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet

from ._data import IGNORE_INDEX, SequenceDataset, make_loader, split_by_lengths
from ._training import (
    NETWORK_CONSTRAINTS,
    SKORCH_CONSTRAINTS,
    FittedNetMixin,
    ValidAccuracy,
    early_stopping_split,
    get_optimizer,
    train_net,
    training_callbacks,
)
from .nn import TaggerModule, TokenCrossEntropyLoss
from .text import VocabularyIndexer

__all__ = ["RNNTagger", "HMMTagger"]

#: Longer words keep their first and last ``_MAX_WORD_CHARS // 2`` characters
#: for the character CNN (prefixes and suffixes carry the part of speech).
_MAX_WORD_CHARS = 20


# -- input checking -------------------------------------------------------------
def _whole_token(token: str) -> list[str]:
    """Analyzer that keeps a token as it is (one token per "document")."""
    return [token]


def _whole_token_lower(token: str) -> list[str]:
    """Analyzer that keeps a token whole, lowercased."""
    return [token.lower()]


def _preview(tokens: list[str], n: int = 6) -> str:
    shown = " ".join(tokens[:n])
    return repr(shown + (" ..." if len(tokens) > n else ""))


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _check_sentences(X) -> list[list[str]]:
    """Validate tagger input: an iterable of sentences, each a token list or str.

    Returns a new list of token lists. A string sentence is split by the
    default token pattern of :class:`VocabularyIndexer` (case kept).
    """
    if X is None:
        raise TypeError(
            "A list of sentences expected (each a list of tokens or a string), "
            "got None."
        )
    if isinstance(X, (str, bytes)):
        raise TypeError(
            "A list of sentences expected, str object received. Wrap a single "
            "sentence in a list: [tokens]."
        )
    if (isinstance(X, np.ndarray) and X.ndim == 0) or not isinstance(X, Iterable):
        raise TypeError(f"A list of sentences expected, got {type(X).__name__}.")
    tokenize = None
    sentences = []
    for i, sentence in enumerate(X):
        if isinstance(sentence, (str, np.str_)):
            if tokenize is None:
                tokenize = VocabularyIndexer(lowercase=False).build_analyzer()
            sentences.append(tokenize(str(sentence)))
            continue
        if _is_missing(sentence) or not isinstance(sentence, Iterable):
            raise TypeError(
                f"Sentence {i} is {sentence!r:.50}; each sentence must be a list "
                "of token strings (or one string)."
            )
        tokens = list(sentence)
        for j, token in enumerate(tokens):
            if not isinstance(token, str):
                raise TypeError(
                    f"Sentence {i} holds {token!r:.50} at position {j}; tokens "
                    "must be strings."
                )
        sentences.append([str(t) for t in tokens])
    if not sentences:
        raise ValueError("The input is empty: at least one sentence is needed.")
    return sentences


def _check_tag_sequences(y, sentences: list[list[str]]) -> list[list]:
    """Validate the tag sequences against the sentences; name any bad one."""
    if y is None:
        raise ValueError("A tagger needs tags: y=None was passed to fit.")
    if isinstance(y, (str, bytes)):
        raise TypeError("y must be a list of tag sequences, one per sentence.")
    tag_seqs = []
    for i, tags in enumerate(y):
        if isinstance(tags, (str, bytes)) or not isinstance(tags, Iterable):
            raise TypeError(
                f"The tags of sentence {i} are {tags!r:.50}; each sentence needs "
                "a sequence of tags, one per token."
            )
        tag_seqs.append(list(tags))
    if len(tag_seqs) != len(sentences):
        raise ValueError(
            f"X and y have different lengths: {len(sentences)} sentences but "
            f"{len(tag_seqs)} tag sequences."
        )
    for i, (tokens, tags) in enumerate(zip(sentences, tag_seqs)):
        if len(tokens) != len(tags):
            raise ValueError(
                f"Sentence {i} ({_preview(tokens)}) has {len(tokens)} tokens but "
                f"{len(tags)} tags; every token needs exactly one tag."
            )
        missing = [j for j, tag in enumerate(tags) if _is_missing(tag)]
        if missing:
            raise ValueError(
                f"Sentence {i} ({_preview(tokens)}) has a missing tag (None or "
                f"NaN) at position {missing[0]}."
            )
    return tag_seqs


class _TaggerMixin:
    """Tag encoding, word indexing, ``predict`` and ``score`` of the taggers.

    Subclasses implement ``_tag_scores(sentences)`` returning one array of
    shape ``(n_tokens, n_tags)`` per sentence (probabilities or logits), or
    override ``_predict_ids``.
    """

    def _encode_tags(self, tag_seqs: list[list]) -> list[np.ndarray]:
        flat = list(itertools.chain.from_iterable(tag_seqs))
        if not flat:
            raise ValueError("The sentences hold no tokens: there is nothing to fit.")
        encoder = LabelEncoder().fit(flat)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"y has a single tag ({encoder.classes_[0]!r}); a tagger needs at "
                "least two tags."
            )
        self.classes_ = encoder.classes_
        ids = encoder.transform(flat).astype(np.int64)
        return split_by_lengths(ids, [len(t) for t in tag_seqs])

    def _word_indexer(self) -> VocabularyIndexer:
        analyzer = _whole_token_lower if self.lowercase else _whole_token
        return VocabularyIndexer(analyzer=analyzer, token_pattern=None)

    def _fit_words(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """Fit ``word_indexer_`` on the tokens; return each sentence's word ids."""
        tokens = list(itertools.chain.from_iterable(sentences))
        if not tokens:
            raise ValueError("The sentences hold no tokens: there is nothing to fit.")
        self.word_indexer_ = self._word_indexer()
        ids = np.concatenate(self.word_indexer_.fit_transform(tokens))
        return split_by_lengths(ids, [len(s) for s in sentences])

    def _word_ids(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """Word ids of each sentence; unseen words are ``<unk>`` (1)."""
        tokens = list(itertools.chain.from_iterable(sentences))
        lengths = [len(s) for s in sentences]
        if not tokens:
            return [np.zeros(0, dtype=np.int64) for _ in sentences]
        ids = np.concatenate(self.word_indexer_.transform(tokens))
        return split_by_lengths(ids, lengths)

    def _predict_ids(self, sentences: list[list[str]]) -> list[np.ndarray]:
        return [scores.argmax(axis=1) for scores in self._tag_scores(sentences)]

    def predict(self, X) -> list[np.ndarray]:
        """Predict the tag of every token.

        Parameters
        ----------
        X : iterable of (list of str or str)
            Sentences: token lists, or strings split by the default token
            pattern.

        Returns
        -------
        tags : list of ndarray
            One 1-D array of tags (labels as given to ``fit``) per sentence,
            as long as the sentence.
        """
        check_is_fitted(self, "classes_")
        sentences = _check_sentences(X)
        return [self.classes_[ids] for ids in self._predict_ids(sentences)]

    def score(self, X, y, sample_weight=None) -> float:
        """Token accuracy: the share of all tokens whose tag is predicted right.

        Parameters
        ----------
        X : iterable of (list of str or str)
            Sentences.
        y : iterable of sequences
            The true tags, one per token.
        sample_weight : None
            Not supported; must be None.

        Returns
        -------
        accuracy : float
            Correct tags over tokens, pooled over all sentences.
        """
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by the taggers.")
        check_is_fitted(self, "classes_")
        sentences = _check_sentences(X)
        tag_seqs = _check_tag_sequences(y, sentences)
        predicted = self._predict_ids(sentences)
        flat_pred = self.classes_[np.concatenate(predicted)]
        flat_true = np.asarray(list(itertools.chain.from_iterable(tag_seqs)))
        if flat_true.size == 0:
            raise ValueError("The sentences hold no tokens: there is nothing to score.")
        return float(np.mean(flat_pred == flat_true))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        return tags


# -- the estimators ---------------------------------------------------------------
class RNNTagger(FittedNetMixin, _TaggerMixin, BaseEstimator):
    """Recurrent sequence tagger: one label per token (many-to-many).

    Each token is represented by a word embedding (lowercased words) joined
    with a character CNN over its characters (case kept), the sentence is
    read by a bidirectional LSTM, and a linear layer scores the tags at every
    step. Training is done by skorch with a per-token cross-entropy that
    skips padded positions. Batches hold sentences of similar length and are
    run as packed sequences, so a token's tag never depends on the padding
    or on the other sentences of its batch.

    Words that occur rarely are read as ``<unk>`` now and then during
    training (word dropout), which trains the unknown-word embedding; at
    prediction, unseen words are ``<unk>`` and their tag comes from the
    context and the character CNN.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell.
    embedding_dim : int, default=100
        Size of the word embeddings.
    hidden_size : int, default=128
        Size of the recurrent state per direction.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=True
        Read each sentence in both directions (a token's tag then depends on
        its left and right context).
    dropout : float, default=0.25
        Dropout on the token representations, between stacked layers and
        before the head.
    char_features : bool, default=True
        Add a character CNN per word (for unseen words, suffixes, case).
    char_embedding_dim : int, default=16
        Size of the character embeddings.
    char_filters : int, default=64
        Number of character CNN filters (the size of a word's character
        vector).
    char_kernel_size : int, default=3
        Width of the character CNN windows (odd).
    lowercase : bool, default=True
        Lowercase words before the word embedding (the character CNN sees
        the original case).
    min_freq : int, default=1
        Words seen fewer times in training are ``<unk>``.
    word_dropout : float, default=0.25
        Word dropout strength ``a``: in training, a word seen ``c`` times is
        read as ``<unk>`` with probability ``a / (a + c)``. 0 turns it off.
    max_epochs : int, default=15
        Maximum number of passes over the training sentences.
    batch_size : int, default=32
        Sentences per batch.
    lr : float, default=2e-3
        Learning rate.
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "adagrad"} or class, \
default="adam"
        Optimizer, by name or as a ``torch.optim.Optimizer`` subclass.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    clip_grad_norm : float or None, default=5.0
        Clip the gradient norm to this value; None disables clipping.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the sentences, stop when the
        validation token accuracy has not improved for ``patience`` epochs
        and restore the weights of the best epoch.
    patience : int, default=3
        Epochs without improvement before stopping.
    validation_fraction : float, default=0.1
        Share of the training sentences held out for early stopping.
    bucketing : bool, default=True
        Form training batches from sentences of similar length.
    device : str, default="cpu"
        Torch device, e.g. ``"cuda"``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, the validation split and the
        batch order. An int gives reproducible results.
    verbose : int, default=0
        Print a line per epoch when positive.
    callbacks : list of skorch callbacks or (name, callback) tuples, \
default=None
        Extra skorch callbacks; they are copied at fit.

    Attributes
    ----------
    classes_ : ndarray of shape (n_tags,)
        Tag labels; the columns of ``predict_proba`` follow this order.
    word_indexer_ : VocabularyIndexer
        Word vocabulary (each token a "document"), fitted on the training
        tokens.
    char_indexer_ : VocabularyIndexer or None
        Character vocabulary (None without character features).
    net_ : skorch.NeuralNet
        The trained skorch network (history, callbacks, module).
    n_epochs_ : int
        Epochs trained.
    best_epoch_ : int
        Epoch whose weights were kept.

    See Also
    --------
    HMMTagger : The supervised bigram HMM baseline.
    sklearn_rnn.RNNClassifier : One label per document (many-to-one).

    Notes
    -----
    The input of ``fit`` is a list of sentences, not a 2-D array, and ``y``
    is a list of tag sequences, so the tagger is not a scikit-learn
    classifier (``cross_val_score`` would try to stratify on ``y``); pass an
    explicit ``cv=KFold(...)`` to model-selection tools.

    Examples
    --------
    >>> from sklearn_rnn import RNNTagger
    >>> X = [["the", "dog", "runs"], ["a", "cat", "sleeps"]] * 10
    >>> y = [["DET", "NOUN", "VERB"]] * 20
    >>> tagger = RNNTagger(hidden_size=16, embedding_dim=16, max_epochs=10,
    ...                    early_stopping=False, random_state=0).fit(X, y)
    >>> tagger.predict([["the", "cat", "runs"]])[0].tolist()
    ['DET', 'NOUN', 'VERB']
    >>> tagger.predict_proba([["a", "dog"]])[0].shape
    (2, 3)
    """

    _parameter_constraints: dict = {
        "bidirectional": ["boolean"],
        "char_features": ["boolean"],
        "char_embedding_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "char_filters": [Interval(numbers.Integral, 1, None, closed="left")],
        "char_kernel_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lowercase": ["boolean"],
        "min_freq": [Interval(numbers.Integral, 1, None, closed="left")],
        "word_dropout": [Interval(numbers.Real, 0, None, closed="left")],
        **NETWORK_CONSTRAINTS,
        **SKORCH_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        cell: str = "lstm",
        embedding_dim: int = 100,
        hidden_size: int = 128,
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.25,
        char_features: bool = True,
        char_embedding_dim: int = 16,
        char_filters: int = 64,
        char_kernel_size: int = 3,
        lowercase: bool = True,
        min_freq: int = 1,
        word_dropout: float = 0.25,
        max_epochs: int = 15,
        batch_size: int = 32,
        lr: float = 2e-3,
        optimizer="adam",
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = 5.0,
        early_stopping: bool = True,
        patience: int = 3,
        validation_fraction: float = 0.1,
        bucketing: bool = True,
        device: str = "cpu",
        random_state=None,
        verbose: int = 0,
        callbacks: list | None = None,
    ):
        self.cell = cell
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.char_features = char_features
        self.char_embedding_dim = char_embedding_dim
        self.char_filters = char_filters
        self.char_kernel_size = char_kernel_size
        self.lowercase = lowercase
        self.min_freq = min_freq
        self.word_dropout = word_dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.bucketing = bucketing
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    # -- features -------------------------------------------------------------
    def _word_indexer(self) -> VocabularyIndexer:
        analyzer = _whole_token_lower if self.lowercase else _whole_token
        return VocabularyIndexer(
            analyzer=analyzer, token_pattern=None, min_freq=self.min_freq
        )

    def _features(
        self, sentences: list[list[str]], word_ids: list[np.ndarray], fit: bool
    ) -> list[np.ndarray]:
        """Per sentence: word ids, or ``(n_tokens, 1 + n_chars)`` id matrices."""
        if not self.char_features:
            return word_ids
        half = _MAX_WORD_CHARS // 2
        tokens = [
            t if len(t) <= _MAX_WORD_CHARS else t[:half] + t[-half:]
            for t in itertools.chain.from_iterable(sentences)
        ]
        if fit:
            self.char_indexer_ = VocabularyIndexer(
                analyzer="char", lowercase=False, token_pattern=None
            )
            char_ids = self.char_indexer_.fit_transform(tokens)
        else:
            char_ids = self.char_indexer_.transform(tokens) if tokens else []
        features, start = [], 0
        for words in word_ids:
            chars = char_ids[start : start + len(words)]
            start += len(words)
            width = max((len(c) for c in chars), default=0)
            matrix = np.zeros((len(words), 1 + width), dtype=np.int64)
            matrix[:, 0] = words
            for j, c in enumerate(chars):
                matrix[j, 1 : 1 + len(c)] = c
            features.append(matrix)
        return features

    # -- building the skorch net ------------------------------------------------
    def _build_net(self, seed: int) -> NeuralNet:
        vocab_size = len(self.word_indexer_.vocabulary_)
        counts = np.zeros(vocab_size)
        for token, count in self.word_indexer_.token_counts_.items():
            counts[self.word_indexer_.vocabulary_[token]] = count
        # pad and <unk> (count 0) are never dropped
        drop = (counts > 0) * self.word_dropout / (self.word_dropout + counts.clip(1))
        callbacks = training_callbacks(
            self.clip_grad_norm, self.early_stopping, self.patience, self.callbacks
        )
        n_chars = len(self.char_indexer_.vocabulary_) if self.char_features else None
        return NeuralNet(
            TaggerModule,
            module__vocab_size=vocab_size,
            module__n_tags=len(self.classes_),
            module__word_drop_prob=torch.tensor(drop, dtype=torch.float32),
            module__n_chars=n_chars,
            module__char_embedding_dim=self.char_embedding_dim,
            module__char_filters=self.char_filters,
            module__char_kernel_size=self.char_kernel_size,
            module__embedding_dim=self.embedding_dim,
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__cell=self.cell,
            module__bidirectional=self.bidirectional,
            module__dropout=self.dropout,
            criterion=TokenCrossEntropyLoss,
            criterion__ignore_index=IGNORE_INDEX,
            optimizer=get_optimizer(self.optimizer),
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=make_loader,
            iterator_train__shuffle=True,
            iterator_train__bucketing=self.bucketing,
            iterator_train__generator=np.random.default_rng(seed),
            iterator_valid=make_loader,
            callbacks=[("valid_acc", ValidAccuracy()), *callbacks],
            device=self.device,
            verbose=self.verbose,
        )

    def _split(self, features, tag_ids, seed: int):
        """Training dataset and (length-sorted) validation dataset or None."""
        keep = [i for i, t in enumerate(tag_ids) if len(t)]  # drop empty sentences
        if not self.early_stopping:
            return SequenceDataset(
                [features[i] for i in keep], [tag_ids[i] for i in keep]
            ), None
        return early_stopping_split(
            [features[i] for i in keep],
            [tag_ids[i] for i in keep],
            self.validation_fraction,
            seed,
            what="non-empty sentences",
        )

    # -- estimator API ------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the tagger.

        Parameters
        ----------
        X : iterable of (list of str or str)
            Training sentences: token lists, or strings split by the default
            token pattern of :class:`~sklearn_rnn.VocabularyIndexer`.
        y : iterable of sequences
            The tags of each sentence (strings or integers), one per token.

        Returns
        -------
        self : RNNTagger
            The fitted tagger.
        """
        sentences = _check_sentences(X)
        tag_ids = self._encode_tags(_check_tag_sequences(y, sentences))
        features = self._features(sentences, self._fit_words(sentences), fit=True)
        if not self.char_features:
            self.char_indexer_ = None
        seed = int(
            check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        )
        train, valid = self._split(features, tag_ids, seed)
        self._set_net(train_net(lambda: self._build_net(seed), train, valid, seed))
        return self

    def _tag_scores(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """Logits ``(n_tokens, n_tags)`` of each sentence."""
        check_is_fitted(self, "net_")
        features = self._features(sentences, self._word_ids(sentences), fit=False)
        lengths = np.array([len(f) for f in features])
        out = [np.zeros((0, len(self.classes_)), dtype=np.float32) for _ in features]
        order = [i for i in np.argsort(lengths, kind="stable") if lengths[i]]
        if not order:
            return out
        dataset = SequenceDataset([features[i] for i in order])
        batches = self.net_.forward_iter(dataset, training=False, device="cpu")
        positions = iter(order)
        for logits in batches:
            for row in logits.numpy():
                i = next(positions)
                out[i] = row[: lengths[i]]
        return out

    def decision_function(self, X) -> list[np.ndarray]:
        """Tag logits of every token (unnormalised log-probabilities).

        Parameters
        ----------
        X : iterable of (list of str or str)
            Sentences.

        Returns
        -------
        logits : list of ndarray of shape (n_tokens, n_tags)
            One array per sentence; columns follow ``classes_``.
        """
        return self._tag_scores(_check_sentences(X))

    def predict_proba(self, X) -> list[np.ndarray]:
        """Tag probabilities of every token.

        Parameters
        ----------
        X : iterable of (list of str or str)
            Sentences.

        Returns
        -------
        proba : list of ndarray of shape (n_tokens, n_tags)
            One array per sentence; rows sum to one, columns follow
            ``classes_``.
        """
        return [
            softmax(s.astype(np.float64), axis=1)
            for s in self._tag_scores(_check_sentences(X))
        ]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.device != "cpu"
        return tags


class HMMTagger(_TaggerMixin, BaseEstimator):
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
    RNNTagger : The recurrent tagger.
    sklearn_rnn.HMMClassifier : An HMM per class for document classification.

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

    @_fit_context(prefer_skip_nested_validation=True)
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
        sentences = _check_sentences(X)
        tag_ids = self._encode_tags(_check_tag_sequences(y, sentences))
        word_ids = self._fit_words(sentences)
        n_tags = len(self.classes_)
        n_words = len(self.word_indexer_.vocabulary_)
        tags = [t for t in tag_ids if len(t)]

        starts = np.bincount([t[0] for t in tags], minlength=n_tags) + self.alpha
        pairs = np.concatenate([t[:-1] * n_tags + t[1:] for t in tags])
        transitions = np.bincount(pairs, minlength=n_tags * n_tags)
        transitions = transitions.reshape(n_tags, n_tags) + self.alpha

        flat_tags, flat_words = np.concatenate(tag_ids), np.concatenate(word_ids)
        emissions = (
            np.bincount(flat_tags * n_words + flat_words, minlength=n_tags * n_words)
            .reshape(n_tags, n_words)
            .astype(np.float64)
        )
        word_counts = np.bincount(flat_words, minlength=n_words)
        rare = word_counts[flat_words] <= self.rare_threshold
        emissions[:, 1] += np.bincount(flat_tags[rare], minlength=n_tags)
        emissions[:, 1:] += self.emission_alpha  # column 0 (padding): never

        self.startprob_ = starts / starts.sum()
        self.transmat_ = transitions / transitions.sum(axis=1, keepdims=True)
        self.emissionprob_ = emissions / emissions.sum(axis=1, keepdims=True)
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
        sentences = _check_sentences(X)
        symbols, lengths = self._hmm_input(sentences)
        if symbols is None:
            return [np.zeros((0, len(self.classes_))) for _ in sentences]
        posteriors = self.hmm_.predict_proba(symbols, lengths[lengths > 0])
        return split_by_lengths(posteriors, lengths.tolist())
