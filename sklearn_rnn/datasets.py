"""Built-in and synthetic text corpora, CSV loading and the movie review data.

Every loader returns ``(texts, labels)``: a list of ``str`` documents and a
1-D numpy array of labels, ready for ``estimator.fit(texts, labels)``.

- :func:`load_toy_corpus` -- the three-sentence bag-of-words example.
- :func:`make_order_sentiment` -- a synthetic corpus whose labels depend on
  word order only, with a knob for long-range dependencies.
- :func:`load_text_csv` -- a labelled corpus from a ``text,label`` CSV file.
- :func:`fetch_movie_reviews` -- the Pang & Lee sentence polarity data set,
  downloaded once and cached.
"""

from __future__ import annotations

import gzip
import hashlib
import numbers
import os
import shutil
import tarfile
import tempfile
import urllib.request
import zlib
from http.client import HTTPException
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import get_data_home
from sklearn.utils import check_random_state

__all__ = [
    "load_toy_corpus",
    "make_order_sentiment",
    "load_text_csv",
    "fetch_movie_reviews",
]

# ---------------------------------------------------------------------------
# Toy corpus
# ---------------------------------------------------------------------------


def load_toy_corpus() -> tuple[list[str], np.ndarray]:
    """Return the three documents of the classic bag-of-words example.

    Returns
    -------
    texts : list of str
        ``"The sun is shining"``, ``"The weather is sweet"`` and
        ``"The sun is shining, the weather is sweet, and one and one is two"``.
    labels : ndarray of shape (3,)
        ``array([0, 1, 0])``.

    See Also
    --------
    make_order_sentiment : A synthetic corpus that a bag of words cannot solve.

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_toy_corpus
    >>> texts, labels = load_toy_corpus()
    >>> texts[0]
    'The sun is shining'
    >>> labels
    array([0, 1, 0])
    """
    texts = [
        "The sun is shining",
        "The weather is sweet",
        "The sun is shining, the weather is sweet, and one and one is two",
    ]
    return texts, np.array([0, 1, 0])


# ---------------------------------------------------------------------------
# Synthetic corpus whose label depends on word order only
# ---------------------------------------------------------------------------

# Each template has two slots for the single "not" of a sentence: {n1} sits on
# the verb of a relative clause (irrelevant to the sentiment), {n2} right
# before the adjective (it flips the sentiment).
_TEMPLATES = (
    "the {noun} {subject} has {n1} {participle} is {n2} {adj}",
    "the {noun} that {subject} did {n1} {verb} was {n2} {adj}",
    "i think the {noun} {subject} has {n1} {participle} is {n2} {adj}",
    "the {noun} which {subject} would {n1} {verb} is {n2} {adj}",
    "they say the {noun} that {subject} did {n1} {verb} is {n2} {adj}",
)
_NOUNS = ("movie", "film", "show", "series", "play", "book", "album", "game")
_SUBJECTS = (
    "my friend",
    "my brother",
    "my sister",
    "my cousin",
    "my neighbour",
    "our teacher",
    "the critic",
    "my boss",
)
_VERBS = ("see", "review", "mention", "describe", "discuss", "choose")
_PARTICIPLES = ("seen", "reviewed", "mentioned", "described", "discussed", "chosen")
_POSITIVE = ("good", "great", "fun", "funny", "brilliant", "lovely")
_NEGATIVE = ("bad", "boring", "awful", "dull", "poor", "terrible")
# Neutral phrases appended after the adjective; they contain neither "not" nor
# an adjective of the two lists above.
_FILLER = (
    "in my opinion",
    "if you ask me",
    "to be honest",
    "at least for me",
    "as far as i know",
    "according to my cousin",
    "after all",
    "in the end",
    "this time",
    "at the cinema",
    "last week",
    "with my family",
    "on a rainy sunday",
)


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"{name} must be an integer >= {minimum}; got {value!r} "
            f"of type {type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def _filler(rng: np.random.RandomState, n_words: int) -> list[str]:
    """Return exactly ``n_words`` words made of randomly chosen filler phrases."""
    words: list[str] = []
    while len(words) < n_words:
        words.extend(_FILLER[rng.randint(len(_FILLER))].split())
    return words[:n_words]


