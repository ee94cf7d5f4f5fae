"""The tagger's network (many-to-many): word and character features, encoder,
a linear head at every step, and the per-token loss."""

from __future__ import annotations

import torch
from torch import nn

from .embedding import PretrainedEmbedding
from .encoder import RecurrentEncoder, init_keras_style

__all__ = ["TaggerModule", "TokenCrossEntropyLoss"]


class _WordCharEmbedding(nn.Module):
    """Word embedding joined with a max-pooled character CNN per word.

    The input is ``(batch, time, 1 + n_chars)``: column 0 the word id, the
    others the word's character ids (0 = none). Character windows beyond a
    word's last character are masked before pooling, so a word's vector does
    not depend on how wide the batch is.
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int,
        n_chars: int,
        char_embedding_dim: int,
        char_filters: int,
        char_kernel_size: int,
        words: nn.Module | None = None,
    ):
        super().__init__()
        if words is None:
            words = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.words = words
        self.chars = nn.Embedding(n_chars, char_embedding_dim, padding_idx=0)
        self.conv = nn.Conv1d(
            char_embedding_dim,
            char_filters,
            char_kernel_size,
            padding=char_kernel_size // 2,
        )
        self.output_size = embedding_dim + char_filters
        init_keras_style(self)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        words, chars = features[..., 0], features[..., 1:]
        batch, time, width = chars.shape
        flat = chars.reshape(batch * time, width)
        conv = self.conv(self.chars(flat).transpose(1, 2))[..., :width]
        conv = conv.masked_fill((flat == 0)[:, None, :], float("-inf"))
        pooled = conv.max(dim=2).values
        pooled = torch.tanh(pooled.masked_fill(pooled.isinf(), 0.0))
        return torch.cat([self.words(words), pooled.view(batch, time, -1)], dim=-1)


class TaggerModule(nn.Module):
    """Many-to-many network: (word + character) embedding, encoder, linear head.

    With character features the :class:`RecurrentEncoder` is given a word
    embedding joined with a character CNN, which reads the
    ``(batch, time, 1 + n_chars)`` feature tensor in place of
    ``(batch, time)`` word ids.

    Parameters
    ----------
    vocab_size : int
        Number of word ids (0 = padding, 1 = unknown).
    n_tags : int
        Number of output logits per token.
    word_drop_prob : Tensor of shape (vocab_size,) or None
        Training-time probability of reading each word as unknown (word
        dropout), so that the unknown-word embedding gets trained.
    n_chars : int or None
        Number of character ids; None turns the character CNN off.
    char_embedding_dim, char_filters, char_kernel_size : int
        Size of the character embeddings, number and width of the filters.
    dropout : float
        Dropout inside the encoder and before the head.
    pretrained_rows : tuple of (int, int, int) or None
        Make the word embedding a :class:`PretrainedEmbedding` with these
        ``(n_learned, n_tuned, n_frozen)`` rows.
    freeze_embeddings : bool
        With ``pretrained_rows``, keep the pretrained rows fixed.
    **encoder_params
        Passed to :class:`RecurrentEncoder`.
    """

    def __init__(
        self,
        vocab_size: int,
        n_tags: int,
        word_drop_prob: torch.Tensor | None = None,
        n_chars: int | None = None,
        char_embedding_dim: int = 16,
        char_filters: int = 64,
        char_kernel_size: int = 3,
        embedding_dim: int = 100,
        dropout: float = 0.0,
        pretrained_rows: tuple[int, int, int] | None = None,
        freeze_embeddings: bool = False,
        **encoder_params,
    ):
        super().__init__()
        embedding = None
        if pretrained_rows is not None:
            embedding = PretrainedEmbedding(
                *pretrained_rows, embedding_dim, freeze=freeze_embeddings
            )
        if n_chars is not None:
            embedding = _WordCharEmbedding(
                vocab_size,
                embedding_dim,
                n_chars,
                char_embedding_dim,
                char_filters,
                char_kernel_size,
                words=embedding,
            )
            embedding_dim = embedding.output_size
            # The encoder once built an embedding of its own here, which was
            # then replaced: draw what its initialisation drew, so that a
            # seed gives the weights it gave before.
            nn.init.uniform_(nn.Embedding(1, embedding_dim).weight)
        self.encoder = RecurrentEncoder(
            vocab_size,
            embedding_dim,
            dropout=dropout,
            embedding=embedding,
            **encoder_params,
        )
        self.register_buffer(
            "word_drop_prob",
            torch.zeros(vocab_size)
            if word_drop_prob is None
            else torch.as_tensor(word_drop_prob, dtype=torch.float32),
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.encoder.output_size, n_tags)
        init_keras_style(self.head)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Return tag logits of shape ``(batch, time, n_tags)``."""
        if self.training:
            words = tokens[..., 0] if tokens.dim() == 3 else tokens
            drop = torch.rand(words.shape, device=words.device)
            words = words.masked_fill(drop < self.word_drop_prob[words], 1)
            if tokens.dim() == 3:
                tokens = torch.cat([words[..., None], tokens[..., 1:]], dim=-1)
            else:
                tokens = words
        outputs, _ = self.encoder(tokens, lengths)
        return self.head(self.dropout(outputs))


class TokenCrossEntropyLoss(nn.CrossEntropyLoss):
    """Cross-entropy over the tokens of a batch, padded targets ignored.

    Takes logits ``(batch, time, n_tags)`` and targets ``(batch, time)``
    holding ``ignore_index`` (-100 by default) at padded positions.
    """

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return super().forward(input.reshape(-1, input.shape[-1]), target.reshape(-1))
