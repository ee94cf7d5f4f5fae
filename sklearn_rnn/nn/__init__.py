"""The networks: plain PyTorch modules, one file per task.

Nothing here knows about scikit-learn or skorch; the estimators build these
modules and train them. :class:`RecurrentEncoder` (embedding -> recurrent
layers) is shared: the classifier pools its outputs into one label, the
tagger labels every step, and the character language model predicts the next
character from every step while carrying the recurrent state.
"""

from .classifier import RecurrentClassifierModule
from .embedding import PretrainedEmbedding
from .encoder import RecurrentEncoder, init_keras_style
from .language_model import CharLanguageModel
from .tagger import TaggerModule, TokenCrossEntropyLoss

__all__ = [
    "RecurrentEncoder",
    "init_keras_style",
    "PretrainedEmbedding",
    "RecurrentClassifierModule",
    "TaggerModule",
    "TokenCrossEntropyLoss",
    "CharLanguageModel",
]
