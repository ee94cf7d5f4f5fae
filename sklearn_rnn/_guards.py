"""Fail fast, in one line: a device torch cannot use, a loss that is not finite.

Without these checks, ``device="cuda"`` on a CPU-only PyTorch fails deep in
torch with a bare ``AssertionError``, and a diverging run spreads NaN
through the weights and hands back a model that predicts one class.
"""

from __future__ import annotations

import math

import torch
from skorch.callbacks import Callback

__all__ = ["check_device", "check_finite_loss", "StopOnNonFiniteLoss"]


def check_device(device) -> None:
    """Raise a one-line ``ValueError`` unless torch can use ``device`` here.

    Without it, ``device="cuda"`` on a CPU-only PyTorch fails deep in torch
    with a bare ``AssertionError`` once the network is built.
    """
    name = str(device)
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={name!r} is not a torch device ({exc}); use e.g. 'cpu' or 'cuda'."
        ) from None
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            reason = (
                f"this PyTorch build ({torch.__version__}) is CPU-only; install "
                "a CUDA build of PyTorch or"
                if torch.version.cuda is None
                else f"this PyTorch build (CUDA {torch.version.cuda}) finds no "
                "GPU (check the driver and CUDA_VISIBLE_DEVICES), so"
            )
            raise ValueError(
                f"device={name!r}: CUDA is not available: {reason} pass device='cpu'."
            )
        count = torch.cuda.device_count()
        if parsed.index is not None and parsed.index >= count:
            raise ValueError(
                f"device={name!r}: there are only {count} CUDA device(s), "
                f"numbered 0 to {count - 1}."
            )
    elif parsed.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            f"device={name!r}: Apple's MPS backend is not available in this "
            "PyTorch build or on this machine; pass device='cpu'."
        )


def check_finite_loss(loss: float, epoch: int | None, batch: int, lr) -> None:
    """Raise a one-line ``ValueError`` when a training loss is NaN or infinite.

    Training on would only spread NaN through the weights, and the fitted
    model would predict the first class for everything.
    """
    if math.isfinite(loss):
        return
    where = f"epoch {epoch}, batch {batch}" if epoch is not None else f"batch {batch}"
    raise ValueError(
        f"The training loss is {loss} at {where}: training diverged. Lower lr "
        f"(lr={lr}), clip the gradients (clip_grad_norm, e.g. 1.0), or use an "
        "adaptive optimizer (optimizer='adam')."
    )


class StopOnNonFiniteLoss(Callback):
    """Stop a skorch fit with :func:`check_finite_loss`'s error at the first
    training batch whose loss is not finite."""

    def on_batch_end(self, net, training=None, **kwargs):
        if training:  # skorch has recorded this batch's loss
            batches = net.history[-1, "batches"]
            loss = batches[-1]["train_loss"]
            check_finite_loss(loss, len(net.history), len(batches), net.lr)
