"""Recurrent text classifiers as scikit-learn estimators, trained by skorch.

The estimator holds a fitted :class:`skorch.NeuralNetClassifier` in ``net_``
(composition): scikit-learn conventions live here, the training loop lives in
skorch, and the network in :mod:`sklearn_rnn.nn`.
"""

from __future__ import annotations

import numbers
import os
from contextlib import nullcontext

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import SoftmaxPredictMixin
from ._data import SequenceDataset, cap_to_budget, make_loader
from ._embedding import RowPlan, embedding_learning_rate, plan_given_rows, plan_rows
from ._guards import check_device
from ._params import fit_context
from ._pretraining import (
    GradualUnfreezing,
    SlantedTriangular,
    check_same_shape,
    check_unlabelled_ids,
    discriminative_groups,
    fitted_language_model,
    language_model_shape,
    load_rnn_state,
    pretrained_weights,
)
from ._resources import SHRINK_VOCABULARY, forward_all, restored_on_failure
from ._tokenize import check_same_numbering, numbering_fingerprint
from ._training import (
    NETWORK_CONSTRAINTS,
    SKORCH_CONSTRAINTS,
    FittedNetMixin,
    ValidAccuracy,
    WeightedNetClassifier,
    chance_accuracy,
    class_weights,
    continue_training,
    draw_seed,
    early_stopping_split,
    refit_net,
    skorch_optimizer,
    train_net,
    training_callbacks,
)
from ._validation import (
    check_labels,
    check_sample_weight,
    check_sequences,
    encode_known_labels,
    id_table_size,
)
from .nn import RecurrentClassifierModule
from .vectors import WordVectors, resolve_vectors

