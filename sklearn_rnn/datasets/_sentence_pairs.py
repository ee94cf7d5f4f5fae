"""Sentence pairs of the manythings.org / Tatoeba files (``fra.txt`` and its
kin), and the selection PyTorch's translation tutorial makes of them."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable

from ._lines import numbered_lines

__all__ = [
    "load_sentence_pairs",
    "normalize_tutorial_text",
    "filter_tutorial_pairs",
    "TUTORIAL_PREFIXES",
]

#: The longest line read, in characters (the longest pair of the full
#: English-French export has about 1,000).
_MAX_LINE_CHARS = 1 << 16
#: A header's column names: lower-case identifiers (``english``, ``fra``).
_COLUMN_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_HEADERS = ("auto", True, False)

#: The English beginnings the tutorial keeps, as it writes them (after
#: :func:`normalize_tutorial_text`; some end with a space, some do not).
TUTORIAL_PREFIXES = (
    "i am ",
    "i m ",
    "he is",
    "he s ",
    "she is",
    "she s ",
    "you are",
    "you re ",
    "we are",
    "we re ",
    "they are",
    "they re ",
)


def load_sentence_pairs(
    path: str | os.PathLike, *, header: bool | str = "auto"
) -> tuple[list[str], list[str]]:
    """Read a tab-separated file of sentence pairs, as manythings.org has them.

    The Tatoeba exports of https://www.manythings.org/anki/ (``fra.txt``,
    ``deu.txt``, ...) have one pair a line: the English sentence, a tab, its
    translation, and in newer exports a third column with the attribution
    (``CC-BY 2.0 (France) Attribution: tatoeba.org #...``), which is
    ignored. The file may be gzipped (recognised by its content). Empty
    lines are skipped; nothing else of the text is changed.

    Parameters
    ----------
    path : str or path-like
        The file, UTF-8.
    header : {"auto", True, False}, default="auto"
        Whether the first line names the columns (as ``english<TAB>french``
        does in the shared data) rather than being a pair. ``"auto"`` takes
        it for a header when each of its columns is a lower-case identifier
        (letters, digits and ``_``, not starting with a digit), which a
        sentence of these files, capitalised and ending in punctuation, is
        not; pass False to read such a first line as a pair.

    Returns
    -------
    first : list of str
        The first column of each pair, in file order (English, in the
        manythings files).
    second : list of str
        The second column: the translations.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not an existing file.
    ValueError
        For a line with one column or more than three, an empty sentence, a
        line longer than 65,536 characters or text that is not UTF-8 (the
        message names the line), or a file without pairs.

    See Also
    --------
    filter_tutorial_pairs : The pairs PyTorch's translation tutorial keeps.

    References
    ----------
    The Tatoeba project (https://tatoeba.org) and its contributors, via
    https://www.manythings.org/anki/; the sentences are under CC-BY 2.0 FR.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_sentence_pairs
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "fra.txt"
    ...     _ = path.write_text(
    ...         "Go.\\tVa !\\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272\\n"
    ...         "I am cold.\\tJ'ai froid.\\tCC-BY 2.0 (France) Attribution: ...\\n"
    ...     )
    ...     english, french = load_sentence_pairs(path)
    >>> english
    ['Go.', 'I am cold.']
    >>> french
    ['Va !', "J'ai froid."]
    """
    if not (header == "auto" or isinstance(header, bool)):
        raise ValueError(f"header must be 'auto', True or False; got {header!r}.")
    first: list[str] = []
    second: list[str] = []
    maybe_header = header  # what the first line with text may be
    with numbered_lines(path, max_chars=_MAX_LINE_CHARS) as lines:
        for line_no, line in lines:
            if not line.strip():
                continue
            columns = line.split("\t")
            if maybe_header is not False:
                is_header = maybe_header is True or all(
                    _COLUMN_NAME.fullmatch(column.strip()) for column in columns
                )
                maybe_header = False
                if is_header:
                    continue
            if len(columns) not in (2, 3):
                raise ValueError(
                    f"{path}, line {line_no}: expected 2 or 3 tab-separated "
                    f"columns (sentence, translation, attribution), got "
                    f"{len(columns)}: {line[:60]!r}."
                )
            for column, text in enumerate(columns[:2], start=1):
                if not text.strip():
                    raise ValueError(
                        f"{path}, line {line_no}: column {column} is empty; "
                        "expected a sentence."
                    )
            first.append(columns[0])
            second.append(columns[1])
    if not first:
        raise ValueError(f"{path} holds no sentence pairs.")
    return first, second


def normalize_tutorial_text(text: str) -> str:
    """Normalise a sentence as PyTorch's translation tutorial does.

    Lower-cased and stripped; accents removed (Unicode NFD, combining marks
    dropped: ``"été"`` becomes ``"ete"``); a space put before each ``.``,
    ``!`` and ``?``; then every run of characters other than ASCII letters,
    ``!`` and ``?`` -- spaces, digits, apostrophes, the periods themselves,
    letters without an ASCII form -- becomes one space. So ``"I'm cold."``
    becomes ``"i m cold"`` and ``"Va !"`` stays ``"va !"``. This is the
    ``normalizeString`` of the tutorial's current version (its
    ``[^a-zA-Z!?]+``; versions before 2023 kept the period).

    Parameters
    ----------
    text : str
        A sentence.

    Returns
    -------
    normalized : str
        Its words and ``!``/``?`` marks, separated by single spaces.

    Examples
    --------
    >>> from sklearn_rnn.datasets import normalize_tutorial_text
    >>> normalize_tutorial_text("I'm cold.")
    'i m cold'
    >>> normalize_tutorial_text("Ça alors !")
    'ca alors !'
    """
    text = unicodedata.normalize("NFD", text.lower().strip())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = re.sub(r"([.!?])", r" \1", text)
    return re.sub(r"[^a-zA-Z!?]+", " ", text).strip()


def filter_tutorial_pairs(
    english: Iterable[str],
    french: Iterable[str],
    *,
    max_length: int = 10,
    prefixes: tuple[str, ...] = TUTORIAL_PREFIXES,
) -> tuple[list[str], list[str]]:
    """The pairs PyTorch's translation tutorial trains on, normalised.

    "Translation with a Sequence to Sequence Network and Attention"
    normalises both sides (:func:`normalize_tutorial_text`) and keeps a pair
    when each side has fewer than ``max_length`` words, counted as the
    pieces of ``side.split(" ")`` (so ``!`` and ``?`` count), and the English
    side starts with one of ``prefixes`` ("i am ", "he is", "you re ", ...:
    a plain string prefix, so "he is" also keeps "he isn t ..."). The
    tutorial then translates French to English: fit on
    ``(french, english)``.

    Parameters
    ----------
    english, french : iterable of str
        The two sides, pair ``i`` being ``(english[i], french[i])``, as
        :func:`load_sentence_pairs` returns them.
    max_length : int, default=10
        Keep sides of fewer words than this (the tutorial's ``MAX_LENGTH``).
    prefixes : tuple of str, default=TUTORIAL_PREFIXES
        The English beginnings kept (the tutorial's ``eng_prefixes``).

    Returns
    -------
    english, french : list of str
        The kept pairs, normalised, in their original order.

    Raises
    ------
    ValueError
        If the sides have different lengths, or an item is not a string
        (naming its index).

    Examples
    --------
    >>> from sklearn_rnn.datasets import filter_tutorial_pairs
    >>> english = ["I'm cold.", "Go away!"]
    >>> english.append("He is a very, very, very, very, very tall man.")
    >>> french = ["J'ai froid.", "Va-t'en !", "C'est un homme très, très grand."]
    >>> filter_tutorial_pairs(english, french)
    (['i m cold'], ['j ai froid'])
    """
    english, french = list(english), list(french)
    if len(english) != len(french):
        raise ValueError(
            f"english and french must have the same length; got {len(english)} "
            f"and {len(french)}."
        )
    kept_english, kept_french = [], []
    for index, pair in enumerate(zip(english, french)):
        for side, text in zip(("english", "french"), pair):
            if not isinstance(text, str):
                raise ValueError(
                    f"{side}[{index}] is a {type(text).__name__}, not a string."
                )
        source, target = map(normalize_tutorial_text, pair)
        if (
            len(source.split(" ")) < max_length
            and len(target.split(" ")) < max_length
            and source.startswith(prefixes)
        ):
            kept_english.append(source)
            kept_french.append(target)
    return kept_english, kept_french
