"""Tests for the sklearn-rnn command line (in-process, plus one subprocess)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import errno
import io
import os
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import REPO, shared_csv
from sklearn_rnn.cli import main

FAST = [
    "compare",
    "--models",
    "bow_logreg,hmm",
    "--n-samples",
    "120",
    "--cv",
    "3",
    "--quiet",
]


def _table_models(stdout: str) -> list[str]:
    """Model names of the printed table, in printed order."""
    lines = stdout.strip().split("\n\n")[0].splitlines()
    assert lines[0].startswith("model")
    return [line.split()[0] for line in lines[1:]]


def test_python_m_help_runs_in_a_subprocess():
    done = subprocess.run(
        [sys.executable, "-m", "sklearn_rnn", "compare", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: sklearn-rnn compare")
    assert "--test-csv" in done.stdout and "--max-epochs" in done.stdout


#: Modules that --help and argument errors must not import: PyTorch, skorch and
#: the package's estimators (which import PyTorch).
HEAVY = ("torch", "skorch", "sklearn_rnn.classifier", "sklearn_rnn.hmm")


def test_help_and_argument_errors_do_not_import_torch(tmp_path):
    """Checked on sys.modules in a fresh interpreter, without timing anything."""
    good = _write(tmp_path / "good.csv", GOOD)
    small = _write(tmp_path / "small.csv", GOOD + "a,rare\nb,rare\n")
    cases = [  # the first six need not even import scikit-learn
        ["--help"],
        ["compare", "--help"],
        ["--version"],
        ["compare", "--cv", "1"],
        ["compare", "--models", "bow_nb,cnn"],
        ["compare", "--n-jobs", "0"],
        ["compare", "--csv", str(tmp_path / "missing.csv")],
        ["compare", "--csv", good, "--scoring", "bogus"],
        ["compare", "--csv", small, "--cv", "3"],
        ["compare", "--plot", str(tmp_path / "figure.xyz")],
        ["predict", "--help"],
        ["fit", "--help"],
        ["evaluate", "--help"],
        ["explain", "--help"],
        ["predict", "--model", str(tmp_path / "missing.skops"), "-"],
        ["predict", "--model", good, "-"],  # not a zip: refused before torch
    ]
    code = (
        "import contextlib, io, sys\n"
        "from sklearn_rnn.cli import main\n"
        f"for argv in {cases!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()), "
        "contextlib.redirect_stderr(io.StringIO()):\n"
        "        status = main(argv)\n"
        f"    heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "    print(status, heavy, 'sklearn' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(cases)
    for line, argv in zip(lines, cases):
        assert line.startswith(("0 [] ", "2 [] ")), (line, argv)
    assert all(line.endswith("False") for line in lines[:6]), lines


def test_python_m_help_imports_no_torch():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sklearn_rnn", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: sklearn-rnn")
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    assert "sklearn_rnn.cli" in imported
    assert not imported & set(HEAVY)


def test_help_and_version_return_zero(capsys):
    assert main(["--help"]) == 0
    assert "compare" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("sklearn-rnn ")


def test_version_is_the_installed_distributions():
    # pyproject.toml reads the version from sklearn_rnn.__version__: one place
    from importlib.metadata import version

    import sklearn_rnn

    assert version("sklearn-rnn") == sklearn_rnn.__version__


def test_built_in_data_with_fast_models(capsys):
    assert main(FAST) == 0
    out, err = capsys.readouterr()
    assert sorted(_table_models(out)) == ["bow_logreg", "hmm"]
    assert "accuracy" in out and "tied with best" in out and "3-fold" in out
    assert err == ""  # --quiet


def test_messages_go_to_stderr_without_quiet(capsys):
    assert main(FAST[:-1]) == 0
    out, err = capsys.readouterr()
    assert "Comparing 2 model(s) on 120 documents" in err
    assert "Comparing" not in out


def test_a_tiny_recurrent_run(capsys):
    argv = ["--models", "gru,bow_nb", "--n-samples", "80", "--cv", "2"]
    assert main(["compare", *argv, "--max-epochs", "1", "--quiet"]) == 0
    assert sorted(_table_models(capsys.readouterr().out)) == ["bow_nb", "gru"]


def test_output_and_plot_files(tmp_path, capsys):
    output, plot = tmp_path / "results.csv", tmp_path / "results.png"
    argv = [*FAST, "--output", str(output), "--plot", str(plot)]
    assert main(argv) == 0
    table = pd.read_csv(output, index_col="model")
    assert sorted(table.index) == ["bow_logreg", "hmm"]
    assert {"accuracy_mean", "accuracy_std", "p_value", "tied_with_best"} <= set(
        table.columns
    )
    assert table["accuracy_mean"].is_monotonic_decreasing
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sms_spam_csv(capsys):
    path = shared_csv("sms_spam", "sms_spam.csv")
    argv = ["compare", "--csv", str(path), "--models", "bow_nb,hmm", "--cv", "2"]
    assert main([*argv, "--scoring", "f1_macro,accuracy", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert sorted(_table_models(out)) == ["bow_nb", "hmm"]
    first_row = out.splitlines()[1].split()
    assert float(first_row[1]) > 0.9  # macro-F1 of spam detection


def test_held_out_test_csv(tmp_path, capsys):
    frame = pd.read_csv(shared_csv("sms_spam", "sms_spam.csv"), keep_default_na=False)
    frame = frame.rename(columns={"text": "message", "label": "kind"})
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    frame.iloc[:600].to_csv(train, index=False)
    frame.iloc[600:900].to_csv(test, index=False)
    argv = ["compare", "--csv", str(train), "--test-csv", str(test)]
    argv += ["--text-column", "message", "--label-column", "kind"]
    assert main([*argv, "--models", "bow_nb,bow_logreg", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert sorted(_table_models(out)) == ["bow_logreg", "bow_nb"]
    assert "held-out set of 300 documents" in out
    assert "±" not in out
    assert "accuracy 95% CI" in out and "p-value" in out and "McNemar" in out


def test_a_test_class_never_seen_in_training_is_one_warning_line(tmp_path, capsys):
    train = _write(tmp_path / "train.csv", GOOD)
    test = _write(tmp_path / "test.csv", GOOD + "new words,meh\n")
    argv = ["compare", "--csv", train, "--test-csv", test, "--models", "bow_nb"]
    assert main([*argv, "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "sklearn-rnn: warning: Test data has class 'meh' (1 document) never seen "
        "in training; every model gets it wrong."
    ]
    assert _table_models(out) == ["bow_nb"]


# -- bad input: one line on stderr, exit status 2 ----------------------------------


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = "text,label\n" + "".join(
    f"doc {i} words,{'pos' if i % 2 else 'neg'}\n" for i in range(12)
)


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing_file", "No such file"),
        ("missing_column", "Column 'review' not found"),
        ("empty_file", "is empty"),
        ("header_only", "has a header but no rows"),
        ("empty_text", "missing or empty text"),
        ("empty_label", "missing or empty label"),
        ("unknown_model", "Unknown model name(s) 'cnn'"),
        ("small_class", "class 'rare' has 2 members"),
        ("test_csv_without_csv", "--test-csv needs --csv"),
        ("test_csv_is_csv", "are the same file"),
        ("test_csv_is_csv_by_another_path", "are the same file"),
        ("missing_test_file", "No such file"),
        ("n_samples_with_csv", "--n-samples applies to the built-in data"),
        ("unknown_metric", "not a valid scoring value"),
        ("bad_plot_suffix", "cannot save a figure"),
        ("missing_output_folder", "does not exist"),
        ("single_class", "single class"),
    ],
)
def test_bad_input_gives_one_line_and_exit_status_2(case, expected, tmp_path, capsys):
    good = _write(tmp_path / "good.csv", GOOD)
    fast = ["--models", "bow_nb", "--cv", "2"]
    argv = {
        "missing_file": ["--csv", str(tmp_path / "nope.csv")],
        "missing_column": ["--csv", good, "--text-column", "review"],
        "empty_file": ["--csv", _write(tmp_path / "e.csv", "")],
        "header_only": ["--csv", _write(tmp_path / "h.csv", "text,label\n")],
        "empty_text": ["--csv", _write(tmp_path / "t.csv", GOOD + " ,pos\n")],
        "empty_label": ["--csv", _write(tmp_path / "l.csv", GOOD + "more text,\n")],
        "unknown_model": ["--csv", good, "--models", "bow_nb,cnn"],
        "small_class": [
            "--csv",
            _write(tmp_path / "s.csv", GOOD + "a,rare\nb,rare\n"),
            "--cv",
            "3",
        ],
        "test_csv_without_csv": ["--test-csv", good],
        "test_csv_is_csv": ["--csv", good, "--test-csv", good],
        "test_csv_is_csv_by_another_path": [
            "--csv",
            good,
            "--test-csv",
            str(tmp_path / "." / "good.csv"),
        ],
        "missing_test_file": ["--csv", good, "--test-csv", str(tmp_path / "no.csv")],
        "n_samples_with_csv": ["--csv", good, "--n-samples", "50"],
        "unknown_metric": ["--csv", good, "--scoring", "accuracy,bogus"],
        "bad_plot_suffix": ["--csv", good, "--plot", str(tmp_path / "p.xyz")],
        "missing_output_folder": [
            "--csv",
            good,
            "--output",
            str(tmp_path / "no" / "r.csv"),
        ],
        "single_class": [
            "--csv",
            _write(tmp_path / "one.csv", "text,label\na,x\nb,x\nc,x\n"),
        ],
    }[case]
    # later options override the fast defaults (argparse keeps the last one);
    # without --quiet, so that no message comes before the error
    assert main(["compare", *fast, *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sklearn-rnn: error: ")
    assert expected in lines[0]


@pytest.mark.parametrize(
    "argv", [["compare", "--cv", "1"], ["compare", "--models", "a,,b"], ["train"], []]
)
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "usage: sklearn-rnn" in err and "error:" in err and "Traceback" not in err


# -- outputs never overwrite inputs --------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "output_is_csv",
        "output_is_test_csv",
        "output_is_csv_by_another_path",
        "output_is_a_symlink_to_csv",
        "output_is_a_hard_link_to_csv",
        "plot_is_a_symlink_to_test_csv",
        "output_is_plot",
    ],
)
def test_an_output_onto_an_input_is_refused(case, tmp_path, capsys):
    data = _write(tmp_path / "data.csv", GOOD)
    test = _write(tmp_path / "test.csv", GOOD)
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.png"
    if case == "output_is_a_symlink_to_csv":
        link.symlink_to(data)
    elif case == "plot_is_a_symlink_to_test_csv":
        link.symlink_to(test)
    elif case == "output_is_a_hard_link_to_csv":
        os.link(data, link)
    outputs = {
        "output_is_csv": ["--output", data],
        "output_is_test_csv": ["--output", test],
        "output_is_csv_by_another_path": [
            "--output",
            str(tmp_path / "sub" / ".." / "data.csv"),
        ],
        "output_is_a_symlink_to_csv": ["--output", str(link)],
        "output_is_a_hard_link_to_csv": ["--output", str(link)],
        "plot_is_a_symlink_to_test_csv": ["--plot", str(link)],
        "output_is_plot": ["--output", str(link), "--plot", str(link)],
    }[case]
    argv = ["compare", "--csv", data, "--test-csv", test, "--models", "bow_nb"]
    assert main([*argv, *outputs]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("sklearn-rnn: error: ")
    assert "same file" in err
    for path in (data, test):
        assert Path(path).read_text(encoding="utf-8") == GOOD


# -- outputs are written whole or not at all -------------------------------------


def _fail_half_way(self, file, *args, **kwargs):
    """Stand-in for a writer on a full disk: part of a file, then ENOSPC."""
    file.write("trunc" if isinstance(file, io.TextIOBase) else b"trunc")
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("option", ["--output", "--plot"])
def test_a_failed_write_keeps_the_old_file(option, tmp_path, monkeypatch, capsys):
    target = tmp_path / ("results.csv" if option == "--output" else "results.png")
    target.write_text("old results")
    before = sorted(tmp_path.iterdir())
    if option == "--output":
        monkeypatch.setattr(pd.DataFrame, "to_csv", _fail_half_way)
    else:
        from matplotlib.figure import Figure

        monkeypatch.setattr(Figure, "savefig", _fail_half_way)
    assert main([*FAST, option, str(target)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "No space left on device" in err
    assert target.read_text() == "old results"
    assert sorted(tmp_path.iterdir()) == before  # no temporary file left


def test_outputs_get_the_usual_permissions(tmp_path, capsys):
    output, plot = tmp_path / "new.csv", tmp_path / "new.svg"
    assert main([*FAST, "--output", str(output), "--plot", str(plot)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    for path in (output, plot):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert plot.read_text().lstrip().startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.csv", "new.svg"]


def test_an_unwritable_output_folder_stops_before_any_fit(
    tmp_path, monkeypatch, capsys
):
    import tempfile

    import sklearn_rnn.compare

    folder = tmp_path / "locked"
    folder.mkdir()
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and os.path.samefile(dir, folder):
            raise PermissionError(errno.EACCES, "Permission denied", str(folder))
        return real_mkstemp(*args, dir=dir, **kwargs)

    def no_fits(*args, **kwargs):
        raise AssertionError("models were fitted before the output was checked")

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(sklearn_rnn.compare, "compare_models", no_fits)
    for option, name in [("--output", "r.csv"), ("--plot", "r.png")]:
        assert main([*FAST, option, str(folder / name)]) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1
        assert f"{option}: cannot write in the folder" in err
        assert "Permission denied" in err


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root writes in read-only folders",
)
def test_a_read_only_output_folder_is_refused(tmp_path, capsys):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert main([*FAST, "--output", str(folder / "r.csv")]) == 2
    finally:
        folder.chmod(0o755)
    assert "cannot write in the folder" in capsys.readouterr().err


# -- --n-jobs ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-2", "-500000"])
def test_n_jobs_out_of_range_is_refused_in_our_words(value, capsys):
    assert main([*FAST, "--n-jobs", value]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith(
        f"sklearn-rnn: error: --n-jobs must be a positive number of processes, "
        f"or -1 for all cores; got {value}."
    )


@pytest.fixture
def recorded_n_jobs(monkeypatch):
    """The n_jobs the command passes on, on a machine with 4 cores; fits run here."""
    import joblib

    import sklearn_rnn.compare

    seen = []
    real = sklearn_rnn.compare.compare_models

    def compare_models(*args, n_jobs=None, **kwargs):
        seen.append(n_jobs)
        return real(*args, n_jobs=None, **kwargs)

    monkeypatch.setattr(joblib, "cpu_count", lambda *args, **kwargs: 4)
    monkeypatch.setattr(sklearn_rnn.compare, "compare_models", compare_models)
    return seen


@pytest.mark.parametrize(
    "value, cv, expected, note",
    [
        ("500000", "3", 4, "--n-jobs 500000: using 4 processes (6 fits, 4 cores)"),
        ("5", "2", 4, "--n-jobs 5: using 4 processes (4 fits, 4 cores)"),
        ("-1", "3", 4, None),
        ("3", "3", 3, None),
    ],
)
def test_n_jobs_is_capped_at_the_cores(
    value, cv, expected, note, recorded_n_jobs, capsys
):
    argv = ["compare", "--models", "bow_nb,hmm", "--n-samples", "60", "--cv", cv]
    assert main([*argv, "--n-jobs", value]) == 0
    assert recorded_n_jobs == [expected]
    err = capsys.readouterr().err
    if note is None:
        assert "--n-jobs" not in err
    else:
        assert note in err


@pytest.mark.parametrize("value, expected", [("500000", 2), ("-1", 2), ("1", 1)])
def test_n_jobs_is_capped_at_the_fits(value, expected, recorded_n_jobs, capsys):
    argv = ["compare", "--models", "bow_nb", "--n-samples", "60", "--cv", "2"]
    assert main([*argv, "--n-jobs", value]) == 0
    assert recorded_n_jobs == [expected]
    err = capsys.readouterr().err
    if value == "500000":
        assert "--n-jobs 500000: using 2 processes (2 fits, 4 cores)" in err
    else:
        assert "--n-jobs" not in err


# -- main() inside another program ---------------------------------------------------


@pytest.mark.parametrize(
    "failure, status",
    [
        (None, 0),
        (ValueError("bad"), 2),
        (KeyboardInterrupt(), 130),
        (RuntimeError, None),
    ],
)
def test_main_gives_back_the_torch_threads_and_environment(
    failure, status, monkeypatch, capsys
):
    import torch

    import sklearn_rnn.compare

    if failure is not None:

        def fail(*args, **kwargs):
            raise failure

        monkeypatch.setattr(sklearn_rnn.compare, "compare_models", fail)
    environment = dict(os.environ)
    threads = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        argv = [*FAST, "--torch-threads", "1"]
        if status is None:
            with pytest.raises(failure):
                main(argv)
        else:
            assert main(argv) == status
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(threads)
    assert dict(os.environ) == environment


def test_the_lazy_package_resolves_every_public_name():
    import sklearn_rnn

    for name in sklearn_rnn.__all__:
        obj = getattr(sklearn_rnn, name)
        submodule = sklearn_rnn._SUBMODULE_OF[name]
        assert obj.__module__ == f"sklearn_rnn.{submodule}", name
    assert set(sklearn_rnn.__all__) <= set(dir(sklearn_rnn))
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        sklearn_rnn.nope  # noqa: B018


def test_static_checkers_see_the_same_public_names():
    """The TYPE_CHECKING imports name every lazy name, from its submodule."""
    import ast

    import sklearn_rnn

    tree = ast.parse(Path(sklearn_rnn.__file__).read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
    )
    seen = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == sklearn_rnn._SUBMODULE_OF


def _tiny_vectors(path: Path) -> str:
    """Vectors of a few words of make_order_sentiment's sentences."""
    rng = np.random.default_rng(0)
    words = "the not my is that did has cousin was which would sister movie".split()
    path.write_text(
        "".join(
            f"{word} " + " ".join(f"{v:.3f}" for v in rng.normal(size=4)) + "\n"
            for word in words
        )
    )
    return str(path)


