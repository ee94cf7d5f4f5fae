"""Tests for the download helper every fetcher shares (``fetch_archive``): what
it extracts and checks, and the bounds it keeps against hostile servers and
archives. No test touches the network: the servers run on 127.0.0.1."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import signal
import stat
import tarfile
import threading
import time
import urllib.request
import zipfile

import pytest
from fetch_helpers import (
    closed_port_url,
    files,
    http_server,
    make_tarball,
    make_zip,
    sha256,
)

from sklearn_rnn.datasets import MR_URL, _download, _fetch
from sklearn_rnn.datasets._download import download
from sklearn_rnn.datasets._fetch import fetch_archive

ZIP_MEMBERS = {"vectors/small.txt": b"the 0.1 0.2\n", "vectors/large.txt": b"x" * 64}
TAR_MEMBERS = {"data/a.txt": b"alpha\n", "data/b.txt": b"beta\n"}
TAR_WANTED = {name: sha256(data) for name, data in TAR_MEMBERS.items()}


def limits(**bounds) -> _fetch.Limits:
    """The bounds of a small test archive: at most 1 MiB unless said otherwise."""
    return _fetch.Limits(**{"archive_bytes": 2**20, **bounds})


def fetch(url, home, name="data.tar.gz", members=None, **kwargs):
    """``fetch_archive`` of the test tarball's two members into ``home``."""
    kwargs.setdefault("limits", limits())
    members = TAR_WANTED if members is None else members
    return fetch_archive(url, name, members, data_home=home, **kwargs)


def respond_with(chunks, length=None, pause=0.0):
    """An HTTP answer: status 200, an optional Content-Length, then ``chunks``
    (an iterable of bytes), ``pause`` seconds apart."""

    def respond(handler):
        handler.send_response(200)
        if length is not None:
            handler.send_header("Content-Length", str(length))
        handler.end_headers()
        for chunk in chunks:
            handler.wfile.write(chunk)
            time.sleep(pause)

    return respond


def test_fetch_archive_zip_checks_and_keeps_the_archive(tmp_path):
    archive = make_zip(tmp_path / "vectors.zip", ZIP_MEMBERS)
    params = dict(
        data_home=tmp_path / "home",
        archive_sha256=sha256(archive.read_bytes()),
        limits=limits(),
    )
    small = {"vectors/small.txt": sha256(ZIP_MEMBERS["vectors/small.txt"])}
    folder = fetch_archive(
        archive.as_uri(), "vectors.zip", small, keep_archive=True, **params
    )
    assert folder == tmp_path / "home" / "sklearn_rnn"
    assert (folder / "vectors" / "small.txt").read_bytes() == b"the 0.1 0.2\n"
    assert files(folder) == ["vectors", "vectors.zip", "vectors/small.txt"]
    # Another member comes from the kept archive, without the network; the
    # archive is deleted this time.
    large = {"vectors/large.txt": None}
    assert fetch_archive(closed_port_url(), "vectors.zip", large, **params) == folder
    assert files(folder) == ["vectors", "vectors/large.txt", "vectors/small.txt"]
    # Cached members are read without the network or the archive.
    fetch_archive(closed_port_url(), "vectors.zip", {**small, **large}, **params)


def test_fetch_archive_checks_md5_where_no_sha256_is_known(tmp_path):
    archive = make_zip(tmp_path / "vectors.zip", ZIP_MEMBERS)
    data = ZIP_MEMBERS["vectors/small.txt"]
    good = {"vectors/small.txt": "md5:" + hashlib.md5(data).hexdigest()}
    folder = fetch(archive.as_uri(), tmp_path / "home", "vectors.zip", good)
    assert (folder / "vectors" / "small.txt").read_bytes() == data
    bad = {"vectors/large.txt": "md5:" + "0" * 32}
    with pytest.raises(OSError, match="large.txt has MD5 [0-9a-f]{32}, expected 0000"):
        fetch(archive.as_uri(), tmp_path / "home", "vectors.zip", bad)


