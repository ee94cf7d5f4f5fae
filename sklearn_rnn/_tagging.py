"""What the two taggers share: checking sentences and tags, the tag and word
vocabularies, ``predict`` and ``score``.

A tagger takes a list of sentences, each a list of tokens (or a string, split
by :class:`~sklearn_rnn.VocabularyIndexer`'s default token pattern, case
kept), and a list of tag sequences of the same lengths.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.validation import check_is_fitted

from ._data import split_by_lengths
from ._validation import is_missing
from .text import VocabularyIndexer

__all__ = [
    "word_chars",
    "with_char_ids",
    "whole_token",
    "whole_token_lower",
    "check_sentences",
    "check_tag_sequences",
    "TaggerMixin",
]


def whole_token(token: str) -> list[str]:
    """Analyzer that keeps a token as it is (one token per "document")."""
    return [token]


def whole_token_lower(token: str) -> list[str]:
    """Analyzer that keeps a token whole, lowercased."""
    return [token.lower()]


def _preview(tokens: list[str], n: int = 6) -> str:
    shown = " ".join(tokens[:n])
    return repr(shown + (" ..." if len(tokens) > n else ""))


def check_sentences(X) -> list[list[str]]:
    """Validate tagger input: an iterable of sentences, each a token list or str.

    Returns a new list of token lists. A string sentence is split by the
    default token pattern of :class:`VocabularyIndexer` (case kept).
    """
    if X is None:
        raise TypeError(
            "A list of sentences expected (each a list of tokens or a string), "
            "got None."
        )
    if isinstance(X, (str, bytes)):
        raise TypeError(
            "A list of sentences expected, str object received. Wrap a single "
            "sentence in a list: [tokens]."
        )
    if (isinstance(X, np.ndarray) and X.ndim == 0) or not isinstance(X, Iterable):
        raise TypeError(f"A list of sentences expected, got {type(X).__name__}.")
    tokenize = None
    sentences = []
    for i, sentence in enumerate(X):
        if isinstance(sentence, (str, np.str_)):
            if tokenize is None:
                tokenize = VocabularyIndexer(lowercase=False).build_analyzer()
            sentences.append(tokenize(str(sentence)))
            continue
        if is_missing(sentence) or not isinstance(sentence, Iterable):
            raise TypeError(
                f"Sentence {i} is {sentence!r:.50}; each sentence must be a list "
                "of token strings (or one string)."
            )
        tokens = list(sentence)
        for j, token in enumerate(tokens):
            if not isinstance(token, str):
                raise TypeError(
                    f"Sentence {i} holds {token!r:.50} at position {j}; tokens "
                    "must be strings."
                )
        sentences.append([str(t) for t in tokens])
    if not sentences:
        raise ValueError("The input is empty: at least one sentence is needed.")
    return sentences


def check_tag_sequences(y, sentences: list[list[str]]) -> list[list]:
    """Validate the tag sequences against the sentences; name any bad one."""
    if y is None:
        raise ValueError("A tagger needs tags: y=None was passed to fit.")
    if isinstance(y, (str, bytes)):
        raise TypeError("y must be a list of tag sequences, one per sentence.")
    tag_seqs = []
    for i, tags in enumerate(y):
        if isinstance(tags, (str, bytes)) or not isinstance(tags, Iterable):
            raise TypeError(
                f"The tags of sentence {i} are {tags!r:.50}; each sentence needs "
                "a sequence of tags, one per token."
            )
        tag_seqs.append(list(tags))
    if len(tag_seqs) != len(sentences):
        raise ValueError(
            f"X and y have different lengths: {len(sentences)} sentences but "
            f"{len(tag_seqs)} tag sequences."
        )
    for i, (tokens, tags) in enumerate(zip(sentences, tag_seqs)):
        if len(tokens) != len(tags):
            raise ValueError(
                f"Sentence {i} ({_preview(tokens)}) has {len(tokens)} tokens but "
                f"{len(tags)} tags; every token needs exactly one tag."
            )
        missing = [j for j, tag in enumerate(tags) if is_missing(tag)]
        if missing:
            raise ValueError(
                f"Sentence {i} ({_preview(tokens)}) has a missing tag (None or "
                f"NaN) at position {missing[0]}."
            )
    return tag_seqs


#: Longer words keep their first and last ``_MAX_WORD_CHARS // 2`` characters
#: for the character CNN (prefixes and suffixes carry the part of speech).
_MAX_WORD_CHARS = 20


def word_chars(sentences: list[list[str]]):
    """Every token of ``sentences``, cut to its first and last characters."""
    half = _MAX_WORD_CHARS // 2
    for token in itertools.chain.from_iterable(sentences):
        yield token if len(token) <= _MAX_WORD_CHARS else token[:half] + token[-half:]


def with_char_ids(
    sentences: list[list[str]], word_rows: list[np.ndarray], char_indexer
) -> list[np.ndarray]:
    """Per sentence, a ``(n_tokens, 1 + n_chars)`` matrix: the word's row,
    then the ids of its characters (0 after the last)."""
    tokens = list(word_chars(sentences))
    char_ids = char_indexer.transform(tokens) if tokens else []
    features, start = [], 0
    for words in word_rows:
        chars = char_ids[start : start + len(words)]
        start += len(words)
        width = max((len(c) for c in chars), default=0)
        matrix = np.zeros((len(words), 1 + width), dtype=np.int64)
        matrix[:, 0] = words
        for j, c in enumerate(chars):
            matrix[j, 1 : 1 + len(c)] = c
        features.append(matrix)
    return features


class TaggerMixin:
    """Tag encoding, word indexing, ``predict`` and ``score`` of the taggers.

    Subclasses implement ``_tag_scores(sentences)`` returning one array of
    shape ``(n_tokens, n_tags)`` per sentence (probabilities or logits), or
    override ``_predict_ids``.
    """

    def _encode_tags(self, tag_seqs: list[list]) -> list[np.ndarray]:
        flat = list(itertools.chain.from_iterable(tag_seqs))
        if not flat:
            raise ValueError("The sentences hold no tokens: there is nothing to fit.")
        encoder = LabelEncoder().fit(flat)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"y has a single tag ({encoder.classes_[0]!r}); a tagger needs at "
                "least two tags."
            )
        self.classes_ = encoder.classes_
        ids = encoder.transform(flat).astype(np.int64)
        return split_by_lengths(ids, [len(t) for t in tag_seqs])

    def _word_indexer(self) -> VocabularyIndexer:
        analyzer = whole_token_lower if self.lowercase else whole_token
        return VocabularyIndexer(analyzer=analyzer, token_pattern=None)

    def _fit_words(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """Fit ``word_indexer_`` on the tokens; return each sentence's word ids."""
        tokens = list(itertools.chain.from_iterable(sentences))
        if not tokens:
            raise ValueError("The sentences hold no tokens: there is nothing to fit.")
        self.word_indexer_ = self._word_indexer()
        ids = np.concatenate(self.word_indexer_.fit_transform(tokens))
        return split_by_lengths(ids, [len(s) for s in sentences])

    def _word_ids(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """Word ids of each sentence; unseen words are ``<unk>`` (1)."""
        tokens = list(itertools.chain.from_iterable(sentences))
        lengths = [len(s) for s in sentences]
        if not tokens:
            return [np.zeros(0, dtype=np.int64) for _ in sentences]
        ids = np.concatenate(self.word_indexer_.transform(tokens))
        return split_by_lengths(ids, lengths)

    def _predict_ids(self, sentences: list[list[str]]) -> list[np.ndarray]:
        return [scores.argmax(axis=1) for scores in self._tag_scores(sentences)]

    def predict(self, X) -> list[np.ndarray]:
        """Predict the tag of every token.

        Parameters
        ----------
        X : iterable of (list of str or str)
            Sentences: token lists, or strings split by the default token
            pattern.

        Returns
        -------
        tags : list of ndarray
            One 1-D array of tags (labels as given to ``fit``) per sentence,
            as long as the sentence.
        """
        check_is_fitted(self, "classes_")
        sentences = check_sentences(X)
        return [self.classes_[ids] for ids in self._predict_ids(sentences)]

    def score(self, X, y, sample_weight=None) -> float:
        """Token accuracy: the share of all tokens whose tag is predicted right.

        Parameters
        ----------
        X : iterable of (list of str or str)
            Sentences.
        y : iterable of sequences
            The true tags, one per token.
        sample_weight : None
            Not supported; must be None.

        Returns
        -------
        accuracy : float
            Correct tags over tokens, pooled over all sentences.
        """
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by the taggers.")
        check_is_fitted(self, "classes_")
        sentences = check_sentences(X)
        tag_seqs = check_tag_sequences(y, sentences)
        predicted = self._predict_ids(sentences)
        flat_pred = self.classes_[np.concatenate(predicted)]
        flat_true = np.asarray(list(itertools.chain.from_iterable(tag_seqs)))
        if flat_true.size == 0:
            raise ValueError("The sentences hold no tokens: there is nothing to score.")
        return float(np.mean(flat_pred == flat_true))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        return tags
