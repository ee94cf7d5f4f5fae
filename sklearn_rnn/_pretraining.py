"""Start a classifier from a recurrent language model (Dai & Le 2015, ULMFiT).

:func:`pretrained_weights` gives, for one fit of
:class:`~sklearn_rnn.RNNClassifier`, the embedding matrix and the recurrent
layers' weights that the classifier starts from:

- an unfitted :class:`~sklearn_rnn.RNNLanguageModel` is cloned and fitted
  on that fit's own training documents, read as the classifier reads them:
  each token id ``i`` becomes the token ``str(i)``, so that the language
  model's vocabulary maps to the classifier's ids by construction (nothing
  to wire by hand, and never the documents being scored);
- a fitted one is used as it is. Its vocabulary is either such id tokens
  (a language model that a classifier fitted, ``language_model_``) or words,
  and then the ids must be the language model's own: the indexer of
  :func:`~sklearn_rnn.make_rnn_pipeline` is given its vocabulary
  (:func:`indexer_of`). Ids that cannot be the language model's are
  refused.

What is read of a fitted language model is its ``pretrained_state()``:
the state dicts of its embedding and of its recurrent layers, and its
``indexer``. The network side knows nothing of this: the classifier copies
the matrix into its embedding and the state dict into its recurrent layers.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import torch
from sklearn.base import clone

from ._tokenize import numbered_by_frequency
from ._validation import check_has_tokens

__all__ = [
    "LARGE_VOCABULARY",
    "Pretrained",
    "check_same_shape",
    "fitted_language_model",
    "indexer_of",
    "language_model_shape",
    "load_rnn_state",
    "pretrained_weights",
]

#: Above this many embedding rows taken from a language model, fitting warns:
#: the classifier's embedding, its gradient and Adam's two moments cost
#: 16 bytes per row and dimension.
LARGE_VOCABULARY = 1_000_000

#: Gates per recurrent cell: rows of ``weight_hh_l0`` per hidden unit.
_CELL_OF_GATES = {4: "lstm", 3: "gru", 1: "rnn"}


class Pretrained(NamedTuple):
    """What one classifier fit takes from a language model: the embedding
    rows of the classifier ids seen in training (``ids``; the first two are
    0 and 1, ``<pad>`` and ``<unk>``) and the recurrent layers' weights."""

    language_model: object
    ids: np.ndarray
    embeddings: np.ndarray
    rnn_state: dict
    coverage: float


def _inner(language_model):
    """The language model itself, out of a ``FrozenEstimator`` if wrapped."""
    from sklearn.frozen import FrozenEstimator

    if isinstance(language_model, FrozenEstimator):
        return language_model.estimator
    return language_model


def fitted_language_model(language_model):
    """The fitted language model inside ``language_model``, or None."""
    inner = _inner(language_model)
    return inner if hasattr(inner, "module_") else None


def _vocabulary(lm) -> dict:
    return lm.pretrained_state()["indexer"].vocabulary_


def _id_tokens(vocabulary: dict) -> dict[int, int]:
    """Classifier id -> language-model id, for a vocabulary of id tokens."""
    return {int(tok): j for tok, j in vocabulary.items() if tok.isdecimal()}


def _reads_ids(vocabulary: dict) -> bool:
    """Whether a vocabulary holds token ids written as tokens (and specials)."""
    words = [tok for tok in vocabulary if not tok.startswith("<")]
    return bool(words) and all(tok.isdecimal() for tok in words)


