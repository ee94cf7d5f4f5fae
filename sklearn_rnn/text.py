"""Text transformers that feed a recurrent network.

:class:`VocabularyIndexer` turns documents into sequences of integer token ids
(word order kept, ``<pad>`` = 0 and ``<unk>`` = 1 reserved) and
:class:`SequencePadder` turns those ragged sequences into a rectangular array.
"""

from __future__ import annotations

import numbers
import os

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._data import lengths_of, warn_truncated
from ._params import fit_context
from ._tokenize import TokenizerMixin
from ._validation import check_documents, check_sequences
from .vectors import WordVectors, resolve_vectors

__all__ = ["VocabularyIndexer", "SequencePadder", "DEFAULT_TOKEN_PATTERN"]

#: ``SequencePadder(max_len=None)`` caps the output length at
#: ``max(LENGTH_FACTOR * (the LENGTH_QUANTILE quantile of the training
#: lengths), MIN_LENGTH_CAP)``: far above the lengths of ordinary data, far
#: below a single outlier's.
LENGTH_QUANTILE = 0.99
LENGTH_FACTOR = 4
MIN_LENGTH_CAP = 256

#: Words of one or more word characters, and each punctuation mark as a token
#: of its own. Unlike CountVectorizer's default, one-letter words ("a", "I")
#: are kept, and so are "!" and "?", which carry meaning in a sequence.
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w+\b|[^\w\s]"


