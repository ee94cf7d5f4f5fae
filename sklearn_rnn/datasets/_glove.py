"""GloVe 6B pretrained word vectors (Pennington, Socher & Manning, 2014)."""

from __future__ import annotations

import numbers
import os
from pathlib import Path

from ._fetch import Limits, fetch_archive

__all__ = ["fetch_glove", "GLOVE_URL"]

GLOVE_URL = "https://nlp.stanford.edu/data/glove.6B.zip"
#: Checksums of the text files inside ``glove.6B.zip``, pinned rather than the
#: zip's so that a mirror packing the same files differently stays valid. The
#: 50d file's SHA-256 was computed from the original; for the others only the
#: MD5 published in md5 tables of the GloVe files is known.
_GLOVE_FILES = {
    50: "d8f717f8dd4b545cb7f418ef9f3d0c3e6e68a6f48b97d32f8b7aae40cb31f96f",
    100: "md5:dd7f3ad906768166883176d69cc028de",
    200: "md5:49fa83e4a287c42c6921f296a458eb80",
    300: "md5:b78f53fb56ec1ce9edc367d2e6186ba4",
}
#: Sizes of the text files in bytes (the 200d one estimated as twice the
#: 100d one); each may be 25% larger.
_GLOVE_SIZES = {50: 171_350_079, 100: 347_116_733, 200: 694_000_000, 300: 1_037_962_819}
#: glove.6B.zip has 862,182,613 bytes (822 MiB, the Content-Length Stanford
#: serves); 1 GiB leaves a margin of 24%.
_GLOVE_ZIP_LIMIT = 2**30


def fetch_glove(
    dim: int = 50,
    data_home: str | os.PathLike | None = None,
    download_if_missing: bool = True,
    *,
    url: str = GLOVE_URL,
) -> Path:
    """Fetch the GloVe 6B word vectors of one dimension; return the file's path.

    GloVe 6B (Pennington, Socher & Manning, 2014): 400,000 lower-cased words
    with vectors trained on Wikipedia 2014 and Gigaword 5 (6 billion
    tokens), in 50, 100, 200 or 300 dimensions. Each is a text file with no
    header, one ``word v1 ... vdim`` line per word, most frequent first; pass
    its path to :func:`~sklearn_rnn.load_word_vectors`, or to an estimator
    as ``vectors=path``.

    On the first call the official archive ``glove.6B.zip`` (822 MiB,
    holding the four files) is downloaded from ``url`` into the cache folder
    ``<data_home>/sklearn_rnn/``, and ``glove.6B.{dim}d.txt`` is extracted
    beside it and checked. The archive is kept, so that another dimension is
    extracted later without downloading it again; delete it to free 822 MiB
    (the extracted files stay usable). Later calls check the cached file and
    do not touch the network. Without a network, put ``glove.6B.zip``, or
    the extracted ``glove.6B.{dim}d.txt``, in the cache folder yourself.

    Checks: the 50d file is checked by its SHA-256; for the 100d, 200d and
    300d files only an MD5 is published, and they are checked by it (MD5
    catches a corrupted download, not a file crafted to collide). The
    download stops past 1 GiB, the archive's size with a margin, or after
    about three hours (5 minutes plus one second per 100 KiB of that bound);
    the extracted file may not exceed its known size by more than 25%.
    Nothing of a failed call is kept; every file is written to a temporary
    file and moved into place once checked.

    Parameters
    ----------
    dim : {50, 100, 200, 300}, default=50
        The dimension of the vectors.

    data_home : str or path-like, default=None
        The scikit-learn data folder; the files go into its ``sklearn_rnn``
        subfolder. ``None`` means :func:`sklearn.datasets.get_data_home`:
        the ``SCIKIT_LEARN_DATA`` environment variable if set, else
        ``~/scikit_learn_data``.

    download_if_missing : bool, default=True
        If False, raise an ``OSError`` when the file is not in the cache
        instead of downloading the archive.

    url : str, default=GLOVE_URL
        Where to download ``glove.6B.zip`` from, e.g. a mirror or a
        ``file://`` URL. ``GLOVE_URL`` is the Stanford NLP address
        ``https://nlp.stanford.edu/data/glove.6B.zip``. The extracted file
        is checked whatever the source.

    Returns
    -------
    path : pathlib.Path
        The text file ``<data_home>/sklearn_rnn/glove.6B.{dim}d.txt``.

    Raises
    ------
    ValueError
        If ``dim`` is not one of 50, 100, 200 and 300.
    OSError
        If the file is not cached and ``download_if_missing`` is False; if
        the download fails or crosses a bound; or if the archive is invalid
        or the file does not have the published checksum.

    See Also
    --------
    sklearn_rnn.load_word_vectors : Read the file.
    fetch_movie_reviews : A data set to use the vectors on.

    References
    ----------
    Jeffrey Pennington, Richard Socher and Christopher D. Manning. 2014.
    "GloVe: Global Vectors for Word Representation." Proceedings of EMNLP
    2014. The vectors are released under the Public Domain Dedication and
    License (PDDL) 1.0.

    Examples
    --------
    >>> from sklearn_rnn import load_word_vectors
    >>> from sklearn_rnn.datasets import fetch_glove
    >>> path = fetch_glove(50)  # doctest: +SKIP
    >>> path.name  # doctest: +SKIP
    'glove.6B.50d.txt'
    >>> load_word_vectors(path, max_words=10_000).dim  # doctest: +SKIP
    50
    """
    if (
        not isinstance(dim, numbers.Integral)
        or isinstance(dim, bool)
        or int(dim) not in _GLOVE_FILES
    ):
        raise ValueError(f"dim must be one of 50, 100, 200, 300; got {dim!r}.")
    dim = int(dim)
    name = f"glove.6B.{dim}d.txt"
    limits = Limits(
        archive_bytes=_GLOVE_ZIP_LIMIT, member_bytes=_GLOVE_SIZES[dim] * 5 // 4
    )
    folder = fetch_archive(
        url,
        "glove.6B.zip",
        {name: _GLOVE_FILES[dim]},
        data_home=data_home,
        download_if_missing=download_if_missing,
        limits=limits,
        keep_archive=True,
        what=f"the GloVe 6B {dim}d vectors",
    )
    return folder / name
