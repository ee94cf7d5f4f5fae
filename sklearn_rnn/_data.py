"""Feeding variable-length id sequences to PyTorch: dataset, batches, padding.

Batches are right-padded only to their own longest document, and training
batches are formed from documents of similar length (length bucketing), so
little work is spent on padding. For truncated backpropagation through time
(the character generator) the texts are laid end to end in parallel streams
instead, read a chunk at a time.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

__all__ = [
    "IGNORE_INDEX",
    "SequenceDataset",
    "collate_sequences",
    "LengthBucketSampler",
    "make_loader",
    "split_by_lengths",
    "split_into_streams",
    "lay_out_streams",
]

#: Target of a padded position in per-token targets: the loss and the
#: accuracy skip it (PyTorch's cross-entropy default ``ignore_index``).
IGNORE_INDEX = -100

#: Documents are shuffled, then sorted by length inside pools of this many
#: batches: batches hold similar lengths while their make-up still varies.
POOL_BATCHES = 50


def split_by_lengths(flat: np.ndarray, lengths) -> list[np.ndarray]:
    """Cut a flat array into consecutive pieces of the given lengths."""
    ends = np.cumsum(lengths, dtype=np.int64).tolist()
    return [flat[start:end] for start, end in zip([0, *ends[:-1]], ends)]


class SequenceDataset(Dataset):
    """Ragged id sequences with optional integer targets and sample weights."""

    def __init__(
        self,
        sequences: list[np.ndarray],
        y: np.ndarray | None = None,
        weights: np.ndarray | None = None,
    ):
        self.sequences = sequences
        self.y = y
        self.weights = weights
        self.lengths = np.fromiter(
            (len(s) for s in sequences), dtype=np.int64, count=len(sequences)
        )

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, i):
        target = -1 if self.y is None else self.y[i]
        if self.weights is None:
            return self.sequences[i], target
        return self.sequences[i], target, self.weights[i]


def collate_sequences(batch):
    """Right-pad a list of ``(ids, target)`` pairs into tensors.

    ``ids`` is a 1-D array of token ids, or a 2-D ``(n_tokens, width)`` array
    of per-token features. ``target`` is one label (a document's class) or a
    1-D array with one label per token, padded with ``IGNORE_INDEX``.
    Returns ``({"tokens": (B, T[, width]) int64, "lengths": (B,) int64},
    targets)`` where ``T`` is the longest sequence of this batch (at least 1).
    Items ``(ids, target, weight)`` add ``"sample_weight"`` (B,) float32.
    """
    weights = None
    if len(batch[0]) == 3:
        *batch, weights = zip(*batch)
        batch = list(zip(*batch))
    seqs, targets = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    shape = (len(seqs), max(int(lengths.max()), 1))
    if np.ndim(seqs[0]) == 2:
        shape += (max(np.shape(s)[1] for s in seqs),)
    tokens = torch.zeros(shape, dtype=torch.int64)
    for i, seq in enumerate(seqs):
        seq = torch.from_numpy(np.asarray(seq, dtype=np.int64))
        tokens[(i, *(slice(0, n) for n in seq.shape))] = seq
    features = {"tokens": tokens, "lengths": lengths}
    if weights is not None:
        features["sample_weight"] = torch.tensor(weights, dtype=torch.float32)
    if np.ndim(targets[0]) == 0:
        return features, torch.as_tensor(targets)
    padded = torch.full(shape[:2], IGNORE_INDEX, dtype=torch.int64)
    for i, target in enumerate(targets):
        padded[i, : len(target)] = torch.as_tensor(target, dtype=torch.int64)
    return features, padded


class LengthBucketSampler(Sampler):
    """Yield lists of indices forming batches.

    Without shuffling, batches are consecutive runs of the dataset's order.
    With shuffling and bucketing, indices are shuffled, sorted by length
    within pools of ``POOL_BATCHES`` batches, cut into batches, and the
    batches shuffled; without bucketing, a plain shuffled split.
    """

    def __init__(
        self,
        lengths: np.ndarray,
        batch_size: int,
        shuffle: bool = False,
        bucketing: bool = True,
        generator: np.random.Generator | None = None,
    ):
        self.lengths = lengths
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.bucketing = bucketing
        self.generator = generator

    def _batches(self) -> list[np.ndarray]:
        n = len(self.lengths)
        size = self.batch_size
        if not self.shuffle:
            return [np.arange(i, min(i + size, n)) for i in range(0, n, size)]
        rng = self.generator if self.generator is not None else np.random.default_rng()
        order = rng.permutation(n)
        if self.bucketing:
            pool = size * POOL_BATCHES
            order = np.concatenate(
                [
                    chunk[np.argsort(self.lengths[chunk], kind="stable")]
                    for chunk in np.split(order, range(pool, n, pool))
                ]
            )
        batches = [order[i : i + size] for i in range(0, n, size)]
        if self.bucketing:
            batches = [batches[j] for j in rng.permutation(len(batches))]
        return batches

    def __iter__(self):
        for batch in self._batches():
            yield batch.tolist()

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)


def make_loader(
    dataset: SequenceDataset,
    batch_size: int = 64,
    shuffle: bool = False,
    bucketing: bool = True,
    generator: np.random.Generator | None = None,
    collate_fn=collate_sequences,
    **loader_params,
) -> DataLoader:
    """A :class:`~torch.utils.data.DataLoader` over length-bucketed batches.

    Its signature matches what skorch passes to ``iterator_train`` /
    ``iterator_valid``; extra ``loader_params`` (``num_workers``...) go to
    the DataLoader.
    """
    sampler = LengthBucketSampler(
        dataset.lengths,
        batch_size,
        shuffle=shuffle,
        bucketing=bucketing,
        generator=generator,
    )
    return DataLoader(
        dataset, batch_sampler=sampler, collate_fn=collate_fn, **loader_params
    )


# -- streams for truncated backpropagation through time ----------------------------
def split_into_streams(
    sequences: list[np.ndarray], max_streams: int, bptt_steps: int
) -> tuple[list[np.ndarray], int]:
    """Training pieces of at most one stream's share, and the stream count.

    A sequence longer than its share of the ``max_streams`` streams (a book,
    say) is cut into pieces, so that the streams share the work.
    """
    n_targets = sum(len(s) - 1 for s in sequences)
    if n_targets < 1:
        raise ValueError(
            "The training text is too short: it needs at least one "
            "character besides the separators."
        )
    n_streams = max(min(max_streams, n_targets), 1)
    limit = max(bptt_steps, math.ceil(n_targets / n_streams))
    pieces = [
        seq[start : start + limit + 1]
        for seq in sequences
        for start in range(0, len(seq) - 1, limit)
    ]
    return pieces, n_streams


def lay_out_streams(
    pieces: list[np.ndarray], n_streams: int, bptt_steps: int, rng
) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """Lay the pieces end to end, in a random order, in parallel streams.

    Each piece fills whole chunks of ``bptt_steps`` (the last one padded),
    so a piece always starts a chunk. Returns inputs and targets of shape
    ``(n_streams, n_chunks * bptt_steps)`` and ``starts`` of shape
    ``(n_streams, n_chunks)``: whether a stream begins a new piece at
    that chunk, where its state is reset to zeros.
    """
    steps = bptt_steps
    sizes = [math.ceil((len(p) - 1) / steps) for p in pieces]
    streams = [[] for _ in range(n_streams)]
    loads = np.zeros(n_streams, dtype=np.int64)
    for i in rng.permutation(len(pieces)):
        k = int(np.argmin(loads))  # the stream that ends first
        streams[k].append(i)
        loads[k] += sizes[i]
    n_chunks = int(loads.max())
    inputs = np.zeros((n_streams, n_chunks * steps), dtype=np.int64)
    targets = np.zeros_like(inputs)
    starts = np.zeros((n_streams, n_chunks), dtype=bool)
    for k, members in enumerate(streams):
        chunk = 0
        for i in members:
            piece, at = pieces[i], chunk * steps
            inputs[k, at : at + len(piece) - 1] = piece[:-1]
            targets[k, at : at + len(piece) - 1] = piece[1:]
            starts[k, chunk] = True
            chunk += sizes[i]
    return torch.from_numpy(inputs), torch.from_numpy(targets), starts
