"""Input validation shared by the transformers and estimators.

Every public entry point turns what the user passed into one of two plain
forms -- a list of ``str`` documents or a list of 1-D ``int64`` id arrays --
and raises a ``ValueError``/``TypeError`` that names the problem and the
position of the offending document. Nothing the user passed is modified.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

__all__ = [
    "check_documents",
    "check_sequences",
    "check_labels",
    "check_has_tokens",
    "max_token_id",
    "id_table_size",
    "check_sample_weight",
    "encode_known_labels",
    "is_missing",
]


def is_missing(value) -> bool:
    """Whether ``value`` is None or a float NaN."""
    return value is None or (isinstance(value, float) and np.isnan(value))


def _is_infinite(value) -> bool:
    return isinstance(value, float) and np.isinf(value)


def check_has_tokens(lengths, what: str) -> None:
    """Raise unless some of the ``what`` (e.g. "documents") has a token.

    ``lengths`` holds each one's token count, padding removed.
    """
    lengths = np.asarray(lengths)
    if not lengths.any():
        raise ValueError(
            f"The {what} hold no tokens: all {lengths.size} are empty (or only "
            "padding), so there is nothing to fit."
        )


_SPARSE_ADVICE = {
    "raw text": "this step takes the text documents themselves (str), before "
    "any vectorizer",
    "token ids": "this step takes token-id sequences (a 2-D integer array or a "
    "list of 1-D id arrays). Turn text into ids with VocabularyIndexer "
    "(make_rnn_pipeline and make_hmm_pipeline do), or use make_bow_pipeline "
    "for a model of word counts",
}


def _plain_array(X, what: str):
    """``X`` with an ``np.matrix`` turned into an array; sparse input refused.

    ``what`` ("raw text" or "token ids") is what the step takes.
    """
    if sp.issparse(X):
        raise TypeError(
            f"Sparse input ({type(X).__name__} of shape {X.shape}) is not "
            f"{what}: {_SPARSE_ADVICE[what]}."
        )
    if isinstance(X, np.matrix):
        return np.asarray(X)
    return X


def _unwrap_frame(X, what: str):
    """Return the single column of a DataFrame-like input, or ``X`` itself."""
    if hasattr(X, "iloc") and hasattr(X, "columns"):  # pandas DataFrame
        if X.shape[1] != 1:
            raise ValueError(
                f"{what} must be one column of text; got a DataFrame with "
                f"{X.shape[1]} columns {list(X.columns)!r}. Select the text "
                "column, e.g. df['text']."
            )
        return X.iloc[:, 0]
    return X


def check_documents(X, *, allow_empty: bool = False) -> list[str]:
    """Validate raw text input and return it as a new list of ``str``.

    Accepts a list, tuple, 1-D numpy array, pandas Series, a single-column
    DataFrame or 2-D array, or any other iterable of strings (generators
    included).
    """
    if X is None:
        raise TypeError("Iterable over raw text documents expected, got None.")
    if isinstance(X, (str, bytes)):
        raise TypeError(
            "Iterable over raw text documents expected, "
            f"{type(X).__name__} object received. Wrap a single document "
            "in a list: [text]."
        )
    X = _plain_array(_unwrap_frame(X, "The text input"), "raw text")
    if isinstance(X, np.ndarray):
        if X.ndim == 2:
            if X.shape[1] != 1:
                raise ValueError(
                    "The text input must be 1-D (one document per row); got a "
                    f"2-D array of shape {X.shape}."
                )
            X = X[:, 0]
        elif X.ndim != 1:
            raise ValueError(
                f"The text input must be 1-D; got an array of shape {X.shape}."
            )
    if not isinstance(X, Iterable):
        raise TypeError(
            "Iterable over raw text documents expected, "
            f"{type(X).__name__} object received."
        )
    docs = list(X)
    for i, doc in enumerate(docs):
        if isinstance(doc, str):
            continue
        if isinstance(doc, np.str_):
            docs[i] = str(doc)
            continue
        if is_missing(doc):
            raise ValueError(
                f"Document {i} is missing ({doc!r}); every document must be a "
                "string. Drop or fill missing texts first."
            )
        raise TypeError(
            f"Document {i} is a {type(doc).__name__} ({doc!r:.50}), not a "
            "string. Pass raw text documents (str)."
        )
    if not docs and not allow_empty:
        raise ValueError("The text input is empty: at least one document is needed.")
    return docs


def _as_sequence(doc, i: int) -> np.ndarray:
    if isinstance(doc, (str, bytes)):
        raise TypeError(
            f"Document {i} is a string; expected a sequence of integer token "
            "ids. Put a VocabularyIndexer before this step."
        )
    if isinstance(doc, numbers.Number) or doc is None:
        raise TypeError(
            f"Document {i} is {doc!r}, not a sequence of token ids. Expected a "
            "2-D array or a list of 1-D id sequences."
        )
    arr = np.asarray(doc)
    if arr.ndim != 1:
        raise ValueError(
            f"Document {i} has shape {arr.shape}; each document must be a 1-D "
            "sequence of token ids."
        )
    return arr


def _check_id_values(arr: np.ndarray, where: str) -> np.ndarray:
    """Check dtype and sign of an id array; ``where`` names the document."""
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    kind = arr.dtype.kind
    if kind == "b" or kind not in "iuf":
        if kind == "O":
            for j, value in enumerate(arr.ravel()):
                if not isinstance(value, numbers.Integral) or isinstance(value, bool):
                    raise TypeError(
                        f"{where} holds {value!r} at position {j}; token ids "
                        "must be non-negative integers."
                    )
                if value > _MAX_ID:
                    _too_large(arr, j, where)
            arr = arr.astype(np.int64)
            kind = "i"
        else:
            raise TypeError(
                f"{where} has dtype {arr.dtype}; token ids must be non-negative "
                "integers."
            )
    if kind == "f":
        flat = arr.ravel()
        bad = np.flatnonzero(~np.isfinite(flat) | (flat != np.round(flat)))
        position = _position(arr, bad[0]) if bad.size else None
        detail = f"{flat[bad[0]]!r} at {position}" if bad.size else f"dtype {arr.dtype}"
        raise TypeError(
            f"{where} holds floats ({detail}); token ids must be non-negative integers."
        )
    if kind == "u" and arr.dtype.itemsize == 8:
        large = np.flatnonzero(arr.ravel() > _MAX_ID)
        if large.size:
            _too_large(arr, large[0], where)
    negative = np.flatnonzero(arr.ravel() < 0)
    if negative.size:
        j = negative[0]
        raise ValueError(
            f"{where} holds the negative id {arr.ravel()[j]} at "
            f"{_position(arr, j)}; token ids must be non-negative integers."
        )
    return arr.astype(np.int64, copy=False)


_MAX_ID = np.iinfo(np.int64).max


def _too_large(arr: np.ndarray, flat_index: int, where: str):
    raise ValueError(
        f"{where} holds the id {arr.ravel()[flat_index]} at "
        f"{_position(arr, flat_index)}, too large for a token id (at most "
        "2**63 - 1); token ids index a vocabulary."
    )


def _position(arr: np.ndarray, flat_index: int) -> str:
    if arr.ndim == 2:
        row, col = np.unravel_index(flat_index, arr.shape)
        return f"document {row}, position {col}"
    return f"position {flat_index}"


def check_sequences(X, *, strip_pad: bool = False, pad_id: int = 0) -> list:
    """Validate token-id input and return a new list of 1-D ``int64`` arrays.

    ``X`` is a 2-D integer array (padded), a DataFrame of ids (the pandas
    output of :class:`SequencePadder`), or a ragged list of id sequences (the
    output of :class:`VocabularyIndexer`). With ``strip_pad=True`` every
    ``pad_id`` is removed, which turns pre- and post-padded rows into the
    same sequence.
    """
    if X is None:
        raise TypeError(
            "Token-id sequences expected (a 2-D integer array or a list of id "
            "sequences), got None."
        )
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"Token-id sequences expected, got a {type(X).__name__}. Put a "
            "VocabularyIndexer before this step to turn text into ids."
        )
    if hasattr(X, "iloc") and hasattr(X, "columns"):
        X = X.to_numpy()
    X = _plain_array(X, "token ids")
    if isinstance(X, np.ndarray) and X.dtype != object:
        if X.ndim != 2:
            raise ValueError(
                "Token-id input must be 2-D (n_documents, max_len) or a list of "
                f"1-D sequences; got an array of shape {X.shape}."
            )
        if X.shape[0] == 0:
            raise ValueError(
                "The token-id input is empty: at least one document is needed."
            )
        if X.shape[1] == 0:
            raise ValueError(
                f"The token-id array has shape {X.shape}: it has no columns, so "
                "its documents hold no tokens."
            )
        if X.dtype.kind in "US":
            raise TypeError(
                "Token-id input holds strings; put a VocabularyIndexer before "
                "this step to turn text into ids."
            )
        ids = _check_id_values(X, "The token-id array")
        if strip_pad:
            return [row[row != pad_id] for row in ids]
        return list(ids)
    if not isinstance(X, Iterable):
        raise TypeError(f"Token-id sequences expected, got {type(X).__name__}.")
    seqs = []
    for i, doc in enumerate(X):
        arr = _check_id_values(_as_sequence(doc, i), f"Document {i}")
        if strip_pad:
            arr = arr[arr != pad_id]
        seqs.append(arr)
    if not seqs:
        raise ValueError(
            "The token-id input is empty: at least one document is needed."
        )
    return seqs


def max_token_id(seqs: list[np.ndarray]) -> int:
    """The largest id in the sequences (1, the ``<unk>`` id, when all are empty)."""
    return max((int(s.max()) for s in seqs if s.size), default=1)


def _physical_memory() -> int | None:
    """This machine's memory in bytes, where the platform says (POSIX)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def id_table_size(seqs: list[np.ndarray], bytes_per_id: int, table: str) -> int:
    """Rows of a table indexed by token id: the largest id + 1 (at least 2).

    Ids index the rows directly, so one huge id (a raw code or a hash
    instead of a vocabulary number) asks for a huge table. When about
    ``bytes_per_id`` bytes per row would pass this machine's memory, the
    id and its document are named here, instead of a ``MemoryError`` from
    numpy or torch (or minutes of swapping) later.
    """
    size = max(max_token_id(seqs) + 1, 2)
    memory = _physical_memory()
    if memory is None or size * bytes_per_id <= memory:
        return size
    doc = next(i for i, s in enumerate(seqs) if s.size and s.max() == size - 1)
    raise ValueError(
        f"Document {doc} holds the token id {size - 1:,}: ids index the rows "
        f"of the {table}, which would take about {size * bytes_per_id / 2**30:,.0f}"
        f" GiB, more than this machine's {memory / 2**30:,.0f} GiB. Number the "
        "tokens 2, 3, ... as VocabularyIndexer does."
    )


