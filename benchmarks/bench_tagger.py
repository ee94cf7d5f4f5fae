"""Part-of-speech tagging on UD English-EWT: three taggers side by side.

Train on ``ewt_train.csv`` (12,544 sentences), test on ``ewt_test.csv``
(2,077 sentences, 17 universal POS tags), from ../shared/data/ud_ewt_pos/:

- most frequent tag of each word form (unseen words: the most frequent tag
  of the training words seen once);
- ``HMMTagger()``: supervised bigram HMM decoded by hmmlearn's Viterbi;
- ``RNNTagger(random_state=0)``: the default BiLSTM with character CNN.

Prints token accuracy overall and on known and unknown words (word forms
seen or not in training), training time, and the RNN's commonest errors.
Target for the RNNTagger: >= 0.93 within 20 minutes of training on 2 cores.

    python benchmarks/bench_tagger.py [--max-epochs 15] [--threads 1]

It exits 0 with a message when ../shared/data is not there.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import torch
from _shared import SHARED_DATA

from sklearn_rnn.hmm import HMMTagger
from sklearn_rnn.tagger import RNNTagger


def load(split: str) -> tuple[list[list[str]], list[list[str]]]:
    path = SHARED_DATA / "ud_ewt_pos" / f"ewt_{split}.csv"
    if not path.exists():
        print(f"skipped: {path} is not available")
        sys.exit(0)
    frame = pd.read_csv(path, keep_default_na=False)
    return [s.split() for s in frame["tokens"]], [s.split() for s in frame["tags"]]


class MostFrequentTag:
    """Each word form's most frequent training tag; hapax tags for the rest."""

    def fit(self, X, y):
        counts: defaultdict[str, Counter] = defaultdict(Counter)
        for tokens, tags in zip(X, y):
            for token, tag in zip(tokens, tags):
                counts[token][tag] += 1
        self.best = {w: c.most_common(1)[0][0] for w, c in counts.items()}
        hapax_tags = Counter(
            c.most_common(1)[0][0] for c in counts.values() if c.total() == 1
        )
        self.default = hapax_tags.most_common(1)[0][0]
        return self

    def predict(self, X):
        return [np.array([self.best.get(t, self.default) for t in s]) for s in X]


def accuracies(predicted, y, known) -> tuple[float, float, float]:
    pred = np.concatenate(predicted)
    true = np.concatenate([np.array(t) for t in y])
    right = pred == true
    return right.mean(), right[known].mean(), right[~known].mean()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-epochs", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    X_train, y_train = load("train")
    X_test, y_test = load("test")
    vocabulary = {t for s in X_train for t in s}
    known = np.array([t in vocabulary for s in X_test for t in s])
    print(
        f"EWT: {len(X_train)} training sentences, {len(X_test)} test sentences "
        f"({known.size} tokens, {(~known).sum()} = {(~known).mean():.1%} unknown)"
    )

    rnn = RNNTagger(max_epochs=args.max_epochs, random_state=0, verbose=1)
    rows = []
    for name, tagger in [
        ("most frequent tag", MostFrequentTag()),
        ("HMMTagger (bigram, hmmlearn)", HMMTagger()),
        ("RNNTagger (BiLSTM + char CNN)", rnn),
    ]:
        start = time.perf_counter()
        tagger.fit(X_train, y_train)
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        predicted = tagger.predict(X_test)
        predict_time = time.perf_counter() - start
        rows.append((name, *accuracies(predicted, y_test, known), fit_time))
        print(f"{name}: done in {fit_time:.0f} s (predict {predict_time:.1f} s)")
        if tagger is rnn:
            rnn_predicted = predicted

    print()
    print(f"{'tagger':32s} {'overall':>8s} {'known':>8s} {'unknown':>8s} {'fit':>7s}")
    for name, overall, on_known, on_unknown, fit_time in rows:
        print(
            f"{name:32s} {overall:8.4f} {on_known:8.4f} {on_unknown:8.4f} "
            f"{fit_time:6.1f}s"
        )
    print(f"RNNTagger: {rnn.n_epochs_} epochs, best {rnn.best_epoch_}")
    target = "met" if rows[-1][1] >= 0.93 else "NOT met"
    print(f"target (RNNTagger >= 0.93): {target}")

    pred = np.concatenate(rnn_predicted)
    true = np.concatenate([np.array(t) for t in y_test])
    wrong = pred != true
    share_unknown = (~known[wrong]).mean()
    print(
        f"\nRNNTagger errors: {wrong.sum()}, {share_unknown:.0%} of them on unknown "
        "words; commonest (true -> predicted):"
    )
    for (t, p), n in Counter(zip(true[wrong], pred[wrong])).most_common(8):
        print(f"    {t:6s} -> {p:6s} {n:4d}")


if __name__ == "__main__":
    main()
