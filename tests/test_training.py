"""Tests of the training pieces every network shares (sklearn_rnn._training)."""

import pytest
import torch
from helpers import LABELS, TEXTS, TINY

from sklearn_rnn import CharRNNGenerator, RNNTagger, make_rnn_pipeline
from sklearn_rnn._training import check_device

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
