"""Long documents: speed against a hand-written loop, peak memory, the length cap.

A long-review corpus is built from the MR sentences (../shared/data/mr/
mr.csv): same-label sentences are concatenated into "reviews" of 200 to
2,000 tokens (log-normal, median 450, as IMDB's long tail), plus a few
outliers of 6,000 to 40,000 tokens. It reports

(a) the epoch time of our ``RNNClassifier`` (defaults, no early stopping)
    and of a hand-written PyTorch loop on the very same batches (our
    ``LengthBucketSampler``, 64 documents and at most 16,384 padded tokens
    each) and the same network (``RecurrentClassifierModule``), measured
    side by side; target ours / hand <= 1.1. The hand-written loop flushes
    denormal floats to zero as our training does; the same loop without
    it is timed too;
(b) the peak RSS above the interpreter's baseline (VmHWM, in a child
    process) of the default ``make_rnn_pipeline().fit`` and ``.predict``
    with one 1,000,000-token document among 1,000 short ones, the same
    started from a language model (``language_model=RNNLanguageModel()``:
    the language model reads the outlier too), and of
    ``SequencePadder().fit_transform`` on those ids followed by a
    ``transform`` of 2,000 short documents; target <= 1.5 GB;
(c) the test accuracy with the padder's default length cap against none
    (``max_len=1.0``), on reviews with outliers that the cap truncates and
    the token budget does not (so that no cap still fits).

``--vocab`` adds (d): a 2,000,000-token vocabulary of random tokens: the
warning, and the peak RSS and time of the first training batches with and
without ``VocabularyIndexer(min_freq=2, max_tokens=100_000)``, and of a
whole default fit (one epoch, early stopping and refit) with it. It needs
about 7 GB and 3 minutes.

    python benchmarks/bench_long.py [--reviews 1000] [--threads 1] [--vocab]
        [--parts abc]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import warnings

import numpy as np
import torch
from _shared import load_or_exit
from skorch.callbacks import Callback
from torch import nn

from sklearn_rnn import (
    RNNClassifier,
    RNNLanguageModel,
    SequencePadder,
    TruncationWarning,
    VocabularyIndexer,
    make_rnn_pipeline,
)
from sklearn_rnn._data import LengthBucketSampler, collate_sequences
from sklearn_rnn._training import make_optimizer
from sklearn_rnn.nn import RecurrentClassifierModule

BATCH, BUDGET = 64, 16384


# -- the long-review corpus ----------------------------------------------------------
def review_lengths(n: int, n_outliers: int, rng, outliers=(6_000, 40_000)):
    """Token counts: log-normal (median 450) in [200, 2000], and outliers."""
    lengths = np.clip(rng.lognormal(np.log(450), 0.6, n), 200, 2000)
    outliers = rng.integers(*outliers, n_outliers)
    return np.concatenate([lengths, outliers]).astype(int)[
        rng.permutation(n + n_outliers)
    ]


def long_reviews(sentences, labels, lengths, rng, purity: float = 1.0):
    """One review per length: sentences drawn until it is reached, each of
    the review's label with probability ``purity`` (else of the other)."""
    tokenize = VocabularyIndexer().build_analyzer()
    sizes = np.array([len(tokenize(s)) for s in sentences])
    classes = np.unique(labels)
    by_label = {c: np.flatnonzero(labels == c) for c in classes}
    texts, y = [], []
    for target in lengths:
        label = rng.choice(classes)
        picked, total = [], 0
        while total < target:
            same = rng.random() < purity
            pool = by_label[label if same else classes[classes != label][0]]
            i = pool[rng.integers(len(pool))]
            picked.append(sentences[i])
            total += sizes[i]
        texts.append(" ".join(picked))
        y.append(label)
    return texts, np.array(y)


