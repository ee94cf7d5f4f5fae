"""Feeding variable-length id sequences to PyTorch: dataset, batches, padding.

Batches are right-padded only to their own longest document, and training
batches are formed from documents of similar length (length bucketing), so
little work is spent on padding.
"""

from __future__ import annotations

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
    """Ragged id sequences with optional integer targets."""

    def __init__(self, sequences: list[np.ndarray], y: np.ndarray | None = None):
        self.sequences = sequences
        self.y = y
        self.lengths = np.fromiter(
            (len(s) for s in sequences), dtype=np.int64, count=len(sequences)
        )

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, i):
        target = -1 if self.y is None else self.y[i]
        return self.sequences[i], target


def collate_sequences(batch):
    """Right-pad a list of ``(ids, target)`` pairs into tensors.

    ``ids`` is a 1-D array of token ids, or a 2-D ``(n_tokens, width)`` array
    of per-token features. ``target`` is one label (a document's class) or a
    1-D array with one label per token, padded with ``IGNORE_INDEX``.
    Returns ``({"tokens": (B, T[, width]) int64, "lengths": (B,) int64},
    targets)`` where ``T`` is the longest sequence of this batch (at least 1).
    """
    seqs, targets = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    shape = (len(seqs), max(int(lengths.max()), 1))
    if np.ndim(seqs[0]) == 2:
        shape += (max(np.shape(s)[1] for s in seqs),)
    tokens = torch.zeros(shape, dtype=torch.int64)
    for i, seq in enumerate(seqs):
        seq = torch.from_numpy(np.asarray(seq, dtype=np.int64))
        tokens[(i, *(slice(0, n) for n in seq.shape))] = seq
    if np.ndim(targets[0]) == 0:
        return {"tokens": tokens, "lengths": lengths}, torch.as_tensor(targets)
    padded = torch.full(shape[:2], IGNORE_INDEX, dtype=torch.int64)
    for i, target in enumerate(targets):
        padded[i, : len(target)] = torch.as_tensor(target, dtype=torch.int64)
    return {"tokens": tokens, "lengths": lengths}, padded


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