@pytest.mark.parametrize(
    "kind, match",
    [
        ("archive checksum", "vectors.zip has SHA-256 .* expected 0000"),
        ("member checksum", "small.txt has SHA-256 .* expected 0000"),
        ("garbage", "is not a valid zip archive"),
        ("symlink", "is not a regular file"),
        ("too large", r"'vectors/large.txt' is too large \(64 B"),
    ],
)
def test_fetch_archive_zip_errors_remove_the_bad_files(tmp_path, kind, match):
    archive = tmp_path / "vectors.zip"
    members = {name: None for name in ZIP_MEMBERS}
    params = {}
    if kind == "garbage":
        archive.write_bytes(b"not a zip file")
    elif kind == "symlink":
        make_zip(archive, {}, symlinks=[("vectors/small.txt", "../../outside")])
    else:
        make_zip(archive, ZIP_MEMBERS)
    if kind == "archive checksum":
        params["archive_sha256"] = "0" * 64
    elif kind == "member checksum":
        members["vectors/small.txt"] = "0" * 64
    elif kind == "too large":
        params["limits"] = limits(member_bytes=63)
    with pytest.raises(OSError, match=match) as info:
        fetch(archive.as_uri(), tmp_path, "vectors.zip", members, **params)
    assert "\n" not in str(info.value)
    assert [f for f in files(tmp_path / "sklearn_rnn") if f != "vectors"] == []


def test_a_bad_archive_placed_by_hand_is_left_in_place(tmp_path):
    # Not this call's file: the error says what to do with it.
    cache = tmp_path / "sklearn_rnn"
    cache.mkdir()
    (cache / "data.tar.gz").write_bytes(b"not a tarball")
    match = "data.tar.gz.* is not a valid gzip-compressed tar archive.* delete it"
    with pytest.raises(OSError, match=match):
        fetch(closed_port_url(), tmp_path)
    assert files(cache) == ["data.tar.gz"]


# -- 13: a bound on the size of the download ------------------------------------


def test_download_stops_past_the_size_bound(tmp_path):
    # 8 MiB stand for an endless stream: the bound is 1 MiB.
    respond = respond_with([bytes(2**16)] * 128)
    with http_server(respond=respond) as base_url:
        match = r"more than the 1,048,576 bytes .* stopped"
        with pytest.raises(OSError, match=match) as info:
            fetch(f"{base_url}/data.tar.gz", tmp_path)
    assert "Could not download the data from http://127.0.0.1" in str(info.value)
    assert files(tmp_path / "sklearn_rnn") == []


def test_redirects_are_followed_but_never_away_from_https():
    def respond(handler):
        if handler.path == "/old":
            handler.send_response(302)
            handler.send_header("Location", "/new")
            handler.end_headers()
            return
        respond_with([b"payload"], length=7)(handler)

    with http_server(respond=respond) as base_url:
        out = io.BytesIO()
        assert download(f"{base_url}/old", out, max_bytes=100, deadline=10) == 7
    assert out.getvalue() == b"payload"

    handler = _download._NoDowngrade()
    request = urllib.request.Request("https://example.org/glove.6B.zip")
    same = handler.redirect_request(
        request, None, 302, "Found", {}, "https://mirror.example.org/glove.6B.zip"
    )
    assert same.full_url == "https://mirror.example.org/glove.6B.zip"
    with pytest.raises(OSError, match=r"redirects to http://example.org/.* not https"):
        handler.redirect_request(
            request, None, 302, "Found", {}, "http://example.org/glove.6B.zip"
        )


def test_download_refuses_an_announced_size_past_the_bound(tmp_path):
    respond = respond_with([bytes(2**16)], length=2**31)
    with http_server(respond=respond) as base_url:
        match = r"announces 2,147,483,648 bytes, more than the 1,048,576"
        with pytest.raises(OSError, match=match):
            fetch(f"{base_url}/data.tar.gz", tmp_path)
    assert files(tmp_path / "sklearn_rnn") == []


# -- 14: archive bombs ----------------------------------------------------------


