"""Held-out perplexity and training speed of RNNLanguageModel, side by side.

Text: IMDB reviews (../shared/data/imdb_reviews/imdb_dev.csv), the first
``--n-docs`` of them, split 90/10 by document with a seed. One vocabulary
for everyone: the one ``RNNLanguageModel`` learns from the training
documents (the package tokenizer, words seen once are ``<unk>``), plus
``<eos>``.

1. **Perplexity at equal wall time.** ``RNNLanguageModel`` with its
   defaults (``--max-epochs`` at most; early stopping on its own 10 % of the
   training documents) is timed; then a model in the way of PyTorch's
   ``word_language_model`` example (2-layer LSTM of 200, embedding 200,
   dropout 0.2, full softmax, plain SGD with lr 20 divided by 4 when the
   validation loss stops falling, gradient clipping 0.25, BPTT 35, batch
   20, the training documents as one stream closed by ``<eos>`` each)
   trains for the same wall time on the same documents, the same 10 % held
   out for its annealing. Both are scored the same way: every held-out
   document from a zero state, ``<eos> + words + <eos>``, every word and
   the closing ``<eos>`` predicted (the reference is also shown scored as
   one stream, the example's own way). Target: ours <= 0.85 x reference.
2. **Tokens per second** of one training epoch against a hand-written
   truncated-BPTT loop over the same network (``nn.WordLanguageModel``, same
   softmax, Adam, same clipping, same BPTT and batch size), for the full
   and the adaptive softmax. Target: ratio >= 0.9.

    python benchmarks/bench_language_model.py [--n-docs 12433] [--max-epochs 10]

A reduced run: ``--n-docs 400 --max-epochs 4``. ``--set NAME=VALUE``
(repeatable) sets a parameter of the ``RNNLanguageModel`` of part 1. It
exits 0 with a message when ../shared/data is not there.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch
from _shared import add_set_option, load_or_exit, parsed_set
from sklearn.model_selection import train_test_split
from torch import nn

from sklearn_rnn import RNNLanguageModel
from sklearn_rnn._training import make_optimizer
from sklearn_rnn.nn import WordLanguageModel

BPTT, BATCH = 35, 20


class ReferenceModel(nn.Module):
    """Embedding -> LSTM -> linear decoder, as PyTorch's word_language_model."""

    def __init__(self, n_tokens: int, size: int = 200, layers: int = 2):
        super().__init__()
        self.drop = nn.Dropout(0.2)
        self.encoder = nn.Embedding(n_tokens, size)
        self.rnn = nn.LSTM(size, size, layers, dropout=0.2)
        self.decoder = nn.Linear(size, n_tokens)
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, x, hidden=None):  # x: (time, batch)
        out, hidden = self.rnn(self.drop(self.encoder(x)), hidden)
        return self.decoder(self.drop(out)), hidden


def batchify(stream: np.ndarray, batch: int) -> torch.Tensor:
    """(time, batch) columns of one long stream, the remainder dropped."""
    n = len(stream) // batch
    return torch.from_numpy(stream[: n * batch].reshape(batch, n).T.copy())


def detach(hidden):
    return tuple(h.detach() for h in hidden)


@torch.no_grad()
def stream_nll(model, data: torch.Tensor) -> float:
    """Mean NLL over one stream read in BPTT chunks, state carried (the
    example's evaluation)."""
    model.eval()
    total, n, hidden = 0.0, 0, None
    for i in range(0, data.shape[0] - 1, BPTT):
        x, t = data[i : i + BPTT], data[i + 1 : i + 1 + BPTT]
        x = x[: len(t)]
        logits, hidden = model(x, hidden)
        total += float(
            nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), t.reshape(-1), reduction="sum"
            )
        )
        n += t.numel()
    return total / n


@torch.no_grad()
def documents_nll(model, docs: list[np.ndarray], eos: int) -> float:
    """Mean NLL per token of ``<eos> + ids + <eos>``, each document from a
    zero state (RNNLanguageModel.score's definition)."""
    model.eval()
    total, n = 0.0, 0
    for doc in docs:
        ids = torch.from_numpy(np.concatenate(([eos], doc, [eos])))[:, None]
        logits, _ = model(ids[:-1])
        total += float(
            nn.functional.cross_entropy(logits[:, 0], ids[1:, 0], reduction="sum")
        )
        n += len(ids) - 1
    return total / n


def train_reference(train, valid, eos, n_tokens, seconds: float, seed: int):
    """SGD lr 20, clip 0.25, lr / 4 when the validation loss stalls, for
    ``seconds`` of wall time (checked after every batch)."""
    torch.manual_seed(seed)
    model = ReferenceModel(n_tokens)
    stream = np.concatenate([np.concatenate(([eos], d)) for d in train] + [[eos]])
    data = batchify(stream, BATCH)
    lr, best, epochs, start = 20.0, math.inf, 0, time.perf_counter()
    criterion = nn.CrossEntropyLoss()
    while time.perf_counter() - start < seconds:
        model.train()
        hidden = None
        for i in range(0, data.shape[0] - 1, BPTT):
            x, t = data[i : i + BPTT], data[i + 1 : i + 1 + BPTT]
            x = x[: len(t)]
            hidden = None if hidden is None else detach(hidden)
            model.zero_grad()
            logits, hidden = model(x, hidden)
            loss = criterion(logits.reshape(-1, n_tokens), t.reshape(-1))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            with torch.no_grad():
                for p in model.parameters():
                    p.add_(p.grad, alpha=-lr)
            if time.perf_counter() - start >= seconds:
                break
        epochs += 1
        valid_loss = documents_nll(model, valid, eos)
        if valid_loss < best:
            best = valid_loss
        else:
            lr /= 4.0
    return model, epochs, data


