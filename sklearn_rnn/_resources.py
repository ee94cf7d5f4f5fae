"""Memory and time of long training runs, and how they show.

:class:`EarlyStoppingPastChance` keeps the best weights in an anonymous
temporary file (:class:`BestWeights`) instead of a second copy in memory,
and prints the row of the epoch it stops at; :class:`ParkedWeights` and
:func:`restored_on_failure` keep on disk the network a refit or a warm
start may go back to; :class:`EpochProgressBar`
shows a bar within an epoch that lasts, and :func:`epoch_listener` hears
of every epoch's end (a comparison shows it); :func:`warn_large_embedding` warns
when the embedding alone is large; :func:`flushing_denormals` keeps the
backward pass through a long document fast; :func:`forward_all` predicts
without fragmenting the heap.
"""

from __future__ import annotations

import copy
import pickle
import tempfile
import warnings
from contextlib import contextmanager
from functools import partial

import torch
import tqdm
from skorch.callbacks import Callback, EarlyStopping, PrintLog, ProgressBar
from torch import nn

from ._params import plain_values
from .nn import PretrainedEmbedding

__all__ = [
    "BestWeights",
    "ParkedWeights",
    "restored_on_failure",
    "ReportEpoch",
    "epoch_listener",
    "EarlyStoppingPastChance",
    "flushing_denormals",
    "forward_all",
    "EpochProgressBar",
    "print_epoch_row",
    "LARGE_EMBEDDING_BYTES",
    "SHRINK_VOCABULARY",
    "SHRINK_TAGGER_VOCABULARY",
    "warn_large_embedding",
]

#: Trainable embedding parameters above this many bytes draw a warning.
LARGE_EMBEDDING_BYTES = 256 * 2**20

#: How to shrink a classifier's large embedding.
SHRINK_VOCABULARY = (
    "Shrink the vocabulary, e.g. VocabularyIndexer(min_freq=2, max_tokens="
    "100_000); if the ids come from VocabularyIndexer(vectors=...), pass the "
    "same vectors to the classifier (vectors=...), which keeps the words unseen "
    "in training out of training."
)

#: ... and a tagger's.
SHRINK_TAGGER_VOCABULARY = (
    "Raise min_freq (e.g. min_freq=2) to read rare words as <unk>; with "
    "vectors=..., only the words seen in training are trained."
)


class BestWeights:
    """A module's best weights so far, kept on disk rather than in memory.

    Each :meth:`save` overwrites an anonymous temporary file (in the
    directory ``tempfile`` picks: ``TMPDIR``, else ``/tmp``); the operating
    system removes it once it is closed, by :meth:`close` or by the end of
    the process, also after a crash. A copy in memory would double the
    memory of a large model for the whole training; writing a small one
    takes milliseconds.
    """

    def __init__(self):
        self._file = None

    @property
    def saved(self) -> bool:
        """Whether weights have been saved and not yet closed."""
        return self._file is not None

    def save(self, module: nn.Module) -> None:
        """Write ``module``'s state dict over the previous one."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="sklearn_rnn_best_")
        self._file.seek(0)
        self._file.truncate()
        torch.save(module.state_dict(), self._file)
        self._file.flush()

    def restore(self, module: nn.Module) -> None:
        """Load the saved weights into ``module``.

        The gradients are dropped first (they belong to other weights, and
        the next training step recomputes them), so that the weights read
        from disk take their place in memory.
        """
        module.zero_grad(set_to_none=True)
        self._file.seek(0)
        state = torch.load(self._file, map_location="cpu", weights_only=True)
        module.load_state_dict(state)

    def close(self) -> None:
        """Delete the file; nothing is saved any more."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __getstate__(self):
        return {"_file": None}  # an open file is not pickled