@pytest.mark.parametrize("header", ["pax", "GNU long name"])
def test_tar_header_past_the_bound_is_refused_before_it_is_read(tmp_path, header):
    # tarfile reads such a header whole, in one piece: a small archive can
    # declare one of a gigabyte. 2 MiB stand for it here (the bound: 1 MiB).
    archive = tmp_path / "bomb.tar.gz"
    pax = header == "pax"
    with tarfile.open(
        archive, "w:gz", format=tarfile.PAX_FORMAT if pax else tarfile.GNU_FORMAT
    ) as tar:
        info = tarfile.TarInfo("padding" if pax else "x" * 2**21)
        if pax:
            info.pax_headers = {"comment": "x" * 2**21}
        tar.addfile(info, io.BytesIO(b""))
        for name, data in TAR_MEMBERS.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    match = r"reads 2,09\d,\d{3} bytes of metadata at once.* more than the 1,048,576"
    with pytest.raises(OSError, match=match):
        fetch(archive.as_uri(), tmp_path / "home")
    assert files(tmp_path / "home" / "sklearn_rnn") == []


def test_tar_scan_stops_past_the_bound_on_members(tmp_path):
    junk = {f"junk/{i}": b"" for i in range(3000)}
    archive = make_tarball(tmp_path / "many.tar.gz", {**junk, **TAR_MEMBERS})
    match = "scanned 1,000 members of the archive without finding 'data/a.txt'"
    with pytest.raises(OSError, match=match):
        fetch(archive.as_uri(), tmp_path / "home", limits=limits(members=1000))


def test_tar_is_read_only_as_far_as_the_wanted_members(tmp_path):
    # The wanted members come first; the stream is cut short inside the next
    # member, which a reader that stops once it has what it wants never sees.
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode="w") as tar:
        for name, data in {**TAR_MEMBERS, "data/later.bin": os.urandom(2**18)}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    archive = tmp_path / "cut.tar.gz"
    archive.write_bytes(gzip.compress(plain.getvalue())[: 2**17])
    folder = fetch(archive.as_uri(), tmp_path / "home")
    assert (folder / "data" / "a.txt").read_bytes() == b"alpha\n"


def test_tar_gzip_bomb_is_stopped_by_the_compression_ratio(tmp_path):
    # 32 MiB of zeros pack into about 32 KB ahead of the wanted members.
    members = {"zeros.bin": bytes(2**25), **TAR_MEMBERS}
    archive = make_tarball(tmp_path / "bomb.tar.gz", members, compresslevel=9)
    assert archive.stat().st_size < 2**16
    match = r"unpacks to more than 100 times its size"
    with pytest.raises(OSError, match=match):
        fetch(archive.as_uri(), tmp_path / "home")


@pytest.mark.parametrize(
    "bound, match",
    [
        ({"header_bytes": 2**16}, r"reads 1\d\d,\d{3} bytes of metadata at once"),
        ({"members": 1000}, "has 3,002 entries, more than the 1,000 allowed"),
    ],
)
def test_zip_directory_past_the_bounds_is_refused(tmp_path, bound, match):
    junk = {f"junk/{i:05d}": b"" for i in range(3000)}
    archive = make_zip(tmp_path / "many.zip", {**junk, **ZIP_MEMBERS})
    members = {name: None for name in ZIP_MEMBERS}
    with pytest.raises(OSError, match=match):
        fetch(archive.as_uri(), tmp_path, "many.zip", members, limits=limits(**bound))


def test_zip_bomb_is_stopped_by_the_compression_ratio(tmp_path):
    bomb = {"vectors/small.txt": bytes(2**23)}
    archive = make_zip(tmp_path / "bomb.zip", bomb, compression=zipfile.ZIP_DEFLATED)
    match = r"'vectors/small.txt' unpacks to 8,388,608 bytes from [\d,]+, more than 100"
    with pytest.raises(OSError, match=match):
        fetch(archive.as_uri(), tmp_path, "bomb.zip", {"vectors/small.txt": None})
    assert files(tmp_path / "sklearn_rnn") == []


# -- 15: cut short, too slow, interrupted, shared, raced --------------------------


def test_download_cut_short_is_reported_as_incomplete(tmp_path):
    data = make_tarball(tmp_path / "data.tar.gz", TAR_MEMBERS).read_bytes()
    half = len(data) // 2
    respond = respond_with([data[:half]], length=len(data))
    with http_server(respond=respond) as base_url:
        match = rf"incomplete download \({half} of {len(data)} bytes\)"
        with pytest.raises(OSError, match=match):
            fetch(f"{base_url}/data.tar.gz", tmp_path / "home")
    assert files(tmp_path / "home" / "sklearn_rnn") == []


