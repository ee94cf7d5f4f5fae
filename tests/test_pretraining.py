"""Classifiers that start from a recurrent language model (issue 21, transfer).

The language model here is a stand-in with the fitted attributes the
transfer reads (``indexer_``, a VocabularyIndexer, and ``module_``, a
RecurrentDecoder), so that these tests show what the classifier does with
them: which documents each fit's language model sees, and that the
classifier's weights are the language model's.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator, clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_validate
from skorch.callbacks import Callback

from sklearn_rnn import (
    RNNClassifier,
    VocabularyIndexer,
    _pretraining,
    make_rnn_pipeline,
)
from sklearn_rnn.nn import RecurrentDecoder


def split_on_spaces(doc: str) -> list[str]:
    return doc.split(" ")


class SpyLanguageModel(BaseEstimator):
    """A tiny word language model that records every document it is fitted on.

    Texts are split on spaces; a list of tokens is taken as it is. A few
    steps of next-token training move its weights away from their start.
    """

    fitted_on: list = []

    def __init__(self, *, embedding_dim=6, hidden_size=5, cell="lstm", num_layers=1):
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.cell = cell
        self.num_layers = num_layers

    def fit(self, X, y=None):
        docs = [d if isinstance(d, str) else " ".join(d) for d in X]
        SpyLanguageModel.fitted_on.append(list(docs))
        self.indexer_ = VocabularyIndexer(analyzer=split_on_spaces, lowercase=False)
        ids = self.indexer_.fit_transform(docs)
        torch.manual_seed(0)
        self.module_ = RecurrentDecoder(
            len(self.indexer_.vocabulary_),
            self.embedding_dim,
            self.hidden_size,
            num_layers=self.num_layers,
            cell=self.cell,
        )
        optimizer = torch.optim.Adam(self.module_.parameters(), lr=0.05)
        for seq in ids[:20]:
            if seq.size < 2:
                continue
            tokens = torch.as_tensor(seq)[None]
            logits, _ = self.module_(tokens[:, :-1])
            loss = torch.nn.functional.cross_entropy(logits[0], tokens[0, 1:])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return self

    def pretrained_state(self):
        encoder = self.module_.encoder
        return {
            "embedding": encoder.embedding.state_dict(),
            "rnn": encoder.rnn.state_dict(),
            "indexer": self.indexer_,
        }


@pytest.fixture(autouse=True)
def _fresh_spy():
    SpyLanguageModel.fitted_on = []


WORDS = ["good", "bad", "film", "plot", "fine", "dull", "great", "awful"]


def make_texts(n, seed=0):
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(n):
        words = rng.choice(WORDS, size=rng.integers(3, 7)).tolist()
        texts.append(" ".join(words + [f"doc{i}"]))  # every document unique
        labels.append("pos" if ("good" in words or "great" in words) else "neg")
    return texts, np.array(labels)


TEXTS, LABELS = make_texts(60)
INDEXER = VocabularyIndexer(analyzer=split_on_spaces).fit(TEXTS)
IDS = INDEXER.transform(TEXTS)

#: lr so small that the fitted network still holds the weights it started from
FROZEN = dict(lr=1e-9, max_epochs=1, early_stopping=False, random_state=0)
TINY = dict(embedding_dim=6, hidden_size=5)


def row_of(clf, token_id):
    """The embedding row the fitted classifier reads for a token id."""
    return clf._rows.id_map[token_id]


def assert_embedding_is_the_language_model_s(clf):
    """Every training id's row of the fitted classifier is its language
    model's row of that id; the padding row is zero."""
    lm = clf.language_model_
    vocabulary = lm.indexer_.vocabulary_
    rows = clf.net_.module_.encoder.embedding.weight.detach()
    lm_rows = lm.module_.encoder.embedding.weight.detach()
    for i in range(2, clf.vocab_size_):
        lm_row = lm_rows[vocabulary[str(i)]]
        torch.testing.assert_close(rows[row_of(clf, i)], lm_row, atol=1e-6, rtol=0)
    assert torch.all(rows[0] == 0)


