"""Recurrent text classifiers as scikit-learn estimators, trained by skorch.

The estimator holds a fitted :class:`skorch.NeuralNetClassifier` in ``net_``
(composition): scikit-learn conventions live here, the training loop lives in
skorch, and the network in :mod:`sklearn_rnn.modules`.
"""

from __future__ import annotations

import numbers
import types

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetClassifier

from ._base import SoftmaxPredictMixin
from ._data import SequenceDataset, make_loader
from ._training import (
    NETWORK_CONSTRAINTS,
    SKORCH_CONSTRAINTS,
    FittedNetMixin,
    ValidAccuracy,
    early_stopping_split,
    get_optimizer,
    train_net,
    training_callbacks,
)
from ._validation import check_labels, check_sequences, max_token_id
from .nn import RecurrentClassifierModule
from .text import SequencePadder, VocabularyIndexer

__all__ = [
    "RNNClassifier",
    "LSTMClassifier",
    "GRUClassifier",
    "make_rnn_pipeline",
]


class RNNClassifier(
    FittedNetMixin, SoftmaxPredictMixin, ClassifierMixin, BaseEstimator
):
    """Many-to-one recurrent network (Elman RNN, LSTM or GRU) for text.

    Embedding -> stacked, optionally bidirectional recurrent layers ->
    pooling over the real (non-padded) steps -> linear head, trained with
    skorch. The input is the output of :class:`VocabularyIndexer` (a ragged
    list of id arrays) or of :class:`SequencePadder` (a 2-D id array, pre- or
    post-padded with 0). Pad ids are removed, each batch is re-padded on the
    right to its own longest document, and only real steps are read (a
    bidirectional network runs on a packed sequence), so padding never
    changes a prediction.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell; "rnn" is the Elman network.
    embedding_dim : int, default=128
        Size of the token embeddings (ignored when ``embeddings`` is given).
    hidden_size : int, default=128
        Size of the recurrent state per direction.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Also read every document backwards.
    dropout : float, default=0.2
        Dropout on embeddings, between stacked layers and before the head.
    word_dropout : float, default=0.0
        During training, the probability that a token is read as ``<unk>``
        (id 1). This trains the embedding that unseen words get at
        prediction time.
    pooling : {"last", "mean", "max"}, default="last"
        Document representation: the state after the last real token, or the
        mean or max of the outputs over real tokens.
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation of the plain RNN cell (``cell="rnn"`` only).
    embeddings : array-like of shape (vocab_size, embedding_dim), default=None
        Pretrained embeddings, row ``i`` for token id ``i``.
    freeze_embeddings : bool, default=False
        Do not train the pretrained embeddings.
    max_epochs : int, default=20
        Maximum number of passes over the training data.
    batch_size : int, default=64
        Documents per batch.
    lr : float, default=1e-3
        Learning rate.
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "adagrad"} or class, \
default="adam"
        Optimizer, by name or as a ``torch.optim.Optimizer`` subclass.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    clip_grad_norm : float or None, default=5.0
        Clip the gradient norm to this value (against exploding gradients);
        None disables clipping.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the training data, stop when the
        validation accuracy has not improved for ``patience`` epochs, and
        restore the weights of the best epoch.
    patience : int, default=3
        Epochs without improvement before stopping.
    validation_fraction : float, default=0.1
        Share of the training data held out (stratified) for early stopping.
    refit : bool, default=True
        With early stopping, once the best number of epochs is known, train
        a new network (same seed) on all the training data, the validation
        part included, for that many epochs; it is the network kept. This
        doubles the training time; on validation splits of TREC-6 it gained
        1 point of accuracy (``benchmarks/tune_defaults.py``). Not done when
        ``warm_start`` continues training.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss.
    bucketing : bool, default=True
        Form training batches from documents of similar length.
    warm_start : bool, default=False
        When fitted already, ``fit`` goes on training the same network
        (vocabulary size and classes stay those of the first fit).
    device : str, default="cpu"
        Torch device, e.g. ``"cuda"``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, the validation split and the
        batch order. An int gives reproducible results.
    verbose : int, default=0
        Print a line per epoch when positive.
    callbacks : list of skorch callbacks or (name, callback) tuples, \
default=None
        Extra skorch callbacks (e.g. ``skorch.callbacks.Checkpoint``); they
        are copied at fit.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    net_ : skorch.NeuralNetClassifier
        The trained skorch network (history, callbacks, module); with
        ``refit``, the one retrained on all the data.
    vocab_size_ : int
        Number of token ids the embedding holds; larger ids seen later are
        read as ``<unk>`` (1).
    history_ : skorch.history.History
        Per-epoch record of the run with early stopping (``train_loss``,
        ``valid_loss``, ``valid_acc``), also when ``refit`` retrained.
    n_epochs_ : int
        Epochs trained in that run.
    best_epoch_ : int
        The best epoch by validation accuracy with early stopping (the
        weights kept, or the number of epochs of the refit), else the last
        epoch.

    See Also
    --------
    LSTMClassifier, GRUClassifier : The same with another default cell.
    make_rnn_pipeline : Indexer, padder and classifier in one pipeline.

    Examples
    --------
    >>> from sklearn_rnn import RNNClassifier
    >>> X = [[2, 3, 4], [4, 3, 2], [2, 3], [4, 3]]
    >>> clf = RNNClassifier(hidden_size=8, embedding_dim=8, max_epochs=2,
    ...                     early_stopping=False, random_state=0)
    >>> clf.fit(X, ["a", "b", "a", "b"]).predict_proba(X).shape
    (4, 2)
    """

    _parameter_constraints: dict = {
        "bidirectional": ["boolean"],
        "word_dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "pooling": [StrOptions({"last", "mean", "max"})],
        "nonlinearity": [StrOptions({"tanh", "relu"})],
        "embeddings": ["array-like", None],
        "freeze_embeddings": ["boolean"],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "warm_start": ["boolean"],
        "refit": ["boolean"],
        **NETWORK_CONSTRAINTS,
        **SKORCH_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        cell: str = "lstm",
        embedding_dim: int = 128,
        hidden_size: int = 128,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.2,
        word_dropout: float = 0.0,
        pooling: str = "last",
        nonlinearity: str = "tanh",
        embeddings=None,
        freeze_embeddings: bool = False,
        max_epochs: int = 20,
        batch_size: int = 64,
        lr: float = 1e-3,
        optimizer="adam",
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = 5.0,
        early_stopping: bool = True,
        patience: int = 3,
        validation_fraction: float = 0.1,
        refit: bool = True,
        class_weight=None,
        bucketing: bool = True,
        warm_start: bool = False,
        device: str = "cpu",
        random_state=None,
        verbose: int = 0,
        callbacks: list | None = None,
    ):
        self.cell = cell
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.word_dropout = word_dropout
        self.pooling = pooling
        self.nonlinearity = nonlinearity
        self.embeddings = embeddings
        self.freeze_embeddings = freeze_embeddings
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.refit = refit
        self.class_weight = class_weight
        self.bucketing = bucketing
        self.warm_start = warm_start
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    # -- building the skorch net ------------------------------------------
    def _embedding_matrix(self, max_id: int):
        if self.embeddings is None:
            return None, max(max_id + 1, 2), self.embedding_dim
        matrix = np.asarray(self.embeddings, dtype=np.float32)
        if matrix.ndim != 2:
            raise ValueError(
                f"embeddings must be 2-D (vocab_size, embedding_dim); got shape "
                f"{matrix.shape}."
            )
        if matrix.shape[0] <= max_id:
            raise ValueError(
                f"embeddings has {matrix.shape[0]} rows but the data holds token "
                f"id {max_id}; it needs a row for every id of the vocabulary."
            )
        return torch.from_numpy(matrix), matrix.shape[0], matrix.shape[1]

    def _class_weights(self, y_encoded: np.ndarray) -> torch.Tensor | None:
        if self.class_weight is None:
            return None
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight names classes not in y: {sorted(unknown, key=str)}."
                )
            weights = np.array(
                [self.class_weight.get(c, 1.0) for c in self.classes_.tolist()]
            )
        else:
            weights = compute_class_weight(
                "balanced", classes=np.arange(len(self.classes_)), y=y_encoded
            )
        return torch.tensor(weights, dtype=torch.float32)

    def _build_net(
        self, max_id: int, y_encoded: np.ndarray, seed: int, epochs: int | None = None
    ):
        """The skorch net; ``epochs`` trains exactly that many, without early
        stopping (the refit on all the data)."""
        embeddings, vocab_size, embedding_dim = self._embedding_matrix(max_id)
        self.vocab_size_ = vocab_size
        callbacks = training_callbacks(
            self.clip_grad_norm,
            self.early_stopping and epochs is None,
            self.patience,
            self.callbacks,
        )
        return NeuralNetClassifier(
            RecurrentClassifierModule,
            module__vocab_size=vocab_size,
            module__n_classes=len(self.classes_),
            module__cell=self.cell,
            module__embedding_dim=embedding_dim,
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__bidirectional=self.bidirectional,
            module__dropout=self.dropout,
            module__word_dropout=self.word_dropout,
            module__pooling=self.pooling,
            module__nonlinearity=self.nonlinearity,
            module__embeddings=embeddings,
            module__freeze_embeddings=self.freeze_embeddings,
            criterion=torch.nn.CrossEntropyLoss,
            criterion__weight=self._class_weights(y_encoded),
            optimizer=get_optimizer(self.optimizer),
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=self.max_epochs if epochs is None else epochs,
            batch_size=self.batch_size,
            iterator_train=make_loader,
            iterator_train__shuffle=True,
            iterator_train__bucketing=self.bucketing,
            iterator_train__generator=np.random.default_rng(seed),
            iterator_valid=make_loader,
            callbacks=callbacks,
            callbacks__valid_acc=ValidAccuracy(),
            device=self.device,
            verbose=self.verbose,
        )

    def _split(self, seqs, y_encoded, seed: int):
        """Training dataset and (length-sorted) validation dataset or None."""
        if not self.early_stopping:
            return SequenceDataset(seqs, y_encoded), None
        return early_stopping_split(
            seqs, y_encoded, self.validation_fraction, seed, classes=y_encoded
        )

    # -- estimator API ------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Token-id sequences (pad id 0), as made by :class:`VocabularyIndexer`
            or :class:`SequencePadder`.
        y : array-like of shape (n_documents,)
            Class labels (strings or integers).

        Returns
        -------
        self : RNNClassifier
            The fitted classifier.
        """
        seqs = check_sequences(X, strip_pad=True)
        y_arr = check_labels(y, len(seqs))
        continuing = self.warm_start and hasattr(self, "net_")
        if continuing:
            unknown = set(np.unique(y_arr).tolist()) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"warm_start: y holds classes unseen in the first fit: "
                    f"{sorted(unknown, key=str)}."
                )
            y_encoded = np.searchsorted(self.classes_, y_arr).astype(np.int64)
            seqs = self._map_unseen(seqs)
        else:
            encoder = LabelEncoder().fit(y_arr)
            self.classes_ = encoder.classes_
            y_encoded = encoder.transform(y_arr).astype(np.int64)
        seed = int(
            check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        )
        train, valid = self._split(seqs, y_encoded, seed)
        if continuing:
            # a plain attribute: set_params would re-initialise the module
            self.net_.iterator_train__generator = np.random.default_rng(seed)
            max_id = None
        else:
            max_id = max_token_id(seqs)

        def build():
            if continuing:
                return self.net_
            return self._build_net(max_id, y_encoded, seed)

        net = train_net(build, train, valid, seed, continuing)
        self._set_net(net)
        if valid is None or continuing or not self.refit:
            return self
        epochs = self.best_epoch_
        final = train_net(
            lambda: self._build_net(max_id, y_encoded, seed, epochs=epochs),
            SequenceDataset(seqs, y_encoded),
            None,
            seed,
        )
        self._set_net(final, search=net)
        return self

    def _map_unseen(self, seqs: list[np.ndarray]) -> list[np.ndarray]:
        limit = self.vocab_size_
        return [np.where(s >= limit, 1, s) for s in seqs]

    def _class_scores(self, X) -> np.ndarray:
        """Logits, one column per class, in the caller's document order."""
        check_is_fitted(self, "net_")
        seqs = self._map_unseen(check_sequences(X, strip_pad=True))
        order = np.argsort([len(s) for s in seqs], kind="stable")
        dataset = SequenceDataset([seqs[i] for i in order])
        out = np.empty((len(seqs), len(self.classes_)), dtype=np.float64)
        out[order] = self.net_.forward(dataset, training=False, device="cpu").numpy()
        return out

    def decision_function(self, X) -> np.ndarray:
        """Confidence scores: the logits of the network's head.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Token-id sequences.

        Returns
        -------
        scores : ndarray of shape (n_documents,) or (n_documents, n_classes)
            Per-class logits; for two classes, as in scikit-learn, one column:
            the logit of ``classes_[1]`` minus that of ``classes_[0]``
            (positive means ``classes_[1]``), so ``scoring="roc_auc"`` works.
        """
        logits = self._class_scores(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.non_deterministic = self.device != "cpu"
        return tags


def _preset(cls_name: str, cell: str, doc: str) -> type:
    """A subclass of RNNClassifier whose only change is the default ``cell``.

    The ``__init__`` is RNNClassifier's own code with another keyword default,
    so the parameters are listed once and ``get_params`` sees them all.
    """
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
        {"__init__": init, "__doc__": doc, "__module__": __name__},
    )


