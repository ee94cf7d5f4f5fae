"""Download a URL into an open file, within a size bound and a deadline.

urllib's timeout bounds each wait on the socket, not the download: a server
that sends a byte a second keeps the caller busy forever, and one that never
stops sending fills the disk. :func:`download` stops past a size bound (at
once when the server announces more), stops past an overall deadline, and
says "incomplete download" when the connection closes before the announced
``Content-Length``, instead of leaving a cut archive to be blamed as bad.
A redirect from ``https`` to anything else is refused: the checksum would
still catch a changed file, but nobody should be told the download was
private when it was not.
"""

from __future__ import annotations

import time
import urllib.parse
import urllib.request
from typing import BinaryIO

__all__ = ["download"]

#: The longest wait for one read of the socket, in seconds.
READ_TIMEOUT = 60
_BLOCK = 2**16


class _NoDowngrade(urllib.request.HTTPRedirectHandler):
    """Follow redirects, except from an ``https`` URL to another scheme."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old_scheme = urllib.parse.urlsplit(req.full_url).scheme
        new_scheme = urllib.parse.urlsplit(newurl).scheme
        if old_scheme == "https" and new_scheme != "https":
            raise OSError(
                f"{req.full_url} redirects to {newurl} ({code}), which is not "
                "https; refusing to download over a downgraded connection"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_NoDowngrade())


def download(url: str, file: BinaryIO, *, max_bytes: int, deadline: float) -> int:
    """Write what ``url`` serves to ``file``; return the number of bytes.

    Parameters
    ----------
    url : str
        ``http(s)://`` or ``file://`` URL.
    file : binary file
        Where the bytes go.
    max_bytes : int
        Stop, with an error, rather than read more than this.
    deadline : float
        Stop, with an error, when the download has not finished after this
        many seconds. It is checked after every read, and one read waits at
        most ``min(READ_TIMEOUT, deadline)`` seconds, so the download ends
        within that time after the deadline.

    Returns
    -------
    received : int
        The number of bytes written.

    Raises
    ------
    OSError
        One line saying what happened: too large, too slow, incomplete, a
        redirect away from https, or the error of the connection
        (:class:`http.client.HTTPException` is left to the caller).
    """
    start = time.monotonic()
    with _OPENER.open(url, timeout=min(READ_TIMEOUT, deadline)) as response:
        announced = _content_length(response)
        if announced is not None and announced > max_bytes:
            raise OSError(
                f"the server announces {announced:,} bytes, more than the "
                f"{max_bytes:,} bytes this archive can have; nothing was read"
            )
        # read1 returns what one read of the socket gives: a read never
        # waits for a whole block that a slow server would take hours to send.
        read = getattr(response, "read1", response.read)
        received = 0
        while block := read(min(_BLOCK, max_bytes + 1 - received)):
            received += len(block)
            if received > max_bytes:
                raise OSError(
                    f"the server sends more than the {max_bytes:,} bytes this "
                    "archive can have; the download was stopped"
                )
            file.write(block)
            if time.monotonic() - start > deadline:
                raise OSError(
                    f"not finished after {deadline:g} s ({received} bytes "
                    "received); the download was stopped"
                )
    if announced is not None and received < announced:
        raise OSError(f"incomplete download ({received} of {announced} bytes)")
    return received


def _content_length(response) -> int | None:
    try:
        length = int(response.headers.get("Content-Length", ""))
    except ValueError:
        return None
    return length if length >= 0 else None