def assert_same_weights(mine: dict, theirs: dict):
    """Every weight of the state dict ``theirs`` is in ``mine``, equal."""
    for name, weight in theirs.items():
        torch.testing.assert_close(mine[name], weight, atol=1e-6, rtol=0)


def ids_as_tokens(seqs):
    return [" ".join(map(str, s)) for s in seqs]


# -- the weights come from the language model ---------------------------------


def test_embedding_and_recurrent_weights_are_the_language_model_s():
    clf = RNNClassifier(
        language_model=SpyLanguageModel(), pretrained_layers="all", **TINY, **FROZEN
    )
    clf.fit(IDS, LABELS)
    lm = clf.language_model_
    assert_embedding_is_the_language_model_s(clf)
    assert_same_weights(
        clf.net_.module_.encoder.rnn.state_dict(), lm.module_.encoder.rnn.state_dict()
    )
    # the control: the same classifier without the language model differs
    plain = RNNClassifier(**TINY, **FROZEN).fit(IDS, LABELS)
    other = plain.net_.module_.encoder.rnn.state_dict()["weight_hh_l0"]
    assert not torch.allclose(other, lm.module_.encoder.rnn.weight_hh_l0, atol=1e-3)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_pretrained_layers_embedding_starts_the_embedding_only(bidirectional):
    clf = RNNClassifier(
        language_model=SpyLanguageModel(),
        pretrained_layers="embedding",
        bidirectional=bidirectional,
        **TINY,
        **FROZEN,
    )
    clf.fit(IDS, LABELS)
    lm = clf.language_model_
    module = clf.net_.module_
    assert_embedding_is_the_language_model_s(clf)
    # the recurrent layers start as a classifier's from scratch does
    plain = RNNClassifier(bidirectional=bidirectional, **TINY, **FROZEN)
    plain.fit(IDS, LABELS)
    assert_same_weights(
        module.encoder.rnn.state_dict(), plain.net_.module_.encoder.rnn.state_dict()
    )
    assert not torch.allclose(
        module.encoder.rnn.weight_hh_l0, lm.module_.encoder.rnn.weight_hh_l0, atol=1e-3
    )


def test_pretrained_layers_embedding_needs_only_the_embedding_size():
    # another hidden size is fine; another embedding size is not
    RNNClassifier(
        language_model=SpyLanguageModel(),
        pretrained_layers="embedding",
        embedding_dim=6,
        hidden_size=7,
        **FROZEN,
    ).fit(IDS, LABELS)
    with pytest.raises(ValueError, match="embedding_dim=4"):
        RNNClassifier(
            language_model=SpyLanguageModel(),
            pretrained_layers="embedding",
            embedding_dim=4,
            hidden_size=5,
            **FROZEN,
        ).fit(IDS, LABELS)


def test_the_refit_network_starts_from_the_language_model_too():
    clf = RNNClassifier(
        language_model=SpyLanguageModel(),
        pretrained_layers="all",
        **TINY,
        lr=1e-9,
        max_epochs=2,
        patience=1,
        random_state=0,
    )
    clf.fit(IDS, LABELS)
    assert len(SpyLanguageModel.fitted_on) == 1  # one language model per fit
    lm_hh = clf.language_model_.module_.encoder.rnn.weight_hh_l0
    hh = clf.net_.module_.encoder.rnn.weight_hh_l0
    torch.testing.assert_close(hh, lm_hh, atol=1e-6, rtol=0)


def test_the_language_model_reads_every_training_document_of_the_fit():
    clf = RNNClassifier(
        language_model=SpyLanguageModel(), **TINY, max_epochs=1, refit=False
    )
    clf.fit(IDS, LABELS)  # early stopping holds out a validation part
    (seen,) = SpyLanguageModel.fitted_on
    assert sorted(seen) == sorted(ids_as_tokens(IDS))


# -- each fold pretrains on its own training documents only --------------------


