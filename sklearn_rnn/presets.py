"""Ready-made RNNClassifier set-ups: LSTMClassifier, GRUClassifier, and
make_rnn_pipeline (indexer, padder and classifier from raw text).

Each preset's ``__init__`` is RNNClassifier's own code with another keyword
default, so the parameters are written once, ``get_params`` sees them all,
and ``help()`` and the API page show every one of them with its default.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable

from sklearn.pipeline import Pipeline

from .classifier import RNNClassifier
from .text import SequencePadder, VocabularyIndexer

__all__ = [
    "LSTMClassifier",
    "GRUClassifier",
    "PretrainingPipeline",
    "make_rnn_pipeline",
]

#: Unlabelled documents are indexed (and padded) this many at a time, so that
#: their padded array is never larger than that of this many documents.
UNLABELLED_CHUNK = 1024

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


class PretrainingPipeline(Pipeline):
    """A :class:`~sklearn.pipeline.Pipeline` whose classifier's language
    model also reads unlabelled texts.

    ``fit`` is the Pipeline's; while it runs, the final step (an
    :class:`RNNClassifier` with an unfitted ``language_model``) can ask for
    the ``unlabelled`` texts as token ids: they are then read by the steps
    before it, fitted on this fit's training documents only, so the ids are
    this fit's own in every fold of a cross-validation, and the scored
    documents are never among them. Built by
    ``make_rnn_pipeline(language_model=..., unlabelled=texts)``.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        As for :class:`~sklearn.pipeline.Pipeline`.
    unlabelled : list of str, default=None
        Texts for the language model only (the classifier never trains on
        them). Kept as given, so a pickle of the pipeline holds them:
        ``set_params(unlabelled=None)`` after fitting leaves a pipeline
        that predicts the same.
    transform_input, memory, verbose
        As for :class:`~sklearn.pipeline.Pipeline`.

    Examples
    --------
    >>> from sklearn_rnn import RNNLanguageModel, make_rnn_pipeline
    >>> pipe = make_rnn_pipeline(language_model=RNNLanguageModel(),
    ...                          unlabelled=["an unlabelled text", "another"])
    >>> type(pipe).__name__, len(pipe.unlabelled)
    ('PretrainingPipeline', 2)
    """

    def __init__(
        self,
        steps,
        *,
        unlabelled=None,
        transform_input=None,
        memory=None,
        verbose=False,
    ):
        super().__init__(
            steps, transform_input=transform_input, memory=memory, verbose=verbose
        )
        self.unlabelled = unlabelled

    def fit(self, X, y=None, **params):
        """Fit the steps as a Pipeline does, the classifier's language model
        on the training documents and the ``unlabelled`` texts.

        Parameters
        ----------
        X : iterable of str
            Training documents.
        y : array-like of shape (n_documents,)
            Their labels.
        **params
            As for :meth:`sklearn.pipeline.Pipeline.fit`.

        Returns
        -------
        self : PretrainingPipeline
            The fitted pipeline.
        """
        from ._pretraining import check_unlabelled

        if self.unlabelled is None:
            return super().fit(X, y, **params)
        texts = check_unlabelled(self.unlabelled)
        classifier = self._final_estimator
        if not hasattr(classifier, "_unlabelled_ids"):
            raise TypeError(
                "unlabelled= is read by the language model of an RNNClassifier; "
                f"the last step is a {type(classifier).__name__}."
            )
        classifier._unlabelled_from_pipeline = self._indexer_of(texts)
        try:
            return super().fit(X, y, **params)
        finally:
            del classifier._unlabelled_from_pipeline

    def _indexer_of(self, texts: list[str]) -> Callable[[], list]:
        """A function giving ``texts`` as ids of the steps before the
        classifier, as fitted when it is called."""
        from ._pretraining import check_unlabelled_ids

        def indexed() -> list:
            head = self[:-1]  # the fitted steps (the Pipeline's own objects)
            ids = []
            for start in range(0, len(texts), UNLABELLED_CHUNK):
                chunk = head.transform(texts[start : start + UNLABELLED_CHUNK])
                ids += check_unlabelled_ids(chunk)
            return ids

        return indexed


def make_rnn_pipeline(
    cell: str = "lstm",
    *,
    vectors=None,
    language_model=None,
    unlabelled=None,
    indexer_params: dict | None = None,
    padder_params: dict | None = None,
    **classifier_params,
) -> Pipeline:
    """Build ``VocabularyIndexer -> SequencePadder -> RNNClassifier``.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell of the classifier.
    vectors : str, path-like or WordVectors, default=None
        Pretrained word vectors, given to both the indexer (so that words
        never seen in training keep their vector) and the classifier (which
        initialises its embedding from them). A grid search that changes
        them must change ``indexer__vectors`` and ``classifier__vectors``
        together.
    language_model : RNNLanguageModel, default=None
        Start the classifier's embedding (and its recurrent layers with
        ``pretrained_layers="all"``) from this language model
        (``RNNClassifier(language_model=...)``). The classifier takes the
        language model's ``embedding_dim`` unless given, and with
        ``pretrained_layers="all"`` its ``cell``, ``hidden_size`` and
        ``num_layers`` too; with the default ``"embedding"`` its recurrent
        layers are its own (``cell``, ``hidden_size=...``). Unfitted, each
        fit pretrains a clone on its own training documents. Fitted on
        texts, it is wrapped in a :class:`~sklearn.frozen.FrozenEstimator`
        (so that ``clone`` keeps it fitted) and the indexer is a copy of its
        indexer with its vocabulary fixed, so that the ids are the language
        model's in every fold.
    unlabelled : list of str, default=None
        Texts that an unfitted ``language_model`` reads beside each fit's
        training documents (the classifier does not): the pipeline is then
        a :class:`PretrainingPipeline`, which indexes them with each fit's
        own indexer. Their words outside that indexer's vocabulary are read
        as ``<unk>``.
    indexer_params : dict, default=None
        Parameters of the :class:`VocabularyIndexer` step.
    padder_params : dict, default=None
        Parameters of the :class:`SequencePadder` step.
    **classifier_params
        Parameters of the :class:`RNNClassifier` step; ``warm_start=True``
        is given to the indexer too, so that a second ``fit`` keeps the ids.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline or PretrainingPipeline
        Steps named ``"indexer"``, ``"padder"`` and ``"classifier"``, so a
        grid search addresses e.g. ``"classifier__hidden_size"``.

    Examples
    --------
    >>> from sklearn_rnn import make_rnn_pipeline
    >>> pipe = make_rnn_pipeline("gru", hidden_size=16)
    >>> [name for name, _ in pipe.steps]
    ['indexer', 'padder', 'classifier']
    >>> pipe.get_params()["classifier__cell"]
    'gru'
    """
    indexer = None
    if language_model is not None:
        indexer, language_model, shape = _language_model_parts(language_model)
        # the shape of the layers the language model starts, no more: with
        # "embedding" a language model of hidden 256 would otherwise double
        # the classifier's recurrent layer that it never starts
        if classifier_params.get("pretrained_layers", "embedding") == "embedding":
            shape = {k: v for k, v in shape.items() if k == "embedding_dim"}
        for name, value in shape.items():
            classifier_params.setdefault(name, value)
        classifier_params["language_model"] = language_model
        cell = classifier_params.pop("cell", cell)
    indexer_params = dict(indexer_params or {})
    if classifier_params.get("warm_start"):
        indexer_params.setdefault("warm_start", True)  # keep the ids
    if vectors is not None:
        indexer_params.setdefault("vectors", vectors)
        classifier_params.setdefault("vectors", vectors)
    steps = [
        (
            "indexer",
            VocabularyIndexer(**indexer_params)
            if indexer is None
            else indexer.set_params(**indexer_params),
        ),
        ("padder", SequencePadder(**(padder_params or {}))),
        ("classifier", RNNClassifier(cell=cell, **classifier_params)),
    ]
    if unlabelled is not None:
        return PretrainingPipeline(steps, unlabelled=unlabelled)
    return Pipeline(steps)


def _language_model_parts(language_model):
    """The pipeline's indexer (None: a plain one), the classifier's
    ``language_model`` and the shape it takes from it."""
    from sklearn.frozen import FrozenEstimator

    from ._pretraining import fitted_language_model, indexer_of, language_model_shape

    fitted = fitted_language_model(language_model)
    if fitted is None:
        given = language_model.get_params()
        names = ("cell", "hidden_size", "num_layers", "embedding_dim")
        shape = {k: given[k] for k in names if given.get(k) is not None}
        return None, language_model, shape
    shape = language_model_shape(fitted)
    if not isinstance(language_model, FrozenEstimator):
        language_model = FrozenEstimator(fitted)
    return indexer_of(fitted), language_model, shape
