"""Read chosen members out of an untrusted tar.gz or zip archive, within bounds.

An archive comes from a server and is checked member by member, so reading it
must be safe whatever it holds. Only the members asked for are read, each
into a temporary file of this call (:mod:`._files`), within these bounds:

- *Metadata read at once.* tarfile reads a pax or GNU long-name header whole,
  in one read of the size its header block declares (1.5 MB of gzip can
  declare a 1 GiB header), and zipfile reads the central directory in one
  read. The stream handed to them (:class:`_Bounded`) refuses, before it
  happens, any single read larger than ``max_header_bytes``. Members are
  copied in blocks of 64 KiB, far below the bound.
- *Members scanned.* A tar archive is read member by member, never loaded
  whole, and only until the wanted members are found; the scan gives up
  after ``max_members``. A zip archive with more entries is refused.
- *Bytes unpacked.* The decompressed tar stream may not run past
  ``max_ratio`` times the archive's size (a gzip bomb); a zip member may not
  declare more than ``max_ratio`` times its compressed size (a zip bomb,
  zipfile then reads no more than declared); no member may have more than
  ``max_member_bytes``, declared or read.

:func:`read_tar_files` reads, within the same bounds, every member whose name
a fetcher's rule accepts (the 100,000 reviews of the IMDb archive), when
naming each member is not possible.
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from ._files import Checksum, TemporaryFile, temporary_file

__all__ = ["extract_members", "read_tar_files"]

_BLOCK = 2**16
#: Unpacked bytes always allowed, so that a tiny archive is not judged by the
#: padding of its blocks.
_RATIO_FLOOR = 2**20
#: What each format is called in errors, and what its readers raise when the
#: archive is broken.
_FORMATS = {
    "tar.gz": (
        "a valid gzip-compressed tar archive",
        (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, RecursionError),
    ),
    "zip": (
        "a valid zip archive",
        (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError),
    ),
}


class _Refused(Exception):
    """A bound was crossed (not an ``OSError``: no reader may take it for a
    broken file and carry on)."""


class _Bounded:
    """A seekable read-only view of ``raw`` that refuses any single read of
    more than ``max_read`` bytes and, given ``ratio``, reading or seeking
    past ``ratio`` times ``packed`` bytes (plus a small floor)."""

    def __init__(self, raw, max_read: int, ratio: float | None = None, packed=0):
        # A member is copied in blocks of _BLOCK bytes, which a reader may
        # ask for in one read: these are always allowed.
        self.raw, self.max_read, self.ratio = raw, max(max_read, _BLOCK), ratio
        self.max_end = None if ratio is None else int(ratio * packed) + _RATIO_FLOOR

    def read(self, size: int | None = -1) -> bytes:
        whole = size is None or size < 0  # the rest of the stream: one piece too
        if not whole and size > self.max_read:
            raise _Refused(self._too_much(f"{size:,}"))
        data = self.raw.read(self.max_read + 1 if whole else size)
        if len(data) > self.max_read:
            raise _Refused(self._too_much(f"more than {self.max_read:,}"))
        self._check_end(self.raw.tell())
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            self._check_end(offset)
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def seekable(self) -> bool:
        return True

    def _too_much(self, size: str) -> str:
        return (
            f"The archive reads {size} bytes of metadata at once (a tar header or "
            f"a zip directory), more than the {self.max_read:,} allowed: refused "
            "as a possible archive bomb."
        )

    def _check_end(self, position: int) -> None:
        if self.max_end is not None and position > self.max_end:
            raise _Refused(
                f"The archive unpacks to more than {self.ratio:g} times its size "
                f"(past {self.max_end:,} bytes): refused as a possible gzip bomb."
            )


@contextlib.contextmanager
def _open_tar(archive: BinaryIO, *, max_header_bytes, max_ratio):
    """The gzip-compressed tar ``archive`` opened for scanning, within bounds."""
    packed = archive.seek(0, 2)
    archive.seek(0)
    with gzip.GzipFile(fileobj=archive, mode="rb") as unpacked:
        stream = _Bounded(unpacked, max_header_bytes, max_ratio, packed)
        with tarfile.open(fileobj=stream, mode="r:") as tar:
            yield tar


def _tar_members(
    archive: BinaryIO, names: list[str], *, max_members, max_header_bytes, max_ratio
) -> Iterator[tuple[str, int, BinaryIO]]:
    """Yield ``(name, size, stream)`` of each wanted member, in archive order;
    each stream must be read before the next member is asked for."""
    missing = dict.fromkeys(names)
    bounds = dict(max_header_bytes=max_header_bytes, max_ratio=max_ratio)
    with _open_tar(archive, **bounds) as tar:
        for scanned in itertools.count():
            if scanned == max_members and missing:
                raise _Refused(
                    f"Stopped: scanned {max_members:,} members of the archive "
                    f"without finding {next(iter(missing))!r}, the most a "
                    "fetcher reads."
                )
            if not missing or (info := tar.next()) is None:
                break
            if info.name in missing:
                del missing[info.name]
                _check_regular(info.name, info.isfile())
                yield info.name, info.size, tar.extractfile(info)
    if missing:
        raise OSError(f"The archive has no member {next(iter(missing))!r}.")


def read_tar_files(
    archive: BinaryIO,
    select: Callable[[str], bool],
    *,
    max_member_bytes: int,
    max_members: int,
    max_header_bytes: int,
    max_ratio: float,
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, data)`` of every member of a tar.gz that ``select(name)``
    accepts, in archive order, reading the whole archive within the bounds
    of the module's docstring.

    Raises
    ------
    OSError
        One sentence: the archive is broken, has more than ``max_members``
        members, a selected member is not a regular file or is too large, or
        a bound was crossed.
    """
    description, broken = _FORMATS["tar.gz"]
    bounds = dict(max_header_bytes=max_header_bytes, max_ratio=max_ratio)
    try:
        with _open_tar(archive, **bounds) as tar:
            for scanned in itertools.count():
                if (info := tar.next()) is None:
                    break
                if scanned == max_members:
                    raise _Refused(
                        f"The archive has more than {max_members:,} members, the "
                        "most a fetcher reads."
                    )
                if not select(info.name):
                    continue
                _check_regular(info.name, info.isfile())
                if info.size > max_member_bytes:
                    raise _too_large(info.name, info.size, max_member_bytes)
                with tar.extractfile(info) as source:
                    blocks = iter(lambda: source.read(_BLOCK), b"")
                    yield info.name, b"".join(blocks)
    except _Refused as exc:
        raise OSError(str(exc)) from None
    except broken as exc:
        raise OSError(f"It is not {description} ({exc}).") from None