@pytest.mark.parametrize("through", ["classifier", "pipeline"])
def test_each_fold_fits_its_own_language_model_on_its_training_documents(through):
    folds = [(np.arange(0, 40), np.arange(40, 60)), (np.arange(20, 60), np.arange(20))]
    if through == "classifier":
        model, X = RNNClassifier(language_model=SpyLanguageModel(), **TINY), IDS
        model.set_params(max_epochs=1, early_stopping=False)
    else:
        model = make_rnn_pipeline(
            language_model=SpyLanguageModel(), max_epochs=1, early_stopping=False
        )
        X = TEXTS
    given = model.get_params()["language_model" if through == "classifier" else
                               "classifier__language_model"]
    result = cross_validate(model, X, LABELS, cv=folds, return_estimator=True)
    assert len(SpyLanguageModel.fitted_on) == 2
    for (train, test), seen, fitted in zip(
        folds, SpyLanguageModel.fitted_on, result["estimator"]
    ):
        clf = fitted if through == "classifier" else fitted["classifier"]
        if through == "classifier":
            train_ids = [IDS[i] for i in train]
            test_ids = [IDS[i] for i in test]
        else:  # the fold's own indexer numbered the fold's own documents
            train_ids = fitted["indexer"].transform([TEXTS[i] for i in train])
            test_ids = fitted["indexer"].transform([TEXTS[i] for i in test])
        assert sorted(seen) == sorted(ids_as_tokens(train_ids))
        assert not set(seen) & set(ids_as_tokens(test_ids))
        assert clf.language_model_ is not given
        assert not hasattr(given, "module_")  # the given one stays unfitted


# -- a fitted language model ---------------------------------------------------


def test_a_fitted_word_language_model_is_used_as_it_is_in_every_fold():
    lm = SpyLanguageModel().fit(make_texts(80, seed=1)[0])
    pipe = make_rnn_pipeline(language_model=lm, max_epochs=1, early_stopping=False)
    assert isinstance(pipe["classifier"].language_model, FrozenEstimator)
    # the embedding only is started: its size is the language model's, the
    # recurrent layer is the classifier's own
    assert pipe["classifier"].embedding_dim == 6
    assert pipe["classifier"].hidden_size == RNNClassifier().hidden_size
    assert make_rnn_pipeline(language_model=lm, hidden_size=9)[-1].hidden_size == 9
    every = make_rnn_pipeline(language_model=lm, pretrained_layers="all")[-1]
    assert (every.hidden_size, every.embedding_dim) == (5, 6)
    # the indexer numbers the words as the language model does
    assert pipe["indexer"].vocabulary == lm.indexer_.vocabulary_
    SpyLanguageModel.fitted_on = []
    result = cross_validate(pipe, TEXTS, LABELS, cv=2, return_estimator=True)
    assert SpyLanguageModel.fitted_on == []  # never refitted
    fitted = result["estimator"][0]
    assert fitted["classifier"].language_model_ is lm
    ids = fitted["indexer"].transform(["good film"])[0]
    assert ids.tolist() == [lm.indexer_.vocabulary_[w] for w in ("good", "film")]


def test_a_language_model_fitted_by_a_classifier_is_reused_on_the_same_ids():
    first = RNNClassifier(language_model=SpyLanguageModel(), **TINY, **FROZEN)
    lm = first.fit(IDS, LABELS).language_model_
    SpyLanguageModel.fitted_on = []
    again = RNNClassifier(language_model=lm, **TINY, **FROZEN).fit(IDS, LABELS)
    assert SpyLanguageModel.fitted_on == []
    assert again.language_model_ is lm
    with pytest.raises(ValueError, match="token ids of another pipeline"):
        make_rnn_pipeline(language_model=lm)


