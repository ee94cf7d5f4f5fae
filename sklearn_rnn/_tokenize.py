"""Tokenization and vocabulary building of :class:`~sklearn_rnn.VocabularyIndexer`.

Tokenization itself is scikit-learn's (a ``CountVectorizer``'s analyzer);
what is added here keeps word order and a large corpus cheap: all tokens of
a corpus flow as one lazy stream, counted and indexed with array operations.
"""

from __future__ import annotations

import hashlib
import itertools
import numbers
from collections import defaultdict

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from ._data import split_by_lengths
from ._strings import pack_strings, unpack_strings

__all__ = [
    "TokenizerMixin",
    "numbered_by_frequency",
    "numbering_fingerprint",
    "check_same_numbering",
]


def numbered_by_frequency(counts: np.ndarray) -> bool:
    """Whether token ids look like a vocabulary learned on these very tokens.

    ``counts[i]`` is how often id ``i`` occurs. A vocabulary learned on the
    same documents gives every id from 2 up to a token that occurs, most
    frequent first: the ids used form one run from 2, and their counts never
    rise. Ids from another vocabulary (another corpus, pretrained vectors)
    almost never look like that.
    """
    used = np.flatnonzero(np.asarray(counts)[2:]) + 2
    return bool(
        used.size > 2
        and used[-1] - used[0] + 1 == used.size
        and used[0] == 2
        and np.all(np.diff(counts[used]) <= 0)
    )


def _id_counts(seqs: list[np.ndarray]) -> np.ndarray:
    return np.bincount(np.concatenate([np.zeros(0, np.int64), *seqs]))


def numbering_fingerprint(seqs: list[np.ndarray]) -> str:
    """A short fingerprint of how often each token id occurs in ``seqs``."""
    counts = _id_counts(seqs).astype(np.int64)
    return hashlib.sha1(counts.tobytes()).hexdigest()


def check_same_numbering(seqs: list[np.ndarray], fingerprint: str) -> None:
    """Refuse ids that a fresh vocabulary gave these very documents.

    A warm start goes on training the same embedding rows, so token ids must
    mean what they meant in the first fit (whose :func:`numbering_fingerprint`
    is ``fingerprint``). In a Pipeline, a VocabularyIndexer refitted without
    ``warm_start`` renumbers the tokens, most frequent first in the new
    documents (:func:`numbered_by_frequency`), which the ids of the first
    vocabulary almost never are on other documents.
    """
    if numbering_fingerprint(seqs) == fingerprint:
        return  # the first fit's documents again
    if numbered_by_frequency(_id_counts(seqs)):
        raise ValueError(
            "warm_start: the token ids were renumbered since the first fit "
            "(a vocabulary learned on these documents), so the network would "
            "train its old embeddings on other words. Keep the ids: "
            "VocabularyIndexer(warm_start=True) does, and "
            "make_rnn_pipeline(warm_start=True) sets it."
        )


def _first_ids(id_to_token) -> dict[str, int]:
    """Token -> id, the first id where a token occurs twice (a special token
    found among the vectors' words keeps its special id)."""
    vocabulary: dict[str, int] = {}
    for i, token in enumerate(id_to_token):
        vocabulary.setdefault(token, i)
    return vocabulary


