"""Training pieces shared by every estimator that trains a network.

Optimizer names, the validation-accuracy callback and the standard callback
list (gradient clipping, a progress bar when verbose, early stopping with
the best weights restored from disk, the user's own callbacks), the seeded
training and the refit on all the data, so each estimator states only what
is its own. The checks of the device and of the loss are in ``_guards.py``,
the character generator's own loop in ``_tbptt.py``.
"""

from __future__ import annotations

import copy
import functools
import numbers
import warnings
from contextlib import ExitStack

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet, NeuralNetClassifier
from skorch.callbacks import Callback, GradientNormClipping
from skorch.dataset import unpack_data
from skorch.helper import predefined_split
from skorch.utils import to_tensor
from torch.nn import functional as F

from ._data import IGNORE_INDEX, SequenceDataset, cut_batches
from ._guards import StopOnNonFiniteLoss
from ._resources import (
    EarlyStoppingPastChance,
    EpochProgressBar,
    ParkedWeights,
    ReportEpoch,
    flushing_denormals,
    forward_all,
    warn_large_embedding,
)
from ._validation import check_has_tokens
from .persistence import PlainStateMixin, print_as_name, print_by_name

__all__ = [
    "OPTIMIZERS",
    "NETWORK_CONSTRAINTS",
    "SKORCH_CONSTRAINTS",
    "ValidAccuracy",
    "get_optimizer",
    "optimizer_options",
    "make_optimizer",
    "LR_DECAY_CONSTRAINT",
    "decay_learning_rate",
    "skorch_optimizer",
    "class_weights",
    "training_callbacks",
    "chance_accuracy",
    "draw_seed",
    "train_net",
    "refit_net",
    "WeightedNetClassifier",
    "PlainNet",
    "RefitWarning",
    "early_stopping_split",
    "FittedNetMixin",
    "continue_training",
]

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}


_POSITIVE_INT = Interval(numbers.Integral, 1, None, closed="left")

#: ``_parameter_constraints`` of the parameters every recurrent estimator has.
NETWORK_CONSTRAINTS: dict = {
    "cell": [StrOptions({"lstm", "gru", "rnn"})],
    "embedding_dim": [_POSITIVE_INT],
    "hidden_size": [_POSITIVE_INT],
    "num_layers": [_POSITIVE_INT],
    "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
    "max_epochs": [_POSITIVE_INT],
    "batch_size": [_POSITIVE_INT],
    "lr": [Interval(numbers.Real, 0, None, closed="neither")],
    "optimizer": [StrOptions(set(OPTIMIZERS)), type],
    "clip_grad_norm": [Interval(numbers.Real, 0, None, closed="neither"), None],
    "early_stopping": ["boolean"],
    "patience": [_POSITIVE_INT],
    "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
    "device": [str, torch.device],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}

#: ... and of those of the estimators trained through skorch.
SKORCH_CONSTRAINTS: dict = {
    "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
    "bucketing": ["boolean"],
    "max_batch_tokens": [_POSITIVE_INT, None],
    "callbacks": [list, None],
}


def get_optimizer(optimizer) -> type:
    """The optimizer class for a name of :data:`OPTIMIZERS`, or the class given."""
    return OPTIMIZERS[optimizer] if isinstance(optimizer, str) else optimizer


#: The optimizer names given ``fused=True`` where the device supports it: one
#: kernel per step over every parameter. On the word language model of 40,000
#: words, one CPU thread, torch 2.13, Adam's step took 106 ms unfused (its
#: ``foreach`` default) against 15 ms fused, and the whole training step
#: 285 ms against 199 ms (``benchmarks/bench_training.py``).
FUSED = frozenset({"adam", "adamw"})


@functools.cache
def _fuses(optimizer_cls: type, device_type: str) -> bool:
    """Whether ``optimizer_cls(..., fused=True)`` accepts parameters on
    ``device_type`` (the CPU from torch 2.4; CUDA earlier)."""
    try:
        probe = torch.zeros(1, device=device_type, requires_grad=True)
        optimizer_cls([probe], fused=True)
    except (RuntimeError, TypeError, ValueError, AssertionError):
        return False
    return True