def make_order_sentiment(
    n_samples: int = 500,
    *,
    distance: int = 0,
    noise: float = 0.0,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[list[str], np.ndarray]:
    """Generate a sentiment corpus whose labels depend on word order only.

    Every sentence holds exactly one ``"not"`` and one adjective, positive
    (``good``, ``great``, ...) or negative (``bad``, ``boring``, ...). The
    ``"not"`` either negates the adjective (``"... is not good"``) or sits on
    the verb of a relative clause, where it does not touch the sentiment
    (``"the movie my friend has not seen is good"``). The label is the
    polarity of the adjective, flipped when ``"not"`` stands right before it:

    - ``"the movie my friend has not seen is good"`` -> 1 (positive)
    - ``"the movie my friend has seen is not good"`` -> 0 (negative)
    - ``"the movie my friend has not seen is bad"`` -> 0 (negative)
    - ``"the movie my friend has seen is not bad"`` -> 1 (positive)

    Both placements of ``"not"`` are equally likely whatever the other words
    are, so a sentence's bag of words says nothing about its label: a
    unigram bag-of-words model stays at chance level. Two-word patterns
    (``"not good"``) do carry the label, so a model must use word order,
    e.g. n-grams or a recurrent network.

    Parameters
    ----------
    n_samples : int, default=500
        Number of sentences, at least 2. The two classes get
        ``n_samples // 2`` sentences each (one more for class 1 when
        ``n_samples`` is odd), in random order.

    distance : int, default=0
        Number of neutral filler words (``"in my opinion if you ask me
        ..."``) appended after the adjective, so that the words deciding the
        label lie ``distance`` words before the end of the sentence. With
        ``distance=0`` the sentence ends with the adjective. Large values
        create the long-range dependency that a plain RNN struggles to learn
        and an LSTM or GRU learns. For a given ``random_state`` the
        sentences (before the filler) and the labels do not depend on
        ``distance``.

    noise : float, default=0.0
        Fraction of labels to flip, in ``[0, 0.5)``. Exactly ``round(noise *
        n_samples)`` labels are flipped, taken from both classes as equally
        as possible, so the class sizes still differ by at most 2.

    random_state : int, RandomState instance or None, default=None
        Seed or random number generator; pass an int for reproducible output.

    Returns
    -------
    texts : list of str
        Lower-case sentences of 9 to 12 words plus ``distance`` filler
        words, separated by single spaces, without punctuation. The
        vocabulary has fewer than 100 words.
    labels : ndarray of shape (n_samples,)
        0 for negative and 1 for positive sentences.

    See Also
    --------
    load_toy_corpus : A tiny corpus for a first look at bags of words.

    Examples
    --------
    >>> from sklearn_rnn.datasets import make_order_sentiment
    >>> texts, labels = make_order_sentiment(4, random_state=0)
    >>> for text, label in zip(texts, labels):
    ...     print(label, text)
    1 they say the series that our teacher did not see is good
    0 the game my sister has not seen is boring
    1 the film which my neighbour would not discuss is lovely
    0 the series which my boss would mention is not great
    >>> texts, labels = make_order_sentiment(4, distance=5, random_state=0)
    >>> texts[0]
    'they say the series that our teacher did not see is good as far as i know'
    """
    n_samples = _check_int(n_samples, "n_samples", 2)
    distance = _check_int(distance, "distance", 0)
    if (
        isinstance(noise, bool)
        or not isinstance(noise, numbers.Real)
        or not 0 <= noise < 0.5
    ):
        raise ValueError(f"noise must be a number in [0, 0.5); got {noise!r}.")
    rng = check_random_state(random_state)

    # Everything but the place of "not" is drawn independently of the label.
    templates = rng.randint(len(_TEMPLATES), size=n_samples)
    nouns = rng.randint(len(_NOUNS), size=n_samples)
    subjects = rng.randint(len(_SUBJECTS), size=n_samples)
    verbs = rng.randint(len(_VERBS), size=n_samples)
    polarity = rng.randint(2, size=n_samples)
    adjectives = rng.randint(len(_POSITIVE), size=n_samples)
    # Class 1 gets the extra sample when n_samples is odd.
    labels = rng.permutation(np.arange(1, n_samples + 1) % 2)

    texts = []
    for i in range(n_samples):
        negate_adjective = polarity[i] != labels[i]
        adj_list = _POSITIVE if polarity[i] else _NEGATIVE
        text = _TEMPLATES[templates[i]].format(
            noun=_NOUNS[nouns[i]],
            subject=_SUBJECTS[subjects[i]],
            verb=_VERBS[verbs[i]],
            participle=_PARTICIPLES[verbs[i]],
            adj=adj_list[adjectives[i]],
            n1="" if negate_adjective else "not",
            n2="not" if negate_adjective else "",
        )
        texts.append(" ".join(text.split()))

    n_flips = int(round(noise * n_samples))
    if n_flips:
        flip_0 = rng.choice(np.flatnonzero(labels == 0), n_flips // 2, replace=False)
        flip_1 = rng.choice(
            np.flatnonzero(labels == 1), n_flips - n_flips // 2, replace=False
        )
        flip = np.concatenate([flip_0, flip_1])
        labels[flip] = 1 - labels[flip]

    # Drawn last, so that the sentences and labels above do not depend on it.
    if distance:
        texts = [" ".join([text, *_filler(rng, distance)]) for text in texts]
    return texts, labels


# ---------------------------------------------------------------------------
# CSV files
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Movie review sentence polarity data set (Pang & Lee, 2005)
# ---------------------------------------------------------------------------

MR_URL = (
    "http://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"
)
_MR_ARCHIVE = "rt-polaritydata.tar.gz"
# Members of the archive, negatives first, with the SHA-256 of their bytes.
_MR_FILES = (
    (
        "rt-polaritydata/rt-polarity.neg",
        "4ace77d558c3714723843f1d65b60c01e3417b208180f0728808d76ad0eeeaca",
    ),
    (
        "rt-polaritydata/rt-polarity.pos",
        "2da124ec187a9d5a29c9f04e91c540e02baed5af8868f550a26bd6fd4dbf8bf0",
    ),
)
_MAX_MEMBER_BYTES = 16 * 2**20  # each member is about 0.6 MiB
_DOWNLOAD_TIMEOUT = 60  # seconds


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def _mr_is_cached(folder: Path) -> bool:
    return all(
        (folder / name).is_file() and _sha256(folder / name) == sha256
        for name, sha256 in _MR_FILES
    )


def _download(url: str, target: Path) -> None:
    """Download ``url`` to a temporary file, then move it to ``target``."""
    with tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    ) as tmp:
        tmp_path = Path(tmp.name)
        try:
            with urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT) as response:
                shutil.copyfileobj(response, tmp)
        except (OSError, HTTPException) as exc:
            tmp.close()
            tmp_path.unlink(missing_ok=True)
            raise OSError(
                f"Could not download the movie review data from {url} ({exc}). "
                f"Without a network, download {_MR_ARCHIVE} elsewhere and place it "
                f"(or its folder rt-polaritydata/ with rt-polarity.neg and "
                f"rt-polarity.pos) in {target.parent}."
            ) from None
    os.replace(tmp_path, target)


