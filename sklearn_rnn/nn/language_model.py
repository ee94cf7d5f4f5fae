"""The character language model (one-to-many): encoder, next-character head."""

from __future__ import annotations

import torch
from torch import nn

from .encoder import RecurrentEncoder, init_keras_style

__all__ = ["CharLanguageModel"]


class CharLanguageModel(nn.Module):
    """Embedding -> RNN/LSTM/GRU -> linear layer over the next character.

    A one-directional :class:`RecurrentEncoder` whose recurrent state is
    handed in and out, so that a long text is read in chunks.

    Parameters
    ----------
    vocab_size : int
        Number of character ids (0 = padding, 1 = unknown).
    embedding_dim : int
        Size of the character embeddings.
    hidden_size : int
        Size of the recurrent state.
    num_layers : int
        Number of stacked recurrent layers.
    cell : {"lstm", "gru", "rnn"}
        Recurrent cell.
    dropout : float
        Dropout on the embeddings, between layers and before the head.
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int = 32,
        hidden_size: int = 256,
        num_layers: int = 1,
        cell: str = "lstm",
        dropout: float = 0.0,
    ):
        super().__init__()
        # The head is made first so that a seed gives the weights it gave
        # before this model was built on the shared encoder: the random
        # draws of the head's default initialisation, which Keras-style
        # initialisation overwrites, again come before the encoder's.
        head = nn.Linear(hidden_size, vocab_size)
        self.encoder = RecurrentEncoder(
            vocab_size,
            embedding_dim,
            hidden_size,
            num_layers=num_layers,
            cell=cell,
            dropout=dropout,
        )
        self.dropout = nn.Dropout(dropout)
        self.head = head
        init_keras_style(self.head)

    def forward(self, ids: torch.Tensor, state=None):
        """Next-character logits ``(batch, time, vocab_size)`` and the new state.

        ``state`` is the recurrent state after the previous chunk (``None``
        starts from zeros): ``(h, c)`` for an LSTM, ``h`` otherwise.
        """
        outputs, _, state = self.encoder(ids, state=state, return_state=True)
        return self.head(self.dropout(outputs)), state
