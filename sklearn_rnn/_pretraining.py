"""Start a classifier from a recurrent language model (Dai & Le 2015, ULMFiT).

:func:`pretrained_weights` gives, for one fit of
:class:`~sklearn_rnn.RNNClassifier`, the embedding matrix and the recurrent
layers' weights that the classifier starts from:

- an unfitted :class:`~sklearn_rnn.RNNLanguageModel` is cloned and fitted
  on that fit's own training documents, read as the classifier reads them:
  each token id ``i`` becomes the token ``str(i)``, so that the language
  model's vocabulary maps to the classifier's ids by construction (nothing
  to wire by hand, and never the documents being scored);
- a fitted one is used as it is. Its vocabulary is either such id tokens
  (a language model that a classifier fitted, ``language_model_``) or words,
  and then the ids must be the language model's own: the indexer of
  :func:`~sklearn_rnn.make_rnn_pipeline` is given its vocabulary
  (:func:`indexer_of`). Ids that cannot be the language model's are
  refused.

What is read of a fitted language model is its ``pretrained_state()``:
the state dicts of its embedding and of its recurrent layers, and its
``indexer``. The network side knows nothing of this: the classifier copies
the matrix into its embedding and the state dict into its recurrent layers.

Unlabelled documents (``unlabelled=``) are read by an unfitted language
model beside the fit's training documents, as ids of the same indexer
(:func:`check_unlabelled` for texts, :func:`check_unlabelled_ids` for ids).

The fine-tuning options of ULMFiT (Howard & Ruder 2018, section 3.2) are
here too, for any classifier: the layer groups, bottom up
(:func:`layer_patterns`), their discriminative learning rates
(:func:`discriminative_groups`), the slanted triangular schedule
(:class:`SlantedTriangular`) and gradual unfreezing
(:class:`GradualUnfreezing`).
"""

from __future__ import annotations

import fnmatch
import math
import warnings
from typing import NamedTuple

import numpy as np
import torch
from sklearn.base import clone
from skorch.callbacks import Callback

from ._tokenize import numbered_by_frequency
from ._validation import check_documents, check_has_tokens, check_sequences

__all__ = [
    "LARGE_VOCABULARY",
    "GradualUnfreezing",
    "Pretrained",
    "SlantedTriangular",
    "check_same_shape",
    "check_unlabelled",
    "check_unlabelled_ids",
    "discriminative_groups",
    "fitted_language_model",
    "indexer_of",
    "language_model_shape",
    "layer_patterns",
    "load_rnn_state",
    "pretrained_weights",
]

#: Above this many embedding rows taken from a language model, fitting warns:
#: the classifier's embedding, its gradient and Adam's two moments cost
#: 16 bytes per row and dimension.
LARGE_VOCABULARY = 1_000_000

#: Gates per recurrent cell: rows of ``weight_hh_l0`` per hidden unit.
_CELL_OF_GATES = {4: "lstm", 3: "gru", 1: "rnn"}


class Pretrained(NamedTuple):
    """What one classifier fit takes from a language model: the embedding
    rows of the classifier ids seen in training (``ids``; the first two are
    0 and 1, ``<pad>`` and ``<unk>``) and the recurrent layers' weights."""

    language_model: object
    ids: np.ndarray
    embeddings: np.ndarray
    rnn_state: dict
    coverage: float


def _inner(language_model):
    """The language model itself, out of a ``FrozenEstimator`` if wrapped."""
    from sklearn.frozen import FrozenEstimator

    if isinstance(language_model, FrozenEstimator):
        return language_model.estimator
    return language_model


def fitted_language_model(language_model):
    """The fitted language model inside ``language_model``, or None."""
    inner = _inner(language_model)
    return inner if hasattr(inner, "module_") else None


def _vocabulary(lm) -> dict:
    return lm.pretrained_state()["indexer"].vocabulary_


