"""``sklearn-rnn predict`` and ``sklearn-rnn evaluate``: a saved model applied
to new documents, and scored on a labelled file.

``predict`` streams its input: it reads ``--chunk-size`` rows of the CSV
file (or lines of standard input) at a time, predicts them and writes them
out, so that its memory is the model's, plus one chunk, however long the
file. Both commands check the model file (``_saved_model.py``) and their
inputs and outputs before any prediction, and write ``--output`` whole or
not at all (``_cli_files.py``).
"""

from __future__ import annotations

import itertools
import sys

from ._cli_common import PROG, InputError, info, int_at_least, warn
from ._cli_files import STDOUT, check_outputs, open_output

__all__ = ["add_commands"]

#: Rows predicted at a time: with texts of a few kB, a few MB per chunk.
DEFAULT_CHUNK_SIZE = 1000


def add_commands(commands) -> None:
    predict = commands.add_parser(
        "predict",
        help="label new documents with a saved model",
        description=(
            "Predict the class of every document of a CSV file (or of every "
            "line of standard input, given as -) with a model saved by "
            "sklearn-rnn fit or compare --save-best, and write a CSV file: the "
            "input's columns and a prediction column (for standard input, the "
            "prediction alone), with --proba or --top-k the probabilities. The "
            "input is read in chunks, so memory does not grow with its length."
        ),
        epilog=(
            "examples: sklearn-rnn predict --model lstm.skops --csv new.csv "
            "--output labelled.csv;  echo 'a fine film' | sklearn-rnn predict "
            "--model lstm.skops - --top-k 2"
        ),
    )
    predict.add_argument(
        "input",
        nargs="?",
        choices=[STDOUT],
        metavar="-",
        help="read one document per line from standard input instead of --csv",
    )
    _add_model(predict)
    predict.add_argument(
        "--csv",
        metavar="PATH",
        help="CSV file with a header row, one document per row",
    )
    _add_text_column(predict)
    predict.add_argument(
        "--output",
        default=STDOUT,
        metavar="PATH",
        help="the CSV file to write (default: -, standard output)",
    )
    scores = predict.add_mutually_exclusive_group()
    scores.add_argument(
        "--proba",
        action="store_true",
        help="add a column proba_CLASS of each class's probability",
    )
    scores.add_argument(
        "--top-k",
        type=int_at_least(1),
        metavar="K",
        help="add the K most probable classes and their probabilities, as "
        "columns label_1, proba_1, ..., label_K, proba_K",
    )
    predict.add_argument(
        "--chunk-size",
        type=int_at_least(1),
        default=DEFAULT_CHUNK_SIZE,
        metavar="N",
        help=f"documents read and predicted at a time (default: {DEFAULT_CHUNK_SIZE})",
    )
    _add_quiet(predict)
    predict.set_defaults(handler=_predict)

    evaluate = commands.add_parser(
        "evaluate",
        help="score a saved model on a labelled CSV file",
        description=(
            "Score a saved model on a labelled CSV file: accuracy with its 95% "
            "Wilson interval, macro-F1, precision, recall and F1 of each class, "
            "and the confusion matrix."
        ),
        epilog="example: sklearn-rnn evaluate --model lstm.skops --csv test.csv",
    )
    _add_model(evaluate)
    evaluate.add_argument(
        "--csv",
        required=True,
        metavar="PATH",
        help="labelled CSV file with a header row, one document per row",
    )
    _add_text_column(evaluate)
    evaluate.add_argument(
        "--label-column",
        metavar="NAME",
        help="column of --csv holding the labels (default: the training file's)",
    )
    evaluate.add_argument(
        "--output",
        metavar="PATH",
        help="also write the scores to this CSV file: one row per class "
        "(precision, recall, f1, support, the confusion matrix's row), then "
        "macro avg and accuracy (with ci_low, ci_high)",
    )
    _add_quiet(evaluate)
    evaluate.set_defaults(handler=_evaluate)


def _add_model(parser) -> None:
    parser.add_argument(
        "--model",
        required=True,
        metavar="PATH",
        help="a model file of sklearn-rnn fit --save or compare --save-best",
    )


