"""Truncated backpropagation through time: one epoch over laid-out streams.

The language models (characters and words) train on long streams cut into
chunks of ``bptt_steps``; the recurrent state is carried from chunk to
chunk and detached between them, and reset where a stream starts a new
text: to zeros, or to the state its label gives. skorch treats batches as
independent, so the language models run this loop themselves.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ._guards import check_finite_loss

__all__ = ["train_tbptt_epoch", "cross_entropy"]


def _detach(state):
    """Cut the graph behind the recurrent state, keeping its values."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def _reset(state, keep: torch.Tensor, initial=None):
    """The state of the batch rows where ``keep`` is False set to
    ``initial`` (zeros when None)."""
    if isinstance(state, tuple):
        if initial is None:
            return tuple(_reset(s, keep) for s in state)
        return tuple(_reset(s, keep, i) for s, i in zip(state, initial))
    kept = state * keep[None, :, None].to(state.dtype)
    if initial is None:
        return kept
    return kept + initial * (~keep)[None, :, None].to(state.dtype)


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Summed negative log-likelihood of the targets, padding (0) not scored."""
    return nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]),
        targets.reshape(-1),
        reduction="sum",
        ignore_index=0,
    )


def train_tbptt_epoch(
    module,
    optimizer,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    starts: np.ndarray,
    bptt_steps: int,
    clip_grad_norm: float | None,
    device,
    epoch: int | None = None,
    *,
    labels: torch.Tensor | None = None,
    criterion=cross_entropy,
    max_targets: int | None = None,
) -> tuple[float, int]:
    """One pass of truncated BPTT over laid-out streams: the mean loss per
    target and the number of targets trained on (padding not counted).

    ``inputs``, ``targets``, ``starts`` and ``labels`` are as made by
    :func:`~sklearn_rnn._data.lay_out_streams`. Without labels,
    ``module(x, state)`` returns its outputs and the new state, and a stream
    that starts a new piece starts from zeros. With labels (one per stream
    and chunk), ``module(x, labels=l, state=state)`` is called and a new
    piece starts from ``module.initial_state(l)``, the state its label
    gives. ``criterion(outputs, targets)`` is the summed loss of the chunk's
    targets, padding (0) not scored: cross-entropy of logits by default, or
    the module's own (an adaptive softmax, whose outputs are not logits).
    The state is carried from chunk to chunk and detached between them. A
    loss that is not finite stops training with :func:`check_finite_loss`'s
    error (``epoch`` is named in it), before the weights are updated.
    With ``max_targets``, the pass ends after the chunk that brings the
    targets trained on to that many (a token budget's last, partial epoch).
    """
    module.train()
    steps = bptt_steps
    state, total, n_read = None, 0.0, 0
    for chunk in range(starts.shape[1]):
        x = inputs[:, chunk * steps : (chunk + 1) * steps].to(device)
        t = targets[:, chunk * steps : (chunk + 1) * steps].to(device)
        label = None if labels is None else labels[:, chunk].to(device)
        if state is not None:  # a new piece starts as in score
            keep = torch.from_numpy(~starts[:, chunk]).to(device)
            initial = None
            if label is not None and not bool(keep.all()):
                initial = module.initial_state(label)
            state = _reset(state, keep, initial)
        if label is None:
            outputs, state = module(x, state)
        else:
            outputs, state = module(x, labels=label, state=state)
        loss = criterion(outputs, t)
        value = loss.item()
        check_finite_loss(value, epoch, chunk + 1, optimizer.param_groups[0]["lr"])
        n_targets = int((t != 0).sum())
        optimizer.zero_grad()
        (loss / n_targets).backward()
        if clip_grad_norm is not None:
            nn.utils.clip_grad_norm_(module.parameters(), clip_grad_norm)
        optimizer.step()
        state = _detach(state)  # carry the values, cut the gradient
        total, n_read = total + value, n_read + n_targets
        if max_targets is not None and n_read >= max_targets:
            break
    return total / n_read, n_read
