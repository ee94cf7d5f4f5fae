"""Download, cache, check and extract a data archive: one helper for every
fetcher.

:func:`fetch_archive` makes sure that chosen members of a ``tar.gz`` or
``zip`` archive sit, checked against their checksums, in the cache folder
``<data_home>/sklearn_rnn/``, downloading the archive on the first call.
Later calls read the cache and do not touch the network. Output paths are
built from the member names the caller gives, never from the archive, so a
crafted archive cannot write outside the cache folder. :func:`fetch_file`
does the same for a file served as it is, and a fetcher with its own way of
reading an archive (:mod:`._imdb`) passes it to :func:`_fetch`, the common
part.

Each fetcher states the :class:`Limits` of its archive: how large the
download may be and how long it may take (:mod:`._download`), and how far
the archive is read (:mod:`._archive`). Every file is written as a temporary
file of the call and published atomically once checked (:mod:`._files`): a
failure, a Ctrl-C or a concurrent call never leaves a half-written or
unchecked file in the cache, and never removes another call's files.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import BinaryIO

from sklearn.datasets import get_data_home

from ._archive import extract_members
from ._download import download
from ._files import Checksum, TemporaryFile, remove_stale, temporary_file

__all__ = ["Limits", "fetch_archive", "fetch_file"]

_FORMATS = ("tar.gz", "zip")
#: The slowest average rate the default deadline allows (bytes per second).
_SLOWEST_RATE = 100 * 1024


@dataclass(frozen=True)
class Limits:
    """How far :func:`fetch_archive` goes with an untrusted download and archive.

    Parameters
    ----------
    archive_bytes : int
        The most bytes the archive may have: its known size with a margin.
        A download is stopped as soon as it goes past it.
    member_bytes : int, default=16 MiB
        The most bytes of one extracted member.
    members : int, default=10_000
        The most members of a tar archive scanned for the wanted ones, and
        the most entries of a zip archive.
    header_bytes : int, default=1 MiB
        The most metadata read in one piece: a pax or GNU long-name header
        of a tar archive, the central directory of a zip archive.
    ratio : float, default=100
        The most unpacked bytes per archive byte: for the whole decompressed
        stream of a tar archive, for each zip member.
    seconds : float or None, default=None
        The most seconds the download may take. None: 5 minutes, plus one
        second per 100 KiB of ``archive_bytes``.
    """

    archive_bytes: int
    member_bytes: int = 16 * 2**20
    members: int = 10_000
    header_bytes: int = 2**20
    ratio: float = 100.0
    seconds: float | None = None

    @property
    def reading(self) -> dict:
        """The bounds on reading the archive, as :mod:`._archive` takes them."""
        return dict(
            max_member_bytes=self.member_bytes,
            max_members=self.members,
            max_header_bytes=self.header_bytes,
            max_ratio=self.ratio,
        )

    @property
    def deadline(self) -> float:
        """The most seconds the download may take."""
        if self.seconds is not None:
            return self.seconds
        return 300 + self.archive_bytes / _SLOWEST_RATE


def fetch_archive(
    url: str,
    archive_name: str,
    members: Mapping[str, str | None],
    *,
    limits: Limits,
    data_home: str | os.PathLike | None = None,
    download_if_missing: bool = True,
    archive_sha256: str | None = None,
    archive_format: str | None = None,
    keep_archive: bool = False,
    what: str = "the data",
) -> Path:
    """Make sure the ``members`` of an archive are in the cache; return its folder.

    The cache folder is ``<data_home>/sklearn_rnn``; member ``name`` is
    extracted to ``folder / name``. When every member is there (with the
    expected checksum), nothing else happens. Otherwise the archive is read
    from ``folder / archive_name`` if it was placed there by hand, else
    downloaded from ``url`` into a temporary file; its SHA-256 is checked,
    the members are extracted into temporary files and checked, and then
    all are moved into place. A downloaded archive is deleted unless
    ``keep_archive``; one placed by hand is deleted after use unless
    ``keep_archive``, and left alone when it is bad.

    Parameters
    ----------
    url : str
        Where to download the archive from (``http(s)://`` or ``file://``).
    archive_name : str
        File name of the archive in the cache folder.
    members : mapping of str to str or None
        The members to extract, by their path inside the archive, with the
        checksum of their bytes: the SHA-256 as hex, ``"md5:<hex>"`` where
        only an MD5 is published, or None (not checked).
    limits : Limits
        The bounds of this archive: its size, the download's duration, what
        is read of it.
    data_home : str or path-like, default=None
        The scikit-learn data folder (:func:`sklearn.datasets.get_data_home`).
    download_if_missing : bool, default=True
        If False, raise an ``OSError`` instead of downloading.
    archive_sha256 : str or None, default=None
        Checksum of the archive itself, checked before extracting: the
        SHA-256 as hex, or ``"md5:<hex>"`` where only an MD5 is published.
    archive_format : {"tar.gz", "zip"} or None, default=None
        None reads it from ``archive_name``'s extension.
    keep_archive : bool, default=False
        Keep the archive after extracting (to extract other members later).
    what : str, default="the data"
        Names the data set in error messages ("the movie review data").

    Returns
    -------
    folder : pathlib.Path
        The cache folder holding the members.

    Raises
    ------
    OSError
        If the members are not cached and ``download_if_missing`` is False,
        if the download fails or crosses a bound of ``limits``, or if the
        archive is invalid, crosses a bound or a checksum does not match.
        The temporary files of the call are then removed.
    """
    if archive_format is None:
        archive_format = "zip" if archive_name.endswith(".zip") else "tar.gz"
    if archive_format not in _FORMATS:
        raise ValueError(f"Unknown archive format {archive_format!r}.")

    def extract(archive, folder, stack):
        return extract_members(
            archive, archive_format, members, folder, stack, **limits.reading
        )

    return _fetch(
        url,
        archive_name,
        list(members),
        cached=lambda folder: _is_cached(folder, members),
        extract=extract,
        limits=limits,
        data_home=data_home,
        download_if_missing=download_if_missing,
        archive_checksum=archive_sha256,
        keep_archive=keep_archive,
        what=what,
    )


def fetch_file(
    url: str,
    name: str,
    checksum: str,
    *,
    limits: Limits,
    data_home: str | os.PathLike | None = None,
    download_if_missing: bool = True,
    what: str = "the data",
) -> Path:
    """Make sure the file ``name``, with its checksum, is in the cache; return
    its path.

    The same as :func:`fetch_archive` for a file served as it is, not packed
    in an archive: it is downloaded into a temporary file, checked against
    ``limits.archive_bytes`` and ``checksum`` (the SHA-256 as hex, or
    ``"md5:<hex>"``), and moved into place. A file of that name that does not
    have the checksum (placed by hand, or damaged) is left in place with an
    error saying so.
    """
    folder = _fetch(
        url,
        name,
        [],
        cached=lambda folder: _is_cached(folder, {name: checksum}),
        extract=lambda archive, folder, stack: [],
        limits=limits,
        data_home=data_home,
        download_if_missing=download_if_missing,
        archive_checksum=checksum,
        keep_archive=True,
        what=what,
    )
    return folder / name


#: Extracts the outputs of an open, checked archive into temporary files of
#: the call (registered on the stack); returns them with their targets.
Extract = Callable[
    [BinaryIO, Path, contextlib.ExitStack], list[tuple[TemporaryFile, Path]]
]


def _fetch(
    url: str,
    archive_name: str,
    outputs: list[str],
    *,
    cached: Callable[[Path], bool],
    extract: Extract,
    limits: Limits,
    data_home,
    download_if_missing: bool,
    archive_checksum: str | None,
    keep_archive: bool,
    what: str,
) -> Path:
    """What every fetcher does: unless ``cached(folder)``, read the archive
    placed in the cache folder or download it, check its size and checksum,
    ``extract`` the ``outputs`` (paths in the folder) and publish them."""
    folder = Path(get_data_home(data_home)) / "sklearn_rnn"
    if cached(folder):
        return folder
    placed = folder / archive_name
    for name in [archive_name, *outputs]:
        remove_stale(folder / name)  # what a killed call left
    listed = " and ".join(outputs)
    held = f", or the file(s) {listed} it holds," if outputs else ""
    its = f" (or its file(s) {listed})" if outputs else ""
    with contextlib.ExitStack() as stack:
        try:
            archive = stack.enter_context(open(placed, "rb"))
            downloaded = None
        except FileNotFoundError:
            if not download_if_missing:
                raise OSError(
                    f"{folder} does not hold {what} (missing or corrupted), and "
                    "download_if_missing=False. Call with "
                    f"download_if_missing=True, or put {archive_name} (from {url})"
                    f"{held} in that folder."
                ) from None
            folder.mkdir(parents=True, exist_ok=True)
            downloaded = stack.enter_context(temporary_file(placed))
            archive = downloaded.file
            try:
                download(
                    url,
                    archive,
                    max_bytes=limits.archive_bytes,
                    deadline=limits.deadline,
                )
            except (OSError, HTTPException) as exc:
                raise OSError(
                    f"Could not download {what} from {url} ({exc}). You can also "
                    f"download {archive_name} yourself and place it{its} in {folder}."
                ) from None
        try:
            _check(archive, archive_name, limits, archive_checksum)
            extracted = extract(archive, folder, stack)
        except OSError as exc:
            if downloaded is not None:
                outcome = "Nothing was kept."
                source = f"{archive_name} downloaded from {url}"
            else:
                outcome = (
                    "It was left in place: delete it, or replace it with the "
                    "original, and call again."
                )
                source = str(placed)
            raise OSError(f"{source}: {exc} {outcome}") from None
        for temporary, target in extracted:
            temporary.publish(target)
        if downloaded is not None and keep_archive:
            downloaded.publish(placed)
        elif downloaded is None and not keep_archive:
            placed.unlink(missing_ok=True)
    return folder


def _check(archive: BinaryIO, archive_name: str, limits, checksum) -> None:
    """Check the archive's size and checksum."""
    size = archive.seek(0, 2)
    if size > limits.archive_bytes:
        raise OSError(
            f"It has {size:,} bytes, more than the {limits.archive_bytes:,} this "
            "archive can have."
        )
    if checksum is not None:
        expected = Checksum(checksum)
        archive.seek(0)
        expected.check(archive_name, expected.digest(archive))


def _is_cached(folder: Path, members: Mapping[str, str | None]) -> bool:
    return all(
        (folder / name).is_file()
        and (spec is None or Checksum(spec).matches(folder / name))
        for name, spec in members.items()
    )
