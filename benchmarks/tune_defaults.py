"""Choose the recurrent classifier's defaults on validation splits only.

Each candidate is trained on 80 % of a training set and scored on the other
20 % (seed 0); test sets and test folds are never looked at here.

    python benchmarks/tune_defaults.py [mr|trec|sst2 ...]
"""

from __future__ import annotations

import sys
import time

import torch
from _shared import load_or_exit
from sklearn.model_selection import train_test_split

from sklearn_rnn import make_rnn_pipeline

TRAIN_FILES = {
    "mr": ("mr", "mr.csv"),
    "trec": ("trec", "trec_train.csv"),
    "sst2": ("sst2", "sst2_train_sentences.csv"),
}

CANDIDATES = {
    # round 1 (validation accuracy TREC / MR, seed 0): lstm last 0.841 / 0.735,
    # patience 5 0.841 / 0.735, bilstm max 0.830 / 0.743, bilstm max dropout 0.5
    # 0.830 / 0.739, lstm max 0.839 / 0.730, bilstm last 0.828 / 0.731
    # round 2 (min_freq=2 everywhere): lstm last 0.835 / 0.730, bilstm max
    # 0.845 / 0.729, lstm last lr 2e-3 0.838 / 0.721, dropout 0.4 0.844 / -
    # round 3: three seeds each, mean validation accuracy SST-2 / TREC / MR:
    # lstm last 0.783 / 0.840 / 0.737, bilstm last 0.784 / 0.835 / 0.735,
    # bilstm max 0.787 / 0.836 / 0.736. Differences are within seed noise, so the
    # defaults stay the simpler and faster one-directional LSTM, last state.
    # round 4 (2026-11-27), mean validation accuracy TREC / SST-2 (3 seeds):
    # lstm last 0.840 / 0.783, word_dropout 0.1 0.828 / 0.791, word_dropout
    # 0.25 0.828 / 0.783, bilstm max word_dropout 0.1 0.816 / -. Four seeds:
    # batch 32 0.841 / 0.785, dropout 0.5 0.836 / 0.790, bilstm max dropout
    # 0.5 0.831 / 0.782, embedding 300 hidden 256 0.836 / 0.768, patience 5
    # 0.838 / 0.783 (same best epochs), lr 2e-3 batch 32 0.836 / 0.771, GRU
    # 0.825 / 0.778, weight decay 1e-5 dropout 0.4 - / 0.791 (base: 0.838 /
    # 0.783). No candidate is ahead on both sets by more than the seed
    # spread (about 1.5 points), so the defaults stay; word_dropout stays 0.
    # round 5: retraining on the whole fitting part for the best epoch count
    # found by early stopping (refit), 4 seeds, TREC / SST-2 / MR: 0.848 /
    # 0.784 / 0.744 against 0.838 / 0.783 / 0.738 without; ahead on all three
    # means and on 8 of 12 seed pairs (one tie), so refit=True became the
    # default. Rounds 1-4 ran before refit existed: rerun them with
    # refit=False added to each candidate.
    "lstm last": {},
    "lstm last, refit=False": {"refit": False},
}
SEEDS = (0, 1, 2, 3)


def main(names: list[str]) -> None:
    torch.set_num_threads(1)  # steady timings on a shared 2-core machine
    for name in names:
        X, y = load_or_exit(*TRAIN_FILES[name])
        if name == "mr":  # MR has no split: tune inside the 80 % training part
            X, _, y, _ = train_test_split(
                X, y, test_size=0.2, stratify=y, random_state=0
            )
        X_fit, X_val, y_fit, y_val = train_test_split(
            X, y, test_size=0.2, stratify=y, random_state=0
        )
        for label, params in CANDIDATES.items():
            scores = []
            for seed in SEEDS:
                start = time.perf_counter()
                pipe = make_rnn_pipeline(random_state=seed, **params)
                pipe.fit(X_fit, y_fit)
                seconds = time.perf_counter() - start
                scores.append(pipe.score(X_val, y_val))
                print(
                    f"{name:5s} {label:22s} seed={seed} val_acc={scores[-1]:.4f} "
                    f"epochs={pipe[-1].n_epochs_:2d} fit={seconds:6.1f}s",
                    flush=True,
                )
            print(f"{name:5s} {label:22s} mean val_acc={sum(scores) / len(scores):.4f}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(TRAIN_FILES))
