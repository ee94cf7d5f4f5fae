"""The ``sklearn-rnn`` command line.

``sklearn-rnn compare`` (or ``python -m sklearn_rnn compare``) answers the
package's one question -- does a recurrent network beat the classic
approaches on my text? -- by cross-validating the default models on the same
folds and printing a table sorted by score::

    sklearn-rnn compare                               # built-in demo data
    sklearn-rnn compare --csv reviews.csv --cv 10
    sklearn-rnn compare --csv train.csv --test-csv test.csv --models bow_nb,gru

``sklearn-rnn fit`` trains one of these models and saves it (``_cli_model.py``,
as ``compare --save-best`` does for the best one); ``predict``, ``evaluate``
(``_cli_predict.py``) and ``explain`` (``_cli_explain.py``) use the saved
file (``_saved_model.py``).

Bad input (a missing file or column, an empty file or text, an unknown model
name, a class with fewer documents than folds, an output that would
overwrite an input, ...) ends with a one-line ``sklearn-rnn: error: ...`` on
stderr and exit status 2. All of it is checked before PyTorch is imported
and before any model is fitted; the outputs are then written atomically, or
in place when they are not regular files (``_cli_files.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import warnings
from collections.abc import Sequence

from . import __version__
from ._cli_common import (
    PROG,
    InputError,
    add_data_columns,
    add_torch_threads,
    comma_list,
    info,
    int_at_least,
    one_line,
    print_warnings,
    torch_threads,
    warn,
)
from ._cli_files import STDOUT, check_outputs, open_output, same_file

# Only the standard library is imported up front: ``--help`` and bad
# arguments must answer at once. The data are read and checked with pandas
# and scikit-learn, and PyTorch is imported last, when the models are built.
# The commands that train, apply and explain saved models are in
# ``_cli_model.py``, ``_cli_predict.py`` and ``_cli_explain.py``.

__all__ = ["main"]

#: Size of the built-in demo corpus and epoch cap of the recurrent models:
#: the default run (6 models x 5 folds) takes about one minute on two busy
#: CPU cores, and the LSTM and GRU get enough data to learn word order.
DEFAULT_N_SAMPLES = 4000
DEFAULT_MAX_EPOCHS = 15

#: Ends the message of too many classes.
LABEL_HINT = " Is --label-column the column of the classes?"


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
            "--vectors also rnn_vectors, lstm_vectors, gru_vectors; by name "
            "only, stack_bow (bag-of-words models stacked on out-of-fold "
            "probabilities) and stack_bow_lstm (the same with the LSTM).  "
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
    add_data_columns(data, "--csv and --test-csv")
    data.add_argument(
        "--test-csv",
        metavar="PATH",
        help="score on this held-out file, training on all of --csv, instead "
        "of cross-validating",
    )
    data.add_argument(
        "--n-samples",
        type=int_at_least(2),
        metavar="N",
        help="size of the built-in data set (default: "
        f"{DEFAULT_N_SAMPLES}); not with --csv",
    )
    models = compare.add_argument_group("models and evaluation")
    models.add_argument(
        "--models",
        type=comma_list,
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
        type=int_at_least(2),
        default=5,
        metavar="K",
        help="number of stratified folds (default: 5)",
    )
    models.add_argument(
        "--scoring",
        type=comma_list,
        default=["accuracy", "f1_macro"],
        metavar="METRICS",
        help="comma-separated scikit-learn metric names; the first ranks the "
        "models (default: accuracy,f1_macro)",
    )
    models.add_argument(
        "--max-epochs",
        type=int_at_least(1),
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
    add_torch_threads(models)
    output = compare.add_argument_group("output")
    output.add_argument(
        "--output",
        metavar="PATH",
        help="also write the table (numbers, one row per model) to this CSV "
        "file; - writes it to standard output instead of the printed table",
    )
    output.add_argument(
        "--plot",
        metavar="PATH",
        help="save a figure of the per-fold scores (.png, .pdf, .svg, ...)",
    )
    output.add_argument(
        "--save-best",
        metavar="PATH",
        help="fit the best model again on all of --csv (or the built-in data) "
        "and save it to this file, for sklearn-rnn predict",
    )
    output.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="print only the table: no progress bar or messages",
    )
    compare.set_defaults(handler=_compare)
    from . import _cli_explain, _cli_model, _cli_predict

    _cli_model.add_commands(commands)
    _cli_predict.add_commands(commands)
    _cli_explain.add_commands(commands)
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
        raise InputError(
            f"--plot: cannot save a figure as '{path}'; use one of the "
            f"extensions {', '.join('.' + s for s in sorted(supported))}."
        )


def _load_data(args) -> tuple:
    """Training texts and labels, test texts and labels (or None), a label."""
    from .datasets import load_text_csv, make_order_sentiment

    if args.csv is None:
        if args.test_csv is not None:
            raise InputError("--test-csv needs --csv, the training file.")
        n_samples = args.n_samples or DEFAULT_N_SAMPLES
        X, y = make_order_sentiment(n_samples, random_state=args.seed)
        return X, y, None, None, f"make_order_sentiment({n_samples})"
    if args.n_samples is not None:
        raise InputError("--n-samples applies to the built-in data, not --csv.")
    if args.test_csv is not None and same_file(args.csv, args.test_csv):
        raise InputError(
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
        raise InputError("--vectors is given but no *_vectors model is in --models.")
    if not os.path.isfile(args.vectors):
        raise InputError(f"--vectors: no file at {args.vectors!r}.")
    info(args, f"Reading the vectors in {args.vectors} ...")
    vectors = resolve_vectors(args.vectors)
    info(args, f"{len(vectors)} vectors of dimension {vectors.dim}.")


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
        raise InputError(
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
        info(
            args,
            f"--n-jobs {n_jobs}: using {capped} processes ({n_fits} fits, "
            f"{cores} cores).",
        )
    return capped


def _compare(args) -> int:
    n_jobs = _check_n_jobs(args.n_jobs)
    check_outputs(
        inputs={
            "--csv": args.csv,
            "--test-csv": args.test_csv,
            "--vectors": args.vectors,
        },
        outputs={
            "--output": args.output,
            "--plot": args.plot,
            "--save-best": args.save_best,
        },
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
    checks.check_class_count(y, LABEL_HINT)
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
            warn(unseen)
    common = dict(scoring=args.scoring, random_state=args.seed)
    common["n_jobs"] = _cap_n_jobs(args, n_jobs, n_fits)
    common["progress"] = False if args.quiet else None

    with (
        torch_threads(args.torch_threads),
        warnings.catch_warnings(record=True) as said,
    ):
        from . import compare

        if unseen is not None:
            warnings.filterwarnings("ignore", re.escape(unseen), UserWarning)
        models = compare._check_models(names, args.seed, args.max_epochs, args.vectors)
        info(args, f"Comparing {len(models)} model(s) {plan}")
        try:
            if X_test is None:
                result = compare.compare_models(X, y, models, cv=splits, **common)
            else:
                result = compare.evaluate_holdout(
                    X, y, X_test, y_test, models, **common
                )
        except compare.IncompleteComparisonError as stopped:
            print_warnings(said)
            return _report_incomplete(args, stopped, list(models))
    print_warnings(said)
    if args.output != STDOUT:
        _print_table(result.to_string())
    _write_outputs(args, result)
    if args.save_best is not None:
        from ._cli_model import save_best

        save_best(args, models[result.best], X, y, result.best, source)
    return 0


def _report_incomplete(args, stopped, names: list[str]) -> int:
    """Keep what finished before memory ran out; say what failed; status 1."""
    import pandas as pd

    result = stopped.result
    note = one_line(stopped)
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
        with open_output(args.output, "--output") as file:
            table.to_csv(file)
        info(args, f"Wrote the table to {args.output}.")
    if args.plot is not None:
        from .plotting import plot_comparison

        figure = plot_comparison(result)
        with open_output(args.plot, "--plot", binary=True) as file:
            figure.savefig(file, dpi=150, format=_suffix(args.plot))
        info(args, f"Wrote the figure to {args.plot}.")


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
    except (InputError, ValueError, OSError) as exc:
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