__all__ = ["RNNClassifier"]


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
    embedding_dim : int, default=None
        Size of the token embeddings: 128, or the dimension of ``vectors`` or
        ``embeddings`` when given (an explicit value must then agree).
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
    pooling : {"last", "mean", "max", "concat"}, default="last"
        Document representation: the state after the last real token, or the
        mean or max of the outputs over real tokens, or those three joined
        ("concat", the concat pooling of ULMFiT).
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation of the plain RNN cell (``cell="rnn"`` only).
    vectors : str, path-like or WordVectors, default=None
        Pretrained word vectors that initialise the embedding: a file read by
        :func:`load_word_vectors` (once per process) or the loaded object.
        The token ids must come from ``VocabularyIndexer(vectors=...)`` with
        the same vectors (:func:`make_rnn_pipeline` builds both): the id
        ``2 + r`` is the word of row ``r``, so the vectors are aligned to each
        fit's own vocabulary, also per fold of a grid search. Training
        tokens without a vector start at random on the vectors' scale; words
        never seen in training keep their pretrained vector at prediction.
        Coverage is reported in ``vectors_coverage_``.
    embeddings : array-like of shape (vocab_size, embedding_dim), default=None
        A pretrained embedding matrix, row ``i`` for token id ``i`` (the
        low-level alternative to ``vectors``).
    freeze_embeddings : bool, default=False
        Do not train the pretrained rows of the embedding (those of
        ``vectors`` or ``embeddings``); rows without a vector still learn.
    embedding_lr : float, "auto" or None, default="auto"
        Learning rate of the embedding; None uses ``lr``. "auto" is ``3 *
        lr`` with ``vectors`` (they spread about 20 times wider than a
        random start, and Adam's steps do not grow with the scale) and
        ``lr`` otherwise; chosen on validation splits (see the user guide on
        pretrained vectors).
    language_model : RNNLanguageModel, default=None
        Start the embedding (and, with ``pretrained_layers="all"``, the
        recurrent layers) from a word-level language model (Dai & Le 2015;
        Howard & Ruder 2018); the head starts at random. Unfitted, every ``fit``
        (so every fold of a grid search) first fits a clone of it on that fit's
        own training documents, each token id ``i`` read as the token ``"i"``,
        so that its vocabulary is the classifier's ids; the fitted clone is kept
        in ``language_model_``. Fitted (``clone`` unfits an estimator: wrap it
        in :class:`sklearn.frozen.FrozenEstimator` to keep it fitted through
        ``cross_validate``; :func:`make_rnn_pipeline` does), it is used as it
        is: on ids of a vocabulary of id tokens, or, fitted on texts, on ids of
        its own vocabulary (:func:`make_rnn_pipeline` indexes with it); other
        ids are refused. ``embedding_dim`` must be the language model's when
        given, and with ``pretrained_layers="all"`` ``cell``, ``hidden_size``
        and ``num_layers`` too; ``embeddings`` is refused with it. With
        ``vectors`` (the ids then come from ``VocabularyIndexer(vectors=...)``),
        an unfitted language model starts from them. The embedding keeps the
        rows of the ids seen in training; other ids read ``<unk>``. See
        :ref:`pretraining`.
    pretrained_layers : {"embedding", "all"}, default="embedding"
        What ``language_model`` starts: ``"embedding"``, the embedding only
        (the recurrent layers start at random, and need not have the
        language model's shape; ``bidirectional=True`` is allowed);
        ``"all"``, the embedding and the recurrent layers. On validation
        splits of TREC-6 and SST-2 (two seeds each) starting the recurrent
        layers too lost 2 to 5 points against the embedding only, and 1 to
        5 points against no language model (see :ref:`pretraining`).
    unlabelled : list of 1-D int arrays or 2-D int array, default=None
        Documents for an unfitted ``language_model`` only, as token ids of
        the same numbering as ``X``: each fit's language model reads them
        beside that fit's training documents; the classifier never does.
        ``make_rnn_pipeline(unlabelled=texts)`` takes texts and indexes them
        with each fit's own indexer.
    discriminative_lr : float, default=1.0
        Divide the learning rate by this factor per layer group going down
        from the head: the top recurrent layer learns at ``lr / factor``,
        the one below at ``lr / factor**2``, the embedding at
        ``embedding_lr / factor**(num_layers + 1)`` (ULMFiT's discriminative
        fine-tuning uses 2.6). 1 gives every layer ``lr``.
    lr_schedule : {"constant", "slanted_triangular"}, default="constant"
        "slanted_triangular" (ULMFiT): over ``max_epochs`` epochs of
        batches, every rate rises linearly from 1/32 of itself to itself in
        the first tenth of the batches, then falls linearly back; the
        rate of each batch is in ``history_[:, "batches", :, "lr"]``.
    gradual_unfreezing : bool, default=False
        Train the head alone in the first epoch, then one layer group more
        per epoch from the top (the recurrent layers, the embedding last),
        as ULMFiT does; from epoch ``num_layers + 2`` on everything trains.
    max_epochs : int, default=20
        Maximum number of passes over the training data.
    batch_size : int, default=64
        Documents per batch, at most.
    max_batch_tokens : int or None, default=16384
        Padded tokens per forward pass, at most (documents times the
        longest), in training and prediction, so that memory is bounded
        whatever the lengths. A training step still holds ``batch_size``
        documents: one above the budget runs in pieces within it, whose
        gradients add up to the whole step's before one optimizer update,
        so the budget bounds memory, not what training learns. A
        longer document is cut to its last ``max_batch_tokens`` tokens (the
        end: what ``pooling="last"`` reads), with a
        :class:`~sklearn_rnn.TruncationWarning`. None: no token budget. See
        :ref:`long_documents`.
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
        Epochs without improvement before stopping. They are counted only
        once the validation accuracy has been above that of guessing (the
        share of the most frequent class plus three standard errors), so a
        network on the plateau that often comes before learning trains on.
    validation_fraction : float, default=0.1
        Share of the training data held out (stratified) for early stopping.
    refit : bool, default=True
        With early stopping, once the best number of epochs is known, train
        a new network (same seed) on all the training data, the validation
        part included, for that many epochs. It is kept only if it fits the
        training data at least as well as the early-stopped network (mean
        loss over all training documents); if not, it trains on, one epoch
        at a time up to ``max_epochs``, and when it still falls short the
        early-stopped network is kept, with a warning. Refitting doubles the
        training time; the user guide on training says what it gains and
        costs. Not done when ``warm_start`` continues training.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss.
    bucketing : bool, default=True
        Form training batches from documents of similar length.
    warm_start : bool, default=False
        When fitted already, ``fit`` goes on training the same network with
        today's ``max_epochs``, ``batch_size``, ``lr``, ``embedding_lr`` and
        ``weight_decay`` (the vocabulary size, the classes and the network's
        shape stay those of the first fit). Token ids must keep their
        meaning: in a Pipeline the indexer needs ``warm_start=True`` too
        (:func:`make_rnn_pipeline` sets it); ids renumbered by a vocabulary
        learned anew are refused. A fit that fails (diverges, is
        interrupted) leaves the fitted network as it was.
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
        The trained skorch network that predicts (history, callbacks,
        module): the refit one, or the early-stopped one.
    vocab_size_ : int
        Number of token ids the model knows; larger ids are read as
        ``<unk>`` (1).
    history_ : skorch.history.History
        Per-epoch record of the network kept (``net_.history``).
    validation_history_ : skorch.history.History or None
        Per-epoch record of the run with early stopping (``train_loss``,
        ``valid_loss``, ``valid_acc``); the same as ``history_`` when that
        network is the one kept, None without early stopping.
    n_epochs_ : int
        Epochs the kept network was trained.
    best_epoch_ : int
        The best epoch by validation accuracy with early stopping, else the
        last epoch.
    refitted_ : bool
        Whether the kept network is the one retrained on all the data.
    vectors_coverage_ : dict or None
        With ``vectors``: the share of the distinct training tokens
        (``"types"``) and of all training tokens (``"tokens"``) that have a
        pretrained vector.
    language_model_ : RNNLanguageModel or None
        With ``language_model``: the fitted language model the network
        started from (this fit's clone, or the one given).

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
        "pooling": [StrOptions({"last", "mean", "max", "concat"})],
        "nonlinearity": [StrOptions({"tanh", "relu"})],
        "vectors": [str, os.PathLike, WordVectors, None],
        "embeddings": ["array-like", None],
        "freeze_embeddings": ["boolean"],
        "language_model": [HasMethods(["fit"]), None],
        "pretrained_layers": [StrOptions({"all", "embedding"})],
        "unlabelled": ["array-like", None],
        "discriminative_lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions({"constant", "slanted_triangular"})],
        "gradual_unfreezing": ["boolean"],
        "embedding_lr": [
            Interval(numbers.Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
            None,
        ],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "warm_start": ["boolean"],
        "refit": ["boolean"],
        **NETWORK_CONSTRAINTS,
        **SKORCH_CONSTRAINTS,
        "embedding_dim": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        cell: str = "lstm",
        embedding_dim: int | None = None,
        hidden_size: int = 128,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.2,
        word_dropout: float = 0.0,
        pooling: str = "last",
        nonlinearity: str = "tanh",
        vectors=None,
        embeddings=None,
        freeze_embeddings: bool = False,
        embedding_lr: float | str | None = "auto",
        language_model=None,
        pretrained_layers: str = "embedding",
        unlabelled=None,
        discriminative_lr: float = 1.0,
        lr_schedule: str = "constant",
        gradual_unfreezing: bool = False,
        max_epochs: int = 20,
        batch_size: int = 64,
        max_batch_tokens: int | None = 16384,
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
        self.vectors = vectors
        self.embeddings = embeddings
        self.freeze_embeddings = freeze_embeddings
        self.embedding_lr = embedding_lr
        self.language_model = language_model
        self.pretrained_layers = pretrained_layers
        self.unlabelled = unlabelled
        self.discriminative_lr = discriminative_lr
        self.lr_schedule = lr_schedule
        self.gradual_unfreezing = gradual_unfreezing
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
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
    def _build_net(
        self,
        rows: RowPlan,
        y_encoded: np.ndarray,
        seed: int,
        epochs: int | None = None,
        chance: float | None = None,
    ):
        """The initialised skorch net; ``epochs`` trains exactly that many,
        without early stopping (the refit on all the data). ``chance`` is the
        validation accuracy of guessing (early stopping waits past it)."""
        callbacks = training_callbacks(
            self.clip_grad_norm,
            self.early_stopping and epochs is None,
            self.patience,
            self.callbacks,
            chance=chance,
            verbose=self.verbose,
        )
        fine_tuning = []  # before the user's callbacks, which see their rates
        if self.lr_schedule == "slanted_triangular":
            fine_tuning.append(("lr_schedule", SlantedTriangular()))
        if self.gradual_unfreezing:
            fine_tuning.append(("unfreezing", GradualUnfreezing(self.num_layers)))
        ours = len(callbacks) - len(self.callbacks or [])
        callbacks[ours:ours] = fine_tuning
        groups = discriminative_groups(
            self.lr, self._embedding_lr(), self.discriminative_lr, self.num_layers
        )
        net = WeightedNetClassifier(
            RecurrentClassifierModule,
            **{f"module__{k}": v for k, v in rows.module_params.items()},
            module__n_classes=len(self.classes_),
            module__cell=self.cell,
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__bidirectional=self.bidirectional,
            module__dropout=self.dropout,
            module__word_dropout=self.word_dropout,
            module__pooling=self.pooling,
            module__nonlinearity=self.nonlinearity,
            module__freeze_embeddings=self.freeze_embeddings,
            criterion=torch.nn.CrossEntropyLoss,
            criterion__weight=class_weights(
                self.class_weight, self.classes_, y_encoded
            ),
            **skorch_optimizer(self.optimizer, self.device),
            optimizer__weight_decay=self.weight_decay,
            optimizer__param_groups=groups,
            lr=self.lr,
            max_epochs=self.max_epochs if epochs is None else epochs,
            batch_size=self.batch_size,
            iterator_train=make_loader,
            iterator_train__shuffle=True,
            iterator_train__bucketing=self.bucketing,
            iterator_train__generator=np.random.default_rng(seed),
            iterator_train__max_tokens=self.max_batch_tokens,
            iterator_valid=make_loader,
            iterator_valid__max_tokens=self.max_batch_tokens,
            callbacks=callbacks,
            callbacks__valid_acc=ValidAccuracy(),
            device=self.device,
            verbose=self.verbose,
        ).initialize()
        rows.fill(net.module_)
        if getattr(self, "_lm_rnn_state", None) is not None:
            load_rnn_state(net.module_.encoder.rnn, self._lm_rnn_state)
        return net

    def _embedding_lr(self) -> float:
        return embedding_learning_rate(self.embedding_lr, self.lr, self.vectors)

    def _split(self, seqs, y_encoded, weights, seed: int):
        """Training dataset and (length-sorted) validation dataset or None."""
        if not self.early_stopping:
            return SequenceDataset(seqs, y_encoded, weights), None
        return early_stopping_split(
            seqs,
            y_encoded,
            self.validation_fraction,
            seed,
            classes=y_encoded,
            weights=weights,
        )

    # -- estimator API ------------------------------------------------------
    @fit_context
    def fit(self, X, y, sample_weight=None):
        """Train the network.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Token-id sequences (pad id 0), as made by :class:`VocabularyIndexer`
            or :class:`SequencePadder`.
        y : array-like of shape (n_documents,)
            Class labels (strings or integers).
        sample_weight : array-like of shape (n_documents,), default=None
            Weight of each document's loss (a weight of 2 counts a document
            twice); the weights are scaled to a mean of one, so ``lr`` keeps
            its meaning. The early-stopping accuracy is not weighted.

        Returns
        -------
        self : RNNClassifier
            The fitted classifier.
        """
        check_device(self.device)
        seqs = check_sequences(X, strip_pad=True)
        y_arr = check_labels(y, len(seqs))
        weights = check_sample_weight(sample_weight, len(seqs))
        continuing = self.warm_start and hasattr(self, "net_")
        if continuing:
            y_encoded = encode_known_labels(y_arr, self.classes_)
            check_same_numbering(seqs, self._numbering)
        else:
            encoder = LabelEncoder().fit(y_arr)
            self.classes_ = encoder.classes_
            y_encoded = encoder.transform(y_arr).astype(np.int64)
            self._rows = self._plan_rows(seqs)
            self.vocab_size_ = self._rows.id_map.size
            self.vectors_coverage_ = self._rows.coverage
            self._numbering = numbering_fingerprint(seqs)
        rows = cap_to_budget(self._rows.to_rows(seqs), self.max_batch_tokens, self)
        seed = draw_seed(self.random_state)
        train, valid = self._split(rows, y_encoded, weights, seed)
        chance = None if valid is None else chance_accuracy(valid.y)

        def build(epochs=None):
            if continuing:
                return self.net_
            return self._build_net(
                self._rows, y_encoded, seed, epochs=epochs, chance=chance
            )

        with restored_on_failure(self, "net_") if continuing else nullcontext():
            if continuing:
                continue_training(
                    self.net_,
                    seed,
                    lr=self.lr,
                    embedding_lr=self._embedding_lr(),
                    weight_decay=self.weight_decay,
                    max_epochs=self.max_epochs,
                    batch_size=self.batch_size,
                    max_tokens=self.max_batch_tokens,
                )
            net = train_net(
                build, train, valid, seed, embedding_advice=SHRINK_VOCABULARY
            )
        if valid is None or continuing or not self.refit:
            self._set_net(net)
        else:
            everything = SequenceDataset(rows, y_encoded, weights)
            final = refit_net(build, net, everything, seed, self.max_epochs)
            self._set_net(final, search=net)
        self._rows = self._rows.for_prediction()  # the vectors live in the net
        self._lm_rnn_state = None
        return self

    def _shape(self) -> dict:
        return {
            "cell": self.cell,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "embedding_dim": self.embedding_dim,
        }

    def _plan_rows(self, seqs: list[np.ndarray]) -> RowPlan:
        """The embedding's rows of a first fit; with ``language_model``, the
        language model's rows and recurrent weights (fitted first if need be)."""
        self.language_model_ = None
        self._lm_rnn_state = None
        unlabelled = self._unlabelled_ids()
        if self.language_model is None:
            return plan_rows(
                seqs,
                vectors=resolve_vectors(self.vectors),
                embeddings=self.embeddings,
                embedding_dim=self.embedding_dim,
            )
        if self.embeddings is not None:
            raise ValueError(
                "Pass language_model or embeddings, not both: the embedding "
                "starts from the language model."
            )
        fitted = fitted_language_model(self.language_model)
        if fitted is not None:
            check_same_shape(
                language_model_shape(fitted),
                self._shape(),
                self.bidirectional,
                self.pretrained_layers,
            )
        else:
            given = self.language_model.get_params()
            check_same_shape(
                {k: given[k] for k in self._shape() if given.get(k) is not None},
                self._shape(),
                self.bidirectional,
                self.pretrained_layers,
            )
        size = id_table_size(seqs, 16, "id map")  # counts and rows per id
        pretrained = pretrained_weights(
            self.language_model,
            seqs,
            size,
            resolve_vectors(self.vectors),
            unlabelled=unlabelled,
        )
        check_same_shape(
            language_model_shape(pretrained.language_model),
            self._shape(),
            self.bidirectional,
            self.pretrained_layers,
        )
        self.language_model_ = pretrained.language_model
        if self.pretrained_layers == "all":
            self._lm_rnn_state = pretrained.rnn_state
        return plan_given_rows(
            pretrained.ids, pretrained.embeddings, size, self.embedding_dim
        )

    def _unlabelled_ids(self) -> list[np.ndarray] | None:
        """The ``unlabelled`` ids of this fit: the classifier's own, or those
        its :class:`~sklearn_rnn.presets.PretrainingPipeline` indexed with
        this fit's indexer (handed over in ``_unlabelled_from_pipeline``, a
        function the pipeline sets while it fits)."""
        from_pipeline = getattr(self, "_unlabelled_from_pipeline", None)
        if from_pipeline is not None and self.unlabelled is not None:
            raise ValueError(
                "Give unlabelled= to the pipeline (texts) or to its classifier "
                "(token ids), not to both."
            )
        given = from_pipeline is not None or self.unlabelled is not None
        if given and self.language_model is None:
            raise ValueError(
                "unlabelled= documents are read by the language model only; "
                "pass language_model= too."
            )
        if from_pipeline is not None:
            return from_pipeline()
        if self.unlabelled is None:
            return None
        return check_unlabelled_ids(self.unlabelled)

    def _class_scores(self, X) -> np.ndarray:
        """Logits, one column per class, in the caller's document order."""
        check_is_fitted(self, "net_")
        seqs = self._rows.to_rows(check_sequences(X, strip_pad=True))
        seqs = cap_to_budget(seqs, self.max_batch_tokens, self)
        order = np.argsort([len(s) for s in seqs], kind="stable")
        dataset = SequenceDataset([seqs[i] for i in order])
        out = np.empty((len(seqs), len(self.classes_)), dtype=np.float64)
        out[order] = forward_all(self.net_, dataset).numpy()
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
        return self._decision_scores(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.non_deterministic = self.device != "cpu"
        return tags
