"""The recurrent language model, conditioned on nothing, a vector, or a sequence.

One module writes every output sequence of the package:
:class:`RecurrentDecoder` reads tokens left to right and predicts the next
one from each step. It can be

- conditioned on nothing: a language model (the character generator, the
  word language model);
- conditioned on a vector (a label's embedding, an encoder's final state):
  the vector sets the initial recurrent state through a learned ``bridge``
  and, with ``condition_input=True``, enters every step beside the token;
- conditioned on an encoded sequence (``memory``): Luong-style attention
  over the memory's real steps joins a context vector to every output.

:class:`Attention` scores a query against the memory (``"dot"``,
``"general"``, ``"additive"``); :class:`EncoderDecoder` joins a
:class:`RecurrentEncoder` and a decoder for sequence-to-sequence tasks;
:class:`LabelConditionedDecoder` puts a label embedding in front of one;
:class:`WordLanguageModel` gives one a softmax for large vocabularies
(adaptive, or full with tied input and output embeddings).
"""

from __future__ import annotations

import torch
from torch import nn

from .encoder import RecurrentEncoder, init_keras_style, sequence_dropout

__all__ = [
    "Attention",
    "RecurrentDecoder",
    "EncoderDecoder",
    "LabelConditionedDecoder",
    "WordLanguageModel",
    "adaptive_cutoffs",
    "ATTENTIONS",
]

#: The attention scores :class:`Attention` knows.
ATTENTIONS = ("dot", "general", "additive")


def lengths_mask(lengths: torch.Tensor, width: int) -> torch.Tensor:
    """``(batch, width)`` boolean mask, True at the first ``lengths`` steps."""
    steps = torch.arange(width, device=lengths.device)
    return steps[None, :] < lengths[:, None]