def optimizer_options(optimizer, device) -> dict:
    """Keyword arguments the estimators give the optimizer's constructor
    beyond ``lr``: ``fused=True`` for a name of :data:`FUSED` on a device
    whose torch fuses it (the same update as the unfused loop, in one
    kernel), nothing for the others or for an optimizer class the user
    gave, which is built as given."""
    if not isinstance(optimizer, str) or optimizer not in FUSED:
        return {}
    fused = _fuses(OPTIMIZERS[optimizer], torch.device(device).type)
    return {"fused": True} if fused else {}


def skorch_optimizer(optimizer, device) -> dict:
    """``optimizer`` as skorch's ``optimizer`` parameter and its
    :func:`optimizer_options` as ``optimizer__`` parameters."""
    options = optimizer_options(optimizer, device)
    return {
        "optimizer": get_optimizer(optimizer),
        **{f"optimizer__{name}": value for name, value in options.items()},
    }


def make_optimizer(optimizer, params, lr: float, device) -> torch.optim.Optimizer:
    """The optimizer of a hand-written training loop over ``params`` on
    ``device`` (the skorch-trained estimators take :func:`skorch_optimizer`
    instead)."""
    return get_optimizer(optimizer)(
        params, lr=lr, **optimizer_options(optimizer, device)
    )


#: The rule of every ``lr_decay`` parameter: a factor in (0, 1], 1 a constant rate.
LR_DECAY_CONSTRAINT = [Interval(numbers.Real, 0, 1, closed="right")]


def decay_learning_rate(optimizer: torch.optim.Optimizer, factor: float) -> None:
    """Multiply every learning rate of ``optimizer`` by ``factor``: the step
    of the hand-written loops' decay after an epoch that did not improve the
    validation measure."""
    for group in optimizer.param_groups:
        group["lr"] *= factor


class ValidAccuracy(Callback):
    """Record ``valid_acc`` from the validation batches' outputs.

    Works for one label per document (logits ``(batch, n_classes)``) and one
    per token (logits ``(batch, time, n_classes)``, padded targets holding
    ``IGNORE_INDEX``). It replaces skorch's default ``valid_acc`` scorer,
    which would predict the validation set a second time.
    """

    def on_epoch_begin(self, net, **kwargs):
        self.correct_, self.seen_ = 0, 0

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if training or y_pred is None:
            return
        targets = batch[1].to(y_pred.device)
        real = targets != IGNORE_INDEX
        self.correct_ += int(((y_pred.argmax(dim=-1) == targets) & real).sum())
        self.seen_ += int(real.sum())

    def on_epoch_end(self, net, **kwargs):
        if self.seen_:
            net.history.record("valid_acc", self.correct_ / self.seen_)


def class_weights(class_weight, classes: np.ndarray, y_encoded: np.ndarray):
    """The loss weights of ``classes`` for a ``class_weight`` parameter
    (None, "balanced" or a dict from class to weight), as a tensor or None."""
    if class_weight is None:
        return None
    if isinstance(class_weight, dict):
        unknown = set(class_weight) - set(classes.tolist())
        if unknown:
            raise ValueError(
                f"class_weight names classes not in y: {sorted(unknown, key=str)}."
            )
        weights = np.array([class_weight.get(c, 1.0) for c in classes.tolist()])
    else:
        weights = compute_class_weight(
            "balanced", classes=np.arange(len(classes)), y=y_encoded
        )
    return torch.tensor(weights, dtype=torch.float32)


def chance_accuracy(labels) -> float | None:
    """The accuracy that guessing reaches on ``labels``, with a margin.

    The share of the most frequent label plus three binomial standard
    errors: a validation accuracy above it is unlikely to be luck. None when
    that is 1 or more (too few labels to tell learning from luck).
    """
    counts = np.unique(np.asarray(labels), return_counts=True)[1]
    n = counts.sum()
    share = counts.max() / n
    chance = float(share + 3 * np.sqrt(share * (1 - share) / n))
    return chance if chance < 1 else None


