"""Word-level recurrent language model: score, perplexity and sampling.

:class:`RNNLanguageModel` learns p(w_t | w_<t) over the words of documents,
maximising the log-likelihood sum_t log p(w_t | w_<t) by truncated
backpropagation through time. It is the word-level sibling of
:class:`~sklearn_rnn.generator.CharRNNGenerator` (fit, score and sample are
theirs in common, in ``sklearn_rnn._language_model``); the network is a
:class:`~sklearn_rnn.nn.WordLanguageModel`: the package's
:class:`~sklearn_rnn.nn.RecurrentDecoder` with a full softmax (its output
weights optionally tied to the input embedding) or an adaptive softmax for
large vocabularies.
"""

from __future__ import annotations

import itertools
import numbers
import os

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._data import split_by_lengths
from ._embedding import DEFAULT_EMBEDDING_DIM, _dimension
from ._language_model import _RecurrentLanguageModelBase
from ._params import fit_context
from ._resources import warn_large_embedding
from ._tagging import check_sentences, whole_token
from ._validation import check_documents, check_has_tokens
from .nn import WordLanguageModel
from .text import VocabularyIndexer
from .vectors import WordVectors, resolve_vectors

__all__ = ["RNNLanguageModel", "ADAPTIVE_FROM"]

#: ``softmax="auto"`` takes the adaptive softmax from this vocabulary size.
ADAPTIVE_FROM = 10_000


def _documents(X) -> tuple[list, str]:
    """``X`` as a new list of texts ("text") or of token lists ("tokens")."""
    if (
        X is None
        or isinstance(X, (str, bytes, np.ndarray))
        or hasattr(X, "columns")
        or hasattr(X, "to_numpy")
    ):
        return check_documents(X), "text"
    items = list(X)
    is_text = [isinstance(item, str) for item in items]
    if all(is_text):
        return check_documents(items), "text"
    if any(is_text):
        first = is_text.index(not is_text[0])
        raise TypeError(
            f"The documents mix texts and lists of tokens: document 0 is "
            f"{'a text' if is_text[0] else 'a token list'}, document {first} is "
            "not. Pass all texts or all lists of tokens."
        )
    return check_sentences(items), "tokens"


