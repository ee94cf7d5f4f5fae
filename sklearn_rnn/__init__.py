"""Recurrent neural networks for text as first-class scikit-learn estimators."""

from ._data import TruncationWarning
from .baselines import make_bow_pipeline
from .classifier import RNNClassifier
from .compare import (
    ComparisonResult,
    compare_models,
    corrected_ttest,
    default_models,
    evaluate_holdout,
    plot_comparison,
)
from .generator import CharRNNGenerator
from .hmm import HMMClassifier, HMMTagger, make_hmm_pipeline
from .presets import GRUClassifier, LSTMClassifier, make_rnn_pipeline
from .tagger import RNNTagger
from .text import SequencePadder, VocabularyIndexer
from .vectors import WordVectors, load_word_vectors

__version__ = "0.1.0"

__all__ = [
    "VocabularyIndexer",
    "SequencePadder",
    "TruncationWarning",
    "WordVectors",
    "load_word_vectors",
    "RNNClassifier",
    "LSTMClassifier",
    "GRUClassifier",
    "make_rnn_pipeline",
    "HMMClassifier",
    "make_bow_pipeline",
    "make_hmm_pipeline",
    "ComparisonResult",
    "compare_models",
    "corrected_ttest",
    "default_models",
    "evaluate_holdout",
    "plot_comparison",
    "RNNTagger",
    "HMMTagger",
    "CharRNNGenerator",
]