def test_a_fitted_language_model_with_another_vocabulary_is_refused():
    words_lm = SpyLanguageModel().fit(["good film", "bad plot"])  # 6 ids
    clf = RNNClassifier(language_model=words_lm, **TINY, **FROZEN)
    with pytest.raises(ValueError, match="not made with its vocabulary"):
        clf.fit(IDS, LABELS)
    # ids of a vocabulary learned on these documents, a larger word model
    big_lm = SpyLanguageModel().fit(make_texts(200, seed=3)[0])
    small = VocabularyIndexer(analyzer=split_on_spaces).fit_transform(TEXTS[:6])
    with pytest.raises(ValueError, match="learned on these\\s+very documents"):
        RNNClassifier(language_model=big_lm, **TINY, **FROZEN).fit(small, LABELS[:6])
    id_lm = SpyLanguageModel().fit([["900", "901"], ["902"]])
    with pytest.raises(ValueError, match="None of the training token ids"):
        RNNClassifier(language_model=id_lm, **TINY, **FROZEN).fit(IDS, LABELS)


# -- bad input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(hidden_size=7), "hidden_size=7 differs from the language model's 5"),
        (dict(embedding_dim=9), "embedding_dim=9 differs"),
        (dict(cell="gru"), "cell='gru' differs"),
        (dict(bidirectional=True), "reads left to right only"),
        (dict(embeddings=np.zeros((50, 6))), "language_model or embeddings"),
    ],
)
def test_a_classifier_that_cannot_take_the_weights_is_refused_before_pretraining(
    params, match
):
    clf = RNNClassifier(
        language_model=SpyLanguageModel(), pretrained_layers="all", **TINY | params
    )
    with pytest.raises(ValueError, match=match):
        clf.fit(IDS, LABELS)
    assert SpyLanguageModel.fitted_on == []


def test_documents_without_tokens_or_all_unknown_are_refused():
    empty = [np.array([], dtype=np.int64)] * 4
    clf = RNNClassifier(language_model=SpyLanguageModel(), **TINY, **FROZEN)
    with pytest.raises(ValueError, match="training documents hold no tokens"):
        clf.fit(empty, ["a", "b", "a", "b"])
    with pytest.raises(ValueError, match="Every one of the 6 training tokens is <unk>"):
        clf.fit([[1, 1], [1], [1, 1, 1]], ["a", "b", "a"])
    assert SpyLanguageModel.fitted_on == []


def test_a_huge_vocabulary_warns(monkeypatch):
    monkeypatch.setattr(_pretraining, "LARGE_VOCABULARY", 10)
    clf = RNNClassifier(language_model=SpyLanguageModel(), **TINY, **FROZEN)
    with pytest.warns(UserWarning, match="takes 70 embedding rows"):
        clf.fit(IDS, LABELS)


# -- clone and pickle ----------------------------------------------------------


def test_clone_and_pickle():
    clf = RNNClassifier(language_model=SpyLanguageModel(hidden_size=5), **TINY)
    copy = clone(clf)
    assert copy.language_model is not clf.language_model
    assert copy.language_model.get_params() == clf.language_model.get_params()
    clf.set_params(max_epochs=2, random_state=0).fit(IDS, LABELS)
    assert not hasattr(clone(clf), "language_model_")
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(back.predict_proba(IDS), clf.predict_proba(IDS))
    assert back.language_model_.indexer_.vocabulary_ == (
        clf.language_model_.indexer_.vocabulary_
    )
    again = RNNClassifier(language_model=SpyLanguageModel(), **TINY)
    again.set_params(max_epochs=2, random_state=0).fit(IDS, LABELS)
    np.testing.assert_allclose(again.predict_proba(IDS), clf.predict_proba(IDS))


# -- with the package's own language model ---------------------------------------


def real_language_model(**params):
    language_model = pytest.importorskip("sklearn_rnn.language_model")
    RNNLanguageModel = language_model.RNNLanguageModel

    tiny = dict(embedding_dim=6, hidden_size=5, max_epochs=1, min_freq=1)
    return RNNLanguageModel(**{**tiny, "random_state": 0, **params})


