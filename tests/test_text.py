import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline

from sklearn_rnn import SequencePadder, VocabularyIndexer
from sklearn_rnn.text import DEFAULT_TOKEN_PATTERN

DOCS = [
    "The sun is shining",
    "The weather is sweet",
    "The sun is shining, the weather is sweet, and one and one is two",
]


def test_vocabulary_order_frequency_then_alphabetical():
    indexer = VocabularyIndexer().fit(DOCS)
    names = indexer.get_feature_names_out().tolist()
    assert names[:2] == ["<pad>", "<unk>"]
    # is: 4, the: 4 -> alphabetical tie; ","/and/one/shining/sun/sweet/weather: 2
    assert names[2:4] == ["is", "the"]
    assert names[4:11] == [",", "and", "one", "shining", "sun", "sweet", "weather"]
    assert [indexer.vocabulary_[t] for t in names] == list(range(len(names)))


def test_keeps_word_order_short_words_and_punctuation():
    indexer = VocabularyIndexer().fit(["I saw a cat !", "a cat saw I"])
    ids = indexer.transform(["a cat saw I !"])[0]
    assert indexer.inverse_transform([ids])[0].tolist() == ["a", "cat", "saw", "i", "!"]
    assert DEFAULT_TOKEN_PATTERN == r"(?u)\b\w+\b|[^\w\s]"


def test_unseen_tokens_map_to_unk_and_empty_document_is_empty():
    indexer = VocabularyIndexer().fit(DOCS)
    out = indexer.transform(["the moon", "", "   ", "!?" * 0])
    assert out[0].tolist() == [indexer.vocabulary_["the"], 1]
    assert all(o.size == 0 and o.dtype == np.int64 for o in out[1:])


def test_min_freq_max_df_max_tokens():
    names = VocabularyIndexer(min_freq=4).fit(DOCS).get_feature_names_out()
    assert names.tolist() == ["<pad>", "<unk>", "is", "the"]
    # 'is' and 'the' occur in all 3 documents
    names = VocabularyIndexer(max_df=0.9).fit(DOCS).get_feature_names_out()
    assert "is" not in names and "the" not in names and "sun" in names
    names = VocabularyIndexer(max_df=2).fit(DOCS).get_feature_names_out()
    assert "is" not in names
    names = VocabularyIndexer(max_tokens=5).fit(DOCS).get_feature_names_out()
    assert names.tolist() == ["<pad>", "<unk>", "is", "the", ","]


def test_custom_special_tokens_and_char_analyzer():
    indexer = VocabularyIndexer(analyzer="char", pad_token="PAD", unk_token="UNK")
    ids = indexer.fit_transform(["abba", "ab c"])
    names = indexer.get_feature_names_out().tolist()
    assert names[:2] == ["PAD", "UNK"]
    assert indexer.inverse_transform(ids)[1].tolist() == ["a", "b", " ", "c"]


def test_tokenizer_preprocessor_strip_accents_lowercase():
    indexer = VocabularyIndexer(tokenizer=str.split, lowercase=False)
    indexer.fit(["A b", "a B"])
    assert set(indexer.vocabulary_) == {"<pad>", "<unk>", "A", "a", "b", "B"}
    indexer = VocabularyIndexer(strip_accents="unicode").fit(["café naïve"])
    assert "cafe" in indexer.vocabulary_ and "naive" in indexer.vocabulary_
    indexer = VocabularyIndexer(preprocessor=lambda s: s.replace("x", "y")).fit(["xx"])
    assert "yy" in indexer.vocabulary_


def test_fixed_vocabulary_list_and_dict():
    indexer = VocabularyIndexer(vocabulary=["sun", "weather"]).fit(DOCS)
    assert indexer.vocabulary_ == {"<pad>": 0, "<unk>": 1, "sun": 2, "weather": 3}
    assert indexer.transform(["sun is"])[0].tolist() == [2, 1]
    indexer = VocabularyIndexer(vocabulary={"sun": 2, "weather": 3}).fit(DOCS)
    assert indexer.vocabulary_["weather"] == 3
    with pytest.raises(ValueError, match="without gaps"):
        VocabularyIndexer(vocabulary={"sun": 5}).fit(DOCS)
    with pytest.raises(ValueError, match="twice"):
        VocabularyIndexer(vocabulary=["a", "a"]).fit(DOCS)
    with pytest.raises(ValueError, match="must be 0"):
        VocabularyIndexer(vocabulary={"<pad>": 1, "<unk>": 0}).fit(DOCS)


