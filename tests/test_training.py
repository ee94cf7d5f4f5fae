"""Tests of the training pieces every network shares (sklearn_rnn._training)."""

import numpy as np
import pytest
import torch
from helpers import LABELS, TEXTS, TINY

from sklearn_rnn import CharRNNGenerator, RNNTagger, make_rnn_pipeline
from sklearn_rnn._guards import check_device
from sklearn_rnn._training import _fuses, optimizer_options

torch.set_num_threads(1)

SENTENCES = [["the", "dog", "runs"], ["a", "cat", "sleeps"], ["the", "cat"]] * 4
TAGS = [["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"], ["DET", "NOUN"]] * 4
NETWORK = dict(embedding_dim=8, hidden_size=8, early_stopping=False, random_state=0)


# -- devices ---------------------------------------------------------------------------
def test_cpu_devices_pass():
    check_device("cpu")
    check_device(torch.device("cpu"))


def test_unknown_device_is_named():
    with pytest.raises(ValueError, match="device='gpu' is not a torch device"):
        check_device("gpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present")
def test_cuda_without_cuda_is_a_clear_error():
    match = r"device='cuda': CUDA is not available"
    with pytest.raises(ValueError, match=match):
        check_device("cuda")
    with pytest.raises(ValueError, match=match):
        make_rnn_pipeline(**TINY, device="cuda").fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match=match):
        RNNTagger(**NETWORK, max_epochs=1, device="cuda").fit(SENTENCES, TAGS)
    with pytest.raises(ValueError, match=match):
        CharRNNGenerator(**NETWORK, max_epochs=1, device="cuda").fit(TEXTS)


def test_missing_cuda_device_index(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    check_device("cuda:1")
    with pytest.raises(ValueError, match=r"device='cuda:2'.* 2 CUDA device\(s\)"):
        check_device("cuda:2")


# -- divergence ------------------------------------------------------------------------
class NaNAfterFirstStep(torch.optim.SGD):
    """SGD whose steps leave the weights NaN, as a diverging run does."""

    def step(self, closure=None):
        loss = super().step(closure)
        with torch.no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    param.fill_(float("nan"))
        return loss


def test_diverging_classifier_stops_with_a_clear_error():
    pipe = make_rnn_pipeline(**TINY, optimizer=NaNAfterFirstStep, lr=0.01)
    with pytest.raises(ValueError, match=r"loss is nan at epoch 1, batch 2") as err:
        pipe.fit(TEXTS, LABELS)
    message = str(err.value)
    assert "training diverged" in message and "\n" not in message
    assert "Lower lr (lr=0.01)" in message and "clip_grad_norm" in message


def test_huge_sgd_step_is_caught_when_the_loss_overflows():
    pipe = make_rnn_pipeline(**TINY, optimizer="sgd", lr=1e38)
    # whether the overflowed weights give an infinite loss or inf - inf = nan
    # depends on the CPU's kernels (nan at batch 2 on an AMD EPYC)
    with pytest.raises(ValueError, match=r"loss is (inf|nan) at epoch 1, batch \d"):
        pipe.fit(TEXTS, LABELS)


def test_diverging_tagger_stops_with_a_clear_error():
    tagger = RNNTagger(**NETWORK, max_epochs=2, batch_size=4)
    tagger.set_params(optimizer=NaNAfterFirstStep)
    with pytest.raises(ValueError, match=r"loss is nan at epoch 1, batch 2"):
        tagger.fit(SENTENCES, TAGS)


def test_diverging_generator_stops_with_a_clear_error():
    generator = CharRNNGenerator(
        **NETWORK, max_epochs=2, batch_size=2, bptt_steps=5
    ).set_params(optimizer=NaNAfterFirstStep, lr=0.01)
    with pytest.raises(ValueError, match=r"loss is nan at epoch 1, batch 2") as err:
        generator.fit(["the cat sat on the mat.", "the dog sat on the log."] * 2)
    assert "Lower lr (lr=0.01)" in str(err.value)
    assert "clip_grad_norm" in str(err.value)


def test_finite_training_is_untouched():
    pipe = make_rnn_pipeline(**TINY).fit(TEXTS, LABELS)
    assert np.isfinite(pipe.predict_proba(TEXTS)).all()


# -- optimizers ------------------------------------------------------------------------
FUSES_ON_CPU = _fuses(torch.optim.Adam, "cpu")


@pytest.mark.skipif(not FUSES_ON_CPU, reason="this torch has no fused Adam on the CPU")
def test_adam_by_name_is_fused_where_torch_has_it():
    assert optimizer_options("adam", "cpu") == {"fused": True}
    assert optimizer_options("adamw", torch.device("cpu")) == {"fused": True}
    clf = make_rnn_pipeline(**TINY).fit(TEXTS, LABELS)["classifier"]
    assert clf.net_.optimizer_.defaults["fused"] is True


def test_other_optimizers_and_classes_are_built_as_given():
    assert optimizer_options("sgd", "cpu") == {}
    assert optimizer_options(torch.optim.Adam, "cpu") == {}
    clf = make_rnn_pipeline(**TINY, optimizer=torch.optim.Adam).fit(TEXTS, LABELS)
    assert not clf["classifier"].net_.optimizer_.defaults["fused"]


def test_an_optimizer_without_fused_is_not_given_it():
    assert not _fuses(torch.optim.Rprop, "cpu")


@pytest.mark.skipif(not FUSES_ON_CPU, reason="this torch has no fused Adam on the CPU")
def test_fused_adam_trains_as_the_unfused_one():
    fused = make_rnn_pipeline(**TINY).fit(TEXTS, LABELS)
    plain = make_rnn_pipeline(**TINY, optimizer=torch.optim.Adam).fit(TEXTS, LABELS)
    np.testing.assert_allclose(
        fused.predict_proba(TEXTS), plain.predict_proba(TEXTS), rtol=1e-4, atol=1e-5
    )
