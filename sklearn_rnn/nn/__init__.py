"""The networks: plain PyTorch modules, one file per task.

Nothing here knows about scikit-learn or skorch; the estimators build these
modules and train them. :class:`RecurrentEncoder` (embedding -> recurrent
layers) is shared: the classifier pools its outputs into one label, the
tagger labels every step. :class:`RecurrentDecoder` is the one recurrent
language model, conditioned on nothing (the character and word language
models), on a vector (:class:`LabelConditionedDecoder`: text of a class) or
on an encoded sequence (:class:`EncoderDecoder`, with :class:`Attention`).
"""

from .classifier import RecurrentClassifierModule
from .decoder import (
    Attention,
    EncoderDecoder,
    LabelConditionedDecoder,
    RecurrentDecoder,
    WordLanguageModel,
)
from .embedding import PretrainedEmbedding
from .encoder import RecurrentEncoder, init_keras_style
from .tagger import TaggerModule, TokenCrossEntropyLoss

__all__ = [
    "RecurrentEncoder",
    "init_keras_style",
    "PretrainedEmbedding",
    "RecurrentClassifierModule",
    "TaggerModule",
    "TokenCrossEntropyLoss",
    "RecurrentDecoder",
    "Attention",
    "EncoderDecoder",
    "LabelConditionedDecoder",
    "WordLanguageModel",
]