def _first_positions(positions: list[int]) -> str:
    shown = ", ".join(map(str, positions[:5]))
    return shown + (" ..." if len(positions) > 5 else "")


def check_labels(y, n_samples: int) -> np.ndarray:
    """Validate classification targets: 1-D, no missing values, length match."""
    if y is None:
        raise ValueError("This classifier needs labels: y=None was passed to fit.")
    y_arr = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y_arr.ndim == 2 and y_arr.shape[1] == 1:
        y_arr = y_arr.ravel()
    if y_arr.ndim != 1:
        raise ValueError(
            f"y must be 1-D (one label per document); got shape {y_arr.shape}."
        )
    if len(y_arr) != n_samples:
        raise ValueError(
            f"X and y have different lengths: {n_samples} documents but "
            f"{len(y_arr)} labels."
        )
    missing = [i for i, v in enumerate(y_arr) if is_missing(v)]
    if y_arr.dtype.kind == "f":
        missing = np.flatnonzero(np.isnan(y_arr)).tolist()
    if missing:
        raise ValueError(
            f"y has {len(missing)} missing label(s) (None or NaN), at "
            f"position(s) {_first_positions(missing)}."
        )
    infinite = [i for i, v in enumerate(y_arr.tolist()) if _is_infinite(v)]
    if infinite:
        raise ValueError(
            f"y holds {len(infinite)} non-finite label(s) ({y_arr[infinite[0]]}), "
            f"at position(s) {_first_positions(infinite)}; class labels must be "
            "strings or integers."
        )
    if y_arr.dtype.kind == "f" and np.any(y_arr != np.round(y_arr)):
        raise ValueError(
            "y holds continuous values; a classifier needs class labels "
            "(strings or integers)."
        )
    classes = np.unique(y_arr)
    if len(classes) < 2:
        raise ValueError(
            f"y has a single class ({classes[0]!r}); a classifier needs at "
            "least two classes."
        )
    return y_arr


def check_sample_weight(
    sample_weight, n_samples: int, *, mean_one: bool = True
) -> np.ndarray | None:
    """Non-negative finite weights, one per document; with ``mean_one``,
    scaled to a mean of one (``float32``), else as given (``float64``).

    None stays None. The checks and messages are scikit-learn's.
    """
    if sample_weight is None:
        return None
    # imported here: the command line checks its input with this module
    # before it imports scikit-learn
    from sklearn.utils.validation import _check_sample_weight

    weights = _check_sample_weight(
        sample_weight, np.empty((n_samples, 0)), ensure_non_negative=True
    )
    return (weights / weights.mean()).astype(np.float32) if mean_one else weights


def encode_known_labels(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The index of each label in ``classes``; a warm start's labels must
    all be among those of the first fit."""
    unknown = set(np.unique(y).tolist()) - set(classes.tolist())
    if unknown:
        raise ValueError(
            f"warm_start: y holds classes unseen in the first fit: "
            f"{sorted(unknown, key=str)}."
        )
    return np.searchsorted(classes, y).astype(np.int64)
