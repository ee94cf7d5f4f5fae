"""Tests of the sequence taggers: RNNTagger and HMMTagger."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_rnn.hmm import HMMTagger
from sklearn_rnn.tagger import RNNTagger

SMALL = dict(
    embedding_dim=16, hidden_size=16, char_embedding_dim=8, char_filters=8, lr=1e-2
)


def make_toy_tagging(n_sentences: int, seed: int = 0):
    """Sentences whose ambiguous words are tagged by the previous word.

    "run", "walk", "swim" are NOUN after a determiner and VERB after a
    pronoun; each sentence is 1-4 such pairs and a final ".".
    """
    rng = np.random.default_rng(seed)
    X, y = [], []
    for _ in range(n_sentences):
        tokens, tags = [], []
        for _ in range(rng.integers(1, 5)):
            if rng.random() < 0.5:
                tokens.append(str(rng.choice(["the", "a"])))
                tags += ["DET", "NOUN"]
            else:
                tokens.append(str(rng.choice(["i", "you", "we"])))
                tags += ["PRON", "VERB"]
            tokens.append(str(rng.choice(["run", "walk", "swim"])))
        X.append(tokens + ["."])
        y.append(tags + ["PUNCT"])
    return X, y


@pytest.fixture(scope="module")
def toy():
    return make_toy_tagging(160, seed=0)


@pytest.fixture(scope="module")
def fitted(toy):
    X, y = toy
    return RNNTagger(
        **SMALL, max_epochs=8, batch_size=8, early_stopping=False, random_state=0
    ).fit(X, y)


# -- RNNTagger -----------------------------------------------------------------
def test_learns_tags_that_depend_on_the_previous_word(fitted):
    X, y = make_toy_tagging(50, seed=1)
    assert fitted.score(X, y) > 0.98
    assert fitted.predict([["the", "run", "."], ["we", "run", "."]])[0].tolist() == [
        "DET",
        "NOUN",
        "PUNCT",
    ]
    assert fitted.predict([["we", "run", "."]])[0].tolist() == ["PRON", "VERB", "PUNCT"]


def test_output_shapes_and_probabilities(fitted):
    X = [["the", "walk", "."], ["i", "swim", "a", "run", "."], []]
    proba = fitted.predict_proba(X)
    assert [p.shape for p in proba] == [(3, 5), (5, 5), (0, 5)]
    for p in proba:
        np.testing.assert_allclose(p.sum(axis=1), 1.0)
    tags = fitted.predict(X)
    assert [len(t) for t in tags] == [3, 5, 0]
    assert fitted.classes_.tolist() == ["DET", "NOUN", "PRON", "PUNCT", "VERB"]
    logits = fitted.decision_function(X)
    assert [a.argmax(axis=1).tolist() for a in logits] == [
        p.argmax(axis=1).tolist() for p in proba
    ]


def test_tags_do_not_depend_on_padding_or_batch(fitted):
    sentence = ["you", "walk", "."]
    alone = fitted.predict_proba([sentence])[0]
    long = ["the", "run", "i", "swim", "a", "walk", "we", "run", "the", "swim", "."]
    in_batch = fitted.predict_proba([long, sentence, long[:5], long])[1]
    np.testing.assert_allclose(alone, in_batch, atol=1e-5)
    # batches of one sentence, then a batch padded to a long neighbour
    copy = pickle.loads(pickle.dumps(fitted))
    copy.net_.set_params(batch_size=1)
    np.testing.assert_allclose(
        copy.predict_proba([long, sentence])[1], alone, atol=1e-5
    )
    copy.net_.set_params(batch_size=3)
    np.testing.assert_allclose(
        copy.predict_proba([long, sentence])[1], alone, atol=1e-5
    )


def test_unseen_words_and_long_words_are_tagged(fitted):
    sentence = ["we", "jumpingly", "the", "x" * 50, "."]
    tags = fitted.predict([sentence])[0]
    assert len(tags) == 5
    assert tags[0] == "PRON" and tags[-1] == "PUNCT"


def test_string_sentences_use_the_indexer_tokenization(fitted):
    assert fitted.predict(["we walk."])[0].tolist() == ["PRON", "VERB", "PUNCT"]


def test_integer_tags_round_trip(toy):
    X, y = toy
    codes = {"DET": 10, "NOUN": 20, "PRON": 30, "PUNCT": 40, "VERB": 50}
    y_int = [[codes[t] for t in tags] for tags in y]
    tagger = RNNTagger(**SMALL, max_epochs=2, early_stopping=False, random_state=0)
    tagger.fit(X[:40], y_int[:40])
    assert tagger.classes_.tolist() == [10, 20, 30, 40, 50]
    predicted = tagger.predict(X[:3])
    assert predicted[0].dtype.kind == "i"
    assert set(np.concatenate(predicted).tolist()) <= set(codes.values())


def test_without_char_features(toy):
    X, y = toy
    tagger = RNNTagger(
        embedding_dim=16,
        hidden_size=16,
        char_features=False,
        word_dropout=0.0,
        lr=1e-2,
        batch_size=8,
        max_epochs=8,
        early_stopping=False,
        random_state=0,
    ).fit(X, y)
    assert tagger.char_indexer_ is None
    assert tagger.score(*make_toy_tagging(30, seed=2)) > 0.95


def test_early_stopping_records_token_accuracy(toy):
    X, y = toy
    tagger = RNNTagger(**SMALL, max_epochs=3, patience=1, random_state=0).fit(X, y)
    accuracies = tagger.history_[:, "valid_acc"]
    assert len(accuracies) == tagger.n_epochs_ and 1 <= tagger.best_epoch_ <= 3
    assert all(0 <= a <= 1 for a in accuracies)
    assert tagger.net_.train_split is None


def test_same_random_state_same_model(toy):
    X, y = toy
    params = dict(**SMALL, max_epochs=2, random_state=3)
    a = RNNTagger(**params).fit(X[:60], y[:60]).predict_proba(X[:5])
    b = RNNTagger(**params).fit(X[:60], y[:60]).predict_proba(X[:5])
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa, pb)


def test_pickle_round_trip(fitted, toy):
    X, _ = toy
    restored = pickle.loads(pickle.dumps(fitted))
    for pa, pb in zip(fitted.predict_proba(X[:10]), restored.predict_proba(X[:10])):
        np.testing.assert_array_equal(pa, pb)
    unfitted = pickle.loads(pickle.dumps(RNNTagger(hidden_size=7)))
    assert unfitted.hidden_size == 7


def test_fit_keeps_params_and_predict_keeps_state(fitted, toy):
    X, y = toy
    tagger = RNNTagger(**SMALL, max_epochs=1, early_stopping=False, random_state=0)
    before = tagger.get_params()
    tagger.fit(X[:20], y[:20])
    assert tagger.get_params() == before
    keys = set(fitted.__dict__)
    fitted.predict(X[:3])
    assert set(fitted.__dict__) == keys
    with pytest.raises(NotFittedError):
        RNNTagger().predict(X[:1])


# -- input errors ------------------------------------------------------------------
@pytest.mark.parametrize("Tagger", [RNNTagger, HMMTagger])
def test_length_mismatch_names_the_sentence(Tagger):
    X = [["the", "run", "."], ["we", "walk"]]
    y = [["DET", "NOUN", "PUNCT"], ["PRON", "VERB", "PUNCT"]]
    with pytest.raises(
        ValueError, match=r"Sentence 1 \('we walk'\) has 2 tokens but 3"
    ):
        Tagger().fit(X, y)


@pytest.mark.parametrize("Tagger", [RNNTagger, HMMTagger])
@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (None, [["A"]], TypeError, "got None"),
        ("the run", [["A"]], TypeError, "str object received"),
        ([["the", 3]], [["A", "B"]], TypeError, r"Sentence 0 holds 3 at position 1"),
        ([5], [["A"]], TypeError, "Sentence 0 is 5"),
        ([], [], ValueError, "at least one sentence"),
        ([["a"], ["b"]], [["A"]], ValueError, "2 sentences but 1 tag sequences"),
        ([["a"], ["b"]], None, ValueError, "needs tags"),
        ([["a"], ["b"]], [["A"], ["A"]], ValueError, "single tag"),
        ([["a"], ["b"]], [["A"], [None]], ValueError, "missing tag"),
        ([["a"], ["b"]], [["A"], "B"], TypeError, "tags of sentence 1"),
        ([[], []], [[], []], ValueError, "single tag|no tokens"),
    ],
)
def test_input_errors(Tagger, X, y, error, match):
    with pytest.raises(error, match=match):
        Tagger().fit(X, y)


def test_empty_sentences_are_skipped_in_fit(toy):
    X, y = toy
    tagger = HMMTagger().fit([[], *X], [[], *y])
    assert tagger.predict([[]])[0].shape == (0,)


# -- HMMTagger ----------------------------------------------------------------------
def test_hmm_counts_by_hand():
    X = [["a", "b"], ["a", "a", "c"]]
    y = [["X", "Y"], ["X", "X", "Y"]]
    hmm = HMMTagger(alpha=1.0, emission_alpha=0.5, rare_threshold=1).fit(X, y)
    # starts: X twice, Y never -> (2 + 1, 0 + 1) / 4
    np.testing.assert_allclose(hmm.startprob_, [0.75, 0.25])
    # X->X once, X->Y twice; Y is never followed: uniform
    np.testing.assert_allclose(hmm.transmat_, [[2 / 5, 3 / 5], [0.5, 0.5]])
    vocab = hmm.word_indexer_.vocabulary_
    assert vocab == {"<pad>": 0, "<unk>": 1, "a": 2, "b": 3, "c": 4}
    # X emits a 3 times; Y emits the hapaxes b and c, which also count for <unk>
    # columns: pad, unk, a, b, c; +0.5 everywhere but pad
    expected = np.array([[0, 0.5, 3.5, 0.5, 0.5], [0, 2.5, 0.5, 1.5, 1.5]])
    np.testing.assert_allclose(
        hmm.emissionprob_, expected / expected.sum(axis=1, keepdims=True)
    )
    assert hmm.hmm_.n_features == 5
    assert hmm.predict([["a", "zzz"]])[0].tolist() == ["X", "Y"]


def test_hmm_viterbi_matches_brute_force(toy):
    X, y = toy
    hmm = HMMTagger(alpha=0.5, emission_alpha=0.1).fit(X[:30], y[:30])
    sentences = [["the", "run"], ["we", "zzz", "a"], ["run", ".", "i", "walk"]]
    ids = hmm._word_ids(sentences)
    n_tags = len(hmm.classes_)
    for words, predicted in zip(ids, hmm.predict(sentences)):
        best, best_path = -np.inf, None
        for path in itertools.product(range(n_tags), repeat=len(words)):
            logp = np.log(hmm.startprob_[path[0]])
            logp += sum(np.log(hmm.transmat_[a, b]) for a, b in zip(path, path[1:]))
            logp += sum(np.log(hmm.emissionprob_[t, w]) for t, w in zip(path, words))
            if logp > best:
                best, best_path = logp, path
        assert predicted.tolist() == hmm.classes_[list(best_path)].tolist()


def test_hmm_learns_the_toy_language_and_unseen_words(toy):
    X, y = toy
    hmm = HMMTagger().fit(X, y)
    assert hmm.score(*make_toy_tagging(50, seed=1)) == 1.0
    proba = hmm.predict_proba([["the", "run", "."], []])
    assert [p.shape for p in proba] == [(3, 5), (0, 5)]
    np.testing.assert_allclose(proba[0].sum(axis=1), 1.0)
    # an unseen word after a pronoun: the transitions decide
    assert hmm.predict([["we", "fly", "."]])[0].tolist() == ["PRON", "VERB", "PUNCT"]


def test_hmm_lowercase_and_pickle(toy):
    X, y = toy
    hmm = HMMTagger(lowercase=True).fit(X, y)
    assert hmm.predict([["The", "Run", "."]])[0].tolist() == ["DET", "NOUN", "PUNCT"]
    restored = pickle.loads(pickle.dumps(hmm))
    for pa, pb in zip(hmm.predict_proba(X[:5]), restored.predict_proba(X[:5])):
        np.testing.assert_array_equal(pa, pb)


def test_score_rejects_sample_weight(toy):
    X, y = toy
    with pytest.raises(ValueError, match="sample_weight"):
        HMMTagger().fit(X, y).score(X, y, sample_weight=np.ones(len(X)))


# Fitted with a fixed seed before the tagger's word and character embedding
# was passed into the shared RecurrentEncoder (sklearn_rnn.nn): the same seed
# must keep giving the same weights, so the same tags and logits.
PINNED = [
    (
        True,
        [["DET", "VERB", "PUNCT"], ["PRON", "VERB", "VERB", "PUNCT"]],
        [
            [
                [0.826931, -0.023891, -0.124583, -1.466711, -0.098733],
                [-0.225089, 0.096602, -0.076282, -0.647648, 0.206701],
                [-0.825424, -0.05261, -0.005139, 0.235585, 0.159532],
            ],
            [
                [0.149593, 0.0297, 0.602514, -1.490252, 0.214022],
                [0.144771, -0.092123, 0.119992, -1.217861, 0.160411],
                [-0.552714, -0.041162, -0.06718, -0.535343, 0.303619],
                [-1.105392, -0.185923, -0.059764, 0.439246, 0.15332],
            ],
        ],
    ),
    (
        False,
        [["DET", "VERB", "NOUN"], ["PRON", "VERB", "VERB", "PUNCT"]],
        [
            [
                [0.182471, 0.004156, 0.067029, -0.440181, 0.019208],
                [-0.017169, 0.044532, 0.049596, -0.303142, 0.069532],
                [-0.047922, 0.097697, -0.152063, 0.050285, -0.113238],
            ],
            [
                [-0.024735, -0.183511, 0.443263, -0.870786, 0.294012],
                [-0.104658, -0.156185, 0.226747, -0.579888, 0.264335],
                [-0.186937, -0.063925, 0.048904, -0.370793, 0.246342],
                [-0.170475, 0.027433, -0.170048, 0.042356, 9.1e-05],
            ],
        ],
    ),
]


@pytest.mark.parametrize("char_features, tags, logits", PINNED)
def test_seeded_tags_and_logits_are_pinned(char_features, tags, logits):
    X, y = make_toy_tagging(40, seed=0)
    tagger = RNNTagger(
        **SMALL,
        max_epochs=3,
        batch_size=8,
        char_features=char_features,
        random_state=0,
    ).fit(X, y)
    sentences = [["the", "swim", "."], ["we", "fly", "walk", "."]]
    assert [t.tolist() for t in tagger.predict(sentences)] == tags
    for got, expected in zip(tagger.decision_function(sentences), logits):
        # pinned on one CPU; another's float32 kernels round otherwise (up
        # to 4.9e-6 after three epochs on an AMD EPYC)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)
