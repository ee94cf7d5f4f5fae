"""Training and decoding an encoder-decoder, for :class:`~sklearn_rnn.RNNSeq2Seq`.

A training pair is a source id sequence (ending with the source's end id,
so that no source is empty) and a target id sequence ``BOS + tokens +
EOS``. Batches hold pairs of similar length (the package's length
bucketing); the token budget counts a pair's source and target tokens
together. Training is teacher-forced: the decoder reads the true target
shifted right and is scored on every real target step (padded steps never
count). With scheduled sampling (Bengio et al. 2015), each step's input is
the true previous token with probability ``p`` and a token drawn from the
model's own prediction otherwise; ``p`` falls linearly from 1 in the first
epoch to ``teacher_forcing`` in the last. Early stopping watches the token
error rate of the *greedy decodes* of the validation sources (what
``predict`` writes), not the teacher-forced loss, and the best epoch's
weights are kept (on disk, :class:`~sklearn_rnn._resources.BestWeights`).
"""

from __future__ import annotations

import math
import time
from contextlib import closing

import numpy as np
import torch
from skorch.history import History
from torch import nn

from ._data import cut_batches, lengths_of, make_loader
from ._guards import check_finite_loss
from ._resources import BestWeights, flushing_denormals
from ._training import decay_learning_rate
from .metrics import token_error_rate
from .nn import (
    EncoderDecoder,
    PretrainedEmbedding,
    RecurrentDecoder,
    RecurrentEncoder,
)
from .nn.search import Hypothesis, beam_search, greedy_search

__all__ = [
    "build_network",
    "PairDataset",
    "collate_pairs",
    "teacher_forcing_at",
    "train_epoch",
    "decode",
    "train_seq2seq",
]


def build_network(
    *,
    source_vocab: int,
    target_vocab: int,
    embedding_dim: int,
    hidden_size: int,
    num_layers: int,
    cell: str,
    bidirectional: bool,
    dropout: float,
    attention: str | None,
    pretrained_rows: tuple[int, int, int] | None = None,
) -> EncoderDecoder:
    """The encoder-decoder of these sizes (its weights drawn from torch's
    global random state). With ``pretrained_rows`` the source embedding is a
    :class:`~sklearn_rnn.nn.PretrainedEmbedding` of these blocks (of
    ``source_vocab`` rows in all), filled by the caller."""
    embedding = None
    if pretrained_rows is not None:
        embedding = PretrainedEmbedding(*pretrained_rows, embedding_dim)
    encoder = RecurrentEncoder(
        source_vocab,
        embedding_dim,
        hidden_size,
        num_layers=num_layers,
        cell=cell,
        bidirectional=bidirectional,
        dropout=dropout,
        embedding=embedding,
    )
    decoder = RecurrentDecoder(
        target_vocab,
        embedding_dim,
        hidden_size,
        num_layers=num_layers,
        cell=cell,
        dropout=dropout,
        condition_size=encoder.output_size,
        memory_size=encoder.output_size if attention is not None else 0,
        attention=attention,
    )
    return EncoderDecoder(encoder, decoder)


class PairDataset(torch.utils.data.Dataset):
    """Source and target id sequences; ``lengths`` (source plus target
    tokens) is what the batches are bucketed and budgeted by."""

    def __init__(self, sources: list[np.ndarray], targets: list[np.ndarray]):
        self.sources = sources
        self.targets = targets
        self.lengths = lengths_of(sources) + lengths_of(targets)

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, i):
        return self.sources[i], self.targets[i]


def _pad(seqs) -> torch.Tensor:
    out = torch.zeros((len(seqs), max(max(map(len, seqs)), 1)), dtype=torch.int64)
    for i, seq in enumerate(seqs):
        out[i, : len(seq)] = torch.from_numpy(np.asarray(seq, dtype=np.int64))
    return out


def collate_pairs(batch):
    """``(source, source_lengths, target_inputs, target_outputs)``: right-padded
    with 0; the target inputs are ``BOS + tokens``, the outputs ``tokens +
    EOS`` (0 at padded steps, which the loss skips)."""
    sources, targets = zip(*batch)
    lengths = torch.tensor([len(s) for s in sources], dtype=torch.int64)
    padded = _pad(targets)
    return _pad(sources), lengths, padded[:, :-1], padded[:, 1:]


