"""Character-level text generation (one-to-many) with a recurrent language model.

:class:`CharRNNGenerator` is a scikit-learn style estimator in the spirit of
the classic char-RNN: ``fit(texts)`` trains an LSTM to predict the next
character, ``sample`` writes new text one character at a time, and
``score(texts)`` is the mean log-likelihood per character, so that model
selection works with scikit-learn tools. ``fit(texts, y)`` learns
p(text | label) instead, and ``sample(..., label=c)`` writes a text of class
``c`` (one-to-many generation from a fixed input). The network itself is
:class:`~sklearn_rnn.nn.RecurrentDecoder` (in a
:class:`~sklearn_rnn.nn.LabelConditionedDecoder` with labels), a plain
PyTorch module that knows nothing about training; fit, score and sample are
shared with the word-level :class:`~sklearn_rnn.RNNLanguageModel`
(``sklearn_rnn._language_model``).
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._language_model import EVAL_CHUNK, _RecurrentLanguageModelBase
from ._params import fit_context
from ._validation import check_documents, check_has_tokens, check_labels
from .nn import LabelConditionedDecoder, RecurrentDecoder
from .text import VocabularyIndexer

__all__ = ["CharRNNGenerator"]

#: Scoring's chunk length (kept under its old name for the long-text tests).
_EVAL_CHUNK = EVAL_CHUNK


class CharRNNGenerator(_RecurrentLanguageModelBase):
    """Character-level recurrent language model that scores and writes text.

    Every training text is read as ``separator + text + separator`` from a
    zero state, exactly as :meth:`score` reads it. The texts are laid end to
    end, in a new random order every epoch, in ``batch_size`` parallel
    streams read in chunks of ``bptt_steps`` characters; each text starts a
    chunk. Within a text the recurrent state is carried from one chunk to
    the next and detached between them (truncated backpropagation through
    time), so the model sees the whole text before a character while
    gradients flow back at most ``bptt_steps`` characters; the gradient norm
    is clipped. A text longer than its share of the streams (a whole book) is
    cut into that many pieces, each read from a zero state.

    With labels, ``fit(texts, y)`` learns p(text | label): each label has a
    learned vector of ``label_dim`` that sets the initial state of every
    text of its class (through a learned bridge) and/or joins the input of
    every step (``label_conditioning``); every chunk of a text carries its
    label, and a text starts from its label's state.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell.
    embedding_dim : int, default=32
        Size of the character embeddings.
    hidden_size : int, default=256
        Size of the recurrent state.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    dropout : float, default=0.0
        Dropout on the embeddings, between layers and before the output.
    bptt_steps : int, default=50
        Characters per chunk: the length of the truncated backpropagation.
    batch_size : int, default=16
        Number of parallel streams (fewer when the text is very short).
    max_epochs : int, default=10
        Maximum number of passes over the training text.
    max_train_tokens : int or None, default=None
        Stop training once this many training characters have been read
        (epochs times characters, the last epoch cut where the budget ends):
        a bound on the fit's work that does not grow with the corpus. None:
        ``max_epochs`` alone bounds it.
    lr : float, default=3e-3
        Learning rate.
    lr_decay : float, default=1.0
        With early stopping, the learning rate is multiplied by this after
        every epoch whose validation loss is not the best so far; 1: a
        constant learning rate.
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "adagrad"} or class, \
default="adam"
        Optimizer, by name or as a ``torch.optim.Optimizer`` subclass.
    clip_grad_norm : float or None, default=5.0
        Clip the gradient norm of every chunk to this value; None disables
        clipping.
    min_freq : int, default=2
        Characters seen fewer times in training become ``<unk>``, so the
        model learns how likely an unseen character is. ``<unk>`` is never
        sampled.
    separator : str, default="\\n"
        Joins the training texts, and starts every text when scoring and
        sampling.
    label_dim : int, default=16
        Size of the learned label vectors (``fit`` with ``y`` only).
    label_conditioning : {"both", "state", "input"}, default="both"
        Where the label enters: the initial state ("state"), every step's
        input ("input"), or both. With "state" alone the label learns only
        from a text's first ``bptt_steps`` characters (the state is
        detached between chunks), so a class that shows later is missed.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the texts, stop when their
        log-likelihood has not improved for ``patience`` epochs and restore
        the weights of the best epoch.
    patience : int, default=2
        Epochs without improvement before stopping.
    validation_fraction : float, default=0.1
        Share of the training texts held out for early stopping.
    device : str, default="cpu"
        Torch device, e.g. ``"cuda"``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, the validation split and the
        order of the texts. An int gives reproducible results.
    verbose : int, default=0
        Print a line per epoch when positive.

    Attributes
    ----------
    indexer_ : VocabularyIndexer
        The character vocabulary (``analyzer=list``: one token per
        character).
    module_ : sklearn_rnn.nn.RecurrentDecoder
        The trained network.
    history_ : skorch.history.History
        One row per epoch: ``train_loss`` and ``valid_loss`` (mean negative
        log-likelihood per character, in nats), ``train_tokens`` (characters
        read so far), ``lr`` (the learning rate the epoch trained with),
        ``dur`` in seconds.
    classes_ : ndarray or None
        The labels seen in ``fit`` (sorted), or None when fitted without.
    n_epochs_ : int
        Epochs trained.
    best_epoch_ : int
        Epoch whose weights were kept.

    See Also
    --------
    sklearn_rnn.tagger.RNNTagger : Many-to-many: one label per token.

    Notes
    -----
    The training loop is not run by skorch (it is
    ``sklearn_rnn._tbptt.train_tbptt_epoch``): skorch treats batches as
    independent samples, while truncated BPTT needs
    batches in stream order with the recurrent state handed from each batch
    to the next. The history still uses skorch's :class:`~skorch.history.
    History`. ``score`` returns natural-log units: the bits per character
    are ``-score(texts) / math.log(2)``.

    Examples
    --------
    >>> from sklearn_rnn import CharRNNGenerator
    >>> texts = ["abcabcabcabc"] * 20
    >>> gen = CharRNNGenerator(hidden_size=32, bptt_steps=10, batch_size=4,
    ...                        max_epochs=30, early_stopping=False,
    ...                        random_state=0).fit(texts)
    >>> gen.sample(6, prompt="ab", temperature=0)
    'cabcab'
    >>> bool(gen.score(["abcabc"]) > gen.score(["cbacba"]))
    True

    Conditioned on a label, it writes a text of the class asked for:

    >>> texts, y = ["abababab", "cdcdcdcd"] * 10, ["ab", "cd"] * 10
    >>> gen = gen.set_params(max_epochs=40, lr=1e-2).fit(texts, y)
    >>> gen.sample(6, label="cd", temperature=0)
    'cdcdcd'
    """

    _parameter_constraints: dict = {
        **_RecurrentLanguageModelBase._parameter_constraints,
        "separator": [str],
        "label_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "label_conditioning": [StrOptions({"both", "state", "input"})],
    }
    _unit = "character"

    def __init__(
        self,
        *,
        cell: str = "lstm",
        embedding_dim: int = 32,
        hidden_size: int = 256,
        num_layers: int = 1,
        dropout: float = 0.0,
        bptt_steps: int = 50,
        batch_size: int = 16,
        max_epochs: int = 10,
        max_train_tokens: int | None = None,
        lr: float = 3e-3,
        lr_decay: float = 1.0,
        optimizer="adam",
        clip_grad_norm: float | None = 5.0,
        min_freq: int = 2,
        separator: str = "\n",
        label_dim: int = 16,
        label_conditioning: str = "both",
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
        self.bptt_steps = bptt_steps
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.max_train_tokens = max_train_tokens
        self.lr = lr
        self.lr_decay = lr_decay
        self.optimizer = optimizer
        self.clip_grad_norm = clip_grad_norm
        self.min_freq = min_freq
        self.separator = separator
        self.label_dim = label_dim
        self.label_conditioning = label_conditioning
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # -- data -----------------------------------------------------------------
    def _boundary_id(self) -> int:
        return self.indexer_.vocabulary_.get(self.separator, 1)

    # The old name, used by tests and examples.
    _separator_id = _boundary_id

    def _fit_vocabulary(self, texts: list[str]) -> None:
        self.indexer_ = VocabularyIndexer(
            analyzer=list, lowercase=False, token_pattern=None, min_freq=self.min_freq
        )
        sep = self.separator
        self.indexer_.fit([sep + sep.join(texts) + sep])

    def _encode(self, texts: list[str]) -> list[np.ndarray]:
        """Ids of ``separator + text + separator`` for each text."""
        sep_id = self._boundary_id()
        return [
            np.concatenate(([sep_id], ids, [sep_id]))
            for ids in self.indexer_.transform(texts)
        ]

    def _network_params(self) -> dict:
        params = dict(
            vocab_size=len(self.indexer_.vocabulary_),
            embedding_dim=self.embedding_dim,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            cell=self.cell,
            dropout=self.dropout,
        )
        if self.classes_ is not None:
            params.update(
                n_labels=len(self.classes_),
                label_dim=self.label_dim,
                condition_input=self.label_conditioning != "state",
                condition_state=self.label_conditioning != "input",
            )
        return params

    @staticmethod
    def _build_network(params: dict):
        if "n_labels" in params:
            return LabelConditionedDecoder(**params)
        return RecurrentDecoder(**params)

    # -- labels -----------------------------------------------------------------
    def _label_ids(self, y, n_texts: int) -> np.ndarray | None:
        """The index of each label in ``classes_``; every label must be known."""
        if self.classes_ is None:
            if y is not None:
                raise ValueError(
                    "This generator was fitted without labels: call score(texts) "
                    "without y, or fit it with labels first."
                )
            return None
        if y is None:
            raise ValueError(
                "This generator was fitted with labels: score(texts, y) needs the "
                f"label of each text, one of {self.classes_.tolist()}."
            )
        y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
        if y.ndim != 1 or len(y) != n_texts:
            raise ValueError(
                f"y must hold one label per text: {n_texts} texts but y of shape "
                f"{y.shape}."
            )
        known = np.isin(y, self.classes_)
        if not known.all():
            i = int(np.flatnonzero(~known)[0])
            raise ValueError(
                f"y holds the label {y[i].item()!r} (position {i}), never seen "
                f"in fit; the labels are {self.classes_.tolist()}."
            )
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def _label_id(self, label) -> int | None:
        """The index of one ``sample`` label (None without labels)."""
        if self.classes_ is None:
            if label is not None:
                raise ValueError(
                    f"label={label!r} was given, but this generator was fitted "
                    "without labels."
                )
            return None
        if label is None:
            raise ValueError(
                "This generator was fitted with labels: sample(..., label=c) needs "
                f"one of {self.classes_.tolist()}."
            )
        matches = [i for i, c in enumerate(self.classes_.tolist()) if c == label]
        if not matches:
            raise ValueError(
                f"label={label!r} was never seen in fit; the labels are "
                f"{self.classes_.tolist()}."
            )
        return matches[0]

    @fit_context
    def fit(self, X, y=None):
        """Train the language model on texts, or on texts and their labels.

        Parameters
        ----------
        X : iterable of str
            Training texts (sentences, paragraphs or whole books).
        y : array-like of shape (n_texts,) or None, default=None
            A label per text: the model then learns p(text | label). None
            learns p(text).

        Returns
        -------
        self : CharRNNGenerator
            The fitted generator.
        """
        texts = check_documents(X)
        check_has_tokens([len(text) for text in texts], "texts")
        self.classes_, labels = None, None
        if y is not None:
            y = check_labels(y, len(texts))
            self.classes_, labels = np.unique(y, return_inverse=True)
            labels = labels.astype(np.int64)
        return self._fit_documents(texts, labels)

    # -- scoring and sampling ------------------------------------------------------
    def score(self, X, y=None) -> float:
        """Mean log-likelihood per character (natural log).

        Each text is read from a fresh state (zeros, or its label's) after
        one ``separator``; its characters and the closing separator are
        scored. Characters unseen in training are scored as ``<unk>``. Bits
        per character are ``-score / math.log(2)``.

        Parameters
        ----------
        X : iterable of str
            Texts.
        y : array-like of shape (n_texts,) or None, default=None
            The label of each text, when the generator was fitted with
            labels (then required); the score is then that of p(text |
            label).

        Returns
        -------
        score : float
            Total log-likelihood over the number of scored characters
            (higher is better).
        """
        check_is_fitted(self, "module_")
        texts = check_documents(X)
        labels = self._label_ids(y, len(texts))
        loglik, n_chars = self._log_likelihood(self._encode(texts), labels)
        return loglik / n_chars

    def sample(
        self,
        n_chars: int,
        prompt: str = "",
        temperature: float = 1.0,
        random_state=None,
        label=None,
    ) -> str:
        """Write ``n_chars`` characters, continuing ``prompt``.

        Parameters
        ----------
        n_chars : int
            Number of characters to generate.
        prompt : str, default=""
            Text the generated characters continue (read after a
            ``separator``, like the start of a training text).
        temperature : float, default=1.0
            Divides the logits before sampling: below 1 the text is more
            conservative, above 1 more surprising; 0 always takes the most
            likely character.
        random_state : int, RandomState instance or None, default=None
            Seeds the sampling.
        label : object, default=None
            The class of the text to write (one of ``classes_``); required
            when the generator was fitted with labels, refused otherwise.
            A ``separator`` written then ends the text, and the next one
            starts afresh from the label's state, as every training text.

        Returns
        -------
        text : str
            The ``n_chars`` generated characters (without the prompt).
        """
        check_is_fitted(self, "module_")
        self._check_sampling(n_chars, "n_chars", temperature)
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a string; got {type(prompt).__name__}.")
        label_id = self._label_id(label)
        prompt_ids = self.indexer_.transform([prompt])[0].tolist() if prompt else []
        ids = self._sample_ids(
            prompt_ids,
            n_chars,
            temperature,
            random_state,
            label_id,
            restart_at_boundary=label_id is not None,
        )
        alphabet = self.indexer_.get_feature_names_out()
        return "".join(alphabet[ids])

    def __setstate__(self, state: dict) -> None:
        if "module_" in state:  # fitted before labels existed
            state.setdefault("classes_", None)
        super().__setstate__(state)
