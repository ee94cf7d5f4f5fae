"""Tests of the plain PyTorch networks: seeded weights stay where they were."""

from __future__ import annotations

import pytest
import torch

from sklearn_rnn.nn import RecurrentClassifierModule, RecurrentDecoder, TaggerModule

TOKENS = torch.tensor([[2, 3, 4, 5], [6, 7, 0, 0]])
LENGTHS = torch.tensor([4, 2])
CHARS = torch.tensor(
    [
        [[2, 3, 0], [4, 0, 0], [5, 6, 2], [3, 0, 0]],
        [[6, 0, 0], [2, 2, 0], [0, 0, 0], [0, 0, 0]],
    ]
)
SMALL = dict(embedding_dim=4, hidden_size=5)
NETWORKS = {
    "classifier, 2-layer LSTM": lambda: RecurrentClassifierModule(
        9, 3, num_layers=2, **SMALL
    ),
    "classifier, bidirectional GRU, mean": lambda: RecurrentClassifierModule(
        9, 3, pooling="mean", cell="gru", bidirectional=True, **SMALL
    ),
    "tagger, word and character features": lambda: TaggerModule(
        9,
        4,
        n_chars=7,
        char_embedding_dim=3,
        char_filters=4,
        bidirectional=True,
        **SMALL,
    ),
    "tagger, words only": lambda: TaggerModule(9, 4, bidirectional=True, **SMALL),
    "language model, 2-layer LSTM": lambda: RecurrentDecoder(9, num_layers=2, **SMALL),
    "language model, GRU": lambda: RecurrentDecoder(9, cell="gru", **SMALL),
}


def _run(name: str, network) -> torch.Tensor:
    """The network's outputs on a small batch, flattened."""
    network.eval()
    with torch.no_grad():
        if name.startswith("language model"):
            first, state = network(TOKENS)
            then, _ = network(TOKENS[:, :1], state)
            return torch.cat([first.flatten(), then.flatten()])
        tokens = TOKENS
        if "character" in name:
            tokens = torch.cat([TOKENS[..., None], CHARS], dim=-1)
        return network(tokens, LENGTHS).flatten()


# Parameter sums (in creation order) and output sums of each network built
# right after torch.manual_seed(0), recorded before the networks moved onto
# the shared encoder: moving code must not move a seeded weight.
PINNED = {
    "classifier, 2-layer LSTM": (
        [
            -0.164025,
            0.80587,
            1.452152,
            5.0,
            0.0,
            2.395442,
            -2.186553,
            5.0,
            0.0,
            0.870951,
            0.0,
        ],
        (-0.0002289392868988216, 0.004879863408859819),
    ),
    "classifier, bidirectional GRU, mean": (
        [
            0.104947,
            -2.086955,
            1.068376,
            0.0,
            0.0,
            -0.954083,
            -2.387765,
            0.0,
            0.0,
            1.794216,
            0.0,
        ],
        (0.010125428903847933, 0.03626760886982083),
    ),
    "tagger, word and character features": (
        [
            -0.155019,
            0.082699,
            -0.802226,
            -0.559994,
            1.89329,
            5.362425,
            5.0,
            0.0,
            -1.643679,
            3.994244,
            5.0,
            0.0,
            -0.802311,
            0.0,
        ],
        (1.053593155927956, 1.053593155927956),
    ),
    "tagger, words only": (
        [
            0.098718,
            -1.1377,
            -1.152237,
            5.0,
            0.0,
            1.748137,
            -1.648531,
            5.0,
            0.0,
            -0.03373,
            0.0,
        ],
        (0.003402621267014183, 0.07244272834213916),
    ),
    "language model, 2-layer LSTM": (
        [
            0.085188,
            0.619588,
            -1.219741,
            5.0,
            0.0,
            3.313356,
            -0.217881,
            5.0,
            0.0,
            -8.049411,
            0.0,
        ],
        (0.09865586883097421, 0.2538711363013135),
    ),
    "language model, GRU": (
        [-0.11163, 4.991739, 1.978486, 0.0, 0.0, 1.034597, 0.0],
        (-0.16341290855780244, 0.4090522648766637),
    ),
}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_seeded_weights_and_outputs_are_pinned(name):
    param_sums, (out_sum, out_abs_sum) = PINNED[name]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        network = NETWORKS[name]()
    got = [float(p.detach().double().sum()) for p in network.parameters()]
    assert got == pytest.approx(param_sums, abs=2e-6)
    out = _run(name, network).double()
    assert float(out.sum()) == pytest.approx(out_sum, rel=1e-5, abs=1e-9)
    assert float(out.abs().sum()) == pytest.approx(out_abs_sum, rel=1e-5)
