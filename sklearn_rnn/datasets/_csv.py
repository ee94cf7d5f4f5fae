"""A labelled corpus from a ``text,label`` CSV file."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

__all__ = ["load_text_csv"]


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


def load_text_csv(
    path: str | os.PathLike,
    text_column: str = "text",
    label_column: str = "label",
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
        one of the two columns, or has a missing or empty text or label
        (the message gives the first few row numbers).

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
    if not os.path.isfile(path):
        if os.path.exists(path):
            raise FileNotFoundError(f"Not a file: '{os.fspath(path)}'.")
        raise FileNotFoundError(f"No such file: '{os.fspath(path)}'.")
    if text_column == label_column:
        raise ValueError(
            f"text_column and label_column must differ; both are {text_column!r}."
        )
    try:
        frame = pd.read_csv(path, keep_default_na=False, dtype={text_column: str})
    except pd.errors.EmptyDataError:
        raise ValueError(f"The file '{os.fspath(path)}' is empty.") from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"The file '{os.fspath(path)}' is not valid UTF-8 ({exc.reason} at "
            f"byte {exc.start})."
        ) from None

    for column in (text_column, label_column):
        if column not in frame.columns:
            raise ValueError(
                f"Column {column!r} not found in '{os.fspath(path)}'; available "
                f"columns: {list(map(str, frame.columns))}."
            )
    if len(frame) == 0:
        raise ValueError(f"The file '{os.fspath(path)}' has a header but no rows.")

    texts = frame[text_column].tolist()
    labels = frame[label_column].to_numpy()
    _check_not_missing(texts, "text", text_column, os.fspath(path))
    _check_not_missing(labels, "label", label_column, os.fspath(path))
    return [str(text) for text in texts], labels