def corpus(n, n_outliers, seed, part=slice(None), purity=1.0, outliers=(6_000, 40_000)):
    """Reviews and labels from the MR sentences of ``part`` (after a shuffle)."""
    sentences, labels = load_or_exit("mr", "mr.csv")
    rng = np.random.default_rng(seed)
    order = np.random.default_rng(0).permutation(len(sentences))[part]
    return long_reviews(
        [sentences[i] for i in order],
        np.asarray(labels)[order],
        review_lengths(n, n_outliers, rng, outliers),
        rng,
        purity,
    )


# -- (a) ours against a hand-written loop ---------------------------------------------
def our_epochs(ids, y, epochs: int) -> list[float]:
    """Epoch times of the default classifier (skorch's own timer)."""
    clf = RNNClassifier(max_epochs=epochs, early_stopping=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        clf.fit(ids, y)
    return list(clf.history_[:, "dur"])


def hand_epochs(ids, y, epochs: int, flush: bool = True) -> list[float]:
    """The same epochs by hand: same batches, network, optimizer, clipping,
    and denormals flushed to zero as ours does (``flush=False``: not)."""
    torch.set_flush_denormal(flush)
    seed = int(np.random.RandomState(0).randint(np.iinfo(np.int32).max))
    ids = [s[-BUDGET:] for s in ids]  # as the classifier truncates
    lengths = np.array([len(s) for s in ids])
    vocab_size = max(int(s.max()) for s in ids) + 1
    torch.manual_seed(seed)
    model = RecurrentClassifierModule(
        vocab_size, 2, embedding_dim=128, hidden_size=128, dropout=0.2
    )
    optimizer = make_optimizer("adam", model.parameters(), 1e-3, "cpu")
    sampler = LengthBucketSampler(
        lengths,
        BATCH,
        shuffle=True,
        generator=np.random.default_rng(seed),
        max_tokens=BUDGET,
    )
    model.train()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        for batch in sampler:
            features, target = collate_sequences([(ids[i], y[i]) for i in batch])
            optimizer.zero_grad()
            logits = model(features["tokens"], features["lengths"])
            nn.functional.cross_entropy(logits, target).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
        times.append(time.perf_counter() - start)
    torch.set_flush_denormal(False)
    return times


def speed(n_reviews: int, repeats: int) -> None:
    texts, labels = corpus(n_reviews, max(n_reviews // 250, 1), seed=1)
    ids = VocabularyIndexer().fit_transform(texts)
    y = (labels == labels.max()).astype(np.int64)
    lengths = np.array([len(s) for s in ids])
    print(
        f"(a) {len(ids)} reviews, {lengths.sum()} tokens: median "
        f"{np.median(lengths):.0f}, 99th percentile {np.quantile(lengths, 0.99):.0f}, "
        f"max {lengths.max()} ({(lengths > BUDGET).sum()} above {BUDGET}: "
        "truncated by both)"
    )
    our_epochs(ids[:64], y[:64], 1)  # warm up: the lazy imports of a first fit
    hand_epochs(ids[:64], y[:64], 1)
    ours, hand, plain = [], [], []
    for _ in range(repeats):  # side by side, each the sum of two epochs
        ours.append(sum(our_epochs(ids, y, 2)))
        hand.append(sum(hand_epochs(ids, y, 2)))
        plain.append(sum(hand_epochs(ids, y, 2, flush=False)))
    o, h, p = min(ours) / 2, min(hand) / 2, min(plain) / 2
    print(f"    ours {o:.2f} s/epoch, hand-written {h:.2f} s/epoch")
    print(f"    ours / hand = {o / h:.3f}  (target <= 1.1)")
    print(f"    hand-written without flushing denormals: {p:.2f} s/epoch")


# -- (b) and (d): peak memory, each case in a child process ---------------------------
def status(field: str) -> float:
    """A ``/proc/self/status`` field (VmRSS, VmHWM) in MB."""
    text = open("/proc/self/status").read()
    return int(re.search(field + r":\s+(\d+)", text).group(1)) / 1024


def measured(work) -> list:
    """Run ``work()``; its peak RSS above the RSS before, that RSS, seconds,
    and the list ``work`` returns."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # VmHWM counts from here on
    base, start = status("VmRSS"), time.perf_counter()
    extra = work()
    return [status("VmHWM") - base, base, time.perf_counter() - start, *extra]


def one_long_document():
    """1,000 short documents and one of 1,000,000 tokens, and labels."""
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(5000)])
    short = [" ".join(rng.choice(words, rng.integers(5, 30))) for _ in range(1000)]
    X = short[:500] + [" ".join(rng.choice(words, 1_000_000))] + short[500:]
    return X, np.array([0, 1] * 500 + [1])


def pipeline_case(start: str = "scratch") -> list:
    """The default pipeline's fit + predict; ``start="language_model"``: the
    pipeline started from ``RNNLanguageModel()``, which reads the outlier
    too."""
    X, y = one_long_document()
    params = {}
    if start == "language_model":
        params["language_model"] = RNNLanguageModel(random_state=0)

    def work():
        make_rnn_pipeline(random_state=0, **params).fit(X, y).predict(X)
        return []

    return measured(work)


def padder_case() -> list:
    ids = VocabularyIndexer().fit_transform(one_long_document()[0])

    def work():
        padder = SequencePadder()
        padder.fit_transform(ids)
        padder.transform(ids[:1000] * 2)
        return []

    return measured(work)


def run_child(*args: str, threads: int) -> list[str]:
    """This script's ``--child`` output, run in a fresh interpreter."""
    command = [sys.executable, __file__, "--threads", str(threads), "--child", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return out.stdout.rstrip("\n").split("\n")[-1].split("\t")


def peak_above_baseline(case: str, threads: int, *args: str) -> str:
    above, base, seconds = map(float, run_child(case, *args, threads=threads))
    return (
        f"{above / 1024:.2f} GB above a {base / 1024:.2f} GB baseline "
        f"({seconds:.0f} s)  (target <= 1.5 GB)"
    )


# -- (c) accuracy with the default caps and without ----------------------------------
def cap_accuracy(n_train: int, seeds=(0, 1, 2)) -> None:
    """Test accuracy with the default caps and with none, per seed.

    The outliers (9,000 to 16,000 tokens) are above the padder's default
    cap and below the token budget, so that the two settings differ in the
    padder's cap alone. The reviews mix in sentences of the other label (a
    quarter of them), so that the accuracy is off its ceiling; and
    ``pooling="mean"`` with ``lr=3e-3``: the default "last" does not learn
    reviews this long in six epochs, and at lr=1e-3 some seeds sit at chance.
    """
    n_test = 2 * n_train // 3
    common = {"purity": 0.75, "outliers": (9_000, 16_000)}
    train = corpus(n_train, n_train // 120, 2, slice(0, 8000), **common)
    test = corpus(n_test, n_test // 120, 3, slice(8000, None), **common)
    lengths = [len(s) for s in VocabularyIndexer().fit_transform(test[0])]
    for name, padder in [("default cap", {}), ("no cap", {"max_len": 1.0})]:
        scores, start = [], time.perf_counter()
        for seed in seeds:
            pipe = make_rnn_pipeline(
                padder_params=padder,
                pooling="mean",
                lr=3e-3,
                max_epochs=6,
                refit=False,
                random_state=seed,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", TruncationWarning)
                scores.append(pipe.fit(*train).score(*test))
        cap = pipe["padder"].max_len_
        print(
            f"    {name:11s}: test accuracy {np.mean(scores):.3f} (seeds: "
            f"{', '.join(f'{a:.3f}' for a in scores)}), padder max_len_ {cap}, "
            f"{sum(n > cap for n in lengths)} of {len(lengths)} test reviews cut, "
            f"{(time.perf_counter() - start) / len(seeds):.0f} s a fit"
        )


# -- (d) a 2M-token vocabulary ---------------------------------------------------------
class StopAfter(Callback):
    """End training after ``n`` training batches."""

    def __init__(self, n: int = 3):
        self.n = n

    def on_batch_end(self, net, training=None, **kwargs):
        if training and len(net.history[-1, "batches"]) >= self.n:
            raise KeyboardInterrupt


def random_vocabulary_corpus():
    """34,000 documents of 100 tokens: 60 random tokens each (2.04M types
    seen once) and 40 drawn from 50,000 words (Zipf); random labels."""
    rng = np.random.default_rng(0)
    common = np.array([f"w{i}" for i in range(50_000)])
    docs = []
    for _ in range(34_000):
        rare = [f"r{v:x}" for v in rng.integers(0, 2**60, 60)]
        docs.append(" ".join(rare + list(common[rng.zipf(1.3, 40) % 50_000])))
    return docs, rng.integers(0, 2, len(docs))


SHRUNK = {"min_freq": 2, "max_tokens": 100_000}


def vocabulary_case(shrink: str, whole: str) -> list:
    docs, y = random_vocabulary_corpus()
    params = {"max_epochs": 1, "random_state": 0}
    if whole != "whole":
        params.update(early_stopping=False, callbacks=[StopAfter(3)])
    indexer = SHRUNK if shrink == "shrunk" else {}
    pipe = make_rnn_pipeline(indexer_params=indexer, **params)

    def work():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pipe.fit(docs, y)
        clf = pipe["classifier"]
        messages = [str(w.message) for w in caught if "embedding" in str(w.message)]
        n_batches = len(clf.net_.history[0, "batches"])
        return [clf.vocab_size_, n_batches, (messages or [""])[0]]

    return measured(work)


def vocabulary(threads: int) -> None:
    for shrink, whole in [("all", "first"), ("shrunk", "first"), ("shrunk", "whole")]:
        above, base, seconds, rows, batches, message = run_child(
            "vocabulary", shrink, whole, threads=threads
        )
        name = "min_freq=2, max_tokens=100_000" if shrink == "shrunk" else "defaults"
        what = (
            "whole default fit, 1 epoch" if whole == "whole" else f"{batches} batches"
        )
        print(
            f"    {name:31s} {int(rows):>9,} rows, {what}: peak "
            f"{float(above) / 1024:.2f} GB above a {float(base) / 1024:.2f} GB "
            f"baseline, {float(seconds):.0f} s"
        )
        if message:
            print(f"      warning: {re.sub(r' Shrink.*', ' ...', message)}")


CASES = {
    "pipeline": pipeline_case,
    "padder": padder_case,
    "vocabulary": vocabulary_case,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--vocab", action="store_true")
    parser.add_argument(
        "--parts", default="abc", help="which of (a), (b), (c) to run, e.g. 'b'"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.child:
        warnings.simplefilter("ignore")
        case, *case_args = args.child
        print(*CASES[case](*case_args), sep="\t")
        return
    print(f"torch {torch.__version__}, {args.threads} thread(s)")
    if "a" in args.parts:
        speed(args.reviews, args.repeats)
    if "b" in args.parts:
        print("(b) one 1,000,000-token document among 1,000 short ones:")
        print(
            "    make_rnn_pipeline().fit + predict:",
            peak_above_baseline("pipeline", args.threads),
        )
        print(
            "    make_rnn_pipeline(language_model=RNNLanguageModel()).fit + predict:",
            peak_above_baseline("pipeline", args.threads, "language_model"),
        )
        print(
            "    SequencePadder fit_transform + transform:",
            peak_above_baseline("padder", args.threads),
        )
    if "c" in args.parts:
        print("(c) accuracy, default length caps against none:")
        cap_accuracy(3 * args.reviews // 5)
    if args.vocab:
        print("(d) a 2M-token vocabulary of random tokens:")
        vocabulary(args.threads)


if __name__ == "__main__":
    main()