def _zip_members(
    archive: BinaryIO, names: list[str], *, max_members, max_header_bytes, max_ratio
) -> Iterator[tuple[str, int, BinaryIO]]:
    """Yield ``(name, size, stream)`` of each wanted member, in the order of
    ``names``."""
    archive.seek(0)
    with zipfile.ZipFile(_Bounded(archive, max_header_bytes)) as opened:
        count = len(opened.infolist())
        if count > max_members:
            raise _Refused(
                f"The archive has {count:,} entries, more than the {max_members:,} "
                "allowed."
            )
        for name in names:
            try:
                info = opened.getinfo(name)
            except KeyError:
                raise OSError(f"The archive has no member {name!r}.") from None
            kind = stat.S_IFMT(info.external_attr >> 16)  # 0: not recorded
            _check_regular(name, not info.is_dir() and kind in (0, stat.S_IFREG))
            if info.file_size > max(max_ratio * info.compress_size, _RATIO_FLOOR):
                raise _Refused(
                    f"The archive member {name!r} unpacks to {info.file_size:,} bytes "
                    f"from {info.compress_size:,}, more than {max_ratio:g} times: "
                    "refused as a possible zip bomb."
                )
            yield name, info.file_size, opened.open(info)


def _check_regular(name: str, is_regular: bool) -> None:
    if not is_regular:
        raise OSError(f"The archive member {name!r} is not a regular file.")


def _too_large(name: str, size: int, max_bytes: int) -> OSError:
    return OSError(
        f"The archive member {name!r} is too large ({size:,} B, at most "
        f"{max_bytes:,} B)."
    )


def _copy(source: BinaryIO, temporary: TemporaryFile, name, checksum, max_bytes):
    """Copy ``source`` into ``temporary``, counting and checking as it goes."""
    digest = None if checksum is None else checksum.new()
    copied = 0
    with source:
        while block := source.read(_BLOCK):
            copied += len(block)
            if copied > max_bytes:
                raise _too_large(name, copied, max_bytes)
            if digest is not None:
                digest.update(block)
            temporary.file.write(block)
    if checksum is not None:
        checksum.check(name, digest)


def extract_members(
    archive: BinaryIO,
    archive_format: str,
    members: Mapping[str, str | None],
    folder: Path,
    stack: contextlib.ExitStack,
    *,
    max_member_bytes: int,
    max_members: int,
    max_header_bytes: int,
    max_ratio: float,
) -> list[tuple[TemporaryFile, Path]]:
    """Extract and check the ``members`` of an open archive.

    Member ``name`` goes to a temporary file beside ``folder / name``,
    registered on ``stack`` (which deletes it unless it is published); the
    path is built from the name the caller gives, never from the archive.

    Parameters
    ----------
    archive : binary file
        The archive, open for reading.
    archive_format : {"tar.gz", "zip"}
        Its format.
    members : mapping of str to str or None
        The members to extract, with their checksums (see
        :class:`._files.Checksum`) or None.
    folder : pathlib.Path
        The cache folder.
    stack : contextlib.ExitStack
        Owns the temporary files.
    max_member_bytes, max_members, max_header_bytes, max_ratio
        The bounds described in the module's docstring.

    Returns
    -------
    extracted : list of (TemporaryFile, pathlib.Path)
        Each member's checked temporary file and its target, to publish.

    Raises
    ------
    OSError
        One sentence: the archive is broken, a member is missing, not a
        regular file, too large or has the wrong checksum, or a bound was
        crossed.
    """
    description, broken = _FORMATS[archive_format]
    read = _tar_members if archive_format == "tar.gz" else _zip_members
    bounds = dict(
        max_members=max_members, max_header_bytes=max_header_bytes, max_ratio=max_ratio
    )
    extracted = []
    try:
        with contextlib.closing(read(archive, list(members), **bounds)) as entries:
            for name, size, source in entries:
                if size > max_member_bytes:
                    source.close()
                    raise _too_large(name, size, max_member_bytes)
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = stack.enter_context(temporary_file(target))
                checksum = None if members[name] is None else Checksum(members[name])
                _copy(source, temporary, name, checksum, max_member_bytes)
                extracted.append((temporary, target))
    except _Refused as exc:
        raise OSError(str(exc)) from None
    except broken as exc:
        raise OSError(f"It is not {description} ({exc}).") from None
    return extracted