class RNNLanguageModel(_RecurrentLanguageModelBase):
    """Word-level recurrent language model that scores and writes text.

    Every training document is read as ``<eos> + tokens + <eos>`` from a
    zero state, exactly as :meth:`score` reads it: the end-of-document
    token closes each document and is predicted (and scored) too. The
    documents are laid end to end, in a new random order every epoch, in
    ``batch_size`` parallel streams read in chunks of ``bptt_steps`` tokens
    (truncated backpropagation through time, the state carried within a
    document and detached between chunks; each document starts a chunk),
    with the gradient norm clipped. Early stopping watches the held-out
    log-likelihood and keeps the best epoch's weights.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell.
    embedding_dim : int or None, default=None
        Size of the word embeddings: 128, or the dimension of ``vectors``.
    hidden_size : int, default=256
        Size of the recurrent state.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    dropout : float, default=0.1
        Dropout on the embeddings, between layers and before the softmax.
    word_dropout : float, default=0.0
        During training, the probability that an input word is read as
        ``<unk>`` (its target is kept): a cheap regulariser in the spirit of
        AWD-LSTM's embedding dropout.
    weight_drop : float, default=0.0
        During training, the probability that an entry of the recurrent
        (hidden-to-hidden) weight matrices is dropped, one draw per chunk:
        AWD-LSTM's weight drop (DropConnect, Merity et al. 2018).
    variational_dropout : bool, default=False
        Draw ``dropout``'s mask on the embeddings and before the softmax once
        per stream and chunk and apply it at every step of the chunk
        (variational or locked dropout, Gal & Ghahramani 2016, as AWD-LSTM
        uses it), instead of a new mask at every step. The dropout between
        stacked layers stays per step.
    bptt_steps : int, default=35
        Tokens per chunk: the length of the truncated backpropagation.
    batch_size : int, default=32
        Number of parallel streams.
    max_epochs : int, default=10
        Maximum number of passes over the training documents.
    max_train_tokens : int or None, default=3_000_000
        Stop training once this many training tokens have been read (epochs
        times tokens, the last epoch cut where the budget ends, then
        validated as any epoch): a bound on the fit's work that does not
        grow with the corpus. None: ``max_epochs`` alone bounds it. The
        default is about 1.1 passes over 9,946 long IMDB reviews (2.66
        million tokens), which keeps pretraining and fine-tuning a classifier
        on them within about twice the classifier's own fit; the 10 epochs
        over any short-text set of ``docs/benchmarks.rst`` (at most 2.1
        million tokens, MR) stay below it.
    lr : float, default=5e-3
        Learning rate. (On 360 IMDB reviews, 4 epochs: held-out perplexity
        146.9 at 5e-3 against 150.9 untied at 3e-3 and 144.4 untied at 1e-2,
        which took twice the time; ``benchmarks/bench_language_model.py``.)
    lr_decay : float, default=1.0
        With early stopping, the learning rate is multiplied by this after
        every epoch whose validation loss is not the best so far (the
        annealing of PyTorch's ``word_language_model`` example divides it
        by 4); 1: a constant learning rate. It pays where the model trains
        long enough to stall: on 1,080 IMDB reviews with ``dropout=0.5`` and
        ``max_train_tokens=None``, 0.5 gave a held-out perplexity of 128.3
        (18 epochs, best 16, the first halving after the 14th) against 134.2
        at the best epoch before any halving; with the default dropout the
        model overfits from the sixth epoch and it changed nothing (144.3
        either way; ``benchmarks/bench_language_model.py``). Not the default:
        the classifiers' language models of the user guide were measured at
        a constant rate.
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "adagrad"} or class, \
default="adam"
        Optimizer, by name or as a ``torch.optim.Optimizer`` subclass.
    clip_grad_norm : float or None, default=1.0
        Clip the gradient norm of every chunk; None disables clipping.
    min_freq : int, default=2
        Words seen fewer times in training become ``<unk>``, so the model
        learns how likely an unseen word is. ``<unk>`` is never sampled.
    max_tokens : int or None, default=None
        Cap on the vocabulary (the most frequent words; ``<pad>`` and
        ``<unk>`` included, ``<eos>`` not).
    lowercase : bool, default=True
        Lower-case texts before tokenizing (lists of tokens are taken as
        they are).
    softmax : {"auto", "full", "adaptive"}, default="auto"
        "full": a linear layer over the vocabulary, whose cost grows with
        it; "adaptive": :class:`torch.nn.AdaptiveLogSoftmaxWithLoss` (Grave
        et al. 2017), frequent words in a small head, rare ones in smaller
        clusters; "auto": adaptive from :data:`ADAPTIVE_FROM` words.
    tie_weights : bool, default=True
        Make the full softmax's output weights the input embedding (Press &
        Wolf 2017), with a projection from ``hidden_size`` to
        ``embedding_dim`` when they differ. The adaptive softmax has
        projections of its own and is never tied.
    vectors : str, path-like or WordVectors, default=None
        Pretrained word vectors (GloVe) that initialise the embedding rows
        of the words they hold; the other words start at random. The
        vocabulary stays the training words, numbered most frequent first.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the documents, stop when their
        log-likelihood has not improved for ``patience`` epochs and restore
        the weights of the best epoch.
    patience : int, default=2
        Epochs without improvement before stopping.
    validation_fraction : float, default=0.1
        Share of the training documents held out for early stopping.
    device : str, default="cpu"
        Torch device, e.g. ``"cuda"``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, the validation split and the
        order of the documents. An int gives reproducible results.
    verbose : int, default=0
        Print a line per epoch when positive.

    Attributes
    ----------
    indexer_ : VocabularyIndexer
        The vocabulary. Fitted on texts it is the package's word indexer
        (``indexer_.transform(texts)`` gives the ids the network reads, as
        for :class:`~sklearn_rnn.RNNClassifier`); fitted on lists of tokens
        it maps whole tokens (``analyzer=whole_token``).
    eos_id_ : int
        Id of the end-of-document token: ``len(indexer_.vocabulary_)``, one
        past the indexer's ids.
    input_kind_ : {"text", "tokens"}
        What ``fit`` was given; scoring takes the same.
    module_ : sklearn_rnn.nn.WordLanguageModel
        The trained network. What a classifier starts from is
        ``module_.decoder`` (a :class:`~sklearn_rnn.nn.RecurrentDecoder`):
        ``module_.decoder.encoder.embedding`` (rows = ``indexer_`` ids, plus
        ``eos_id_``) and ``module_.decoder.encoder.rnn`` (the recurrent
        layers); see :meth:`pretrained_state`.
    vectors_coverage_ : float or None
        With ``vectors``: the share of the vocabulary's words with a vector.
    history_ : skorch.history.History
        One row per epoch: ``train_loss`` and ``valid_loss`` (mean negative
        log-likelihood per token, in nats), ``train_tokens`` (tokens read so
        far), ``lr`` (the learning rate the epoch trained with), ``dur`` in
        seconds.
    n_epochs_ : int
        Epochs trained.
    best_epoch_ : int
        Epoch whose weights were kept.

    See Also
    --------
    sklearn_rnn.generator.CharRNNGenerator : The character-level sibling.

    Notes
    -----
    ``score`` is in nats per token, the end-of-document tokens included:
    ``perplexity(X) == exp(-score(X))``. Truncated BPTT is run by
    ``sklearn_rnn._tbptt.train_tbptt_epoch``, the loop the character
    generator uses.

    Examples
    --------
    >>> from sklearn_rnn import RNNLanguageModel
    >>> docs = ["the cat sat on the mat", "a dog ran in the park"] * 10
    >>> lm = RNNLanguageModel(embedding_dim=16, hidden_size=32, bptt_steps=8,
    ...                       batch_size=4, max_epochs=30, lr=1e-2,
    ...                       early_stopping=False, random_state=0).fit(docs)
    >>> lm.sample(4, prompt="a dog", temperature=0)
    'ran in the park'
    >>> bool(lm.perplexity(docs[:2]) < 1.5)
    True
    """

    _parameter_constraints: dict = {
        **_RecurrentLanguageModelBase._parameter_constraints,
        "embedding_dim": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "max_tokens": [Interval(numbers.Integral, 3, None, closed="left"), None],
        "lowercase": ["boolean"],
        "softmax": [StrOptions({"auto", "full", "adaptive"})],
        "tie_weights": ["boolean"],
        "word_dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "weight_drop": [Interval(numbers.Real, 0, 1, closed="left")],
        "variational_dropout": ["boolean"],
        "vectors": [str, os.PathLike, WordVectors, None],
    }

    def __init__(
        self,
        *,
        cell: str = "lstm",
        embedding_dim: int | None = None,
        hidden_size: int = 256,
        num_layers: int = 1,
        dropout: float = 0.1,
        word_dropout: float = 0.0,
        weight_drop: float = 0.0,
        variational_dropout: bool = False,
        bptt_steps: int = 35,
        batch_size: int = 32,
        max_epochs: int = 10,
        max_train_tokens: int | None = 3_000_000,
        lr: float = 5e-3,
        lr_decay: float = 1.0,
        optimizer="adam",
        clip_grad_norm: float | None = 1.0,
        min_freq: int = 2,
        max_tokens: int | None = None,
        lowercase: bool = True,
        softmax: str = "auto",
        tie_weights: bool = True,
        vectors=None,
        early_stopping: bool = True,
        patience: int = 2,
        validation_fraction: float = 0.1,
        device: str = "cpu",
        random_state=None,
        verbose: int = 0,
    ):
        self.cell = cell
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.word_dropout = word_dropout
        self.weight_drop = weight_drop
        self.variational_dropout = variational_dropout
        self.bptt_steps = bptt_steps
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.max_train_tokens = max_train_tokens
        self.lr = lr
        self.lr_decay = lr_decay
        self.optimizer = optimizer
        self.clip_grad_norm = clip_grad_norm
        self.min_freq = min_freq
        self.max_tokens = max_tokens
        self.lowercase = lowercase
        self.softmax = softmax
        self.tie_weights = tie_weights
        self.vectors = vectors
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # -- data -----------------------------------------------------------------
    def _boundary_id(self) -> int:
        return self.eos_id_

    def _fit_vocabulary(self, docs: list) -> None:
        caps = dict(min_freq=self.min_freq, max_tokens=self.max_tokens)
        if self.input_kind_ == "text":
            self.indexer_ = VocabularyIndexer(lowercase=self.lowercase, **caps)
            self.indexer_.fit(docs)
        else:
            self.indexer_ = VocabularyIndexer(
                analyzer=whole_token, lowercase=False, token_pattern=None, **caps
            )
            self.indexer_.fit(list(itertools.chain.from_iterable(docs)))
        # (a vocabulary of <pad> and <unk> only is refused by the indexer)
        self.eos_id_ = len(self.indexer_.vocabulary_)

    def _token_ids(self, docs: list) -> list[np.ndarray]:
        """The indexer's ids of each document (no ``<eos>``)."""
        if self.input_kind_ == "text":
            return self.indexer_.transform(docs)
        tokens = list(itertools.chain.from_iterable(docs))
        if not tokens:
            return [np.zeros(0, dtype=np.int64) for _ in docs]
        ids = np.concatenate(self.indexer_.transform(tokens))
        return split_by_lengths(ids, [len(d) for d in docs])

    def _encode(self, docs: list) -> list[np.ndarray]:
        """Ids of ``<eos> + tokens + <eos>`` for each document."""
        eos = [self.eos_id_]
        return [np.concatenate((eos, ids, eos)) for ids in self._token_ids(docs)]

    def _check_input(self, X) -> list:
        docs, kind = _documents(X)
        if kind != self.input_kind_:
            given = "texts" if kind == "text" else "lists of tokens"
            fitted = "texts" if self.input_kind_ == "text" else "lists of tokens"
            raise TypeError(
                f"This language model was fitted on {fitted} and is given "
                f"{given}; pass {fitted}."
            )
        return docs

    # -- the network ----------------------------------------------------------------
    def _softmax_kind(self, vocab_size: int) -> str:
        if self.softmax != "auto":
            return self.softmax
        return "adaptive" if vocab_size >= ADAPTIVE_FROM else "full"

    def _network_params(self) -> dict:
        vectors = resolve_vectors(self.vectors)
        if vectors is not None:
            embedding_dim = _dimension(self.embedding_dim, vectors.dim, "vectors")
        else:
            embedding_dim = self.embedding_dim or DEFAULT_EMBEDDING_DIM
        vocab_size = self.eos_id_ + 1
        softmax = self._softmax_kind(vocab_size)
        return dict(
            vocab_size=vocab_size,
            embedding_dim=embedding_dim,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            cell=self.cell,
            dropout=self.dropout,
            softmax=softmax,
            tie_weights=self.tie_weights and softmax == "full",
            word_dropout=self.word_dropout,
            weight_drop=self.weight_drop,
            variational_dropout=self.variational_dropout,
        )

    @staticmethod
    def _build_network(params: dict) -> WordLanguageModel:
        return WordLanguageModel(**params)

    def _init_network(self, module: WordLanguageModel) -> None:
        warn_large_embedding(
            module,
            "Raise min_freq or set max_tokens to keep fewer words.",
            stacklevel=5,
        )
        self.vectors_coverage_ = None
        vectors = resolve_vectors(self.vectors)
        if vectors is None:
            return
        words = self.indexer_.get_feature_names_out()[2:]
        index = vectors.index
        found = [(2 + i, index[w]) for i, w in enumerate(words) if w in index]
        self.vectors_coverage_ = len(found) / max(len(words), 1)
        if not found:
            raise ValueError(
                f"None of the {len(words)} words of the vocabulary has a vector "
                f"in {vectors!r}; check the case (GloVe is lower-cased) and the "
                "tokenization."
            )
        ids, rows = (np.array(column) for column in zip(*found))
        matrix = vectors.vectors
        weight = module.decoder.encoder.embedding.weight
        with torch.no_grad():
            # the other words start at random on the vectors' scale
            scale = float(matrix[rows].std())
            weight.normal_(0.0, scale)
            weight[0] = 0.0
            weight[torch.from_numpy(ids)] = torch.from_numpy(matrix[rows]).to(weight)

    def _criterion(self, module: WordLanguageModel):
        return module.nll

    def _outputs_log_probs(self, outputs, targets) -> torch.Tensor:
        return self.module_.target_log_probs(outputs, targets).double()

    def _next_scores(self, outputs) -> np.ndarray:
        return self.module_.log_probs(outputs[:1, -1:])[0, 0].double().cpu().numpy()

    # -- the estimator ----------------------------------------------------------------
    @fit_context
    def fit(self, X, y=None):
        """Train the language model on documents.

        Parameters
        ----------
        X : iterable of str, or iterable of lists of str
            Training texts (split by the package's tokenizer, as
            :class:`VocabularyIndexer` splits them) or lists of tokens
            (taken as they are).
        y : None
            Ignored.

        Returns
        -------
        self : RNNLanguageModel
            The fitted language model.
        """
        docs, self.input_kind_ = _documents(X)
        if self.input_kind_ == "tokens":  # texts without a token: the indexer
            check_has_tokens([len(doc) for doc in docs], "documents")
        self._fit_documents(docs)
        return self

    def score(self, X, y=None) -> float:
        """Mean log-likelihood per token (natural log), ``<eos>`` included.

        Each document is read from a zero state after one ``<eos>``; its
        tokens and the closing ``<eos>`` are scored. Words unseen in
        training are scored as ``<unk>``.

        Parameters
        ----------
        X : iterable of str, or iterable of lists of str
            Documents, of the kind ``fit`` was given.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Total log-likelihood over the number of scored tokens (higher is
            better); ``exp(-score)`` is the perplexity.
        """
        check_is_fitted(self, "module_")
        loglik, n_tokens = self._log_likelihood(self._encode(self._check_input(X)))
        return loglik / n_tokens

    def perplexity(self, X) -> float:
        """Perplexity per token, ``exp(-score(X))`` (lower is better).

        Parameters
        ----------
        X : iterable of str, or iterable of lists of str
            Documents, of the kind ``fit`` was given.

        Returns
        -------
        perplexity : float
            The perplexity.
        """
        return float(np.exp(-self.score(X)))

    def sample(
        self,
        n_tokens: int,
        prompt="",
        temperature: float = 1.0,
        random_state=None,
    ) -> str:
        """Write ``n_tokens`` tokens, continuing ``prompt``.

        Parameters
        ----------
        n_tokens : int
            Number of tokens to generate (an end of document counts as one).
        prompt : str or list of str, default=""
            What the tokens continue, read after an ``<eos>`` like the start
            of a document: a text (tokenized as in ``fit``; split at
            whitespace when fitted on lists of tokens) or a list of tokens.
        temperature : float, default=1.0
            Divides the log-probabilities before sampling: below 1 more
            conservative, above 1 more surprising; 0 always takes the most
            likely token.
        random_state : int, RandomState instance or None, default=None
            Seeds the sampling.

        Returns
        -------
        text : str
            The generated tokens joined by spaces; an end of document is
            written as a line break, and the next document starts afresh.
        """
        check_is_fitted(self, "module_")
        self._check_sampling(n_tokens, "n_tokens", temperature)
        if isinstance(prompt, str):
            if self.input_kind_ == "text":
                prompt_ids = self.indexer_.transform([prompt])[0].tolist()
            else:
                prompt_ids = self._token_ids([prompt.split()])[0].tolist()
        else:
            prompt_ids = self._token_ids(check_sentences([prompt]))[0].tolist()
        ids = self._sample_ids(
            prompt_ids, n_tokens, temperature, random_state, restart_at_boundary=True
        )
        words = self.indexer_.get_feature_names_out()
        lines, line = [], []
        for i in ids:
            if i == self.eos_id_:
                lines.append(" ".join(line))
                line = []
            else:
                line.append(words[i])
        return "\n".join([*lines, " ".join(line)])

    def pretrained_state(self) -> dict:
        """What a classifier starts from: the state dicts of the embedding
        and of the recurrent layers, and the vocabulary.

        Returns
        -------
        state : dict
            ``"embedding"`` (rows: the ``indexer_`` ids, then ``<eos>``),
            ``"rnn"`` (the recurrent layers, as ``torch.nn.LSTM`` / ``GRU``
            / ``RNN`` name them), ``"indexer"`` (``indexer_``) and
            ``"eos_id"``.
        """
        check_is_fitted(self, "module_")
        encoder = self.module_.decoder.encoder
        return {
            "embedding": encoder.embedding.state_dict(),
            "rnn": encoder.rnn.state_dict(),
            "indexer": self.indexer_,
            "eos_id": self.eos_id_,
        }
