"""Reading pretrained word vectors (GloVe, word2vec/fastText text and binary)."""

from __future__ import annotations

import copy
import gzip
import pickle
import struct
import tracemalloc

import numpy as np
import pytest

import sklearn_rnn.vectors as vectors_module
from sklearn_rnn._embedding import plan_embedding
from sklearn_rnn.vectors import (
    WordVectors,
    load_word_vectors,
    resolve_vectors,
)

WORDS = ["the", "good", "bad", "movie"]
MATRIX = np.array(
    [[0.1, 0.2, 0.3], [1.0, 0.5, -0.25], [-1.0, 0.5, 2.0], [0.0, -3.5, 1e-3]],
    dtype=np.float32,
)


def _text(header: bool, trailing_space: bool = False) -> str:
    lines = [f"{len(WORDS)} {MATRIX.shape[1]}"] if header else []
    end = " " if trailing_space else ""
    for word, row in zip(WORDS, MATRIX):
        lines.append(word + " " + " ".join(repr(float(v)) for v in row) + end)
    return "\n".join(lines) + "\n"


def _binary() -> bytes:
    out = f"{len(WORDS)} {MATRIX.shape[1]}\n".encode()
    for word, row in zip(WORDS, MATRIX):
        out += word.encode() + b" " + struct.pack("<3f", *row) + b"\n"
    return out


def _write(path, data: str | bytes, gz: bool = False):
    raw = data.encode() if isinstance(data, str) else data
    if gz:
        raw = gzip.compress(raw)
    path.write_bytes(raw)
    return path


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    "name, data",
    [
        ("glove.txt", _text(header=False)),
        ("wiki.vec", _text(header=True, trailing_space=True)),
        ("vectors.bin", _binary()),
    ],
)
def test_formats_read_the_same_vectors(tmp_path, name, data, gz):
    path = _write(tmp_path / (name + (".gz" if gz else "")), data, gz)
    wv = load_word_vectors(path)
    assert wv.words == tuple(WORDS)
    assert wv.dim == 3
    np.testing.assert_allclose(wv.vectors, MATRIX, rtol=1e-6)
    assert wv.vectors.dtype == np.float32


def test_explicit_formats(tmp_path):
    text = _write(tmp_path / "a.txt", _text(header=True))
    assert len(load_word_vectors(text, format="word2vec")) == 4
    binary = _write(tmp_path / "a.data", _binary())
    assert len(load_word_vectors(binary, format="word2vec-binary")) == 4
    with pytest.raises(ValueError, match="word2vec header"):
        load_word_vectors(_write(tmp_path / "b.txt", _text(False)), format="word2vec")
    with pytest.raises(ValueError, match="format must be"):
        load_word_vectors(text, format="fasttext")


@pytest.mark.parametrize("data", [_text(header=False), _binary()])
def test_max_words_and_vocabulary(tmp_path, data):
    path = _write(tmp_path / ("v.bin" if isinstance(data, bytes) else "v.txt"), data)
    assert load_word_vectors(path, max_words=2).words == ("the", "good")
    picked = load_word_vectors(path, vocabulary={"movie", "bad", "absent"})
    assert picked.words == ("bad", "movie")  # file order
    np.testing.assert_allclose(picked["movie"], MATRIX[3])
    both = load_word_vectors(path, max_words=3, vocabulary=["movie", "good"])
    assert both.words == ("good",)


def test_errors_name_the_line(tmp_path):
    with pytest.raises(FileNotFoundError, match="No word-vectors file"):
        load_word_vectors(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="empty"):
        load_word_vectors(_write(tmp_path / "empty.txt", ""))
    with pytest.raises(ValueError, match="empty"):
        load_word_vectors(_write(tmp_path / "empty.txt.gz", "", gz=True))
    bad_dim = "the 1 2 3\ngood 1 2 3\nbad 1 2\n"
    with pytest.raises(ValueError, match=r"line 3: the vector of 'bad' has 2 values"):
        load_word_vectors(_write(tmp_path / "dim.txt", bad_dim))
    not_number = "the 1 2\ngood 1 x\n"
    with pytest.raises(ValueError, match=r"line 2: 'x' in the vector of 'good'"):
        load_word_vectors(_write(tmp_path / "nan.txt", not_number))
    with pytest.raises(ValueError, match=r"line 1: expected a word followed"):
        load_word_vectors(_write(tmp_path / "words.txt", "just-a-word\n"))
    csv = "text,label\nhello world,1\n"
    with pytest.raises(ValueError, match="line 1"):
        load_word_vectors(_write(tmp_path / "data.csv", csv))
    with pytest.raises(ValueError, match="not UTF-8"):
        load_word_vectors(_write(tmp_path / "latin.txt", b"caf\xe9 1 2\n"))
    short = "3 2\nthe 1 2\ngood 1 2\n"
    with pytest.raises(ValueError, match="announces 3 vectors but the file holds 2"):
        load_word_vectors(_write(tmp_path / "short.vec", short))
    with pytest.raises(ValueError, match="truncated"):
        load_word_vectors(_write(tmp_path / "cut.bin", _binary()[:-7]))
    with pytest.raises(ValueError, match="None of the 2 words"):
        load_word_vectors(
            _write(tmp_path / "v.txt", _text(False)), vocabulary=["Good", "zzz"]
        )
    with pytest.raises(ValueError, match="max_words"):
        load_word_vectors(tmp_path / "v.txt", max_words=0)
    with pytest.raises(TypeError, match="not one string"):
        load_word_vectors(tmp_path / "v.txt", vocabulary="good")


