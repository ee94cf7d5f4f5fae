"""Every command-line example of the README's comparison section and of the
command-line page of the user guide runs, in order, on small files of the
names they use (bash blocks are not run by test_readme.py or the doctests)."""

from __future__ import annotations

import io
import re
import shlex
import sys
import warnings

import pandas as pd
import pytest

from conftest import REPO
from sklearn_rnn.cli import main
from sklearn_rnn.datasets import make_order_sentiment


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## The comparison command", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return _commands(blocks)


def _page_commands() -> list[str]:
    page = REPO / "docs" / "user_guide" / "command_line.rst"
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r"\.\. code-block:: bash\n\n((?:   .*\n|\n)+)", text)
    return _commands(blocks)


def _commands(blocks: list[str]) -> list[str]:
    lines = []
    for block in blocks:
        joined = re.sub(r"\\\n\s*", " ", block)
        lines += [line.strip() for line in joined.splitlines() if line.strip()]
    assert lines and all("sklearn-rnn " in line for line in lines), lines
    return lines


@pytest.fixture
def files(tmp_path, monkeypatch):
    X, y = make_order_sentiment(100, random_state=0)
    frame = pd.DataFrame({"text": X, "label": y})
    frame.to_csv(tmp_path / "reviews.csv", index=False)
    frame.to_csv(tmp_path / "train.csv", index=False)
    X, y = make_order_sentiment(40, random_state=1)
    pd.DataFrame({"text": X, "label": y}).to_csv(tmp_path / "test.csv", index=False)
    pd.DataFrame({"text": X}).to_csv(tmp_path / "new.csv", index=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(line: str, monkeypatch) -> None:
    stdin = ""
    if " | " in line:
        echo, line = line.split(" | ")
        stdin = shlex.split(echo)[1] + "\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    argv = shlex.split(line, comments=True)
    assert argv[0] == "sklearn-rnn"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the command reports them as lines
        assert main(argv[1:]) == 0, line


@pytest.mark.parametrize("where", ["readme", "user_guide"])
def test_every_command_line_example_runs(where, files, monkeypatch, capsys):
    import matplotlib

    matplotlib.use("Agg")
    commands = _readme_commands() if where == "readme" else _page_commands()
    for line in commands:
        _run(line, monkeypatch)
    out = capsys.readouterr().out
    assert "prediction,label_1,proba_1,label_2,proba_2" in out
    assert (files / "lstm.skops").exists() and (files / "why.html").exists()
    if where == "readme":
        assert (files / "results.png").exists() and (files / "labelled.csv").exists()
    else:
        assert (files / "scores.csv").exists() and (files / "best.skops").exists()
