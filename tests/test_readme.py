"""Every Python block of the README runs, and prints what its comments promise.

A line ``print(...)  # EXPECTED: explanation`` promises that the line it
prints is ``EXPECTED``; the README's quick start uses this for its
prediction.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
PROMISE = re.compile(r"^print\(.*\)\s+#\s*(?P<expected>[^:]+?)\s*(?::.*)?$")


def _blocks() -> list[str]:
    return BLOCK.findall(README.read_text(encoding="utf-8"))


def test_the_readme_has_python_blocks():
    assert _blocks(), "the README should show Python code"


@pytest.mark.parametrize("number", range(len(_blocks())))
def test_readme_block_runs_and_prints_what_it_promises(number, tmp_path, monkeypatch):
    code = _blocks()[number]
    monkeypatch.chdir(tmp_path)  # nothing a block writes lands in the checkout
    promises = [
        match["expected"]
        for line in code.splitlines()
        if (match := PROMISE.match(line.strip()))
    ]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"README.md block {number}", "exec"), {})
    printed = out.getvalue().splitlines()
    prints = [line for line in code.splitlines() if line.startswith("print(")]
    assert len(printed) == len(prints), printed
    for line, expected in zip(
        (p for p, c in zip(printed, prints) if PROMISE.match(c.strip())), promises
    ):
        assert line == expected, f"README promises {expected!r}, printed {line!r}"


def test_the_readme_says_how_to_get_the_cpu_build_of_pytorch():
    """constraints.txt pins the version, not the build: from PyPI on Linux
    torch==2.13.0 is the CUDA build; the README says where the CPU one is."""
    text = README.read_text(encoding="utf-8")
    assert "--index-url https://download.pytorch.org/whl/cpu" in text
    assert "CPU build among them" not in text  # the claim that was wrong