def test_a_broken_gzip_file_is_reported(tmp_path):
    data = gzip.compress(_text(False).encode())[:-20]
    with pytest.raises(ValueError, match="could not be read"):
        load_word_vectors(_write(tmp_path / "cut.txt.gz", data))


def test_repeated_words_keep_the_first_with_a_warning(tmp_path):
    path = _write(tmp_path / "dup.txt", "a 1 2\nb 3 4\na 5 6\n")
    with pytest.warns(UserWarning, match="1 repeated words"):
        wv = load_word_vectors(path)
    assert wv.words == ("a", "b")
    np.testing.assert_array_equal(wv["a"], [1, 2])


def test_word_vectors_object():
    wv = WordVectors(WORDS, MATRIX, source="here")
    assert "WordVectors(n_words=4, dim=3" in repr(wv)
    assert wv.index["bad"] == 2 and "the" in wv and "The" not in wv
    with pytest.raises(ValueError):
        wv.vectors[0, 0] = 5.0  # read-only
    assert copy.deepcopy(wv) is wv and copy.copy(wv) is wv
    again = pickle.loads(pickle.dumps(wv))
    assert again.words == wv.words and again is not wv
    np.testing.assert_array_equal(again.vectors, wv.vectors)
    assert not again.vectors.flags.writeable
    with pytest.raises(ValueError, match="shape"):
        WordVectors(["a"], [[1.0], [2.0]])
    with pytest.raises(ValueError, match="not finite"):
        WordVectors(["a", "b"], [[1.0], [np.nan]])


def test_words_are_saved_as_arrays_and_come_back_whole(tmp_path):
    skops_io = pytest.importorskip("skops.io")
    from sklearn_rnn.persistence import TRUSTED_TYPES

    words = ["the", "naïve", "日本", "", "the", "a b"]  # odd ones, a duplicate
    wv = WordVectors(words, np.arange(12.0).reshape(6, 2), source="here")
    state = wv.__getstate__()
    assert all(isinstance(v, (np.ndarray, str)) for v in state.values())
    skops_io.dump(wv, tmp_path / "wv.skops")
    for again in (
        pickle.loads(pickle.dumps(wv)),
        skops_io.load(tmp_path / "wv.skops", trusted=TRUSTED_TYPES),
    ):
        assert again.words == tuple(words) and again.source == "here"
        np.testing.assert_array_equal(again.vectors, wv.vectors)
        assert again.index["the"] == 0


