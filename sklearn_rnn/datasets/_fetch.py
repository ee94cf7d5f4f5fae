"""Download, cache, check and extract a data archive: one helper for every
fetcher.

:func:`fetch_archive` makes sure that chosen members of a ``tar.gz`` or
``zip`` archive sit, checked against their SHA-256, in the cache folder
``<data_home>/sklearn_rnn/``, downloading the archive on the first call.
Later calls read the cache and do not touch the network. Output paths are
built from the member names the caller gives, never from the archive, so a
crafted archive cannot write outside the cache folder.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import shutil
import stat
import tarfile
import tempfile
import urllib.request
import zipfile
import zlib
from collections.abc import Mapping
from http.client import HTTPException
from pathlib import Path

from sklearn.datasets import get_data_home

__all__ = ["fetch_archive"]

_DOWNLOAD_TIMEOUT = 60  # seconds
#: How each archive format is opened, and what it raises when it is broken.
_FORMATS = {
    "tar.gz": (
        "a valid gzip-compressed tar archive",
        (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile),
    ),
    "zip": ("a valid zip archive", (zipfile.BadZipFile, EOFError, zlib.error)),
}


def fetch_archive(
    url: str,
    archive_name: str,
    members: Mapping[str, str | None],
    *,
    data_home: str | os.PathLike | None = None,
    download_if_missing: bool = True,
    archive_sha256: str | None = None,
    archive_format: str | None = None,
    keep_archive: bool = False,
    max_member_bytes: int = 16 * 2**20,
    what: str = "the data",
) -> Path:
    """Make sure the ``members`` of an archive are in the cache; return its folder.

    The cache folder is ``<data_home>/sklearn_rnn``; member ``name`` is
    extracted to ``folder / name``. When every member is there (with the
    expected SHA-256), nothing else happens. Otherwise the archive is taken
    from ``folder / archive_name`` if it was placed there by hand, else
    downloaded from ``url`` to a temporary file that is renamed when
    complete; its SHA-256 is checked, the members are extracted and checked,
    and the archive is deleted unless ``keep_archive``.

    Parameters
    ----------
    url : str
        Where to download the archive from (``http(s)://`` or ``file://``).
    archive_name : str
        File name of the archive in the cache folder.
    members : mapping of str to str or None
        The members to extract, by their path inside the archive, with the
        SHA-256 of their bytes (None: not checked).
    data_home : str or path-like, default=None
        The scikit-learn data folder (:func:`sklearn.datasets.get_data_home`).
    download_if_missing : bool, default=True
        If False, raise an ``OSError`` instead of downloading.
    archive_sha256 : str or None, default=None
        SHA-256 of the archive itself, checked before extracting.
    archive_format : {"tar.gz", "zip"} or None, default=None
        None reads it from ``archive_name``'s extension.
    keep_archive : bool, default=False
        Keep the archive after extracting (to extract other members later).
    max_member_bytes : int, default=16 MiB
        Refuse to extract a larger member.
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
        if the download fails, or if the archive is invalid or a checksum
        does not match (the bad files are then removed).
    """
    if archive_format is None:
        archive_format = "zip" if archive_name.endswith(".zip") else "tar.gz"
    if archive_format not in _FORMATS:
        raise ValueError(f"Unknown archive format {archive_format!r}.")
    folder = Path(get_data_home(data_home)) / "sklearn_rnn"
    if _is_cached(folder, members):
        return folder
    archive = folder / archive_name
    if not archive.is_file():
        if not download_if_missing:
            what = what[0].upper() + what[1:]
            raise OSError(
                f"{what} is not in {folder} (missing or corrupted) and "
                "download_if_missing=False. Call with download_if_missing=True, "
                f"or download {url} and place it in that folder."
            )
        folder.mkdir(parents=True, exist_ok=True)
        try:
            _download(url, archive)
        except (OSError, HTTPException) as exc:
            listed = " and ".join(members)
            raise OSError(
                f"Could not download {what} from {url} ({exc}). Without a network, "
                f"download {archive_name} elsewhere and place it (or its files "
                f"{listed}) in {folder}."
            ) from None
    try:
        if archive_sha256 is not None:
            actual = _sha256(archive)
            if actual != archive_sha256:
                archive.unlink()
                raise _wrong_sha256(archive_name, actual, archive_sha256)
        _extract(archive, archive_format, members, folder, max_member_bytes)
    finally:
        if not keep_archive:
            archive.unlink(missing_ok=True)
    return folder


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def _wrong_sha256(name: str, actual: str, expected: str) -> OSError:
    return OSError(
        f"{name} has SHA-256 {actual}, expected {expected}: the download is "
        "corrupted or not the original data set."
    )


def _is_cached(folder: Path, members: Mapping[str, str | None]) -> bool:
    return all(
        (folder / name).is_file()
        and (sha256 is None or _sha256(folder / name) == sha256)
        for name, sha256 in members.items()
    )


@contextlib.contextmanager
def _write_atomically(target: Path):
    """Yield a temporary file beside ``target``; rename it to ``target`` when
    the block ends without error, delete it otherwise."""
    with tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    ) as tmp:
        tmp_path = Path(tmp.name)
        try:
            yield tmp
        except BaseException:
            tmp.close()
            tmp_path.unlink(missing_ok=True)
            raise
    os.replace(tmp_path, target)


def _download(url: str, target: Path) -> None:
    """Download ``url`` to a temporary file, then move it to ``target``."""
    with (
        _write_atomically(target) as tmp,
        urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT) as response,
    ):
        shutil.copyfileobj(response, tmp)


@contextlib.contextmanager
def _open_archive(path: Path, archive_format: str):
    """Yield ``member(name) -> (size, binary stream)`` over the archive."""
    if archive_format == "tar.gz":
        with tarfile.open(path, "r:gz") as tar:

            def member(name: str):
                try:
                    info = tar.getmember(name)
                except KeyError:
                    raise OSError(f"The archive has no member {name!r}.") from None
                if not info.isfile():
                    raise OSError(f"The archive member {name!r} is not a regular file.")
                return info.size, tar.extractfile(info)

            yield member
    else:
        with zipfile.ZipFile(path) as archive:

            def member(name: str):
                try:
                    info = archive.getinfo(name)
                except KeyError:
                    raise OSError(f"The archive has no member {name!r}.") from None
                kind = stat.S_IFMT(info.external_attr >> 16)  # 0: not recorded
                if info.is_dir() or kind not in (0, stat.S_IFREG):
                    raise OSError(f"The archive member {name!r} is not a regular file.")
                return info.file_size, archive.open(info)

            yield member


def _extract(archive, archive_format, members, folder, max_member_bytes) -> None:
    """Extract and check the members; on failure remove them and the archive."""
    description, broken = _FORMATS[archive_format]
    try:
        with _open_archive(archive, archive_format) as member:
            for name, sha256 in members.items():
                size, source = member(name)
                if size > max_member_bytes:
                    raise OSError(
                        f"The archive member {name!r} is too large ({size} B)."
                    )
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with source, _write_atomically(target) as tmp:
                    while block := source.read(2**20):
                        digest.update(block)
                        tmp.write(block)
                    if sha256 is not None and digest.hexdigest() != sha256:
                        raise _wrong_sha256(name, digest.hexdigest(), sha256)
    except broken as exc:
        _remove(folder, members)
        archive.unlink(missing_ok=True)
        raise OSError(
            f"{archive} is not {description} ({exc}); it has been removed."
        ) from None
    except OSError as exc:
        _remove(folder, members)
        archive.unlink(missing_ok=True)
        raise OSError(f"{archive}: {exc} The bad files have been removed.") from None


def _remove(folder: Path, members) -> None:
    for name in members:
        (folder / name).unlink(missing_ok=True)
