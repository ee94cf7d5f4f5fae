"""What every command of the ``sklearn-rnn`` command line shares.

The argument types, the one-line messages on stderr and the PyTorch thread
setting. Only the standard library is imported here: ``--help`` and bad
arguments must answer before pandas, scikit-learn or PyTorch load.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator

PROG = "sklearn-rnn"


class InputError(Exception):
    """Bad input detected by the command itself; reported in one line."""


def int_at_least(minimum: int):
    """An argparse type: an integer of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer, got {text!r}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def comma_list(text: str) -> list[str]:
    """An argparse type: comma-separated names, none empty."""
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated names without empty entries, got {text!r}"
        )
    return items


def add_data_columns(group, what: str = "--csv") -> None:
    """The ``--text-column`` and ``--label-column`` options."""
    group.add_argument(
        "--text-column",
        default="text",
        metavar="NAME",
        help=f"column of {what} holding the texts (default: text)",
    )
    group.add_argument(
        "--label-column",
        default="label",
        metavar="NAME",
        help=f"column of {what} holding the labels (default: label)",
    )


def add_torch_threads(group) -> None:
    group.add_argument(
        "--torch-threads",
        type=int_at_least(1),
        default=1,
        metavar="N",
        help="threads per network fit in this process (default: 1; these small "
        "networks gain little from more, and threads fight on a busy machine: "
        "use --n-jobs instead)",
    )


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def info(args, message: str) -> None:
    """A progress message on stderr, unless ``--quiet``."""
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr, flush=True)


def warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr, flush=True)


def print_warnings(said) -> None:
    """One line per warning (or per model and kind, see ``fit_warning_lines``),
    not Python's two, the second being a line of the library's source."""
    from ._runner import fit_warning_lines

    for line in fit_warning_lines(said):
        warn(line)


@contextlib.contextmanager
def torch_threads(n_threads: int) -> Iterator[None]:
    """Run with ``n_threads`` PyTorch threads; give the caller back its number.

    ``main`` may run inside another program, which keeps its own setting.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)
