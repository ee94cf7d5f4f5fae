"""``sklearn-rnn fit``: train one model of the comparison on a CSV file and
save it; and the ``--save-best`` of ``sklearn-rnn compare``.

The model is one of :func:`~sklearn_rnn.default_models` (or of the
comparison's stacks) by name, seeded with
``--seed``; ``--set step__param=value`` changes its parameters, each name
checked against the pipeline's ``get_params`` and each value against the
step's parameter constraints before any fit. The file is a skops file with
a record of the versions, parameters, classes, columns and training file
(``_saved_model.py``), written whole or not at all.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import warnings

from ._cli_common import (
    InputError,
    add_data_columns,
    add_torch_threads,
    info,
    print_warnings,
    torch_threads,
)
from ._cli_files import check_outputs, open_output

__all__ = ["add_commands", "save_best"]


def _assignment(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def add_commands(commands) -> None:
    fit = commands.add_parser(
        "fit",
        help="train one model on a CSV file and save it",
        description=(
            "Train one of the models of sklearn-rnn compare on all of a CSV "
            "file and save it, with a record of the versions, parameters, "
            "classes, columns and a SHA-256 of the training file, for "
            "sklearn-rnn predict, evaluate and explain. The model has its "
            "own default parameters (compare caps the recurrent models at "
            "--max-epochs 15); --set changes them."
        ),
        epilog=(
            "example: sklearn-rnn fit --csv reviews.csv --model lstm --set "
            "classifier__hidden_size=64 --set classifier__max_epochs=20 "
            "--save lstm.skops"
        ),
    )
    data = fit.add_argument_group("data")
    data.add_argument(
        "--csv",
        required=True,
        metavar="PATH",
        help="CSV file with a header row, one document per row",
    )
    add_data_columns(data)
    model = fit.add_argument_group("model")
    model.add_argument(
        "--model",
        required=True,
        metavar="NAME",
        help="bow_logreg, bow_nb, hmm, rnn, lstm or gru; with --vectors also "
        "rnn_vectors, lstm_vectors or gru_vectors; or the stacks stack_bow "
        "and stack_bow_lstm",
    )
    model.add_argument(
        "--vectors",
        metavar="PATH",
        help="pretrained word vectors (GloVe, word2vec or fastText file, "
        "optionally gzipped) of the *_vectors models",
    )
    model.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the model (default: 0)",
    )
    model.add_argument(
        "--set",
        type=_assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a parameter of the pipeline, e.g. classifier__hidden_size=64 "
        "or vectorizer__ngram_range=(1,2); repeatable. The value is read as a "
        "Python literal (number, True, None, tuple, ...), else as a string",
    )
    add_torch_threads(model)
    output = fit.add_argument_group("output")
    output.add_argument(
        "--save",
        required=True,
        metavar="PATH",
        help="the model file to write (.skops by convention)",
    )
    output.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no messages, only errors and warnings",
    )
    fit.set_defaults(handler=_fit)


def _value(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def apply_settings(pipeline, settings: list[tuple[str, str]], name: str) -> None:
    """Set ``NAME=VALUE`` pairs on ``pipeline``; check names and values.

    An unknown name or a value the step's constraints refuse is an
    :class:`InputError` naming it.
    """
    known = pipeline.get_params(deep=True)
    for key, text in settings:
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise InputError(
                f"--set {key}: model {name!r} has no parameter {key!r}{hint} "
                f"Its parameters are named step__param, the steps being "
                f"{', '.join(_parts(pipeline))}."
            )
        pipeline.set_params(**{key: _value(text)})
    # every estimator inside: a pipeline's steps, a stack's members and theirs
    for step, estimator in pipeline.get_params(deep=True).items():
        if not hasattr(estimator, "_parameter_constraints"):
            continue
        try:
            estimator._validate_params()
        except (TypeError, ValueError) as exc:
            given = [f"{k}={t}" for k, t in settings if k.startswith(f"{step}__")]
            raise InputError(
                f"--set {', '.join(given) or step}: {' '.join(str(exc).split())}"
            ) from None


def _parts(model) -> list[str]:
    """The names of a model's parts: a pipeline's steps, a stack's members."""
    params = model.get_params(deep=True)
    return [
        key
        for key, value in params.items()
        if "__" not in key and hasattr(value, "get_params")
    ]


def _build(name: str, seed: int, vectors: str | None):
    from .compare import _check_models

    # the comparison's own builder, so the stacks named only on request work too
    return _check_models([name], seed, vectors=vectors)[name]


def _fit(args) -> int:
    check_outputs(
        inputs={"--csv": args.csv, "--vectors": args.vectors},
        outputs={"--save": args.save},
    )
    from . import _compare_checks as checks
    from .cli import LABEL_HINT
    from .datasets import load_text_csv

    checks.check_model_names([args.model], args.vectors is not None)
    if args.vectors is not None and not args.model.endswith("_vectors"):
        raise InputError(f"--vectors is given but --model {args.model} uses none.")
    X, y = load_text_csv(args.csv, args.text_column, args.label_column)
    X, y = checks.check_data(X, y)
    checks.check_class_count(y, LABEL_HINT)
    with torch_threads(args.torch_threads):
        model = _build(args.model, args.seed, args.vectors)
        apply_settings(model, args.set, args.model)
        info(args, f"Fitting {args.model} on {len(X)} documents from {args.csv} ...")
        _fit_and_save(args, model, X, y, args.model, args.csv, args.save, "--save")
    return 0


def _fit_and_save(args, model, X, y, name, source, path, option) -> None:
    """Fit ``model``, then write it and its record to ``path`` (``source``:
    the training file, or a description of the built-in data)."""
    from ._saved_model import make_record, save_model

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        model.fit(X, y)
    print_warnings(said)
    record = make_record(
        model,
        name=name,
        text_column=args.text_column,
        label_column=args.label_column,
        training_file=args.csv,
        source=source,
        n_documents=len(X),
        seed=args.seed,
    )
    with open_output(path, option, binary=True) as file:
        save_model(model, file, record)
    info(args, f"Saved {name} to {path}.")


def save_best(args, model, X, y, name: str, source: str) -> None:
    """``compare --save-best``: fit the best model (unfitted, as compared) on
    all of the training data, and save it."""
    from sklearn.base import clone

    info(args, f"Fitting {name}, the best model, on all {len(X)} documents ...")
    with torch_threads(args.torch_threads):
        _fit_and_save(
            args, clone(model), X, y, name, source, args.save_best, "--save-best"
        )
