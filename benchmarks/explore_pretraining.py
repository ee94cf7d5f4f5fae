"""Choose the defaults of fine-tuning from a language model (issue 21).

The LSTM classifier started from a word language model (``RNNClassifier(
language_model=...)``), fine-tuned plainly or with each of ULMFiT's options
(Howard & Ruder 2018, section 3.2): discriminative learning rates per layer
(``discriminative_lr=2.6``), the slanted triangular schedule
(``lr_schedule="slanted_triangular"``), gradual unfreezing
(``gradual_unfreezing=True``), and the three together. Everything is
measured on VALIDATION splits carved out of the training files; no test file
is ever read.

Validation protocol
-------------------
- trec: trec/trec_train.csv -> stratified 80/20 (random_state=0) fit/val.
- sst2: sst2/sst2_train_sentences.csv -> stratified 80/20 (random_state=0).

Per data set and seed, one ``VocabularyIndexer`` is fitted on the fit part
and one language model (``RNNLanguageModel(hidden_size=128)``, otherwise its
defaults) is fitted on the fit part's ids, as an unfitted language model is
in each fit of a pipeline; every variant then starts from that same fitted
language model (``language_model=`` given fitted, on the same ids), so the
variants differ only in how they fine-tune. The classifier is the package's
default otherwise (early stopping on a 10 % hold-out of the fit part, refit).
One torch thread.

Usage::

    python benchmarks/explore_pretraining.py run --datasets trec \
        --variants plain dlr stlr gu ulmfit --seeds 0
    python benchmarks/explore_pretraining.py summary

Rows are appended to /tmp/explore_pretraining/results.jsonl (one per data
set, variant and seed); ``summary`` prints the table of validation accuracy
and fit time (the first variant's includes fitting the language model).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import train_test_split

from sklearn_rnn import RNNClassifier, RNNLanguageModel, VocabularyIndexer

torch.set_num_threads(1)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OUT = Path("/tmp/explore_pretraining")
FILES = {
    "trec": DATA / "trec" / "trec_train.csv",
    "sst2": DATA / "sst2" / "sst2_train_sentences.csv",
}
ULMFIT = {
    "discriminative_lr": 2.6,
    "lr_schedule": "slanted_triangular",
    "gradual_unfreezing": True,
}
VARIANTS = {
    "plain": {},
    "dlr": {"discriminative_lr": 2.6},
    "stlr": {"lr_schedule": "slanted_triangular"},
    "gu": {"gradual_unfreezing": True},
    "ulmfit": ULMFIT,
    # the options lower the mean rate (the schedule's mean is about half of
    # lr, the lower layers learn lr / 2.6**k): the same at three times lr
    "plain_3x": {"lr": 3e-3},
    "dlr_3x": {"discriminative_lr": 2.6, "lr": 3e-3},
    "stlr_3x": {"lr_schedule": "slanted_triangular", "lr": 3e-3},
    "ulmfit_3x": {**ULMFIT, "lr": 3e-3},
    # what the language model starts (the embedding only, or everything),
    # with the last state or concat pooling, next to no language model
    "embedding": {"pretrained_layers": "embedding"},
    "concat": {"pooling": "concat"},
    "embedding_concat": {"pretrained_layers": "embedding", "pooling": "concat"},
    "scratch": {"language_model": None},
    "scratch_concat": {"language_model": None, "pooling": "concat"},
}


def split(name: str):
    """Fit and validation texts and labels of a training file (80/20)."""
    frame = pd.read_csv(FILES[name])
    fit, val = train_test_split(
        frame, test_size=0.2, stratify=frame["label"], random_state=0
    )
    return (
        fit["text"].tolist(),
        fit["label"].to_numpy(),
        val["text"].tolist(),
        val["label"].to_numpy(),
    )


def run(datasets, variants, seeds) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in datasets:
        fit_x, fit_y, val_x, val_y = split(name)
        indexer = VocabularyIndexer().fit(fit_x)
        fit_ids, val_ids = indexer.transform(fit_x), indexer.transform(val_x)
        for seed in seeds:
            lm = None
            start = time.perf_counter()
            for variant in variants:
                if lm is None:  # the first variant fits the language model
                    given = RNNLanguageModel(hidden_size=128, random_state=seed)
                else:
                    given = lm
                params = {"language_model": given, **VARIANTS[variant]}
                clf = RNNClassifier(random_state=seed, **params)
                clf.fit(fit_ids, fit_y)
                seconds = time.perf_counter() - start
                lm = clf.language_model_ or lm
                row = {
                    "dataset": name,
                    "variant": variant,
                    "seed": seed,
                    "val_acc": float(np.mean(clf.predict(val_ids) == val_y)),
                    "n_epochs": int(clf.n_epochs_),
                    "best_epoch": int(clf.best_epoch_),
                    "refitted": bool(clf.refitted_),
                    "fit_s": round(seconds, 1),
                }
                print(json.dumps(row), flush=True)
                with open(OUT / "results.jsonl", "a") as out:
                    out.write(json.dumps(row) + "\n")
                start = time.perf_counter()


def summary() -> None:
    rows = [json.loads(line) for line in open(OUT / "results.jsonl")]
    frame = pd.DataFrame(rows)
    table = frame.pivot_table(
        index="variant", columns="dataset", values=["val_acc", "fit_s"]
    )
    print(table.round(3).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    runner = commands.add_parser("run")
    runner.add_argument("--datasets", nargs="+", default=["trec"], choices=FILES)
    runner.add_argument(
        "--variants", nargs="+", default=list(VARIANTS)[:5], choices=VARIANTS
    )
    runner.add_argument("--seeds", nargs="+", type=int, default=[0])
    commands.add_parser("summary")
    args = parser.parse_args()
    if args.command == "run":
        run(args.datasets, args.variants, args.seeds)
    else:
        summary()


if __name__ == "__main__":
    main()