def _add_text_column(parser) -> None:
    parser.add_argument(
        "--text-column",
        metavar="NAME",
        help="column of --csv holding the texts (default: the training file's)",
    )


def _add_quiet(parser) -> None:
    parser.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no messages or progress, only errors and warnings",
    )


def load_checked(path: str):
    """The model and record of a model file; a warning line when the
    libraries' versions changed since it was saved."""
    from ._saved_model import library_changes, load_model

    model, record = load_model(path)
    changed = library_changes(record)
    if changed is not None:
        warn(f"--model '{path}': {changed}")
    return model, record


# -- predict ---------------------------------------------------------------------


def _stdin_chunks(size: int):
    """Chunks of ``size`` lines of standard input, as frames of one column."""
    import pandas as pd

    lines = (line.rstrip("\r\n") for line in sys.stdin)
    while chunk := list(itertools.islice(lines, size)):
        yield pd.DataFrame({"text": chunk})


def _csv_chunks(path: str, size: int, column: str):
    import pandas as pd

    from .datasets._csv import check_file, csv_errors

    check_file(path)
    with csv_errors(path):
        reader = pd.read_csv(path, chunksize=size, keep_default_na=False, dtype=str)
    with reader, csv_errors(path):
        for chunk in filter(len, reader):  # a file of a header only: one empty
            if column not in chunk.columns:
                raise InputError(
                    f"Column {column!r} not found in '{path}'; available columns: "
                    f"{list(map(str, chunk.columns))}."
                )
            yield chunk


def _scores(model, texts: list[str], proba: bool, top_k: int | None, classes):
    """The prediction and probability columns of one chunk, by name."""
    import numpy as np

    from ._base import SoftmaxPredictMixin, final_estimator

    if not proba and top_k is None:
        return {"prediction": model.predict(texts)}
    probabilities = model.predict_proba(texts)
    if isinstance(final_estimator(model), SoftmaxPredictMixin):  # predict: argmax
        columns = {"prediction": classes[probabilities.argmax(axis=1)]}
    else:
        columns = {"prediction": model.predict(texts)}
    if proba:
        for i, label in enumerate(classes):
            columns[f"proba_{label}"] = probabilities[:, i]
        return columns
    best = np.argsort(-probabilities, axis=1, kind="stable")[:, :top_k]
    for k in range(top_k):
        columns[f"label_{k + 1}"] = classes[best[:, k]]
        columns[f"proba_{k + 1}"] = np.take_along_axis(
            probabilities, best[:, k : k + 1], axis=1
        )[:, 0]
    return columns