def test_the_package_s_language_model_starts_a_pipeline_in_every_fold():
    pipe = make_rnn_pipeline(
        language_model=real_language_model(),
        pretrained_layers="all",
        **FROZEN | {"max_epochs": 1},
    )
    assert pipe["classifier"].hidden_size == 5
    result = cross_validate(pipe, TEXTS, LABELS, cv=2, return_estimator=True)
    for fitted in result["estimator"]:
        clf = fitted["classifier"]
        state = clf.language_model_.pretrained_state()
        vocabulary = state["indexer"].vocabulary_
        lm_rows = state["embedding"]["weight"]
        rows = clf.net_.module_.encoder.embedding.weight.detach()
        for i in np.unique(np.concatenate(fitted["indexer"].transform(TEXTS))):
            # words the language model did not keep start from its <unk>
            lm_row = lm_rows[vocabulary.get(str(i), 1)]
            row = rows[row_of(clf, i)]
            torch.testing.assert_close(row, lm_row, atol=1e-6, rtol=0)
        mine = clf.net_.module_.encoder.rnn.state_dict()
        assert_same_weights(mine, state["rnn"])
    back = pickle.loads(pickle.dumps(result["estimator"][0]))
    np.testing.assert_allclose(
        back.predict_proba(TEXTS), result["estimator"][0].predict_proba(TEXTS)
    )


def test_the_package_s_language_model_fitted_on_texts_is_used_as_it_is():
    lm = real_language_model().fit(make_texts(80, seed=1)[0])
    pipe = make_rnn_pipeline(language_model=lm, max_epochs=1, early_stopping=False)
    fitted = pipe.fit(TEXTS, LABELS)
    assert fitted["classifier"].language_model_ is lm
    ids = fitted["indexer"].transform(["good film"])[0]
    assert ids.tolist() == lm.indexer_.transform(["good film"])[0].tolist()


def test_vectors_of_the_pipeline_start_the_language_model():
    from sklearn_rnn import WordVectors

    rng = np.random.default_rng(0)
    words = WORDS + ["never", "seen"]  # ids 10 and 11, not in the training texts
    vectors = WordVectors(words, rng.normal(size=(len(words), 6)).astype("float32"))
    lm = real_language_model(embedding_dim=None, max_epochs=1)
    pipe = make_rnn_pipeline(
        vectors=vectors, language_model=lm, **FROZEN | {"max_epochs": 1}
    )
    fitted = pipe.fit(TEXTS, LABELS)
    clf = fitted["classifier"]
    assert clf.language_model_.vectors_coverage_ > 0
    # "good" is row 0 of the vectors: id 2, which the language model read as "2"
    assert fitted["indexer"].vocabulary_["good"] == 2
    state = clf.language_model_.pretrained_state()
    lm_row = state["embedding"]["weight"][state["indexer"].vocabulary_["2"]]
    assert clf.net_.module_.encoder.embedding.weight.shape[1] == 6
    row = clf.net_.module_.encoder.embedding.weight[row_of(clf, 2)]
    torch.testing.assert_close(row.detach(), lm_row, atol=1e-6, rtol=0)
    # the classifier's embedding holds the rows of the ids seen in training only
    assert clf.net_.module_.encoder.embedding.num_embeddings == clf.vocab_size_ - 2
    assert row_of(clf, 10) == row_of(clf, 11) == 1
    with pytest.raises(ValueError, match="give the vectors\\s+to the pipeline"):
        make_rnn_pipeline(language_model=lm.set_params(vectors=vectors)).fit(
            TEXTS, LABELS
        )


def test_a_pipeline_with_a_fitted_language_model_round_trips_through_skops(tmp_path):
    from sklearn_rnn import persistence

    lm = real_language_model().fit(TEXTS)
    pipe = make_rnn_pipeline(language_model=lm, max_epochs=1, early_stopping=False)
    pipe.fit(TEXTS, LABELS)
    persistence.dump(pipe, tmp_path / "model.skops")
    back = persistence.load(tmp_path / "model.skops")
    np.testing.assert_allclose(back.predict_proba(TEXTS), pipe.predict_proba(TEXTS))
    assert back["classifier"].language_model_.indexer_.vocabulary_ == (
        lm.indexer_.vocabulary_
    )


