"""Character-level text generation (one-to-many) with a recurrent language model.

:class:`CharRNNGenerator` is a scikit-learn style estimator in the spirit of
the classic char-RNN: ``fit(texts)`` trains an LSTM to predict the next
character, ``sample`` writes new text one character at a time, and
``score(texts)`` is the mean log-likelihood per character, so that model
selection works with scikit-learn tools. The network itself is
:class:`~sklearn_rnn.nn.RecurrentDecoder`, a plain PyTorch module that knows
nothing about training.
"""

from __future__ import annotations

import math
import numbers
import time
from contextlib import closing

import numpy as np
import torch
from scipy.special import softmax
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from skorch.history import History

from ._data import lay_out_streams, split_into_streams
from ._guards import check_device
from ._params import fit_context
from ._resources import BestWeights
from ._tbptt import train_tbptt_epoch
from ._training import (
    NETWORK_CONSTRAINTS,
    draw_seed,
    get_optimizer,
)
from ._validation import check_documents, check_has_tokens
from .nn import RecurrentDecoder
from .persistence import to_arrays, to_tensors
from .text import VocabularyIndexer

__all__ = ["CharRNNGenerator"]

#: Scoring runs long texts through the network this many steps at a time,
#: carrying the state, so memory does not grow with the text length.
_EVAL_CHUNK = 512