def _predict(args) -> int:
    if (args.csv is None) == (args.input is None):
        raise InputError(
            "predict reads either --csv PATH or - (standard input, one document "
            "per line); give one of them."
        )
    check_outputs(
        inputs={"--csv": args.csv, "--model": args.model},
        outputs={"--output": args.output},
    )
    from ._saved_model import read_record

    record = read_record(args.model)
    n_classes = len(record["classes"])
    if args.top_k is not None and args.top_k > n_classes:
        raise InputError(
            f"--top-k {args.top_k}: the model knows only {n_classes} classes."
        )
    column = args.text_column or record["text_column"]
    if args.csv is not None:
        chunks = _csv_chunks(args.csv, args.chunk_size, column)
        source = args.csv
    else:
        chunks, column, source = _stdin_chunks(args.chunk_size), "text", "stdin"
    first = next(chunks, None)  # checked before the model loads
    if first is None:
        raise InputError(f"The input {source} holds no documents.")
    ours = {"prediction", *(f"label_{k + 1}" for k in range(args.top_k or 0))}
    clash = sorted(ours & set(first.columns)) if args.csv is not None else []
    if clash:
        raise InputError(
            f"{source} already has a column {clash[0]!r}, which the output adds; "
            "rename it."
        )
    model, record = load_checked(args.model)
    import numpy as np
    import pandas as pd

    from .datasets._csv import MAX_TEXT_LENGTH, check_cell_lengths

    classes = np.asarray(model.classes_)
    progress = sys.stderr.isatty() and not args.quiet
    done = 0
    with open_output(args.output, "--output") as file:
        for chunk in itertools.chain([first], chunks):
            check_cell_lengths(chunk[column], MAX_TEXT_LENGTH, "text", source, done)
            texts = chunk[column].tolist()
            scores = _scores(model, texts, args.proba, args.top_k, classes)
            out = pd.DataFrame(scores, index=chunk.index)
            if args.csv is not None:
                out = pd.concat([chunk, out], axis=1)
            out.to_csv(file, index=False, header=done == 0)
            done += len(chunk)
            if progress:
                print(f"\r{PROG}: {done:,} documents", end="", file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    if args.output != STDOUT:
        info(args, f"Wrote {done:,} predictions to {args.output}.")
    return 0


# -- evaluate --------------------------------------------------------------------


def _evaluate(args) -> int:
    check_outputs(
        inputs={"--csv": args.csv, "--model": args.model},
        outputs={"--output": args.output},
    )
    from ._saved_model import read_record

    record = read_record(args.model)
    text_column = args.text_column or record["text_column"]
    label_column = args.label_column or record["label_column"]
    from . import _compare_checks as checks
    from .datasets import load_text_csv

    X, y = load_text_csv(args.csv, text_column, label_column)
    X, y = checks.check_data(X, y, "Test data")
    model, record = load_checked(args.model)
    import numpy as np

    unseen = checks.unseen_classes(np.asarray(model.classes_), y)
    if unseen is not None:
        warn(unseen.replace("every model gets", "the model gets"))
    predicted = model.predict(X)
    table, summary = _scores_table(y, predicted, model.classes_)
    _print_report(args, summary, table, len(X))
    if args.output is not None:
        with open_output(args.output, "--output") as file:
            table.to_csv(file, index_label="class")
        info(args, f"Wrote the scores to {args.output}.")
    return 0


def _scores_table(y, predicted, model_classes):
    """Per-class scores and confusion counts, with macro avg and accuracy rows."""
    import numpy as np
    import pandas as pd
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    from .stats import wilson_interval

    classes = list(model_classes) + sorted(
        set(np.unique(y).tolist()) - set(np.asarray(model_classes).tolist()), key=str
    )
    precision, recall, f1, support = precision_recall_fscore_support(
        y, predicted, labels=classes, zero_division=0
    )
    names = [str(c) for c in classes]
    table = pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1, "support": support},
        index=pd.Index(names, name="class"),
    )
    counts = confusion_matrix(y, predicted, labels=classes)
    confusion = pd.DataFrame(
        counts, index=table.index, columns=[f"predicted {c}" for c in names]
    )
    present = support > 0
    correct = int((np.asarray(y) == np.asarray(predicted)).sum())
    low, high = wilson_interval(correct, len(y))
    summary = {
        "accuracy": correct / len(y),
        "ci_low": low,
        "ci_high": high,
        "f1_macro": float(f1[present].mean()),
    }
    rows = pd.DataFrame(
        {
            "precision": [precision[present].mean(), np.nan],
            "recall": [recall[present].mean(), np.nan],
            "f1": [summary["f1_macro"], summary["accuracy"]],
            "support": [len(y), len(y)],
            "ci_low": [np.nan, low],
            "ci_high": [np.nan, high],
        },
        index=pd.Index(["macro avg", "accuracy"], name="class"),
    )
    table = pd.concat([table.join(confusion), rows])
    return table.astype({column: "Int64" for column in confusion.columns}), summary


def _print_report(args, summary: dict, table, n: int) -> None:
    per_class = table.drop(index=["macro avg", "accuracy"])
    scores = per_class[["precision", "recall", "f1", "support"]]
    confusion = per_class.filter(like="predicted ")
    confusion.columns = [c.removeprefix("predicted ") for c in confusion.columns]
    print(
        f"accuracy  {summary['accuracy']:.3f}  (95% Wilson interval "
        f"{summary['ci_low']:.3f}-{summary['ci_high']:.3f}, {n} documents)\n"
        f"macro-F1  {summary['f1_macro']:.3f}\n\n"
        f"{scores.to_string(float_format=lambda v: f'{v:.3f}')}\n\n"
        "confusion matrix (rows: true class, columns: predicted class)\n"
        f"{confusion.astype(int).to_string()}",
        flush=True,
    )