def test_download_past_the_deadline_is_stopped(tmp_path):
    # One byte every 50 ms: each read is quick, the download never ends.
    respond = respond_with([b"x"] * 200, length=10_000, pause=0.05)
    with http_server(respond=respond) as base_url:
        start = time.monotonic()
        match = r"not finished after 0.5 s \(\d+ bytes received\)"
        with pytest.raises(OSError, match=match):
            fetch(f"{base_url}/data.tar.gz", tmp_path, limits=limits(seconds=0.5))
        assert time.monotonic() - start < 3
    assert files(tmp_path / "sklearn_rnn") == []


def test_default_deadline_grows_with_the_archive():
    assert limits().deadline == pytest.approx(300 + 2**20 / 102_400)
    assert limits(seconds=2.5).deadline == 2.5


@pytest.fixture
def ctrl_c_raises():
    """SIGINT raises KeyboardInterrupt, as in an interactive session, even
    when pytest was started with SIGINT ignored (a background job of a shell
    without job control), where Python leaves it ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_interrupted_download_leaves_no_partial_file(tmp_path, ctrl_c_raises):
    main_thread = threading.main_thread().ident

    def respond(handler):
        respond_with([bytes(2**16)], length=2**20)(handler)
        time.sleep(0.2)  # the client has written the first block
        signal.pthread_kill(main_thread, signal.SIGINT)  # Ctrl-C
        time.sleep(0.5)

    with http_server(respond=respond) as base_url:
        with pytest.raises(KeyboardInterrupt):
            fetch(f"{base_url}/data.tar.gz", tmp_path)
    assert files(tmp_path / "sklearn_rnn") == []


def test_movie_reviews_url_is_https():
    assert MR_URL.startswith("https://www.cs.cornell.edu/")


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_cached_files_get_the_mode_the_umask_allows(tmp_path, umask):
    archive = make_zip(tmp_path / "vectors.zip", ZIP_MEMBERS)
    members = {name: None for name in ZIP_MEMBERS}
    old = os.umask(umask)
    try:
        folder = fetch(
            archive.as_uri(), tmp_path, "vectors.zip", members, keep_archive=True
        )
    finally:
        os.umask(old)
    for name in ["vectors.zip", *ZIP_MEMBERS]:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o666 & ~umask, name


def test_a_failing_fetch_leaves_files_another_call_verified(tmp_path, monkeypatch):
    members = {name: sha256(data) for name, data in ZIP_MEMBERS.items()}
    good = make_zip(tmp_path / "good.zip", ZIP_MEMBERS)
    bad = make_zip(tmp_path / "bad.zip", {**ZIP_MEMBERS, "vectors/large.txt": b"y"})
    folder = fetch(good.as_uri(), tmp_path / "home", "vectors.zip", members)
    # This call looked at the cache just before the other one published it.
    monkeypatch.setattr(_fetch, "_is_cached", lambda folder, members: False)
    with pytest.raises(OSError, match="large.txt has SHA-256"):
        fetch(bad.as_uri(), tmp_path / "home", "vectors.zip", members)
    for name, data in ZIP_MEMBERS.items():
        assert (folder / name).read_bytes() == data
    assert files(folder) == ["vectors", *sorted(ZIP_MEMBERS)]


def test_leftovers_of_a_killed_call_are_removed_by_a_later_one(tmp_path):
    # kill -9 leaves temporary files that no cleanup ran for; a later call
    # removes those untouched for a day, and leaves a live call's alone.
    cache = tmp_path / "sklearn_rnn"
    (cache / "data").mkdir(parents=True)
    stale = [cache / ".data.tar.gz.0123456789ab.part", cache / "data/.a.txt.0a.part"]
    live = [cache / ".data.tar.gz.ba9876543210.part", cache / "other.part"]
    day_ago = time.time() - 24 * 3600 - 60
    for path in stale + live:
        path.write_bytes(b"x")
        if path in stale or path.name == "other.part":
            os.utime(path, (day_ago, day_ago))
    archive = make_tarball(tmp_path / "data.tar.gz", TAR_MEMBERS)
    fetch(archive.as_uri(), tmp_path)
    assert [path.exists() for path in stale + live] == [False, False, True, True]