class Attention(nn.Module):
    """Attention of decoder outputs over the real steps of a memory.

    For a query ``h`` (a decoder output) and a memory step ``s`` the score is
    ``h . s`` ("dot", Luong et al. 2015; sizes must match), ``h . W s``
    ("general", Luong) or ``v . tanh(W_q h + W_k s)`` ("additive", Bahdanau
    et al. 2015). The weights are the softmax of the scores over the real
    memory steps (padded steps get weight zero), and the context is the
    weighted sum of the memory.

    Parameters
    ----------
    kind : {"dot", "general", "additive"}
        The score.
    query_size : int
        Size of the queries.
    memory_size : int
        Size of the memory steps.
    attention_size : int or None
        Hidden size of the additive score (default ``query_size``).
    """

    def __init__(
        self,
        kind: str,
        query_size: int,
        memory_size: int,
        attention_size: int | None = None,
    ):
        super().__init__()
        if kind not in ATTENTIONS:
            raise ValueError(f"attention must be one of {ATTENTIONS}; got {kind!r}.")
        if kind == "dot" and query_size != memory_size:
            raise ValueError(
                f"dot attention needs queries and memory of one size; got "
                f"{query_size} and {memory_size} (use 'general' or 'additive')."
            )
        self.kind = kind
        if kind == "general":
            self.key = nn.Linear(memory_size, query_size, bias=False)
        elif kind == "additive":
            size = attention_size or query_size
            self.query = nn.Linear(query_size, size, bias=False)
            self.key = nn.Linear(memory_size, size)
            self.score = nn.Linear(size, 1, bias=False)
        init_keras_style(self)

    def keys(self, memory: torch.Tensor) -> torch.Tensor:
        """The memory as the score reads it; computed once per sequence."""
        return memory if self.kind == "dot" else self.key(memory)

    def forward(
        self,
        query: torch.Tensor,
        memory: torch.Tensor,
        mask: torch.Tensor,
        keys: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Context ``(batch, time, memory_size)`` and weights ``(batch, time,
        steps)`` for queries ``(batch, time, query_size)``, memory ``(batch,
        steps, memory_size)`` and its mask ``(batch, steps)`` (True = real).
        ``keys`` are :meth:`keys` of the memory, when already computed."""
        if keys is None:
            keys = self.keys(memory)
        if self.kind == "additive":
            hidden = torch.tanh(self.query(query)[:, :, None] + keys[:, None])
            scores = self.score(hidden)[..., 0]
        else:
            scores = torch.bmm(query, keys.transpose(1, 2))
        scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return torch.bmm(weights, memory), weights


class RecurrentDecoder(nn.Module):
    """Embedding -> one-directional RNN/LSTM/GRU -> next-token logits.

    Parameters
    ----------
    vocab_size : int
        Number of token ids (0 = padding, 1 = unknown).
    embedding_dim : int
        Size of the token embeddings.
    hidden_size : int
        Size of the recurrent state.
    num_layers : int
        Number of stacked recurrent layers.
    cell : {"lstm", "gru", "rnn"}
        Recurrent cell.
    dropout : float
        Dropout on the embeddings, between layers and before the head.
    condition_size : int
        Size of the conditioning vector (0: none). It sets the initial state
        of every layer (``tanh`` of a linear ``bridge``).
    condition_input : bool
        Also join the conditioning vector to the input of every step.
    condition_state : bool
        Set the initial state from the conditioning vector (the ``bridge``);
        False starts from zeros, so that the vector enters only through
        ``condition_input``.
    memory_size : int
        Size of the attended memory's steps (needed with ``attention``).
    attention : {None, "dot", "general", "additive"}
        Attention over the memory; the context and the recurrent output are
        joined by a ``tanh`` layer of ``hidden_size`` before the head
        (Luong's attentional hidden state).
    head : bool
        Build the linear layer over the vocabulary. A model with a softmax of
        its own (an adaptive softmax) reads :meth:`features` instead.
    embeddings : Tensor of shape (vocab_size, embedding_dim) or None
        Pretrained token embeddings.
    variational_dropout : bool
        Drop the same features at every step of a call, on the embeddings
        and before the head (:func:`~sklearn_rnn.nn.encoder.sequence_dropout`).
        The flag is kept once, on the encoder.
    word_dropout : float
        During training, the probability that an input token is read as
        ``<unk>`` (the encoder's ``word_dropout``).
    weight_drop : float
        DropConnect on the recurrent weights in training (the encoder's
        ``weight_drop``).
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int = 32,
        hidden_size: int = 256,
        num_layers: int = 1,
        cell: str = "lstm",
        dropout: float = 0.0,
        condition_size: int = 0,
        condition_input: bool = False,
        memory_size: int = 0,
        attention: str | None = None,
        head: bool = True,
        embeddings: torch.Tensor | None = None,
        condition_state: bool = True,
        variational_dropout: bool = False,
        word_dropout: float = 0.0,
        weight_drop: float = 0.0,
    ):
        super().__init__()
        # The head is made first: a seed then gives the unconditioned model
        # the weights the character language model has always had (the
        # head's default draws come before the encoder's).
        head_layer = nn.Linear(hidden_size, vocab_size) if head else None
        self.encoder = RecurrentEncoder(
            vocab_size,
            embedding_dim,
            hidden_size,
            num_layers=num_layers,
            cell=cell,
            dropout=dropout,
            embeddings=embeddings,
            extra_input_size=condition_size if condition_input else 0,
            variational_dropout=variational_dropout,
            word_dropout=word_dropout,
            weight_drop=weight_drop,
        )
        self.dropout = nn.Dropout(dropout)
        self.head = head_layer
        if head_layer is not None:
            init_keras_style(head_layer)
        self.cell = cell
        self.num_layers = num_layers
        self.hidden_size = hidden_size
        self.condition_input = condition_input and condition_size > 0
        self.bridge = None
        if condition_size and condition_state:
            n_states = num_layers * (2 if cell == "lstm" else 1)
            self.bridge = nn.Linear(condition_size, n_states * hidden_size)
            init_keras_style(self.bridge)
        self.attention = None
        if attention is not None:
            if memory_size < 1:
                raise ValueError("attention needs memory_size >= 1.")
            self.attention = Attention(attention, hidden_size, memory_size)
            self.combine = nn.Linear(hidden_size + memory_size, hidden_size)
            init_keras_style(self.combine)
        self.output_size = hidden_size

    def initial_state(self, condition: torch.Tensor | None, batch_size: int):
        """The state a sequence starts from: zeros, or the bridge of
        ``condition`` ``(batch, condition_size)``. ``(h, c)`` for an LSTM."""
        if condition is None or self.bridge is None:
            return None
        flat = torch.tanh(self.bridge(condition))
        states = flat.view(batch_size, -1, self.num_layers, self.hidden_size)
        states = states.permute(1, 2, 0, 3).contiguous()
        if self.cell == "lstm":
            return states[0], states[1]
        return states[0]

    def features(
        self,
        tokens: torch.Tensor,
        state=None,
        condition: torch.Tensor | None = None,
        memory: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
        keys: torch.Tensor | None = None,
    ):
        """Outputs before the head ``(batch, time, output_size)``, the new
        state, and the attention weights ``(batch, time, steps)`` (None
        without attention).

        ``tokens`` ``(batch, time)`` are the inputs (a teacher-forced target
        shifted right, or one generated step); ``state`` is the state after
        the previous call (None starts from :meth:`initial_state`).
        ``condition`` ``(batch, condition_size)`` is the conditioning vector;
        ``memory`` ``(batch, steps, memory_size)`` with ``memory_mask``
        ``(batch, steps)`` (True = real) is what attention reads, ``keys``
        the attention's :meth:`Attention.keys` of it when already computed.
        A padded input step changes no output before it: the network reads
        left to right.
        """
        if state is None:
            state = self.initial_state(condition, tokens.shape[0])
        extra = condition if self.condition_input else None
        outputs, _, state = self.encoder(
            tokens, state=state, return_state=True, extra=extra
        )
        weights = None
        if self.attention is not None:
            context, weights = self.attention(outputs, memory, memory_mask, keys=keys)
            outputs = torch.tanh(self.combine(torch.cat([outputs, context], dim=-1)))
        outputs = sequence_dropout(
            outputs, self.dropout.p, self.training, self.encoder.variational_dropout
        )
        return outputs, state, weights

    def forward(self, tokens: torch.Tensor, state=None, **conditioning):
        """Next-token logits ``(batch, time, vocab_size)`` and the new state.

        ``conditioning`` is passed to :meth:`features` (``condition``,
        ``memory``, ``memory_mask``, ``keys``).
        """
        outputs, state, _ = self.features(tokens, state, **conditioning)
        return self.head(outputs), state


class EncoderDecoder(nn.Module):
    """A :class:`RecurrentEncoder` read by a :class:`RecurrentDecoder`.

    The encoder's final state (both directions when bidirectional) is the
    decoder's conditioning vector; with attention, the encoder's outputs at
    the real source steps are its memory.

    Parameters
    ----------
    encoder : RecurrentEncoder
        Reads the source.
    decoder : RecurrentDecoder
        Writes the target; built with ``condition_size`` and ``memory_size``
        equal to the encoder's ``output_size``.
    """

    def __init__(self, encoder: RecurrentEncoder, decoder: RecurrentDecoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def encode(self, source: torch.Tensor, source_lengths: torch.Tensor) -> dict:
        """The decoder's conditioning for a right-padded source batch:
        ``condition``, and with attention ``memory``, ``memory_mask`` and
        ``keys`` (the keyword arguments of :meth:`RecurrentDecoder.features`)."""
        outputs, final = self.encoder(source, source_lengths)
        conditioning = {"condition": final}
        if self.decoder.attention is not None:
            mask = lengths_mask(source_lengths.to(outputs.device), outputs.shape[1])
            conditioning.update(
                memory=outputs,
                memory_mask=mask,
                keys=self.decoder.attention.keys(outputs),
            )
        return conditioning

    def forward(
        self,
        source: torch.Tensor,
        source_lengths: torch.Tensor,
        target_inputs: torch.Tensor,
    ) -> torch.Tensor:
        """Teacher-forced logits ``(batch, target_time, vocab_size)``."""
        logits, _ = self.decoder(target_inputs, **self.encode(source, source_lengths))
        return logits


class LabelConditionedDecoder(nn.Module):
    """A :class:`RecurrentDecoder` conditioned on a label's learned vector.

    Parameters
    ----------
    n_labels : int
        Number of labels.
    label_dim : int
        Size of the label vectors (the decoder's ``condition_size``).
    **decoder_params
        Passed to :class:`RecurrentDecoder`.
    """

    def __init__(self, n_labels: int, label_dim: int, **decoder_params):
        super().__init__()
        self.decoder = RecurrentDecoder(condition_size=label_dim, **decoder_params)
        # Unit scale (torch's default N(0, 1)), not the 0.05 of the token
        # embeddings: a label is one vector per text, and at std 0.1 it moved
        # the LSTM so little that after a short fit the model had barely
        # learned it (bench_generator.py --conditional; see the generator).
        self.labels = nn.Embedding(n_labels, label_dim)
        nn.init.normal_(self.labels.weight, std=1.0)

    def initial_state(self, labels: torch.Tensor):
        """The state a text of each label ``(batch,)`` starts from (None:
        zeros, when the label enters only every step)."""
        return self.decoder.initial_state(self.labels(labels), labels.shape[0])

    def forward(self, tokens: torch.Tensor, labels: torch.Tensor, state=None):
        """Next-token logits and the new state, for label ids ``(batch,)``."""
        return self.decoder(tokens, state, condition=self.labels(labels))


def adaptive_cutoffs(vocab_size: int) -> list[int]:
    """Cluster boundaries of an adaptive softmax for ``vocab_size`` ids
    numbered most frequent first: a head of the 2,000 most frequent, then
    clusters ending at 10,000 and 50,000 ids, those below ``vocab_size``.
    (Grave et al. 2017 put about 80 % of the tokens in the head.)"""
    return [c for c in (2_000, 10_000, 50_000) if c < vocab_size - 1] or [
        max(1, vocab_size // 2)
    ]


class WordLanguageModel(nn.Module):
    """A :class:`RecurrentDecoder` with a softmax fit for large vocabularies.

    ``forward`` returns the outputs before the softmax, which
    :meth:`target_log_probs`, :meth:`log_probs` and :meth:`nll` read.

    Parameters
    ----------
    vocab_size : int
        Number of token ids (0 = padding, 1 = unknown), numbered most
        frequent first (the adaptive softmax's clusters rely on it).
    embedding_dim, hidden_size, num_layers, cell, dropout, embeddings
        As for :class:`RecurrentDecoder`.
    softmax : {"full", "adaptive"}
        A linear layer over the whole vocabulary, or
        :class:`torch.nn.AdaptiveLogSoftmaxWithLoss` (Grave et al. 2017),
        whose cost grows with the head and the cluster a target falls in,
        not with the vocabulary.
    cutoffs : list of int or None
        The adaptive softmax's cluster boundaries (None:
        :func:`adaptive_cutoffs`).
    tie_weights : bool
        Make the full softmax's output weights the input embedding
        (Press & Wolf 2017; Inan et al. 2017): one matrix, half the
        parameters. A linear projection maps the recurrent output to
        ``embedding_dim`` when the sizes differ.
    word_dropout : float
        During training, the probability that an input token is read as
        ``<unk>`` (the encoder's ``word_dropout``; the targets are kept).
    weight_drop : float
        DropConnect on the recurrent weights in training (the encoder's
        ``weight_drop``, AWD-LSTM's weight drop).
    variational_dropout : bool
        One dropout mask per sequence and chunk, the same at every step, on
        the embeddings and before the softmax (the decoder's
        ``variational_dropout``, AWD-LSTM's locked dropout).
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int = 32,
        hidden_size: int = 256,
        num_layers: int = 1,
        cell: str = "lstm",
        dropout: float = 0.0,
        softmax: str = "full",
        cutoffs: list[int] | None = None,
        tie_weights: bool = False,
        embeddings: torch.Tensor | None = None,
        word_dropout: float = 0.0,
        weight_drop: float = 0.0,
        variational_dropout: bool = False,
    ):
        super().__init__()
        if softmax not in ("full", "adaptive"):
            raise ValueError(f"softmax must be 'full' or 'adaptive'; got {softmax!r}.")
        if tie_weights and softmax != "full":
            raise ValueError("tie_weights needs the full softmax.")
        self.decoder = RecurrentDecoder(
            vocab_size,
            embedding_dim,
            hidden_size,
            num_layers,
            cell,
            dropout,
            head=False,
            embeddings=embeddings,
            variational_dropout=variational_dropout,
            word_dropout=word_dropout,
            weight_drop=weight_drop,
        )
        size = hidden_size
        self.projection = None
        if tie_weights and hidden_size != embedding_dim:
            self.projection = nn.Linear(hidden_size, embedding_dim)
            init_keras_style(self.projection)
            size = embedding_dim
        self.head = self.adaptive = None
        if softmax == "adaptive":
            self.adaptive = nn.AdaptiveLogSoftmaxWithLoss(
                size, vocab_size, cutoffs or adaptive_cutoffs(vocab_size), div_value=4.0
            )
        else:
            self.head = nn.Linear(size, vocab_size)
            init_keras_style(self.head)
            if tie_weights:
                self.head.weight = self.decoder.encoder.embedding.weight

    def forward(self, tokens: torch.Tensor, state=None):
        """Outputs before the softmax ``(batch, time, size)`` and the new
        state (``state`` None starts from zeros)."""
        outputs, state, _ = self.decoder.features(tokens, state)
        if self.projection is not None:
            outputs = self.projection(outputs)
        return outputs, state

    def target_log_probs(
        self, outputs: torch.Tensor, targets: torch.Tensor
    ) -> torch.Tensor:
        """Log-probability of each target ``(batch, time)``; the adaptive
        softmax computes only the clusters the targets fall in."""
        flat, ids = outputs.reshape(-1, outputs.shape[-1]), targets.reshape(-1)
        if self.adaptive is not None:
            return self.adaptive(flat, ids).output.view(targets.shape)
        logp = torch.log_softmax(self.head(flat).double(), dim=-1)
        return logp.gather(1, ids[:, None])[:, 0].view(targets.shape)

    def nll(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Summed negative log-likelihood of the targets, padding (0) not
        scored: the training loss."""
        real = targets != 0
        if self.adaptive is not None:
            return -self.adaptive(outputs[real], targets[real]).output.sum()
        return nn.functional.cross_entropy(
            self.head(outputs[real]), targets[real], reduction="sum"
        )

    def log_probs(self, outputs: torch.Tensor) -> torch.Tensor:
        """Log-probabilities over the whole vocabulary ``(..., vocab_size)``
        (for sampling: the adaptive softmax then computes every cluster)."""
        flat = outputs.reshape(-1, outputs.shape[-1])
        if self.adaptive is not None:
            logp = self.adaptive.log_prob(flat)
        else:
            logp = torch.log_softmax(self.head(flat), dim=-1)
        return logp.view(*outputs.shape[:-1], -1)
