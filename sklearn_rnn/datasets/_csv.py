"""A labelled corpus from a ``text,label`` CSV file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import numpy as np
import pandas as pd

__all__ = [
    "load_text_csv",
    "MAX_TEXT_LENGTH",
    "check_file",
    "csv_errors",
    "check_cell_lengths",
]

#: The longest text :func:`load_text_csv` accepts by default, in characters
#: (a novel is about 500,000). A 200 MB cell otherwise sends one document
#: of 200 million characters to the tokenizer, which took gigabytes and
#: more than ten minutes without a word.
MAX_TEXT_LENGTH = 1_000_000

#: The longest label accepted, in characters: a longer one is a text in
#: the wrong column.
MAX_LABEL_LENGTH = 1_000


def _is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _check_not_missing(values, what: str, column: str, path) -> None:
    rows = [i for i, value in enumerate(values) if _is_missing(value)]
    if rows:
        shown = ", ".join(str(i) for i in rows[:5])
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        raise ValueError(
            f"{path}: {len(rows)} row(s) have a missing or empty {what} in column "
            f"{column!r}: rows {shown}{more} (0-based, header not counted)."
        )


def check_file(path) -> None:
    """Refuse a path that is not an existing file, naming it."""
    if not os.path.isfile(path):
        if os.path.exists(path):
            raise FileNotFoundError(f"Not a file: '{os.fspath(path)}'.")
        raise FileNotFoundError(f"No such file: '{os.fspath(path)}'.")


@contextlib.contextmanager
def csv_errors(path) -> Iterator[None]:
    """pandas' errors of an empty file or one that is not UTF-8, in our words."""
    try:
        yield
    except pd.errors.EmptyDataError:
        raise ValueError(f"The file '{os.fspath(path)}' is empty.") from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"The file '{os.fspath(path)}' is not valid UTF-8 ({exc.reason} at "
            f"byte {exc.start})."
        ) from None


def check_cell_lengths(
    column: pd.Series, limit: int, what: str, path, first_row: int = 0
) -> None:
    """Refuse a cell of ``column`` longer than ``limit`` characters, in one
    line naming the first such row (``first_row`` is the 0-based row of the
    column's first cell in the file)."""
    if not len(column) or not (
        pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)
    ):
        return
    lengths = column.str.len().to_numpy(dtype=float, na_value=0)
    too_long = np.flatnonzero(lengths > limit)
    if too_long.size:
        row = int(too_long[0])
        more = f" ({too_long.size} such rows)" if too_long.size > 1 else ""
        raise ValueError(
            f"{path}: the {what} in column {column.name!r}, row {first_row + row} "
            f"(0-based, header not counted) has {int(lengths[row]):,} characters, "
            f"more than the limit of {limit:,}{more}."
        )


def load_text_csv(
    path: str | os.PathLike,
    text_column: str = "text",
    label_column: str = "label",
    *,
    max_length: int | None = MAX_TEXT_LENGTH,
) -> tuple[list[str], np.ndarray]:
    """Load a labelled text corpus from a CSV file with a header row.

    The file is read with ``pandas.read_csv(path, keep_default_na=False)``,
    so a text such as ``"NA"`` or ``"null"`` stays a text. Empty or
    whitespace-only cells count as missing.

    Parameters
    ----------
    path : str or path-like
        Path of a UTF-8 CSV file whose first line names the columns.

    text_column : str, default="text"
        Name of the column holding the documents. They are always read as
        strings, so ``"007"`` stays ``"007"``.

    label_column : str, default="label"
        Name of the column holding the labels.

    max_length : int or None, default=1_000_000
        The longest text accepted, in characters (:data:`MAX_TEXT_LENGTH`);
        None for no limit. Labels longer than 1,000 characters are refused
        in any case.

    Returns
    -------
    texts : list of str
        The documents, in file order.
    labels : ndarray of shape (n_samples,)
        The labels, in file order. Labels that all look like integers come
        back as integers, other labels as strings (``dtype=object``).

    Raises
    ------
    FileNotFoundError
        If ``path`` is not an existing file.
    ValueError
        If the file is empty or has no data rows, is not valid UTF-8, lacks
        one of the two columns, has a missing or empty text or label (the
        message gives the first few row numbers), or a text longer than
        ``max_length`` (the message gives its row).

    See Also
    --------
    fetch_movie_reviews : A real sentiment corpus, downloaded once.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_text_csv
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "reviews.csv"
    ...     _ = path.write_text("text,label\\ngreat film,1\\ndull plot,0\\n")
    ...     texts, labels = load_text_csv(path)
    >>> texts
    ['great film', 'dull plot']
    >>> labels
    array([1, 0])
    """
    check_file(path)
    if text_column == label_column:
        raise ValueError(
            f"text_column and label_column must differ; both are {text_column!r}."
        )
    with csv_errors(path):
        frame = pd.read_csv(path, keep_default_na=False, dtype={text_column: str})

    for column in (text_column, label_column):
        if column not in frame.columns:
            raise ValueError(
                f"Column {column!r} not found in '{os.fspath(path)}'; available "
                f"columns: {list(map(str, frame.columns))}."
            )
    if len(frame) == 0:
        raise ValueError(f"The file '{os.fspath(path)}' has a header but no rows.")

    if max_length is not None:
        check_cell_lengths(frame[text_column], max_length, "text", os.fspath(path))
    check_cell_lengths(frame[label_column], MAX_LABEL_LENGTH, "label", os.fspath(path))
    texts = frame[text_column].tolist()
    labels = frame[label_column].to_numpy()
    _check_not_missing(texts, "text", text_column, os.fspath(path))
    _check_not_missing(labels, "label", label_column, os.fspath(path))
    return [str(text) for text in texts], labels