def teacher_forcing_at(epoch: int, max_epochs: int, final: float) -> float:
    """Probability of reading the true previous token in ``epoch`` (1-based):
    1 in the first epoch, falling linearly to ``final`` in the last."""
    if max_epochs <= 1:
        return final
    return 1.0 - (1.0 - final) * (epoch - 1) / (max_epochs - 1)


def _sampled_logits(model, source, lengths, inputs, p: float, banned) -> torch.Tensor:
    """Logits of a step-by-step pass in which each step reads the true token
    with probability ``p``, else one drawn from the model's prediction."""
    conditioning = model.encode(source, lengths)
    decoder = model.decoder
    state, step_input, logits = None, inputs[:, 0], []
    for t in range(inputs.shape[1]):
        outputs, state, _ = decoder.features(step_input[:, None], state, **conditioning)
        step_logits = decoder.head(outputs[:, 0])
        logits.append(step_logits)
        if t + 1 < inputs.shape[1]:
            # A copy: detach() and float() share the logits' storage, and
            # banning in place would also write -inf into the scored logits.
            scores = step_logits.detach().float().clone()
            scores[:, list(banned)] = float("-inf")
            drawn = torch.multinomial(torch.softmax(scores, dim=-1), 1)[:, 0]
            truth = inputs[:, t + 1]
            keep = torch.rand(truth.shape, device=truth.device) < p
            # A padded step stays padded: it is never scored either way.
            step_input = torch.where(keep | (truth == 0), truth, drawn)
    return torch.stack(logits, dim=1)


def train_epoch(
    model: EncoderDecoder,
    optimizer,
    batches,
    *,
    clip_grad_norm: float | None,
    device,
    teacher_forcing: float = 1.0,
    banned=(),
    epoch: int | None = None,
    label_smoothing: float = 0.0,
) -> float:
    """One pass over ``batches`` (of :func:`collate_pairs`); the mean loss
    per real target token (nats; the smoothed cross-entropy when
    ``label_smoothing > 0``). ``teacher_forcing < 1`` runs scheduled
    sampling at that probability. A loss that is not finite stops training
    with :func:`~sklearn_rnn._guards.check_finite_loss`'s error."""
    model.train()
    loss_fn = nn.CrossEntropyLoss(
        reduction="sum", ignore_index=0, label_smoothing=label_smoothing
    )
    total, n_tokens = 0.0, 0
    for batch, (source, lengths, inputs, outputs) in enumerate(batches, start=1):
        source, inputs = source.to(device), inputs.to(device)
        outputs = outputs.to(device)
        if teacher_forcing >= 1.0:
            logits = model(source, lengths, inputs)
        else:
            logits = _sampled_logits(
                model, source, lengths, inputs, teacher_forcing, banned
            )
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), outputs.reshape(-1))
        value, count = loss.item(), int((outputs != 0).sum())
        check_finite_loss(value, epoch, batch, optimizer.param_groups[0]["lr"])
        optimizer.zero_grad()
        (loss / max(count, 1)).backward()
        if clip_grad_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
        optimizer.step()
        total += value
        n_tokens += count
    return total / max(n_tokens, 1)


