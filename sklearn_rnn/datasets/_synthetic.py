"""Corpora made in code: the classic three-sentence example, and a sentiment
corpus whose labels depend on word order only."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["load_toy_corpus", "make_order_sentiment"]


def load_toy_corpus() -> tuple[list[str], np.ndarray]:
    """Return the three documents of the classic bag-of-words example.

    Returns
    -------
    texts : list of str
        ``"The sun is shining"``, ``"The weather is sweet"`` and
        ``"The sun is shining, the weather is sweet, and one and one is two"``.
    labels : ndarray of shape (3,)
        ``array([0, 1, 0])``.

    See Also
    --------
    make_order_sentiment : A synthetic corpus that a bag of words cannot solve.

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_toy_corpus
    >>> texts, labels = load_toy_corpus()
    >>> texts[0]
    'The sun is shining'
    >>> labels
    array([0, 1, 0])
    """
    texts = [
        "The sun is shining",
        "The weather is sweet",
        "The sun is shining, the weather is sweet, and one and one is two",
    ]
    return texts, np.array([0, 1, 0])


# ---------------------------------------------------------------------------
# Synthetic corpus whose label depends on word order only
# ---------------------------------------------------------------------------

# Each template has two slots for the single "not" of a sentence: {n1} sits on
# the verb of a relative clause (irrelevant to the sentiment), {n2} right
# before the adjective (it flips the sentiment).
_TEMPLATES = (
    "the {noun} {subject} has {n1} {participle} is {n2} {adj}",
    "the {noun} that {subject} did {n1} {verb} was {n2} {adj}",
    "i think the {noun} {subject} has {n1} {participle} is {n2} {adj}",
    "the {noun} which {subject} would {n1} {verb} is {n2} {adj}",
    "they say the {noun} that {subject} did {n1} {verb} is {n2} {adj}",
)
_NOUNS = ("movie", "film", "show", "series", "play", "book", "album", "game")
_SUBJECTS = (
    "my friend",
    "my brother",
    "my sister",
    "my cousin",
    "my neighbour",
    "our teacher",
    "the critic",
    "my boss",
)
_VERBS = ("see", "review", "mention", "describe", "discuss", "choose")
_PARTICIPLES = ("seen", "reviewed", "mentioned", "described", "discussed", "chosen")
_POSITIVE = ("good", "great", "fun", "funny", "brilliant", "lovely")
_NEGATIVE = ("bad", "boring", "awful", "dull", "poor", "terrible")
# Neutral phrases appended after the adjective; they contain neither "not" nor
# an adjective of the two lists above.
_FILLER = (
    "in my opinion",
    "if you ask me",
    "to be honest",
    "at least for me",
    "as far as i know",
    "according to my cousin",
    "after all",
    "in the end",
    "this time",
    "at the cinema",
    "last week",
    "with my family",
    "on a rainy sunday",
)


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"{name} must be an integer >= {minimum}; got {value!r} "
            f"of type {type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def _filler(rng: np.random.RandomState, n_words: int) -> list[str]:
    """Return exactly ``n_words`` words made of randomly chosen filler phrases."""
    words: list[str] = []
    while len(words) < n_words:
        words.extend(_FILLER[rng.randint(len(_FILLER))].split())
    return words[:n_words]


def make_order_sentiment(
    n_samples: int = 500,
    *,
    distance: int = 0,
    noise: float = 0.0,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[list[str], np.ndarray]:
    """Generate a sentiment corpus whose labels depend on word order only.

    Every sentence holds exactly one ``"not"`` and one adjective, positive
    (``good``, ``great``, ...) or negative (``bad``, ``boring``, ...). The
    ``"not"`` either negates the adjective (``"... is not good"``) or sits on
    the verb of a relative clause, where it does not touch the sentiment
    (``"the movie my friend has not seen is good"``). The label is the
    polarity of the adjective, flipped when ``"not"`` stands right before it:

    - ``"the movie my friend has not seen is good"`` -> 1 (positive)
    - ``"the movie my friend has seen is not good"`` -> 0 (negative)
    - ``"the movie my friend has not seen is bad"`` -> 0 (negative)
    - ``"the movie my friend has seen is not bad"`` -> 1 (positive)

    Both placements of ``"not"`` are equally likely whatever the other words
    are, so a sentence's bag of words says nothing about its label: a
    unigram bag-of-words model stays at chance level. Two-word patterns
    (``"not good"``) do carry the label, so a model must use word order,
    e.g. n-grams or a recurrent network.

    Parameters
    ----------
    n_samples : int, default=500
        Number of sentences, at least 2. The two classes get
        ``n_samples // 2`` sentences each (one more for class 1 when
        ``n_samples`` is odd), in random order.

    distance : int, default=0
        Number of neutral filler words (``"in my opinion if you ask me
        ..."``) appended after the adjective, so that the words deciding the
        label lie ``distance`` words before the end of the sentence. With
        ``distance=0`` the sentence ends with the adjective. Large values
        create the long-range dependency that a plain RNN struggles to learn
        and an LSTM or GRU learns. For a given ``random_state`` the
        sentences (before the filler) and the labels do not depend on
        ``distance``.

    noise : float, default=0.0
        Fraction of labels to flip, in ``[0, 0.5)``. Exactly ``round(noise *
        n_samples)`` labels are flipped, taken from both classes as equally
        as possible, so the class sizes still differ by at most 2.

    random_state : int, RandomState instance or None, default=None
        Seed or random number generator; pass an int for reproducible output.

    Returns
    -------
    texts : list of str
        Lower-case sentences of 9 to 12 words plus ``distance`` filler
        words, separated by single spaces, without punctuation. The
        vocabulary has fewer than 100 words.
    labels : ndarray of shape (n_samples,)
        0 for negative and 1 for positive sentences.

    See Also
    --------
    load_toy_corpus : A tiny corpus for a first look at bags of words.

    Examples
    --------
    >>> from sklearn_rnn.datasets import make_order_sentiment
    >>> texts, labels = make_order_sentiment(4, random_state=0)
    >>> for text, label in zip(texts, labels):
    ...     print(label, text)
    1 they say the series that our teacher did not see is good
    0 the game my sister has not seen is boring
    1 the film which my neighbour would not discuss is lovely
    0 the series which my boss would mention is not great
    >>> texts, labels = make_order_sentiment(4, distance=5, random_state=0)
    >>> texts[0]
    'they say the series that our teacher did not see is good as far as i know'
    """
    n_samples = _check_int(n_samples, "n_samples", 2)
    distance = _check_int(distance, "distance", 0)
    if (
        isinstance(noise, bool)
        or not isinstance(noise, numbers.Real)
        or not 0 <= noise < 0.5
    ):
        raise ValueError(f"noise must be a number in [0, 0.5); got {noise!r}.")
    rng = check_random_state(random_state)

    # Everything but the place of "not" is drawn independently of the label.
    templates = rng.randint(len(_TEMPLATES), size=n_samples)
    nouns = rng.randint(len(_NOUNS), size=n_samples)
    subjects = rng.randint(len(_SUBJECTS), size=n_samples)
    verbs = rng.randint(len(_VERBS), size=n_samples)
    polarity = rng.randint(2, size=n_samples)
    adjectives = rng.randint(len(_POSITIVE), size=n_samples)
    # Class 1 gets the extra sample when n_samples is odd.
    labels = rng.permutation(np.arange(1, n_samples + 1) % 2)

    texts = []
    for i in range(n_samples):
        negate_adjective = polarity[i] != labels[i]
        adj_list = _POSITIVE if polarity[i] else _NEGATIVE
        text = _TEMPLATES[templates[i]].format(
            noun=_NOUNS[nouns[i]],
            subject=_SUBJECTS[subjects[i]],
            verb=_VERBS[verbs[i]],
            participle=_PARTICIPLES[verbs[i]],
            adj=adj_list[adjectives[i]],
            n1="" if negate_adjective else "not",
            n2="not" if negate_adjective else "",
        )
        texts.append(" ".join(text.split()))

    n_flips = int(round(noise * n_samples))
    if n_flips:
        flip_0 = rng.choice(np.flatnonzero(labels == 0), n_flips // 2, replace=False)
        flip_1 = rng.choice(
            np.flatnonzero(labels == 1), n_flips - n_flips // 2, replace=False
        )
        flip = np.concatenate([flip_0, flip_1])
        labels[flip] = 1 - labels[flip]

    # Drawn last, so that the sentences and labels above do not depend on it.
    if distance:
        texts = [" ".join([text, *_filler(rng, distance)]) for text in texts]
    return texts, labels
