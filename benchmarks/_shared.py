"""Helpers shared by the benchmark scripts: locating ../shared/data."""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from sklearn_rnn.datasets import load_text_csv

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

#: GloVe 6B 50d (Pennington et al. 2014), read in place by the vector rows.
GLOVE = SHARED_DATA / "glove" / "glove.6B.50d.txt.gz"


def load_or_exit(*parts: str):
    """(texts, labels) of a shared CSV; exit 0 with a message when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        print(f"skipped: {path} is not available")
        sys.exit(0)
    return load_text_csv(path)


def add_set_option(parser: argparse.ArgumentParser, what: str) -> None:
    """A repeatable ``--set NAME=VALUE`` option: a parameter of ``what``."""
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"a parameter of {what} (a Python literal), e.g. --set dropout=0.3",
    )


def parsed_set(items: list[str]) -> dict:
    """The parameters of ``--set NAME=VALUE`` options, values as literals."""
    pairs = (item.split("=", 1) for item in items)
    return {name: ast.literal_eval(value) for name, value in pairs}
