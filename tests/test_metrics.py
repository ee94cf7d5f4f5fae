"""Sequence metrics against hand-computed cases and sacrebleu's own example."""

import pytest
from sklearn.base import BaseEstimator
from sklearn.metrics import make_scorer

from sklearn_rnn.metrics import (
    corpus_bleu,
    corpus_chrf,
    sequence_error_rate,
    token_error_rate,
)


def test_token_error_rate_by_hand():
    # one substitution in 3 phones, one deletion in 2, one insertion in 1
    y_true = ["K AE T", "AH B", "OW"]
    y_pred = ["K AA T", "AH", "OW OW"]
    assert token_error_rate(y_true, y_pred) == pytest.approx(3 / 6)
    assert token_error_rate(y_true, y_true) == 0.0
    # characters: "kitten" -> "sitting" is the classic 3 edits
    assert token_error_rate(["sitting"], ["kitten"], analyzer="char") == 3 / 7


def test_token_error_rate_takes_the_closest_reference_and_its_length():
    refs = [["T AH M EY T OW", "T AH M AA T OW"], "D AO G"]
    # closest reference of item 0 is the second (1 edit away, length 6)
    assert token_error_rate(refs, ["T AH M AA T AH", "D AO G"]) == pytest.approx(1 / 9)
    # of equally close references, the longer one is the divisor
    assert token_error_rate([["A B", "A B C D"]], ["A B C"]) == pytest.approx(1 / 4)


def test_token_lists_and_lists_of_token_lists():
    assert token_error_rate([["a", "b"]], [["a", "c"]]) == 0.5
    assert token_error_rate([[["x"], ["a", "b"]]], [["a", "b"]]) == 0.0
    assert sequence_error_rate([[["x"], ["a", "b"]]], [["a", "b"]]) == 0.0
    assert token_error_rate([[]], [["a"]]) == 1.0  # empty reference: edits / 1


def test_sequence_error_rate_by_hand():
    y_true = [["K AE T"], ["D AO G", "D AA G"], "B IY"]
    assert sequence_error_rate(y_true, ["K AE T", "D AA G", "B AY"]) == pytest.approx(
        1 / 3
    )
    # tokens are compared: spacing does not count
    assert sequence_error_rate(["K AE T"], ["K  AE T"]) == 0.0
    assert sequence_error_rate(["ab"], ["a b"], analyzer="char") == 1.0


def test_custom_analyzer_and_scorer():
    assert token_error_rate(["a-b-c"], ["a-b"], analyzer=lambda s: s.split("-")) == (
        1 / 3
    )
    scorer = make_scorer(sequence_error_rate, greater_is_better=False)

    class Echo(BaseEstimator):
        def predict(self, X):
            return list(X)

    assert scorer(Echo(), ["a", "b"], ["a", "c"]) == -0.5


@pytest.mark.parametrize("metric", [token_error_rate, sequence_error_rate])
def test_bad_input(metric):
    with pytest.raises(ValueError, match="different lengths: 2 and 1"):
        metric(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="empty"):
        metric([], [])
    with pytest.raises(TypeError, match="not a string"):
        metric("abc", "abc")
    with pytest.raises(TypeError, match="Prediction 1 is None"):
        metric(["a", "b"], ["a", None])
    with pytest.raises(TypeError, match="Item 0 of y_true is 3"):
        metric([3], ["a"])
    with pytest.raises(ValueError, match="analyzer must be"):
        metric(["a"], ["a"], analyzer="chars")


# sacrebleu's README example: BLEU = 48.53, chrF2 = 59.73
SYSTEM = [
    "The dog bit the man.",
    "It wasn't surprising.",
    "The man had just bitten him.",
]
REFERENCES = [
    ["The dog bit the man.", "The dog had bit the man."],
    ["It was not unexpected.", "No one was surprised."],
    ["The man bit him first.", "The man had bitten the dog."],
]


def test_bleu_and_chrf_as_sacrebleu_computes_them():
    assert corpus_bleu(REFERENCES, SYSTEM) == pytest.approx(48.53, abs=0.005)
    assert corpus_chrf(REFERENCES, SYSTEM) == pytest.approx(59.73, abs=0.005)


def test_bleu_with_unequal_reference_counts_and_token_lists():
    sacrebleu = pytest.importorskip("sacrebleu")
    one = [refs[0] for refs in REFERENCES]
    mixed = [REFERENCES[0], one[1], [one[2]]]
    streams = [one, [REFERENCES[0][1], None, None]]
    assert corpus_bleu(mixed, SYSTEM) == sacrebleu.corpus_bleu(SYSTEM, streams).score
    tokens = [s.split() for s in SYSTEM]
    refs = [[r.split() for r in refs] for refs in REFERENCES]
    assert corpus_bleu(refs, tokens) == pytest.approx(48.53, abs=0.005)
    assert corpus_bleu(["a b c d e"], ["a b c d e"]) == pytest.approx(100.0)
