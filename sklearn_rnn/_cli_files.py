"""The command line's output files: checked before the work, written atomically.

:func:`check_outputs` runs before any model is fitted: an output must not be
an input or the other output, and its folder must exist and accept a new
file. :func:`atomic_output` then writes each file to a temporary name in
the same folder and renames it into place, so that a full disk or an error
leaves the previous file as it was and no partial file behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator, Mapping

__all__ = ["check_outputs", "atomic_output", "same_file"]


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
        a new file, or if it names a folder.
    """
    given = [(option, path) for option, path in outputs.items() if path is not None]
    for out_option, out in given:
        for in_option, source in inputs.items():
            if source is not None and same_file(out, source):
                raise ValueError(
                    f"{out_option} '{out}' is the same file as {in_option} "
                    f"'{source}'; refusing to overwrite an input."
                )
    for i, (option, path) in enumerate(given):
        for other_option, other in given[i + 1 :]:
            if same_file(path, other):
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
def atomic_output(path: str, option: str) -> Iterator[str]:
    """Give a temporary path to write to; move it to ``path`` when done.

    The temporary file is in the folder of ``path`` (of its target, if
    ``path`` is a symbolic link, which stays one), so the final
    :func:`os.replace` is atomic: ``path`` holds either its previous content
    or the whole new file.

    Parameters
    ----------
    path : str
        The output file.
    option : str
        The option that named it, for the message.

    Yields
    ------
    temporary : str
        Where to write the file.

    Raises
    ------
    ValueError
        If writing fails with an :class:`OSError`; the message names the
        file and the reason. The temporary file is removed in any case.
    """
    target = os.path.realpath(path)
    existed = os.path.exists(target)
    temporary = None
    try:
        temporary = _temporary_file(*os.path.split(target))
        yield temporary
        with open(temporary, "rb+") as file:  # on disk before the rename
            os.fsync(file.fileno())
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
