"""Fitted estimators stored as plain data, so that loading them runs no code.

skorch pickles a network's module, loss and optimizer into bytes of their
own and unpickles them on load, so a file holding a skorch network runs
whatever those bytes say, through skops as well as through pickle. The
networks here (:class:`PlainStateMixin`) are stored as their weights and
optimizer state in numpy arrays, and built anew on load; so is the
character generator's network. The same state serves ``pickle``,
``copy.deepcopy`` and skops: an estimator loaded either way predicts as
before and trains on with ``warm_start`` where it stopped.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
from skorch.utils import get_map_location

__all__: list[str] = []


# -- networks as plain data ----------------------------------------------------------
def to_arrays(tree):
    """``tree`` (nested dicts, lists and tuples) with each tensor a numpy array."""
    return _map_leaves(tree, torch.Tensor, lambda tensor: tensor.detach().cpu().numpy())


def to_tensors(tree):
    """``tree`` (nested dicts, lists and tuples) with each numpy array a tensor."""
    return _map_leaves(tree, np.ndarray, torch.from_numpy)


def _map_leaves(tree, kind: type, fn: Callable):
    if isinstance(tree, kind):
        return fn(tree)
    if isinstance(tree, dict):
        return {key: _map_leaves(value, kind, fn) for key, value in tree.items()}
    if isinstance(tree, list | tuple):
        return type(tree)(_map_leaves(value, kind, fn) for value in tree)
    return tree


#: Stored in place of ``print`` as a callback's ``sink``.
_PRINT = "print"

#: The key of a network's state that holds its tensors as numpy arrays.
_ARRAYS = "plain_arrays_"


def print_as_name(callbacks, copies: dict | None = None):
    """skorch's ``callbacks`` (callbacks or ``(name, callback)`` pairs) with
    each callback whose ``sink`` is ``print`` copied, the sink the name
    ``"print"``; :func:`print_by_name` undoes it.

    skorch's callbacks print by default; a stored ``builtins.print`` would
    be one more callable to trust. ``copies`` (by ``id``) makes one copy of
    a callback that several lists hold.
    """
    if not isinstance(callbacks, list):  # None or "disable"
        return callbacks
    copies = {} if copies is None else copies

    def swap(callback):
        if getattr(callback, "sink", None) is not print:
            return callback
        if id(callback) not in copies:
            copies[id(callback)] = copy.copy(callback)
            copies[id(callback)].sink = _PRINT
        return copies[id(callback)]

    return [(i[0], swap(i[1])) if isinstance(i, tuple) else swap(i) for i in callbacks]


def print_by_name(callbacks) -> None:
    """Give the callbacks of :func:`print_as_name` their ``print`` back."""
    for item in callbacks if isinstance(callbacks, list) else []:
        callback = item[1] if isinstance(item, tuple) else item
        sink = getattr(callback, "sink", None)
        if isinstance(sink, str) and sink == _PRINT:
            callback.sink = print


class PlainStateMixin:
    """Store a skorch network as plain data rather than as pickled bytes.

    skorch's own ``__getstate__`` pickles the module, criterion and optimizer
    into bytes that its ``__setstate__`` unpickles without restriction: a
    file holding a skorch network runs whatever those bytes say on load,
    through skops as through pickle. With this mixin (before skorch's class
    in the bases) they are stored as their state dicts, each tensor as a
    numpy array, as are the tensors among the network's parameters (class
    weights, an embedding matrix); on load they are built from the network's
    parameters and given their saved state. skorch's setters of virtual
    parameters (``functools.partial`` objects) are made anew instead of
    stored, and a callback's ``sink=print`` is stored as the name
    ``"print"``. A network loaded this way predicts as before and trains on
    (``partial_fit``) where it stopped, with its optimizer state.
    """

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("virtual_params_", None)
        components = [name for name in self.cuda_dependent_attributes_ if name in state]
        arrays = {name: state.pop(name).state_dict() for name in components}
        for key, value in list(state.items()):
            if isinstance(value, torch.Tensor):
                arrays[key] = state.pop(key)
        state[_ARRAYS] = to_arrays(arrays)
        copies = {}  # one copy per callback, shared by the lists holding it
        for key in ("callbacks", "callbacks_"):
            state[key] = print_as_name(state.get(key), copies)
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        tensors = to_tensors(state.pop(_ARRAYS))
        for key in ("callbacks", "callbacks_"):
            print_by_name(state.get(key))
        self.__dict__.update(state, initialized_=False)  # no "re-initializing"
        components = {
            name: tensors.pop(name)
            for name in self.cuda_dependent_attributes_
            if name in tensors
        }
        self.__dict__.update(tensors)
        self.device = self._check_device(self.device, get_map_location(self.device))
        with torch.random.fork_rng(devices=[]):  # building draws random weights
            self._initialize_virtual_params()
            if components:
                self._initialize_module()
                self._initialize_criterion()
                self._initialize_optimizer()
        for name, values in components.items():
            getattr(self, name).load_state_dict(values)
        self.initialized_ = state.get("initialized_", False)
