"""Saving fitted estimators, and loading them without running a file's code.

Never unpickle a file you do not trust: ``pickle.load`` and ``joblib.load``
run whatever code the file names, before you can look at the estimator.
:func:`dump` and :func:`load` use :mod:`skops.io` (``pip install
"sklearn-rnn[persist]"``), whose files name the types they hold and are
loaded only when each of them is trusted; :data:`TRUSTED_TYPES` lists the
ones this package's estimators need.

That holds because the fitted estimators are stored as plain data. skorch
pickles a network's module, loss and optimizer into bytes of their own and
unpickles them on load, so a file holding a skorch network runs code through
skops as well as through pickle. The networks here (:class:`PlainStateMixin`)
are stored as their weights and optimizer state in numpy arrays, and built
anew on load; so is the character generator's network. The same state serves
``pickle``, ``copy.deepcopy`` and skops: an estimator loaded either way
predicts as before and trains on with ``warm_start`` where it stopped.
"""

from __future__ import annotations

import copy
import os
import zipfile
from collections.abc import Callable, Sequence

import numpy as np
import torch
from skorch.utils import get_map_location

__all__ = ["TRUSTED_TYPES", "dump", "load"]

#: The types that a file of :func:`dump` may hold beyond those skops trusts
#: by default (numpy arrays and scalars, scikit-learn's estimators, Python's
#: containers and literals), each one named, none a general-purpose callable:
#:
#: - this package's estimators and transformers, and the parts they keep:
#:   how token ids map to embedding rows (``RowPlan``), word vectors, the
#:   class-conditional HMM, the taggers' tokenisers (functions that split
#:   text), and the networks' data loader (a function of the package);
#: - the two skorch networks of this package, which are stored as plain
#:   data (:class:`PlainStateMixin`), never skorch's own ``skorch.NeuralNet``,
#:   whose pickled bytes would run code on load;
#: - the types of the networks' modules, loss and optimizers, torch's
#:   optimizers and cross-entropy loss (classes only: the weights are numpy
#:   arrays), and skorch's dataset class;
#: - the training record: skorch's history and the callbacks each network
#:   keeps (this package's and skorch's default ones), so that ``warm_start``
#:   trains on after loading; the early-stopping callback's file of best
#:   weights is not stored, only its (empty) holder;
#: - hmmlearn's HMM and its record of convergence, inside the HMM baselines
#:   (their log-likelihoods stored as a list: skops keeps none of the items
#:   of the ``collections.deque`` that holds them);
#: - what a :func:`~sklearn_rnn.stacked_model` keeps beyond its estimators:
#:   its inner folds (``StratifiedKFold``) and its members by name
#:   (scikit-learn's ``Bunch``, a dict).
#:
#: A model trained with callbacks or an optimizer of your own
#: (``callbacks=[...]``, ``optimizer=MyOptimizer``) needs their types too:
#: pass them to :func:`load` as ``extra_trusted`` once you have checked them.
TRUSTED_TYPES: tuple[str, ...] = (
    # estimators, transformers and what they keep
    "sklearn_rnn.classifier.RNNClassifier",
    "sklearn_rnn.presets.LSTMClassifier",
    "sklearn_rnn.presets.GRUClassifier",
    "sklearn_rnn.presets.PretrainingPipeline",
    "sklearn_rnn.text.VocabularyIndexer",
    "sklearn_rnn.text.SequencePadder",
    "sklearn_rnn.hmm.HMMClassifier",
    "sklearn_rnn.hmm.HMMTagger",
    "sklearn_rnn.tagger.RNNTagger",
    "sklearn_rnn.generator.CharRNNGenerator",
    "sklearn_rnn.language_model.RNNLanguageModel",
    "sklearn_rnn.seq2seq.RNNSeq2Seq",
    "sklearn_rnn.vectors.WordVectors",
    "sklearn_rnn._embedding.RowPlan",
    "sklearn_rnn._hmm.SmoothedCategoricalHMM",
    "sklearn_rnn._tagging.whole_token",
    "sklearn_rnn._tagging.whole_token_lower",
    "sklearn_rnn._data.make_loader",
    # the package's skorch networks, stored as plain data
    "sklearn_rnn._training.WeightedNetClassifier",
    "sklearn_rnn._training.PlainNet",
    # modules, loss and optimizers (types; the weights are arrays)
    "sklearn_rnn.nn.classifier.RecurrentClassifierModule",
    "sklearn_rnn.nn.tagger.TaggerModule",
    "sklearn_rnn.nn.tagger.TokenCrossEntropyLoss",
    "torch.nn.modules.loss.CrossEntropyLoss",
    "torch.optim.adam.Adam",
    "torch.optim.adamw.AdamW",
    "torch.optim.sgd.SGD",
    "torch.optim.rmsprop.RMSprop",
    "torch.optim.adagrad.Adagrad",
    "skorch.dataset.Dataset",
    # the training record: history and callbacks
    "skorch.history.History",
    "skorch.callbacks.logging.EpochTimer",
    "skorch.callbacks.logging.PrintLog",
    "skorch.callbacks.scoring.PassthroughScoring",
    "skorch.callbacks.regularization.GradientNormClipping",
    "sklearn_rnn._training.ValidAccuracy",
    "sklearn_rnn._guards.StopOnNonFiniteLoss",
    "sklearn_rnn._resources.ReportEpoch",
    "sklearn_rnn._resources.EarlyStoppingPastChance",
    "sklearn_rnn._resources.BestWeights",
    "sklearn_rnn._resources.EpochProgressBar",
    "sklearn_rnn._pretraining.SlantedTriangular",
    "sklearn_rnn._pretraining.GradualUnfreezing",
    # hmmlearn's models, inside the HMM baselines
    "hmmlearn.hmm.CategoricalHMM",
    "hmmlearn.base.ConvergenceMonitor",
    # the stacks of the comparison
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.utils._bunch.Bunch",
)


