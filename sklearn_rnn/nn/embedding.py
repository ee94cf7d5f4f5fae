"""An embedding initialised from pretrained vectors, in three blocks of rows."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["PretrainedEmbedding"]


class PretrainedEmbedding(nn.Module):
    """Token embedding whose rows come in three blocks.

    Rows ``0 .. n_learned - 1`` are learned from scratch: padding (row 0,
    always zero), the unknown token and tokens without a pretrained vector.
    The next ``n_tuned`` rows hold the pretrained vectors of the tokens seen
    in training, fine-tuned unless ``freeze``. The last ``n_frozen`` rows
    hold pretrained vectors that training never reads (words first met at
    prediction time); they are a half-precision buffer that never changes,
    so a large vocabulary costs neither gradients nor optimizer state.

    The module is built with zeros; :meth:`load_vectors` fills it.

    Parameters
    ----------
    n_learned : int
        Rows learned from scratch, padding included (at least 2).
    n_tuned : int
        Rows of pretrained vectors of tokens seen in training.
    n_frozen : int
        Rows of pretrained vectors that stay as they are.
    embedding_dim : int
        Dimension of the vectors.
    freeze : bool, default=False
        Keep the ``n_tuned`` pretrained rows fixed too.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn.nn import PretrainedEmbedding
    >>> emb = PretrainedEmbedding(2, 1, 1, 3)
    >>> emb.load_vectors(torch.ones(1, 3), torch.full((1, 3), 2.0))
    >>> emb(torch.tensor([[2, 3, 0]]))[0].tolist()
    [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [0.0, 0.0, 0.0]]
    """

    def __init__(
        self,
        n_learned: int,
        n_tuned: int,
        n_frozen: int,
        embedding_dim: int,
        freeze: bool = False,
    ):
        super().__init__()
        self.embedding_dim = embedding_dim
        self.learned = nn.Embedding(n_learned, embedding_dim, padding_idx=0)
        self.tuned = nn.Parameter(
            torch.zeros(n_tuned, embedding_dim), requires_grad=not freeze
        )
        self.register_buffer("frozen", torch.zeros(n_frozen, embedding_dim).half())
        self.num_embeddings = n_learned + n_tuned + n_frozen

    @torch.no_grad()
    def load_vectors(self, tuned: torch.Tensor, frozen: torch.Tensor) -> None:
        """Copy the pretrained vectors in; draw the learned rows on their scale.

        The learned rows are drawn from a normal distribution with the
        per-dimension mean and standard deviation of ``tuned``, so words
        without a vector start like the words with one.
        """
        tuned = torch.as_tensor(tuned, dtype=torch.float32)
        self.tuned.copy_(tuned)
        self.frozen.copy_(torch.as_tensor(frozen))
        if tuned.shape[0] > 1:
            mean, std = tuned.mean(dim=0), tuned.std(dim=0)
        else:
            mean, std = torch.zeros(self.embedding_dim), torch.ones(self.embedding_dim)
        weight = self.learned.weight
        weight.copy_(torch.randn(weight.shape) * std + mean)
        weight[0].zero_()

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Vectors of ``ids`` (any shape) -> ``(*ids.shape, embedding_dim)``."""
        trained = torch.cat([self.learned.weight, self.tuned])
        n_trained = trained.shape[0]
        out = F.embedding(ids.clamp(max=n_trained - 1), trained, padding_idx=0)
        beyond = ids >= n_trained
        if self.frozen.shape[0] == 0 or not bool(beyond.any()):
            return out
        rows = self.frozen[(ids - n_trained).clamp(0, self.frozen.shape[0] - 1)]
        return torch.where(beyond[..., None], rows.to(out.dtype), out)
