"""Recurrent neural networks for text as first-class scikit-learn estimators.

The public names are imported on first use (PEP 562): ``import sklearn_rnn``
does not import PyTorch, so that the command line starts fast, while
``from sklearn_rnn import LSTMClassifier`` and ``sklearn_rnn.compare_models``
work as with eager imports. Static type checkers read the same names from
the ``TYPE_CHECKING`` imports below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what static checkers and IDEs read; equal to the map below
    from ._data import TruncationWarning  # noqa: F401
    from ._explain import explain  # noqa: F401
    from ._result import ComparisonResult  # noqa: F401
    from .baselines import make_bow_pipeline  # noqa: F401
    from .classifier import RNNClassifier  # noqa: F401
    from .compare import (  # noqa: F401
        compare_models,
        default_models,
        evaluate_holdout,
        stacked_model,
    )
    from .generator import CharRNNGenerator  # noqa: F401
    from .hmm import HMMClassifier, HMMTagger, make_hmm_pipeline  # noqa: F401
    from .language_model import RNNLanguageModel  # noqa: F401
    from .plotting import plot_comparison  # noqa: F401
    from .presets import GRUClassifier, LSTMClassifier, make_rnn_pipeline  # noqa: F401
    from .seq2seq import RNNSeq2Seq  # noqa: F401
    from .stats import corrected_ttest  # noqa: F401
    from .tagger import RNNTagger  # noqa: F401
    from .text import SequencePadder, VocabularyIndexer  # noqa: F401
    from .vectors import WordVectors, load_word_vectors  # noqa: F401

__version__ = "0.3.0.dev0"

#: Public name -> the submodule that defines it, in the order of ``__all__``.
_SUBMODULE_OF = {
    "VocabularyIndexer": "text",
    "SequencePadder": "text",
    "TruncationWarning": "_data",
    "WordVectors": "vectors",
    "load_word_vectors": "vectors",
    "RNNClassifier": "classifier",
    "LSTMClassifier": "presets",
    "GRUClassifier": "presets",
    "make_rnn_pipeline": "presets",
    "HMMClassifier": "hmm",
    "make_bow_pipeline": "baselines",
    "make_hmm_pipeline": "hmm",
    "ComparisonResult": "_result",
    "compare_models": "compare",
    "corrected_ttest": "stats",
    "default_models": "compare",
    "evaluate_holdout": "compare",
    "stacked_model": "compare",
    "plot_comparison": "plotting",
    "RNNTagger": "tagger",
    "HMMTagger": "hmm",
    "CharRNNGenerator": "generator",
    "RNNLanguageModel": "language_model",
    "RNNSeq2Seq": "seq2seq",
    "explain": "_explain",
}

__all__ = list(_SUBMODULE_OF)


def __getattr__(name: str):
    """Import a public name from its submodule on first access."""
    try:
        submodule = _SUBMODULE_OF[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{submodule}", __name__), name)
    globals()[name] = value  # later accesses skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