# -- unlabelled documents ------------------------------------------------------

UNLABELLED = [" ".join(["good", "plot"] * (i % 3 + 1) + [f"unl{i}"]) for i in range(9)]


def test_the_language_model_reads_the_fold_s_training_and_unlabelled_documents():
    folds = [(np.arange(0, 40), np.arange(40, 60)), (np.arange(20, 60), np.arange(20))]
    pipe = make_rnn_pipeline(
        language_model=SpyLanguageModel(),
        unlabelled=UNLABELLED,
        max_epochs=1,
        early_stopping=False,
    )
    result = cross_validate(pipe, TEXTS, LABELS, cv=folds, return_estimator=True)
    assert len(SpyLanguageModel.fitted_on) == 2
    for (train, _), seen, fitted in zip(
        folds, SpyLanguageModel.fitted_on, result["estimator"]
    ):
        indexer = fitted["indexer"]  # the fold's own, fitted on its training part
        train_ids = indexer.transform([TEXTS[i] for i in train])
        unlabelled_ids = indexer.transform(UNLABELLED)
        expected = ids_as_tokens(train_ids) + ids_as_tokens(unlabelled_ids)
        assert sorted(seen) == sorted(expected)
        assert len(seen) == len(train) + len(UNLABELLED)  # no scored document
        # "unl3" is no word of the fold's vocabulary: the language model reads <unk>
        assert unlabelled_ids[3][-1] == 1
        assert "_unlabelled_from_pipeline" not in vars(fitted["classifier"])
    assert fitted.unlabelled == UNLABELLED  # kept (cloned) as given


def test_a_classifier_s_unlabelled_ids_go_to_its_language_model_only():
    extra = [np.array([2, 3, 999]), np.array([4, 0, 0])]  # padding is dropped
    clf = RNNClassifier(
        language_model=SpyLanguageModel(), unlabelled=extra, **TINY, **FROZEN
    )
    clf.fit(IDS, LABELS)
    (seen,) = SpyLanguageModel.fitted_on
    assert sorted(seen) == sorted(ids_as_tokens(IDS) + ["2 3 999", "4"])
    assert clf.vocab_size_ == max(int(s.max()) for s in IDS) + 1  # bounded by X


def test_unlabelled_documents_keep_clone_pickle_skops_and_grid_search(tmp_path):
    from sklearn.model_selection import GridSearchCV

    from sklearn_rnn import persistence
    from sklearn_rnn.presets import PretrainingPipeline

    pipe = make_rnn_pipeline(
        language_model=SpyLanguageModel(), unlabelled=UNLABELLED, **FROZEN
    )
    copy = clone(pipe)
    assert isinstance(copy, PretrainingPipeline)
    assert copy.unlabelled == UNLABELLED
    assert copy.get_params()["classifier__language_model"] is not (
        pipe.get_params()["classifier__language_model"]
    )
    search = GridSearchCV(pipe, {"classifier__lr": [1e-9, 1e-3]}, cv=2)
    search.fit(TEXTS, LABELS)
    assert len(SpyLanguageModel.fitted_on) == 2 * 2 + 1  # candidates x folds + refit
    assert all(len(seen) == 30 + 9 for seen in SpyLanguageModel.fitted_on[:4])
    best = search.best_estimator_
    back = pickle.loads(pickle.dumps(best))
    np.testing.assert_allclose(back.predict_proba(TEXTS), best.predict_proba(TEXTS))
    real = make_rnn_pipeline(
        language_model=real_language_model(), unlabelled=UNLABELLED, **FROZEN
    ).fit(TEXTS, LABELS)
    persistence.dump(real, tmp_path / "model.skops")
    loaded = persistence.load(tmp_path / "model.skops")
    assert isinstance(loaded, PretrainingPipeline)
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), real.predict_proba(TEXTS))


