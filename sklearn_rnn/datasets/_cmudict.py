"""The Carnegie Mellon Pronouncing Dictionary (CMUdict): words and their
ARPAbet pronunciations, for grapheme-to-phoneme conversion."""

from __future__ import annotations

import os
import re

from sklearn.utils import Bunch

from ._fetch import Limits, fetch_file
from ._lines import numbered_lines

__all__ = ["fetch_cmudict", "load_cmudict", "CMUDICT_URL"]

#: The commit of ``cmusphinx/cmudict`` the fetcher pins (2024-12-17).
CMUDICT_COMMIT = "0f8072f814306c5ee4fbf992ed853601b12c01f9"
CMUDICT_URL = (
    f"https://raw.githubusercontent.com/cmusphinx/cmudict/{CMUDICT_COMMIT}/cmudict.dict"
)
_CMUDICT_SHA256 = "81917843c7f44ce2b094ac63873c2c7a4cf802040792c455ba3ca406891c3d22"
#: The file has 3,618,488 bytes; 4 MiB is its size with a margin of 16%.
_CMUDICT_LIMITS = Limits(archive_bytes=4 * 2**20)
#: The longest line of the dictionary has 109 characters.
_MAX_LINE_CHARS = 4096
_VARIANT = re.compile(r"(.+)\((\d+)\)")
_PHONE = re.compile(r"[A-Z]+[0-2]?")


def load_cmudict(path: str | os.PathLike, stress: bool = False) -> Bunch:
    """Read a pronouncing dictionary in the format of CMUdict's ``cmudict.dict``.

    Each line is ``word PH PH ...``: the word, then its ARPAbet phones,
    separated by spaces; vowels carry a stress digit (``AH0``, ``EY1``). A
    further pronunciation of a word is written ``word(2) ...``,
    ``word(3) ...``: it is listed under ``word``. A ``#`` and what follows it
    on the line is a comment and is dropped; empty lines are skipped. The
    file may be gzipped (recognised by its content), as the train and dev
    splits of the shared data are.

    Parameters
    ----------
    path : str or path-like
        The dictionary file, UTF-8.
    stress : bool, default=False
        Keep the stress digits (``AH0``). False removes them (``AH``), as
        published grapheme-to-phoneme results do; two pronunciations of a
        word that differ only in stress then become one.

    Returns
    -------
    data : sklearn.utils.Bunch
        With ``words`` (list of str: each word once, in the order of its
        first line) and ``pronunciations`` (list, one entry per word: the
        list of its distinct pronunciations, in file order, each a list of
        phones). ``data.pronunciations[i][0]`` is the first, main
        pronunciation of ``data.words[i]``.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not an existing file.
    ValueError
        For a line without phones, a phone that is not an upper-case ARPAbet
        symbol with an optional stress digit, text that is not UTF-8, or a
        line longer than 4,096 characters; the message names the line.

    See Also
    --------
    fetch_cmudict : Download the official dictionary once and read it.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn.datasets import load_cmudict
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "tiny.dict"
    ...     _ = path.write_text(
    ...         "read R EH1 D\\nread(2) R IY1 D\\naalen AA1 L AH0 N # place\\n"
    ...     )
    ...     data = load_cmudict(path)
    ...     stressed = load_cmudict(path, stress=True)
    >>> data.words
    ['read', 'aalen']
    >>> data.pronunciations[0]
    [['R', 'EH', 'D'], ['R', 'IY', 'D']]
    >>> stressed.pronunciations[1]
    [['AA1', 'L', 'AH0', 'N']]
    """
    entries: dict[str, list[tuple[str, ...]]] = {}
    with numbered_lines(path, max_chars=_MAX_LINE_CHARS) as lines:
        for line_no, line in lines:
            fields = line.partition("#")[0].split()
            if not fields:
                continue
            word, phones = fields[0], fields[1:]
            if not phones:
                raise ValueError(
                    f"{path}, line {line_no}: expected a word followed by its "
                    f"phones, got {line[:60]!r}."
                )
            for phone in phones:
                if not _PHONE.fullmatch(phone):
                    raise ValueError(
                        f"{path}, line {line_no}: {phone[:20]!r} is not an ARPAbet "
                        "phone (upper-case letters and an optional stress digit "
                        "0, 1 or 2)."
                    )
            if variant := _VARIANT.fullmatch(word):
                word = variant.group(1)
            if not stress:
                phones = [phone.rstrip("012") for phone in phones]
            known = entries.setdefault(word, [])
            pronunciation = tuple(phones)
            if pronunciation not in known:
                known.append(pronunciation)
    return Bunch(
        words=list(entries),
        pronunciations=[[list(p) for p in known] for known in entries.values()],
    )


