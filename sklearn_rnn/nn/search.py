"""Decoding an :class:`~sklearn_rnn.nn.EncoderDecoder`: greedy and beam search.

Both searches decode a whole batch of sources at once, one output step for
every input (or every beam of every input) per call of the decoder; nothing
is decoded one input at a time. Memory is that of one batch: the caller
feeds the inputs in chunks (the estimator cuts length-sorted chunks by its
token budget), so 100,000 inputs cost no more memory than one chunk.

A hypothesis is scored by the sum of the log-probabilities of its tokens and
of the end token, divided by the GNMT length penalty (Wu et al. 2016)

.. math:: \\mathrm{lp}(Y) = \\left(\\frac{5 + |Y|}{6}\\right)^\\alpha,

where :math:`|Y|` counts the scored steps (the tokens and the end) and
``alpha = 0`` scores by the plain log-probability. An output that reaches
its length cap ends there, without the end token (``finished=False``).
Token ids in ``banned`` (padding, unknown, the start token) are never
written: the log-probabilities are those of the softmax over the others.

Plain PyTorch: nothing here knows scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["Hypothesis", "length_penalty", "greedy_search", "beam_search"]


@dataclass
class Hypothesis:
    """One decoded output.

    Attributes
    ----------
    tokens : list of int
        The output ids, without the start and end tokens.
    log_prob : float
        Sum of the log-probabilities of the tokens (and of the end token
        when ``finished``).
    score : float
        ``log_prob`` divided by :func:`length_penalty` of the scored steps.
    finished : bool
        Whether the output ended with the end token (False: cut at its
        length cap).
    attention : Tensor of shape (n_steps, source_length) or None
        The attention weights of every scored step over the real source
        steps (None without attention, or when not asked for).
    """

    tokens: list
    log_prob: float
    score: float
    finished: bool
    attention: torch.Tensor | None = None


def length_penalty(n_steps: int, alpha: float) -> float:
    """GNMT's length penalty ``((5 + n_steps) / 6) ** alpha``."""
    return ((5 + n_steps) / 6) ** alpha


def _step(model, tokens: torch.Tensor, state, conditioning: dict, banned):
    """Log-probabilities ``(batch, vocab)`` of the next token after ``tokens``
    ``(batch,)``, the new state and the attention weights ``(batch, steps)``."""
    decoder = model.decoder
    outputs, state, weights = decoder.features(tokens[:, None], state, **conditioning)
    logits = decoder.head(outputs[:, 0]).double()
    if banned:
        logits[:, list(banned)] = float("-inf")
    logp = torch.log_softmax(logits, dim=-1)
    return logp, state, None if weights is None else weights[:, 0]


