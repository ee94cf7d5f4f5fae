"""Files of the cache folder: checksums, and the temporary files of one call.

A fetcher never writes a cached file in place. It writes a temporary file of
its own beside it (``.<name>.<random>.part``), checks it, and publishes it
with :func:`os.replace`, which is atomic: a concurrent reader sees the old
file or the new one, never half of one. When anything fails, or the user
presses Ctrl-C, only these temporary files are removed, so a failing call
never deletes what a concurrent call has verified. Files are created with
mode ``0o666`` less the umask, as :func:`open` would create them (not the
``0o600`` of :mod:`tempfile`), so a shared data folder stays readable by
whom the umask allows.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["Checksum", "TemporaryFile", "temporary_file", "remove_stale"]

#: Temporary files untouched for this long are leftovers of a killed process.
STALE_SECONDS = 24 * 3600
_NAMES = {"sha256": "SHA-256", "md5": "MD5"}


class Checksum:
    """An expected digest: ``"<hex>"`` (SHA-256) or ``"md5:<hex>"``.

    MD5 serves only where no SHA-256 of the original file is published.
    """

    def __init__(self, spec: str):
        algorithm, _, expected = spec.rpartition(":")
        self.algorithm = algorithm or "sha256"
        if self.algorithm not in _NAMES:
            raise ValueError(f"Unknown checksum algorithm in {spec!r}.")
        self.expected = expected.lower()

    def new(self):
        """A fresh hash object of this algorithm."""
        return hashlib.new(self.algorithm)

    def check(self, name: str, digest) -> None:
        """Raise ``OSError`` naming ``name`` if ``digest`` is not the expected one."""
        if digest.hexdigest() != self.expected:
            raise OSError(
                f"{name} has {_NAMES[self.algorithm]} {digest.hexdigest()}, expected "
                f"{self.expected}: the download is corrupted or not the original "
                "data set."
            )

    def digest(self, file: BinaryIO):
        """The hash object of what is left to read in ``file``."""
        digest = self.new()
        while block := file.read(2**20):
            digest.update(block)
        return digest

    def matches(self, path: Path) -> bool:
        """Whether the file at ``path`` has the expected digest."""
        with open(path, "rb") as file:
            return self.digest(file).hexdigest() == self.expected


class TemporaryFile:
    """A new file of this call beside ``target``, open for reading and writing."""

    def __init__(self, target: Path):
        for _ in range(100):
            path = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            break
        else:  # pragma: no cover - 100 collisions of 48 random bits
            raise FileExistsError(f"No free temporary name beside {target}.")
        self.path = path
        self.file = os.fdopen(fd, "w+b")
        self.published = False

    def publish(self, target: Path) -> None:
        """Close the file, flushed to disk, and move it to ``target`` atomically."""
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.path, target)
        self.published = True

    def discard(self) -> None:
        """Close and delete the file, unless it was published."""
        self.file.close()
        if not self.published:
            self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def temporary_file(target: Path) -> Iterator[TemporaryFile]:
    """Yield a :class:`TemporaryFile` beside ``target``; delete it on leaving
    the block (on error or Ctrl-C too) unless it was published."""
    temporary = TemporaryFile(target)
    try:
        yield temporary
    finally:
        temporary.discard()


def remove_stale(target: Path, seconds: float = STALE_SECONDS) -> None:
    """Delete temporary files of ``target`` untouched for ``seconds``: what a
    killed process (``kill -9``, a power cut) left. A live call writes to its
    files, or finishes with them, well within that time."""
    limit = time.time() - seconds
    for path in target.parent.glob(f".{glob.escape(target.name)}.*.part"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()
