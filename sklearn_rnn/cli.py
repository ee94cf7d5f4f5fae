"""The ``sklearn-rnn`` command line.

``sklearn-rnn compare`` (or ``python -m sklearn_rnn compare``) answers the
package's one question -- does a recurrent network beat the classic
approaches on my text? -- by cross-validating the default models on the same
folds and printing a table sorted by score::

    sklearn-rnn compare                               # built-in demo data
    sklearn-rnn compare --csv reviews.csv --cv 10
    sklearn-rnn compare --csv train.csv --test-csv test.csv --models bow_nb,gru

Bad input (a missing file or column, an empty file or text, an unknown model
name, a class with fewer documents than folds, an output that would
overwrite an input, ...) ends with a one-line ``sklearn-rnn: error: ...`` on
stderr and exit status 2. All of it is checked before PyTorch is imported
and before any model is fitted; ``--output`` and ``--plot`` are then written
atomically (``_cli_files.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import warnings
from collections.abc import Iterator, Sequence

from . import __version__
from ._cli_files import atomic_output, check_outputs, same_file

# Only the standard library is imported up front: ``--help`` and bad
# arguments must answer at once. The data are read and checked with pandas
# and scikit-learn, and PyTorch is imported last, when the models are built.

__all__ = ["main"]

PROG = "sklearn-rnn"

#: Size of the built-in demo corpus and epoch cap of the recurrent models:
#: the default run (6 models x 5 folds) takes about one minute on two busy
#: CPU cores, and the LSTM and GRU get enough data to learn word order.
DEFAULT_N_SAMPLES = 4000
DEFAULT_MAX_EPOCHS = 15


class _InputError(Exception):
    """Bad input detected by the command itself; reported in one line."""


def _int_at_least(minimum: int):
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


def _comma_list(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated names without empty entries, got {text!r}"
        )
    return items


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Recurrent neural networks (RNN, LSTM, GRU) for text as scikit-learn "
            "estimators, compared with bag-of-words and HMM baselines."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    compare = commands.add_parser(
        "compare",
        help="cross-validate the default models and print a table sorted by score",
        description=(
            "Fit every model on the same stratified cross-validation folds (or "
            "on a training file, scored on a test file) and print one row per "
            "model, best first: mean ± std of each metric, fit and score time, "
            "and whether the model is statistically tied with the best one "
            "(corrected resampled t-test of Nadeau & Bengio, 2003; on a "
            "--test-csv, McNemar's exact test, with a 95% Wilson interval of "
            "each accuracy). Without "
            "--csv it runs on the built-in make_order_sentiment data, whose "
            "labels depend on word order only."
        ),
        epilog=(
            "models: bow_logreg, bow_nb (bag of words with logistic regression "
            "or naive Bayes), hmm (one HMM per class), rnn, lstm, gru; with "
            "--vectors also rnn_vectors, lstm_vectors, gru_vectors.  "
            "example: sklearn-rnn compare --csv reviews.csv --models "
            "bow_nb,hmm,lstm --cv 10 --output results.csv --plot results.png"
        ),
    )
    data = compare.add_argument_group("data")
    data.add_argument(
        "--csv",
        metavar="PATH",
        help="CSV file with a header row, one document per row (default: the "
        "built-in make_order_sentiment data)",
    )
    data.add_argument(
        "--text-column",
        default="text",
        metavar="NAME",
        help="column of --csv and --test-csv holding the texts (default: text)",
    )
    data.add_argument(
        "--label-column",
        default="label",
        metavar="NAME",
        help="column of --csv and --test-csv holding the labels (default: label)",
    )
    data.add_argument(
        "--test-csv",
        metavar="PATH",
        help="score on this held-out file, training on all of --csv, instead "
        "of cross-validating",
    )
    data.add_argument(
        "--n-samples",
        type=_int_at_least(2),
        metavar="N",
        help="size of the built-in data set (default: "
        f"{DEFAULT_N_SAMPLES}); not with --csv",
    )
    models = compare.add_argument_group("models and evaluation")
    models.add_argument(
        "--models",
        type=_comma_list,
        metavar="NAMES",
        help="comma-separated model names (default: all)",
    )
    models.add_argument(
        "--vectors",
        metavar="PATH",
        help="pretrained word vectors (GloVe, word2vec or fastText file, "
        "optionally gzipped): adds rnn_vectors, lstm_vectors and gru_vectors, "
        "the recurrent models initialised from them",
    )
    models.add_argument(
        "--cv",
        type=_int_at_least(2),
        default=5,
        metavar="K",
        help="number of stratified folds (default: 5)",
    )
    models.add_argument(
        "--scoring",
        type=_comma_list,
        default=["accuracy", "f1_macro"],
        metavar="METRICS",
        help="comma-separated scikit-learn metric names; the first ranks the "
        "models (default: accuracy,f1_macro)",
    )
    models.add_argument(
        "--max-epochs",
        type=_int_at_least(1),
        default=DEFAULT_MAX_EPOCHS,
        metavar="N",
        help="maximum training epochs of the recurrent models, which stop "
        f"early on a validation split (default: {DEFAULT_MAX_EPOCHS})",
    )
    models.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the folds, the built-in data and the models (default: 0)",
    )
    models.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="fits run in parallel processes; -1 uses all cores; at most one "
        "process per fit and per core (default: 1)",
    )
    models.add_argument(
        "--torch-threads",
        type=_int_at_least(1),
        default=1,
        metavar="N",
        help="threads per network fit in this process (default: 1; these small "
        "networks gain little from more, and threads fight on a busy machine: "
        "use --n-jobs instead)",
    )
    output = compare.add_argument_group("output")
    output.add_argument(
        "--output",
        metavar="PATH",
        help="also write the table (numbers, one row per model) to this CSV file",
    )
    output.add_argument(
        "--plot",
        metavar="PATH",
        help="save a figure of the per-fold scores (.png, .pdf, .svg, ...)",
    )
    output.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="print only the table: no progress bar or messages",
    )
    compare.set_defaults(handler=_compare)
    return parser


def _suffix(path: str) -> str:
    """The extension of a file name, lower case and without the dot."""
    return os.path.splitext(path)[1].lower().lstrip(".")


def _check_plot_format(path: str | None) -> None:
    if path is None:
        return
    from .plotting import _figure_formats

    supported = _figure_formats()
    if _suffix(path) not in supported:
        raise _InputError(
            f"--plot: cannot save a figure as '{path}'; use one of the "
            f"extensions {', '.join('.' + s for s in sorted(supported))}."
        )


def _load_data(args) -> tuple:
    """Training texts and labels, test texts and labels (or None), a label."""
    from .datasets import load_text_csv, make_order_sentiment

    if args.csv is None:
        if args.test_csv is not None:
            raise _InputError("--test-csv needs --csv, the training file.")
        n_samples = args.n_samples or DEFAULT_N_SAMPLES
        X, y = make_order_sentiment(n_samples, random_state=args.seed)
        return X, y, None, None, f"make_order_sentiment({n_samples})"
    if args.n_samples is not None:
        raise _InputError("--n-samples applies to the built-in data, not --csv.")
    if args.test_csv is not None and same_file(args.csv, args.test_csv):
        raise _InputError(
            f"--csv '{args.csv}' and --test-csv '{args.test_csv}' are the same "
            "file: a model scored on its own training texts says nothing; give "
            "a held-out file, or leave out --test-csv for cross-validation."
        )
    X, y = load_text_csv(args.csv, args.text_column, args.label_column)
    if args.test_csv is None:
        return X, y, None, None, args.csv
    X_test, y_test = load_text_csv(args.test_csv, args.text_column, args.label_column)
    return X, y, X_test, y_test, args.csv


def _check_vectors(args, names) -> None:
    """Read the --vectors file once, before any fit (the models reuse it)."""
    from .vectors import resolve_vectors

    wanted = names is None or any(name.endswith("_vectors") for name in names)
    if not wanted:
        raise _InputError("--vectors is given but no *_vectors model is in --models.")
    if not os.path.isfile(args.vectors):
        raise _InputError(f"--vectors: no file at {args.vectors!r}.")
    _info(args, f"Reading the vectors in {args.vectors} ...")
    vectors = resolve_vectors(args.vectors)
    _info(args, f"{len(vectors)} vectors of dimension {vectors.dim}.")


def _info(args, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr, flush=True)


def _print_table(text: str) -> None:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "±".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = text.replace("±", "+/-")
    print(text, flush=True)


def _check_n_jobs(n_jobs: int | None) -> int:
    if n_jobs is None:
        return 1
    if n_jobs == 0 or n_jobs < -1:
        raise _InputError(
            "--n-jobs must be a positive number of processes, or -1 for all "
            f"cores; got {n_jobs}."
        )
    return n_jobs


def _cap_n_jobs(args, n_jobs: int, n_fits: int) -> int:
    """At most one process per fit and per core; say so when that is fewer."""
    from joblib import cpu_count

    cores = cpu_count()
    capped = min(cores if n_jobs == -1 else n_jobs, n_fits, cores)
    if n_jobs > capped:
        _info(
            args,
            f"--n-jobs {n_jobs}: using {capped} processes ({n_fits} fits, "
            f"{cores} cores).",
        )
    return capped


@contextlib.contextmanager
def _torch_threads(n_threads: int) -> Iterator[None]:
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


def _compare(args) -> int:
    n_jobs = _check_n_jobs(args.n_jobs)
    check_outputs(
        inputs={"--csv": args.csv, "--test-csv": args.test_csv},
        outputs={"--output": args.output, "--plot": args.plot},
    )
    _check_plot_format(args.plot)
    from . import _compare_checks as checks

    # Check everything compare_models would check before saying what runs.
    with_vectors = args.vectors is not None
    names = None
    if args.models is not None:
        names = checks.check_model_names(args.models, with_vectors)
    checks.check_metrics(args.scoring)
    X, y, X_test, y_test, source = _load_data(args)
    X, y = checks.check_data(X, y, "" if X_test is None else "Training data")
    everything = checks.MODEL_NAMES + (
        checks.VECTOR_MODEL_NAMES if with_vectors else ()
    )
    n_models = len(names or everything)
    if with_vectors:
        _check_vectors(args, names)
    unseen = None
    if X_test is None:
        splits = checks.check_folds(args.cv, X, y, args.seed)
        n_fits = len(splits) * n_models
        plan = (
            f"on {len(X)} documents from {source}: {args.cv}-fold "
            f"cross-validation, {n_fits} fits."
        )
    else:
        X_test, y_test = checks.check_data(X_test, y_test, "Test data")
        n_fits = n_models
        plan = (
            f"trained on {len(X)} documents from {source}, scored on "
            f"{len(X_test)} from {args.test_csv}."
        )
        unseen = checks.unseen_classes(y, y_test)
        if unseen is not None:  # one line of ours instead of Python's two
            print(f"{PROG}: warning: {unseen}", file=sys.stderr, flush=True)
    common = dict(scoring=args.scoring, random_state=args.seed)
    common["n_jobs"] = _cap_n_jobs(args, n_jobs, n_fits)
    common["progress"] = False if args.quiet else None

    with (
        _torch_threads(args.torch_threads),
        warnings.catch_warnings(record=True) as said,
    ):
        from . import compare

        if unseen is not None:
            warnings.filterwarnings("ignore", re.escape(unseen), UserWarning)
        models = compare._check_models(names, args.seed, args.max_epochs, args.vectors)
        _info(args, f"Comparing {len(models)} model(s) {plan}")
        try:
            if X_test is None:
                result = compare.compare_models(X, y, models, cv=splits, **common)
            else:
                result = compare.evaluate_holdout(
                    X, y, X_test, y_test, models, **common
                )
        except compare.IncompleteComparisonError as stopped:
            _print_warnings(said)
            return _report_incomplete(args, stopped, list(models))
    _print_warnings(said)
    _print_table(result.to_string())
    _write_outputs(args, result)
    return 0


def _print_warnings(said) -> None:
    """One line per warning (or per model and kind, see ``fit_warning_lines``),
    not Python's two, the second being a line of the library's source."""
    from ._runner import fit_warning_lines

    for line in fit_warning_lines(said):
        print(f"{PROG}: warning: {line}", file=sys.stderr, flush=True)


def _report_incomplete(args, stopped, names: list[str]) -> int:
    """Keep what finished before memory ran out; say what failed; status 1."""
    import pandas as pd

    result = stopped.result
    note = _one_line(stopped)
    if result is not None:
        _print_table(result.to_string())
        table = result.to_frame().assign(note="")
        missing = [name for name in names if name not in table.index]
        unfinished = pd.DataFrame({"note": f"not finished: {note}"}, index=missing)
        _write_outputs(args, result, pd.concat([table, unfinished]))
    print(f"{PROG}: error: {note}", file=sys.stderr)
    return 1


def _write_outputs(args, result, table=None) -> None:
    """Write --output (``table``, by default the result's) and --plot."""
    if args.output is not None:
        table = result.to_frame() if table is None else table
        with atomic_output(args.output, "--output") as temporary:
            table.to_csv(temporary)
        _info(args, f"Wrote the table to {args.output}.")
    if args.plot is not None:
        from .plotting import plot_comparison

        figure = plot_comparison(result)
        with atomic_output(args.plot, "--plot") as temporary:
            figure.savefig(temporary, dpi=150, format=_suffix(args.plot))
        _info(args, f"Wrote the figure to {args.plot}.")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sklearn-rnn`` command line.

    Parameters
    ----------
    argv : sequence of str, default=None
        The arguments after the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 2 on bad input or usage (after a one-line
        ``sklearn-rnn: error: ...`` on stderr), 1 when a fit ran out of
        memory (the models that had finished are printed and written to
        ``--output``, the others listed there with a note), 130 when
        interrupted.

    Notes
    -----
    ``--torch-threads`` sets PyTorch's number of threads for the run only:
    the caller's setting is restored on return, also after an error, so
    that ``main`` can be called from another program.

    Examples
    --------
    >>> from sklearn_rnn.cli import main
    >>> main(["compare", "--n-samples", "60", "--cv", "3",
    ...       "--models", "bow_nb,hmm", "--quiet"])  # doctest: +ELLIPSIS
    model ... accuracy ... tied with best
    ...
    0
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.handler(args)
    except (_InputError, ValueError, OSError) as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
