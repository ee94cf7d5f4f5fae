"""Hyperparameters as plain Python numbers inside ``fit``.

scipy's distributions and numpy grids (``np.logspace``, ``np.arange``) hand
parameters over as numpy scalars. Torch rejects some of them (``nn.LSTM``
wants an ``int`` hidden size), and an optimizer that keeps a numpy learning
rate writes a state that ``torch.load(weights_only=True)`` refuses. So every
``fit`` of the package runs under :func:`fit_context`: the parameters that
are numpy numbers are the equal Python numbers while it runs (validation
included), and are put back as given afterwards, so that ``get_params``,
``clone`` and the searches see exactly what the user set.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from sklearn.base import _fit_context

__all__ = ["fit_context", "python_number", "python_numbers", "plain_values"]


def python_number(value):
    """The Python number equal to a numpy number; anything else unchanged."""
    if isinstance(value, np.generic) and isinstance(value, (numbers.Number, np.bool_)):
        return value.item()
    return value


def plain_values(obj):
    """``obj`` with every numpy number inside its dicts, lists and tuples
    made a Python number (for states written with ``torch.save``)."""
    if isinstance(obj, dict):
        return {key: plain_values(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(plain_values(value) for value in obj)
    return python_number(obj)


@contextmanager
def python_numbers(estimator) -> Iterator[None]:
    """While the block runs, ``estimator``'s numpy-number parameters are the
    equal Python numbers; afterwards (also on error) they are as given."""
    given = {
        name: value
        for name, value in estimator.get_params(deep=False).items()
        if python_number(value) is not value
    }
    for name, value in given.items():
        setattr(estimator, name, python_number(value))
    try:
        yield
    finally:
        for name, value in given.items():
            setattr(estimator, name, value)


def fit_context(fit: Callable) -> Callable:
    """Decorate a ``fit`` method: plain numbers, then scikit-learn's
    parameter validation (``_fit_context``), then the fit itself."""
    validated = _fit_context(prefer_skip_nested_validation=True)(fit)

    @functools.wraps(fit)
    def wrapper(estimator, *args, **kwargs):
        with python_numbers(estimator):
            return validated(estimator, *args, **kwargs)

    return wrapper
