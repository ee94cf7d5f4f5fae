"""Training and prediction speed of the recurrent classifier, side by side.

On the MR sentences (../shared/data/mr/mr.csv), one epoch of the same model
(embedding 128, LSTM 128, batch 64, Adam) run three ways:

(a) our ``LSTMClassifier`` (skorch underneath, length-bucketed batches);
(b) a plain hand-written PyTorch loop with length bucketing and packed
    sequences, the practical limit, (b2) the same loop reading the
    dense right-padded batch as our module does, and (b3) loop (b) with
    Adam's fused step, which the estimators use where torch has it;
(c) skorch's ``NeuralNetClassifier`` on the padded-to-max matrix.

It prints real tokens per second and the ratios (a)/(b) (target >= 0.9) and
(a)/(c) (target >= 2.0), prediction throughput, the share of an epoch spent
in VocabularyIndexer + SequencePadder (target <= 10 %), and the peak memory
of fitting the default LSTM pipeline on the 67k SST-2 phrases (target
<= 2 GB, one epoch, in a child process). Last, the milliseconds of one
Adam step, unfused (torch's ``foreach`` default) against fused, on the
parameters of the word language model of issue 21's long reviews (40,000
words, embedding and LSTM 256, adaptive softmax), one torch thread, and
those of one whole training step of that model (batch 32 x 35 steps).

    python benchmarks/bench_training.py [--repeats 2] [--skip-memory]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np
import torch
from _shared import SHARED_DATA, load_or_exit
from skorch import NeuralNetClassifier
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from sklearn_rnn import LSTMClassifier, SequencePadder, VocabularyIndexer
from sklearn_rnn._training import optimizer_options as make_optimizer_options
from sklearn_rnn.nn import WordLanguageModel

EMB, HIDDEN, BATCH = 128, 128, 64


class PlainLSTM(nn.Module):
    """The hand-written reference: embedding, packed LSTM, linear head.

    With ``dense=True`` it runs the LSTM on the right-padded batch and reads
    each document's state at its last real step, as our module does.
    """

    def __init__(self, vocab_size, n_classes=2, dense=False):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, EMB, padding_idx=0)
        self.lstm = nn.LSTM(EMB, HIDDEN, batch_first=True)
        self.out = nn.Linear(HIDDEN, n_classes)
        self.dense = dense

    def forward(self, tokens, lengths):
        if self.dense:
            outputs, _ = self.lstm(self.emb(tokens))
            return self.out(outputs[torch.arange(len(lengths)), lengths - 1])
        packed = pack_padded_sequence(
            self.emb(tokens), lengths, batch_first=True, enforce_sorted=False
        )
        _, (h, _) = self.lstm(packed)
        return self.out(h[-1])


class PaddedLSTM(nn.Module):
    """What (c) feeds skorch: the whole padded-to-max matrix, no packing."""

    def __init__(self, vocab_size, n_classes=2):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, EMB, padding_idx=0)
        self.lstm = nn.LSTM(EMB, HIDDEN, batch_first=True)
        self.out = nn.Linear(HIDDEN, n_classes)

    def forward(self, X):
        outputs, _ = self.lstm(self.emb(X))
        return self.out(outputs[:, -1])


def bucketed_batches(lengths, rng):
    order = rng.permutation(len(lengths))
    pool = BATCH * 50
    order = np.concatenate(
        [
            c[np.argsort(lengths[c], kind="stable")]
            for c in np.split(order, range(pool, len(order), pool))
        ]
    )
    batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
    return [batches[j] for j in rng.permutation(len(batches))]


def to_batch(seqs, idx):
    lengths = torch.tensor([max(len(seqs[i]), 1) for i in idx])
    tokens = torch.zeros((len(idx), int(lengths.max())), dtype=torch.int64)
    for row, i in enumerate(idx):
        tokens[row, : len(seqs[i])] = torch.from_numpy(seqs[i])
    return tokens, lengths


def epoch_handwritten(seqs, y, vocab_size, seed, dense=False, fused=False):
    torch.manual_seed(seed)
    model = PlainLSTM(vocab_size, dense=dense)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, **optimizer_options(fused))
    lengths = np.array([len(s) for s in seqs])
    target = torch.from_numpy(y)
    start = time.perf_counter()
    model.train()
    for idx in bucketed_batches(lengths, np.random.default_rng(seed)):
        tokens, lens = to_batch(seqs, idx)
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(tokens, lens), target[idx])
        loss.backward()
        opt.step()
    return time.perf_counter() - start, model


def optimizer_options(fused: bool) -> dict:
    """Adam's options: fused as the estimators build it, or torch's default."""
    return make_optimizer_options("adam", "cpu") if fused else {}


def adam_steps(repeats: int) -> None:
    """Milliseconds of one Adam step and of one training step of the long
    reviews' word language model, unfused against fused, side by side."""
    torch.manual_seed(0)
    vocab, batch, steps = 40_000, 32, 35
    model = WordLanguageModel(vocab, 256, 256, softmax="adaptive", dropout=0.1)
    tokens = torch.randint(2, vocab, (batch, steps))
    # Zipf-like targets, most of them in the adaptive softmax's head
    targets = torch.distributions.Pareto(2.0, 1.0).sample((batch, steps)).long()
    targets = targets.clamp(2, vocab - 1)

    def train_step(opt) -> None:
        opt.zero_grad()
        outputs, _ = model(tokens)
        (model.nll(outputs, targets) / targets.numel()).backward()
        opt.step()

    times: dict[tuple[str, bool], list[float]] = {}
    for rep in range(repeats):
        for fused in (False, True) if rep % 2 == 0 else (True, False):
            opt = torch.optim.Adam(
                model.parameters(), lr=5e-3, **optimizer_options(fused)
            )
            for _ in range(2):  # warm up, and give Adam its state
                train_step(opt)
            start = time.perf_counter()
            for _ in range(10):
                opt.step()
            times.setdefault(("step", fused), []).append(
                (time.perf_counter() - start) / 10
            )
            start = time.perf_counter()
            for _ in range(5):
                train_step(opt)
            times.setdefault(("train", fused), []).append(
                (time.perf_counter() - start) / 5
            )
    best = {key: 1e3 * min(v) for key, v in times.items()}
    print(
        f"Adam step, word LM of {vocab:,} words (1 thread, best of {repeats}): "
        f"unfused {best['step', False]:.0f} ms, fused {best['step', True]:.0f} ms, "
        f"ratio {best['step', False] / best['step', True]:.1f}; whole training "
        f"step {best['train', False]:.0f} ms -> {best['train', True]:.0f} ms, "
        f"ratio {best['train', False] / best['train', True]:.2f}"
    )


