"""Pretrained word vectors: reading GloVe and word2vec/fastText files.

:func:`load_word_vectors` streams a vectors file -- GloVe text (no header),
word2vec/fastText text (``.vec``, a ``count dim`` header line) or word2vec
binary, each optionally gzipped -- into a :class:`WordVectors` object: the
words in file order, a ``float32`` matrix and the dimension. Memory is
bounded by what is kept (``max_words``, ``vocabulary``), never by the file:
a line, a word and a dimension have bounds (``max_dim``), and a binary file
is read in blocks, so a hostile file is refused after reading a little of it.
"""

from __future__ import annotations

import gzip
import io
import os
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from ._strings import pack_strings, unpack_strings

__all__ = ["WordVectors", "load_word_vectors"]

#: Text parsed together (characters); bounds the memory used while reading.
_CHUNK_CHARS = 1 << 22
#: Entries of a binary file parsed together, and the most bytes they take.
_CHUNK_ENTRIES = 20_000
_CHUNK_BYTES = 1 << 24
#: The longest word, in characters (text) or bytes (binary).
_MAX_WORD = 4096
#: Characters a text file may spend on one value ("-1.2345678e-05 " is 15).
_VALUE_CHARS = 32
#: Bytes a binary file is read by.
_BLOCK = 1 << 16

_FORMATS = ("auto", "glove", "word2vec", "word2vec-binary")


class WordVectors:
    """Pretrained word vectors: the words in file order and their matrix.

    Immutable: the matrix is read-only, and copying (``copy.deepcopy``, as
    :func:`sklearn.base.clone` does for parameters) returns the same object,
    so a grid search shares one copy of the vectors between its candidates.

    Parameters
    ----------
    words : sequence of str
        The words, row ``i`` of ``vectors`` belonging to ``words[i]``.
    vectors : array-like of shape (n_words, dim)
        The vectors; stored as ``float32``.
    source : str, default=None
        Where they came from (shown in the ``repr``).

    Attributes
    ----------
    dim : int
        Dimension of the vectors.

    Examples
    --------
    >>> from sklearn_rnn import WordVectors
    >>> wv = WordVectors(["good", "bad"], [[1.0, 0.0], [-1.0, 0.5]])
    >>> wv.dim, len(wv), "good" in wv
    (2, 2, True)
    >>> wv["bad"]
    array([-1. ,  0.5], dtype=float32)
    """

    def __init__(self, words, vectors, source: str | None = None):
        words = list(words)
        matrix = np.array(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(words):
            raise ValueError(
                f"vectors must have shape (len(words), dim) = ({len(words)}, dim); "
                f"got {matrix.shape}."
            )
        if not words:
            raise ValueError("WordVectors needs at least one word.")
        if not np.isfinite(matrix).all():
            row = int(np.flatnonzero(~np.isfinite(matrix).all(axis=1))[0])
            raise ValueError(f"The vector of {words[row]!r} (row {row}) is not finite.")
        matrix.setflags(write=False)
        self._words = tuple(words)
        self._vectors = matrix
        self.source = source
        self._index: dict[str, int] | None = None

    @property
    def words(self) -> tuple[str, ...]:
        """The words, in file order."""
        return self._words

    @property
    def vectors(self) -> np.ndarray:
        """The read-only ``(n_words, dim)`` ``float32`` matrix."""
        return self._vectors

    @property
    def dim(self) -> int:
        """Dimension of the vectors."""
        return self._vectors.shape[1]

    @property
    def index(self) -> dict[str, int]:
        """Word to row mapping (built on first use; the first of duplicates)."""
        if self._index is None:
            index: dict[str, int] = {}
            for row, word in enumerate(self._words):
                index.setdefault(word, row)
            self._index = index
        return self._index

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word) -> bool:
        return word in self.index

    def __getitem__(self, word: str) -> np.ndarray:
        return self._vectors[self.index[word]]

    def __repr__(self) -> str:
        where = f", source={self.source!r}" if self.source else ""
        return f"WordVectors(n_words={len(self)}, dim={self.dim}{where})"

    def __deepcopy__(self, memo) -> WordVectors:
        return self  # immutable: clone() in a grid search shares one copy

    def __copy__(self) -> WordVectors:
        return self

    def __getstate__(self) -> dict:
        # the words as two arrays: as a tuple, skops would write 400,000
        # JSON objects (175 MB for GloVe 6B 50d, 4.6 s to load)
        data, ends = pack_strings(self._words)
        return {
            "word_bytes": data,
            "word_ends": ends,
            "vectors": self._vectors,
            "source": self.source,
        }

    def __setstate__(self, state: dict) -> None:
        vectors = np.array(state["vectors"], dtype=np.float32)
        vectors.setflags(write=False)
        self._words = tuple(unpack_strings(state["word_bytes"], state["word_ends"]))
        self._vectors = vectors
        self.source = state["source"]
        self._index = None


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


