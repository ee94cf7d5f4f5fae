"""Tests of the recurrent decoder family: language model, label-conditioned,
and encoder-decoder with attention."""

from __future__ import annotations

import pytest
import torch

from sklearn_rnn.nn import (
    Attention,
    EncoderDecoder,
    LabelConditionedDecoder,
    RecurrentDecoder,
    RecurrentEncoder,
)

SMALL = dict(embedding_dim=6, hidden_size=5)


def seq2seq(attention, cell="lstm", bidirectional=True, num_layers=1):
    torch.manual_seed(0)
    encoder = RecurrentEncoder(
        11, 6, 4, cell=cell, bidirectional=bidirectional, num_layers=num_layers
    )
    size = encoder.output_size
    decoder = RecurrentDecoder(
        9,
        cell=cell,
        num_layers=num_layers,
        condition_size=size,
        memory_size=size,
        attention=attention,
        hidden_size=size if attention == "dot" else 5,
        embedding_dim=6,
    )
    return EncoderDecoder(encoder, decoder).eval()


SOURCE = torch.tensor([[2, 3, 4, 5], [6, 7, 0, 0]])
SOURCE_LENGTHS = torch.tensor([4, 2])
TARGET = torch.tensor([[2, 3, 4], [5, 6, 7]])


@pytest.mark.parametrize("attention", [None, "dot", "general", "additive"])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_source_padding_never_changes_an_output(attention, cell):
    model = seq2seq(attention, cell=cell)
    logits = model(SOURCE, SOURCE_LENGTHS, TARGET)
    wider = torch.cat([SOURCE, torch.zeros(2, 3, dtype=torch.int64)], dim=1)
    torch.testing.assert_close(model(wider, SOURCE_LENGTHS, TARGET), logits)
    # the second source alone gives the same outputs as inside the batch
    alone = model(SOURCE[1:, :2], SOURCE_LENGTHS[1:], TARGET[1:])
    torch.testing.assert_close(alone, logits[1:])
    assert logits.shape == (2, 3, 9)


@pytest.mark.parametrize("kind", ["dot", "general", "additive"])
def test_attention_weights_sum_to_one_over_real_steps(kind):
    model = seq2seq(kind)
    conditioning = model.encode(SOURCE, SOURCE_LENGTHS)
    _, _, weights = model.decoder.features(TARGET, **conditioning)
    assert weights.shape == (2, 3, 4)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3))
    assert (weights[1, :, 2:] == 0).all()
    assert (weights[1, :, :2] > 0).all()


def test_step_by_step_decoding_equals_teacher_forcing():
    model = seq2seq("additive", num_layers=2)
    conditioning = model.encode(SOURCE, SOURCE_LENGTHS)
    full, _ = model.decoder(TARGET, **conditioning)
    state, steps = None, []
    for t in range(TARGET.shape[1]):
        logits, state = model.decoder(TARGET[:, t : t + 1], state, **conditioning)
        steps.append(logits)
    torch.testing.assert_close(torch.cat(steps, dim=1), full)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_condition_sets_the_initial_state_of_every_layer(cell):
    decoder = RecurrentDecoder(9, cell=cell, num_layers=2, condition_size=3, **SMALL)
    state = decoder.initial_state(torch.randn(4, 3), 4)
    states = state if cell == "lstm" else (state,)
    for h in states:
        assert h.shape == (2, 4, 5)
    assert decoder.initial_state(None, 4) is None


def test_the_label_changes_what_is_written():
    torch.manual_seed(0)
    model = LabelConditionedDecoder(3, 4, vocab_size=9, condition_input=True, **SMALL)
    tokens = torch.tensor([[2, 3, 4]] * 3)
    logits, _ = model(tokens, torch.tensor([0, 1, 2]))
    assert not torch.allclose(logits[0], logits[1])
    assert model.decoder.encoder.rnn.input_size == 6 + 4
    logits.sum().backward()
    assert model.labels.weight.grad.abs().sum() > 0


def test_unconditioned_decoder_has_no_conditioning_parameters():
    decoder = RecurrentDecoder(9, **SMALL)
    names = {name.split(".")[0] for name, _ in decoder.named_parameters()}
    assert names == {"encoder", "head"}


def test_features_without_head():
    decoder = RecurrentDecoder(9, head=False, **SMALL)
    outputs, _, weights = decoder.features(torch.tensor([[2, 3]]))
    assert outputs.shape == (1, 2, 5) and weights is None
    assert decoder.head is None


def test_bad_attention_settings():
    with pytest.raises(ValueError, match="one of"):
        Attention("cosine", 4, 4)
    with pytest.raises(ValueError, match="one size"):
        Attention("dot", 4, 8)
    with pytest.raises(ValueError, match="memory_size"):
        RecurrentDecoder(9, attention="general", **SMALL)
