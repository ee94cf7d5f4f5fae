"""The recurrent sequence tagger (many-to-many): one label per token.

:class:`RNNTagger` reads a sentence with a (by default bidirectional) LSTM
and labels every token from the network's output at that token; a small
character CNN lets it guess the tag of words it never saw. It is trained by
skorch like :class:`~sklearn_rnn.RNNClassifier`; the network is
:class:`~sklearn_rnn.nn.TaggerModule`. Its baseline, the supervised bigram
:class:`~sklearn_rnn.HMMTagger`, is in :mod:`sklearn_rnn.hmm`.

It takes a list of sentences, each a list of tokens (or a string, split by
:class:`~sklearn_rnn.VocabularyIndexer`'s default token pattern, case kept),
and a list of tag sequences of the same lengths; ``predict`` returns one
array of tags per sentence and ``score`` is the token accuracy.
"""

from __future__ import annotations

import numbers
import os

import numpy as np
import torch
from scipy.special import softmax
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._data import (
    IGNORE_INDEX,
    SequenceDataset,
    join_pieces,
    lengths_of,
    make_loader,
    split_long,
    split_to_budget,
)
from ._embedding import plan_rows
from ._guards import check_device
from ._params import fit_context
from ._resources import SHRINK_TAGGER_VOCABULARY
from ._tagging import (
    TaggerMixin,
    check_sentences,
    check_tag_sequences,
    whole_token,
    whole_token_lower,
    with_char_ids,
    word_chars,
)
from ._training import (
    NETWORK_CONSTRAINTS,
    SKORCH_CONSTRAINTS,
    FittedNetMixin,
    PlainNet,
    ValidAccuracy,
    draw_seed,
    early_stopping_split,
    skorch_optimizer,
    train_net,
    training_callbacks,
)
from .nn import TaggerModule, TokenCrossEntropyLoss
from .text import VocabularyIndexer
from .vectors import WordVectors, resolve_vectors

__all__ = ["RNNTagger"]