def language_model_shape(lm) -> dict:
    """``cell``, ``hidden_size``, ``num_layers`` and ``embedding_dim`` of a
    fitted language model's recurrent layers, read from their weights."""
    rnn = lm.pretrained_state()["rnn"]
    hidden = rnn["weight_hh_l0"].shape[1]
    return {
        "cell": _CELL_OF_GATES[rnn["weight_hh_l0"].shape[0] // hidden],
        "hidden_size": hidden,
        "num_layers": sum(1 for k in rnn if k.startswith("weight_hh_l")),
        "embedding_dim": rnn["weight_ih_l0"].shape[1],
    }


def check_same_shape(lm_shape: dict, classifier: dict, bidirectional: bool) -> None:
    """Refuse a classifier whose recurrent layers cannot take the LM's weights."""
    if bidirectional:
        raise ValueError(
            "bidirectional=True cannot start from a language model, which reads "
            "left to right only; pass bidirectional=False."
        )
    for name in ("cell", "hidden_size", "num_layers", "embedding_dim"):
        mine = classifier.get(name)
        if name == "embedding_dim" and mine is None:
            continue
        if mine is not None and mine != lm_shape.get(name, mine):
            raise ValueError(
                f"The classifier's {name}={mine!r} differs from the language "
                f"model's {lm_shape[name]!r}, so its weights cannot be copied; "
                f"give both the same {name} (make_rnn_pipeline(language_model="
                "...) takes the language model's)."
            )


def _check_trainable(seqs: list[np.ndarray]) -> None:
    """Refuse training documents a language model cannot learn from."""
    check_has_tokens([s.size for s in seqs], "training documents")
    n_tokens = sum(s.size for s in seqs)
    if all(bool(np.all(s == 1)) for s in seqs if s.size):
        raise ValueError(
            f"Every one of the {n_tokens} training tokens is <unk> (id 1), so "
            "the language model would learn nothing; the indexer's vocabulary "
            "does not fit these documents."
        )


def _lm_ids(
    lm, seqs: list[np.ndarray], size: int, counts: np.ndarray
) -> tuple[np.ndarray, float]:
    """The language-model id of each classifier id ``0 .. size - 1`` and the
    share of training tokens the language model knows."""
    vocabulary = _vocabulary(lm)
    if _reads_ids(vocabulary):
        lm_ids = np.ones(size, np.int64)  # <unk>
        for i, j in _id_tokens(vocabulary).items():
            if i < size:
                lm_ids[i] = j
        lm_ids[0] = 0
        known = np.zeros(size, dtype=bool)
        known[[i for i in _id_tokens(vocabulary) if i < size]] = True
        coverage = counts[known].sum() / max(counts.sum(), 1)
        if coverage == 0:
            raise ValueError(
                "None of the training token ids is in the language model's "
                "vocabulary: it was fitted on the ids of another indexer. Pass "
                "it unfitted, so that each fit pretrains on its own documents."
            )
        return lm_ids, float(coverage)
    # a vocabulary of words: the ids must be the language model's own
    n_words = len(vocabulary)
    if size > n_words:
        doc = next(i for i, s in enumerate(seqs) if s.size and s.max() >= n_words)
        raise ValueError(
            f"Document {doc} holds the token id {size - 1}, but the language "
            f"model's vocabulary has {n_words} words: the ids were not made "
            "with its vocabulary. make_rnn_pipeline(language_model=fitted) "
            "indexes with it."
        )
    if numbered_by_frequency(counts) and n_words > size + 1:
        raise ValueError(
            "The token ids look like those of a vocabulary learned on these "
            f"very documents ({size} ids), not like the language model's "
            f"{n_words} words. make_rnn_pipeline(language_model=fitted) "
            "indexes with the language model's vocabulary."
        )
    return np.arange(size), 1.0


def _id_vectors(vectors, seen: np.ndarray):
    """``vectors`` as the words ``"2 + r"`` of the rows ``r`` seen in training:
    the words of the ids of ``VocabularyIndexer(vectors=vectors)``."""
    from ._embedding import VECTOR_ID_OFFSET
    from .vectors import WordVectors

    rows = seen[(seen >= VECTOR_ID_OFFSET) & (seen < VECTOR_ID_OFFSET + len(vectors))]
    if rows.size == 0:
        raise ValueError(
            f"None of the training token ids is a row of {vectors!r}: the ids "
            "must come from VocabularyIndexer(vectors=...) with the same vectors "
            "(make_rnn_pipeline(vectors=..., language_model=...) builds it)."
        )
    return WordVectors(
        [str(i) for i in rows], vectors.vectors[rows - VECTOR_ID_OFFSET]
    )


def pretrained_weights(
    language_model, seqs: list[np.ndarray], size: int, vectors=None
) -> Pretrained:
    """The language model for one fit (``language_model`` fitted already, or a
    clone fitted on ``seqs``), its embedding rows of the classifier ids seen
    in ``seqs`` and its recurrent layers' weights. ``vectors`` are those the
    ids were numbered with (``VocabularyIndexer(vectors=...)``): an unfitted
    language model starts from them."""
    _check_trainable(seqs)
    counts = np.bincount(np.concatenate([np.zeros(0, np.int64), *seqs]), minlength=size)
    counts[0] = 0
    seen = np.flatnonzero(counts[2:]) + 2
    lm = fitted_language_model(language_model)
    if lm is None:
        lm = clone(_inner(language_model))
        if lm.get_params().get("vectors") is not None:
            raise ValueError(
                "An unfitted language model reads the classifier's token ids, "
                "not words, so it cannot look its vectors up; give the vectors "
                "to the pipeline instead (make_rnn_pipeline(vectors=..., "
                "language_model=...)), which starts the language model from them."
            )
        if vectors is not None:
            lm.set_params(vectors=_id_vectors(vectors, seen))
        lm.fit([s.astype(str).tolist() for s in seqs])
    elif vectors is not None:
        raise ValueError(
            "A fitted language model brings its own embedding: pass vectors to "
            "it before fitting it, not to the classifier."
        )
    lm_ids, coverage = _lm_ids(lm, seqs, size, counts)
    ids = np.concatenate([[0, 1], seen])
    if ids.size > LARGE_VOCABULARY:
        warnings.warn(
            f"The classifier takes {ids.size:,} embedding rows from the language "
            "model, each trained with its gradient and optimizer state; cap "
            "the vocabulary (max_tokens of the indexer) to bound the memory.",
            UserWarning,
            stacklevel=3,
        )
    state = lm.pretrained_state()
    weight = state["embedding"]["weight"].detach()
    rows = weight[torch.as_tensor(lm_ids[ids])].float().cpu().numpy()
    rows[0] = 0.0
    rnn = {k: v.detach().cpu().clone() for k, v in state["rnn"].items()}
    return Pretrained(lm, ids, rows, rnn, coverage)


def load_rnn_state(rnn: torch.nn.Module, state: dict) -> None:
    """Copy a language model's recurrent weights into ``rnn``, or say which
    weights do not fit."""
    mine = rnn.state_dict()
    missing = sorted(set(mine) - set(state))
    shapes = [k for k in mine if k in state and state[k].shape != mine[k].shape]
    if missing or shapes:
        raise ValueError(
            "The language model's recurrent layers do not fit the classifier's: "
            f"missing {missing}, other shapes {shapes}."
        )
    rnn.load_state_dict({k: state[k] for k in mine})


def indexer_of(language_model):
    """The indexer of a pipeline that feeds ``language_model``'s ids, or None.

    A fitted language model with a vocabulary of words gives a copy of its
    own indexer with that vocabulary fixed, so every fold indexes with it.
    """
    lm = fitted_language_model(language_model)
    if lm is None:
        return None
    vocabulary = _vocabulary(lm)
    if _reads_ids(vocabulary):
        raise ValueError(
            "This language model was fitted on the token ids of another "
            "pipeline (a classifier's language_model_), which a new pipeline's "
            "indexer does not reproduce. Pass the unfitted language model, or "
            "one fitted on texts."
        )
    params = {"vocabulary": dict(vocabulary), "warm_start": False, "vectors": None}
    return clone(lm.pretrained_state()["indexer"]).set_params(**params)
