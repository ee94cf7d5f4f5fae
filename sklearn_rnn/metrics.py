"""Metrics of predicted sequences, ready for :func:`sklearn.metrics.make_scorer`.

Each function takes ``y_true`` and ``y_pred`` as lists with one item per
input. A predicted item is a string or a list of tokens; a true item is one
reference of the same kind, or a list of references (a word with several
pronunciations, a sentence with several translations), and a prediction is
measured against the reference it is closest to. Strings are split into
tokens by ``analyzer``: ``"word"`` (the package's token pattern, case
kept), ``"char"`` (every character) or a callable.

- :func:`token_error_rate`: edit distance over reference length, pooled
  over the items (the phoneme error rate, PER, of grapheme-to-phoneme
  conversion; the word error rate of speech recognition);
- :func:`sequence_error_rate`: the share of items equal to none of their
  references (the word error rate, WER, of grapheme-to-phoneme conversion);
- :func:`corpus_bleu` and :func:`corpus_chrf`: sacrebleu's BLEU and chrF
  (``pip install "sklearn-rnn[bleu]"``), on detokenized strings.

The error rates are lower-is-better: pass ``greater_is_better=False`` to
``make_scorer``. Edit distances are computed by ``rapidfuzz``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rapidfuzz.distance import Levenshtein

from ._validation import is_missing

__all__ = [
    "token_error_rate",
    "sequence_error_rate",
    "corpus_bleu",
    "corpus_chrf",
]

_ANALYZERS = ("word", "char")


def _chars(text: str) -> list[str]:
    return list(text)


def _whole(text: str) -> list[str]:
    return [text]


def build_analyzer(analyzer) -> Callable[[str], list[str]]:
    """The function that splits one string into tokens: ``"word"`` (the
    package's token pattern, case kept), ``"char"`` or a callable."""
    if callable(analyzer):
        return analyzer
    if analyzer == "char":
        return _chars
    if analyzer == "word":
        from .text import VocabularyIndexer

        return VocabularyIndexer(lowercase=False).build_analyzer()
    raise ValueError(
        f"analyzer must be 'word', 'char' or a callable; got {analyzer!r}."
    )


def _tokens(item, analyze, what: str) -> list:
    if isinstance(item, str):
        return list(analyze(item))
    if is_missing(item) or not isinstance(item, Iterable):
        raise TypeError(
            f"{what} is {item!r:.50}; expected a string or a sequence of tokens."
        )
    return list(item)


def _is_reference_list(item, prediction_is_str: bool) -> bool:
    """Whether the true ``item`` is a list of references rather than one."""
    if isinstance(item, str) or not isinstance(item, Iterable):
        return False
    items = list(item)
    if prediction_is_str:
        return True  # a list next to a string prediction: its references
    return bool(items) and all(
        not isinstance(r, str) and isinstance(r, Iterable) for r in items
    )


def _pairs(y_true, y_pred, analyzer):
    """Per item, the predicted tokens and the token lists of its references."""
    if isinstance(y_true, str) or isinstance(y_pred, str):
        raise TypeError(
            "y_true and y_pred must be lists with one item per input, not a "
            "string; wrap a single item in a list."
        )
    y_true, y_pred = list(y_true), list(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred have different lengths: {len(y_true)} and "
            f"{len(y_pred)}."
        )
    if not y_true:
        raise ValueError("y_true and y_pred are empty: there is nothing to score.")
    analyze = build_analyzer(analyzer)
    pairs = []
    for i, (true, pred) in enumerate(zip(y_true, y_pred)):
        predicted = _tokens(pred, analyze, f"Prediction {i}")
        if _is_reference_list(true, isinstance(pred, str)):
            refs = [_tokens(r, analyze, f"A reference of item {i}") for r in true]
            if not refs:
                raise ValueError(f"Item {i} of y_true has no reference.")
        else:
            refs = [_tokens(true, analyze, f"Item {i} of y_true")]
        pairs.append((predicted, refs))
    return pairs


def _closest(predicted: list, refs: list[list]) -> tuple[int, int]:
    """Edit distance to the closest reference and that reference's length
    (of equally close ones, the longest)."""
    return min(
        (Levenshtein.distance(predicted, ref), -len(ref)) for ref in refs
    )


def token_error_rate(y_true, y_pred, *, analyzer="word") -> float:
    """Token edit distance to the closest reference, over reference length.

    For each item, the Levenshtein distance (insertions, deletions and
    substitutions of tokens) from the prediction to its closest reference;
    the distances are summed over the items and divided by the summed
    lengths of those references. This is the phoneme error rate (PER) of
    grapheme-to-phoneme conversion. It can exceed 1 when the predictions
    are much longer than the references. When every chosen reference is
    empty the divisor is 1 (the count of edits).

    Parameters
    ----------
    y_true : list
        Per item, one reference (a string or a list of tokens) or a list of
        references.
    y_pred : list
        Per item, the prediction (a string or a list of tokens).
    analyzer : {"word", "char"} or callable, default="word"
        How strings are split into tokens.

    Returns
    -------
    rate : float
        Lower is better; 0 when every prediction equals a reference.

    Examples
    --------
    >>> from sklearn_rnn.metrics import token_error_rate
    >>> token_error_rate(["K AE T", "D AO G"], ["K AE T", "D AA G"])
    0.16666666666666666
    >>> token_error_rate([["T AH M EY T OW", "T AH M AA T OW"]], ["T AH M AA T OW"])
    0.0
    """
    edits, length = 0, 0
    for predicted, refs in _pairs(y_true, y_pred, analyzer):
        distance, minus_length = _closest(predicted, refs)
        edits += distance
        length -= minus_length
    return edits / max(length, 1)


def sequence_error_rate(y_true, y_pred, *, analyzer="word") -> float:
    """The share of items whose prediction equals none of their references.

    The word error rate (WER) of grapheme-to-phoneme conversion, where an
    item is a word and a word is right if its predicted pronunciation is
    one of the dictionary's. Tokens are compared, so ``"K AE T"`` and
    ``"K  AE T"`` are equal with the word analyzer.

    Parameters
    ----------
    y_true : list
        Per item, one reference or a list of references.
    y_pred : list
        Per item, the prediction.
    analyzer : {"word", "char"} or callable, default="word"
        How strings are split into tokens.

    Returns
    -------
    rate : float
        In [0, 1], lower is better.

    Examples
    --------
    >>> from sklearn_rnn.metrics import sequence_error_rate
    >>> sequence_error_rate([["K AE T"], ["D AO G", "D AA G"]], ["K AE T", "D AA G"])
    0.0
    >>> sequence_error_rate(["abc", "abd"], ["abc", "abc"], analyzer="char")
    0.5
    """
    pairs = _pairs(y_true, y_pred, analyzer)
    wrong = sum(all(predicted != ref for ref in refs) for predicted, refs in pairs)
    return wrong / len(pairs)


def _sacrebleu():
    try:
        import sacrebleu
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "corpus_bleu and corpus_chrf need sacrebleu: pip install "
            '"sklearn-rnn[bleu]" (or pip install sacrebleu).'
        ) from exc
    return sacrebleu