class VocabularyIndexer(
    TokenizerMixin, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None
):
    """Map documents to sequences of integer token ids.

    Documents are tokenized as by :class:`~sklearn.feature_extraction.text.
    CountVectorizer` (same ``lowercase``, ``preprocessor``, ``tokenizer``,
    ``token_pattern``, ``strip_accents`` and ``analyzer`` options), but the
    output keeps word order: one 1-D ``int64`` array of ids per document.
    Id 0 is reserved for padding and id 1 for unknown tokens; the learned
    tokens follow, most frequent first, ties broken alphabetically.

    Parameters
    ----------
    lowercase : bool, default=True
        Convert all characters to lowercase before tokenizing.
    token_pattern : str or None, default=DEFAULT_TOKEN_PATTERN
        Regular expression for a token when ``analyzer="word"``. The default
        ``r"(?u)\\b\\w+\\b|[^\\w\\s]"`` keeps one-letter words and makes every
        punctuation mark a token of its own.
    tokenizer : callable, default=None
        Override the tokenization step (the preprocessing still runs).
    preprocessor : callable, default=None
        Override the preprocessing (lowercasing, accent stripping) step.
    strip_accents : {"ascii", "unicode"} or None, default=None
        Remove accents during preprocessing.
    analyzer : {"word", "char"} or callable, default="word"
        Make tokens of words or of single characters. A callable receives the
        raw document and returns its tokens.
    min_freq : int, default=1
        Ignore tokens that occur fewer than ``min_freq`` times in the corpus.
    max_df : float in (0, 1] or int, default=1.0
        Ignore tokens that occur in more than this fraction (float) or number
        (int) of documents.
    max_tokens : int, default=None
        Cap on the vocabulary size, the two special tokens included; the most
        frequent tokens are kept.
    vocabulary : dict or list of str, default=None
        A fixed vocabulary. A list gives the tokens in id order; the special
        tokens are put first unless the list already starts with them. A dict
        maps token to id; the ids together with 0 (pad) and 1 (unk) must be
        ``0 .. n-1``. ``min_freq``, ``max_df`` and ``max_tokens`` are then
        ignored.
    pad_token : str, default="<pad>"
        Name of the padding token (id 0).
    unk_token : str, default="<unk>"
        Name of the unknown-token token (id 1).
    vectors : str, path-like or WordVectors, default=None
        Pretrained word vectors (a file for :func:`load_word_vectors`, or the
        loaded object). Their words are then part of the vocabulary, also
        those never seen in training, so that a model initialised from the
        same vectors (``RNNClassifier(vectors=...)``) reads them with their
        pretrained vector at prediction time. The word in row ``r`` of the
        vectors gets the id ``2 + r``; the training tokens without a vector
        follow, filtered by ``min_freq``, ``max_df`` and ``max_tokens``
        (which then caps only them). GloVe is lower-cased, as the default
        ``lowercase=True`` is. :func:`make_rnn_pipeline` passes the same
        ``vectors`` to the indexer and the classifier.
    warm_start : bool, default=False
        When fitted already, ``fit`` keeps the id of every token it knows
        and gives the new tokens the next ids, so that a model trained on
        the old ids can go on training (``RNNClassifier(warm_start=True)``).

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Token to id mapping, specials included.
    token_counts_ : dict of str to int
        Number of occurrences of each kept token in the training corpus
        (empty for a fixed ``vocabulary``).

    See Also
    --------
    SequencePadder : Pad or truncate the id sequences to a fixed length.
    sklearn.feature_extraction.text.CountVectorizer : Bag-of-words counts.

    Examples
    --------
    >>> from sklearn_rnn import VocabularyIndexer
    >>> indexer = VocabularyIndexer()
    >>> ids = indexer.fit_transform(["The sun is shining", "The weather is sweet"])
    >>> ids[0]
    array([3, 5, 2, 4])
    >>> indexer.transform(["the moon is shining"])[0]
    array([3, 1, 2, 4])
    >>> indexer.get_feature_names_out()[:4].tolist()
    ['<pad>', '<unk>', 'is', 'the']
    """

    _parameter_constraints: dict = {
        "lowercase": ["boolean"],
        "token_pattern": [str, None],
        "tokenizer": [callable, None],
        "preprocessor": [callable, None],
        "strip_accents": [StrOptions({"ascii", "unicode"}), None],
        "analyzer": [StrOptions({"word", "char"}), callable],
        "min_freq": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_df": [
            Interval(RealNotInt, 0, 1, closed="right"),
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
        "max_tokens": [Interval(numbers.Integral, 3, None, closed="left"), None],
        "vocabulary": [dict, list, tuple, None],
        "pad_token": [str],
        "unk_token": [str],
        "vectors": [str, os.PathLike, WordVectors, None],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        *,
        lowercase: bool = True,
        token_pattern: str | None = DEFAULT_TOKEN_PATTERN,
        tokenizer=None,
        preprocessor=None,
        strip_accents: str | None = None,
        analyzer="word",
        min_freq: int = 1,
        max_df: float | int = 1.0,
        max_tokens: int | None = None,
        vocabulary=None,
        pad_token: str = "<pad>",
        unk_token: str = "<unk>",
        vectors=None,
        warm_start: bool = False,
    ):
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.tokenizer = tokenizer
        self.preprocessor = preprocessor
        self.strip_accents = strip_accents
        self.analyzer = analyzer
        self.min_freq = min_freq
        self.max_df = max_df
        self.max_tokens = max_tokens
        self.vocabulary = vocabulary
        self.pad_token = pad_token
        self.unk_token = unk_token
        self.vectors = vectors
        self.warm_start = warm_start

    # -- estimator API ------------------------------------------------------
    @fit_context
    def fit(self, X, y=None):
        """Learn the vocabulary from the training documents.

        Parameters
        ----------
        X : iterable of str
            Training documents.
        y : None
            Ignored.

        Returns
        -------
        self : VocabularyIndexer
            The fitted indexer.
        """
        self._fit(check_documents(X))
        return self

    def _fit(self, docs: list[str]) -> list[np.ndarray]:
        """Fit on ``docs`` and return their id sequences."""
        if self.vocabulary is None:
            previous = None
            if self.warm_start and hasattr(self, "vocabulary_"):
                previous = self._id_to_token.tolist()
            return self._learn_vocabulary(docs, resolve_vectors(self.vectors), previous)
        if self.vectors is not None:
            raise ValueError(
                "Pass either a fixed vocabulary or vectors, not both: with "
                "vectors, the vocabulary is the vectors' words and the training "
                "tokens without a vector."
            )
        self.vocabulary_ = self._fixed_vocabulary()
        self.token_counts_ = {}
        self._id_to_token = np.array(
            sorted(self.vocabulary_, key=self.vocabulary_.__getitem__), dtype=object
        )
        return self._index(docs)

    @fit_context
    def fit_transform(self, X, y=None) -> list[np.ndarray]:
        """Learn the vocabulary and return the id sequences of ``X``.

        Same result as ``fit(X).transform(X)``, with one tokenization pass.

        Parameters
        ----------
        X : iterable of str
            Training documents.
        y : None
            Ignored.

        Returns
        -------
        sequences : list of ndarray of int64
            One 1-D array of token ids per document.
        """
        return self._fit(check_documents(X))

    def transform(self, X) -> list[np.ndarray]:
        """Map documents to id sequences; unseen tokens become ``<unk>`` (1).

        Parameters
        ----------
        X : iterable of str
            Documents.

        Returns
        -------
        sequences : list of ndarray of int64
            One 1-D array of token ids per document (empty for a document
            without tokens).
        """
        check_is_fitted(self, "vocabulary_")
        return self._index(check_documents(X))

    def inverse_transform(self, X) -> list[np.ndarray]:
        """Map id sequences (ragged or padded) back to tokens, pads dropped.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Id sequences.

        Returns
        -------
        tokens : list of ndarray of str
            The tokens of each document.
        """
        check_is_fitted(self, "vocabulary_")
        seqs = check_sequences(X, strip_pad=True)
        n = len(self._id_to_token)
        for i, seq in enumerate(seqs):
            if seq.size and seq.max() >= n:
                raise ValueError(
                    f"Document {i} holds the id {seq.max()}, outside this "
                    f"vocabulary of {n} tokens."
                )
        return [self._id_to_token[seq] for seq in seqs]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Tokens ordered by id.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        tokens : ndarray of str objects
            ``tokens[i]`` is the token with id ``i``.
        """
        check_is_fitted(self, "vocabulary_")
        return self._id_to_token.copy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


class SequencePadder(TransformerMixin, BaseEstimator):
    """Pad or truncate id sequences into a rectangular ``int64`` array.

    Parameters
    ----------
    max_len : int, float in (0, 1] or None, default=None
        Output length. An int fixes it; a float uses that quantile of the
        training lengths (``0.95`` truncates the longest 5 % of documents,
        ``1.0`` keeps the longest). None uses the longest training document
        but at most 4 times the 99th percentile of the training lengths (or
        256, if larger), so that one outlier cannot make every row as long as
        itself; sentence data stays below it. Documents it truncates, at
        ``fit`` and at ``transform``, are reported by a
        :class:`~sklearn_rnn.TruncationWarning` (a cap you set is silent).
    padding : {"post", "pre"}, default="post"
        Add the padding after ("post") or before ("pre") each sequence.
    truncating : {"post", "pre"}, default="post"
        Drop tokens from the end ("post") or the start ("pre") of sequences
        longer than the output length.
    pad_value : int, default=0
        Id written into padded positions.

    Attributes
    ----------
    max_len_ : int
        The output length learned in ``fit`` (at least 1).

    See Also
    --------
    VocabularyIndexer : Turns documents into the id sequences padded here.

    Examples
    --------
    >>> from sklearn_rnn import SequencePadder
    >>> padder = SequencePadder(padding="pre")
    >>> padder.fit_transform([[5, 2, 7], [3]])
    array([[5, 2, 7],
           [0, 0, 3]])
    >>> SequencePadder(max_len=2, truncating="pre").fit_transform([[5, 2, 7], [3]])
    array([[2, 7],
           [3, 0]])
    """

    _parameter_constraints: dict = {
        "max_len": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
            None,
        ],
        "padding": [StrOptions({"post", "pre"})],
        "truncating": [StrOptions({"post", "pre"})],
        "pad_value": [Interval(numbers.Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        max_len: int | float | None = None,
        padding: str = "post",
        truncating: str = "post",
        pad_value: int = 0,
    ):
        self.max_len = max_len
        self.padding = padding
        self.truncating = truncating
        self.pad_value = pad_value

    @fit_context
    def fit(self, X, y=None):
        """Learn the output length from the training sequences.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Id sequences, as returned by :class:`VocabularyIndexer`.
        y : None
            Ignored.

        Returns
        -------
        self : SequencePadder
            The fitted padder.
        """
        lengths = self._fit(check_sequences(X))
        self._warn_truncated(lengths, "will be truncated by transform")
        return self

    def _fit(self, seqs: list[np.ndarray]) -> np.ndarray:
        """Learn ``max_len_``; return the training lengths."""
        lengths = lengths_of(seqs)
        if isinstance(self.max_len, numbers.Integral):
            max_len = int(self.max_len)
        elif self.max_len is None:
            # "lower": in a small sample, the quantile is never set by the
            # single longest document, the outlier it is there to ignore
            high = np.quantile(lengths, LENGTH_QUANTILE, method="lower")
            cap = max(LENGTH_FACTOR * int(high), MIN_LENGTH_CAP)
            max_len = min(int(lengths.max()), cap)
            self._cap_bound = max_len < lengths.max()
        else:
            max_len = int(np.ceil(np.quantile(lengths, self.max_len)))
        self.max_len_ = max(max_len, 1)
        return lengths

    def _warn_truncated(self, lengths: np.ndarray, what: str) -> None:
        """The :class:`TruncationWarning` of the default cap (``max_len=None``)."""
        if self.max_len is not None:
            return
        end = "last" if self.truncating == "pre" else "first"
        warn_truncated(
            lengths,
            self.max_len_,
            source="SequencePadder",
            what=f"{what} to their {end} {self.max_len_}",
            advice=(
                f"max_len=None caps the length at {LENGTH_FACTOR} times the "
                f"{LENGTH_QUANTILE * 100:g}th percentile of the training lengths "
                f"(at least {MIN_LENGTH_CAP}); pass max_len=1.0 to keep the "
                "longest training document, or an int."
                if getattr(self, "_cap_bound", True)
                else f"{self.max_len_} tokens is the longest training document "
                "(max_len=None); pass a larger int max_len to keep more."
            ),
            stacklevel=4,
        )

    @fit_context
    def fit_transform(self, X, y=None) -> np.ndarray:
        """Learn the output length and pad ``X`` to it.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Id sequences.
        y : None
            Ignored.

        Returns
        -------
        padded : ndarray of shape (n_documents, ``max_len_``), dtype int64
            The padded sequences.
        """
        seqs = check_sequences(X)
        self._fit(seqs)
        return self._pad(seqs)

    def transform(self, X) -> np.ndarray:
        """Pad or truncate each sequence to ``max_len_``.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Id sequences.

        Returns
        -------
        padded : ndarray of shape (n_documents, ``max_len_``), dtype int64
            The padded sequences.
        """
        check_is_fitted(self, "max_len_")
        return self._pad(check_sequences(X))

    def _pad(self, seqs: list[np.ndarray]) -> np.ndarray:
        width = self.max_len_
        self._warn_truncated(lengths_of(seqs), "were truncated")
        out = np.full((len(seqs), width), self.pad_value, dtype=np.int64)
        keep_end = self.truncating == "pre"
        pad_front = self.padding == "pre"
        for i, seq in enumerate(seqs):
            if len(seq) > width:
                seq = seq[-width:] if keep_end else seq[:width]
            if pad_front:
                out[i, width - len(seq) :] = seq
            else:
                out[i, : len(seq)] = seq
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the output positions: ``pos0`` ... ``pos{max_len_ - 1}``.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        names : ndarray of str objects
            One name per output column.
        """
        check_is_fitted(self, "max_len_")
        return np.array([f"pos{i}" for i in range(self.max_len_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        return tags
