"""Recurrent neural networks for text as first-class scikit-learn estimators.

The public names are imported on first use (PEP 562): ``import sklearn_rnn``
does not import PyTorch, so that the command line starts fast, while
``from sklearn_rnn import LSTMClassifier`` and ``sklearn_rnn.compare_models``
work as with eager imports.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

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
    "plot_comparison": "plotting",
    "RNNTagger": "tagger",
    "HMMTagger": "hmm",
    "CharRNNGenerator": "generator",
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
