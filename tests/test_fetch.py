"""Tests for the download helper every fetcher shares (``fetch_archive``).
No test touches the network."""

from __future__ import annotations

import pytest
from fetch_helpers import closed_port_url, files, make_zip, sha256

from sklearn_rnn.datasets._fetch import fetch_archive

ZIP_MEMBERS = {"vectors/small.txt": b"the 0.1 0.2\n", "vectors/large.txt": b"x" * 64}


def test_fetch_archive_zip_checks_and_keeps_the_archive(tmp_path):
    archive = make_zip(tmp_path / "vectors.zip", ZIP_MEMBERS)
    params = dict(
        data_home=tmp_path / "home", archive_sha256=sha256(archive.read_bytes())
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


@pytest.mark.parametrize(
    "kind, match",
    [
        ("archive checksum", "vectors.zip has SHA-256 .* expected 0000"),
        ("member checksum", "small.txt has SHA-256 .* expected 0000"),
        ("garbage", "is not a valid zip archive"),
        ("symlink", "is not a regular file"),
        ("too large", r"'vectors/large.txt' is too large \(64 B\)"),
    ],
)
def test_fetch_archive_zip_errors_remove_the_badfiles(tmp_path, kind, match):
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
        params["max_member_bytes"] = 63
    with pytest.raises(OSError, match=match):
        fetch_archive(
            archive.as_uri(), "vectors.zip", members, data_home=tmp_path, **params
        )
    assert [f for f in files(tmp_path / "sklearn_rnn") if f != "vectors"] == []