def training_callbacks(
    clip_grad_norm: float | None,
    early_stopping: bool,
    patience: int,
    user_callbacks: list | None,
    chance: float | None = None,
    verbose: int = 0,
) -> list:
    """Named skorch callbacks: clipping, a progress bar when ``verbose``,
    early stopping on ``valid_acc``, extras.

    ``chance`` is the validation accuracy below which early stopping's
    patience does not count (see :class:`EarlyStoppingPastChance`). The
    user's callbacks are deep-copied, so fitting never changes them.
    """
    callbacks = [
        ("stop_on_non_finite_loss", StopOnNonFiniteLoss()),
        ("report_epoch", ReportEpoch()),
    ]
    if clip_grad_norm is not None:
        callbacks.append(("clip_grad_norm", GradientNormClipping(clip_grad_norm)))
    if verbose:
        callbacks.append(("progress_bar", EpochProgressBar()))
    if early_stopping:
        stopper = EarlyStoppingPastChance(
            patience=patience, load_best=True, chance=chance
        )
        callbacks.append(("early_stopping", stopper))
    return callbacks + copy.deepcopy(list(user_callbacks or []))


def early_stopping_split(
    sequences: list,
    targets,
    fraction: float,
    seed: int,
    *,
    classes=None,
    what: str = "documents",
    weights: np.ndarray | None = None,
):
    """Training dataset and length-sorted validation dataset for early stopping.

    ``targets[i]`` belongs to ``sequences[i]``. With ``classes`` (one class id
    per sequence) the split is stratified when every class can be on both
    sides. The validation set is sorted by length, so its batches carry
    little padding. ``what`` names the items in the error raised when the
    split would leave either side empty. ``weights`` (one per sequence) go
    along with their sequences.
    """
    n = len(sequences)
    n_valid = int(np.ceil(fraction * n))
    if n_valid < 1 or n - n_valid < 1:
        raise ValueError(
            f"early_stopping needs a validation split, but {n} {what} with "
            f"validation_fraction={fraction} leave none; pass more data or "
            "early_stopping=False."
        )
    stratify = None
    if classes is not None:
        counts = np.bincount(classes)
        if counts.min() >= 2 and n_valid >= len(counts):
            stratify = classes
    train_idx, valid_idx = train_test_split(
        np.arange(n), test_size=n_valid, stratify=stratify, random_state=seed
    )
    valid_idx = valid_idx[
        np.argsort([len(sequences[i]) for i in valid_idx], kind="stable")
    ]

    def subset(indices):
        return SequenceDataset(
            [sequences[i] for i in indices],
            [targets[i] for i in indices],
            None if weights is None else weights[indices],
        )

    return subset(train_idx), subset(valid_idx)


def draw_seed(random_state) -> int:
    """The one integer seed of a fit, drawn from ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def train_net(build, train, valid, seed: int, *, embedding_advice: str | None = None):
    """Build (or take) a skorch net and train it, seeded, on ``train``.

    ``build()`` returns the net; it runs inside the seeded random state, so
    the weight initialisation follows ``seed`` too, and PyTorch's global
    random state is left as it was. ``valid`` (or None) is the early-stopping
    set; it is dropped from the fitted net so that pickles stay small. A net
    that is initialised already (one filled with pretrained vectors, or one
    trained before and continued with ``warm_start``) trains further with
    ``partial_fit``, which keeps its weights. With ``embedding_advice``, a
    large embedding draws :func:`warn_large_embedding`'s warning with it.
    Early stopping's file of best weights is deleted also when training
    fails. Training flushes denormal floats to zero
    (:func:`flushing_denormals`).
    """
    check_has_tokens(train.lengths, "training documents")
    with torch.random.fork_rng(devices=[]), ExitStack() as cleanup:
        cleanup.enter_context(flushing_denormals())
        torch.manual_seed(seed)
        net = build()
        if embedding_advice is not None:
            warn_large_embedding(net.module_, embedding_advice, stacklevel=4)
        net.train_split = predefined_split(valid) if valid is not None else None
        for _, callback in net.callbacks_:
            if isinstance(callback, EarlyStoppingPastChance):
                cleanup.callback(callback.release)
        (net.partial_fit if net.initialized_ else net.fit)(train, None)
    net.train_split = None
    return net


def best_epoch(net) -> int:
    """The epoch early stopping kept, or the last one without it."""
    stopper = dict(net.callbacks_).get("early_stopping")
    return int(stopper.best_epoch_) if stopper is not None else len(net.history)


def mean_loss(net, dataset) -> float:
    """The net's loss over ``dataset`` in evaluation mode (no dropout),
    weighted by the dataset's sample weights when it has them."""
    logits = forward_all(net, dataset).to(net.device)
    targets = torch.as_tensor(np.asarray(dataset.y), device=logits.device)
    features = None
    if dataset.weights is not None:
        weights = torch.as_tensor(dataset.weights, dtype=torch.float32)
        features = {"sample_weight": weights.to(logits.device)}
    return float(net.get_loss(logits, targets, X=features, training=False))