def _skops_io():
    try:
        import skops.io
    except ImportError as exc:
        raise ImportError(
            "Saving and loading with skops needs the skops package: pip install "
            '"sklearn-rnn[persist]" (or pip install skops).'
        ) from exc
    return skops.io


def dump(estimator, path: str | os.PathLike) -> None:
    """Save a fitted estimator or pipeline to a skops file.

    The file is a zip archive that :func:`load` reads without running code
    from it, deflated: a default :func:`~sklearn_rnn.make_rnn_pipeline`
    fitted on TREC-6 takes 13.8 MB instead of skops' uncompressed 16.0 MB,
    one with GloVe vectors 44.8 MB instead of 54.4 MB (see :ref:`persistence`).

    Parameters
    ----------
    estimator : object
        An estimator or pipeline, fitted or not.
    path : str or path-like
        The file to write (``.skops`` by convention).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_rnn import SequencePadder
    >>> from sklearn_rnn.persistence import dump, load
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     dump(SequencePadder(max_len=3), Path(folder) / "padder.skops")
    ...     load(Path(folder) / "padder.skops")
    SequencePadder(max_len=3)
    """
    _skops_io().dump(estimator, path, compression=zipfile.ZIP_DEFLATED)


def load(path: str | os.PathLike, *, extra_trusted: Sequence[str] = ()):
    """Load a skops file trusting :data:`TRUSTED_TYPES` and nothing else.

    A file that holds any other type is refused before anything in it is
    built; ``skops.io.get_untrusted_types(file=path)`` lists what it holds.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`dump` or by ``skops.io.dump``.
    extra_trusted : sequence of str, default=()
        Further types to trust, as ``"module.Name"``: your own callbacks or
        optimizer, once you have checked them.

    Returns
    -------
    estimator : object
        The estimator or pipeline saved.

    Raises
    ------
    skops.io.exceptions.UntrustedTypesFoundException
        When the file holds a type that is not trusted.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import skops.io
    >>> from sklearn_rnn.persistence import load
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "print.skops"
    ...     skops.io.dump({"sink": print}, path)
    ...     load(path)
    Traceback (most recent call last):
    ...
    skops.io.exceptions.UntrustedTypesFoundException: Untrusted types found in \
the file: ['builtins.print'].
    """
    trusted = [*TRUSTED_TYPES, *extra_trusted]
    return _skops_io().load(path, trusted=trusted)


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


class PlainModuleMixin:
    """Store an estimator's own torch network (``module_``) as plain data.

    For the estimators that train their network themselves rather than
    through skorch (the language models, the encoder-decoder): ``module_``
    is stored as its state dict in numpy arrays and built anew on load by
    the estimator's ``_build_network(_module_params)``, inside a forked
    random state (building draws weights), then given the saved weights.
    """

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: not our own __dict__
        if "module_" in state:
            state["module_"] = to_arrays(state["module_"].state_dict())
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if "module_" in state:
            with torch.random.fork_rng(devices=[]):  # building draws weights
                module = self._build_network(self._module_params)
            module.load_state_dict(to_tensors(state["module_"]))
            self.module_ = module.to(self.device).eval()


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