def hand_written_epoch(module, streams: torch.Tensor, criterion) -> float:
    """One epoch of truncated BPTT over (batch, time) streams; seconds."""
    # the optimizer the estimator builds (fused Adam where torch has it), so
    # that the ratio measures the loop
    optimizer = make_optimizer("adam", module.parameters(), 5e-3, "cpu")
    module.train()
    start, state = time.perf_counter(), None
    for i in range(0, streams.shape[1] - 1, BPTT):
        x, t = streams[:, i : i + BPTT], streams[:, i + 1 : i + 1 + BPTT]
        x = x[:, : t.shape[1]]
        state = None if state is None else tuple(s.detach() for s in state)
        outputs, state = module(x, state)
        loss = criterion(outputs, t)
        optimizer.zero_grad()
        (loss / t.numel()).backward()
        nn.utils.clip_grad_norm_(module.parameters(), 1.0)
        optimizer.step()
    return time.perf_counter() - start


def speed(train_texts, softmax: str, seed: int) -> None:
    lm = RNNLanguageModel(
        softmax=softmax, max_epochs=1, early_stopping=False, random_state=seed
    )
    start = time.perf_counter()
    lm.fit(train_texts)
    fit_seconds = time.perf_counter() - start
    epoch_seconds = lm.history_[-1, "dur"]
    docs = lm.indexer_.transform(train_texts)
    eos = lm.eos_id_
    n_train_targets = sum(len(d) + 1 for d in docs)
    stream = np.concatenate([np.concatenate(([eos], d)) for d in docs] + [[eos]])
    streams = batchify(stream, lm.batch_size).T.contiguous()  # (batch, time)
    torch.manual_seed(seed)
    module = WordLanguageModel(**lm._module_params)
    hand = hand_written_epoch(module, streams, module.nll)
    hand_rate = streams.numel() / hand
    print(
        f"{softmax:>8} softmax (vocabulary {eos + 1:,}): ours "
        f"{n_train_targets / epoch_seconds:,.0f} tokens/s per epoch "
        f"({n_train_targets / fit_seconds:,.0f} with vocabulary and layout), "
        f"hand-written loop {hand_rate:,.0f} tokens/s; ratio "
        f"{n_train_targets / epoch_seconds / hand_rate:.2f} "
        f"({n_train_targets / fit_seconds / hand_rate:.2f} whole fit)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-docs", type=int, default=12_433)
    parser.add_argument("--max-epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument(
        "--skip-reference",
        action="store_true",
        help="part 1 without the reference: ours alone (to compare settings)",
    )
    add_set_option(parser, "the RNNLanguageModel of part 1")
    args = parser.parse_args()
    params = parsed_set(args.set)
    torch.set_num_threads(1)
    texts, _ = load_or_exit("imdb_reviews", "imdb_dev.csv")
    texts = [t.replace("<br />", " ") for t in texts[: args.n_docs]]
    train, test = train_test_split(texts, test_size=0.1, random_state=args.seed)

    # 1. perplexity at equal wall time
    start = time.perf_counter()
    ours = RNNLanguageModel(max_epochs=args.max_epochs, random_state=args.seed)
    ours.set_params(**params)
    ours.fit(train)
    seconds = time.perf_counter() - start
    ours_ppl = ours.perplexity(test)
    eos, n_tokens = ours.eos_id_, ours.eos_id_ + 1
    to_ids = ours.indexer_.transform
    n_train = sum(len(d) + 1 for d in to_ids(train))
    print(
        f"{len(train):,} training documents ({n_train:,} tokens), {len(test):,} "
        f"held out; vocabulary {n_tokens:,} (softmax: "
        f"{ours._module_params['softmax']})"
    )
    print(
        f"RNNLanguageModel ({params or 'defaults'}, {ours.n_epochs_} epochs, best "
        f"{ours.best_epoch_}): held-out perplexity {ours_ppl:.1f} in {seconds:.0f} s",
        flush=True,
    )
    if not args.skip_reference:
        fit_part, valid_part = train_test_split(
            train, test_size=0.1, random_state=args.seed
        )
        ref, ref_epochs, _ = train_reference(
            to_ids(fit_part), to_ids(valid_part), eos, n_tokens, seconds, args.seed
        )
        test_ids = to_ids(test)
        ref_ppl = math.exp(documents_nll(ref, test_ids, eos))
        test_stream = np.concatenate([np.concatenate(([eos], d)) for d in test_ids])
        ref_stream_ppl = math.exp(stream_nll(ref, batchify(test_stream, 1)))
        print(
            f"word_language_model-style reference, same {seconds:.0f} s "
            f"({ref_epochs} epochs): {ref_ppl:.2f} per document "
            f"({ref_stream_ppl:.2f} read as one stream)"
        )
        print(f"ratio ours / reference: {ours_ppl / ref_ppl:.2f} (target <= 0.85)")

    # 2. tokens per second against a hand-written loop, same network
    if not args.skip_speed:
        for softmax in ("full", "adaptive"):
            speed(train, softmax, args.seed)


if __name__ == "__main__":
    main()