class PlainNet(PlainStateMixin, NeuralNet):
    """skorch's network, stored as plain data (see :class:`PlainStateMixin`)."""


class WeightedNetClassifier(PlainStateMixin, NeuralNetClassifier):
    """skorch's classifier, with per-document weights in the loss.

    Batches whose features hold ``"sample_weight"`` (see
    :func:`~sklearn_rnn._data.collate_sequences`) weight each document's
    cross-entropy by it; the module never sees the weights. The loss is
    ``sum(w_i * c_i * l_i) / sum(c_i)`` with ``c_i`` the class weight of
    document ``i`` (1 without class weights): with all ``w_i = 1`` it is
    PyTorch's own (class-weighted) mean, and a weight of 2 counts a document
    as two. It is stored as plain data (see :class:`PlainStateMixin`).

    The training loader's token budget (``iterator_train__max_tokens``)
    bounds what one forward and backward pass holds, not what one optimizer
    step learns from: training batches hold ``batch_size`` documents, and a
    batch above the budget is run in pieces within it (its documents by
    length), each piece's loss scaled by its share of the batch's, so that
    the gradients add up to the whole batch's before the one step, and the
    budget changes the memory of a step, not the training. (With small
    batches of long documents, each a full step, the default LSTM scored
    0.839 / 0.835 on a split of long reviews, seeds 0 / 1, and 0.860 / 0.838
    without the budget: ``benchmarks/study_long_reviews.py``.)
    """

    def get_iterator(self, dataset, training=False):
        if not training:
            return super().get_iterator(dataset, training=training)
        params = self.get_params_for("iterator_train")
        params.pop("max_tokens", None)  # bounds the pieces: train_step_single
        params.setdefault("batch_size", self.batch_size)
        return self.iterator_train(dataset, **params)

    def train_step_single(self, batch, **fit_params):
        budget = self.get_params_for("iterator_train").get("max_tokens")
        features, targets = unpack_data(batch)
        lengths = features["lengths"].numpy()
        if budget is None or len(lengths) * max(lengths.max(), 1) <= budget:
            return super().train_step_single(batch, **fit_params)
        self._set_training(True)
        order = np.argsort(lengths, kind="stable")
        weight = self.criterion_.weight
        norms = torch.ones(len(lengths)) if weight is None else weight.cpu()[targets]
        total, scores = 0.0, [None] * len(lengths)
        for piece in cut_batches(order, lengths, len(lengths), budget):
            rows = torch.from_numpy(piece)
            width = max(int(lengths[piece].max()), 1)
            part = {k: v[rows] for k, v in features.items()}
            part["tokens"] = part["tokens"][:, :width]
            y_pred = self.infer(part, **fit_params)
            loss = self.get_loss(y_pred, targets[rows], X=part, training=True)
            loss = loss * (norms[rows].sum() / norms.sum()).to(loss.device)
            loss.backward()
            total = total + loss.detach()
            for i, row in enumerate(piece):
                scores[row] = y_pred[i].detach()
        return {"loss": total, "y_pred": torch.stack(scores)}

    def infer(self, x, **fit_params):
        if isinstance(x, dict) and "sample_weight" in x:
            x = {k: v for k, v in x.items() if k != "sample_weight"}
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if not (isinstance(X, dict) and "sample_weight" in X):
            return super().get_loss(y_pred, y_true, X=X, training=training)
        y_true = to_tensor(y_true, device=y_pred.device)
        weights = to_tensor(X["sample_weight"], device=y_pred.device)
        class_weight = self.criterion_.weight
        losses = F.cross_entropy(y_pred, y_true, weight=class_weight, reduction="none")
        norm = len(y_true) if class_weight is None else class_weight[y_true].sum()
        return (weights * losses).sum() / norm