def _id_tokens(vocabulary: dict) -> dict[int, int]:
    """Classifier id -> language-model id, for a vocabulary of id tokens."""
    return {int(tok): j for tok, j in vocabulary.items() if tok.isdecimal()}


def _reads_ids(vocabulary: dict) -> bool:
    """Whether a vocabulary holds token ids written as tokens (and specials)."""
    words = [tok for tok in vocabulary if not tok.startswith("<")]
    return bool(words) and all(tok.isdecimal() for tok in words)


def language_model_shape(lm) -> dict:
    """``cell``, ``hidden_size``, ``num_layers`` and ``embedding_dim`` of a
    fitted language model's recurrent layers, read from their weights."""
    rnn = lm.pretrained_state()["rnn"]
    hidden = rnn["weight_hh_l0"].shape[1]
    return {
        "cell": _CELL_OF_GATES[rnn["weight_hh_l0"].shape[0] // hidden],
        "hidden_size": hidden,
        "num_layers": sum(1 for k in rnn if k.startswith("weight_hh_l")),
        "embedding_dim": rnn["weight_ih_l0"].shape[1],
    }


def check_same_shape(
    lm_shape: dict, classifier: dict, bidirectional: bool, layers: str = "all"
) -> None:
    """Refuse a classifier whose layers cannot take the LM's weights: with
    ``layers="all"`` the embedding and the recurrent layers, with
    ``"embedding"`` the embedding only."""
    if layers == "embedding":
        names: tuple[str, ...] = ("embedding_dim",)
    elif bidirectional:
        raise ValueError(
            "bidirectional=True cannot start from a language model, which reads "
            "left to right only; pass bidirectional=False, or "
            "pretrained_layers='embedding'."
        )
    else:
        names = ("cell", "hidden_size", "num_layers", "embedding_dim")
    for name in names:
        mine = classifier.get(name)
        if name == "embedding_dim" and mine is None:
            continue
        if mine is not None and mine != lm_shape.get(name, mine):
            raise ValueError(
                f"The classifier's {name}={mine!r} differs from the language "
                f"model's {lm_shape[name]!r}, so its weights cannot be copied; "
                f"give both the same {name} (make_rnn_pipeline(language_model="
                "...) takes the language model's)."
            )


def _check_trainable(seqs: list[np.ndarray]) -> None:
    """Refuse training documents a language model cannot learn from."""
    check_has_tokens([s.size for s in seqs], "training documents")
    n_tokens = sum(s.size for s in seqs)
    if all(bool(np.all(s == 1)) for s in seqs if s.size):
        raise ValueError(
            f"Every one of the {n_tokens} training tokens is <unk> (id 1), so "
            "the language model would learn nothing; the indexer's vocabulary "
            "does not fit these documents."
        )


def _lm_ids(
    lm, seqs: list[np.ndarray], size: int, counts: np.ndarray
) -> tuple[np.ndarray, float]:
    """The language-model id of each classifier id ``0 .. size - 1`` and the
    share of training tokens the language model knows."""
    vocabulary = _vocabulary(lm)
    if _reads_ids(vocabulary):
        lm_ids = np.ones(size, np.int64)  # <unk>
        for i, j in _id_tokens(vocabulary).items():
            if i < size:
                lm_ids[i] = j
        lm_ids[0] = 0
        known = np.zeros(size, dtype=bool)
        known[[i for i in _id_tokens(vocabulary) if i < size]] = True
        coverage = counts[known].sum() / max(counts.sum(), 1)
        if coverage == 0:
            raise ValueError(
                "None of the training token ids is in the language model's "
                "vocabulary: it was fitted on the ids of another indexer. Pass "
                "it unfitted, so that each fit pretrains on its own documents."
            )
        return lm_ids, float(coverage)
    # a vocabulary of words: the ids must be the language model's own
    n_words = len(vocabulary)
    if size > n_words:
        doc = next(i for i, s in enumerate(seqs) if s.size and s.max() >= n_words)
        raise ValueError(
            f"Document {doc} holds the token id {size - 1}, but the language "
            f"model's vocabulary has {n_words} words: the ids were not made "
            "with its vocabulary. make_rnn_pipeline(language_model=fitted) "
            "indexes with it."
        )
    if numbered_by_frequency(counts) and n_words > size + 1:
        raise ValueError(
            "The token ids look like those of a vocabulary learned on these "
            f"very documents ({size} ids), not like the language model's "
            f"{n_words} words. make_rnn_pipeline(language_model=fitted) "
            "indexes with the language model's vocabulary."
        )
    return np.arange(size), 1.0


def _id_vectors(vectors, seen: np.ndarray):
    """``vectors`` as the words ``"2 + r"`` of the rows ``r`` seen in training:
    the words of the ids of ``VocabularyIndexer(vectors=vectors)``."""
    from ._embedding import VECTOR_ID_OFFSET
    from .vectors import WordVectors

    rows = seen[(seen >= VECTOR_ID_OFFSET) & (seen < VECTOR_ID_OFFSET + len(vectors))]
    if rows.size == 0:
        raise ValueError(
            f"None of the training token ids is a row of {vectors!r}: the ids "
            "must come from VocabularyIndexer(vectors=...) with the same vectors "
            "(make_rnn_pipeline(vectors=..., language_model=...) builds it)."
        )
    return WordVectors(
        [str(i) for i in rows], vectors.vectors[rows - VECTOR_ID_OFFSET]
    )


def pretrained_weights(
    language_model,
    seqs: list[np.ndarray],
    size: int,
    vectors=None,
    unlabelled: list[np.ndarray] | None = None,
) -> Pretrained:
    """The language model for one fit (``language_model`` fitted already, or a
    clone fitted on ``seqs`` and the ``unlabelled`` id sequences), its
    embedding rows of the classifier ids seen in ``seqs`` and its recurrent
    layers' weights. ``vectors`` are those the ids were numbered with
    (``VocabularyIndexer(vectors=...)``): an unfitted language model starts
    from them."""
    _check_trainable(seqs)
    counts = np.bincount(np.concatenate([np.zeros(0, np.int64), *seqs]), minlength=size)
    counts[0] = 0
    seen = np.flatnonzero(counts[2:]) + 2
    lm = fitted_language_model(language_model)
    if unlabelled is not None and lm is not None:
        raise ValueError(
            "unlabelled= documents are read by a language model fitted in each "
            "fit, but this one is fitted already and used as it is; pass it "
            "unfitted, or fit it on the unlabelled documents yourself."
        )
    extra = [s for s in unlabelled or [] if s.size]
    if lm is None:
        lm = clone(_inner(language_model))
        if lm.get_params().get("vectors") is not None:
            raise ValueError(
                "An unfitted language model reads the classifier's token ids, "
                "not words, so it cannot look its vectors up; give the vectors "
                "to the pipeline instead (make_rnn_pipeline(vectors=..., "
                "language_model=...)), which starts the language model from them."
            )
        if vectors is not None:
            read = np.unique(np.concatenate([seen, *extra])) if extra else seen
            lm.set_params(vectors=_id_vectors(vectors, read[read >= 2]))
        lm.fit([s.astype(str).tolist() for s in [*seqs, *extra]])
    elif vectors is not None:
        raise ValueError(
            "A fitted language model brings its own embedding: pass vectors to "
            "it before fitting it, not to the classifier."
        )
    lm_ids, coverage = _lm_ids(lm, seqs, size, counts)
    ids = np.concatenate([[0, 1], seen])
    if ids.size > LARGE_VOCABULARY:
        warnings.warn(
            f"The classifier takes {ids.size:,} embedding rows from the language "
            "model, each trained with its gradient and optimizer state; cap "
            "the vocabulary (max_tokens of the indexer) to bound the memory.",
            UserWarning,
            stacklevel=3,
        )
    state = lm.pretrained_state()
    weight = state["embedding"]["weight"].detach()
    rows = weight[torch.as_tensor(lm_ids[ids])].float().cpu().numpy()
    rows[0] = 0.0
    rnn = {k: v.detach().cpu().clone() for k, v in state["rnn"].items()}
    return Pretrained(lm, ids, rows, rnn, coverage)


def check_unlabelled(unlabelled) -> list[str]:
    """``unlabelled`` as a new list of texts, or one error saying why not."""
    try:
        return check_documents(unlabelled)
    except (TypeError, ValueError) as error:
        raise type(error)(f"unlabelled= must be a list of texts: {error}") from None


def check_unlabelled_ids(unlabelled) -> list[np.ndarray]:
    """``unlabelled`` as token-id sequences (pads removed), or one error."""
    try:
        return check_sequences(unlabelled, strip_pad=True)
    except (TypeError, ValueError) as error:
        raise type(error)(
            f"unlabelled= of a classifier must be token-id sequences, as X: {error}"
        ) from None


def load_rnn_state(rnn: torch.nn.Module, state: dict) -> None:
    """Copy a language model's recurrent weights into ``rnn``, or say which
    weights do not fit."""
    mine = rnn.state_dict()
    missing = sorted(set(mine) - set(state))
    shapes = [k for k in mine if k in state and state[k].shape != mine[k].shape]
    if missing or shapes:
        raise ValueError(
            "The language model's recurrent layers do not fit the classifier's: "
            f"missing {missing}, other shapes {shapes}."
        )
    rnn.load_state_dict({k: state[k] for k in mine})


def indexer_of(language_model):
    """The indexer of a pipeline that feeds ``language_model``'s ids, or None.

    A fitted language model with a vocabulary of words gives a copy of its
    own indexer with that vocabulary fixed, so every fold indexes with it.
    """
    lm = fitted_language_model(language_model)
    if lm is None:
        return None
    vocabulary = _vocabulary(lm)
    if _reads_ids(vocabulary):
        raise ValueError(
            "This language model was fitted on the token ids of another "
            "pipeline (a classifier's language_model_), which a new pipeline's "
            "indexer does not reproduce. Pass the unfitted language model, or "
            "one fitted on texts."
        )
    params = {"vocabulary": dict(vocabulary), "warm_start": False, "vectors": None}
    return clone(lm.pretrained_state()["indexer"]).set_params(**params)


# -- fine-tuning as ULMFiT does it (Howard & Ruder 2018, section 3.2) ----------


def layer_patterns(num_layers: int) -> list[list[str]]:
    """Parameter-name patterns of the classifier's layer groups, bottom up:
    the embedding, then each recurrent layer (both directions). The head,
    and anything else, is the last group: the parameters no pattern names."""
    layers = [
        [f"encoder.rnn.*_l{k}", f"encoder.rnn.*_l{k}_reverse"]
        for k in range(num_layers)
    ]
    return [["encoder.embedding.*"], *layers]


def discriminative_groups(
    lr: float, embedding_lr: float, factor: float, num_layers: int
) -> list[tuple[str, dict]]:
    """skorch's ``optimizer__param_groups`` for learning rates that are
    divided by ``factor`` per layer group going down from the head (at
    ``lr``); the embedding's base rate is ``embedding_lr``.

    Each group holds its ``lr_scale`` (its rate over its base rate), so that
    a warm start keeps the groups' relative rates
    (:func:`~sklearn_rnn._training.continue_training`). With ``factor=1``
    only an embedding rate of its own makes a group. The embedding's group
    comes first.
    """
    if factor == 1:
        own = [("encoder.embedding.*", {"lr": embedding_lr})]
        return [] if embedding_lr == lr else own
    groups = []
    for depth, patterns in zip(
        range(num_layers + 1, 0, -1), layer_patterns(num_layers)
    ):
        scale = factor**-depth
        base = embedding_lr if depth == num_layers + 1 else lr
        groups += [(p, {"lr": base * scale, "lr_scale": scale}) for p in patterns]
    return groups


class SlantedTriangular(Callback):
    """The slanted triangular learning rate of ULMFiT (equation 3), per batch.

    Over the ``T`` training batches of a run (``max_epochs`` times the
    batches of an epoch), every parameter group's rate rises linearly from
    ``1 / ratio`` of its own rate to its rate during the first ``cut_frac``
    of the batches, then falls linearly back: ``rate * (1 + p * (ratio - 1))
    / ratio``. The groups keep their relative rates; when training ends
    they hold their rates again, so a later run starts a new triangle. The
    rate of the last group (the head's) is recorded per batch as ``"lr"``.
    """

    def __init__(self, cut_frac: float = 0.1, ratio: float = 32.0):
        self.cut_frac = cut_frac
        self.ratio = ratio

    def on_train_begin(self, net, X=None, **kwargs):
        groups = net.optimizer_.param_groups
        self.rates_ = [group["lr"] for group in groups]
        self.total_ = net.max_epochs * max(len(net.get_iterator(X, training=True)), 1)
        self.cut_ = max(math.floor(self.total_ * self.cut_frac), 1)
        self.step_ = 0

    def multiplier(self, step: int) -> float:
        """The share of each group's rate at training batch ``step`` (from 0)."""
        if step < self.cut_:
            p = step / self.cut_
        else:
            p = max(1 - (step - self.cut_) / max(self.total_ - self.cut_, 1), 0.0)
        return (1 + p * (self.ratio - 1)) / self.ratio

    def on_batch_begin(self, net, training=False, **kwargs):
        if not training:
            return
        share = self.multiplier(self.step_)
        for group, rate in zip(net.optimizer_.param_groups, self.rates_):
            group["lr"] = rate * share
        net.history.record_batch("lr", self.rates_[-1] * share)
        self.step_ += 1

    def on_train_end(self, net, **kwargs):
        for group, rate in zip(net.optimizer_.param_groups, self.rates_):
            group["lr"] = rate


class GradualUnfreezing(Callback):
    """Gradual unfreezing (ULMFiT): in epoch ``e`` of a network (from 1, its
    history's length, so a warm start trains all of it) only the top ``e``
    layer groups train, the head first, then one recurrent layer more per
    epoch, the embedding last. A frozen group gets no gradient, so the
    optimizer does not move it (nor decays it). The groups are
    :func:`layer_patterns`' (``num_layers`` recurrent layers) and the head.
    When training ends, every parameter trains as before.
    """

    def __init__(self, num_layers: int = 1):
        self.num_layers = num_layers

    def groups(self, module) -> list[list[torch.nn.Parameter]]:
        """The module's parameters per layer group, top (the head) down."""
        named = dict(module.named_parameters())
        groups = []
        for patterns in layer_patterns(self.num_layers):
            mine = [n for n in named if any(fnmatch.fnmatch(n, q) for q in patterns)]
            groups.append([named.pop(n) for n in mine])
        groups.append(list(named.values()))
        return groups[::-1]

    def on_train_begin(self, net, **kwargs):
        self.trainable_ = [p.requires_grad for p in net.module_.parameters()]

    def on_epoch_begin(self, net, **kwargs):
        epoch = len(net.history)
        given = dict(zip(map(id, net.module_.parameters()), self.trainable_))
        for depth, params in enumerate(self.groups(net.module_)):
            for param in params:
                param.requires_grad_(depth < epoch and given[id(param)])

    def on_train_end(self, net, **kwargs):
        for given, param in zip(self.trainable_, net.module_.parameters()):
            param.requires_grad_(given)
        del self.trainable_