class ParkedWeights:
    """A net's weights and optimizer state moved to disk, their memory freed.

    While a refit trains a second network, the early-stopped one need not
    stay in memory: its tensors go to an anonymous temporary file and are
    replaced by empty ones (the same parameter objects, so the optimizer
    still refers to them), and :meth:`restore` puts them back if that
    network is the one kept. :meth:`close` deletes the file.
    """

    def __init__(self, net):
        self._file = tempfile.TemporaryFile(prefix="sklearn_rnn_parked_")
        state = {"module": net.module_.state_dict(), "optimizer": None}
        # Plain numbers only (a numpy learning rate, from a user's optimizer
        # class or callback), so that torch.load(weights_only=True) reads it.
        state["optimizer"] = plain_values(net.optimizer_.state_dict())
        torch.save(state, self._file)
        net.module_.zero_grad(set_to_none=True)
        for tensor in net.module_.state_dict(keep_vars=True).values():
            tensor.data = torch.empty(0, dtype=tensor.dtype, device=tensor.device)
        net.optimizer_.state.clear()

    def restore(self, net) -> None:
        """Put the weights and the optimizer state back into ``net``."""
        self._file.seek(0)
        state = torch.load(self._file, map_location=net.device, weights_only=True)
        for name, tensor in net.module_.state_dict(keep_vars=True).items():
            tensor.data = state["module"][name]
        net.optimizer_.load_state_dict(state["optimizer"])

    def close(self) -> None:
        self._file.close()


@contextmanager
def restored_on_failure(owner, name: str):
    """Put ``owner.<name>`` back as it was if the block raises.

    The object is pickled into an anonymous temporary file first (pickle
    streams the arrays of a network stored as plain data, so memory does
    not grow, where a ``copy.deepcopy`` would double a large model) and
    read back only on failure; the file is deleted in any case. An object
    that pickle refuses (a user's callback holding a lambda) is copied in
    memory instead.
    """
    original = getattr(owner, name)
    with tempfile.TemporaryFile(prefix="sklearn_rnn_backup_") as file:
        try:
            pickle.dump(original, file, protocol=pickle.HIGHEST_PROTOCOL)
            copied = None
        except (pickle.PicklingError, AttributeError, TypeError):
            copied = copy.deepcopy(original)
        try:
            yield
        except BaseException:
            if copied is None:
                file.seek(0)
                copied = pickle.load(file)
            setattr(owner, name, copied)
            raise


class EpochProgressBar(ProgressBar):
    """skorch's :class:`~skorch.callbacks.ProgressBar`, for epochs that last.

    The bar of an epoch appears only once it has run ``delay`` seconds, only
    on a terminal (a log file gets no bar), and counts the batches the
    net's own iterators make, so it is right also when a token budget makes
    batches smaller than ``batch_size``.
    """

    def __init__(self, delay: float = 2.0, postfix_keys=None):
        super().__init__(postfix_keys=postfix_keys)
        self.delay = delay

    def _get_batches_per_epoch_phase(self, net, dataset, training):
        if dataset is None:
            return 0
        return len(net.get_iterator(dataset, training=training))

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        total = self._get_batches_per_epoch(net, dataset_train, dataset_valid)
        if self._use_notebook():
            from tqdm.notebook import tqdm as bar
        else:
            bar = partial(tqdm.tqdm, disable=None)  # None: no bar off a terminal
        self.pbar_ = bar(total=total, leave=False, delay=self.delay)


def print_epoch_row(net) -> None:
    """Print the last epoch's row through the net's PrintLog (when verbose).

    skorch runs PrintLog after every other callback, so a callback that
    stops training at the end of an epoch calls this first, or that epoch's
    row is never printed.
    """
    for _, callback in net.callbacks_:
        if isinstance(callback, PrintLog):
            callback.on_epoch_end(net)


class EarlyStoppingPastChance(EarlyStopping):
    """Early stopping on ``valid_acc`` whose patience starts past chance.

    While the best validation accuracy so far is at most ``chance``, epochs
    without improvement are not counted: a network sitting on the plateau
    that often comes before learning (the loss flat, the accuracy that of
    guessing) is not stopped there, only by ``max_epochs``. On real text the
    first epoch is usually past chance already, and nothing changes.

    The best weights are kept in a temporary file (:class:`BestWeights`),
    not in memory, and restored at the end of training; the file is deleted
    then, or by :meth:`release` when training fails. The epoch that stops
    training still gets its row printed when the net is verbose.
    """

    def __init__(self, *, chance: float | None = None, **kwargs):
        super().__init__(monitor="valid_acc", lower_is_better=False, **kwargs)
        self.chance = chance

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.release()
        self.best_weights_ = BestWeights()

    def on_epoch_end(self, net, **kwargs):
        if self.chance is not None and max(net.history[:, "valid_acc"]) <= self.chance:
            self.misses_ = -1  # a miss now counts as none
        score = net.history[-1, self.monitor]
        if not self._is_score_improved(score):
            self.misses_ += 1
        else:
            self.misses_ = 0
            self.dynamic_threshold_ = self._calc_new_threshold(score)
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.load_best:
                self.best_weights_.save(net.module_)
        if self.misses_ == self.patience:
            print_epoch_row(net)
            self._sink(
                f"Stopping since {self.monitor} has not improved in the last "
                f"{self.patience} epochs.",
                verbose=net.verbose,
            )
            raise KeyboardInterrupt

    def on_train_end(self, net, **kwargs):
        if self.best_epoch_ != net.history[-1, "epoch"] and self.best_weights_.saved:
            self.best_weights_.restore(net.module_)
            self._sink(
                f"Restoring best model from epoch {self.best_epoch_}.",
                verbose=net.verbose,
            )
        self.release()

    def release(self) -> None:
        """Delete the file of the best weights, if any."""
        best = getattr(self, "best_weights_", None)
        if best is not None:
            best.close()