class RefitWarning(UserWarning):
    """The network retrained on all the data fits it worse than the
    early-stopped one, which is kept instead."""


def refit_net(build, search, data, seed: int, max_epochs: int):
    """Retrain on all of ``data`` for the epochs early stopping picked.

    ``search`` is the early-stopped net, ``build(epochs)`` a fresh net that
    trains that many epochs. The new net is kept only when its mean loss on
    ``data`` (evaluation mode) is at most that of ``search``: a net that
    fits all the training data worse than the one trained on part of it has
    not learned what ``search`` learned (it can sit longer on a plateau, for
    instance). It then trains on one epoch at a time up to ``max_epochs``;
    if it still falls short, ``search`` is returned, with a
    :class:`RefitWarning`.
    """
    epochs = best_epoch(search)
    target = mean_loss(search, data)
    parked = ParkedWeights(search)  # one network in memory, not two
    try:
        net = train_net(lambda: build(epochs), data, None, seed)
        loss = mean_loss(net, data)
        while loss > target:
            if len(net.history) >= max_epochs:
                warnings.warn(
                    f"The network retrained on all the training data reached a "
                    f"mean loss of {loss:.4g} after {len(net.history)} epochs, "
                    f"above the {target:.4g} of the early-stopped network (best "
                    f"epoch {epochs}); the early-stopped network is kept. Raise "
                    "max_epochs, or pass refit=False to skip the refit.",
                    RefitWarning,
                    stacklevel=3,
                )
                del net  # before the early-stopped weights come back
                parked.restore(search)
                return search
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed + len(net.history))
                net.partial_fit(data, None, epochs=1)
            loss = mean_loss(net, data)
        return net
    finally:
        parked.close()


def continue_training(net, seed: int, *, lr, embedding_lr, weight_decay, **params):
    """Make a trained skorch net follow today's training parameters.

    A warm start trains ``net`` further: its optimizer keeps its state, but
    takes ``lr`` (``embedding_lr`` for the embedding's own parameter group,
    the first when there are several) and ``weight_decay``; a group that
    holds an ``lr_scale`` (a rate per layer, see
    :func:`~sklearn_rnn._pretraining.discriminative_groups`) takes that
    share of its base rate, so the groups keep their relative rates.
    ``params`` holds ``max_epochs``, ``batch_size`` and ``max_tokens`` (the
    batches' token budget); the batch order follows ``seed``. They are set as plain
    attributes, since skorch's ``set_params`` would re-initialise the module.
    """
    net.iterator_train__generator = np.random.default_rng(seed)
    net.iterator_train__max_tokens = params["max_tokens"]
    net.iterator_valid__max_tokens = params["max_tokens"]
    net.max_epochs, net.batch_size, net.lr = (
        params["max_epochs"],
        params["batch_size"],
        lr,
    )
    groups = net.optimizer_.param_groups
    for i, group in enumerate(groups):
        base = embedding_lr if i == 0 and len(groups) > 1 else lr
        group["lr"] = base * group.get("lr_scale", 1.0)
        group["weight_decay"] = weight_decay


class FittedNetMixin:
    """Fitted attributes of an estimator that holds a trained skorch net.

    Pickles and skops files hold the ``sink=print`` of the user's callbacks
    as a name (see :func:`~sklearn_rnn.persistence.print_as_name`).
    """

    def _set_net(self, net, search=None) -> None:
        """Keep ``net``; ``search`` is the early-stopping run that picked its
        number of epochs, when a refit on all the data was tried (``net`` is
        ``search`` itself when the refit was not kept)."""
        record = net if search is None else search
        self.net_ = net
        self.n_epochs_ = len(net.history)
        self.best_epoch_ = best_epoch(record)
        self.refitted_ = net is not record
        has_stopper = "early_stopping" in dict(record.callbacks_)
        self.validation_history_ = record.history if has_stopper else None

    @property
    def history_(self):
        """The skorch history (one row per epoch) of the network kept."""
        check_is_fitted(self, "net_")
        return self.net_.history

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: not our own __dict__
        state["callbacks"] = print_as_name(state.get("callbacks"))
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        print_by_name(self.callbacks)