class _Keeper:
    """Collects the kept words and vectors in growing ``float32`` blocks."""

    def __init__(self, vocabulary, max_words):
        self.wanted = None if vocabulary is None else set(vocabulary)
        self.max_words = max_words
        self.words: list[str] = []
        self.blocks: list[np.ndarray] = []
        self.seen: set[str] = set()
        self.duplicates = 0
        self.read = 0  # entries of the file read so far

    def done(self) -> bool:
        return self.max_words is not None and self.read >= self.max_words

    def take(self, words: list[str], matrix: np.ndarray) -> None:
        """Keep the wanted, not yet seen words of one parsed chunk."""
        if self.max_words is not None:
            room = self.max_words - self.read
            words, matrix = words[:room], matrix[:room]
        self.read += len(words)
        keep = []
        for row, word in enumerate(words):
            if self.wanted is not None and word not in self.wanted:
                continue
            if word in self.seen:
                self.duplicates += 1
                continue
            self.seen.add(word)
            keep.append(row)
        if keep:
            self.words.extend(words[row] for row in keep)
            self.blocks.append(np.array(matrix[keep], dtype=np.float32))

    def result(self, path: Path, dim: int | None) -> WordVectors:
        if self.duplicates:
            warnings.warn(
                f"{path}: {self.duplicates} repeated words; the first vector of "
                "each was kept.",
                UserWarning,
                stacklevel=3,
            )
        if not self.words:
            if dim is None:
                raise ValueError(f"{path} holds no word vectors: the file is empty.")
            if self.wanted is not None:
                raise ValueError(
                    f"None of the {len(self.wanted)} words of the given vocabulary "
                    f"is in {path} (read {self.read} vectors). Check the case "
                    "(GloVe is lower-cased) and the tokenization."
                )
            raise ValueError(f"{path} holds no word vectors.")
        return WordVectors(self.words, np.concatenate(self.blocks), source=str(path))


def _decompressed(raw):
    """``raw`` itself, or a gunzipping stream over it when it is gzipped."""
    magic = raw.read(2)
    raw.seek(0)
    return gzip.GzipFile(fileobj=raw, mode="rb") if magic == b"\x1f\x8b" else raw


