"""Tests of the word-level recurrent language model."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklearn_rnn import (
    CharRNNGenerator,
    RNNLanguageModel,
    VocabularyIndexer,
    WordVectors,
)
from sklearn_rnn import language_model as lm_module

SMALL = dict(embedding_dim=8, hidden_size=16, bptt_steps=6, batch_size=4)


def grammar(n: int, seed: int) -> list[str]:
    """Sentences of a toy grammar: subject verb object, with agreement."""
    rng = np.random.default_rng(seed)
    subjects = {"the cat": "sleeps", "the dogs": "sleep", "a bird": "sings"}
    objects = ["on the mat", "in the park", "at night"]
    out = []
    for _ in range(n):
        subject = list(subjects)[rng.integers(3)]
        out.append(f"{subject} {subjects[subject]} {objects[rng.integers(3)]} .")
    return out


TRAIN, HELD_OUT = grammar(60, 0), grammar(10, 1)


@pytest.fixture(scope="module")
def fitted():
    lm = RNNLanguageModel(**SMALL, max_epochs=25, lr=1e-2, early_stopping=False)
    return lm.set_params(random_state=0).fit(TRAIN)


def test_learns_a_toy_grammar(fitted):
    vocab_size = fitted.eos_id_ + 1
    assert fitted.perplexity(HELD_OUT) < 0.25 * vocab_size
    losses = fitted.history_[:, "train_loss"]
    assert losses[-1] < 0.5 * losses[0]
    # agreement is learned: the verb that goes with its subject is likelier
    assert fitted.score(["the dogs sleep at night ."]) > fitted.score(
        ["the dogs sleeps at night ."]
    )
    assert fitted.perplexity(HELD_OUT) == pytest.approx(
        math.exp(-fitted.score(HELD_OUT))
    )


def _by_hand(lm: RNNLanguageModel, doc: str) -> tuple[float, int]:
    """Log-likelihood of one document: <eos> + ids + <eos> from zero state,
    every target (the closing <eos> too) from the full distribution."""
    ids = [lm.eos_id_, *lm.indexer_.transform([doc])[0].tolist(), lm.eos_id_]
    with torch.no_grad():
        outputs, _ = lm.module_(torch.tensor([ids[:-1]]))
        logp = lm.module_.log_probs(outputs)[0].double()
    return float(sum(logp[t, i] for t, i in enumerate(ids[1:]))), len(ids) - 1


@pytest.mark.parametrize("softmax", ["full", "adaptive"])
def test_score_is_the_mean_log_likelihood_with_eos_from_a_zero_state(softmax):
    lm = RNNLanguageModel(**SMALL, softmax=softmax, max_epochs=2, random_state=0)
    lm.fit(TRAIN)
    docs = ["the cat sleeps .", "a bird sings in the park at night ."]
    parts = [_by_hand(lm, doc) for doc in docs]
    assert [n for _, n in parts] == [5, 10]  # tokens + the closing <eos>
    total = sum(ll for ll, _ in parts)
    assert lm.score(docs) == pytest.approx(total / 15, abs=1e-6)
    # each document from a zero state: reading the second after the first
    # (the state carried) gives another score
    ids = [lm.eos_id_, *lm.indexer_.transform(docs[:1])[0], lm.eos_id_]
    with torch.no_grad():
        _, state = lm.module_(torch.tensor([ids[:-1]]))
        second = [lm.eos_id_, *lm.indexer_.transform(docs[1:])[0], lm.eos_id_]
        outputs, _ = lm.module_(torch.tensor([second[:-1]]), state)
        carried = lm.module_.target_log_probs(outputs, torch.tensor([second[1:]]))
    assert float(carried.sum()) != pytest.approx(parts[1][0], abs=1e-4)


@pytest.mark.parametrize("softmax", ["full", "adaptive"])
def test_probabilities_are_normalised(softmax):
    lm = RNNLanguageModel(**SMALL, softmax=softmax, max_epochs=1, random_state=0)
    lm.fit(TRAIN)
    tokens = torch.tensor([[lm.eos_id_, 2, 3, 4]])
    with torch.no_grad():
        outputs, _ = lm.module_(tokens)
        logp = lm.module_.log_probs(outputs)
        targets = torch.tensor([[2, 3, 4, lm.eos_id_]])
        picked = lm.module_.target_log_probs(outputs, targets)
    assert logp.shape == (1, 4, lm.eos_id_ + 1)
    np.testing.assert_allclose(logp.exp().sum(-1).numpy(), 1.0, rtol=1e-5)
    expected = logp.gather(2, targets[..., None])[..., 0]
    np.testing.assert_allclose(picked.numpy(), expected.numpy(), atol=1e-5)
    assert (lm.module_.adaptive is not None) == (softmax == "adaptive")


def test_auto_softmax_is_adaptive_for_a_large_vocabulary(monkeypatch):
    lm = RNNLanguageModel(**SMALL, max_epochs=1, random_state=0).fit(TRAIN)
    assert lm.module_.adaptive is None and lm.module_.head is not None
    monkeypatch.setattr(lm_module, "ADAPTIVE_FROM", 10)
    lm.fit(TRAIN)
    assert lm.module_.adaptive is not None and lm.module_.head is None


def test_tied_weights_share_storage_also_after_pickling(fitted):
    module = fitted.module_
    embedding = module.decoder.encoder.embedding.weight
    assert module.head.weight is embedding
    assert module.projection.in_features == 16  # hidden 16 -> embedding 8
    restored = pickle.loads(pickle.dumps(fitted)).module_
    assert restored.head.weight.data_ptr() == (
        restored.decoder.encoder.embedding.weight.data_ptr()
    )
    same = dict(SMALL, embedding_dim=16)
    module = RNNLanguageModel(**same, max_epochs=1, random_state=0).fit(TRAIN).module_
    assert module.projection is None  # sizes agree: no projection needed
    assert module.head.weight is module.decoder.encoder.embedding.weight
    untied = RNNLanguageModel(**SMALL, tie_weights=False, max_epochs=1, random_state=0)
    module = untied.fit(TRAIN).module_
    assert module.projection is None
    assert module.head.weight.data_ptr() != (
        module.decoder.encoder.embedding.weight.data_ptr()
    )


def test_lists_of_tokens_are_taken_as_they_are():
    analyze = VocabularyIndexer().build_analyzer()
    tokens = [analyze(doc) for doc in TRAIN]
    params = dict(**SMALL, max_epochs=2, random_state=0)
    on_texts = RNNLanguageModel(**params).fit(TRAIN)
    on_tokens = RNNLanguageModel(**params).fit(tokens)
    assert on_tokens.input_kind_ == "tokens" and on_texts.input_kind_ == "text"
    assert on_tokens.eos_id_ == on_texts.eos_id_
    assert on_tokens.score(tokens[:5]) == pytest.approx(on_texts.score(TRAIN[:5]))
    # case is kept: "The" is not "the"
    cased = RNNLanguageModel(**params, min_freq=1, early_stopping=False)
    cased.fit([["The", "cat"], ["the"]])
    assert {"The", "the", "cat"} <= set(cased.indexer_.vocabulary_)
    written = cased.sample(3, prompt=["The"], temperature=0)
    assert set(written.split()) <= {"The", "the", "cat"}
    assert written == cased.sample(3, prompt="The", temperature=0)
    with pytest.raises(TypeError, match="fitted on lists of tokens"):
        cased.score(["the cat"])
    with pytest.raises(TypeError, match="fitted on texts"):
        on_texts.score([["the", "cat"]])


def test_sampling(fitted):
    a = fitted.sample(12, prompt="the dogs", temperature=0)
    assert a == fitted.sample(12, prompt="the dogs", temperature=0)
    assert a.split()[0] == "sleep"
    assert fitted.sample(15, random_state=3) == fitted.sample(15, random_state=3)
    text = fitted.sample(30, temperature=0.5, random_state=0)
    words = text.split()
    assert len(words) + text.count("\n") == 30  # an end of document is a token
    assert set(words) <= set(fitted.indexer_.vocabulary_) - {"<pad>", "<unk>"}
    assert "\n" in text  # documents end, and the next one starts
    assert fitted.sample(0) == ""


def test_pickle_skops_and_clone(fitted, tmp_path):
    from sklearn_rnn import persistence

    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.score(HELD_OUT) == fitted.score(HELD_OUT)
    assert restored.sample(10, random_state=1) == fitted.sample(10, random_state=1)
    pytest.importorskip("skops")
    path = tmp_path / "lm.skops"
    persistence.dump(fitted, path)
    loaded = persistence.load(path)
    assert loaded.score(HELD_OUT) == fitted.score(HELD_OUT)
    fresh = clone(fitted)
    assert not hasattr(fresh, "module_")
    with pytest.raises(NotFittedError):
        fresh.score(HELD_OUT)


def test_same_random_state_same_model():
    params = dict(**SMALL, max_epochs=2, random_state=4)
    a = RNNLanguageModel(**params).fit(TRAIN)
    b = RNNLanguageModel(**params).fit(TRAIN)
    assert a.score(HELD_OUT) == b.score(HELD_OUT)
    assert a.best_epoch_ == 1 + int(np.argmin(a.history_[:, "valid_loss"]))


def test_vectors_initialise_the_embedding_rows_they_hold():
    words = ["the", "cat", "zebra"]
    rows = np.arange(12, dtype=np.float32).reshape(3, 4) / 10
    vectors = WordVectors(words, rows)
    lm = RNNLanguageModel(
        hidden_size=8,
        vectors=vectors,
        optimizer="sgd",
        lr=1e-12,
        max_epochs=1,
        early_stopping=False,
        random_state=0,
    ).fit(TRAIN)
    weight = lm.module_.decoder.encoder.embedding.weight.detach().numpy()
    vocab = lm.indexer_.vocabulary_
    np.testing.assert_allclose(weight[vocab["the"]], rows[0], atol=1e-6)
    np.testing.assert_allclose(weight[vocab["cat"]], rows[1], atol=1e-6)
    assert lm.vectors_coverage_ == pytest.approx(2 / (len(vocab) - 2))
    with pytest.raises(ValueError, match="clashes"):
        RNNLanguageModel(embedding_dim=5, vectors=vectors).fit(TRAIN)
    with pytest.raises(ValueError, match="None of the"):
        RNNLanguageModel(vectors=WordVectors(["zebra"], rows[:1])).fit(TRAIN)


def test_pretrained_state_for_a_classifier(fitted):
    state = fitted.pretrained_state()
    assert state["embedding"]["weight"].shape == (fitted.eos_id_ + 1, 8)
    assert "weight_hh_l0" in state["rnn"]
    assert state["indexer"] is fitted.indexer_
    ids = fitted.indexer_.transform(["the cat sleeps"])[0]
    assert ids.max() < state["eos_id"]


def test_bad_input(fitted):
    with pytest.raises(ValueError, match="may hold no tokens"):
        RNNLanguageModel().fit(["", " ", "\n"])
    with pytest.raises(ValueError, match="hold no tokens"):
        RNNLanguageModel().fit([[], []])
    # every word too rare: all would read as <unk>
    with pytest.raises(ValueError, match="vocabulary is empty.*min_freq=1000"):
        RNNLanguageModel(min_freq=1000, early_stopping=False).fit(TRAIN)
    with pytest.raises(ValueError, match="vocabulary is empty"):
        RNNLanguageModel(min_freq=3, early_stopping=False).fit([["a", "b"]])
    with pytest.raises(TypeError, match="mix texts and lists of tokens"):
        RNNLanguageModel().fit(["a text", ["a", "list"]])
    with pytest.raises(TypeError, match="str object received"):
        RNNLanguageModel().fit("a bare string")
    with pytest.raises(TypeError, match="position 1"):
        RNNLanguageModel().fit([["a", 3]])
    with pytest.raises(NotFittedError):
        RNNLanguageModel().sample(3)
    with pytest.raises(ValueError, match="temperature"):
        fitted.sample(3, temperature=-1)
    with pytest.raises(ValueError, match="n_tokens"):
        fitted.sample(-1)
    # words never seen in training are scored as <unk>: finite, and low
    unseen = fitted.score(["zebras gallop"])
    assert np.isfinite(unseen) and unseen < fitted.score(HELD_OUT)


def test_word_dropout_reads_inputs_as_unk_in_training_only():
    lm = RNNLanguageModel(**SMALL, word_dropout=0.5, max_epochs=1, random_state=0)
    lm.fit(TRAIN)
    encoder = lm.module_.decoder.encoder
    assert encoder.word_dropout == 0.5
    seen = []
    hook = encoder.embedding.register_forward_hook(
        lambda module, args, out: seen.append(args[0].clone())
    )
    tokens = torch.tensor([[lm.eos_id_, 2, 3, 4, 5, 6, 7, 8]])
    torch.manual_seed(0)
    lm.module_.train()
    lm.module_(tokens)
    lm.module_.eval()
    lm.module_(tokens)
    hook.remove()
    assert (seen[0] == 1).any() and torch.equal(seen[1], tokens)
    assert lm.score(HELD_OUT) == lm.score(HELD_OUT)  # no dropout when scoring


def test_weight_drop_trains_the_module_own_recurrent_weights():
    lm = RNNLanguageModel(**SMALL, weight_drop=0.5, max_epochs=2, random_state=0)
    lm.fit(TRAIN)
    encoder = lm.module_.decoder.encoder
    assert encoder.weight_drop == 0.5
    tokens = torch.tensor([[lm.eos_id_, 2, 3, 4, 5, 6]])
    lm.module_.eval()
    before = lm.module_(tokens)[0].detach()
    assert torch.equal(before, lm.module_(tokens)[0])  # nothing dropped in eval
    # One training step: the gradient reaches the module's own weight_hh
    # (the trap of a dropped copy that nn.LSTM's flattened weights never
    # read), with zeros where entries were dropped, and eval outputs move.
    lm.module_.train()
    weight = encoder.rnn.weight_hh_l0
    weight.grad = None
    outputs, _ = lm.module_(tokens)
    outputs.sum().backward()
    assert 0.2 < float((weight.grad == 0).float().mean()) < 0.8
    with torch.no_grad():
        weight -= 0.1 * weight.grad
    lm.module_.eval()
    assert not torch.allclose(before, lm.module_(tokens)[0])
    untouched = RNNLanguageModel(**SMALL, max_epochs=2, random_state=0).fit(TRAIN)
    assert untouched.score(HELD_OUT) != lm.score(HELD_OUT)


def test_sequence_dropout_locks_one_mask_across_the_steps():
    from sklearn_rnn.nn.encoder import sequence_dropout

    torch.manual_seed(0)
    x = torch.ones(8, 12, 20)
    locked = sequence_dropout(x, 0.5, training=True, variational=True)
    # one mask per sequence and feature: every step of a row is the same
    assert torch.equal(locked, locked[:, :1, :].expand_as(locked))
    assert set(locked.unique().tolist()) == {0.0, 2.0}  # kept entries scaled
    assert 0.3 < float((locked == 0).float().mean()) < 0.7
    plain = sequence_dropout(x, 0.5, training=True, variational=False)
    assert not torch.equal(plain, plain[:, :1, :].expand_as(plain))
    assert sequence_dropout(x, 0.5, training=False, variational=True) is x
    assert sequence_dropout(x, 0.0, training=True, variational=True) is x


def test_variational_dropout_reaches_the_network_and_changes_training():
    lm = RNNLanguageModel(
        **SMALL, dropout=0.5, variational_dropout=True, max_epochs=2, random_state=0
    ).fit(TRAIN)
    decoder = lm.module_.decoder
    assert decoder.encoder.variational_dropout
    seen = []
    hook = decoder.encoder.rnn.register_forward_hook(
        lambda module, args, out: seen.append(args[0].detach().clone())
    )
    tokens = torch.tensor([[lm.eos_id_, 2, 2, 2, 2, 2]])  # the same word each step
    lm.module_.train()
    train_out = decoder.features(tokens)[0].detach()
    lm.module_.eval()
    eval_out = decoder.features(tokens)[0].detach()
    hook.remove()
    # in training the same features are zero at every step, on the embeddings
    # and before the softmax; in eval none
    for inputs in (seen[0][0], train_out[0]):
        dropped = inputs == 0
        assert dropped.any() and torch.equal(dropped, dropped[:1].expand_as(dropped))
    assert not (seen[1][0] == 0).any() and not (eval_out[0] == 0).any()
    per_step = RNNLanguageModel(**SMALL, dropout=0.5, max_epochs=2, random_state=0)
    assert per_step.fit(TRAIN).score(HELD_OUT) != lm.score(HELD_OUT)
    assert clone(lm).get_params()["variational_dropout"] is True


def test_a_token_budget_ends_training_where_it_runs_out():
    full = RNNLanguageModel(**SMALL, max_epochs=3, early_stopping=False, random_state=0)
    full.fit(TRAIN)
    per_epoch = full.history_[0, "train_tokens"]
    # every document's tokens and its closing <eos> are trained on, once
    assert per_epoch == sum(len(doc.split()) + 1 for doc in TRAIN)
    assert full.history_[:, "train_tokens"] == [per_epoch * k for k in (1, 2, 3)]
    budget = per_epoch + per_epoch // 3
    cut = clone(full).set_params(max_train_tokens=budget).fit(TRAIN)
    assert cut.n_epochs_ == 2
    read = cut.history_[-1, "train_tokens"]
    # the second epoch ends with the chunk that reaches the budget
    chunk = SMALL["batch_size"] * SMALL["bptt_steps"]
    assert budget <= read < budget + chunk
    # the first epoch is the unbudgeted fit's: the same weights so far
    assert cut.history_[0, "train_loss"] == full.history_[0, "train_loss"]
    # validated as any epoch, the best of the two kept
    stopped = clone(cut).set_params(early_stopping=True).fit(TRAIN)
    assert "valid_loss" in stopped.history_[-1]
    assert stopped.history_[-1, "train_tokens"] >= budget


def test_a_budget_within_the_first_epoch_gives_one_partial_epoch():
    lm = RNNLanguageModel(**SMALL, max_train_tokens=1, early_stopping=False).fit(TRAIN)
    assert lm.n_epochs_ == 1
    chunk = SMALL["batch_size"] * SMALL["bptt_steps"]
    assert 1 <= lm.history_[0, "train_tokens"] <= chunk
    with pytest.raises(ValueError, match="max_train_tokens"):
        RNNLanguageModel(max_train_tokens=0).fit(TRAIN)


@pytest.mark.parametrize("estimator", ["word", "char"])
def test_lr_decay_after_each_epoch_that_does_not_improve(estimator):
    if estimator == "word":
        model, lr = RNNLanguageModel(**SMALL), 0.05
    else:
        model, lr = (
            CharRNNGenerator(embedding_dim=8, hidden_size=16, bptt_steps=12),
            0.1,
        )
    model.set_params(lr=lr, lr_decay=0.5, max_epochs=10, patience=10, random_state=0)
    model.fit(TRAIN)
    losses, rates = model.history_[:, "valid_loss"], model.history_[:, "lr"]
    # each epoch trains at the rate the epochs before it left: halved once
    # for every earlier epoch whose validation loss was not the best so far
    expected, rate, best = [], lr, math.inf
    for loss in losses:
        expected.append(rate)
        if loss < best:
            best = loss
        else:
            rate *= 0.5
    assert rates == pytest.approx(expected)
    assert min(rates) < lr  # some epoch did not improve here
    constant = clone(model).set_params(lr_decay=1.0).fit(TRAIN)
    assert constant.history_[:, "lr"] == [lr] * constant.n_epochs_
    for bad in (0, 1.5):
        with pytest.raises(ValueError, match="lr_decay"):
            clone(model).set_params(lr_decay=bad).fit(TRAIN)