def predict_handwritten(model, seqs):
    order = np.argsort([len(s) for s in seqs], kind="stable")
    start = time.perf_counter()
    model.eval()
    with torch.no_grad():
        for i in range(0, len(order), 256):
            model(*to_batch(seqs, order[i : i + 256]))
    return time.perf_counter() - start


def epoch_ours(seqs, y):
    clf = LSTMClassifier(
        embedding_dim=EMB,
        hidden_size=HIDDEN,
        batch_size=BATCH,
        max_epochs=1,
        early_stopping=False,
        clip_grad_norm=None,
        dropout=0.0,
        random_state=0,
    )
    start = time.perf_counter()
    clf.fit(seqs, y)
    return time.perf_counter() - start, clf


def epoch_skorch_padded(padded, y, vocab_size):
    torch.manual_seed(0)
    net = NeuralNetClassifier(
        PaddedLSTM,
        module__vocab_size=vocab_size,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        batch_size=BATCH,
        max_epochs=1,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    )
    start = time.perf_counter()
    net.fit(padded, y)
    return time.perf_counter() - start


def peak_rss_sst2() -> str:
    path = SHARED_DATA / "sst2" / "sst2_train.csv"
    if not path.exists():
        return "skipped (no SST-2)"
    code = (
        "import resource, sys; sys.path.insert(0, 'benchmarks');"
        "from sklearn_rnn import make_rnn_pipeline;"
        "from sklearn_rnn.datasets import load_text_csv;"
        f"X, y = load_text_csv({str(path)!r});"
        "make_rnn_pipeline(max_epochs=1, random_state=0).fit(X, y);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    kib = int(out.stdout.strip().splitlines()[-1])
    seconds = time.perf_counter() - start
    return f"{kib / 1024**2:.2f} GB peak RSS ({seconds:.0f} s, 1 epoch)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    texts, labels = load_or_exit("mr", "mr.csv")
    y = labels.astype(np.int64)
    torch.set_num_threads(2)

    start = time.perf_counter()
    indexer = VocabularyIndexer()
    seqs = indexer.fit_transform(texts)
    padded = SequencePadder().fit_transform(seqs)
    prep = time.perf_counter() - start
    vocab_size = len(indexer.vocabulary_)
    real_tokens = sum(len(s) for s in seqs)
    print(
        f"MR: {len(seqs)} documents, {real_tokens} real tokens, padded to "
        f"{padded.shape[1]} -> {padded.size / real_tokens:.2f}x the real tokens"
    )

    times = {"a": [], "b": [], "b2": [], "b3": [], "c": []}
    for rep in range(args.repeats):  # interleaved, best of each
        t, clf = epoch_ours(seqs, y)
        times["a"].append(t)
        t, model = epoch_handwritten(seqs, y, vocab_size, rep)
        times["b"].append(t)
        times["b2"].append(epoch_handwritten(seqs, y, vocab_size, rep, dense=True)[0])
        times["b3"].append(epoch_handwritten(seqs, y, vocab_size, rep, fused=True)[0])
        times["c"].append(epoch_skorch_padded(padded, y, vocab_size))
    best = {k: min(v) for k, v in times.items()}
    for key, name in [
        ("a", "ours (LSTMClassifier)"),
        ("b", "hand-written, bucketed"),
        ("b2", "hand-written, dense"),
        ("b3", "hand-written, fused Adam"),
        ("c", "skorch, padded to max"),
    ]:
        print(
            f"({key}) {name:24s} {best[key]:6.2f} s/epoch "
            f"{real_tokens / best[key]:9.0f} real tokens/s"
        )
    print(f"(a)/(b) throughput ratio: {best['b'] / best['a']:.2f}  (target >= 0.9)")
    print(
        f"(a)/(b2) throughput ratio: {best['b2'] / best['a']:.2f}  (same dense trick)"
    )
    print(f"(a)/(b3) throughput ratio: {best['b3'] / best['a']:.2f}  (same fused Adam)")
    print(f"(a)/(c) throughput ratio: {best['c'] / best['a']:.2f}  (target >= 2.0)")
    print(
        f"indexer + padder: {prep:.2f} s = {100 * prep / best['a']:.1f} % of our epoch"
        "  (target <= 10 %)"
    )

    ours_pred = min(_timed(clf.predict_proba, seqs) for _ in range(args.repeats))
    hand_pred = min(predict_handwritten(model, seqs) for _ in range(args.repeats))
    print(
        f"prediction: ours {len(seqs) / ours_pred:.0f} docs/s, hand-written "
        f"{len(seqs) / hand_pred:.0f} docs/s, ratio {hand_pred / ours_pred:.2f}"
    )
    if not args.skip_memory:
        print(
            "SST-2 67k phrases, default LSTM pipeline:",
            peak_rss_sst2(),
            "(target <= 2 GB)",
        )
    torch.set_num_threads(1)
    adam_steps(max(args.repeats, 2))


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