@pytest.mark.parametrize(
    "unlabelled, error, match",
    [
        ("one text", TypeError, "unlabelled= must be a list of texts: .*str object"),
        (["fine", 3], TypeError, "unlabelled= must be a list of texts: Document 1"),
        ([], ValueError, "unlabelled= must be a list of texts: .*empty"),
    ],
)
def test_unlabelled_that_is_not_a_list_of_texts_is_refused(unlabelled, error, match):
    pipe = make_rnn_pipeline(language_model=SpyLanguageModel(), unlabelled=unlabelled)
    with pytest.raises(error, match=match):
        pipe.fit(TEXTS, LABELS)
    assert SpyLanguageModel.fitted_on == []


def test_unlabelled_without_an_unfitted_language_model_is_refused():
    with pytest.raises(ValueError, match="pass language_model= too"):
        make_rnn_pipeline(unlabelled=UNLABELLED, **FROZEN).fit(TEXTS, LABELS)
    lm = SpyLanguageModel().fit(make_texts(80, seed=1)[0])
    pipe = make_rnn_pipeline(language_model=lm, unlabelled=UNLABELLED, **FROZEN)
    with pytest.raises(ValueError, match="fitted already and used as it is"):
        pipe.fit(TEXTS, LABELS)
    both = make_rnn_pipeline(
        language_model=SpyLanguageModel(), unlabelled=UNLABELLED, **FROZEN
    )
    both.set_params(classifier__unlabelled=[[2, 3]])
    with pytest.raises(ValueError, match="not to both"):
        both.fit(TEXTS, LABELS)
    with pytest.raises(TypeError, match="unlabelled= of a classifier must be token"):
        RNNClassifier(
            language_model=SpyLanguageModel(), unlabelled=[["a"]], **TINY, **FROZEN
        ).fit(IDS, LABELS)


# -- ULMFiT's fine-tuning options ------------------------------------------------


class RecordRates(Callback):
    """Each training batch's rate per parameter group, and the weights per epoch."""

    def initialize(self):
        self.rates_, self.weights_ = [], []
        return self

    def on_batch_begin(self, net, training=False, **kwargs):
        if training:
            self.rates_.append([g["lr"] for g in net.optimizer_.param_groups])

    def on_epoch_end(self, net, **kwargs):
        state = net.module_.state_dict()
        self.weights_.append({k: v.detach().clone() for k, v in state.items()})


def group_of(net, name):
    """The index of the optimizer's parameter group that holds ``name``."""
    param = dict(net.module_.named_parameters())[name]
    for i, group in enumerate(net.optimizer_.param_groups):
        if any(p is param for p in group["params"]):
            return i
    raise KeyError(name)


ONE_RUN = dict(max_epochs=1, early_stopping=False, random_state=0, batch_size=8)


@pytest.mark.parametrize("embedding_lr, embedding_base", [("auto", 0.01), (0.03, 0.03)])
def test_discriminative_rates_divide_by_the_factor_per_layer_going_down(
    embedding_lr, embedding_base
):
    clf = RNNClassifier(
        **TINY, num_layers=2, lr=0.01, embedding_lr=embedding_lr,
        discriminative_lr=2.0, **ONE_RUN,
    ).fit(IDS, LABELS)
    net = clf.net_
    rates = {
        name: net.optimizer_.param_groups[group_of(net, name)]["lr"]
        for name, _ in net.module_.named_parameters()
    }
    assert rates["head.weight"] == rates["head.bias"] == 0.01
    assert rates["encoder.rnn.weight_hh_l1"] == pytest.approx(0.01 / 2)
    assert rates["encoder.rnn.bias_ih_l1"] == pytest.approx(0.01 / 2)
    assert rates["encoder.rnn.weight_ih_l0"] == pytest.approx(0.01 / 4)
    assert rates["encoder.embedding.weight"] == pytest.approx(embedding_base / 8)
    # a warm start keeps the relative rates at today's lr
    clf.set_params(warm_start=True, lr=0.1, embedding_lr=None).fit(IDS, LABELS)
    groups = clf.net_.optimizer_.param_groups
    assert groups[group_of(clf.net_, "encoder.rnn.weight_hh_l1")]["lr"] == 0.05
    assert groups[group_of(clf.net_, "encoder.embedding.weight")]["lr"] == 0.1 / 8
    assert groups[group_of(clf.net_, "head.weight")]["lr"] == 0.1


