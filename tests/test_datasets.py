"""Tests for sklearn_rnn.datasets; no test touches the network."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from fetch_helpers import (
    closed_port_url,
    files,
    http_server,
    make_tarball,
    make_zip,
    sha256,
)
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_rnn import load_word_vectors
from sklearn_rnn.datasets import (
    _glove,
    fetch_glove,
    fetch_movie_reviews,
    load_text_csv,
    load_toy_corpus,
    make_order_sentiment,
)

POSITIVE = {"good", "great", "fun", "funny", "brilliant", "lovely"}
NEGATIVE = {"bad", "boring", "awful", "dull", "poor", "terrible"}
MR_MEMBERS = ("rt-polaritydata/rt-polarity.neg", "rt-polaritydata/rt-polarity.pos")


def shared_data_dir() -> Path | None:
    """Return the shared data folder beside the repository, or None if absent.

    The repository may be cloned anywhere as long as ``../shared/data`` sits
    beside its root.
    """
    repo_root = Path(__file__).resolve().parents[1]
    folder = repo_root.parent / "shared" / "data"
    return folder if folder.is_dir() else None


# ---------------------------------------------------------------------------
# load_toy_corpus
# ---------------------------------------------------------------------------


def test_load_toy_corpus():
    texts, labels = load_toy_corpus()
    assert texts == [
        "The sun is shining",
        "The weather is sweet",
        "The sun is shining, the weather is sweet, and one and one is two",
    ]
    assert isinstance(labels, np.ndarray)
    np.testing.assert_array_equal(labels, [0, 1, 0])


# ---------------------------------------------------------------------------
# make_order_sentiment
# ---------------------------------------------------------------------------


def test_make_order_sentiment_is_deterministic():
    texts, labels = make_order_sentiment(200, distance=3, noise=0.1, random_state=0)
    texts2, labels2 = make_order_sentiment(
        200, distance=3, noise=0.1, random_state=np.random.RandomState(0)
    )
    assert texts == texts2
    np.testing.assert_array_equal(labels, labels2)
    texts3, _ = make_order_sentiment(200, distance=3, noise=0.1, random_state=1)
    assert texts3 != texts


@pytest.mark.parametrize("n_samples", [2, 7, 500, 501])
@pytest.mark.parametrize("noise", [0.0, 0.2])
def test_make_order_sentiment_is_balanced(n_samples, noise):
    texts, labels = make_order_sentiment(n_samples, noise=noise, random_state=0)
    assert len(texts) == len(labels) == n_samples
    assert all(isinstance(text, str) for text in texts)
    assert set(np.unique(labels)) <= {0, 1}
    counts = np.bincount(labels, minlength=2)
    if noise == 0:
        assert counts[1] - counts[0] == n_samples % 2
    else:
        assert abs(counts[0] - counts[1]) <= 2


@pytest.mark.parametrize("noise", [0.1, 0.25, 0.49])
def test_make_order_sentiment_noise_flips_that_fraction(noise):
    _, clean = make_order_sentiment(400, random_state=0)
    _, noisy = make_order_sentiment(400, noise=noise, random_state=0)
    assert (clean != noisy).sum() == round(noise * 400)


def _label_from_order(text: str, distance: int) -> int:
    """The intended rule: adjective polarity, flipped by a "not" right before it."""
    words = text.split()
    adjective = words[len(words) - 1 - distance]
    negated = words[len(words) - 2 - distance] == "not"
    assert adjective in POSITIVE | NEGATIVE
    return int((adjective in POSITIVE) != negated)


@pytest.mark.parametrize("distance", [0, 4])
def test_make_order_sentiment_label_rule(distance):
    texts, labels = make_order_sentiment(300, distance=distance, random_state=0)
    for text, label in zip(texts, labels):
        assert text.split().count("not") == 1
        assert _label_from_order(text, distance) == label


def test_make_order_sentiment_distance_appends_filler_words():
    texts0, labels0 = make_order_sentiment(100, random_state=0)
    lengths0 = np.array([len(text.split()) for text in texts0])
    assert 8 <= lengths0.min() and lengths0.max() <= 15
    for distance in (1, 7, 40):
        texts, labels = make_order_sentiment(100, distance=distance, random_state=0)
        np.testing.assert_array_equal(labels, labels0)
        for text, text0 in zip(texts, texts0):
            assert text.startswith(text0 + " ")
            assert len(text.split()) == len(text0.split()) + distance
            filler = text.split()[-distance:]
            assert "not" not in filler
            assert not set(filler) & (POSITIVE | NEGATIVE)


@pytest.mark.parametrize("distance", [0, 30])
def test_make_order_sentiment_small_vocabulary(distance):
    texts, _ = make_order_sentiment(2000, distance=distance, random_state=0)
    vocabulary = {word for text in texts for word in text.split()}
    assert len(vocabulary) < 100


def test_make_order_sentiment_same_bag_of_words_in_both_classes():
    # Identical bags of words turn up with both labels; which one only
    # depends on where "not" stands.
    texts, labels = make_order_sentiment(4000, random_state=0)
    labels_by_bag = defaultdict(set)
    for text, label in zip(texts, labels):
        labels_by_bag[tuple(sorted(Counter(text.split()).items()))].add(label)
    n_both = sum(len(found) == 2 for found in labels_by_bag.values())
    assert n_both >= 50
    # Word frequencies hardly differ between the classes.
    vectorizer = CountVectorizer(token_pattern=r"(?u)\b\w+\b")
    counts = vectorizer.fit_transform(texts).toarray()
    mean_0 = counts[labels == 0].mean(axis=0)
    mean_1 = counts[labels == 1].mean(axis=0)
    assert np.abs(mean_0 - mean_1).max() < 0.05


@pytest.mark.parametrize("distance", [0, 10])
def test_make_order_sentiment_bag_of_words_is_near_chance(distance):
    texts, labels = make_order_sentiment(800, distance=distance, random_state=0)

    def accuracy(ngram_range):
        model = make_pipeline(
            CountVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=ngram_range),
            LogisticRegression(),
        )
        model.fit(texts[:400], labels[:400])
        return model.score(texts[400:], labels[400:])

    assert accuracy((1, 1)) <= 0.65
    # Word order does carry the label: adjacent word pairs reveal it.
    assert accuracy((1, 2)) >= 0.9


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 1}, "n_samples must be an integer >= 2; got 1"),
        ({"n_samples": 0}, "n_samples must be an integer >= 2"),
        ({"n_samples": 10.0}, "n_samples must be an integer >= 2; got 10.0 of type"),
        ({"n_samples": "10"}, "n_samples must be an integer"),
        ({"n_samples": True}, "n_samples must be an integer"),
        ({"distance": -1}, "distance must be an integer >= 0; got -1"),
        ({"distance": 1.5}, "distance must be an integer >= 0"),
        ({"noise": -0.1}, r"noise must be a number in \[0, 0.5\); got -0.1"),
        ({"noise": 0.5}, r"noise must be a number in \[0, 0.5\); got 0.5"),
        ({"noise": float("nan")}, "noise must be a number"),
        ({"noise": "0.1"}, "noise must be a number"),
        ({"random_state": "seed"}, "cannot be used to seed"),
    ],
)
def test_make_order_sentiment_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_order_sentiment(**kwargs)


def test_make_order_sentiment_accepts_numpy_integers():
    texts, labels = make_order_sentiment(
        np.int64(10), distance=np.int32(2), random_state=0
    )
    assert len(texts) == 10


# ---------------------------------------------------------------------------
# load_text_csv
# ---------------------------------------------------------------------------


def _write(tmp_path: Path, content: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_load_text_csv_integer_labels(tmp_path):
    path = _write(tmp_path, 'text,label\ngreat film,1\n"dull, long plot",0\nNA,1\n')
    texts, labels = load_text_csv(path)
    assert texts == ["great film", "dull, long plot", "NA"]
    assert isinstance(labels, np.ndarray)
    assert labels.dtype.kind == "i"
    np.testing.assert_array_equal(labels, [1, 0, 1])


def test_load_text_csv_string_labels_and_columns(tmp_path):
    path = _write(tmp_path, "id,review,sentiment\n1,007,pos\n2,null,neg\n")
    texts, labels = load_text_csv(
        str(path), text_column="review", label_column="sentiment"
    )
    assert texts == ["007", "null"]
    assert all(isinstance(text, str) for text in texts)
    assert labels.tolist() == ["pos", "neg"]
    assert all(isinstance(label, str) for label in labels)


def test_load_text_csv_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError, match="No such file: .*nope.csv"):
        load_text_csv(path)
    with pytest.raises(FileNotFoundError, match="Not a file"):
        load_text_csv(tmp_path)


def test_load_text_csv_missing_column(tmp_path):
    path = _write(tmp_path, "review,label\ngood,1\n")
    match = r"Column 'text' not found in .*data.csv'; available columns: \['review'"
    with pytest.raises(ValueError, match=match):
        load_text_csv(path)
    with pytest.raises(ValueError, match="Column 'y' not found"):
        load_text_csv(path, text_column="review", label_column="y")


def test_load_text_csv_same_columns(tmp_path):
    path = _write(tmp_path, "text,label\ngood,1\n")
    with pytest.raises(ValueError, match="must differ"):
        load_text_csv(path, text_column="text", label_column="text")


@pytest.mark.parametrize(
    "content, match",
    [("", "data.csv' is empty"), ("text,label\n", "has a header but no rows")],
)
def test_load_text_csv_empty_file(tmp_path, content, match):
    with pytest.raises(ValueError, match=match):
        load_text_csv(_write(tmp_path, content))


@pytest.mark.parametrize(
    "content, match",
    [
        (
            'text,label\na,1\n,0\nb,1\n"  ",0\n',
            r"2 row\(s\) have a missing or empty text in column 'text': "
            r"rows 1, 3 \(0-based",
        ),
        (
            "text,label\na,1\nb,\nc\n",
            r"2 row\(s\) have a missing or empty label in column 'label': rows 1, 2",
        ),
        (
            "text,label\n" + ",0\n" * 8,
            r"8 row\(s\) .* rows 0, 1, 2, 3, 4 and 3 more",
        ),
    ],
)
def test_load_text_csv_missing_values(tmp_path, content, match):
    with pytest.raises(ValueError, match=match):
        load_text_csv(_write(tmp_path, content))


def test_load_text_csv_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("text,label\ncaf\xe9,1\n".encode("latin-1"))
    with pytest.raises(ValueError, match="is not valid UTF-8"):
        load_text_csv(path)


# ---------------------------------------------------------------------------
# fetch_movie_reviews, offline: the archive is built from the shared raw files
# and served from this machine.
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mr_raw() -> dict[str, bytes]:
    data = shared_data_dir()
    raw = None if data is None else data / "mr" / "raw"
    if raw is None or not all((raw / Path(m).name).is_file() for m in MR_MEMBERS):
        pytest.skip("shared raw movie review files not found")
    return {member: (raw / Path(member).name).read_bytes() for member in MR_MEMBERS}


@pytest.fixture(scope="module")
def served(tmp_path_factory, mr_raw) -> Path:
    """A folder with a good archive, ready to be served."""
    folder = tmp_path_factory.mktemp("server")
    make_tarball(folder / "rt-polaritydata.tar.gz", mr_raw)
    return folder


def _check_mr(texts, labels):
    assert len(texts) == len(labels) == 10662
    assert all(
        isinstance(text, str) and text == text.strip() and text for text in texts
    )
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, [0] * 5331 + [1] * 5331)
    assert texts[0].startswith("simplistic , silly and tedious")
    assert texts[5331].startswith("the rock is destined to be the 21st century's")
    assert "\x85" not in "".join(texts)
    assert "…" in "".join(texts)  # byte 0x85 in Windows-1252


def test_fetch_movie_reviews_http_download_then_cache(tmp_path, served):
    with http_server(served) as base_url:
        texts, labels = fetch_movie_reviews(
            tmp_path, url=f"{base_url}/rt-polaritydata.tar.gz"
        )
    _check_mr(texts, labels)
    cache = tmp_path / "sklearn_rnn"
    # The archive and the temporary files are gone; only the data files stay.
    assert files(cache) == ["rt-polaritydata", *MR_MEMBERS]

    # The server is down: the cache is used.
    texts2, labels2 = fetch_movie_reviews(tmp_path, url=closed_port_url())
    assert texts2 == texts
    np.testing.assert_array_equal(labels2, labels)
    texts3, _ = fetch_movie_reviews(tmp_path, download_if_missing=False)
    assert texts3 == texts

    data = shared_data_dir()
    if data is not None and (data / "mr" / "mr.csv").is_file():
        csv_texts, csv_labels = load_text_csv(data / "mr" / "mr.csv")
        assert texts == csv_texts
        np.testing.assert_array_equal(labels, csv_labels)


def test_fetch_movie_reviews_file_url_and_environment(tmp_path, served, monkeypatch):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "env_home"))
    url = (served / "rt-polaritydata.tar.gz").as_uri()
    texts, labels = fetch_movie_reviews(url=url)
    _check_mr(texts, labels)
    assert files(tmp_path / "env_home" / "sklearn_rnn")[1:] == list(MR_MEMBERS)


def test_fetch_movie_reviews_not_cached_without_download(tmp_path):
    with pytest.raises(
        OSError, match="does not hold the movie review data .*download_if_missing=False"
    ):
        fetch_movie_reviews(tmp_path, download_if_missing=False)
    assert not (tmp_path / "sklearn_rnn").exists()


def test_fetch_movie_reviews_offline(tmp_path):
    url = closed_port_url()
    match = (
        f"Could not download the movie review data from {url} .*place it .* in "
        ".*sklearn_rnn"
    )
    with pytest.raises(OSError, match=match) as info:
        fetch_movie_reviews(tmp_path, url=url)
    assert "\n" not in str(info.value)
    assert info.value.__cause__ is None
    assert files(tmp_path / "sklearn_rnn") == []


def test_fetch_movie_reviews_http_error(tmp_path, served):
    with http_server(served) as base_url:
        with pytest.raises(OSError, match="404"):
            fetch_movie_reviews(tmp_path, url=f"{base_url}/missing.tar.gz")
    assert files(tmp_path / "sklearn_rnn") == []


def test_fetch_movie_reviews_manually_placed_archive(tmp_path, served):
    cache = tmp_path / "sklearn_rnn"
    cache.mkdir()
    (cache / "rt-polaritydata.tar.gz").write_bytes(
        (served / "rt-polaritydata.tar.gz").read_bytes()
    )
    texts, labels = fetch_movie_reviews(tmp_path, download_if_missing=False)
    _check_mr(texts, labels)
    assert files(cache) == ["rt-polaritydata", *MR_MEMBERS]


def test_fetch_movie_reviews_checksum_mismatch(tmp_path, mr_raw):
    altered = dict(mr_raw)
    name = MR_MEMBERS[1]
    altered[name] = altered[name].replace(b"the rock", b"the rick", 1)
    archive = make_tarball(tmp_path / "altered.tar.gz", altered)
    with pytest.raises(OSError, match="rt-polarity.pos has SHA-256 .*expected 2da1"):
        fetch_movie_reviews(tmp_path, url=archive.as_uri())
    # The bad archive and the extracted files were removed.
    assert files(tmp_path / "sklearn_rnn") == ["rt-polaritydata"]


def test_fetch_movie_reviews_corrupted_cache_is_replaced(tmp_path, served):
    url = (served / "rt-polaritydata.tar.gz").as_uri()
    texts, _ = fetch_movie_reviews(tmp_path, url=url)
    cached = tmp_path / "sklearn_rnn" / MR_MEMBERS[0]
    cached.write_bytes(cached.read_bytes()[:-100])
    with pytest.raises(OSError, match="missing or corrupted"):
        fetch_movie_reviews(tmp_path, download_if_missing=False)
    assert fetch_movie_reviews(tmp_path, url=url)[0] == texts


@pytest.mark.parametrize(
    "kind, match",
    [
        ("symlink", "is not a regular file"),
        ("missing", "has no member 'rt-polaritydata/rt-polarity.pos'"),
        ("garbage", "is not a valid gzip-compressed tar archive"),
    ],
)
def test_fetch_movie_reviews_bad_archive(tmp_path, mr_raw, kind, match):
    archive = tmp_path / "bad.tar.gz"
    if kind == "symlink":
        make_tarball(
            archive,
            {MR_MEMBERS[0]: mr_raw[MR_MEMBERS[0]]},
            symlinks=[(MR_MEMBERS[1], "../../outside.txt")],
        )
    elif kind == "missing":
        make_tarball(archive, {MR_MEMBERS[0]: mr_raw[MR_MEMBERS[0]]})
    else:
        archive.write_bytes(b"not a tarball at all")
    with pytest.raises(OSError, match=match):
        fetch_movie_reviews(tmp_path / "home", url=archive.as_uri())
    cache = tmp_path / "home" / "sklearn_rnn"
    assert [f for f in files(cache) if f != "rt-polaritydata"] == []


def test_fetch_movie_reviews_ignores_other_members(tmp_path, mr_raw):
    # Extra members, even with path traversal, are never extracted.
    members = {**mr_raw, "../escape.txt": b"x", "rt-polaritydata/../../up.txt": b"x"}
    archive = make_tarball(tmp_path / "extra.tar.gz", members)
    texts, _ = fetch_movie_reviews(tmp_path / "home", url=archive.as_uri())
    assert len(texts) == 10662
    assert not (tmp_path / "home" / "escape.txt").exists()
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "home" / "up.txt").exists()
    assert files(tmp_path / "home" / "sklearn_rnn") == ["rt-polaritydata", *MR_MEMBERS]


# ---------------------------------------------------------------------------
# fetch_glove, offline: a small glove.6B.zip is built from a slice of the shared
# 50d file (never copied into the repository) and served from this machine.
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def glove_texts() -> dict[int, bytes]:
    """The first 1,000 lines of the 50d file, and a 100d file made from its
    first 200 (each vector twice)."""
    data = shared_data_dir()
    path = None if data is None else data / "glove" / "glove.6B.50d.txt.gz"
    if path is None or not path.is_file():
        pytest.skip("shared GloVe file not found")
    with gzip.open(path, "rb") as file:
        lines = list(itertools.islice(file, 1000))
    doubled = []
    for line in lines[:200]:
        word, _, vector = line.rstrip(b"\n").partition(b" ")
        doubled.append(b"%s %s %s\n" % (word, vector, vector))
    return {50: b"".join(lines), 100: b"".join(doubled)}


@pytest.fixture
def glove_served(tmp_path_factory, glove_texts, monkeypatch) -> Path:
    """A folder serving the small glove.6B.zip, whose files the fetcher expects."""
    folder = tmp_path_factory.mktemp("glove_server")
    members = {f"glove.6B.{dim}d.txt": text for dim, text in glove_texts.items()}
    make_zip(folder / "glove.6B.zip", members, compression=zipfile.ZIP_DEFLATED)
    monkeypatch.setitem(_glove._GLOVE_FILES, 50, sha256(glove_texts[50]))
    md5 = hashlib.md5(glove_texts[100]).hexdigest()
    monkeypatch.setitem(_glove._GLOVE_FILES, 100, f"md5:{md5}")
    return folder


def test_fetch_glove_download_then_cache(tmp_path, glove_served, glove_texts):
    with http_server(glove_served) as base_url:
        path = fetch_glove(data_home=tmp_path, url=f"{base_url}/glove.6B.zip")
    cache = tmp_path / "sklearn_rnn"
    assert path == cache / "glove.6B.50d.txt"
    assert path.read_bytes() == glove_texts[50]
    vectors = load_word_vectors(path)
    assert (len(vectors), vectors.dim) == (1000, 50)
    assert vectors.words[:4] == ("the", ",", ".", "of")
    # The zip is kept: another dimension comes without the network (checked
    # by its MD5), and the 50d file is read from the cache.
    assert files(cache) == ["glove.6B.50d.txt", "glove.6B.zip"]
    path100 = fetch_glove(100, tmp_path, url=closed_port_url("glove.6B.zip"))
    assert path100.read_bytes() == glove_texts[100]
    assert load_word_vectors(path100).dim == 100
    assert fetch_glove(50, tmp_path, download_if_missing=False) == path


def test_fetch_glove_file_placed_by_hand(tmp_path, glove_served, glove_texts):
    cache = tmp_path / "sklearn_rnn"
    cache.mkdir()
    (cache / "glove.6B.50d.txt").write_bytes(glove_texts[50])
    path = fetch_glove(50, tmp_path, download_if_missing=False)
    assert path == cache / "glove.6B.50d.txt"


def test_fetch_glove_checks_the_published_checksum(tmp_path, glove_texts):
    # The slice is not the official file: its SHA-256 is not the pinned one.
    folder = tmp_path / "server"
    folder.mkdir()
    make_zip(folder / "glove.6B.zip", {"glove.6B.50d.txt": glove_texts[50]})
    match = (
        "glove.6B.50d.txt has SHA-256 [0-9a-f]{64}, expected "
        "d8f717f8dd4b545cb7f418ef9f3d0c3e6e68a6f48b97d32f8b7aae40cb31f96f"
    )
    with http_server(folder) as base_url:
        with pytest.raises(OSError, match=match):
            fetch_glove(50, tmp_path / "home", url=f"{base_url}/glove.6B.zip")
    assert files(tmp_path / "home" / "sklearn_rnn") == []


def test_fetch_glove_not_cached_without_download(tmp_path):
    cache = tmp_path / "sklearn_rnn"
    match = (
        rf"{cache} does not hold the GloVe 6B 300d vectors .* download_if_missing=False"
        r".* glove.6B.zip \(from https://nlp.stanford.edu/data/glove.6B.zip\), or "
        r"the file\(s\) glove.6B.300d.txt it holds, in that folder"
    )
    with pytest.raises(OSError, match=match):
        fetch_glove(300, tmp_path, download_if_missing=False)
    assert not cache.exists()


@pytest.mark.parametrize("dim", [25, 64, 50.0, "50", True, None])
def test_fetch_glove_rejects_other_dimensions(tmp_path, dim):
    match = r"dim must be one of 50, 100, 200, 300; got "
    with pytest.raises(ValueError, match=match):
        fetch_glove(dim, tmp_path, download_if_missing=False)


def test_fetch_glove_accepts_numpy_integers(tmp_path):
    with pytest.raises(OSError, match="glove.6B.100d.txt"):
        fetch_glove(np.int64(100), tmp_path, download_if_missing=False)