def test_fit_transform_equals_fit_then_transform():
    a = VocabularyIndexer().fit_transform(DOCS)
    b = VocabularyIndexer().fit(DOCS).transform(DOCS)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize(
    "container",
    [
        list,
        tuple,
        np.array,
        pd.Series,
        lambda d: pd.DataFrame({"text": d}),
        lambda d: (x for x in d),
        lambda d: np.array(d, dtype=object).reshape(-1, 1),
    ],
)
def test_accepted_containers(container):
    expected = VocabularyIndexer().fit_transform(DOCS)
    got = VocabularyIndexer().fit_transform(container(DOCS))
    assert all(np.array_equal(x, y) for x, y in zip(expected, got))


@pytest.mark.parametrize(
    "X, error, match",
    [
        (None, TypeError, "got None"),
        ("a bare string", TypeError, "str object received"),
        (b"bytes", TypeError, "bytes object received"),
        (["ok", None], ValueError, "Document 1 is missing"),
        (["ok", "fine", float("nan")], ValueError, "Document 2 is missing"),
        (["ok", 3], TypeError, "Document 1 is a int"),
        (pd.DataFrame({"a": ["x"], "b": ["y"]}), ValueError, "2 columns"),
        (np.array([["a", "b"], ["c", "d"]]), ValueError, "shape"),
        ([], ValueError, "empty"),
        (["", "  ", "!" * 0], ValueError, "vocabulary is empty"),
        (42, TypeError, "int object received"),
    ],
)
def test_bad_text_input(X, error, match):
    with pytest.raises(error, match=match):
        VocabularyIndexer().fit(X)


def test_bad_input_at_transform_names_document():
    indexer = VocabularyIndexer().fit(DOCS)
    with pytest.raises(TypeError, match="Document 2"):
        indexer.transform(["a", "b", 7])


def test_input_not_mutated():
    docs = ["B a", "c"]
    series = pd.Series(docs)
    VocabularyIndexer().fit_transform(docs)
    VocabularyIndexer().fit_transform(series)
    assert docs == ["B a", "c"] and series.tolist() == ["B a", "c"]


def test_not_fitted():
    with pytest.raises(NotFittedError):
        VocabularyIndexer().transform(DOCS)
    with pytest.raises(NotFittedError):
        SequencePadder().transform([[1]])


def test_pickle_fitted_and_unfitted_with_custom_analyzer():
    for indexer in [
        VocabularyIndexer(strip_accents="ascii"),
        VocabularyIndexer(analyzer="char", lowercase=False),
    ]:
        assert pickle.loads(pickle.dumps(indexer)).get_params() == indexer.get_params()
        indexer.fit(DOCS)
        copy = pickle.loads(pickle.dumps(indexer))
        for x, y in zip(copy.transform(DOCS), indexer.transform(DOCS)):
            np.testing.assert_array_equal(x, y)


def test_matches_countvectorizer_tokens():
    indexer = VocabularyIndexer(token_pattern=r"(?u)\b\w\w+\b").fit(DOCS)
    cv = CountVectorizer().fit(DOCS)
    assert set(indexer.get_feature_names_out()[2:]) == set(cv.get_feature_names_out())


def test_inverse_transform_of_padded_array():
    indexer = VocabularyIndexer().fit(DOCS)
    padded = SequencePadder(padding="pre").fit_transform(indexer.transform(DOCS))
    assert indexer.inverse_transform(padded)[0].tolist() == [
        "the",
        "sun",
        "is",
        "shining",
    ]
    with pytest.raises(ValueError, match="outside this vocabulary"):
        indexer.inverse_transform([[999]])


