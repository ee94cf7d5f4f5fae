"""Feeding variable-length id sequences to PyTorch: dataset, batches, padding.

Batches are right-padded only to their own longest document, and training
batches are formed from documents of similar length (length bucketing), so
little work is spent on padding. A batch holds at most ``batch_size``
documents and, optionally, at most ``max_tokens`` padded tokens (its
documents times its longest document, as fairseq's ``max_tokens``), so the
memory of a step is bounded whatever the mix of lengths. A document longer
than such a budget is cut to it beforehand (:func:`truncate_sequences`,
:func:`split_long`), with a :class:`TruncationWarning`. For truncated
backpropagation through time (the character generator) the texts are laid
end to end in parallel streams instead, read a chunk at a time.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

__all__ = [
    "IGNORE_INDEX",
    "TruncationWarning",
    "warn_truncated",
    "truncate_sequences",
    "cap_to_budget",
    "split_long",
    "split_to_budget",
    "join_pieces",
    "SequenceDataset",
    "collate_sequences",
    "cut_batches",
    "LengthBucketSampler",
    "make_loader",
    "split_by_lengths",
    "lengths_of",
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


def lengths_of(sequences) -> np.ndarray:
    """The length of each sequence, as an ``int64`` array."""
    return np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))


# -- length caps -----------------------------------------------------------------
class TruncationWarning(UserWarning):
    """Documents longer than a length cap were cut to it.

    Raised by :class:`~sklearn_rnn.SequencePadder` (its ``max_len_``) and by
    the recurrent estimators (their ``max_batch_tokens``). The message says
    how many documents were cut, the longest length, and how to change the
    cap. Silence it with ``warnings.simplefilter("ignore", TruncationWarning)``.
    """


def warn_truncated(
    lengths: np.ndarray,
    limit: int,
    *,
    source: str,
    what: str,
    advice: str,
    stacklevel: int = 2,
) -> None:
    """Warn, in one line, about the ``lengths`` above ``limit``, if any.

    ``source`` names the estimator, ``what`` says what happened to the long
    documents (e.g. "were truncated to their first 80"), ``advice`` how to
    change the cap.
    """
    lengths = np.asarray(lengths)
    n_long = int((lengths > limit).sum())
    if not n_long:
        return
    warnings.warn(
        f"{source}: {n_long} of {lengths.size} documents are longer than "
        f"{limit} tokens and {what} (the longest has {int(lengths.max())} "
        f"tokens); {advice}",
        TruncationWarning,
        stacklevel=stacklevel + 1,
    )


def truncate_sequences(
    sequences: list[np.ndarray],
    limit: int | None,
    *,
    keep_end: bool,
    source: str,
    advice: str,
    stacklevel: int = 2,
) -> list[np.ndarray]:
    """Cut the sequences longer than ``limit`` to it, with a warning.

    ``keep_end`` keeps their last ``limit`` tokens, else their first.
    ``limit=None`` returns ``sequences`` as they are. ``source`` and
    ``advice`` are as in :func:`warn_truncated`.
    """
    if limit is None:
        return sequences
    lengths = lengths_of(sequences)
    if lengths.size == 0 or lengths.max() <= limit:
        return sequences
    end = "last" if keep_end else "first"
    warn_truncated(
        lengths,
        limit,
        source=source,
        what=f"were truncated to their {end} {limit}",
        advice=advice,
        stacklevel=stacklevel + 1,
    )
    cut = slice(-limit, None) if keep_end else slice(0, limit)
    return [s[cut] if len(s) > limit else s for s in sequences]


def cap_to_budget(
    sequences: list[np.ndarray], max_tokens: int | None, estimator
) -> list[np.ndarray]:
    """The documents, those longer than an ``estimator``'s ``max_batch_tokens``
    (``max_tokens``) cut to their last ``max_tokens`` tokens, with a warning."""
    return truncate_sequences(
        sequences,
        max_tokens,
        keep_end=True,
        source=type(estimator).__name__,
        advice="raise max_batch_tokens (or None) to read more of them; the memory "
        "of a batch grows with it.",
        stacklevel=4,
    )


def split_long(
    sequences: list[np.ndarray], limit: int | None
) -> tuple[list[np.ndarray], np.ndarray]:
    """Cut each sequence longer than ``limit`` into consecutive pieces.

    Every piece but a sequence's last holds ``limit`` items. Returns the
    pieces, in order, and for each the index of the sequence it comes from
    (:func:`join_pieces` puts them back together); ``limit=None`` cuts
    nothing.
    """
    if limit is None or all(len(s) <= limit for s in sequences):
        return sequences, np.arange(len(sequences))
    pieces, owners = [], []
    for i, seq in enumerate(sequences):
        for start in range(0, max(len(seq), 1), limit):
            pieces.append(seq[start : start + limit])
            owners.append(i)
    return pieces, np.array(owners, dtype=np.int64)


def split_to_budget(
    sequences: list[np.ndarray], max_tokens: int | None, estimator
) -> tuple[list[np.ndarray], np.ndarray]:
    """:func:`split_long` at an ``estimator``'s ``max_batch_tokens``
    (``max_tokens``), with a warning when it cuts."""
    if max_tokens is not None:
        warn_truncated(
            lengths_of(sequences),
            max_tokens,
            source=type(estimator).__name__,
            what=f"are read in pieces of at most {max_tokens}, each without the "
            "others' context",
            advice="raise max_batch_tokens (or None) to read them whole; the "
            "memory of a batch grows with it.",
            stacklevel=3,
        )
    return split_long(sequences, max_tokens)


def join_pieces(pieces: list[np.ndarray], owners: np.ndarray, n: int) -> list:
    """Undo :func:`split_long`: the pieces of each of ``n`` sequences,
    concatenated in order (arrays of any shape, joined on their first axis)."""
    groups = [[] for _ in range(n)]
    for piece, owner in zip(pieces, owners.tolist()):
        groups[owner].append(piece)
    return [g[0] if len(g) == 1 else np.concatenate(g) for g in groups]


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
        self.lengths = lengths_of(sequences)

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


def cut_batches(
    order: np.ndarray,
    lengths: np.ndarray,
    batch_size: int,
    max_tokens: int | None = None,
) -> list[np.ndarray]:
    """Cut ``order`` (dataset indices) into consecutive batches.

    A batch holds at most ``batch_size`` documents and, with ``max_tokens``,
    at most that many padded tokens: its documents times its longest one
    (an empty document counts as one token, as it is padded to one). A
    document longer than ``max_tokens`` makes a batch of its own.
    """
    n = len(order)
    longest = max(int(lengths[order].max()), 1) if n else 1
    if max_tokens is None or longest * batch_size <= max_tokens:
        return [order[i : i + batch_size] for i in range(0, n, batch_size)]
    batches, start, longest = [], 0, 0
    for i, length in enumerate(np.maximum(lengths[order], 1).tolist()):
        longest = max(longest, length)
        size = i - start + 1
        if size > 1 and (size > batch_size or size * longest > max_tokens):
            batches.append(order[start:i])
            start, longest = i, length
    batches.append(order[start:])
    return batches


class LengthBucketSampler(Sampler):
    """Yield lists of indices forming batches.

    Without shuffling, batches are consecutive runs of the dataset's order.
    With shuffling and bucketing, indices are shuffled, sorted by length
    within pools of ``POOL_BATCHES`` times ``batch_size`` documents, cut into
    batches, and the batches shuffled; without bucketing, a plain shuffled
    split. Batches hold at most ``batch_size`` documents and at most
    ``max_tokens`` padded tokens (None: no token budget); see
    :func:`cut_batches`.
    """

    def __init__(
        self,
        lengths: np.ndarray,
        batch_size: int,
        shuffle: bool = False,
        bucketing: bool = True,
        generator: np.random.Generator | None = None,
        max_tokens: int | None = None,
    ):
        self.lengths = lengths
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.bucketing = bucketing
        self.generator = generator
        self.max_tokens = max_tokens

    def _cut(self, order: np.ndarray) -> list[np.ndarray]:
        return cut_batches(order, self.lengths, self.batch_size, self.max_tokens)

    def _batches(self) -> list[np.ndarray]:
        n = len(self.lengths)
        if not self.shuffle:
            return self._cut(np.arange(n))
        rng = self.generator if self.generator is not None else np.random.default_rng()
        order = rng.permutation(n)
        if not self.bucketing:
            return self._cut(order)
        pool = self.batch_size * POOL_BATCHES
        batches = []
        for chunk in np.split(order, range(pool, n, pool)):
            batches += self._cut(chunk[np.argsort(self.lengths[chunk], kind="stable")])
        return [batches[j] for j in rng.permutation(len(batches))]

    def __iter__(self):
        for batch in self._batches():
            yield batch.tolist()

    def __len__(self) -> int:
        """The number of batches: exact without shuffling; with it, that of
        the documents sorted by length (the count varies with the shuffle
        once ``max_tokens`` binds)."""
        order = np.arange(len(self.lengths))
        if self.shuffle:
            order = np.argsort(self.lengths, kind="stable")
        return len(self._cut(order))


def make_loader(
    dataset: SequenceDataset,
    batch_size: int = 64,
    shuffle: bool = False,
    bucketing: bool = True,
    generator: np.random.Generator | None = None,
    max_tokens: int | None = None,
    collate_fn=collate_sequences,
    **loader_params,
) -> DataLoader:
    """A :class:`~torch.utils.data.DataLoader` over length-bucketed batches.

    Its signature matches what skorch passes to ``iterator_train`` /
    ``iterator_valid``; ``max_tokens`` bounds the padded tokens of a batch
    (see :class:`LengthBucketSampler`); extra ``loader_params``
    (``num_workers``...) go to the DataLoader.
    """
    sampler = LengthBucketSampler(
        dataset.lengths,
        batch_size,
        shuffle=shuffle,
        bucketing=bucketing,
        generator=generator,
        max_tokens=max_tokens,
    )
    return DataLoader(
        dataset, batch_sampler=sampler, collate_fn=collate_fn, **loader_params
    )


# -- streams for truncated backpropagation through time ----------------------------
def split_into_streams(
    sequences: list[np.ndarray], max_streams: int, bptt_steps: int
) -> tuple[list[np.ndarray], int, np.ndarray]:
    """Training pieces of at most one stream's share, the stream count, and
    the index of the sequence each piece comes from.

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
    owners = [
        (i, start)
        for i, seq in enumerate(sequences)
        for start in range(0, len(seq) - 1, limit)
    ]
    pieces = [sequences[i][start : start + limit + 1] for i, start in owners]
    return pieces, n_streams, np.array([i for i, _ in owners], dtype=np.int64)