def _reorder(state, rows: torch.Tensor):
    """The recurrent state of the batch rows ``rows`` (``(h, c)`` or ``h``)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.index_select(1, rows) for s in state)
    return state.index_select(1, rows)


def _max_lengths(max_lengths, batch_size: int, device) -> torch.Tensor:
    lengths = torch.as_tensor(max_lengths, dtype=torch.int64, device=device)
    if lengths.ndim == 0:
        lengths = lengths.expand(batch_size)
    return lengths


@torch.no_grad()
def greedy_search(
    model,
    source: torch.Tensor,
    source_lengths: torch.Tensor,
    *,
    bos: int,
    eos: int,
    max_lengths,
    alpha: float = 0.0,
    banned=(),
    return_attention: bool = False,
) -> list[Hypothesis]:
    """The most likely token at every step, for a batch of sources.

    Parameters
    ----------
    model : EncoderDecoder
        The network (its ``encode`` and ``decoder``), in evaluation mode.
    source, source_lengths : Tensor
        Right-padded source ids ``(batch, steps)`` and their lengths.
    bos, eos : int
        Ids of the start and end tokens.
    max_lengths : int or Tensor of shape (batch,)
        Most output tokens per input.
    alpha : float
        Length-penalty exponent of the ``score`` reported.
    banned : sequence of int
        Ids never written.
    return_attention : bool
        Keep the attention weights of every step.

    Returns
    -------
    hypotheses : list of Hypothesis
        One per source, in order.
    """
    batch = source.shape[0]
    device = source.device
    limits = _max_lengths(max_lengths, batch, device)
    conditioning = model.encode(source, source_lengths)
    width = int(limits.max()) if batch else 0
    tokens = torch.full((batch,), bos, dtype=torch.int64, device=device)
    written = torch.zeros((batch, width), dtype=torch.int64, device=device)
    log_prob = torch.zeros(batch, dtype=torch.float64, device=device)
    n_tokens = torch.zeros(batch, dtype=torch.int64, device=device)
    finished = torch.zeros(batch, dtype=torch.bool, device=device)
    done = limits <= 0
    state, weights = None, []
    for t in range(width):
        if bool(done.all()):
            break
        logp, state, step_weights = _step(model, tokens, state, conditioning, banned)
        best_logp, best = logp.max(dim=-1)
        active = ~done
        ends = active & (best == eos)
        log_prob += torch.where(active, best_logp, torch.zeros_like(best_logp))
        written[:, t] = best
        n_tokens += (active & ~ends).long()
        finished |= ends
        done = done | ends | (t + 1 >= limits)
        tokens = best
        if return_attention and step_weights is not None:
            weights.append(step_weights)
    attention = torch.stack(weights, dim=1) if weights else None
    n_steps = (n_tokens + finished.long()).tolist()
    written, n_tokens = written.tolist(), n_tokens.tolist()
    log_prob, finished = log_prob.tolist(), finished.tolist()
    lengths = source_lengths.tolist()
    return [
        Hypothesis(
            tokens=written[i][: n_tokens[i]],
            log_prob=log_prob[i],
            score=log_prob[i] / length_penalty(n_steps[i], alpha),
            finished=finished[i],
            attention=None
            if attention is None
            else attention[i, : n_steps[i], : lengths[i]].cpu(),
        )
        for i in range(batch)
    ]


@torch.no_grad()
def beam_search(
    model,
    source: torch.Tensor,
    source_lengths: torch.Tensor,
    *,
    bos: int,
    eos: int,
    max_lengths,
    beam_size: int,
    n_best: int = 1,
    alpha: float = 0.0,
    banned=(),
    return_attention: bool = False,
    include_greedy: bool = True,
) -> list[list[Hypothesis]]:
    """The ``n_best`` highest-scoring outputs of a beam search, per source.

    Every input keeps ``beam_size`` partial outputs, ranked by their
    log-probability. At each step all their one-token extensions are ranked
    together; an extension by the end token that ranks among the first
    ``beam_size`` becomes a finished hypothesis (scored with the length
    penalty), the best ``beam_size`` others are the next beams (as fairseq
    does). An input is done once it has ``beam_size`` finished hypotheses,
    or when it reaches its length cap, where its beams end as they are.
    With ``include_greedy`` the greedy output joins the finished ones, so the
    best hypothesis never scores below greedy decoding (a beam can prune the
    greedy path); ``beam_size=1`` is greedy decoding either way.

    Parameters are those of :func:`greedy_search`, and

    beam_size : int
        Beams per input.
    n_best : int
        Hypotheses returned per input, at most ``beam_size`` (fewer when the
        search found fewer distinct ones).
    include_greedy : bool
        Also decode greedily and rank the greedy output with the others.

    Returns
    -------
    hypotheses : list of list of Hypothesis
        Per source, the best hypotheses, highest ``score`` first. Only the
        first of each list keeps its attention weights (with
        ``return_attention``).
    """
    if beam_size < 1:
        raise ValueError(f"beam_size must be >= 1; got {beam_size}.")
    n_best = max(1, min(n_best, beam_size))
    greedy = None
    if include_greedy:
        greedy = greedy_search(
            model,
            source,
            source_lengths,
            bos=bos,
            eos=eos,
            max_lengths=max_lengths,
            alpha=alpha,
            banned=banned,
            return_attention=return_attention,
        )
    batch, k = source.shape[0], beam_size
    device = source.device
    limits = _max_lengths(max_lengths, batch, device)
    conditioning = {
        key: value.repeat_interleave(k, dim=0)
        for key, value in model.encode(source, source_lengths).items()
    }
    lengths = source_lengths.tolist()
    width = int(limits.max()) if batch else 0
    scores = torch.full((batch, k), float("-inf"), dtype=torch.float64, device=device)
    scores[:, 0] = 0.0
    history = torch.zeros((batch, k, 0), dtype=torch.int64, device=device)
    kept_weights = None
    tokens = torch.full((batch * k,), bos, dtype=torch.int64, device=device)
    pools: list[list[Hypothesis]] = [[] for _ in range(batch)]
    done = (limits <= 0).tolist()
    state = None
    rows = torch.arange(batch, device=device)[:, None] * k
    ranks = torch.arange(2 * k, device=device)[None, :]

    def add(i, beam, t, log_prob, finished, step_weights):
        attention = None
        if kept_weights is not None:
            past = kept_weights[i, beam]
            steps = torch.cat([past, step_weights[None]]) if finished else past
            attention = steps[:, : lengths[i]].cpu()
        n_steps = t + 1
        pools[i].append(
            Hypothesis(
                tokens=history[i, beam].tolist(),
                log_prob=log_prob,
                score=log_prob / length_penalty(n_steps, alpha),
                finished=finished,
                attention=attention,
            )
        )

    for t in range(width):
        if all(done):
            break
        logp, state, step_weights = _step(model, tokens, state, conditioning, banned)
        vocab = logp.shape[-1]
        candidates = (scores[:, :, None] + logp.view(batch, k, vocab)).view(batch, -1)
        top, index = candidates.topk(min(2 * k, k * vocab), dim=1)
        beam_of, token_of = index // vocab, index % vocab
        real = torch.isfinite(top)
        ends = (token_of == eos) & real & (ranks[:, : top.shape[1]] < k)
        if return_attention and step_weights is not None:
            step_weights = step_weights.view(batch, k, -1)
            if kept_weights is None:
                n_source = step_weights.shape[-1]
                kept_weights = step_weights.new_zeros((batch, k, 0, n_source))
        for i, j in ends.nonzero().tolist():
            if not done[i]:
                beam = int(beam_of[i, j])
                w = None if kept_weights is None else step_weights[i, beam]
                add(i, beam, t, float(top[i, j]), True, w)
        # The next beams: the best extensions that are not the end token.
        go_on = (token_of != eos) & real
        rank = ranks[:, : top.shape[1]]
        key = torch.where(go_on, rank, rank + 2 * k)
        chosen = key.argsort(dim=1)[:, :k]
        scores = torch.where(
            go_on.gather(1, chosen), top.gather(1, chosen), float("-inf")
        )
        origin = beam_of.gather(1, chosen)
        new_tokens = token_of.gather(1, chosen)
        past_tokens = history.gather(1, origin[:, :, None].expand_as(history))
        history = torch.cat([past_tokens, new_tokens[..., None]], dim=2)
        if kept_weights is not None:
            past = kept_weights.gather(
                1, origin[:, :, None, None].expand_as(kept_weights)
            )
            now = step_weights.gather(
                1, origin[:, :, None].expand(-1, -1, step_weights.shape[-1])
            )
            kept_weights = torch.cat([past, now[:, :, None]], dim=2)
        state = _reorder(state, (rows + origin).view(-1))
        tokens = new_tokens.view(-1)
        at_cap = (t + 1 >= limits).tolist()
        for i in range(batch):
            if done[i]:
                continue
            if at_cap[i]:
                for beam in range(k):
                    if torch.isfinite(scores[i, beam]):
                        add(i, beam, t, float(scores[i, beam]), False, None)
            if at_cap[i] or len(pools[i]) >= k:
                done[i] = True
                scores[i] = float("-inf")
    results = []
    for i in range(batch):
        ranked, seen = [], set()
        found = pools[i] if greedy is None else [greedy[i], *pools[i]]
        for hypothesis in sorted(found, key=lambda h: h.score, reverse=True):
            key = (tuple(hypothesis.tokens), hypothesis.finished)
            if key not in seen:
                seen.add(key)
                ranked.append(hypothesis)
        for hypothesis in ranked[1:]:
            hypothesis.attention = None
        results.append(ranked[:n_best])
    return results
