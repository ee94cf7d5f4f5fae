"""The movie review sentence polarity data set (Pang & Lee, 2005)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._fetch import Limits, fetch_archive

__all__ = ["fetch_movie_reviews", "MR_URL"]

MR_URL = (
    "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"
)
#: Members of the archive, negatives first, with the SHA-256 of their bytes
#: (each is about 0.6 MiB).
_MR_FILES = {
    "rt-polaritydata/rt-polarity.neg": (
        "4ace77d558c3714723843f1d65b60c01e3417b208180f0728808d76ad0eeeaca"
    ),
    "rt-polaritydata/rt-polarity.pos": (
        "2da124ec187a9d5a29c9f04e91c540e02baed5af8868f550a26bd6fd4dbf8bf0"
    ),
}
#: The archive is about 0.5 MB and its two files 612,256 and 626,139 bytes:
#: 2 MiB and 1 MiB leave room for a mirror that packs them differently.
_MR_LIMITS = Limits(archive_bytes=2 * 2**20, member_bytes=2**20)


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
        ``https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz``.
        The files are checked by their SHA-256 whatever the source.

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
        If the data is not cached and ``download_if_missing`` is False; if
        the download fails, is cut short, goes past 2 MiB or past its
        deadline (about 5 minutes); or if the archive is invalid, crosses a
        bound against archive bombs, or its files do not have the expected
        SHA-256. Nothing of the failed call is kept; an archive placed in
        the cache folder by hand is left in place.

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
    folder = fetch_archive(
        url,
        "rt-polaritydata.tar.gz",
        _MR_FILES,
        data_home=data_home,
        download_if_missing=download_if_missing,
        limits=_MR_LIMITS,
        what="the movie review data",
    )
    texts: list[str] = []
    labels: list[np.ndarray] = []
    for label, name in enumerate(_MR_FILES):
        lines = _read_lines(folder / name)
        texts.extend(lines)
        labels.append(np.full(len(lines), label, dtype=np.int64))
    return texts, np.concatenate(labels)