def fetch_cmudict(
    stress: bool = False,
    data_home: str | os.PathLike | None = None,
    download_if_missing: bool = True,
    *,
    url: str = CMUDICT_URL,
) -> Bunch:
    """Load the Carnegie Mellon Pronouncing Dictionary, downloading it once.

    CMUdict: 126,052 English words (lower-case; some with an apostrophe,
    digits, dots or hyphens, such as ``'bout`` or ``a.``) and their
    pronunciations in ARPAbet (39 phones, vowels with stress 0, 1 or 2),
    135,166 lines in all: the classic data of grapheme-to-phoneme
    conversion, where the spelling is the input and the phones the output.

    On the first call the official ``cmudict.dict`` of the
    ``cmusphinx/cmudict`` repository, at commit
    ``0f8072f814306c5ee4fbf992ed853601b12c01f9`` (2024-12-17), is downloaded
    from ``url`` (3.5 MiB) into the cache folder ``<data_home>/sklearn_rnn/``
    as ``cmudict.dict``, checked against its SHA-256, and moved into place.
    Later calls check the cached file and do not touch the network. Without
    a network, put the file in the cache folder yourself. The download stops
    past 4 MiB or after about 5 minutes; nothing of a failed call is kept.

    It has no official train/test split. The shared data of this project
    (``cmudict_train.dict.gz``, ``cmudict_dev.dict.gz``) holds splits by word
    in the same format: read them with :func:`load_cmudict`.

    Parameters
    ----------
    stress : bool, default=False
        Keep the stress digits of the vowels (see :func:`load_cmudict`).
    data_home : str or path-like, default=None
        The scikit-learn data folder; the file goes into its ``sklearn_rnn``
        subfolder. ``None`` means :func:`sklearn.datasets.get_data_home`:
        the ``SCIKIT_LEARN_DATA`` environment variable if set, else
        ``~/scikit_learn_data``.
    download_if_missing : bool, default=True
        If False, raise an ``OSError`` when the file is not in the cache
        instead of downloading it.
    url : str, default=CMUDICT_URL
        Where to download ``cmudict.dict`` from, e.g. a mirror or a
        ``file://`` URL. ``CMUDICT_URL`` is the raw file of the pinned
        commit on GitHub. The file is checked by its SHA-256 whatever the
        source.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``words`` (126,052 str) and ``pronunciations`` (for each word the
        list of its distinct pronunciations, each a list of phones), as
        :func:`load_cmudict` returns them.

    Raises
    ------
    OSError
        If the file is not cached and ``download_if_missing`` is False; if
        the download fails or crosses a bound; or if the file does not have
        the pinned SHA-256. A file placed in the cache folder by hand that
        does not have it is left in place, with an error saying so.

    See Also
    --------
    load_cmudict : Read a local file in the same format.

    References
    ----------
    The CMU Pronouncing Dictionary, Carnegie Mellon University,
    https://github.com/cmusphinx/cmudict. BSD-style licence: "use of this
    dictionary for any research or commercial purpose is completely
    unrestricted"; please acknowledge its origin.

    Examples
    --------
    >>> from sklearn_rnn.datasets import fetch_cmudict
    >>> data = fetch_cmudict()  # doctest: +SKIP
    >>> len(data.words)  # doctest: +SKIP
    126052
    >>> data.pronunciations[data.words.index("tomato")]  # doctest: +SKIP
    [['T', 'AH', 'M', 'EY', 'T', 'OW'], ['T', 'AH', 'M', 'AA', 'T', 'OW']]
    """
    path = fetch_file(
        url,
        "cmudict.dict",
        _CMUDICT_SHA256,
        limits=_CMUDICT_LIMITS,
        data_home=data_home,
        download_if_missing=download_if_missing,
        what="the CMU Pronouncing Dictionary",
    )
    return load_cmudict(path, stress=stress)