@torch.no_grad()
def decode(
    model: EncoderDecoder,
    sources: list[np.ndarray],
    max_lengths: np.ndarray,
    *,
    bos: int,
    eos: int,
    banned,
    batch_size: int,
    max_tokens: int | None,
    device,
    beam_size: int = 1,
    n_best: int = 1,
    alpha: float = 0.0,
    return_attention: bool = False,
) -> list[list[Hypothesis]]:
    """Decode every source, in chunks of similar length; the hypotheses of
    each source, best first, in the order of ``sources``.

    A chunk holds at most ``batch_size`` sources and at most ``max_tokens``
    padded source tokens times the beams, so memory is that of one chunk
    however many sources there are.
    """
    was_training = model.training
    model.eval()
    lengths = lengths_of(sources)
    order = np.argsort(lengths, kind="stable")
    budget = None if max_tokens is None else max(max_tokens // beam_size, 1)
    results: list = [None] * len(sources)
    for chunk in cut_batches(order, lengths, batch_size, budget):
        source = _pad([sources[i] for i in chunk]).to(device)
        source_lengths = torch.as_tensor(lengths[chunk])
        limits = torch.as_tensor(max_lengths[chunk], device=device)
        common = dict(
            bos=bos,
            eos=eos,
            max_lengths=limits,
            alpha=alpha,
            banned=banned,
            return_attention=return_attention,
        )
        if beam_size == 1:
            found = greedy_search(model, source, source_lengths, **common)
            found = [[h] for h in found]
        else:
            found = beam_search(
                model,
                source,
                source_lengths,
                beam_size=beam_size,
                n_best=n_best,
                **common,
            )
        for i, hypotheses in zip(chunk.tolist(), found):
            results[i] = hypotheses
    model.train(was_training)
    return results


def train_seq2seq(
    model: EncoderDecoder,
    train: PairDataset,
    valid: tuple[list[np.ndarray], list[list[list[int]]], np.ndarray] | None,
    *,
    optimizer,
    max_epochs: int,
    batch_size: int,
    max_tokens: int | None,
    clip_grad_norm: float | None,
    teacher_forcing: float,
    patience: int,
    bos: int,
    eos: int,
    banned,
    device,
    rng: np.random.Generator,
    verbose: int = 0,
    label_smoothing: float = 0.0,
    lr_decay: float = 1.0,
    lr_decay_start: int | None = None,
) -> tuple[History, int]:
    """Train ``model`` (built and seeded by the caller), with early stopping
    when ``valid`` is given: its sources, the reference targets of each (id
    lists, several when a source has several targets) and the length cap of
    each decode. After an epoch whose validation error is not the best so
    far, and after every epoch from ``lr_decay_start`` on, every learning
    rate of ``optimizer`` is multiplied by ``lr_decay`` (once an epoch).
    Returns the history (``train_loss``, ``valid_ter``, ``teacher_forcing``,
    ``lr``, ``dur`` per epoch) and the epoch whose weights the model holds."""
    history = History()
    best_ter, best_epoch = math.inf, 0
    with closing(BestWeights()) as best, flushing_denormals():
        for epoch in range(1, max_epochs + 1):
            start = time.perf_counter()
            p = teacher_forcing_at(epoch, max_epochs, teacher_forcing)
            loader = make_loader(
                train,
                batch_size=batch_size,
                shuffle=True,
                generator=rng,
                max_tokens=max_tokens,
                collate_fn=collate_pairs,
            )
            loss = train_epoch(
                model,
                optimizer,
                loader,
                clip_grad_norm=clip_grad_norm,
                device=device,
                teacher_forcing=p,
                banned=banned,
                epoch=epoch,
                label_smoothing=label_smoothing,
            )
            history.new_epoch()
            history.record("epoch", epoch)
            history.record("train_loss", loss)
            history.record("teacher_forcing", p)
            history.record("lr", optimizer.param_groups[0]["lr"])
            if valid is not None:
                sources, references, limits = valid
                decoded = decode(
                    model,
                    sources,
                    limits,
                    bos=bos,
                    eos=eos,
                    banned=banned,
                    batch_size=batch_size,
                    max_tokens=max_tokens,
                    device=device,
                )
                ter = token_error_rate(references, [h[0].tokens for h in decoded])
                history.record("valid_ter", ter)
                improved = ter < best_ter
                if improved:
                    best_ter, best_epoch = ter, epoch
                    best.save(model)
            scheduled = lr_decay_start is not None and epoch >= lr_decay_start
            if scheduled or (valid is not None and not improved):
                decay_learning_rate(optimizer, lr_decay)
            history.record("dur", time.perf_counter() - start)
            if verbose:
                row = history[-1]
                shown = f"  valid_ter {row['valid_ter']:.4f}" if valid else ""
                print(
                    f"epoch {epoch:3d}  train_loss {loss:.4f}{shown}"
                    f"  dur {row['dur']:.1f} s",
                    flush=True,
                )
            if valid is not None and epoch - best_epoch >= patience:
                break
        if best.saved:
            best.restore(model)
    model.eval()
    return history, best_epoch if valid is not None else len(history)
