"""Sequence in, sequence out: a recurrent encoder-decoder with attention.

:class:`RNNSeq2Seq` reads a whole input sequence, then writes an output of
its own length (many-to-many, delayed): translation, grapheme-to-phoneme
conversion, transliteration, normalisation. The network is
:class:`~sklearn_rnn.nn.EncoderDecoder` (a :class:`~sklearn_rnn.nn.
RecurrentEncoder` read by a :class:`~sklearn_rnn.nn.RecurrentDecoder` with
Luong/Bahdanau attention), decoded by :mod:`sklearn_rnn.nn.search`; the
training loop is in ``sklearn_rnn._seq2seq_training``.
"""

from __future__ import annotations

import itertools
import numbers
import os
from collections.abc import Iterable

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._data import split_by_lengths, truncate_sequences
from ._embedding import plan_rows
from ._guards import check_device
from ._params import fit_context
from ._seq2seq_training import PairDataset, build_network, decode, train_seq2seq
from ._tagging import whole_token
from ._training import (
    LR_DECAY_CONSTRAINT,
    NETWORK_CONSTRAINTS,
    draw_seed,
    make_optimizer,
)
from ._validation import _plain_array, _unwrap_frame, check_has_tokens, is_missing
from .metrics import build_analyzer, token_error_rate
from .nn.decoder import ATTENTIONS
from .persistence import PlainModuleMixin
from .text import VocabularyIndexer
from .vectors import WordVectors, resolve_vectors

__all__ = ["RNNSeq2Seq"]

#: A relative length cap ``(ratio, n)`` allows ``ceil(ratio * m) + _SLACK``
#: output tokens for an input of ``m`` tokens (at most ``n``): short inputs
#: ("x" -> "EH K S") may need more tokens than they have.
_SLACK = 10


def _items(X, what: str, analyze, *, allow_empty: bool = False):
    """``X`` as a new list of token lists, and whether every item was a str.

    An item is a string (split by ``analyze``) or a sequence of string
    tokens (taken as it is); anything else is an error naming its position.
    """
    if X is None:
        raise TypeError(
            f"{what} must be a list of sequences (strings or token lists); got None."
        )
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{what} must be a list of sequences, not one {type(X).__name__}; "
            "wrap a single item in a list: [item]."
        )
    X = _plain_array(_unwrap_frame(X, what), "raw text")
    if (isinstance(X, np.ndarray) and X.ndim == 0) or not isinstance(X, Iterable):
        raise TypeError(f"{what} must be a list of sequences; got {type(X).__name__}.")
    sequences, all_strings = [], True
    for i, item in enumerate(X):
        if isinstance(item, (str, np.str_)):
            sequences.append(list(analyze(str(item))))
            continue
        all_strings = False
        if is_missing(item):
            raise ValueError(
                f"Item {i} of {what} is missing ({item!r}); every item must be a "
                "string or a list of tokens (an empty one is allowed)."
            )
        if isinstance(item, bytes) or not isinstance(item, Iterable):
            raise TypeError(
                f"Item {i} of {what} is a {type(item).__name__} ({item!r:.50}); "
                "expected a string or a sequence of string tokens."
            )
        tokens = list(item)
        for j, token in enumerate(tokens):
            if not isinstance(token, str):
                raise TypeError(
                    f"Item {i} of {what} holds {token!r:.50} at position {j}; "
                    "tokens must be strings."
                )
        sequences.append([str(t) for t in tokens])
    if not sequences and not allow_empty:
        raise ValueError(f"{what} is empty: at least one item is needed.")
    return sequences, all_strings


