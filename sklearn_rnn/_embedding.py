"""From token ids to the rows of a network's embedding.

An estimator's embedding is learned from scratch, given as a matrix
(``embeddings=``), or initialised from pretrained vectors (``vectors=``).
:func:`plan_rows` decides, for one training set, how many rows the network
needs and which row each token id reads, so that the estimators only pass
the result on.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import torch

from ._tokenize import numbered_by_frequency
from ._validation import id_table_size, max_token_id
from .nn import PretrainedEmbedding
from .vectors import WordVectors

__all__ = [
    "VECTOR_ID_OFFSET",
    "EmbeddingPlan",
    "plan_embedding",
    "RowPlan",
    "plan_rows",
    "plan_given_rows",
    "DEFAULT_EMBEDDING_DIM",
    "embedding_learning_rate",
]

#: Embedding size when neither ``embedding_dim`` nor vectors give one.
DEFAULT_EMBEDDING_DIM = 128

#: ``embedding_lr="auto"`` with vectors: this many times ``lr``.
VECTORS_LR_FACTOR = 3

#: Below this share of training tokens with a vector, fitting warns.
LOW_COVERAGE = 0.5


#: With vectors, :class:`~sklearn_rnn.VocabularyIndexer` gives the word in row
#: ``r`` of the vectors the id ``VECTOR_ID_OFFSET + r`` (ids 0 and 1 are
#: ``<pad>`` and ``<unk>``); tokens of the training data without a vector
#: follow from ``VECTOR_ID_OFFSET + len(vectors)``. The classifiers read the
#: ids the same way, so neither the vocabulary nor the dimension is typed twice.
VECTOR_ID_OFFSET = 2


class EmbeddingPlan(NamedTuple):
    """Rows of an embedding initialised from vectors, for one training set.

    The rows come in three blocks: ``n_learned`` rows learned from scratch
    (``<pad>``, ``<unk>`` and training tokens without a vector), then the
    vectors of the training tokens that have one (``tuned``: fine-tuned or
    frozen), then the vectors of all other words (``frozen``: never seen in
    training, read as they are at prediction). ``id_map[i]`` is the row of
    token id ``i``.
    """

    id_map: np.ndarray
    n_learned: int
    tuned: np.ndarray
    frozen: np.ndarray
    type_coverage: float
    token_coverage: float


def plan_embedding(vectors: WordVectors, sequences: list[np.ndarray]) -> EmbeddingPlan:
    """The :class:`EmbeddingPlan` of training ``sequences`` (pads removed).

    Raises a ValueError when no training token has a vector: the ids were
    then not made by an indexer given the same vectors, or the vectors do
    not fit the text.
    """
    n_vectors = len(vectors)
    first_other = VECTOR_ID_OFFSET + n_vectors
    flat = np.concatenate([np.asarray(s, dtype=np.int64) for s in sequences])
    flat = flat[flat != 0]
    size = max(first_other, int(flat.max()) + 1 if flat.size else 0)
    counts = np.bincount(flat, minlength=size)
    seen = np.flatnonzero(counts)
    with_vector = seen[(seen >= VECTOR_ID_OFFSET) & (seen < first_other)]
    without = seen[seen >= first_other]
    if with_vector.size == 0:
        raise ValueError(
            f"None of the {without.size} distinct training tokens has a vector "
            f"(vectors: {vectors!r}). The token ids must come from "
            "VocabularyIndexer(vectors=...) with the same vectors, as "
            "make_rnn_pipeline(vectors=...) builds it; check also the case "
            "(GloVe is lower-cased) and the tokenization."
        )
    if numbered_by_frequency(counts):
        # the ids of an indexer that learned its vocabulary without these
        # vectors: the usual slip of giving the vectors to the classifier only
        raise ValueError(
            "The token ids look like those of a VocabularyIndexer without "
            "vectors (every id from 2 up, most frequent first), so they are "
            f"not rows of {vectors!r}. Give the indexer the same vectors "
            "(make_rnn_pipeline(vectors=...) does)."
        )
    learned = np.concatenate([[0, 1], without])
    unseen = np.ones(first_other, dtype=bool)
    unseen[:VECTOR_ID_OFFSET] = False
    unseen[with_vector] = False
    frozen_ids = np.flatnonzero(unseen)
    id_map = np.ones(size, dtype=np.int64)  # ids without a row read as <unk>
    order = np.concatenate([learned, with_vector, frozen_ids])
    id_map[order] = np.arange(order.size)
    rows = vectors.vectors
    n_types = with_vector.size + without.size
    n_tokens = int(counts[1:].sum())
    return EmbeddingPlan(
        id_map=id_map,
        n_learned=learned.size,
        tuned=rows[with_vector - VECTOR_ID_OFFSET],
        frozen=rows[frozen_ids - VECTOR_ID_OFFSET],
        type_coverage=with_vector.size / n_types,
        token_coverage=int(counts[with_vector].sum()) / n_tokens,
    )


@dataclass
class RowPlan:
    """How token ids map to embedding rows, and what fills those rows.

    Attributes
    ----------
    id_map : ndarray of int64
        ``id_map[i]`` is the row read for token id ``i``; larger ids read the
        ``<unk>`` row (1).
    module_params : dict
        Keyword arguments of the network that size its embedding.
    tuned, frozen : Tensor or None
        With vectors, what :meth:`~sklearn_rnn.nn.PretrainedEmbedding.
        load_vectors` copies into the network once it is built.
    coverage : dict or None
        With vectors, the share of training token types (``"types"``) and of
        training tokens (``"tokens"``) that have a vector.
    """

    id_map: np.ndarray
    module_params: dict
    tuned: torch.Tensor | None = None
    frozen: torch.Tensor | None = None
    coverage: dict | None = field(default=None)

    def to_rows(self, seqs: list[np.ndarray]) -> list[np.ndarray]:
        """The row sequences of id sequences (pads already removed)."""
        lookup = self.id_map
        n = lookup.size
        return [lookup[np.where(s < n, s, 1)] for s in seqs]

    def for_prediction(self) -> RowPlan:
        """The same plan without what only building the network needed."""
        return RowPlan(id_map=self.id_map, module_params={}, coverage=self.coverage)

    def fill(self, network: torch.nn.Module) -> None:
        """Copy the pretrained vectors into the built network's embedding."""
        if self.tuned is None:
            return
        for module in network.modules():
            if isinstance(module, PretrainedEmbedding):
                module.load_vectors(self.tuned, self.frozen)


