"""Accuracy of the default recurrent pipelines on real text.

TREC-6 (train -> test) and MR (stratified 80/20 split, seed 0), with
``make_rnn_pipeline(cell)`` and no other argument. Prints test accuracy,
epochs trained and wall time. Targets (LSTM): TREC >= 0.85, MR >= 0.74.

    python benchmarks/bench_rnn.py [--cells lstm,gru,rnn] [--seeds 0]
"""

from __future__ import annotations

import argparse
import time

import torch
from _shared import load_or_exit
from sklearn.model_selection import train_test_split

from sklearn_rnn import make_rnn_pipeline


def splits():
    X_train, y_train = load_or_exit("trec", "trec_train.csv")
    X_test, y_test = load_or_exit("trec", "trec_test.csv")
    yield "TREC-6", X_train, X_test, y_train, y_test
    X, y = load_or_exit("mr", "mr.csv")
    yield "MR 80/20", *train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="lstm")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for name, X_train, X_test, y_train, y_test in splits():
        for cell in args.cells.split(","):
            for seed in map(int, args.seeds.split(",")):
                start = time.perf_counter()
                pipe = make_rnn_pipeline(cell, random_state=seed).fit(X_train, y_train)
                seconds = time.perf_counter() - start
                print(
                    f"{name:9s} {cell:4s} seed={seed} "
                    f"accuracy={pipe.score(X_test, y_test):.4f} "
                    f"epochs={pipe[-1].n_epochs_} (best {pipe[-1].best_epoch_}) "
                    f"wall={seconds:.0f}s",
                    flush=True,
                )


if __name__ == "__main__":
    main()