class RNNTagger(FittedNetMixin, TaggerMixin, BaseEstimator):
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
    embedding_dim : int, default=None
        Size of the word embeddings: 100, or the dimension of ``vectors``.
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
        Words seen fewer times in training are ``<unk>`` (unless they have a
        pretrained vector).
    vectors : str, path-like or WordVectors, default=None
        Pretrained word vectors (a file for :func:`load_word_vectors`, or the
        loaded object) that initialise the word embedding. Words never seen
        in training keep their pretrained vector at prediction; words
        without one start at random on the vectors' scale. GloVe is
        lower-cased, as the default ``lowercase=True`` is.
    freeze_embeddings : bool, default=False
        Do not train the pretrained word vectors.
    word_dropout : float, default=0.25
        Word dropout strength ``a``: in training, a word seen ``c`` times is
        read as ``<unk>`` with probability ``a / (a + c)``. 0 turns it off.
    max_epochs : int, default=15
        Maximum number of passes over the training sentences.
    batch_size : int, default=32
        Sentences per batch, at most.
    max_batch_tokens : int or None, default=16384
        Padded tokens per batch, at most (sentences times the longest), in
        training and prediction, so that a step's memory is bounded whatever
        the lengths. A longer sentence is read in pieces of at most this
        many tokens (every token still gets its tag), with a
        :class:`~sklearn_rnn.TruncationWarning`. None: no token budget.
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
    history_ : skorch.history.History
        Per-epoch record of training (``net_.history``).
    validation_history_ : skorch.history.History or None
        The same, when early stopping held out sentences; else None.
    n_epochs_ : int
        Epochs trained.
    best_epoch_ : int
        Epoch whose weights were kept.
    vectors_coverage_ : dict or None
        With ``vectors``: the share of the distinct training words
        (``"types"``) and of all training tokens (``"tokens"``) that have a
        pretrained vector.

    See Also
    --------
    sklearn_rnn.HMMTagger : The supervised bigram HMM baseline.
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
        "vectors": [str, os.PathLike, WordVectors, None],
        "freeze_embeddings": ["boolean"],
        **NETWORK_CONSTRAINTS,
        **SKORCH_CONSTRAINTS,
        "embedding_dim": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        cell: str = "lstm",
        embedding_dim: int | None = None,
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
        vectors=None,
        freeze_embeddings: bool = False,
        max_epochs: int = 15,
        batch_size: int = 32,
        max_batch_tokens: int | None = 16384,
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
        self.vectors = vectors
        self.freeze_embeddings = freeze_embeddings
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
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
        analyzer = whole_token_lower if self.lowercase else whole_token
        return VocabularyIndexer(
            analyzer=analyzer,
            token_pattern=None,
            min_freq=self.min_freq,
            vectors=self.vectors,
        )

    def _features(self, sentences, word_rows: list[np.ndarray]) -> list[np.ndarray]:
        """Per sentence: word rows, or with the character CNN
        ``(n_tokens, 1 + n_chars)`` id matrices."""
        if not self.char_features:
            return word_rows
        return with_char_ids(sentences, word_rows, self.char_indexer_)

    # -- building the skorch net ------------------------------------------------
    def _build_net(self, seed: int) -> PlainNet:
        rows = self._rows
        vocab_size = rows.module_params["vocab_size"]
        counts = np.zeros(vocab_size)
        vocabulary = self.word_indexer_.vocabulary_
        for token, count in self.word_indexer_.token_counts_.items():
            counts[rows.id_map[vocabulary[token]]] = count
        # pad and <unk> (count 0) are never dropped
        drop = (counts > 0) * self.word_dropout / (self.word_dropout + counts.clip(1))
        callbacks = training_callbacks(
            self.clip_grad_norm,
            self.early_stopping,
            self.patience,
            self.callbacks,
            verbose=self.verbose,
        )
        n_chars = len(self.char_indexer_.vocabulary_) if self.char_features else None
        net = PlainNet(
            TaggerModule,
            **{f"module__{k}": v for k, v in rows.module_params.items()},
            module__freeze_embeddings=self.freeze_embeddings,
            module__n_tags=len(self.classes_),
            module__word_drop_prob=torch.tensor(drop, dtype=torch.float32),
            module__n_chars=n_chars,
            module__char_embedding_dim=self.char_embedding_dim,
            module__char_filters=self.char_filters,
            module__char_kernel_size=self.char_kernel_size,
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__cell=self.cell,
            module__bidirectional=self.bidirectional,
            module__dropout=self.dropout,
            criterion=TokenCrossEntropyLoss,
            criterion__ignore_index=IGNORE_INDEX,
            **skorch_optimizer(self.optimizer, self.device),
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=make_loader,
            iterator_train__shuffle=True,
            iterator_train__bucketing=self.bucketing,
            iterator_train__generator=np.random.default_rng(seed),
            iterator_train__max_tokens=self.max_batch_tokens,
            iterator_valid=make_loader,
            iterator_valid__max_tokens=self.max_batch_tokens,
            callbacks=[("valid_acc", ValidAccuracy()), *callbacks],
            device=self.device,
            verbose=self.verbose,
        ).initialize()
        rows.fill(net.module_)
        return net

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
    @fit_context
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
        check_device(self.device)
        sentences = check_sentences(X)
        tag_ids = self._encode_tags(check_tag_sequences(y, sentences))
        word_ids = self._fit_words(sentences)
        self._rows = plan_rows(
            word_ids,
            vectors=resolve_vectors(self.vectors),
            embeddings=None,
            embedding_dim=self.embedding_dim,
            default_dim=100,
        )
        self.vectors_coverage_ = self._rows.coverage
        if self.char_features:
            self.char_indexer_ = VocabularyIndexer(
                analyzer="char", lowercase=False, token_pattern=None
            ).fit(list(word_chars(sentences)))
        features = self._features(sentences, self._rows.to_rows(word_ids))
        if not self.char_features:
            self.char_indexer_ = None
        seed = draw_seed(self.random_state)
        features = split_to_budget(features, self.max_batch_tokens, self)[0]
        tag_ids = split_long(tag_ids, self.max_batch_tokens)[0]
        train, valid = self._split(features, tag_ids, seed)
        net = train_net(
            lambda: self._build_net(seed),
            train,
            valid,
            seed,
            embedding_advice=SHRINK_TAGGER_VOCABULARY,
        )
        self._set_net(net)
        self._rows = self._rows.for_prediction()  # the vectors live in the net
        return self

    def _tag_scores(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """Logits ``(n_tokens, n_tags)`` of each sentence."""
        check_is_fitted(self, "net_")
        word_rows = self._rows.to_rows(self._word_ids(sentences))
        features = self._features(sentences, word_rows)
        pieces, owners = split_to_budget(features, self.max_batch_tokens, self)
        lengths = lengths_of(pieces)
        out = [np.zeros((0, len(self.classes_)), dtype=np.float32) for _ in pieces]
        order = [i for i in np.argsort(lengths, kind="stable") if lengths[i]]
        if order:
            dataset = SequenceDataset([pieces[i] for i in order])
            batches = self.net_.forward_iter(dataset, training=False, device="cpu")
            positions = iter(order)
            for logits in batches:
                for row in logits.numpy():
                    i = next(positions)
                    out[i] = row[: lengths[i]]
        return join_pieces(out, owners, len(features))

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
        return self._tag_scores(check_sentences(X))

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
            for s in self._tag_scores(check_sentences(X))
        ]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.device != "cpu"
        return tags
