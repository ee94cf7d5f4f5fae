"""What the recurrent language models share: fit, score and sample.

:class:`~sklearn_rnn.generator.CharRNNGenerator` (characters) and
:class:`~sklearn_rnn.language_model.RNNLanguageModel` (words) are one
family. Both read every training document as ``boundary + ids + boundary``
from a fresh state, train it by truncated backpropagation through time
(:func:`~sklearn_rnn._tbptt.train_tbptt_epoch`) over streams laid out by
:func:`~sklearn_rnn._data.lay_out_streams`, stop early on the validation
log-likelihood, score the same way they train, and sample one id at a
time. They differ in how text becomes ids, in their defaults and in their
softmax; :class:`_RecurrentLanguageModelBase` holds the rest.

A model may be conditioned on a label per document (the character
generator's ``fit(texts, y)``): the label then goes with every chunk of its
document, and a document starts from the state its label gives.
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
from skorch.history import History

from ._data import lay_out_streams, split_into_streams
from ._guards import check_device
from ._resources import BestWeights
from ._tbptt import cross_entropy, train_tbptt_epoch
from ._training import (
    LR_DECAY_CONSTRAINT,
    NETWORK_CONSTRAINTS,
    decay_learning_rate,
    draw_seed,
    make_optimizer,
)
from .persistence import PlainModuleMixin

__all__ = ["EVAL_CHUNK", "_RecurrentLanguageModelBase"]

#: Scoring runs long texts through the network this many steps at a time,
#: carrying the state, so memory does not grow with the text length.
EVAL_CHUNK = 512


class _RecurrentLanguageModelBase(PlainModuleMixin, BaseEstimator):
    """Fit, score and sample for a recurrent language model over ids.

    A subclass says how documents become ids and which network it trains:

    - ``_fit_vocabulary(docs)`` learns ``indexer_``;
    - ``_encode(docs)`` gives each document's ids, ``boundary + ids +
      boundary``;
    - ``_boundary_id()`` is the id that starts (and ends) a document;
    - ``_network_params()`` gives the network's parameters (kept as
      ``_module_params``) and ``_build_network(params)`` builds it, also
      when a pickle is loaded;
    - ``_init_network(module)`` may set up a new network before training;
    - ``_outputs_log_probs(outputs, targets)`` and ``_next_scores(outputs)``
      read the network's outputs (logits by default), and ``_criterion``
      is the training loss of a chunk (cross-entropy of logits by default).

    Parameters every subclass has are validated here (``bptt_steps``,
    ``min_freq``, ``lr_decay`` and the network parameters).
    """

    _parameter_constraints: dict = {
        "bptt_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "min_freq": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_train_tokens": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "lr_decay": LR_DECAY_CONSTRAINT,
        **NETWORK_CONSTRAINTS,
    }

    #: The unit of a document, in messages ("character", "token").
    _unit = "token"

    # -- hooks with defaults: a network that returns logits ----------------------
    def _init_network(self, module) -> None:
        """Set up a newly built network before training (pretrained rows)."""

    def _criterion(self, module):
        return cross_entropy

    def _outputs_log_probs(
        self, outputs: torch.Tensor, targets: torch.Tensor
    ) -> torch.Tensor:
        """Log-probability ``(batch, time)`` of each target, in float64."""
        logp = torch.log_softmax(outputs.double(), dim=-1)
        return logp.gather(2, targets[..., None])[..., 0]

    def _next_scores(self, outputs: torch.Tensor) -> np.ndarray:
        """Scores (logits or log-probabilities) of the id after the last
        step of the first row, as float64."""
        return outputs[0, -1].double().cpu().numpy()

    def _forward(self, module, tokens: torch.Tensor, state, labels=None):
        """The network's outputs and new state, with labels when it has them."""
        if labels is None:
            return module(tokens, state)
        return module(tokens, labels=labels, state=state)

    # -- fit -------------------------------------------------------------------
    def _fit_documents(self, docs: list, labels: np.ndarray | None = None):
        """Train on ``docs`` (each as :meth:`_encode` reads it), with one label
        id per document or None. Returns ``self``."""
        check_device(self.device)
        seed = draw_seed(self.random_state)
        rng = np.random.default_rng(seed)
        valid_docs = valid_labels = None
        if self.early_stopping:
            n_valid = int(np.ceil(self.validation_fraction * len(docs)))
            if len(docs) - n_valid < 1:
                raise ValueError(
                    f"early_stopping needs a validation split, but {len(docs)} "
                    f"document(s) with validation_fraction="
                    f"{self.validation_fraction} leave none for training; pass "
                    "more documents or early_stopping=False."
                )
            if labels is None:
                docs, valid_docs = train_test_split(
                    docs, test_size=n_valid, random_state=seed
                )
            else:
                docs, valid_docs, labels, valid_labels = train_test_split(
                    docs, labels, test_size=n_valid, random_state=seed
                )
        self._fit_vocabulary(docs)
        pieces, n_streams, owners = split_into_streams(
            self._encode(docs), self.batch_size, self.bptt_steps
        )
        piece_labels = None if labels is None else labels[owners]
        valid_ids = self._encode(valid_docs) if valid_docs is not None else None

        with torch.random.fork_rng(devices=[]), closing(BestWeights()) as best:
            torch.manual_seed(seed)
            self._module_params = self._network_params()
            module = self._build_network(self._module_params)
            self._init_network(module)
            module = module.to(self.device)
            optimizer = make_optimizer(
                self.optimizer, module.parameters(), self.lr, self.device
            )
            self.module_ = module
            self.history_ = History()
            criterion = self._criterion(module)
            best_loss, best_epoch, n_read = math.inf, 0, 0
            budget = self.max_train_tokens
            for epoch in range(1, self.max_epochs + 1):
                start = time.perf_counter()
                inputs, targets, starts, chunk_labels = lay_out_streams(
                    pieces, n_streams, self.bptt_steps, rng, piece_labels
                )
                train_loss, n_epoch = train_tbptt_epoch(
                    module,
                    optimizer,
                    inputs,
                    targets,
                    starts,
                    self.bptt_steps,
                    self.clip_grad_norm,
                    self.device,
                    epoch=epoch,
                    labels=chunk_labels,
                    criterion=criterion,
                    max_targets=None if budget is None else budget - n_read,
                )
                n_read += n_epoch
                self.history_.new_epoch()
                self.history_.record("epoch", epoch)
                self.history_.record("train_loss", train_loss)
                self.history_.record("train_tokens", n_read)
                self.history_.record("lr", optimizer.param_groups[0]["lr"])
                if valid_ids is not None:
                    loglik, n_scored = self._log_likelihood(valid_ids, valid_labels)
                    valid_loss = -loglik / n_scored
                    self.history_.record("valid_loss", valid_loss)
                    if valid_loss < best_loss:
                        best_loss, best_epoch = valid_loss, epoch
                        best.save(module)  # on disk: no second copy in memory
                    else:
                        decay_learning_rate(optimizer, self.lr_decay)
                self.history_.record("dur", time.perf_counter() - start)
                if self.verbose:
                    self._print_epoch()
                if valid_ids is not None and epoch - best_epoch >= self.patience:
                    break
                if budget is not None and n_read >= budget:
                    break
            if best.saved:
                best.restore(module)
        module.eval()
        self.n_epochs_ = len(self.history_)
        self.best_epoch_ = best_epoch if valid_ids is not None else self.n_epochs_
        return self

    def _print_epoch(self) -> None:
        row = self.history_[-1]
        valid = f"  valid_loss {row['valid_loss']:.4f}" if "valid_loss" in row else ""
        print(
            f"epoch {row['epoch']:3d}  train_loss {row['train_loss']:.4f}{valid}"
            f"  dur {row['dur']:.1f} s",
            flush=True,
        )

    # -- scoring -----------------------------------------------------------------
    @torch.no_grad()
    def _log_likelihood(
        self, sequences: list[np.ndarray], labels: np.ndarray | None = None
    ) -> tuple[float, int]:
        """Total log-likelihood of each sequence's ids after its first, and
        the number of ids scored.

        Sequences are scored in batches of similar length from a fresh state
        (zeros, or their label's); right padding never changes a result,
        since the network reads left to right and padded targets are masked.
        """
        module = self.module_
        was_training = module.training
        module.eval()
        if labels is not None:
            labels = np.asarray(labels, dtype=np.int64)
        order = np.argsort([len(s) for s in sequences], kind="stable")
        total, n_scored = 0.0, 0
        for begin in range(0, len(order), self.batch_size):
            members = order[begin : begin + self.batch_size]
            batch = [sequences[i] for i in members]
            width = max(len(s) for s in batch)
            ids = torch.zeros((len(batch), width), dtype=torch.int64)
            for i, seq in enumerate(batch):
                ids[i, : len(seq)] = torch.from_numpy(seq)
            ids = ids.to(self.device)
            label = None
            if labels is not None:
                label = torch.as_tensor(labels[members], device=self.device)
            inputs, targets = ids[:, :-1], ids[:, 1:]
            state = None
            for start in range(0, width - 1, EVAL_CHUNK):
                stop = start + EVAL_CHUNK
                outputs, state = self._forward(
                    module, inputs[:, start:stop], state, label
                )
                target = targets[:, start:stop]
                picked = self._outputs_log_probs(outputs, target)
                mask = target != 0
                total += float(picked[mask].sum())
                n_scored += int(mask.sum())
        module.train(was_training)
        return total, n_scored

    # -- sampling ----------------------------------------------------------------
    @staticmethod
    def _check_sampling(n: int, name: str, temperature) -> None:
        if not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"{name} must be a non-negative int; got {n!r}.")
        if not isinstance(temperature, numbers.Real) or not temperature >= 0:
            raise ValueError(f"temperature must be >= 0; got {temperature!r}.")

    @torch.no_grad()
    def _sample_ids(
        self,
        prompt_ids: list[int],
        n: int,
        temperature: float,
        random_state,
        label: int | None = None,
        restart_at_boundary: bool = False,
    ) -> list[int]:
        """``n`` ids drawn one at a time after ``boundary + prompt_ids``.

        ``<pad>`` and ``<unk>`` are never drawn; temperature 0 takes the
        most likely id. With ``restart_at_boundary`` a drawn boundary ends
        the document and the next one starts from a fresh state, as every
        training document does.
        """
        rng = check_random_state(random_state)
        module = self.module_
        module.eval()
        labels = None
        if label is not None:
            labels = torch.tensor([label], device=self.device)
        boundary = self._boundary_id()

        def start(ids):
            tokens = torch.tensor([ids], device=self.device)
            return self._forward(module, tokens, None, labels)

        outputs, state = start([boundary, *prompt_ids])
        out = []
        for _ in range(n):
            scores = self._next_scores(outputs)
            scores[:2] = -np.inf  # never write <pad> or <unk>
            if temperature == 0:
                next_id = int(scores.argmax())
            else:
                probs = softmax(scores / temperature)
                next_id = int(rng.choice(len(probs), p=probs / probs.sum()))
            out.append(next_id)
            if restart_at_boundary and next_id == boundary:
                outputs, state = start([boundary])
                continue
            tokens = torch.tensor([[next_id]], device=self.device)
            outputs, state = self._forward(module, tokens, state, labels)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.non_deterministic = self.device != "cpu"
        return tags