def test_reading_keeps_only_what_is_asked(tmp_path, monkeypatch):
    """Memory follows the kept words and the chunk size, not the file."""
    monkeypatch.setattr(vectors_module, "_CHUNK_CHARS", 1 << 16)
    rng = np.random.default_rng(0)
    n, dim = 20_000, 100
    lines = (
        f"w{i} " + " ".join(f"{v:.4f}" for v in rng.standard_normal(dim)) + "\n"
        for i in range(n)
    )
    path = tmp_path / "big.txt"
    with open(path, "w") as f:
        f.writelines(lines)
    tracemalloc.start()
    try:
        wv = load_word_vectors(path, vocabulary=["w5", "w19999"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert wv.words == ("w5", "w19999")
    full_size = n * dim * 4  # the whole matrix in float32: 8 MB
    assert peak < full_size / 8, peak


def test_paths_are_read_once_per_process(tmp_path):
    path = _write(tmp_path / "v.txt", _text(False))
    first = resolve_vectors(str(path))
    assert resolve_vectors(path) is first
    assert resolve_vectors(first) is first and resolve_vectors(None) is None
    _write(path, "the 1 2 3\n")  # changed on disk: read again
    assert len(resolve_vectors(path)) == 1
    with pytest.raises(TypeError, match="path to a vectors file"):
        resolve_vectors(42)


def test_plan_embedding_blocks_and_coverage():
    wv = WordVectors(WORDS, MATRIX)  # ids 2..5 are the, good, bad, movie
    # training: "good" x2, "movie", <unk>, and id 6 (a token without a vector)
    plan = plan_embedding(wv, [np.array([3, 5, 1]), np.array([3, 6]), np.array([])])
    assert plan.n_learned == 3  # pad, unk, id 6
    np.testing.assert_array_equal(plan.tuned, MATRIX[[1, 3]])
    np.testing.assert_array_equal(plan.frozen, MATRIX[[0, 2]])
    # rows: learned 0 pad, 1 unk, 2 <- id 6; tuned 3 <- good, 4 <- movie;
    # frozen 5 <- the, 6 <- bad
    np.testing.assert_array_equal(plan.id_map, [0, 1, 5, 3, 6, 4, 2])
    assert plan.type_coverage == pytest.approx(2 / 3)
    assert plan.token_coverage == pytest.approx(3 / 5)


def test_plan_embedding_refuses_ids_without_vectors():
    wv = WordVectors(WORDS, MATRIX)
    with pytest.raises(ValueError, match="None of the 2 distinct training tokens"):
        plan_embedding(wv, [np.array([7, 8, 1])])


# -- hostile files (issue 22's audit): every bound says what it refused ----------


def test_a_huge_line_is_refused_without_being_read_whole(tmp_path):
    # 1,000,000 values on one line, 2 MB of text in a few kB of gzip: read
    # whole, it was taken as a 1,000,000-dimensional vector.
    data = gzip.compress(b"w " + b"1 " * 1_000_000 + b"\n")
    path = _write(tmp_path / "huge.txt.gz", data)
    with pytest.raises(ValueError, match=r"line 1 is longer than 324,096 char"):
        load_word_vectors(path)
    with pytest.raises(ValueError, match=r"line 1 is longer than 324,096 char"):
        load_word_vectors(path, max_words=1)


def test_the_dimension_is_bounded_by_max_dim(tmp_path):
    line = "w " + " ".join(["0.5"] * 10_001) + "\n"
    path = _write(tmp_path / "wide.txt", line + line.replace("w ", "v ", 1))
    with pytest.raises(ValueError, match=r"line 1: the vector of 'w' has 10,001 "):
        load_word_vectors(path)
    assert load_word_vectors(path, max_dim=10_001).dim == 10_001
    header = _write(tmp_path / "wide.vec", "2 20000\nw 1 2\n")
    with pytest.raises(ValueError, match=r"line 1: the header declares 20,000 dim"):
        load_word_vectors(header)
    with pytest.raises(ValueError, match="max_dim must be a positive int"):
        load_word_vectors(path, max_dim=0)


def test_a_huge_declared_binary_dimension_is_a_clear_error(tmp_path):
    # Read as declared, one vector was a single read of 4 TB: a bare
    # MemoryError.
    path = _write(tmp_path / "huge.bin", b"1 1000000000000\nw " + bytes(16))
    with pytest.raises(ValueError, match=r"declares 1,000,000,000,000 dim.*max_dim"):
        load_word_vectors(path)
    # Allowed, it is read in blocks: the file ends long before.
    with pytest.raises(ValueError, match="truncated"):
        load_word_vectors(path, max_dim=10**12)


@pytest.mark.parametrize("data", ["2 0\nw\nv\n", b"2 0\nw v "])
def test_dimension_zero_is_refused(tmp_path, data):
    name = "zero.bin" if isinstance(data, bytes) else "zero.vec"
    with pytest.raises(ValueError, match="declares dimension 0"):
        load_word_vectors(_write(tmp_path / name, data))


def test_a_binary_word_that_never_ends_is_refused_early(tmp_path):
    # 2 MB without a space after the header (a few kB of gzip): read one
    # byte at a time to its end before the error.
    data = gzip.compress(b"1 3\n" + b"a" * 2_000_000)
    path = _write(tmp_path / "word.bin.gz", data)
    with pytest.raises(ValueError, match=r"entry 1: no space within 4,096 bytes"):
        load_word_vectors(path)


def test_binary_files_are_read_in_blocks(tmp_path, monkeypatch):
    n = 2000
    out = f"{n} 3\n".encode()
    for i in range(n):
        out += f"w{i} ".encode() + struct.pack("<3f", i, 0.5, -1.0) + b"\n"
    path = _write(tmp_path / "many.bin", out)
    reads = []
    decompressed = vectors_module._decompressed

    class Counting:
        def __init__(self, stream):
            self.stream = stream

        def read(self, *args):
            reads.append(args)
            return self.stream.read(*args)

        def readline(self, *args):
            return self.stream.readline(*args)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

    monkeypatch.setattr(
        vectors_module, "_decompressed", lambda raw: Counting(decompressed(raw))
    )
    wv = load_word_vectors(path)
    assert len(wv) == n and wv.words[-1] == f"w{n - 1}"
    np.testing.assert_array_equal(wv["w7"], [7, 0.5, -1.0])
    assert len(reads) < 10, len(reads)


def test_running_out_of_memory_says_what_to_do(tmp_path, monkeypatch):
    def no_memory(self, words, matrix):
        raise MemoryError

    monkeypatch.setattr(vectors_module._Keeper, "take", no_memory)
    path = _write(tmp_path / "v.txt", _text(False))
    with pytest.raises(MemoryError, match=r"v.txt: out of memory .* max_words"):
        load_word_vectors(path)