#: Called with the epoch number at the end of every epoch (see
#: :func:`epoch_listener`); None when nobody listens.
_EPOCH_LISTENER = None


@contextmanager
def epoch_listener(listener):
    """Call ``listener(epoch)`` after every epoch of the nets trained inside.

    A comparison uses it to show which epoch the running fit is in; fits in
    other processes do not report. ``None`` listens to nothing.
    """
    global _EPOCH_LISTENER
    before, _EPOCH_LISTENER = _EPOCH_LISTENER, listener
    try:
        yield
    finally:
        _EPOCH_LISTENER = before


class ReportEpoch(Callback):
    """Tell the :func:`epoch_listener` of the end of each epoch."""

    def on_epoch_end(self, net, **kwargs):
        if _EPOCH_LISTENER is not None:
            _EPOCH_LISTENER(len(net.history))


def _trainable_embedding_bytes(module: nn.Module) -> tuple[int, int, int]:
    """Rows, columns and bytes of the trainable embedding weights of ``module``."""
    rows = cols = size = 0
    for sub in module.modules():
        if isinstance(sub, PretrainedEmbedding):
            weights = [sub.learned.weight, sub.tuned]
        elif isinstance(sub, nn.Embedding):
            weights = [sub.weight]
        else:
            continue
        for weight in weights:
            if weight.requires_grad:
                rows += weight.shape[0]
                cols = max(cols, weight.shape[1])
                size += weight.numel() * weight.element_size()
    return rows, cols, size


def warn_large_embedding(module: nn.Module, advice: str, stacklevel: int = 2) -> None:
    """Warn when the trainable embeddings of ``module`` pass
    :data:`LARGE_EMBEDDING_BYTES`; ``advice`` says how to shrink them."""
    rows, cols, size = _trainable_embedding_bytes(module)
    if size <= LARGE_EMBEDDING_BYTES:
        return
    warnings.warn(
        f"The embedding has {rows:,} trainable rows of {cols} ({size / 2**20:,.0f} "
        "MB of parameters); training holds about four times that (gradients "
        f"and Adam's two moments) and updates all of it at every batch. "
        f"{advice}",
        UserWarning,
        stacklevel=stacklevel + 1,
    )


def _flushes_denormals() -> bool:
    """Whether this thread's CPU flushes denormal floats to zero now."""
    return float(torch.tensor([1e-40]) * 1.0) == 0.0


@contextmanager
def flushing_denormals():
    """Flush denormal floats to zero on the CPU inside, as before outside.

    Backpropagating through thousands of steps makes gradients vanish
    through the denormal range (below 1.2e-38), where CPU arithmetic is
    many times slower: measured on one 16,384-token document, the default
    LSTM's forward and backward took 1.98 s, and 0.24 s with denormals
    flushed to zero (which changes no result that matters: such values are
    far below float32's precision of anything they are added to).
    """
    before = _flushes_denormals()
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(before)


def forward_all(net, dataset) -> torch.Tensor:
    """``net.forward(dataset)`` in evaluation mode, on the CPU, written batch
    by batch into one tensor allocated once.

    skorch's ``forward`` keeps every batch's small output until it joins
    them; allocated between each batch's large transient tensors, they
    fragment glibc's heap so that the memory of the process grows with the
    number of batches: predicting 32,000 documents of 100 tokens raised the
    RSS by 460 MB that way, by 3 MB this way.
    """
    out, at = None, 0
    for logits in net.forward_iter(dataset, training=False, device="cpu"):
        if out is None:
            out = torch.empty((len(dataset), *logits.shape[1:]), dtype=logits.dtype)
        out[at : at + len(logits)] = logits
        at += len(logits)
    return out
