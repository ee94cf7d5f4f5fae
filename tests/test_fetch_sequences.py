"""The sequence data sets: CMUdict (fetched and read), sentence pairs of the
Tatoeba files with the translation tutorial's selection, and IMDb (fetched).
No test touches the network: the servers run on 127.0.0.1."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest
from fetch_helpers import closed_port_url, files, http_server, make_tarball, sha256

from sklearn_rnn.datasets import (
    CMUDICT_URL,
    IMDB_URL,
    _cmudict,
    _fetch,
    _imdb,
    fetch_cmudict,
    fetch_imdb,
    filter_tutorial_pairs,
    load_cmudict,
    load_sentence_pairs,
    normalize_tutorial_text,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _write(path: Path, text: str | bytes, gz: bool = False) -> Path:
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


# -- CMUdict --------------------------------------------------------------------

DICT = (
    "'bout B AW1 T\n"
    "read R EH1 D\n"
    "read(2) R IY1 D\n"
    "\n"
    "aalen AA1 L AH0 N # place, german\n"
    "aalen(2) AA1 L AH2 N\n"
    "a.  EY1\n"
)


@pytest.mark.parametrize("gz", [False, True])
def test_load_cmudict_groups_variants_and_drops_comments(tmp_path, gz):
    path = _write(tmp_path / ("tiny.dict" + (".gz" if gz else "")), DICT, gz)
    data = load_cmudict(path, stress=True)
    assert data.words == ["'bout", "read", "aalen", "a."]
    assert data.pronunciations == [
        [["B", "AW1", "T"]],
        [["R", "EH1", "D"], ["R", "IY1", "D"]],
        [["AA1", "L", "AH0", "N"], ["AA1", "L", "AH2", "N"]],
        [["EY1"]],
    ]
    # Without stress the two pronunciations of "aalen" are one.
    plain = load_cmudict(path)
    assert plain.words == data.words
    assert plain.pronunciations[2] == [["AA", "L", "AH", "N"]]
    assert plain.pronunciations[1] == [["R", "EH", "D"], ["R", "IY", "D"]]


@pytest.mark.parametrize(
    "text, match",
    [
        ("read R EH1 D\nlonely\n", r"line 2: expected a word followed by its phones"),
        ("read R EH1 D\nx R eh1\n", r"line 2: 'eh1' is not an ARPAbet phone"),
        ("read R EH1 D\n\nx R EH3\n", r"line 3: 'EH3' is not an ARPAbet phone"),
        (b"caf\xe9 K AE1 F\n", "not UTF-8"),
        ("w " + "AH " * 5000 + "\n", r"line 1 is longer than 4,096 characters"),
    ],
)
def test_load_cmudict_errors_name_the_line(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        load_cmudict(_write(tmp_path / "bad.dict", text))


def test_load_cmudict_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such file"):
        load_cmudict(tmp_path / "absent.dict")


def test_load_cmudict_reads_the_shared_dev_split():
    path = SHARED / "cmudict" / "cmudict_dev.dict.gz"
    if not path.is_file():
        pytest.skip("shared CMUdict files not found")
    data = load_cmudict(path, stress=True)
    assert len(data.words) == len(set(data.words)) == 6287  # the README's count
    assert sum(map(len, data.pronunciations)) <= 6722  # its lines
    plain = load_cmudict(path)
    assert plain.words == data.words
    assert all(
        not phone[-1].isdigit() for p in plain.pronunciations for s in p for phone in s
    )


@pytest.fixture
def cmudict_served(tmp_path, monkeypatch) -> Path:
    """A folder serving a small cmudict.dict, whose SHA-256 the fetcher expects."""
    folder = tmp_path / "server"
    folder.mkdir()
    _write(folder / "cmudict.dict", DICT)
    monkeypatch.setattr(_cmudict, "_CMUDICT_SHA256", sha256(DICT.encode()))
    return folder


def test_fetch_cmudict_download_then_cache(tmp_path, cmudict_served):
    home = tmp_path / "home"
    with http_server(cmudict_served) as base_url:
        data = fetch_cmudict(data_home=home, url=f"{base_url}/cmudict.dict")
    assert data.words == ["'bout", "read", "aalen", "a."]
    assert data.pronunciations[2] == [["AA", "L", "AH", "N"]]
    cache = home / "sklearn_rnn"
    assert files(cache) == ["cmudict.dict"]
    assert (cache / "cmudict.dict").read_text() == DICT
    # The server is down: the cache is read and checked.
    again = fetch_cmudict(True, home, url=closed_port_url("cmudict.dict"))
    assert again.pronunciations[2][1] == ["AA1", "L", "AH2", "N"]
    assert fetch_cmudict(data_home=home, download_if_missing=False) == data


def test_fetch_cmudict_checks_the_pinned_checksum(tmp_path):
    # The small file is not the official one: its SHA-256 is not the pinned one.
    folder = tmp_path / "server"
    folder.mkdir()
    _write(folder / "cmudict.dict", DICT)
    match = (
        "cmudict.dict has SHA-256 [0-9a-f]{64}, expected "
        "81917843c7f44ce2b094ac63873c2c7a4cf802040792c455ba3ca406891c3d22.* "
        "Nothing was kept"
    )
    with http_server(folder) as base_url:
        with pytest.raises(OSError, match=match):
            fetch_cmudict(data_home=tmp_path / "home", url=f"{base_url}/cmudict.dict")
    assert files(tmp_path / "home" / "sklearn_rnn") == []


def test_fetch_cmudict_stops_past_the_size_bound(tmp_path, cmudict_served, monkeypatch):
    monkeypatch.setattr(_cmudict, "_CMUDICT_LIMITS", _fetch.Limits(archive_bytes=50))
    with http_server(cmudict_served) as base_url:
        with pytest.raises(OSError, match=r"announces \d+ bytes, more than the 50"):
            fetch_cmudict(data_home=tmp_path, url=f"{base_url}/cmudict.dict")
    assert files(tmp_path / "sklearn_rnn") == []


def test_fetch_cmudict_not_cached_and_bad_file_placed_by_hand(tmp_path, cmudict_served):
    cache = tmp_path / "sklearn_rnn"
    match = (
        rf"{cache} does not hold the CMU Pronouncing Dictionary .* put cmudict.dict "
        r"\(from https://raw.githubusercontent.com/cmusphinx/cmudict/0f8072f8"
    )
    with pytest.raises(OSError, match=match):
        fetch_cmudict(data_home=tmp_path, download_if_missing=False)
    cache.mkdir()
    _write(cache / "cmudict.dict", DICT.replace("EH1", "EH2"))
    with pytest.raises(OSError, match="has SHA-256 .* It was left in place"):
        fetch_cmudict(data_home=tmp_path, url=closed_port_url("cmudict.dict"))
    assert files(cache) == ["cmudict.dict"]


def test_cmudict_url_pins_the_commit():
    assert CMUDICT_URL == (
        "https://raw.githubusercontent.com/cmusphinx/cmudict/"
        "0f8072f814306c5ee4fbf992ed853601b12c01f9/cmudict.dict"
    )
    assert _cmudict._CMUDICT_LIMITS.archive_bytes > 3_618_488


# -- sentence pairs ----------------------------------------------------------------

ATTRIBUTION = "CC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #1158250"


@pytest.mark.parametrize("gz", [False, True])
def test_load_sentence_pairs_two_or_three_columns(tmp_path, gz):
    text = (
        f"Go.\tVa !\t{ATTRIBUTION}\r\n"
        "\n"
        "I'm cold.\tJ'ai froid.\n"
        f"Who?\tQui ?\t{ATTRIBUTION}\n"
    )
    path = _write(tmp_path / ("fra.txt" + (".gz" if gz else "")), text, gz)
    english, french = load_sentence_pairs(path)
    assert english == ["Go.", "I'm cold.", "Who?"]
    assert french == ["Va !", "J'ai froid.", "Qui ?"]


def test_load_sentence_pairs_header(tmp_path):
    path = _write(tmp_path / "pairs.tsv", "english\tfrench\nGo.\tVa !\n")
    assert load_sentence_pairs(path) == (["Go."], ["Va !"])
    assert load_sentence_pairs(path, header=True) == (["Go."], ["Va !"])
    assert load_sentence_pairs(path, header=False) == (
        ["english", "Go."],
        ["french", "Va !"],
    )
    # A first pair that is a sentence is never taken for a header.
    plain = _write(tmp_path / "plain.tsv", "Go.\tVa !\nHi.\tSalut !\n")
    assert load_sentence_pairs(plain) == (["Go.", "Hi."], ["Va !", "Salut !"])
    assert load_sentence_pairs(plain, header=True) == (["Hi."], ["Salut !"])
    with pytest.raises(ValueError, match="header must be 'auto', True or False"):
        load_sentence_pairs(plain, header=1)


@pytest.mark.parametrize(
    "text, match",
    [
        (
            "Go.\tVa !\nHello\n",
            r"line 2: expected 2 or 3 tab-separated columns .* "
            "got 1",
        ),
        ("Go.\tVa !\n\na\tb\tc\td\n", r"line 3: expected 2 or 3 .* got 4"),
        ("Go.\t \n", r"line 1: column 2 is empty"),
        ("english\tfrench\n", "holds no sentence pairs"),
        ("", "holds no sentence pairs"),
        (b"Go.\tVa \xe9\n", "not UTF-8"),
    ],
)
def test_load_sentence_pairs_errors_name_the_line(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        load_sentence_pairs(_write(tmp_path / "bad.tsv", text))


def test_normalize_tutorial_text():
    assert normalize_tutorial_text("  I'm cold. ") == "i m cold"
    assert normalize_tutorial_text("Ça alors\u202f!") == "ca alors !"
    assert normalize_tutorial_text("Qu'est-ce que c'est ?") == "qu est ce que c est ?"
    assert normalize_tutorial_text("Il a 20 ans...") == "il a ans"
    assert normalize_tutorial_text("Œuvre!?") == "uvre ! ?"


def test_filter_tutorial_pairs_follows_the_tutorial():
    english = [
        "I'm fine.",  # "i m fine": kept
        "I mean it.",  # "i mean it": "i m " is not its prefix
        "He isn't here.",  # "he isn t here": "he is" is a plain prefix
        "You are one two three four five six seven.",  # 9 words: kept
        "You are one two three four five six seven eight.",  # 10: dropped
        "She's tall.",  # kept
        "Go!",  # no prefix
    ]
    french = [
        "Je vais bien.",
        "Je suis sérieux.",
        "Il n'est pas là.",
        "Un.",
        "Un.",
        "Elle est grande.",
        "Va !",
    ]
    kept_english, kept_french = filter_tutorial_pairs(english, french)
    assert kept_english == [
        "i m fine",
        "he isn t here",
        "you are one two three four five six seven",
        "she s tall",
    ]
    assert kept_french == ["je vais bien", "il n est pas la", "un", "elle est grande"]
    # The French side is bounded too.
    long_french = "Un deux trois quatre cinq six sept huit neuf dix."
    assert filter_tutorial_pairs(["I'm here."], [long_french]) == ([], [])
    assert filter_tutorial_pairs(["Go!"], ["Va !"], prefixes=("go",)) == (
        ["go !"],
        ["va !"],
    )


def test_filter_tutorial_pairs_errors():
    with pytest.raises(ValueError, match="same length; got 2 and 1"):
        filter_tutorial_pairs(["a", "b"], ["c"])
    with pytest.raises(ValueError, match=r"french\[1\] is a NoneType, not a string"):
        filter_tutorial_pairs(["I am.", "I am."], ["Je suis.", None])


def test_the_shared_pairs_and_the_tutorial_selection():
    path = SHARED / "tatoeba_fra_eng" / "fra_eng_train.tsv.gz"
    if not path.is_file():
        pytest.skip("shared Tatoeba file not found")
    english, french = load_sentence_pairs(path)
    assert len(english) == len(french) == 68_484  # the README's count
    assert (english[0], french[0]) == ("Go.", "Va !")
    kept_english, kept_french = filter_tutorial_pairs(english, french)
    assert len(kept_english) == len(kept_french) == 8_386


# -- IMDb ---------------------------------------------------------------------------

REVIEWS = {
    "aclImdb/train/pos/10_9.txt": "Loved it.<br /><br />Brilliant.",
    "aclImdb/train/pos/2_7.txt": "Pretty good, naïve but fun.",
    "aclImdb/train/neg/3_1.txt": "Dull.",
    "aclImdb/train/neg/0_4.txt": "Not great,\nnot terrible: bad.",
    "aclImdb/train/unsup/7_0.txt": "Seen it twice.",
    "aclImdb/train/unsup/1_0.txt": "A film.",
    "aclImdb/test/pos/0_10.txt": "Masterpiece!",
    "aclImdb/test/neg/5_2.txt": "Awful.",
}
OTHERS = {
    "aclImdb/README": "Large Movie Review Dataset v1.0",
    "aclImdb/imdb.vocab": "the\nand\n",
    "aclImdb/train/labeledBow.feat": "9 0:9 1:1\n",
    "aclImdb/train/urls_pos.txt": "http://www.imdb.com/title/tt0453418/usercomments\n",
    "aclImdb/test/unsup/9_0.txt": "not a subset of the data set",
}
COUNTS = {"train": 4, "test": 2, "unsup": 2}


def _imdb_archive(path: Path, reviews=REVIEWS, **kwargs) -> Path:
    members = {name: text.encode() for name, text in {**OTHERS, **reviews}.items()}
    return make_tarball(path, members, **kwargs)


@pytest.fixture
def imdb_served(tmp_path, monkeypatch) -> Path:
    """A folder serving a small aclImdb_v1.tar.gz, whose MD5 the fetcher expects
    (the official SHA-256 replaced: the check by either algorithm is one code)."""
    folder = tmp_path / "server"
    folder.mkdir()
    archive = _imdb_archive(folder / "aclImdb_v1.tar.gz")
    md5 = hashlib.md5(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(_imdb, "_IMDB_CHECKSUM", f"md5:{md5}")
    monkeypatch.setattr(_imdb, "_IMDB_COUNTS", COUNTS)
    return folder


def test_fetch_imdb_download_then_cache(tmp_path, imdb_served):
    with http_server(imdb_served) as base_url:
        texts, labels = fetch_imdb(
            data_home=tmp_path, url=f"{base_url}/aclImdb_v1.tar.gz"
        )
    # Negatives first, each class in the order of the ids.
    assert texts == [
        "Not great,\nnot terrible: bad.",
        "Dull.",
        "Pretty good, naïve but fun.",
        "Loved it.<br /><br />Brilliant.",
    ]
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])
    cache = tmp_path / "sklearn_rnn"
    assert files(cache) == [
        "aclImdb_v1",
        "aclImdb_v1/test.jsonl",
        "aclImdb_v1/train.jsonl",
        "aclImdb_v1/unsup.jsonl",
    ]
    # The other subsets come from the cache, without the network.
    offline = closed_port_url("aclImdb_v1.tar.gz")
    test_texts, test_labels = fetch_imdb("test", tmp_path, url=offline)
    assert test_texts == ["Awful.", "Masterpiece!"]
    np.testing.assert_array_equal(test_labels, [0, 1])
    assert fetch_imdb("unsup", tmp_path, download_if_missing=False) == (
        ["A film.", "Seen it twice."],
        None,
    )


def test_fetch_imdb_archive_placed_by_hand(tmp_path, imdb_served):
    cache = tmp_path / "sklearn_rnn"
    cache.mkdir()
    archive = (imdb_served / "aclImdb_v1.tar.gz").read_bytes()
    (cache / "aclImdb_v1.tar.gz").write_bytes(archive)
    texts, _ = fetch_imdb("unsup", tmp_path, download_if_missing=False)
    assert texts == ["A film.", "Seen it twice."]
    assert "aclImdb_v1.tar.gz" not in files(cache)


def test_fetch_imdb_checks_the_pinned_sha256(tmp_path):
    folder = tmp_path / "server"
    folder.mkdir()
    _imdb_archive(folder / "aclImdb_v1.tar.gz")
    match = (
        "aclImdb_v1.tar.gz has SHA-256 [0-9a-f]{64}, expected "
        "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe.* "
        "Nothing was kept"
    )
    with http_server(folder) as base_url:
        with pytest.raises(OSError, match=match):
            fetch_imdb(data_home=tmp_path / "home", url=f"{base_url}/aclImdb_v1.tar.gz")
    assert files(tmp_path / "home" / "sklearn_rnn") == []


@pytest.mark.parametrize(
    "kind, match",
    [
        ("missing review", r"holds 3 reviews of the 'train' subset, not the 4"),
        ("symlink", r"'aclImdb/test/neg/5_2.txt' is not a regular file"),
        ("not utf-8", r"'aclImdb/train/neg/3_1.txt' is not UTF-8"),
        ("too many members", r"more than 5 members, the most a fetcher reads"),
        ("garbage", "is not a valid gzip-compressed tar archive"),
    ],
)
def test_fetch_imdb_bad_archives_leave_nothing(tmp_path, monkeypatch, kind, match):
    archive = tmp_path / "aclImdb_v1.tar.gz"
    reviews = dict(REVIEWS)
    symlinks = []
    if kind == "missing review":
        del reviews["aclImdb/train/pos/2_7.txt"]
    elif kind == "symlink":
        del reviews["aclImdb/test/neg/5_2.txt"]
        symlinks = [("aclImdb/test/neg/5_2.txt", "../../../../outside")]
    elif kind == "too many members":
        monkeypatch.setattr(_imdb, "_IMDB_LIMITS", _fetch.Limits(2**20, members=5))
    if kind == "garbage":
        archive.write_bytes(b"not a tarball")
    else:
        _imdb_archive(archive, reviews, symlinks=symlinks)
    if kind == "not utf-8":
        members = {n: t.encode() for n, t in {**OTHERS, **REVIEWS}.items()}
        members["aclImdb/train/neg/3_1.txt"] = b"Dull \xff."
        make_tarball(archive, members)
    monkeypatch.setattr(_imdb, "_IMDB_COUNTS", COUNTS)
    monkeypatch.setattr(_imdb, "_IMDB_CHECKSUM", None)
    with pytest.raises(OSError, match=match) as info:
        fetch_imdb(data_home=tmp_path / "home", url=archive.as_uri())
    assert "\n" not in str(info.value)
    assert [
        f for f in files(tmp_path / "home" / "sklearn_rnn") if f != "aclImdb_v1"
    ] == []


def test_fetch_imdb_not_cached_and_bad_subset(tmp_path):
    cache = tmp_path / "sklearn_rnn"
    match = (
        rf"{cache} does not hold the IMDb movie review data .* put aclImdb_v1.tar.gz "
        r"\(from https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz\), "
        r"or the file\(s\) aclImdb_v1/train.jsonl and"
    )
    with pytest.raises(OSError, match=match):
        fetch_imdb("test", tmp_path, download_if_missing=False)
    for subset in ["unlabelled", "TRAIN", None, 0]:
        with pytest.raises(ValueError, match="subset must be one of"):
            fetch_imdb(subset, tmp_path, download_if_missing=False)


def test_fetch_imdb_damaged_cache_says_what_to_do(tmp_path, imdb_served):
    url = (imdb_served / "aclImdb_v1.tar.gz").as_uri()
    fetch_imdb(data_home=tmp_path, url=url)
    cached = tmp_path / "sklearn_rnn" / "aclImdb_v1" / "test.jsonl"
    cached.write_bytes(cached.read_bytes()[:-5])
    with pytest.raises(OSError, match="test.jsonl is damaged; delete the folder"):
        fetch_imdb("test", tmp_path)


def test_imdb_url_and_bounds():
    assert IMDB_URL == "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
    assert _imdb._IMDB_LIMITS.archive_bytes > 84_125_825
    assert _imdb._IMDB_LIMITS.members > sum(_imdb._IMDB_COUNTS.values())
