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

A reduced run: ``--n-docs 400 --max-epochs 4``. With
``--parallel-reference`` the reference trains at the same time as ours, in
a process of its own (one thread each, so it needs both cores free), and
stops when ours' fit ends: the same comparison in half the wall time.
``--set NAME=VALUE`` (repeatable) sets a parameter of the
``RNNLanguageModel`` of part 1. It exits 0 with a message when
../shared/data is not there.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import time

import numpy as np
import torch
from _shared import add_set_option, load_or_exit, parsed_set
from sklearn.base import clone
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


def train_reference(train, valid, eos, n_tokens, stop, seed: int):
    """SGD lr 20, clip 0.25, lr / 4 when the validation loss stalls, until
    ``stop()`` is true (checked after every batch)."""
    torch.manual_seed(seed)
    model = ReferenceModel(n_tokens)
    stream = np.concatenate([np.concatenate(([eos], d)) for d in train] + [[eos]])
    data = batchify(stream, BATCH)
    lr, best, epochs = 20.0, math.inf, 0
    criterion = nn.CrossEntropyLoss()
    while not stop():
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
            if stop():
                break
        epochs += 1
        valid_loss = documents_nll(model, valid, eos)
        if valid_loss < best:
            best = valid_loss
        else:
            lr /= 4.0
    return model, epochs, data


def run_reference(fit_part, valid_part, test, eos, n_tokens, stop, seed) -> dict:
    """Train the reference until ``stop()``; its held-out perplexities."""
    start = time.perf_counter()
    ref, epochs, _ = train_reference(fit_part, valid_part, eos, n_tokens, stop, seed)
    seconds = time.perf_counter() - start
    test_stream = np.concatenate([np.concatenate(([eos], d)) for d in test])
    return dict(
        seconds=seconds,
        epochs=epochs,
        ppl=math.exp(documents_nll(ref, test, eos)),
        stream_ppl=math.exp(stream_nll(ref, batchify(test_stream, 1))),
    )


def reference_process(stop_event, results, *data, seed: int) -> None:
    """The reference in a process of its own, until ``stop_event`` is set or
    the benchmark that started it is gone (killed, it cannot set the event);
    ``data`` as :func:`run_reference` reads it, without ``stop``."""
    torch.set_num_threads(1)
    parent = os.getppid()

    def stop() -> bool:
        return stop_event.is_set() or os.getppid() != parent

    results.put(run_reference(*data, stop=stop, seed=seed))


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


def reference_data(lm: RNNLanguageModel, train, test, seed: int) -> tuple:
    """What the reference reads, in ``lm``'s vocabulary: its training ids,
    the 10 % of them held out for its annealing, the test ids, ``<eos>``'s
    id and the vocabulary size (the leading arguments of
    :func:`run_reference`)."""
    fit_part, valid_part = train_test_split(train, test_size=0.1, random_state=seed)
    to_ids, eos = lm.indexer_.transform, lm.eos_id_
    return to_ids(fit_part), to_ids(valid_part), to_ids(test), eos, eos + 1


def start_reference(vocab_model, train, test, seed: int) -> dict:
    """The reference training in a spawned process, on ``vocab_model``'s
    vocabulary, until the returned ``stop`` event is set."""
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    process = context.Process(
        target=reference_process,
        args=(stop, results, *reference_data(vocab_model, train, test, seed)),
        kwargs={"seed": seed},
        daemon=True,
    )
    process.start()
    return dict(
        stop=stop,
        results=results,
        process=process,
        vocabulary=dict(vocab_model.indexer_.vocabulary_),
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
    parser.add_argument(
        "--parallel-reference",
        action="store_true",
        help="train the reference at the same time as ours, in a process of "
        "its own on the other core, until ours' fit ends (half the wall time "
        "of one after the other; needs two free cores)",
    )
    add_set_option(parser, "the RNNLanguageModel of part 1")
    args = parser.parse_args()
    params = parsed_set(args.set)
    torch.set_num_threads(1)
    texts, _ = load_or_exit("imdb_reviews", "imdb_dev.csv")
    texts = [t.replace("<br />", " ") for t in texts[: args.n_docs]]
    train, test = train_test_split(texts, test_size=0.1, random_state=args.seed)

    # 1. perplexity at equal wall time
    ours = RNNLanguageModel(max_epochs=args.max_epochs, random_state=args.seed)
    ours.set_params(**params)
    reference = None
    if args.parallel_reference:
        # The vocabulary (learnt from the same documents, with the same seed,
        # by a tiny model of the same vocabulary settings that reads one
        # token) is needed before ours starts; it is checked against ours'
        # afterwards.
        vocab_model = clone(ours).set_params(
            embedding_dim=8,
            hidden_size=8,
            num_layers=1,
            max_epochs=1,
            max_train_tokens=1,
        )
        reference = start_reference(vocab_model.fit(train), train, test, args.seed)
    start = time.perf_counter()
    ours.fit(train)
    seconds = time.perf_counter() - start
    if reference is not None:
        reference["stop"].set()
    ours_ppl = ours.perplexity(test)
    n_tokens = ours.eos_id_ + 1
    n_train = sum(len(d) + 1 for d in ours.indexer_.transform(train))
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
    result = None
    if reference is not None:
        result = reference["results"].get()
        reference["process"].join()
        if reference["vocabulary"] != ours.indexer_.vocabulary_:
            raise RuntimeError("the reference read another vocabulary than ours")
        how = "beside it, in a process of its own"
    elif not args.skip_reference:
        deadline = time.perf_counter() + seconds
        result = run_reference(
            *reference_data(ours, train, test, args.seed),
            stop=lambda: time.perf_counter() >= deadline,
            seed=args.seed,
        )
        how = "after it"
    if result is not None:
        print(
            f"word_language_model-style reference, {how}: {result['seconds']:.0f} s "
            f"({result['epochs']} epochs): {result['ppl']:.2f} per document "
            f"({result['stream_ppl']:.2f} read as one stream)"
        )
        ratio = ours_ppl / result["ppl"]
        print(f"ratio ours / reference: {ratio:.2f} (target <= 0.85)")

    # 2. tokens per second against a hand-written loop, same network
    if not args.skip_speed:
        for softmax in ("full", "adaptive"):
            speed(train, softmax, args.seed)


if __name__ == "__main__":
    main()