LSTMClassifier = _preset(
    "LSTMClassifier",
    "lstm",
    """LSTM text classifier: :class:`RNNClassifier` with ``cell="lstm"``.

    Takes every parameter of :class:`RNNClassifier`; ``cell`` stays a
    parameter, so a grid search can still change it.

    Examples
    --------
    >>> from sklearn_rnn import LSTMClassifier
    >>> LSTMClassifier().cell
    'lstm'
    """,
)

GRUClassifier = _preset(
    "GRUClassifier",
    "gru",
    """GRU text classifier: :class:`RNNClassifier` with ``cell="gru"``.

    Takes every parameter of :class:`RNNClassifier`; ``cell`` stays a
    parameter, so a grid search can still change it.

    Examples
    --------
    >>> from sklearn_rnn import GRUClassifier
    >>> GRUClassifier().cell
    'gru'
    """,
)


def make_rnn_pipeline(
    cell: str = "lstm",
    *,
    indexer_params: dict | None = None,
    padder_params: dict | None = None,
    **classifier_params,
) -> Pipeline:
    """Build ``VocabularyIndexer -> SequencePadder -> RNNClassifier``.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell of the classifier.
    indexer_params : dict, default=None
        Parameters of the :class:`VocabularyIndexer` step.
    padder_params : dict, default=None
        Parameters of the :class:`SequencePadder` step.
    **classifier_params
        Parameters of the :class:`RNNClassifier` step.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
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
    return Pipeline(
        [
            ("indexer", VocabularyIndexer(**(indexer_params or {}))),
            ("padder", SequencePadder(**(padder_params or {}))),
            ("classifier", RNNClassifier(cell=cell, **classifier_params)),
        ]
    )