def test_vectors_add_vector_initialised_models(tmp_path, capsys):
    vectors = _tiny_vectors(tmp_path / "tiny.txt")
    argv = ["compare", "--n-samples", "60", "--cv", "2", "--max-epochs", "1"]
    status = main([*argv, "--models", "bow_nb,lstm_vectors", "--vectors", vectors])
    out = capsys.readouterr().out
    assert status == 0
    assert "lstm_vectors" in out and "bow_nb" in out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--models", "lstm_vectors"], "need pretrained vectors: --vectors PATH"),
        (["--models", "bow_nb", "--vectors", "{v}"], "no *_vectors model"),
        (["--vectors", "{missing}"], "--vectors: no file at"),
    ],
)
def test_vectors_errors_are_one_line(extra, message, tmp_path, capsys):
    vectors = _tiny_vectors(tmp_path / "tiny.txt")
    extra = [a.format(v=vectors, missing=str(tmp_path / "missing.txt")) for a in extra]
    status = main(["compare", "--n-samples", "60", "--cv", "2", *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1 and message in err[0], err


def test_a_fit_s_warnings_are_one_line_per_model_naming_the_fold(monkeypatch, capsys):
    from test_compare import _stopped_early

    import sklearn_rnn.compare

    monkeypatch.setattr(
        sklearn_rnn.compare,
        "default_models",
        lambda *a, **k: {"bow_logreg": _stopped_early()},
    )
    argv = ["compare", "--n-samples", "60", "--cv", "2", "--quiet"]
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # as for a user, not pytest's "error"
        assert main([*argv, "--models", "bow_logreg"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err  # the same warning of both folds: one line
    prefix = "sklearn-rnn: warning: ConvergenceWarning: bow_logreg, fold 0: "
    assert err[0].startswith(prefix) and "lbfgs failed to converge" in err[0]
    assert err[0].endswith(" (and in 1 more fold(s))")


def test_running_out_of_memory_keeps_what_finished(tmp_path, monkeypatch, capsys):
    from test_compare import RunsOutOfMemory

    import sklearn_rnn.compare
    from sklearn_rnn.baselines import make_bow_pipeline

    def models(*args, **kwargs):
        return {"bow_nb": make_bow_pipeline("nb"), "lstm": RunsOutOfMemory()}

    monkeypatch.setattr(sklearn_rnn.compare, "default_models", models)
    output = tmp_path / "results.csv"
    argv = ["compare", "--n-samples", "60", "--cv", "2", "--output", str(output)]
    status = main([*argv, "--models", "bow_nb,lstm"])
    out, err = capsys.readouterr()
    assert status == 1
    assert _table_models(out) == ["bow_nb"]
    errors = [line for line in err.splitlines() if "error" in line]
    assert len(errors) == 1 and "Out of memory: lstm, fold 0" in errors[0]
    assert "Traceback" not in err
    table = pd.read_csv(output, index_col=0, keep_default_na=False)
    assert list(table.index) == ["bow_nb", "lstm"]
    assert table.loc["bow_nb", "note"] == ""
    assert table.loc["lstm", "note"].startswith("not finished: Out of memory")


# -- hostile input (the audit of issue 22) -----------------------------------------


class _FifoReader:
    """Reads a named pipe in a thread, as a program at its other end would.

    A writer of our own keeps the pipe open, so that the reader waits for
    the command's writes instead of seeing the end at once; closing it after
    the command ends the reading.
    """

    def __init__(self, path: Path):
        import threading

        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(self.fd, True)
        self.keep_open = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        self.chunks: list[bytes] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while chunk := os.read(self.fd, 1 << 16):
            self.chunks.append(chunk)

    def close(self) -> bytes:
        os.close(self.keep_open)
        self.thread.join(timeout=30)
        os.close(self.fd)
        return b"".join(self.chunks)


@pytest.mark.parametrize("option", ["--output", "--plot"])
@pytest.mark.parametrize("through_a_link", [False, True])
def test_an_output_that_is_not_a_regular_file_is_written_in_place(
    option, through_a_link, tmp_path, capsys
):
    """A named pipe stands in for /dev/null and /dev/stdout (a link to one):
    the atomic rename replaced them with a regular file."""
    pipe = tmp_path / ("pipe.csv" if option == "--output" else "pipe.svg")
    os.mkfifo(pipe)
    named = pipe
    if through_a_link:  # as /dev/stdout -> /proc/self/fd/1
        named = tmp_path / ("stdout.csv" if option == "--output" else "stdout.svg")
        named.symlink_to(pipe)
    reader = _FifoReader(pipe)
    try:
        status = main([*FAST, option, str(named)])
    finally:
        written = reader.close()
    assert status == 0, capsys.readouterr().err
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    assert not through_a_link or named.is_symlink()
    if option == "--output":
        assert written.decode().startswith("model,")
    else:
        assert b"<svg" in written
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        {pipe.name, named.name}
    )  # no temporary file left


def test_output_dash_is_standard_output(capsys):
    assert main([*FAST, "--output", "-"]) == 0
    out = capsys.readouterr().out
    table = pd.read_csv(io.StringIO(out), index_col="model")
    assert sorted(table.index) == ["bow_logreg", "hmm"]  # the CSV, not the table
    assert main([*FAST, "--plot", "-"]) == 2
    assert "cannot save a figure as '-'" in capsys.readouterr().err
    assert main([*FAST, "--output", "-", "--save-best", "-"]) == 2
    assert "are both standard output" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--output", "--plot", "--save-best"])
def test_an_output_onto_the_vectors_is_refused(option, tmp_path, capsys):
    vectors = tmp_path / "vectors.svg"  # a name --plot accepts
    _tiny_vectors(vectors)
    before = vectors.read_bytes()
    argv = ["compare", "--n-samples", "60", "--cv", "2", "--models", "lstm_vectors"]
    assert main([*argv, "--vectors", str(vectors), option, str(vectors)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert f"{option} '{vectors}' is the same file as --vectors" in err
    assert vectors.read_bytes() == before


@pytest.fixture
def no_fits(monkeypatch):
    import sklearn_rnn.compare

    def fail(*args, **kwargs):
        raise AssertionError("models were fitted")

    monkeypatch.setattr(sklearn_rnn.compare, "compare_models", fail)
    monkeypatch.setattr(sklearn_rnn.compare, "evaluate_holdout", fail)


@pytest.mark.parametrize("held_out", [False, True])
def test_a_label_per_document_is_refused_early_in_one_short_line(
    held_out, tmp_path, no_fits, capsys
):
    n = 100_000
    rows = "".join(f"words of document {i},id{i}\n" for i in range(n))
    train = _write(tmp_path / "train.csv", "text,label\n" + rows)
    argv = ["compare", "--csv", train, "--models", "bow_nb"]
    if held_out:
        argv += ["--test-csv", _write(tmp_path / "test.csv", "text,label\n" + rows)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and len(err) < 400, err[:1000]
    assert "Too many classes for the data: 100000 distinct labels in 100000" in err
    assert "Is --label-column the column of the classes?" in err


def test_too_few_documents_per_fold_lists_five_classes(tmp_path, capsys):
    rows = "".join(f"text {i},c{i % 40}\n" for i in range(80))
    data = _write(tmp_path / "data.csv", "text,label\n" + rows)
    assert main(["compare", "--csv", data, "--models", "bow_nb", "--cv", "3"]) == 2
    err = capsys.readouterr().err
    assert "class 'c0' has 2 members, " in err and " and 35 more. " in err
    assert len(err) < 400


@pytest.mark.parametrize(
    "column, size, expected",
    [
        ("text", 1_000_001, "the text in column 'text', row 3 (0-based, header not "
         "counted) has 1,000,001 characters, more than the limit of 1,000,000"),
        ("label", 1_001, "the label in column 'label', row 3 (0-based, header not "
         "counted) has 1,001 characters, more than the limit of 1,000"),
    ],
)
def test_a_huge_cell_is_refused_before_any_fit(
    column, size, expected, tmp_path, no_fits, capsys
):
    huge = "x" * size
    row = f"{huge},pos\n" if column == "text" else f"some words,{huge}\n"
    lines = GOOD.splitlines(keepends=True)
    data = _write(tmp_path / "data.csv", "".join(lines[:4]) + row + "".join(lines[4:]))
    assert main(["compare", "--csv", data, "--models", "bow_nb", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and expected in err, err[:300]
