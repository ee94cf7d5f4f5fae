"""LSTMClassifier and GRUClassifier: RNNClassifier with another default cell.

Each preset's ``__init__`` is RNNClassifier's own code with another keyword
default, so the parameters are written once, ``get_params`` sees them all,
and ``help()`` and the API page show every one of them with its default.
"""

from __future__ import annotations

import re
import types

from .classifier import RNNClassifier

__all__ = ["LSTMClassifier", "GRUClassifier"]

_CELL_LINE = re.compile(r'^( *cell : \{.*\}, default=)"lstm"$', re.MULTILINE)


def _docstring(cls_name: str, cell: str, summary: str) -> str:
    """RNNClassifier's docstring with this preset's summary, default and example."""
    base = RNNClassifier.__doc__
    body = base[base.index("\n") :]  # from the end of the summary line on
    body = _CELL_LINE.sub(rf'\1"{cell}"', body)
    body = body[: body.index("    Examples\n")]
    return (
        f"{summary}{body}"
        "    Examples\n"
        "    --------\n"
        f"    >>> from sklearn_rnn import {cls_name}\n"
        f"    >>> {cls_name}().cell\n"
        f"    '{cell}'\n"
    )


def _preset(cls_name: str, cell: str, summary: str) -> type:
    """A subclass of RNNClassifier whose only change is the default ``cell``."""
    base_init = RNNClassifier.__init__
    init = types.FunctionType(
        base_init.__code__, base_init.__globals__, "__init__", base_init.__defaults__
    )
    init.__kwdefaults__ = {**base_init.__kwdefaults__, "cell": cell}
    init.__annotations__ = base_init.__annotations__
    init.__qualname__ = f"{cls_name}.__init__"
    return type(
        cls_name,
        (RNNClassifier,),
        {
            "__init__": init,
            "__doc__": _docstring(cls_name, cell, summary),
            "__module__": __name__,
        },
    )


LSTMClassifier = _preset(
    "LSTMClassifier",
    "lstm",
    'LSTM text classifier: :class:`RNNClassifier` with ``cell="lstm"``.',
)

GRUClassifier = _preset(
    "GRUClassifier",
    "gru",
    'GRU text classifier: :class:`RNNClassifier` with ``cell="gru"``.',
)
