"""Helpers shared by the benchmark scripts: locating ../shared/data."""

from __future__ import annotations

import sys
from pathlib import Path

from sklearn_rnn.datasets import load_text_csv

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def load_or_exit(*parts: str):
    """(texts, labels) of a shared CSV; exit 0 with a message when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        print(f"skipped: {path} is not available")
        sys.exit(0)
    return load_text_csv(path)