def _dimension(embedding_dim: int | None, given: int, what: str) -> int:
    if embedding_dim is not None and embedding_dim != given:
        raise ValueError(
            f"embedding_dim={embedding_dim} clashes with the {given}-dimensional "
            f"{what}; leave embedding_dim=None to take theirs."
        )
    return given


def plan_rows(
    seqs: list[np.ndarray],
    *,
    vectors: WordVectors | None,
    embeddings,
    embedding_dim: int | None,
    default_dim: int = DEFAULT_EMBEDDING_DIM,
) -> RowPlan:
    """The :class:`RowPlan` of training sequences ``seqs`` (pads removed).

    ``embedding_dim=None`` takes the dimension of the vectors or of the
    matrix, else ``default_dim``.
    """
    if vectors is not None and embeddings is not None:
        raise ValueError("Pass either vectors or an embeddings matrix, not both.")
    if vectors is not None:
        dim = _dimension(embedding_dim, vectors.dim, f"vectors ({vectors!r})")
        id_table_size(seqs, 16, "id map")  # counts and rows per id, int64
        plan = plan_embedding(vectors, seqs)
        coverage = {"types": plan.type_coverage, "tokens": plan.token_coverage}
        if plan.token_coverage < LOW_COVERAGE:
            warnings.warn(
                f"Only {plan.token_coverage:.0%} of the training tokens have a "
                "pretrained vector. Check that the indexer lower-cases as the "
                "vectors do (GloVe is lower-cased) and tokenizes as they were "
                "made.",
                UserWarning,
                stacklevel=3,
            )
        rows = (plan.n_learned, len(plan.tuned), len(plan.frozen))
        return RowPlan(
            id_map=plan.id_map,
            module_params={
                "vocab_size": sum(rows),
                "embedding_dim": dim,
                "pretrained_rows": rows,
            },
            tuned=torch.from_numpy(np.array(plan.tuned)),
            frozen=torch.from_numpy(np.array(plan.frozen, dtype=np.float16)),
            coverage=coverage,
        )
    if embeddings is not None:
        matrix = np.asarray(embeddings, dtype=np.float32)
        if matrix.ndim != 2:
            raise ValueError(
                f"embeddings must be 2-D (vocab_size, embedding_dim); got shape "
                f"{matrix.shape}."
            )
        max_id = max_token_id(seqs)
        if matrix.shape[0] <= max_id:
            raise ValueError(
                f"embeddings has {matrix.shape[0]} rows but the data holds token "
                f"id {max_id}; it needs a row for every id of the vocabulary."
            )
        dim = _dimension(embedding_dim, matrix.shape[1], "embeddings matrix")
        return RowPlan(
            id_map=np.arange(matrix.shape[0]),
            module_params={
                "vocab_size": matrix.shape[0],
                "embedding_dim": dim,
                "embeddings": torch.from_numpy(matrix),
            },
        )
    dim = embedding_dim or default_dim
    # weights, gradient and Adam's two moments in float32, and the id map
    vocab_size = id_table_size(seqs, 16 * dim + 8, "embedding")
    return RowPlan(
        id_map=np.arange(vocab_size),
        module_params={
            "vocab_size": vocab_size,
            "embedding_dim": dim,
        },
    )


def plan_given_rows(
    ids: np.ndarray, rows: np.ndarray, size: int, embedding_dim: int | None
) -> RowPlan:
    """The :class:`RowPlan` of an embedding given for the token ids ``ids``
    only (row ``k`` for id ``ids[k]``; ``ids`` starts with 0 and 1): the ids
    of ``0 .. size - 1`` not among them read the ``<unk>`` row, so the table
    grows with the ids seen, not with the largest one."""
    dim = _dimension(embedding_dim, rows.shape[1], "language model's embedding")
    id_map = np.ones(size, dtype=np.int64)
    id_map[ids] = np.arange(ids.size)
    return RowPlan(
        id_map=id_map,
        module_params={
            "vocab_size": ids.size,
            "embedding_dim": dim,
            "embeddings": torch.from_numpy(np.ascontiguousarray(rows)),
        },
    )


def embedding_learning_rate(embedding_lr, lr: float, vectors) -> float:
    """The embedding's learning rate for an ``embedding_lr`` parameter.

    ``"auto"`` is ``VECTORS_LR_FACTOR * lr`` with ``vectors`` (they spread
    about 20 times wider than a random start, and Adam's steps do not grow
    with the scale) and ``lr`` otherwise; None is ``lr``.
    """
    if embedding_lr == "auto":
        return VECTORS_LR_FACTOR * lr if vectors is not None else lr
    return lr if embedding_lr is None else embedding_lr