def _streams(y_true, y_pred) -> tuple[list[str], list[list]]:
    """Hypotheses as strings and references as sacrebleu's streams (one list
    per reference rank, None where an item has fewer references)."""
    pairs = _pairs(y_true, y_pred, _whole)  # strings stay as they are
    hypotheses = [" ".join(map(str, predicted)) for predicted, _ in pairs]
    n_refs = max(len(refs) for _, refs in pairs)
    streams = [
        [" ".join(map(str, refs[r])) if r < len(refs) else None for _, refs in pairs]
        for r in range(n_refs)
    ]
    return hypotheses, streams


def corpus_bleu(y_true, y_pred, **bleu_params) -> float:
    """Corpus BLEU (0-100, higher is better), computed by sacrebleu.

    Token lists are joined by spaces; strings are passed as they are and
    tokenized by sacrebleu (its ``"13a"`` tokenizer by default), so that the
    figure is comparable with published ones.

    Parameters
    ----------
    y_true : list
        Per item, one reference or a list of references.
    y_pred : list
        Per item, the prediction.
    **bleu_params
        Passed to ``sacrebleu.metrics.BLEU`` (``tokenize``, ``smooth_method``,
        ``lowercase``...).

    Returns
    -------
    bleu : float

    Examples
    --------
    >>> from sklearn_rnn.metrics import corpus_bleu
    >>> round(corpus_bleu(["the cat sat on the mat"], ["the cat sat on the mat"]), 1)
    100.0
    """
    sacrebleu = _sacrebleu()
    hypotheses, streams = _streams(y_true, y_pred)
    metric = sacrebleu.metrics.BLEU(**bleu_params)
    return float(metric.corpus_score(hypotheses, streams).score)


def corpus_chrf(y_true, y_pred, **chrf_params) -> float:
    """Corpus chrF (0-100, higher is better), computed by sacrebleu.

    Parameters
    ----------
    y_true : list
        Per item, one reference or a list of references.
    y_pred : list
        Per item, the prediction (token lists are joined by spaces).
    **chrf_params
        Passed to ``sacrebleu.metrics.CHRF`` (``word_order=2`` gives chrF++).

    Returns
    -------
    chrf : float

    Examples
    --------
    >>> from sklearn_rnn.metrics import corpus_chrf
    >>> round(corpus_chrf(["the cat sat"], ["the cat sat"]), 1)
    100.0
    """
    sacrebleu = _sacrebleu()
    hypotheses, streams = _streams(y_true, y_pred)
    metric = sacrebleu.metrics.CHRF(**chrf_params)
    return float(metric.corpus_score(hypotheses, streams).score)