def lay_out_streams(
    pieces: list[np.ndarray],
    n_streams: int,
    bptt_steps: int,
    rng,
    piece_labels: np.ndarray | None = None,
) -> tuple[torch.Tensor, torch.Tensor, np.ndarray, torch.Tensor | None]:
    """Lay the pieces end to end, in a random order, in parallel streams.

    Each piece fills whole chunks of ``bptt_steps`` (the last one padded),
    so a piece always starts a chunk. Returns inputs and targets of shape
    ``(n_streams, n_chunks * bptt_steps)``, ``starts`` of shape
    ``(n_streams, n_chunks)``: whether a stream begins a new piece at
    that chunk, where its state is reset, and the label each stream reads
    at each chunk, ``(n_streams, n_chunks)`` int64 (0 in padding chunks),
    taken from ``piece_labels`` (one per piece), or None without them.
    """
    steps = bptt_steps
    sizes = [math.ceil((len(p) - 1) / steps) for p in pieces]
    streams = [[] for _ in range(n_streams)]
    loads = np.zeros(n_streams, dtype=np.int64)
    # Longest first, each to the stream that ends first, keeps the streams
    # of one length (a long piece placed last would leave the others
    # padding); ties go in random order, and each stream then reads its
    # pieces in the random order, not by size.
    order = rng.permutation(len(pieces))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    by_size = order[np.argsort(-np.asarray(sizes)[order], kind="stable")]
    for i in by_size:
        k = int(np.argmin(loads))  # the stream that ends first
        streams[k].append(i)
        loads[k] += sizes[i]
    for members in streams:
        members.sort(key=rank.__getitem__)
    n_chunks = int(loads.max())
    inputs = np.zeros((n_streams, n_chunks * steps), dtype=np.int64)
    targets = np.zeros_like(inputs)
    starts = np.zeros((n_streams, n_chunks), dtype=bool)
    labels = np.zeros((n_streams, n_chunks), dtype=np.int64)
    for k, members in enumerate(streams):
        chunk = 0
        for i in members:
            piece, at = pieces[i], chunk * steps
            inputs[k, at : at + len(piece) - 1] = piece[:-1]
            targets[k, at : at + len(piece) - 1] = piece[1:]
            starts[k, chunk] = True
            if piece_labels is not None:
                labels[k, chunk : chunk + sizes[i]] = piece_labels[i]
            chunk += sizes[i]
    chunk_labels = None if piece_labels is None else torch.from_numpy(labels)
    return torch.from_numpy(inputs), torch.from_numpy(targets), starts, chunk_labels
