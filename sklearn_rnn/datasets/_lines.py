"""The lines of a local text file, gzipped or not: numbered, bounded, and with
errors that name the file and the line. The loaders of data files in their
original formats (:mod:`._cmudict`, :mod:`._sentence_pairs`) read through it;
it shares its line bound with :func:`sklearn_rnn.load_word_vectors`."""

from __future__ import annotations

import contextlib
import io
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from ..vectors import _decompressed, _numbered_lines

__all__ = ["numbered_lines"]


@contextlib.contextmanager
def numbered_lines(
    path: str | os.PathLike, *, max_chars: int
) -> Iterator[Iterator[tuple[int, str]]]:
    """Yield an iterator of ``(line number, line)`` of a UTF-8 file, from 1.

    Gzip is recognised by its content; a UTF-8 byte order mark is dropped;
    lines end at ``\\n``, ``\\r\\n`` or ``\\r``, which are stripped. A line
    longer than ``max_chars`` is refused once that much of it is read.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not an existing file.
    ValueError
        For a line past the bound, text that is not UTF-8 (around which
        line), or a broken gzip file, naming ``path``.
    """
    path = Path(path)
    if not path.is_file():
        what = "Not a file" if path.exists() else "No such file"
        raise FileNotFoundError(f"{what}: '{path}'.")
    line_no = 0

    def lines(text):
        nonlocal line_no
        for line_no, line in _numbered_lines(text, max_chars, path):
            yield line_no, line.rstrip("\r\n")

    with (
        open(path, "rb") as raw,
        _decompressed(raw) as stream,
        io.TextIOWrapper(stream, encoding="utf-8-sig", newline=None) as text,
    ):
        try:
            yield lines(text)
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"{path}, around line {line_no + 1}: not UTF-8 text ({exc.reason})."
            ) from None
        except (EOFError, zlib.error, OSError) as exc:  # gzip errors
            raise ValueError(f"{path} could not be read: {exc}") from None
