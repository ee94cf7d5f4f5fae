"""The shared encoder: token ids -> embedding -> stacked RNN/LSTM/GRU.

Batches arrive as a right-padded ``tokens`` tensor of shape ``(batch, time)``
and the true ``lengths``. Padded steps never change a result: a
one-directional network reads them only after the real steps, a
bidirectional one runs on a packed sequence. :func:`init_keras_style` is the
weight initialisation every network of the package uses.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

__all__ = ["RecurrentEncoder", "init_keras_style", "sequence_dropout"]

_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def init_keras_style(module: nn.Module) -> None:
    """Initialise weights the way Keras does, in place.

    Embeddings uniform in [-0.05, 0.05] (the padding row stays zero), input
    weights Glorot-uniform, recurrent weights orthogonal (one block per
    gate), biases zero and the LSTM forget-gate bias one. Measured on MR and
    TREC-6 this is worth 4-7 accuracy points over PyTorch's defaults.
    """
    for sub in module.modules():
        if isinstance(sub, nn.Embedding):
            nn.init.uniform_(sub.weight, -0.05, 0.05)
            if sub.padding_idx is not None:
                with torch.no_grad():
                    sub.weight[sub.padding_idx].zero_()
        elif isinstance(sub, (nn.LSTM, nn.GRU, nn.RNN)):
            n_gates = {nn.LSTM: 4, nn.GRU: 3}.get(type(sub), 1)
            for name, param in sub.named_parameters():
                if name.startswith("weight_ih"):
                    # Keras draws one Glorot matrix over all gates together.
                    nn.init.xavier_uniform_(param)
                elif name.startswith("weight_hh"):
                    for block in param.chunk(n_gates, dim=0):
                        nn.init.orthogonal_(block)
                elif name.startswith("bias"):
                    nn.init.zeros_(param)
                    if isinstance(sub, nn.LSTM) and name.startswith("bias_ih"):
                        hidden = param.shape[0] // 4
                        with torch.no_grad():
                            param[hidden : 2 * hidden].fill_(1.0)
        elif isinstance(sub, nn.Linear):
            nn.init.xavier_uniform_(sub.weight)
            if sub.bias is not None:
                nn.init.zeros_(sub.bias)


def sequence_dropout(
    inputs: torch.Tensor, p: float, training: bool, variational: bool
) -> torch.Tensor:
    """Dropout on a ``(batch, time, features)`` tensor.

    ``variational=False`` draws a mask for every entry (:func:`torch.nn.
    functional.dropout`). ``variational=True`` draws one mask per sequence
    and feature and applies it at every step (variational or "locked"
    dropout: Gal & Ghahramani 2016; Merity et al. 2018, AWD-LSTM), so that a
    dropped feature stays dropped for the whole call. Kept entries are
    scaled by ``1 / (1 - p)`` either way; outside training the inputs are
    returned as they are.
    """
    if not training or p == 0:
        return inputs
    if not variational:
        return nn.functional.dropout(inputs, p, training=True)
    shape = (inputs.shape[0], 1, inputs.shape[2])
    mask = inputs.new_empty(shape).bernoulli_(1 - p).div_(1 - p)
    return inputs * mask


class RecurrentEncoder(nn.Module):
    """Embedding followed by stacked, optionally bidirectional RNN/LSTM/GRU.

    Parameters
    ----------
    vocab_size : int
        Number of token ids (id 0 is padding).
    embedding_dim : int
        Size of the token embeddings (of the vectors ``embedding`` returns,
        when it is given).
    hidden_size : int
        Size of the recurrent state per direction.
    num_layers : int
        Number of stacked recurrent layers.
    cell : {"lstm", "gru", "rnn"}
        Recurrent cell.
    bidirectional : bool
        Also read each sequence backwards.
    dropout : float
        Dropout on the embeddings and between stacked layers.
    nonlinearity : {"tanh", "relu"}
        Activation of the plain RNN cell.
    embeddings : Tensor of shape (vocab_size, embedding_dim) or None
        Pretrained embedding matrix.
    freeze_embeddings : bool
        Keep pretrained embeddings fixed during training.
    word_dropout : float
        During training, the probability that a real token is read as
        ``<unk>`` (id ``unk_id``), so that the unknown-token embedding is
        trained and the network does not lean on single rare words.
    unk_id : int
        Id of the unknown token.
    embedding : nn.Module or None
        The module that turns ``tokens`` into vectors of size
        ``embedding_dim`` (the tagger passes a word embedding joined with a
        character CNN, which reads ``(batch, time, 1 + n_chars)`` features).
        It is used as it is, not re-initialised. None builds an
        ``nn.Embedding(vocab_size, embedding_dim, padding_idx=0)``,
        initialised by :func:`init_keras_style` or from ``embeddings``.
    extra_input_size : int
        Size of a vector joined to every step's embedding (``extra`` of
        :meth:`forward`; the decoder's conditioning vector). 0: none.
    weight_drop : float
        During training, the probability that an entry of each recurrent
        (hidden-to-hidden) weight matrix is dropped, the same entries for
        every step of a call: DropConnect on the recurrent weights as in
        AWD-LSTM (Merity et al. 2018). The dropped matrices enter the cell
        through :func:`torch.func.functional_call`, so the module's own
        parameters are what the optimiser trains (not a copy that
        ``nn.LSTM``'s flattened weights would go on reading).
    variational_dropout : bool
        Drop the same embedding features at every step of a call (one mask
        per sequence: :func:`sequence_dropout`) instead of a new mask per
        step. The dropout between stacked layers is ``nn.LSTM``'s own,
        per step, either way.
    """

    #: The class's values are what a network pickled before ``weight_drop``
    #: and ``variational_dropout`` existed reads: neither.
    weight_drop: float = 0.0
    variational_dropout: bool = False

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int = 128,
        hidden_size: int = 128,
        num_layers: int = 1,
        cell: str = "lstm",
        bidirectional: bool = False,
        dropout: float = 0.0,
        nonlinearity: str = "tanh",
        embeddings: torch.Tensor | None = None,
        freeze_embeddings: bool = False,
        word_dropout: float = 0.0,
        unk_id: int = 1,
        embedding: nn.Module | None = None,
        extra_input_size: int = 0,
        weight_drop: float = 0.0,
        variational_dropout: bool = False,
    ):
        super().__init__()
        if embedding is not None and embeddings is not None:
            raise ValueError("Pass either an embedding module or embeddings, not both.")
        self.cell = cell
        self.word_dropout = word_dropout
        self.weight_drop = weight_drop
        self.variational_dropout = variational_dropout
        self.unk_id = unk_id
        own_embedding = embedding is None
        if own_embedding:
            embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.embedding = embedding
        self.embedding_dropout = nn.Dropout(dropout)
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.rnn = _CELLS[cell](
            embedding_dim + extra_input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
            **kwargs,
        )
        if own_embedding:
            init_keras_style(self.embedding)
        init_keras_style(self.rnn)
        if embeddings is not None:
            with torch.no_grad():
                self.embedding.weight.copy_(torch.as_tensor(embeddings))
            self.embedding.weight.requires_grad_(not freeze_embeddings)
        self.output_size = hidden_size * (2 if bidirectional else 1)

    def forward(
        self,
        tokens: torch.Tensor,
        lengths: torch.Tensor | None = None,
        state=None,
        return_state: bool = False,
        extra: torch.Tensor | None = None,
    ):
        """Encode a right-padded batch.

        Returns the per-step outputs ``(batch, time, output_size)`` (zeros at
        padded steps) and the final states of the last layer
        ``(batch, output_size)``: for a bidirectional network the forward
        state after the last real token joined with the backward state after
        the first.

        ``lengths=None`` reads every row to its last column. ``state`` is the
        recurrent state to start from (``(h, c)`` for an LSTM, ``h``
        otherwise; None starts from zeros), and ``return_state=True`` also
        returns the recurrent state at the end, so that a long text can be
        read in chunks. For a one-directional network that is the state
        after the last column of the batch. ``extra`` ``(batch,
        extra_input_size)`` is joined to the embedding of every step.

        A one-directional network runs on the dense batch: its output at a
        real step depends only on earlier steps, so the pads that follow
        cannot change it, and on CPU this is over twice as fast as a packed
        sequence of mixed lengths. A bidirectional network reads the pads
        first on its way back, so it runs on a packed sequence.
        """
        if lengths is None:
            lengths = torch.full(
                tokens.shape[:1],
                tokens.shape[1],
                dtype=torch.int64,
                device=tokens.device,
            )
        lengths = lengths.clamp(min=1)
        if self.training and self.word_dropout > 0:
            dropped = torch.rand(tokens.shape, device=tokens.device) < self.word_dropout
            tokens = tokens.masked_fill(dropped & (tokens != 0), self.unk_id)
        embedded = sequence_dropout(
            self.embedding(tokens),
            self.embedding_dropout.p,
            self.training,
            self.variational_dropout,
        )
        if extra is not None:
            steps = extra[:, None, :].expand(-1, embedded.shape[1], -1)
            embedded = torch.cat([embedded, steps.to(embedded.dtype)], dim=-1)
        if not self.rnn.bidirectional:
            outputs, state = self._recur(embedded, state)
            steps = torch.arange(outputs.shape[1], device=outputs.device)
            lengths = lengths.to(outputs.device)
            real = steps[None, :] < lengths[:, None]
            final = outputs[torch.arange(outputs.shape[0]), lengths - 1]
            outputs = outputs * real[..., None]
        else:
            packed = pack_padded_sequence(
                embedded, lengths.to("cpu"), batch_first=True, enforce_sorted=False
            )
            packed_out, state = self._recur(packed, state)
            h_n = state[0] if self.cell == "lstm" else state
            outputs, _ = pad_packed_sequence(
                packed_out, batch_first=True, total_length=tokens.shape[1]
            )
            final = torch.cat([h_n[-2], h_n[-1]], dim=1)
        if return_state:
            return outputs, final, state
        return outputs, final

    def _recur(self, inputs, state):
        """``self.rnn(inputs, state)``, its recurrent weights dropped in
        training when ``weight_drop`` is set."""
        if not (self.training and self.weight_drop > 0):
            return self.rnn(inputs, state)
        weights = {
            name: nn.functional.dropout(param, self.weight_drop, training=True)
            for name, param in self.rnn.named_parameters()
            if name.startswith("weight_hh")
        }
        return functional_call(self.rnn, weights, (inputs, state), strict=False)
