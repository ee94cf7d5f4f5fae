"""``sklearn-rnn explain``: which words of a document drove a saved model's
prediction (:func:`sklearn_rnn.explain`)."""

from __future__ import annotations

import sys
import warnings

from ._cli_common import InputError, print_warnings
from ._cli_files import check_outputs, open_output

__all__ = ["add_commands"]


def add_commands(commands) -> None:
    explain = commands.add_parser(
        "explain",
        help="show which words of a document drove a saved model's prediction",
        description=(
            "Score every token of one document by how much it pushed a saved "
            "model towards a class: integrated gradients on the embeddings for "
            "the recurrent models (needs Captum: pip install "
            '"sklearn-rnn[explain]"), the coefficients for bag of words, and '
            "for the others (HMM, stacks) the change in probability when the "
            "token is left out (occlusion). On a terminal the tokens are shaded "
            "green (towards the class) or red (against it); otherwise each "
            "token is printed with its score."
        ),
        epilog='example: sklearn-rnn explain --model lstm.skops "not a good film"',
    )
    explain.add_argument("text", help="the document")
    explain.add_argument(
        "--model",
        required=True,
        metavar="PATH",
        help="a model file of sklearn-rnn fit --save or compare --save-best",
    )
    explain.add_argument(
        "--target",
        metavar="CLASS",
        help="the class to explain (default: the predicted one)",
    )
    explain.add_argument(
        "--html",
        metavar="PATH",
        help="also write the shaded document as an HTML page",
    )
    explain.set_defaults(handler=_explain)


def _target(text: str | None, classes: list):
    """The class named ``text`` on the command line, as the model has it."""
    if text is None:
        return None
    for label in classes:
        if str(label) == text:
            return label
    raise ValueError(
        f"--target {text!r} is not a class of the model; its classes are "
        f"{', '.join(map(str, classes))}."
    )


def _explain(args) -> int:
    check_outputs(inputs={"--model": args.model}, outputs={"--html": args.html})
    from ._cli_predict import load_checked
    from ._saved_model import read_record

    target = _target(args.target, read_record(args.model)["classes"])
    model, _ = load_checked(args.model)
    from ._explain import explain

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        try:
            why = explain(model, args.text, target)  # a TruncationWarning, say
        except TypeError as exc:  # a kind of model explain does not read
            raise InputError(f"--model {args.model!r}: {exc}") from None
    print_warnings(said)
    print(f"{why.target} (probability {why.probability:.3f}, {why.method})")
    if sys.stdout.isatty():
        print(why.to_ansi())
    else:
        for token, score in zip(why.tokens, why.scores):
            print(f"{score:+.4f}\t{token}")
    if args.html is not None:
        with open_output(args.html, "--html") as file:
            file.write(why.to_html())
    return 0