def _extract_member(tar: tarfile.TarFile, name: str, sha256: str, folder: Path) -> None:
    """Extract one member to ``folder / name``, checking its SHA-256.

    The output path is built from our own constant ``name``, never from the
    archive, so a crafted archive cannot write outside ``folder``.
    """
    try:
        member = tar.getmember(name)
    except KeyError:
        raise OSError(f"The archive has no member {name!r}.") from None
    if not member.isfile():
        raise OSError(f"The archive member {name!r} is not a regular file.")
    if member.size > _MAX_MEMBER_BYTES:
        raise OSError(f"The archive member {name!r} is too large ({member.size} B).")
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(member)
    digest = hashlib.sha256()
    with (
        source,
        tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
        ) as tmp,
    ):
        tmp_path = Path(tmp.name)
        try:
            for block in iter(lambda: source.read(2**20), b""):
                digest.update(block)
                tmp.write(block)
        except BaseException:
            tmp.close()
            tmp_path.unlink(missing_ok=True)
            raise
    if digest.hexdigest() != sha256:
        tmp_path.unlink()
        raise OSError(
            f"{name} has SHA-256 {digest.hexdigest()}, expected {sha256}: the "
            "download is corrupted or not the original data set."
        )
    os.replace(tmp_path, target)


def _extract_mr(archive: Path, folder: Path) -> None:
    """Extract and check the two data files; remove the archive either way."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for name, sha256 in _MR_FILES:
                _extract_member(tar, name, sha256, folder)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        _remove_mr_files(folder)
        raise OSError(
            f"{archive} is not a valid gzip-compressed tar archive ({exc}); "
            "it has been removed."
        ) from None
    except OSError as exc:
        _remove_mr_files(folder)
        raise OSError(f"{archive}: {exc} The bad files have been removed.") from None
    finally:
        archive.unlink(missing_ok=True)


def _remove_mr_files(folder: Path) -> None:
    for name, _ in _MR_FILES:
        (folder / name).unlink(missing_ok=True)


def _read_lines(path: Path) -> list[str]:
    # Windows-1252 maps 0x85 to "…"; split on "\n" only, since
    # str.splitlines() would also split on characters such as U+2028.
    lines = (line.strip() for line in path.read_bytes().decode("cp1252").split("\n"))
    return [line for line in lines if line]


def fetch_movie_reviews(
    data_home: str | os.PathLike | None = None,
    download_if_missing: bool = True,
    *,
    url: str = MR_URL,
) -> tuple[list[str], np.ndarray]:
    """Load the movie review sentence polarity data set, downloading it once.

    The sentence polarity data set v1.0 of Pang & Lee (2005): 5,331 negative
    and 5,331 positive one-sentence snippets of Rotten Tomatoes reviews,
    lower-cased and tokenised (``"the rock is destined to be the 21st
    century's new \\" conan \\" ..."``). It has no official train/test split;
    papers report 10-fold cross-validation (Kim 2014: 76.1% to 81.5%).

    The archive ``rt-polaritydata.tar.gz`` is downloaded from ``url`` on the
    first call. Its two files ``rt-polaritydata/rt-polarity.neg`` and
    ``rt-polaritydata/rt-polarity.pos`` are extracted into the cache folder
    ``<data_home>/sklearn_rnn/`` and checked against their SHA-256; the
    archive itself is then deleted. Later calls read the cache and do not
    touch the network. Without a network, place the archive (or the
    extracted ``rt-polaritydata`` folder) in the cache folder yourself.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The scikit-learn data folder; the data goes into its ``sklearn_rnn``
        subfolder. ``None`` means :func:`sklearn.datasets.get_data_home`:
        the ``SCIKIT_LEARN_DATA`` environment variable if set, else
        ``~/scikit_learn_data``.

    download_if_missing : bool, default=True
        If False, raise an ``OSError`` when the data is not in the cache
        instead of downloading it.

    url : str, default=MR_URL
        Where to download ``rt-polaritydata.tar.gz`` from, e.g. a mirror or a
        ``file://`` URL. ``MR_URL`` is the original Cornell address
        ``http://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz``.

    Returns
    -------
    texts : list of str
        The 10,662 sentences: the 5,331 negatives first, then the 5,331
        positives, in file order. The files are decoded as Windows-1252 and
        each line is stripped of surrounding whitespace.
    labels : ndarray of shape (10662,)
        0 for negative and 1 for positive sentences.

    Raises
    ------
    OSError
        If the data is not cached and ``download_if_missing`` is False, if
        the download fails, or if the archive is invalid or its files do not
        have the expected SHA-256 (the bad files are then removed).

    See Also
    --------
    load_text_csv : Load your own corpus from a CSV file.

    References
    ----------
    Bo Pang and Lillian Lee. 2005. "Seeing stars: Exploiting class
    relationships for sentiment categorization with respect to rating
    scales." Proceedings of ACL 2005.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_movie_reviews
    >>> texts, labels = fetch_movie_reviews()  # doctest: +SKIP
    >>> len(texts), labels.sum()  # doctest: +SKIP
    (10662, np.int64(5331))
    """
    folder = Path(get_data_home(data_home)) / "sklearn_rnn"
    if not _mr_is_cached(folder):
        archive = folder / _MR_ARCHIVE
        if not archive.is_file():
            if not download_if_missing:
                raise OSError(
                    f"The movie review data is not in {folder} (missing or "
                    "corrupted) and download_if_missing=False. Call with "
                    f"download_if_missing=True, or download {url} and place it "
                    "in that folder."
                )
            folder.mkdir(parents=True, exist_ok=True)
            _download(url, archive)
        _extract_mr(archive, folder)

    texts: list[str] = []
    labels: list[np.ndarray] = []
    for label, (name, _) in enumerate(_MR_FILES):
        lines = _read_lines(folder / name)
        texts.extend(lines)
        labels.append(np.full(len(lines), label, dtype=np.int64))
    return texts, np.concatenate(labels)