class CharRNNGenerator(BaseEstimator):
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
    lr : float, default=3e-3
        Learning rate.
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
        log-likelihood per character, in nats), ``dur`` in seconds.
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
    """

    _parameter_constraints: dict = {
        "bptt_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "min_freq": [Interval(numbers.Integral, 1, None, closed="left")],
        "separator": [str],
        **NETWORK_CONSTRAINTS,
    }

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
        lr: float = 3e-3,
        optimizer="adam",
        clip_grad_norm: float | None = 5.0,
        min_freq: int = 2,
        separator: str = "\n",
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
        self.lr = lr
        self.optimizer = optimizer
        self.clip_grad_norm = clip_grad_norm
        self.min_freq = min_freq
        self.separator = separator
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # -- data -----------------------------------------------------------------
    def _separator_id(self) -> int:
        return self.indexer_.vocabulary_.get(self.separator, 1)

    def _fit_vocabulary(self, texts: list[str]) -> None:
        self.indexer_ = VocabularyIndexer(
            analyzer=list, lowercase=False, token_pattern=None, min_freq=self.min_freq
        )
        sep = self.separator
        self.indexer_.fit([sep + sep.join(texts) + sep])

    def _encode(self, texts: list[str]) -> list[np.ndarray]:
        """Ids of ``separator + text + separator`` for each text."""
        sep_id = self._separator_id()
        return [
            np.concatenate(([sep_id], ids, [sep_id]))
            for ids in self.indexer_.transform(texts)
        ]

    @fit_context
    def fit(self, X, y=None):
        """Train the language model on texts.

        Parameters
        ----------
        X : iterable of str
            Training texts (sentences, paragraphs or whole books).
        y : None
            Ignored.

        Returns
        -------
        self : CharRNNGenerator
            The fitted generator.
        """
        texts = check_documents(X)
        check_has_tokens([len(text) for text in texts], "texts")
        check_device(self.device)
        seed = draw_seed(self.random_state)
        rng = np.random.default_rng(seed)
        valid_texts = None
        if self.early_stopping:
            n_valid = int(np.ceil(self.validation_fraction * len(texts)))
            if len(texts) - n_valid < 1:
                raise ValueError(
                    f"early_stopping needs a validation split, but {len(texts)} "
                    f"text(s) with validation_fraction={self.validation_fraction} "
                    "leave none for training; pass more texts or "
                    "early_stopping=False."
                )
            texts, valid_texts = train_test_split(
                texts, test_size=n_valid, random_state=seed
            )
        self._fit_vocabulary(texts)
        pieces, n_streams = split_into_streams(
            self._encode(texts), self.batch_size, self.bptt_steps
        )
        valid_ids = self._encode(valid_texts) if valid_texts is not None else None

        with torch.random.fork_rng(devices=[]), closing(BestWeights()) as best:
            torch.manual_seed(seed)
            self._module_params = dict(
                vocab_size=len(self.indexer_.vocabulary_),
                embedding_dim=self.embedding_dim,
                hidden_size=self.hidden_size,
                num_layers=self.num_layers,
                cell=self.cell,
                dropout=self.dropout,
            )
            module = RecurrentDecoder(**self._module_params).to(self.device)
            optimizer_cls = get_optimizer(self.optimizer)
            optimizer = optimizer_cls(module.parameters(), lr=self.lr)
            self.module_ = module
            self.history_ = History()
            best_loss, best_epoch = math.inf, 0
            for epoch in range(1, self.max_epochs + 1):
                start = time.perf_counter()
                train_loss = train_tbptt_epoch(
                    module,
                    optimizer,
                    *lay_out_streams(pieces, n_streams, self.bptt_steps, rng),
                    self.bptt_steps,
                    self.clip_grad_norm,
                    self.device,
                    epoch=epoch,
                )
                self.history_.new_epoch()
                self.history_.record("epoch", epoch)
                self.history_.record("train_loss", train_loss)
                if valid_ids is not None:
                    loglik, n_chars = self._log_likelihood(valid_ids)
                    valid_loss = -loglik / n_chars
                    self.history_.record("valid_loss", valid_loss)
                    if valid_loss < best_loss:
                        best_loss, best_epoch = valid_loss, epoch
                        best.save(module)  # on disk: no second copy in memory
                self.history_.record("dur", time.perf_counter() - start)
                if self.verbose:
                    row = self.history_[-1]
                    valid = (
                        f"  valid_loss {row['valid_loss']:.4f}"
                        if "valid_loss" in row
                        else ""
                    )
                    print(
                        f"epoch {epoch:3d}  train_loss {train_loss:.4f}{valid}"
                        f"  dur {row['dur']:.1f} s",
                        flush=True,
                    )
                if valid_ids is not None and epoch - best_epoch >= self.patience:
                    break
            if best.saved:
                best.restore(module)
        module.eval()
        self.n_epochs_ = len(self.history_)
        self.best_epoch_ = best_epoch if valid_ids is not None else self.n_epochs_
        return self

    # -- scoring and sampling ------------------------------------------------------
    @torch.no_grad()
    def _log_likelihood(self, sequences: list[np.ndarray]) -> tuple[float, int]:
        """Total log-likelihood of each sequence's characters after its first.

        Sequences are scored in batches of similar length from a zero state;
        right padding never changes a result, since the network reads left to
        right and padded targets are masked.
        """
        module = self.module_
        was_training = module.training
        module.eval()
        order = np.argsort([len(s) for s in sequences], kind="stable")
        total, n_chars = 0.0, 0
        for begin in range(0, len(order), self.batch_size):
            batch = [sequences[i] for i in order[begin : begin + self.batch_size]]
            width = max(len(s) for s in batch)
            ids = torch.zeros((len(batch), width), dtype=torch.int64)
            for i, seq in enumerate(batch):
                ids[i, : len(seq)] = torch.from_numpy(seq)
            ids = ids.to(self.device)
            inputs, targets = ids[:, :-1], ids[:, 1:]
            state = None
            for start in range(0, width - 1, _EVAL_CHUNK):
                stop = start + _EVAL_CHUNK
                logits, state = module(inputs[:, start:stop], state)
                logp = torch.log_softmax(logits.double(), dim=-1)
                target = targets[:, start:stop]
                picked = logp.gather(2, target[..., None])[..., 0]
                mask = target != 0
                total += float(picked[mask].sum())
                n_chars += int(mask.sum())
        module.train(was_training)
        return total, n_chars

    def score(self, X, y=None) -> float:
        """Mean log-likelihood per character (natural log).

        Each text is read from a zero state after one ``separator``; its
        characters and the closing separator are scored. Characters unseen
        in training are scored as ``<unk>``. Bits per character are
        ``-score / math.log(2)``.

        Parameters
        ----------
        X : iterable of str
            Texts.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Total log-likelihood over the number of scored characters
            (higher is better).
        """
        check_is_fitted(self, "module_")
        loglik, n_chars = self._log_likelihood(self._encode(check_documents(X)))
        return loglik / n_chars

    @torch.no_grad()
    def sample(
        self,
        n_chars: int,
        prompt: str = "",
        temperature: float = 1.0,
        random_state=None,
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

        Returns
        -------
        text : str
            The ``n_chars`` generated characters (without the prompt).
        """
        check_is_fitted(self, "module_")
        if not isinstance(n_chars, numbers.Integral) or n_chars < 0:
            raise ValueError(f"n_chars must be a non-negative int; got {n_chars!r}.")
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a string; got {type(prompt).__name__}.")
        if not isinstance(temperature, numbers.Real) or not temperature >= 0:
            raise ValueError(f"temperature must be >= 0; got {temperature!r}.")
        rng = check_random_state(random_state)
        alphabet = self.indexer_.get_feature_names_out()
        ids = [self._separator_id()]
        if prompt:
            ids += self.indexer_.transform([prompt])[0].tolist()
        module = self.module_
        module.eval()
        logits, state = module(torch.tensor([ids], device=self.device))
        out = []
        for _ in range(n_chars):
            scores = logits[0, -1].double().cpu().numpy()
            scores[:2] = -np.inf  # never write <pad> or <unk>
            if temperature == 0:
                next_id = int(scores.argmax())
            else:
                probs = softmax(scores / temperature)
                next_id = int(rng.choice(len(probs), p=probs / probs.sum()))
            out.append(alphabet[next_id])
            logits, state = module(torch.tensor([[next_id]], device=self.device), state)
        return "".join(out)

    # -- storage as plain data (see sklearn_rnn.persistence) ---------------------
    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: not our own __dict__
        if "module_" in state:
            state["module_"] = to_arrays(state["module_"].state_dict())
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if "module_" in state:
            with torch.random.fork_rng(devices=[]):  # building draws weights
                module = RecurrentDecoder(**self._module_params)
            module.load_state_dict(to_tensors(state["module_"]))
            self.module_ = module.to(self.device).eval()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.non_deterministic = self.device != "cpu"
        return tags