def test_the_slanted_triangular_schedule_rises_a_tenth_then_falls():
    spy = RecordRates()
    clf = RNNClassifier(
        **TINY, lr=0.032, discriminative_lr=2.0, lr_schedule="slanted_triangular",
        callbacks=[("rates", spy)], **ONE_RUN | {"max_epochs": 4},
    ).fit(IDS, LABELS)
    record = dict(clf.net_.callbacks_)["rates"]
    rates = np.array(record.rates_)  # (batches, groups): embedding, rnn, head
    total = len(rates)
    assert total == 4 * 8  # 60 documents, 8 a batch, 4 epochs
    cut = int(total * 0.1)
    head = rates[:, -1]
    assert head[0] == pytest.approx(0.032 / 32)
    assert head[cut] == pytest.approx(0.032)
    assert np.all(np.diff(head[: cut + 1]) > 0)
    assert np.all(np.diff(head[cut:]) < 0)
    expected_last = 0.032 * (1 + (1 - (total - 1 - cut) / (total - cut)) * 31) / 32
    assert head[-1] == pytest.approx(expected_last)
    # every group follows the same shape: the per-layer ratios hold
    np.testing.assert_allclose(rates / rates[:, -1:], [[1 / 4, 1 / 2, 1]] * total)
    # the rates of the batches are recorded, and are the rates again afterwards
    recorded = clf.history_[:, "batches", :, "lr"]
    np.testing.assert_allclose(recorded, head.reshape(4, 8))
    assert [g["lr"] for g in clf.net_.optimizer_.param_groups] == pytest.approx(
        [0.032 / 4, 0.032 / 2, 0.032]
    )


def test_gradual_unfreezing_trains_one_layer_group_more_per_epoch_from_the_top():
    spy = RecordRates()
    before = {}

    class First(Callback):
        def on_train_begin(self, net, **kwargs):
            state = net.module_.state_dict()
            before.update({k: v.detach().clone() for k, v in state.items()})

    clf = RNNClassifier(
        **TINY, lr=0.01, gradual_unfreezing=True, weight_decay=0.1, optimizer="adamw",
        callbacks=[("first", First()), ("rates", spy)], **ONE_RUN | {"max_epochs": 4},
    ).fit(IDS, LABELS)
    weights = [before] + dict(clf.net_.callbacks_)["rates"].weights_

    def moved(epoch, prefix):
        return any(
            not torch.equal(weights[epoch][k], weights[epoch - 1][k])
            for k in weights[0]
            if k.startswith(prefix)
        )

    assert [moved(1, p) for p in ("head", "encoder.rnn", "encoder.embedding")] == [
        True, False, False,
    ]
    assert [moved(2, p) for p in ("head", "encoder.rnn", "encoder.embedding")] == [
        True, True, False,
    ]
    assert [moved(e, "encoder.embedding") for e in (3, 4)] == [True, True]
    assert all(p.requires_grad for p in clf.net_.module_.parameters())


def test_the_fine_tuning_options_pass_through_the_pipeline_and_persist(tmp_path):
    from sklearn_rnn import persistence

    options = dict(
        discriminative_lr=2.6, lr_schedule="slanted_triangular", gradual_unfreezing=True
    )
    pipe = make_rnn_pipeline(language_model=real_language_model(), **options, **FROZEN)
    assert {k: pipe.get_params()[f"classifier__{k}"] for k in options} == options
    pipe.fit(TEXTS, LABELS)
    persistence.dump(pipe, tmp_path / "model.skops")
    back = persistence.load(tmp_path / "model.skops")
    np.testing.assert_allclose(back.predict_proba(TEXTS), pipe.predict_proba(TEXTS))
