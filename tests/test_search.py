"""Greedy and beam search over an untrained EncoderDecoder (plain torch)."""

import itertools

import pytest
import torch

from sklearn_rnn._seq2seq_training import build_network
from sklearn_rnn.nn.search import beam_search, greedy_search, length_penalty

# target ids: 0 pad, 1 unk, 2..4 tokens, 5 = BOS, 6 = EOS
BOS, EOS, BANNED = 5, 6, (0, 1, 5)


def _model(attention="general", cell="lstm", seed=0):
    torch.manual_seed(seed)
    model = build_network(
        source_vocab=6,
        target_vocab=7,
        embedding_dim=8,
        hidden_size=8,
        num_layers=1,
        cell=cell,
        bidirectional=True,
        dropout=0.0,
        attention=attention,
    )
    with torch.no_grad():  # a sharper, less uniform distribution than at init
        model.decoder.head.weight.mul_(8)
    return model.eval()


def _batch(seed=0, n=6):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, 6, (n,), generator=g)
    source = torch.randint(2, 6, (n, int(lengths.max())), generator=g)
    source[torch.arange(source.shape[1])[None, :] >= lengths[:, None]] = 0
    return source, lengths


COMMON = dict(bos=BOS, eos=EOS, banned=BANNED)


def _log_prob(model, source, length, tokens, finished):
    """Teacher-forced log-probability of one output, as the searches score it."""
    inputs = torch.tensor([[BOS, *tokens]])
    targets = [*tokens, EOS] if finished else tokens
    with torch.no_grad():
        logits = model(source[None, :length], length[None], inputs)[0].double()
    logits[:, list(BANNED)] = float("-inf")
    logp = torch.log_softmax(logits, dim=-1)
    return float(sum(logp[t, tok] for t, tok in enumerate(targets)))


@pytest.mark.parametrize("attention", [None, "general", "additive"])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_beam_of_one_is_greedy(attention, cell):
    model, (source, lengths) = _model(attention, cell), _batch()
    greedy = greedy_search(model, source, lengths, max_lengths=7, **COMMON)
    beam = beam_search(
        model, source, lengths, max_lengths=7, beam_size=1, include_greedy=False,
        **COMMON,
    )
    for g, (b,) in zip(greedy, beam):
        assert g.tokens == b.tokens and g.finished == b.finished
        assert g.log_prob == pytest.approx(b.log_prob, abs=1e-9)


def test_scores_are_the_teacher_forced_log_probabilities():
    model, (source, lengths) = _model(), _batch()
    found = beam_search(
        model, source, lengths, max_lengths=4, beam_size=3, n_best=3, alpha=0.6,
        **COMMON,
    )
    for i, hypotheses in enumerate(found):
        for h in hypotheses:
            expected = _log_prob(model, source[i], lengths[i], h.tokens, h.finished)
            assert h.log_prob == pytest.approx(expected, abs=1e-5)
            steps = len(h.tokens) + h.finished
            assert h.score == pytest.approx(h.log_prob / length_penalty(steps, 0.6))


def test_a_wide_beam_finds_the_best_output_of_all():
    """Up to 3 tokens of 3 kinds: a beam wider than every prefix set is exact."""
    model, (source, lengths) = _model(seed=1), _batch(seed=1)
    found = beam_search(
        model, source, lengths, max_lengths=3, beam_size=40, alpha=0.0,
        include_greedy=False, **COMMON,
    )
    for i, (best, *_) in enumerate(found):
        candidates = [
            (list(seq), len(seq) < 3 or finished)
            for n in range(4)
            for seq in itertools.product([2, 3, 4], repeat=n)
            for finished in ([True, False] if n == 3 else [True])
        ]
        exact = max(
            _log_prob(model, source[i], lengths[i], tokens, finished)
            for tokens, finished in candidates
        )
        assert best.log_prob == pytest.approx(exact, abs=1e-5)


def test_beam_never_scores_below_greedy_and_ranks_its_n_best():
    model, (source, lengths) = _model(seed=2), _batch(seed=2, n=12)
    greedy = greedy_search(model, source, lengths, max_lengths=6, alpha=0.6, **COMMON)
    found = beam_search(
        model, source, lengths, max_lengths=6, beam_size=4, n_best=4, alpha=0.6,
        **COMMON,
    )
    for g, hypotheses in zip(greedy, found):
        assert hypotheses[0].score >= g.score - 1e-12
        scores = [h.score for h in hypotheses]
        assert scores == sorted(scores, reverse=True)
        assert len({tuple(h.tokens) for h in hypotheses}) == len(hypotheses)


@pytest.mark.parametrize("beam_size", [1, 3])
def test_padding_and_batch_make_up_never_change_an_output(beam_size):
    model, (source, lengths) = _model(), _batch(n=8)
    together = beam_search(
        model, source, lengths, max_lengths=6, beam_size=beam_size, **COMMON
    )
    for i in range(len(lengths)):
        wide = torch.zeros((1, source.shape[1] + 3), dtype=torch.int64)
        wide[0, : lengths[i]] = source[i, : lengths[i]]
        (alone,) = beam_search(
            model, wide, lengths[i : i + 1], max_lengths=6, beam_size=beam_size,
            **COMMON,
        )
        assert alone[0].tokens == together[i][0].tokens
        assert alone[0].log_prob == pytest.approx(together[i][0].log_prob, abs=1e-5)


def test_length_caps_and_attention_rows():
    model, (source, lengths) = _model(), _batch(n=5)
    caps = torch.tensor([0, 1, 2, 3, 9])
    for search, extra in ((greedy_search, {}), (beam_search, {"beam_size": 3})):
        found = search(
            model, source, lengths, max_lengths=caps, return_attention=True,
            **COMMON, **extra,
        )
        for i, h in enumerate(found):
            h = h[0] if isinstance(h, list) else h
            assert len(h.tokens) <= int(caps[i])
            assert set(h.tokens) <= {2, 3, 4}
            steps = len(h.tokens) + h.finished
            assert h.attention.shape == (steps, int(lengths[i]))
            torch.testing.assert_close(
                h.attention.sum(1), torch.ones(steps), rtol=0, atol=1e-5
            )


def test_beam_size_must_be_positive():
    model, (source, lengths) = _model(), _batch()
    with pytest.raises(ValueError, match="beam_size must be >= 1"):
        beam_search(model, source, lengths, max_lengths=3, beam_size=0, **COMMON)