class RNNSeq2Seq(PlainModuleMixin, BaseEstimator):
    """Recurrent encoder-decoder with attention: sequence in, sequence out.

    ``fit(X, y)`` learns to write ``y[i]`` after reading ``X[i]``. Each item
    is a string, split into tokens by ``source_analyzer`` /
    ``target_analyzer``, or a list of tokens, taken as it is; ``predict``
    returns what ``y`` was: strings (word tokens joined by a space,
    characters by nothing) or lists of tokens. Every source ends with an end
    token, so an empty source is read too; every target is written between a
    start and an end token, so an empty target is learned (the model learns
    to stop at once).

    The encoder (:class:`~sklearn_rnn.nn.RecurrentEncoder`) reads the
    source; its final state starts the decoder (through a learned bridge)
    and, with ``attention``, the decoder attends over the encoder's outputs
    at the real source steps at every output step (Luong et al. 2015).
    Training is teacher-forced with optional scheduled sampling, on
    length-bucketed batches within ``max_batch_tokens``; early stopping
    watches the token error rate of greedy decodes of a validation split
    (by source, so that a source with several targets is on one side) and
    keeps the best epoch's weights. Decoding is greedy or a beam search with
    GNMT's length penalty, batched over inputs of similar length.

    Parameters
    ----------
    source_analyzer, target_analyzer : {"word", "char"} or callable, \
default="word"
        How string items are split into tokens: ``"word"`` (the package's
        token pattern, case kept), ``"char"`` (every character) or a
        function of one string. Token lists are taken as they are.
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell of the encoder and the decoder.
    embedding_dim : int or None, default=None
        Size of the token embeddings (source and target): 64, or the
        dimension of ``vectors``.
    hidden_size : int, default=256
        Size of the recurrent states (per direction in the encoder).
    vectors : str, path-like or WordVectors, default=None
        Pretrained word vectors (a file for :func:`load_word_vectors`, or the
        loaded object) that initialise the source embedding (fine-tuned);
        source tokens without one start at random on the vectors' scale, and
        tokens never seen in training but with a vector keep it at
        prediction. Tokens are looked up as ``source_analyzer`` writes them
        (GloVe is lower-cased). The share found is in ``vectors_coverage_``.
    num_layers : int, default=1
        Stacked layers of the encoder and of the decoder.
    bidirectional : bool, default=True
        Read the source in both directions.
    dropout : float, default=0.3
        Dropout on embeddings, between layers and before the output. On a
        validation part of the French-English pairs (6,741 training pairs,
        batch 64, 30 epochs) 0.0 gave 25.7 BLEU and 0.3 gave 28.0 (0.5,
        with ``embedding_dim=128``, until early stopping: 30.7); on CMUdict
        (10 epochs, dev split) 0.3 gave 31.0 % WER and 7.33 % PER where 0.0
        gave 31.5 % and 7.75 % (``benchmarks/bench_seq2seq.py``).
    attention : {"general", "dot", "additive"} or None, default="general"
        How the decoder scores the source steps: ``h . W s`` ("general",
        Luong), ``h . s`` ("dot"; needs ``bidirectional=False``),
        ``v . tanh(W_q h + W_k s)`` ("additive", Bahdanau); None: the
        decoder sees the source only through its initial state.
    beam_size : int, default=1
        Beams of the search at prediction; 1 is greedy decoding.
    length_penalty : float, default=0.6
        Exponent ``alpha`` of GNMT's length penalty ``((5 + |Y|) / 6) **
        alpha``: hypotheses are ranked by their log-probability divided by
        it (0: the plain log-probability, which favours short outputs).
    max_output_length : int or tuple of (float, int), default=(3.0, 256)
        Most tokens an output may have: an int for every input, or
        ``(ratio, n)``: ``min(n, ceil(ratio * m) + 10)`` for an input of
        ``m`` tokens. An output that reaches it is cut there.
    teacher_forcing : float, default=1.0
        Probability, in the last epoch, that the decoder reads the true
        previous token in training; below 1 it reads its own sampled
        prediction otherwise (scheduled sampling, Bengio et al. 2015), the
        probability falling linearly from 1 in the first epoch. 1: plain
        teacher forcing, much faster (one pass per batch, not one per step).
    label_smoothing : float, default=0.1
        Share of each target step's probability mass spread evenly over the
        output vocabulary in the training loss (Szegedy et al. 2016; 0.1 in
        most translation systems); 0: the plain cross-entropy. On the
        French-English validation part (the settings of
        ``benchmarks/bench_seq2seq.py``, with ``lr_decay=0.5``) 0.1 gave
        35.2 BLEU greedy (35.6 beam 5) against 34.1 (34.7) without.
    lr : float, default=3e-3
        Learning rate. In short runs 3e-3 learnt much faster than 1e-3: after
        3 epochs on 10,000 CMUdict words the validation phone error rate
        was 18 % against 28 %, and after 10 epochs on 3,000 French-English
        pairs the held-out BLEU 19.8 against 5.6
        (``benchmarks/bench_seq2seq.py``).
    lr_decay : float, default=0.5
        The learning rate is multiplied by this after every epoch whose
        validation error (with early stopping) is not the best so far, and
        after every epoch from ``lr_decay_start`` on; 1: a constant learning
        rate. Halving it (Luong et al. 2015) gave, on the French-English
        validation part, 34.1 BLEU greedy (34.7 beam 5) against 33.6 (33.6)
        at a constant rate; on CMUdict dev (all other defaults as then,
        stress removed), a word error rate of 29.1 % (beam 5: 28.8 %) and a
        phoneme error rate of 6.97 % (6.83 %) against 31.0 % (30.7 %) and
        7.33 % (7.32 %); there the only halving, after epoch 9, took the
        validation error from 7.7 % to 6.7 % in the last epoch. On very
        little data the validation error is noisy and every unlucky epoch
        halves the rate: on the 420 training sentences of the gallery's
        translation example (42 held out; lr 0.01, seeds 0-3) early stopping
        with ``lr_decay=0.5`` gave 46.0 / 87.3 / 32.9 / 80.6 BLEU against
        95.1 / 97.5 / 89.9 / 95.4 with 1.0. There, set ``lr_decay=1.0``, or
        train without early stopping.
    lr_decay_start : int, float or None, default=None
        The epoch from which the learning rate decays after every epoch
        whatever the validation error (Luong et al. 2015 train 10 epochs
        and halve it after each from the fifth); a float in (0, 1]: that
        share of ``max_epochs``, rounded up. None: it decays only after
        epochs that do not improve the validation error.
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "adagrad"} or class, \
default="adam"
        Optimizer.
    batch_size : int, default=128
        Pairs per batch, at most (also sources per chunk at prediction). On
        CPU a batch of 128 trained 1.16 times as many CMUdict pairs per
        second as one of 64 (857 against 738, one thread; 256: 878, with
        half the updates; ``bench_seq2seq.py --parts batches``). On a few
        thousand pairs, fewer pairs per batch make more updates per epoch.
    max_batch_tokens : int or None, default=16384
        Padded tokens per batch, at most: in training, pairs times the
        longest pair (source plus target tokens); at prediction, sources
        times the longest source times ``beam_size``. A longer source is
        cut to its first ``max_batch_tokens`` tokens at prediction, with a
        :class:`~sklearn_rnn.TruncationWarning`. None: no token budget.
    max_epochs : int, default=17
        Most passes over the training pairs: on all of CMUdict (about
        100,000 pairs) an epoch takes about 95 s on two CPU threads, and 17
        are what fits in half an hour there (dev word error rate 27.2 %
        against 29.0 % after 10; ``benchmarks/bench_seq2seq.py``). Raise it
        for small data, where epochs are short and learning takes more of
        them.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the distinct sources; stop when
        the token error rate of their greedy decodes has not improved for
        ``patience`` epochs, and keep the best epoch's weights.
    patience : int, default=5
        Epochs without improvement before stopping. The decoded error rate
        is noisy from epoch to epoch: with patience 3, a run on 6,741
        French-English pairs stopped at epoch 9 (best epoch 6, 5.1 BLEU)
        while its training loss was still falling fast; trained for 30
        epochs at batch 64, the other defaults reached 25.7 BLEU.
    validation_fraction : float, default=0.1
        Share of the distinct sources held out.
    clip_grad_norm : float or None, default=5.0
        Clip the gradient norm of every batch; None: no clipping.
    device : str, default="cpu"
        Torch device, e.g. ``"cuda"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the validation split, the batches and scheduled
        sampling; an int gives reproducible results.
    verbose : int, default=0
        Print a line per epoch when positive.

    Attributes
    ----------
    source_indexer_, target_indexer_ : VocabularyIndexer
        The source and target token vocabularies (one token per
        "document"). Unseen source tokens are read as ``<unk>``; the outputs
        are tokens of the training targets.
    module_ : sklearn_rnn.nn.EncoderDecoder
        The trained network.
    history_ : skorch.history.History
        Per epoch: ``train_loss`` (nats per target token), ``valid_ter``
        (token error rate of the validation decodes), ``teacher_forcing``,
        ``lr`` (the learning rate of the epoch) and ``dur`` (seconds).
    vectors_coverage_ : dict or None
        With ``vectors``: the share of the distinct training source tokens
        (``"types"``) and of all of them (``"tokens"``) that have a vector;
        the source end token is counted once among those without one.
    n_epochs_ : int
        Epochs trained.
    best_epoch_ : int
        Epoch whose weights were kept.

    See Also
    --------
    sklearn_rnn.RNNTagger : Many-to-many, aligned: one label per token.
    sklearn_rnn.metrics : Error rates, BLEU and chrF of predicted sequences.

    Notes
    -----
    ``score`` is the token accuracy ``1 - token_error_rate``: the edit
    distance of each prediction to its closest reference over the
    references' length, pooled over the items (the G2P phoneme error rate,
    PER, or a speech recogniser's word error rate). It gives credit for a
    nearly right output, so a search over hyperparameters can tell apart
    models that the exact-match rate (the G2P word error rate,
    :func:`~sklearn_rnn.metrics.sequence_error_rate`) finds equally wrong,
    and it needs no extra dependency, unlike BLEU. For translation, score
    with ``make_scorer(sklearn_rnn.metrics.corpus_bleu)``.

    Examples
    --------
    >>> from sklearn_rnn import RNNSeq2Seq
    >>> words = ["abc", "bca", "cab", "acb", "bac", "cba", "aab", "bba"] * 8
    >>> model = RNNSeq2Seq(source_analyzer="char", target_analyzer="char",
    ...                    embedding_dim=8, hidden_size=32, batch_size=8,
    ...                    max_epochs=30, lr=0.01, early_stopping=False,
    ...                    random_state=0)
    >>> model = model.fit(words, [w[::-1] for w in words])
    >>> model.predict(["abc", "bba"])
    ['cba', 'abb']
    """

    _parameter_constraints: dict = {
        **NETWORK_CONSTRAINTS,
        "embedding_dim": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "source_analyzer": [StrOptions({"word", "char"}), callable],
        "target_analyzer": [StrOptions({"word", "char"}), callable],
        "bidirectional": ["boolean"],
        "attention": [StrOptions(set(ATTENTIONS)), None],
        "beam_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "length_penalty": [Interval(numbers.Real, 0, None, closed="left")],
        "max_output_length": [
            Interval(numbers.Integral, 1, None, closed="left"),
            tuple,
        ],
        "teacher_forcing": [Interval(numbers.Real, 0, 1, closed="both")],
        "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left")],
        "lr_decay": LR_DECAY_CONSTRAINT,
        "lr_decay_start": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
            None,
        ],
        "max_batch_tokens": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "vectors": [str, os.PathLike, WordVectors, None],
    }

    def __init__(
        self,
        *,
        source_analyzer="word",
        target_analyzer="word",
        cell: str = "lstm",
        embedding_dim: int | None = None,
        hidden_size: int = 256,
        vectors=None,
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.3,
        attention: str | None = "general",
        beam_size: int = 1,
        length_penalty: float = 0.6,
        max_output_length=(3.0, 256),
        teacher_forcing: float = 1.0,
        label_smoothing: float = 0.1,
        lr: float = 3e-3,
        lr_decay: float = 0.5,
        lr_decay_start=None,
        optimizer="adam",
        batch_size: int = 128,
        max_batch_tokens: int | None = 16384,
        max_epochs: int = 17,
        early_stopping: bool = True,
        patience: int = 5,
        validation_fraction: float = 0.1,
        clip_grad_norm: float | None = 5.0,
        device: str = "cpu",
        random_state=None,
        verbose: int = 0,
    ):
        self.source_analyzer = source_analyzer
        self.target_analyzer = target_analyzer
        self.cell = cell
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.vectors = vectors
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.attention = attention
        self.beam_size = beam_size
        self.length_penalty = length_penalty
        self.max_output_length = max_output_length
        self.teacher_forcing = teacher_forcing
        self.label_smoothing = label_smoothing
        self.lr_decay = lr_decay
        self.lr_decay_start = lr_decay_start
        self.lr = lr
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.clip_grad_norm = clip_grad_norm
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # -- checks and ids -----------------------------------------------------
    def _check_params(self) -> None:
        cap = self.max_output_length
        if isinstance(cap, tuple) and not (
            len(cap) == 2
            and isinstance(cap[0], numbers.Real)
            and cap[0] >= 0
            and isinstance(cap[1], numbers.Integral)
            and cap[1] >= 1
        ):
            raise ValueError(
                "max_output_length must be an int >= 1 or a pair (ratio >= 0, "
                f"int >= 1); got {cap!r}."
            )
        if self.attention == "dot" and self.bidirectional:
            raise ValueError(
                "attention='dot' compares the decoder state with the encoder "
                "outputs, which are twice as long when bidirectional=True; use "
                "attention='general' or 'additive', or bidirectional=False."
            )
        check_device(self.device)

    def _source_items(self, X, allow_empty: bool = False) -> list[list[str]]:
        analyze = build_analyzer(self.source_analyzer)
        return _items(X, "X", analyze, allow_empty=allow_empty)[0]

    @staticmethod
    def _ids(indexer: VocabularyIndexer, sequences: list[list[str]]) -> list:
        tokens = list(itertools.chain.from_iterable(sequences))
        lengths = [len(s) for s in sequences]
        if not tokens:
            return [np.zeros(0, dtype=np.int64) for _ in sequences]
        return split_by_lengths(np.concatenate(indexer.transform(tokens)), lengths)

    def _source_ids(self, sequences: list[list[str]]) -> list[np.ndarray]:
        """Token ids of the sources, each ending with the end id."""
        eos = self._source_eos
        ids = self._ids(self.source_indexer_, sequences)
        return [np.append(seq, eos) for seq in ids]

    def _source_rows(self, sequences: list[list[str]]) -> list[np.ndarray]:
        """The embedding rows the encoder reads for the sources."""
        return self._rows.to_rows(self._source_ids(sequences))

    def _specials(self) -> tuple[int, int, tuple]:
        """Target ids of the start and end tokens, and the ids never written."""
        bos = len(self.target_indexer_.vocabulary_)
        return bos, bos + 1, (0, 1, bos)

    def _max_lengths(self, sources: list[np.ndarray]) -> np.ndarray:
        lengths = np.array([len(s) - 1 for s in sources], dtype=np.int64)
        cap = self.max_output_length
        if isinstance(cap, tuple):
            ratio, most = cap
            relative = np.ceil(ratio * lengths).astype(np.int64) + _SLACK
            return np.minimum(relative, most)
        return np.full(len(sources), cap, dtype=np.int64)

    # -- fit ------------------------------------------------------------------
    @staticmethod
    def _build_network(params: dict):
        """The encoder-decoder for ``_module_params`` (at fit and on load)."""
        return build_network(**params)

    @fit_context
    def fit(self, X, y):
        """Learn to write each ``y[i]`` after reading ``X[i]``.

        Parameters
        ----------
        X : iterable of (str or list of str)
            Source sequences.
        y : iterable of (str or list of str)
            Target sequences, one per source (an empty one is allowed).

        Returns
        -------
        self : RNNSeq2Seq
            The fitted estimator.
        """
        self._check_params()
        if y is None:
            raise ValueError("RNNSeq2Seq needs targets: y=None was passed to fit.")
        sources = self._source_items(X)
        targets, strings = _items(y, "y", build_analyzer(self.target_analyzer))
        if len(sources) != len(targets):
            raise ValueError(
                f"X and y have different lengths: {len(sources)} sources but "
                f"{len(targets)} targets."
            )
        check_has_tokens([len(t) for t in targets], "targets")
        self._y_strings = strings
        self.source_indexer_ = VocabularyIndexer(
            analyzer=whole_token,
            token_pattern=None,
            lowercase=False,
            vectors=self.vectors,
        )
        self.target_indexer_ = VocabularyIndexer(
            analyzer=whole_token, token_pattern=None, lowercase=False
        )
        source_tokens = list(itertools.chain.from_iterable(sources))
        self.source_indexer_.fit(source_tokens or [""])
        self.target_indexer_.fit(list(itertools.chain.from_iterable(targets)))
        bos, eos, banned = self._specials()
        # The source end id follows every id of the indexer (with vectors a
        # word may be there twice, so its vocabulary_ can be shorter).
        self._source_eos = len(self.source_indexer_.get_feature_names_out())
        ids = self._ids(self.source_indexer_, sources)
        # The end id is planned as one more token: the coverage counts it
        # once, not once per source.
        self._rows = plan_rows(
            [*ids, np.array([self._source_eos])],
            vectors=resolve_vectors(self.vectors),
            embeddings=None,
            embedding_dim=self.embedding_dim,
            default_dim=64,
        )
        self.vectors_coverage_ = self._rows.coverage
        source_ids = self._rows.to_rows([np.append(s, self._source_eos) for s in ids])
        target_ids = [
            np.concatenate(([bos], ids, [eos]))
            for ids in self._ids(self.target_indexer_, targets)
        ]
        seed = draw_seed(self.random_state)
        train, valid = self._split(source_ids, target_ids, seed)

        shape = self._rows.module_params
        self._module_params = dict(
            source_vocab=shape["vocab_size"],
            target_vocab=eos + 1,
            embedding_dim=shape["embedding_dim"],
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            cell=self.cell,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            attention=self.attention,
            pretrained_rows=shape.get("pretrained_rows"),
        )
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = self._build_network(self._module_params)
            self._rows.fill(module)
            self._rows = self._rows.for_prediction()  # the vectors live in the net
            module = module.to(self.device)
            optimizer = make_optimizer(
                self.optimizer, module.parameters(), self.lr, self.device
            )
            self.module_ = module
            self.history_, self.best_epoch_ = train_seq2seq(
                module,
                train,
                valid,
                optimizer=optimizer,
                max_epochs=self.max_epochs,
                batch_size=self.batch_size,
                max_tokens=self.max_batch_tokens,
                clip_grad_norm=self.clip_grad_norm,
                teacher_forcing=self.teacher_forcing,
                label_smoothing=self.label_smoothing,
                lr_decay=self.lr_decay,
                lr_decay_start=self._lr_decay_start(),
                patience=self.patience,
                bos=bos,
                eos=eos,
                banned=banned,
                device=self.device,
                rng=np.random.default_rng(seed),
                verbose=self.verbose,
            )
        self.n_epochs_ = len(self.history_)
        return self

    def _lr_decay_start(self) -> int | None:
        start = self.lr_decay_start
        if start is None or isinstance(start, numbers.Integral):
            return start
        return max(1, int(np.ceil(start * self.max_epochs)))

    def _split(self, source_ids, target_ids, seed: int):
        """The training pairs and, with early stopping, the validation
        sources, their references and length caps (split by distinct source)."""
        if not self.early_stopping:
            return PairDataset(source_ids, target_ids), None
        keys = [ids.tobytes() for ids in source_ids]
        distinct = list(dict.fromkeys(keys))
        n_valid = int(np.ceil(self.validation_fraction * len(distinct)))
        if len(distinct) - n_valid < 1:
            raise ValueError(
                f"early_stopping needs a validation split, but {len(distinct)} "
                f"distinct source(s) with validation_fraction="
                f"{self.validation_fraction} leave none for training; pass more "
                "data or early_stopping=False."
            )
        _, held_out = train_test_split(distinct, test_size=n_valid, random_state=seed)
        held_out = set(held_out)
        train = [i for i, key in enumerate(keys) if key not in held_out]
        references: dict[bytes, list] = {}
        first: dict[bytes, int] = {}
        for i, key in enumerate(keys):
            if key in held_out:
                first.setdefault(key, i)
                references.setdefault(key, []).append(target_ids[i][1:-1].tolist())
        valid_sources = [source_ids[i] for i in first.values()]
        valid = (
            valid_sources,
            [references[key] for key in first],
            self._max_lengths(valid_sources),
        )
        return (
            PairDataset([source_ids[i] for i in train], [target_ids[i] for i in train]),
            valid,
        )

    # -- prediction -------------------------------------------------------------
    def _decode(self, X, beam_size: int, n_best: int = 1, attention: bool = False):
        check_is_fitted(self, "module_")
        sources = self._source_rows(self._source_items(X, allow_empty=True))
        if self.max_batch_tokens is not None:
            sources = truncate_sequences(
                sources,
                self.max_batch_tokens,
                keep_end=False,
                source=type(self).__name__,
                advice="raise max_batch_tokens (or None) to read more of them; the "
                "memory of a batch grows with it.",
                stacklevel=4,
            )
        bos, eos, banned = self._specials()
        return decode(
            self.module_,
            sources,
            self._max_lengths(sources),
            bos=bos,
            eos=eos,
            banned=banned,
            batch_size=self.batch_size,
            max_tokens=self.max_batch_tokens,
            device=self.device,
            beam_size=beam_size,
            n_best=n_best,
            alpha=self.length_penalty,
            return_attention=attention,
        )

    def _output(self, ids: list[int]):
        tokens = self.target_indexer_.get_feature_names_out()[ids].tolist()
        if not self._y_strings:
            return tokens
        return ("" if self.target_analyzer == "char" else " ").join(tokens)

    def predict(self, X) -> list:
        """Write the output sequence of each input.

        Parameters
        ----------
        X : iterable of (str or list of str)
            Source sequences.

        Returns
        -------
        y_pred : list
            One output per input, of the kind ``y`` was at fit: strings
            (tokens joined by a space, characters by nothing with
            ``target_analyzer="char"``) or lists of tokens.
        """
        found = self._decode(X, self.beam_size)
        return [self._output(hypotheses[0].tokens) for hypotheses in found]

    def predict_n_best(self, X, n: int = 5) -> list[list[tuple]]:
        """The ``n`` best outputs of a beam search of ``max(beam_size, n)``
        beams, per input.

        Parameters
        ----------
        X : iterable of (str or list of str)
            Source sequences.
        n : int, default=5
            Outputs per input.

        Returns
        -------
        n_best : list of list of (output, log_prob)
            Per input, up to ``n`` pairs ranked best first by the
            length-penalised score: the output (as :meth:`predict` writes
            it) and its log-probability (natural log, the end token
            included when it was written).
        """
        if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
            raise ValueError(f"n must be an int >= 1; got {n!r}.")
        found = self._decode(X, max(self.beam_size, int(n)), n_best=int(n))
        return [
            [(self._output(h.tokens), h.log_prob) for h in hypotheses]
            for hypotheses in found
        ]

    def attention_weights(self, X) -> list[np.ndarray]:
        """Attention weights of the output :meth:`predict` writes, per input.

        Parameters
        ----------
        X : iterable of (str or list of str)
            Source sequences.

        Returns
        -------
        weights : list of ndarray of shape (n_output_steps, n_source_tokens + 1)
            Row ``t`` holds the weights of output step ``t`` (the output's
            tokens, then its end token when it was written) over the source
            tokens and the source's end token; every row sums to 1.
        """
        check_is_fitted(self, "module_")
        if self.attention is None:
            raise ValueError(
                "attention_weights needs a model with attention; this one was "
                "fitted with attention=None."
            )
        found = self._decode(X, self.beam_size, attention=True)
        return [h[0].attention.numpy().astype(np.float64) for h in found]

    def _references(self, y) -> list[list[list[str]]]:
        """Per item of ``y``, its references as token lists."""
        if y is None or isinstance(y, (str, bytes)):
            raise TypeError(
                "y must be a list with one target (or list of targets) per input."
            )
        analyze = build_analyzer(self.target_analyzer)
        references = []
        for i, item in enumerate(y):
            several = not isinstance(item, str) and isinstance(item, Iterable)
            if several:
                item = list(item)
                strings = all(isinstance(r, str) for r in item)
                lists = bool(item) and all(
                    not isinstance(r, str) and isinstance(r, Iterable) for r in item
                )
                several = (self._y_strings and strings) or lists
            try:
                refs = _items(item if several else [item], "y", analyze)[0]
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"Target {i}: {exc}") from None
            references.append(refs)
        return references

    def score(self, X, y) -> float:
        """Token accuracy, ``1 - token_error_rate``: higher is better.

        The edit distance of each prediction to its closest reference,
        summed and divided by those references' total length, subtracted
        from 1 (see the class notes for why this metric).

        Parameters
        ----------
        X : iterable of (str or list of str)
            Source sequences.
        y : iterable
            Per input, its target, or a list of accepted targets (several
            pronunciations, several translations).

        Returns
        -------
        score : float
            At most 1 (every output equals a reference); below 0 when the
            outputs hold more edits than the references have tokens.
        """
        check_is_fitted(self, "module_")
        references = self._references(y)
        predicted = [h[0].tokens for h in self._decode(X, self.beam_size)]
        if len(predicted) != len(references):
            raise ValueError(
                f"X and y have different lengths: {len(predicted)} sources but "
                f"{len(references)} targets."
            )
        names = self.target_indexer_.get_feature_names_out()
        outputs = [names[ids].tolist() for ids in predicted]
        return 1.0 - token_error_rate(references, outputs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        tags.non_deterministic = self.device != "cpu"
        return tags
