"""The classifier's network (many-to-one): encoder, pooling, linear head."""

from __future__ import annotations

import torch
from torch import nn

from .embedding import PretrainedEmbedding
from .encoder import RecurrentEncoder, init_keras_style

__all__ = ["RecurrentClassifierModule"]


class RecurrentClassifierModule(nn.Module):
    """Many-to-one network: encoder, pooling over real steps, linear head.

    Parameters
    ----------
    n_classes : int
        Number of output logits.
    pooling : {"last", "mean", "max", "concat"}
        "last" takes the final state after the last real token (both
        directions when bidirectional); "mean" and "max" pool the outputs of
        the real (non-padded) steps only; "concat" joins the last state, the
        max and the mean (ULMFiT's concat pooling, three times as wide).
    dropout : float
        Dropout before the head (and inside the encoder).
    pretrained_rows : tuple of (int, int, int) or None
        Build the embedding as a :class:`PretrainedEmbedding` with these
        ``(n_learned, n_tuned, n_frozen)`` rows (to be filled with
        :meth:`PretrainedEmbedding.load_vectors`); ``freeze_embeddings`` then
        keeps its pretrained rows fixed.
    **encoder_params
        Passed to :class:`RecurrentEncoder`.
    """

    def __init__(
        self,
        vocab_size: int,
        n_classes: int,
        pooling: str = "last",
        dropout: float = 0.0,
        pretrained_rows: tuple[int, int, int] | None = None,
        **encoder_params,
    ):
        super().__init__()
        if pretrained_rows is not None:
            encoder_params["embedding"] = PretrainedEmbedding(
                *pretrained_rows,
                encoder_params.get("embedding_dim", 128),
                freeze=encoder_params.pop("freeze_embeddings", False),
            )
        self.encoder = RecurrentEncoder(vocab_size, dropout=dropout, **encoder_params)
        self.pooling = pooling
        self.dropout = nn.Dropout(dropout)
        width = self.encoder.output_size * (3 if pooling == "concat" else 1)
        self.head = nn.Linear(width, n_classes)
        init_keras_style(self.head)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Return class logits of shape ``(batch, n_classes)``."""
        outputs, final = self.encoder(tokens, lengths)
        if self.pooling == "last":
            return self.head(self.dropout(final))
        steps = torch.arange(outputs.shape[1], device=outputs.device)
        mask = steps[None, :] < lengths.clamp(min=1)[:, None].to(outputs.device)
        pooled = []
        if self.pooling in ("max", "concat"):
            highest = outputs.masked_fill(~mask[..., None], float("-inf"))
            pooled.append(highest.max(dim=1).values)
        if self.pooling in ("mean", "concat"):
            summed = (outputs * mask[..., None]).sum(dim=1)
            pooled.append(summed / mask.sum(dim=1, keepdim=True))
        if self.pooling == "concat":
            pooled.insert(0, final)
        return self.head(self.dropout(torch.cat(pooled, dim=1)))