class TokenizerMixin:
    """Documents to tokens to ids, from the indexer's parameters.

    The class using it has the tokenization parameters of
    :class:`~sklearn.feature_extraction.text.CountVectorizer` (``lowercase``,
    ``token_pattern``, ``tokenizer``, ``preprocessor``, ``strip_accents``,
    ``analyzer``) and the vocabulary ones of
    :class:`~sklearn_rnn.VocabularyIndexer` (``min_freq``, ``max_df``,
    ``max_tokens``, ``vocabulary``, ``pad_token``, ``unk_token``).
    """

    # -- storage ----------------------------------------------------------
    # A fitted vocabulary is stored as the tokens in id order, packed into
    # two arrays (:mod:`._strings`), not as a dict and an object array: the
    # indexer with GloVe's words is 4.7 MB in a skops file instead of 270 MB
    # (benchmarks/bench_persistence.py).
    def __getstate__(self):
        state = dict(super().__getstate__())  # object's is __dict__ itself
        tokens = state.get("_id_to_token")
        if tokens is None:
            return state
        tokens = tokens.tolist()
        rebuilt = _first_ids(tokens)
        if list(rebuilt.items()) != list(state["vocabulary_"].items()):
            return state  # a user's dict in its own order: kept as it is
        counts = state.get("token_counts_", {})
        vocabulary = state.pop("vocabulary_")
        if all(token in vocabulary for token in counts):
            state.pop("token_counts_")
            state["_counted_ids"] = np.array(
                [vocabulary[t] for t in counts], dtype=np.int64
            )
            state["_counts"] = np.array(list(counts.values()), dtype=np.int64)
        del state["_id_to_token"]
        state["_token_bytes"], state["_token_ends"] = pack_strings(tokens)
        return state

    def __setstate__(self, state) -> None:
        state = dict(state)
        if "_token_bytes" in state:
            tokens = unpack_strings(state.pop("_token_bytes"), state.pop("_token_ends"))
            state["_id_to_token"] = np.array(tokens, dtype=object)
            state["vocabulary_"] = _first_ids(tokens)
            if "_counts" in state:
                ids = state.pop("_counted_ids").tolist()
                counts = state.pop("_counts").tolist()
                state["token_counts_"] = {tokens[i]: c for i, c in zip(ids, counts)}
        super().__setstate__(state)

    # -- tokenization -----------------------------------------------------
    def _vectorizer(self) -> CountVectorizer:
        return CountVectorizer(
            lowercase=self.lowercase,
            token_pattern=self.token_pattern,
            tokenizer=self.tokenizer,
            preprocessor=self.preprocessor,
            strip_accents=self.strip_accents,
            analyzer=self.analyzer,
        )

    def build_analyzer(self):
        """Return the callable that turns one document into its tokens.

        It is scikit-learn's own analyzer, built from this indexer's
        tokenization parameters, so it pickles.
        """
        return self._vectorizer().build_analyzer()

    def _token_stream(self, docs: list[str]):
        """All tokens of ``docs`` as one lazy stream, and their per-document counts.

        The counts list fills up while the stream is consumed. No per-document
        token lists are kept, which keeps a large corpus cheap to index.
        """
        vectorizer = self._vectorizer()
        if self.analyzer == "word":
            # The word analyzer is preprocess -> tokenize -> unigrams; calling
            # the two sklearn parts directly skips the n-gram and decoding
            # layers, which cost a third of the time for the same tokens.
            preprocess = vectorizer.build_preprocessor()
            tokenize = vectorizer.build_tokenizer()

            def analyze(doc):
                return tokenize(preprocess(doc))

        else:
            analyze = vectorizer.build_analyzer()
        lengths: list[int] = []

        def tokens_of(doc):
            tokens = analyze(doc)
            lengths.append(len(tokens))
            return tokens

        return itertools.chain.from_iterable(map(tokens_of, docs)), lengths

    # -- vocabulary ---------------------------------------------------------
    def _fixed_vocabulary(self) -> dict[str, int]:
        specials = [self.pad_token, self.unk_token]
        if self.pad_token == self.unk_token:
            raise ValueError("pad_token and unk_token must differ.")
        if isinstance(self.vocabulary, dict):
            vocab = dict(self.vocabulary)
            for token, expected in zip(specials, (0, 1)):
                if token in vocab and vocab[token] != expected:
                    raise ValueError(
                        f"vocabulary maps {token!r} to {vocab[token]}; it must be "
                        f"{expected}."
                    )
                vocab.setdefault(token, expected)
            ids = sorted(vocab.values())
            if ids != list(range(len(vocab))):
                raise ValueError(
                    "vocabulary ids must be distinct and, with 0 for "
                    f"{self.pad_token!r} and 1 for {self.unk_token!r}, cover "
                    f"0 .. {len(vocab) - 1} without gaps."
                )
            return vocab
        tokens = list(self.vocabulary)
        if tokens[:2] != specials:
            tokens = specials + tokens
        seen: dict[str, int] = {}
        for i, token in enumerate(tokens):
            if not isinstance(token, str):
                raise TypeError(f"vocabulary entry {i} is {token!r}, not a string.")
            if token in seen:
                raise ValueError(f"vocabulary holds {token!r} twice.")
            seen[token] = i
        return seen

    def _learn_vocabulary(
        self, docs: list[str], vectors=None, previous: list[str] | None = None
    ) -> list[np.ndarray]:
        """Fit ``vocabulary_`` and return the id sequences of ``docs``.

        Tokens get provisional ids in order of appearance in one pass; counts,
        document frequencies and the final ids are then array operations.
        With ``vectors`` (a :class:`~sklearn_rnn.WordVectors`), their words
        take the ids ``2 + row`` and the filters apply only to the training
        tokens without a vector, whose ids follow. ``previous`` (tokens in id
        order) keeps the ids of a vocabulary learned before; the new tokens
        get the next ids.
        """
        stream, lengths = self._token_stream(docs)
        provisional: defaultdict[str, int] = defaultdict()
        provisional.default_factory = provisional.__len__
        flat = np.fromiter(map(provisional.__getitem__, stream), dtype=np.int64)
        tokens = list(provisional)
        n_types, n_docs = len(tokens), len(docs)
        counts = np.bincount(flat, minlength=n_types)
        keep = counts >= self.min_freq
        max_doc_count = (
            self.max_df
            if isinstance(self.max_df, numbers.Integral)
            else self.max_df * n_docs
        )
        if max_doc_count < n_docs:
            doc_of_token = np.repeat(np.arange(n_docs), lengths)
            pairs = np.unique(doc_of_token * n_types + flat)
            keep &= np.bincount(pairs % n_types, minlength=n_types) <= max_doc_count
        specials = {self.pad_token: 0, self.unk_token: 1}
        if previous is None:
            previous = list(specials) + list(() if vectors is None else vectors.words)
        present = set(previous)
        kept = [i for i in np.flatnonzero(keep).tolist() if tokens[i] not in present]
        kept.sort(key=lambda i: (-counts[i], tokens[i]))
        if self.max_tokens is not None:
            # with vectors, the cap is on the tokens without a vector
            capped = len(previous) - (0 if vectors is None else len(vectors))
            kept = kept[: max(self.max_tokens - capped, 0)]
        id_to_token = list(previous) + [tokens[i] for i in kept]
        if len(id_to_token) == len(specials):
            raise ValueError(
                "The vocabulary is empty: no token is left after tokenization "
                f"and filtering (min_freq={self.min_freq}, max_df={self.max_df}). "
                "The documents may hold no tokens, or the filters are too strict."
            )
        self.vocabulary_ = vocabulary = _first_ids(id_to_token)
        self._id_to_token = np.array(id_to_token, dtype=object)
        remap = np.fromiter(
            (vocabulary.get(t, 1) for t in tokens), dtype=np.int64, count=n_types
        )
        self.token_counts_ = {
            tokens[i]: int(counts[i]) for i in np.flatnonzero(remap > 1).tolist()
        }
        return split_by_lengths(remap[flat], lengths)

    def _index(self, docs: list[str]) -> list[np.ndarray]:
        """Id sequences of ``docs``; tokens outside the vocabulary become 1."""
        stream, lengths = self._token_stream(docs)
        ids = np.fromiter(
            map(self.vocabulary_.get, stream, itertools.repeat(1)), dtype=np.int64
        )
        return split_by_lengths(ids, lengths)