# -- SequencePadder ---------------------------------------------------------------
SEQS = [
    np.array([5, 2, 7]),
    np.array([3]),
    np.array([], dtype=np.int64),
    np.array([4, 4]),
]


def test_padder_post_pre_and_learned_length():
    padder = SequencePadder().fit(SEQS)
    assert padder.max_len_ == 3
    np.testing.assert_array_equal(
        padder.transform(SEQS), [[5, 2, 7], [3, 0, 0], [0, 0, 0], [4, 4, 0]]
    )
    out = SequencePadder(padding="pre", pad_value=9).fit_transform(SEQS)
    np.testing.assert_array_equal(out, [[5, 2, 7], [9, 9, 3], [9, 9, 9], [9, 4, 4]])
    assert out.dtype == np.int64


def test_padder_truncating_and_fixed_length():
    out = SequencePadder(max_len=2).fit_transform(SEQS)
    np.testing.assert_array_equal(out[0], [5, 2])
    out = SequencePadder(max_len=2, truncating="pre").fit_transform(SEQS)
    np.testing.assert_array_equal(out[0], [2, 7])
    out = SequencePadder(max_len=5).fit_transform(SEQS)
    assert out.shape == (4, 5)


def test_padder_quantile_length():
    seqs = [np.ones(n, dtype=int) for n in range(1, 101)]
    padder = SequencePadder(max_len=0.5).fit(seqs)
    assert padder.max_len_ == int(np.ceil(np.quantile(np.arange(1, 101), 0.5)))
    assert SequencePadder(max_len=1.0).fit(seqs).max_len_ == 100
    # max_len=1 is the int one, not the quantile
    assert SequencePadder(max_len=1).fit(seqs).max_len_ == 1


def test_padder_all_empty_documents():
    out = SequencePadder().fit_transform([[], []])
    assert out.shape == (2, 1)


def test_padder_accepts_lists_and_arrays_and_pandas_output():
    padder = SequencePadder().set_output(transform="pandas")
    df = padder.fit_transform([[1, 2], [3]])
    assert list(df.columns) == ["pos0", "pos1"]
    np.testing.assert_array_equal(df.to_numpy(), [[1, 2], [3, 0]])
    out = SequencePadder().fit_transform(np.array([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(out, [[1, 2], [3, 4]])
    out = SequencePadder().fit_transform(([1], (2, 3)))
    np.testing.assert_array_equal(out, [[1, 0], [2, 3]])


@pytest.mark.parametrize(
    "X, error, match",
    [
        (
            [[1, 2], [3, -1]],
            ValueError,
            "Document 1 holds the negative id -1 at position 1",
        ),
        ([[1, 2], [0.5]], TypeError, "Document 1 holds floats"),
        (np.array([[1, 2], [3, -4]]), ValueError, "document 1, position 1"),
        (np.array([[1.0, 2.5]]), TypeError, "floats"),
        ([[1], ["a"]], TypeError, "Document 1"),
        (["text"], TypeError, "string"),
        ("text", TypeError, "VocabularyIndexer"),
        ([[[1]]], ValueError, "1-D"),
        ([], ValueError, "empty"),
        (None, TypeError, "None"),
        (np.zeros((2, 2, 2), dtype=int), ValueError, "2-D"),
        ([1, 2], TypeError, "Document 0 is 1"),
    ],
)
def test_padder_bad_input(X, error, match):
    with pytest.raises(error, match=match):
        SequencePadder().fit(X)


def test_padder_does_not_mutate_input():
    seqs = [np.array([1, 2, 3]), np.array([4])]
    SequencePadder(max_len=2, truncating="pre").fit_transform(seqs)
    np.testing.assert_array_equal(seqs[0], [1, 2, 3])


def test_pipeline_and_clone():
    pipe = make_pipeline(VocabularyIndexer(), SequencePadder(max_len=4))
    out = pipe.fit_transform(DOCS)
    assert out.shape == (3, 4)
    assert clone(pipe).get_params()["sequencepadder__max_len"] == 4
