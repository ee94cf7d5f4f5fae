"""The command line's output files: checked before the work, written atomically.

:func:`check_outputs` runs before any model is fitted: an output must not be
an input or another output, and its folder must exist and accept a new
file. :func:`open_output` then writes each file to a temporary name in the
same folder and renames it into place, so that a full disk or an error
leaves the previous file as it was and no partial file behind.

An output that exists and is not a regular file -- a device such as
``/dev/null``, a named pipe, ``/dev/stdout`` -- is written in place, never
renamed over (run as root, the rename replaced the machine's ``/dev/null``
with a regular file); ``-`` is standard output.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Mapping
from typing import IO

__all__ = ["STDOUT", "check_outputs", "open_output", "same_file", "is_stream"]

#: The output name that means standard output.
STDOUT = "-"


def is_stream(path: str) -> bool:
    """Whether ``path`` exists and is not a regular file or a folder (a device,
    a named pipe, a socket, ``/dev/stdout``): written in place, never
    replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one file: through links, ``..``, hard links."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return os.path.realpath(a) == os.path.realpath(b)


def _temporary_file(folder: str, name: str) -> str:
    """Create an empty, hidden file in ``folder``; return its path."""
    fd, path = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    os.close(fd)
    return path


def _check_writable(path: str, option: str) -> None:
    if path == STDOUT:
        return
    if is_stream(path):
        if not os.access(path, os.W_OK):
            raise ValueError(f"{option}: cannot write to '{path}': permission denied.")
        return
    folder = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"{option}: the folder '{folder}' does not exist.")
    if os.path.isdir(path):
        raise ValueError(f"{option}: '{path}' is a folder, not a file name.")
    try:
        os.remove(_temporary_file(folder, "sklearn-rnn-probe"))
    except OSError as exc:
        raise ValueError(
            f"{option}: cannot write in the folder '{folder}': {exc.strerror or exc}."
        ) from None


def check_outputs(
    inputs: Mapping[str, str | None], outputs: Mapping[str, str | None]
) -> None:
    """Check the output files before any work is done.

    Parameters
    ----------
    inputs, outputs : mapping of str to str or None
        Option name (for the message) -> path; None where not given.

    Raises
    ------
    ValueError
        If an output is the same file as an input (also through a link) or
        as another output, if its folder does not exist or does not accept
        a new file, or if it names a folder. ``-`` (standard output) is
        never the same file as an input, and may be given once.
    """
    given = [(option, path) for option, path in outputs.items() if path is not None]
    for out_option, out in given:
        if out == STDOUT:
            continue
        for in_option, source in inputs.items():
            if source is not None and source != STDOUT and same_file(out, source):
                raise ValueError(
                    f"{out_option} '{out}' is the same file as {in_option} "
                    f"'{source}'; refusing to overwrite an input."
                )
    for i, (option, path) in enumerate(given):
        for other_option, other in given[i + 1 :]:
            if path == other == STDOUT:
                raise ValueError(
                    f"{option} and {other_option} are both standard output ('-'); "
                    "give one of them a file name."
                )
            if STDOUT not in (path, other) and same_file(path, other):
                raise ValueError(
                    f"{option} '{path}' and {other_option} '{other}' are the "
                    "same file; give them different names."
                )
    for option, path in given:
        _check_writable(path, option)


def _final_mode(target: str) -> int:
    """The mode of the file being replaced, or the umask's default."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def open_output(path: str, option: str, *, binary: bool = False) -> Iterator[IO]:
    """Open an output file; move it to ``path`` when the block is done.

    A regular file is written to a temporary file in the folder of ``path``
    (of its target, if ``path`` is a symbolic link, which stays one), so the
    final :func:`os.replace` is atomic: ``path`` holds either its previous
    content or the whole new file. A ``path`` that is not a regular file
    (:func:`is_stream`) is written in place; ``-`` is standard output.

    Parameters
    ----------
    path : str
        The output file, or ``-``.
    option : str
        The option that named it, for the message.
    binary : bool, default=False
        Open in binary mode; otherwise as UTF-8 text.

    Yields
    ------
    file : file object
        Where to write.

    Raises
    ------
    ValueError
        If writing fails with an :class:`OSError`; the message names the
        file and the reason. The temporary file is removed in any case.
    """
    text = {} if binary else {"encoding": "utf-8", "newline": ""}
    mode = "wb" if binary else "w"
    if path == STDOUT:
        stream = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    if is_stream(path):
        try:
            with open(path, mode, **text) as file:
                yield file
        except OSError as exc:
            raise ValueError(
                f"{option}: cannot write '{path}': {exc.strerror or exc}."
            ) from None
        return
    target = os.path.realpath(path)
    existed = os.path.exists(target)
    temporary = None
    try:
        temporary = _temporary_file(*os.path.split(target))
        with open(temporary, mode, **text) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())  # on disk before the rename
        os.chmod(temporary, _final_mode(target))
        os.replace(temporary, target)
    except OSError as exc:
        kept = "the previous file is unchanged" if existed else "nothing was written"
        raise ValueError(
            f"{option}: cannot write '{path}': {exc.strerror or exc}; {kept}."
        ) from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.remove(temporary)