def _numbered_lines(text, max_chars: int, path) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of an open text stream, from 1; a line longer
    than ``max_chars`` (its end of line not counted) is refused once that much
    of it is read, never read whole."""
    line_no = 0
    while line := text.readline(max_chars + 1):
        line_no += 1
        if len(line) > max_chars and len(line.rstrip("\r\n")) > max_chars:
            raise ValueError(
                f"{path}, line {line_no} is longer than {max_chars:,} characters; "
                "refused."
            )
        yield line_no, line


def _header(line: str) -> tuple[int, int] | None:
    """``(count, dim)`` when ``line`` is a word2vec header, else None."""
    parts = line.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    return None


def _check_dim(dim: int, max_dim: int, where: str) -> None:
    if dim == 0:
        raise ValueError(f"{where} declares dimension 0; a vector needs a value.")
    if dim > max_dim:
        raise ValueError(
            f"{where} declares {dim:,} dimensions, more than max_dim={max_dim:,}; "
            "pass a larger max_dim if the file really holds such vectors."
        )


def _parse_chunk(
    lines: list[tuple[int, str]], dim: int | None, path: Path, max_dim: int
):
    """Words and ``(n, dim)`` matrix of numbered text lines; errors name the line."""
    words, rests = [], []
    for line_no, line in lines:
        word, _, rest = line.rstrip("\r\n").partition(" ")
        rest = rest.strip()
        n_values = len(rest.split()) if rest else 0
        if not word or n_values == 0:
            raise ValueError(
                f"{path}, line {line_no}: expected a word followed by its "
                f"vector, got {line[:60]!r}. Is this a word-vectors file?"
            )
        if dim is None:
            if n_values > max_dim:
                raise ValueError(
                    f"{path}, line {line_no}: the vector of {word[:60]!r} has "
                    f"{n_values:,} values, more than max_dim={max_dim:,}; pass a "
                    "larger max_dim if the file really holds such vectors."
                )
            dim = n_values
        elif n_values != dim:
            raise ValueError(
                f"{path}, line {line_no}: the vector of {word!r} has {n_values} "
                f"values, but earlier vectors have {dim}."
            )
        words.append(word)
        rests.append(rest)
    try:
        with warnings.catch_warnings():
            # numpy warns (or raises) at the first token that is not a number
            warnings.simplefilter("ignore", DeprecationWarning)
            flat = np.fromstring(" ".join(rests), dtype=np.float32, sep=" ")
    except ValueError:
        flat = None
    if flat is None or flat.size != len(words) * dim:
        for (line_no, _), word, rest in zip(lines, words, rests):
            for token in rest.split():
                try:
                    float(token)
                except ValueError:
                    raise ValueError(
                        f"{path}, line {line_no}: {token!r} in the vector of "
                        f"{word!r} is not a number."
                    ) from None
        raise ValueError(f"{path}: could not read the vectors near line {line_no}.")
    return words, flat.reshape(len(words), dim), dim


def _read_text(stream, path: Path, keeper: _Keeper, fmt: str, max_dim: int):
    # closing the wrapper closes ``stream`` too, which the caller is done with
    with io.TextIOWrapper(stream, encoding="utf-8", newline="") as text:
        line_no, dim, announced = 0, None, None
        lines = _numbered_lines(text, _MAX_WORD + _VALUE_CHARS * max_dim, path)
        try:
            line_no, first = next(lines, (1, ""))
            if first == "":
                return None
            if not first.strip():
                raise ValueError(f"{path}, line 1 is empty; expected a vector.")
            header = _header(first) if fmt != "glove" else None
            if fmt == "word2vec" and header is None:
                raise ValueError(
                    f"{path}, line 1: expected a word2vec header 'count dim', "
                    f"got {first[:60]!r}."
                )
            pending = [] if header else [(1, first)]
            if header:
                announced, dim = header
                _check_dim(dim, max_dim, f"{path}, line 1: the header")
            while not keeper.done():
                chunk, pending = pending, []
                size = sum(len(line) for _, line in chunk)
                for line_no, line in lines:
                    if line.strip():
                        chunk.append((line_no, line))
                        size += len(line)
                    if size >= _CHUNK_CHARS:
                        break
                if not chunk:
                    break
                words, matrix, dim = _parse_chunk(chunk, dim, path, max_dim)
                keeper.take(words, matrix)
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"{path}, around line {line_no + 1}: not UTF-8 text "
                f"({exc.reason}). For word2vec binary files pass "
                "format='word2vec-binary'."
            ) from None
    if announced is not None and not keeper.done() and keeper.read != announced:
        raise ValueError(
            f"{path}: the header announces {announced} vectors but the file holds "
            f"{keeper.read}; it may be truncated."
        )
    return dim


class _Blocks:
    """A binary stream read in blocks: words up to a space, vectors of a given
    size; a read never asks for more than the file can give at once."""

    def __init__(self, stream, path: Path):
        self.stream, self.path = stream, path
        self.buffer, self.pos = b"", 0

    def _more(self, at_least: int = _BLOCK) -> bool:
        """Append at least ``at_least`` bytes (less at the end of the file)."""
        parts, got = [self.buffer[self.pos :]], 0
        while got < at_least:
            block = self.stream.read(min(max(at_least - got, _BLOCK), 1 << 20))
            if not block:
                break
            parts.append(block)
            got += len(block)
        self.buffer, self.pos = b"".join(parts), 0
        return got > 0

    def word(self, entry: int, count: int) -> bytes:
        """The bytes before the next space, leading newlines dropped."""
        start = self.pos
        while (end := self.buffer.find(b" ", start)) < 0:
            if len(self.buffer) - self.pos > _MAX_WORD:
                raise ValueError(
                    f"{self.path}, entry {entry}: no space within {_MAX_WORD:,} "
                    "bytes; a word is not that long. Is this a word2vec binary "
                    "file?"
                )
            start = len(self.buffer) - self.pos
            if not self._more():
                raise ValueError(
                    f"{self.path}: the file ends at entry {entry} of {count}; it "
                    "may be truncated."
                )
            start += self.pos
        word = self.buffer[self.pos : end]
        self.pos = end + 1
        return word.lstrip(b"\n")

    def take(self, size: int, what: str) -> bytes:
        """The next ``size`` bytes."""
        missing = size - (len(self.buffer) - self.pos)
        if missing > 0:
            self._more(missing)
            if len(self.buffer) < size:
                raise ValueError(
                    f"{self.path}: the file ends inside {what}; it may be truncated."
                )
        data = self.buffer[self.pos : self.pos + size]
        self.pos += size
        return data


def _read_binary(stream, path: Path, keeper: _Keeper, max_dim: int) -> int:
    header = stream.readline(_MAX_WORD).decode("utf-8", errors="replace")
    parsed = _header(header)
    if parsed is None:
        raise ValueError(
            f"{path}: expected a word2vec binary header 'count dim', got "
            f"{header[:60]!r}."
        )
    count, dim = parsed
    _check_dim(dim, max_dim, f"{path}: the header")
    size = 4 * dim
    per_chunk = max(1, min(_CHUNK_ENTRIES, _CHUNK_BYTES // size))
    blocks = _Blocks(stream, path)
    words, rows = [], []
    for entry in range(1, count + 1):
        if keeper.done():
            break
        word = blocks.word(entry, count)
        try:
            text = word.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(
                f"{path}, entry {entry}: the word is not UTF-8 text."
            ) from None
        vector = blocks.take(size, f"the vector of entry {entry}")
        words.append(text)
        rows.append(np.frombuffer(vector, dtype="<f4"))
        if len(words) >= per_chunk:
            keeper.take(words, np.stack(rows))
            words, rows = [], []
    if words:
        keeper.take(words, np.stack(rows))
    return dim


def load_word_vectors(
    path: str | os.PathLike,
    *,
    max_words: int | None = None,
    vocabulary: Iterable[str] | None = None,
    format: str = "auto",
    max_dim: int = 10_000,
) -> WordVectors:
    """Read pretrained word vectors from a GloVe, word2vec or fastText file.

    The file is streamed: only the kept vectors are held in memory.

    Parameters
    ----------
    path : str or path-like
        The vectors file; gzipped files are recognised by their content.
    max_words : int, default=None
        Read only the first ``max_words`` entries of the file (GloVe,
        word2vec and fastText files list the most frequent words first).
    vocabulary : iterable of str, default=None
        Keep only these words (e.g. a fitted indexer's vocabulary).
    format : {"auto", "glove", "word2vec", "word2vec-binary"}, default="auto"
        ``"glove"``: text lines ``word v1 ... vd``. ``"word2vec"``: the same
        after a header line ``count dim`` (word2vec ``-binary 0`` output,
        fastText ``.vec``). ``"word2vec-binary"``: the word2vec binary
        format. ``"auto"`` takes binary for names ending in ``.bin`` or
        ``.bin.gz`` and otherwise text, with a header when the first line is
        two integers.
    max_dim : int, default=10_000
        The largest dimension accepted (published vectors have 25 to 1,000).
        It also bounds what one text line may hold: a word of up to 4,096
        characters and ``max_dim`` values of up to 32 characters each, so
        that one hostile line is refused once that much is read, never read
        whole. A binary word may have up to 4,096 bytes.

    Returns
    -------
    vectors : WordVectors
        The kept words in file order, their ``float32`` matrix and ``dim``.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        For an empty file, a malformed line, a vector whose dimension differs
        from the first one, a dimension of 0 or above ``max_dim``, a line or
        a word past its bound, or no kept word at all; the message names the
        line (or the entry of a binary file).
    MemoryError
        When the kept vectors do not fit in memory, saying so.

    Examples
    --------
    >>> import tempfile, os
    >>> from sklearn_rnn import load_word_vectors
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "tiny.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("the 0.1 0.2\\ngood 1.0 0.5\\nbad -1.0 0.5\\n")
    >>> wv = load_word_vectors(path, vocabulary=["good", "bad"])
    >>> wv.words, wv.dim
    (('good', 'bad'), 2)
    """
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {_FORMATS}; got {format!r}.")
    if max_words is not None and (
        isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1
    ):
        raise ValueError(f"max_words must be a positive int or None; got {max_words}.")
    if isinstance(max_dim, bool) or not isinstance(max_dim, int) or max_dim < 1:
        raise ValueError(f"max_dim must be a positive int; got {max_dim!r}.")
    if isinstance(vocabulary, str):
        raise TypeError("vocabulary must be an iterable of words, not one string.")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No word-vectors file at {path}.")
    if format == "auto":
        name = path.name.lower()
        binary = name.endswith(".bin") or name.endswith(".bin.gz")
        format = "word2vec-binary" if binary else "auto"
    keeper = _Keeper(vocabulary, max_words)
    with open(path, "rb") as raw, _decompressed(raw) as stream:
        try:
            if format == "word2vec-binary":
                dim = _read_binary(stream, path, keeper, max_dim)
            else:
                dim = _read_text(stream, path, keeper, format, max_dim)
        except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
            raise ValueError(f"{path} could not be read: {exc}") from None
        except MemoryError:
            raise MemoryError(
                f"{path}: out of memory after reading {keeper.read:,} vectors "
                f"({len(keeper.words):,} kept); pass max_words or vocabulary to "
                "keep fewer."
            ) from None
    return keeper.result(path, dim)


# ---------------------------------------------------------------------------
# Resolving an estimator's ``vectors`` parameter
# ---------------------------------------------------------------------------

_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 2


def resolve_vectors(vectors) -> WordVectors | None:
    """The :class:`WordVectors` of an estimator's ``vectors`` parameter.

    A path is read once per process and kept in a small cache keyed by the
    file's identity (path, size, modification time), so the folds of a grid
    search do not each read the file again.
    """
    if vectors is None or isinstance(vectors, WordVectors):
        return vectors
    if not isinstance(vectors, (str, os.PathLike)):
        raise TypeError(
            "vectors must be a path to a vectors file or a WordVectors object "
            f"(see load_word_vectors); got {type(vectors).__name__}."
        )
    path = Path(vectors)
    if not path.is_file():
        raise FileNotFoundError(f"No word-vectors file at {path}.")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    loaded = load_word_vectors(path)
    _CACHE[key] = loaded
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return loaded
