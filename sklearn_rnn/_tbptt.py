"""Truncated backpropagation through time: one epoch over laid-out streams.

The character generator trains on long streams cut into chunks of
``bptt_steps``; the recurrent state is carried from chunk to chunk and
detached between them, and reset where a stream starts a new text. skorch
treats batches as independent, so the generator runs this loop itself.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ._guards import check_finite_loss

__all__ = ["train_tbptt_epoch"]


def _detach(state):
    """Cut the graph behind the recurrent state, keeping its values."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def _reset(state, keep: torch.Tensor):
    """Zero the state of the batch rows where ``keep`` is False."""
    if isinstance(state, tuple):
        return tuple(_reset(s, keep) for s in state)
    return state * keep[None, :, None].to(state.dtype)


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
) -> float:
    """One pass of truncated BPTT over laid-out streams; mean loss per target.

    ``inputs``, ``targets`` and ``starts`` are as made by
    :func:`~sklearn_rnn._data.lay_out_streams`; ``module(x, state)`` returns
    logits and the new state. The state is carried from chunk to chunk and
    detached between them, and reset to zeros where a stream starts a new
    piece. Targets 0 (padding) are not scored. A loss that is not finite
    stops training with :func:`check_finite_loss`'s error (``epoch`` is named
    in it), before the weights are updated.
    """
    module.train()
    loss_fn = nn.CrossEntropyLoss(reduction="sum", ignore_index=0)
    steps = bptt_steps
    state, total = None, 0.0
    for chunk in range(starts.shape[1]):
        x = inputs[:, chunk * steps : (chunk + 1) * steps].to(device)
        t = targets[:, chunk * steps : (chunk + 1) * steps].to(device)
        if state is not None:  # a new piece starts from zeros, as in score
            keep = torch.from_numpy(~starts[:, chunk]).to(device)
            state = _reset(state, keep)
        logits, state = module(x, state)
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), t.reshape(-1))
        value = loss.item()
        check_finite_loss(value, epoch, chunk + 1, optimizer.param_groups[0]["lr"])
        optimizer.zero_grad()
        (loss / int((t != 0).sum())).backward()
        if clip_grad_norm is not None:
            nn.utils.clip_grad_norm_(module.parameters(), clip_grad_norm)
        optimizer.step()
        state = _detach(state)  # carry the values, cut the gradient
        total += value
    return total / int((targets != 0).sum())
