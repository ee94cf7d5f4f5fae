"""The Large Movie Review Dataset (Maas et al., 2011): 50,000 labelled IMDb
reviews and 50,000 unlabelled ones."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from ._archive import read_tar_files
from ._fetch import Limits, _fetch
from ._files import temporary_file

__all__ = ["fetch_imdb", "IMDB_URL"]

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
#: SHA-256 of the archive, as pinned for this URL by Hugging Face's ``imdb``
#: data set, MLDatasets.jl and burn-dataset; its MD5 is
#: 7c2ac02c03563afcf9b574c7e56c153a (PaddlePaddle's reader).
_IMDB_CHECKSUM = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
#: The archive has 84,125,825 bytes; 96 MiB leave a margin of 20%. It holds
#: the 100,000 reviews and a few dozen other members; 1 MiB is far above the
#: longest review.
_IMDB_LIMITS = Limits(archive_bytes=96 * 2**20, member_bytes=2**20, members=110_000)
#: Reviews of each subset in the archive, checked after extracting.
_IMDB_COUNTS = {"train": 25_000, "test": 25_000, "unsup": 50_000}
#: ``aclImdb/<split>/<label>/<id>_<rating>.txt``.
_REVIEW = re.compile(r"(?:\./)?aclImdb/(train|test)/(pos|neg|unsup)/(\d+)_(\d+)\.txt")
_LABELS = {"neg": 0, "pos": 1, "unsup": None}
_SUBSETS = tuple(_IMDB_COUNTS)
#: The cache: one JSON line ``[id, rating, label, text]`` per review, in
#: archive order.
_FOLDER = "aclImdb_v1"


def _subset_of(split: str, label: str) -> str | None:
    if label == "unsup":
        return "unsup" if split == "train" else None
    return split


def _extract(archive, folder: Path, stack) -> list:
    """Write the reviews of the three subsets into temporary cache files."""
    targets = {subset: folder / _FOLDER / f"{subset}.jsonl" for subset in _SUBSETS}
    (folder / _FOLDER).mkdir(parents=True, exist_ok=True)
    outputs = {
        subset: stack.enter_context(temporary_file(target))
        for subset, target in targets.items()
    }
    counts = dict.fromkeys(_SUBSETS, 0)

    def select(name: str) -> bool:
        match = _REVIEW.fullmatch(name)
        return match is not None and _subset_of(*match.group(1, 2)) is not None

    reviews = read_tar_files(archive, select, **_IMDB_LIMITS.reading)
    for name, data in reviews:
        split, label, review_id, rating = _REVIEW.fullmatch(name).groups()
        subset = _subset_of(split, label)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise OSError(f"The review {name!r} is not UTF-8 text ({exc}).") from None
        record = [int(review_id), int(rating), _LABELS[label], text]
        line = json.dumps(record, ensure_ascii=False) + "\n"
        outputs[subset].file.write(line.encode("utf-8"))
        counts[subset] += 1
    for subset, expected in _IMDB_COUNTS.items():
        if counts[subset] != expected:
            raise OSError(
                f"The archive holds {counts[subset]:,} reviews of the {subset!r} "
                f"subset, not the {expected:,} of the data set."
            )
    return [(outputs[subset], targets[subset]) for subset in _SUBSETS]


def _read(path: Path) -> list:
    with open(path, "rb") as file:
        try:
            return [json.loads(line) for line in file]
        except ValueError:
            raise OSError(
                f"{path} is damaged; delete the folder {path.parent} and call "
                "again to extract the reviews anew."
            ) from None


def fetch_imdb(
    subset: str = "train",
    data_home: str | os.PathLike | None = None,
    download_if_missing: bool = True,
    *,
    url: str = IMDB_URL,
) -> tuple[list[str], np.ndarray | None]:
    """Load the Large Movie Review Dataset (IMDb), downloading it once.

    The data set of Maas et al. (2011): 50,000 IMDb movie reviews labelled
    negative (a rating of 4 or less out of 10) or positive (7 or more),
    split into 25,000 for training and 25,000 for testing, half of each
    class, no movie in both; and 50,000 reviews without a label (any rating)
    for unsupervised and semi-supervised learning. Reviews are full texts,
    often several paragraphs, with the site's ``<br />`` line breaks left as
    they are.

    On the first call the archive ``aclImdb_v1.tar.gz`` (80 MiB) is
    downloaded from ``url`` into the cache folder ``<data_home>/sklearn_rnn/``,
    checked against its SHA-256 (as other loaders of this URL pin it), and
    read in one pass: the reviews of all three subsets are written to
    ``aclImdb_v1/{train,test,unsup}.jsonl`` there, and the archive is
    deleted. Later calls read the cache and do not touch the
    network. Without a network, put the archive in the cache folder
    yourself.

    Checks: the download stops past 96 MiB (the archive's size with a
    margin) or after about 21 minutes; the archive is read within bounds
    against archive bombs (at most 110,000 members, 1 MiB a review); each
    subset must hold its 25,000 or 50,000 reviews. Nothing of a failed call
    is kept; every file is written to a temporary file and moved into place
    once all are complete.

    Parameters
    ----------
    subset : {"train", "test", "unsup"}, default="train"
        The labelled training or test reviews, or the unlabelled ones.
    data_home : str or path-like, default=None
        The scikit-learn data folder; the data goes into its ``sklearn_rnn``
        subfolder. ``None`` means :func:`sklearn.datasets.get_data_home`:
        the ``SCIKIT_LEARN_DATA`` environment variable if set, else
        ``~/scikit_learn_data``.
    download_if_missing : bool, default=True
        If False, raise an ``OSError`` when the data is not in the cache
        instead of downloading it.
    url : str, default=IMDB_URL
        Where to download ``aclImdb_v1.tar.gz`` from, e.g. a mirror or a
        ``file://`` URL. ``IMDB_URL`` is the Stanford AI address
        ``https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz``.
        The archive is checked by its SHA-256 whatever the source.

    Returns
    -------
    texts : list of str
        The reviews: for ``"train"`` and ``"test"`` the 12,500 negatives
        first, then the 12,500 positives, each in the order of their ids;
        for ``"unsup"`` the 50,000 reviews in the order of their ids.
    labels : ndarray of shape (25000,), or None
        0 for negative, 1 for positive reviews; None for ``"unsup"``, whose
        reviews have no label.

    Raises
    ------
    ValueError
        If ``subset`` is not one of the three.
    OSError
        If the data is not cached and ``download_if_missing`` is False; if
        the download fails or crosses a bound; or if the archive is invalid,
        does not have the pinned SHA-256, crosses a bound or does not hold
        the reviews of the data set. An archive placed in the cache folder
        by hand is left in place when it is bad.

    See Also
    --------
    fetch_movie_reviews : Sentence-length movie reviews (Pang & Lee).

    References
    ----------
    Andrew L. Maas, Raymond E. Daly, Peter T. Pham, Dan Huang, Andrew Y. Ng
    and Christopher Potts. 2011. "Learning Word Vectors for Sentiment
    Analysis." Proceedings of ACL 2011. Please cite it when you use the
    data.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_imdb
    >>> texts, labels = fetch_imdb("train")  # doctest: +SKIP
    >>> len(texts), labels.sum()  # doctest: +SKIP
    (25000, np.int64(12500))
    >>> unlabelled, none = fetch_imdb("unsup")  # doctest: +SKIP
    >>> len(unlabelled), none  # doctest: +SKIP
    (50000, None)
    """
    if not isinstance(subset, str) or subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {_SUBSETS}; got {subset!r}.")
    outputs = [f"{_FOLDER}/{name}.jsonl" for name in _SUBSETS]
    folder = _fetch(
        url,
        "aclImdb_v1.tar.gz",
        outputs,
        cached=lambda folder: all((folder / name).is_file() for name in outputs),
        extract=_extract,
        limits=_IMDB_LIMITS,
        data_home=data_home,
        download_if_missing=download_if_missing,
        archive_checksum=_IMDB_CHECKSUM,
        keep_archive=False,
        what="the IMDb movie review data",
    )
    records = _read(folder / _FOLDER / f"{subset}.jsonl")
    records.sort(key=lambda r: (-1 if r[2] is None else r[2], r[0], r[1]))
    texts = [record[3] for record in records]
    if subset == "unsup":
        return texts, None
    return texts, np.array([record[2] for record in records], dtype=np.int64)
