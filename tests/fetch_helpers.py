"""Test helpers for the fetchers: archives built on the fly, and HTTP servers on
127.0.0.1 (no test touches any other address)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import socket
import stat
import tarfile
import threading
import zipfile
from collections.abc import Callable
from http.server import (
    BaseHTTPRequestHandler,
    SimpleHTTPRequestHandler,
    ThreadingHTTPServer,
)
from pathlib import Path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files(folder: Path) -> list[str]:
    """Every path below ``folder``, relative and sorted (hidden files included)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def make_tarball(
    path: Path, members: dict[str, bytes], symlinks=(), compresslevel=1, **kwargs
) -> Path:
    """Write a tar.gz of ``members`` (and symbolic links) to ``path``."""
    with tarfile.open(path, "w:gz", compresslevel=compresslevel, **kwargs) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, link_target in symlinks:
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = link_target
            tar.addfile(info)
    return path


def make_zip(path: Path, members: dict[str, bytes], symlinks=(), **kwargs) -> Path:
    """Write a zip of ``members`` (and symbolic links) to ``path``."""
    with zipfile.ZipFile(path, "w", **kwargs) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, link_target in symlinks:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, link_target)
    return path


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the client hung up on purpose (a refused download)


@contextlib.contextmanager
def http_server(
    folder: Path | None = None,
    respond: Callable[[BaseHTTPRequestHandler], None] | None = None,
):
    """Serve ``folder``, or answer every GET with ``respond(handler)``, on
    127.0.0.1 from a thread; yield the base URL."""
    if respond is None:
        handler = functools.partial(_QuietFiles, directory=str(folder))
    else:

        class handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_GET(self):
                respond(self)

    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url(name: str = "rt-polaritydata.tar.gz") -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"
