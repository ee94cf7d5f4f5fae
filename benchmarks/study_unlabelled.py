"""Does more unlabelled text make the language-model start pay (issue 21)?

The ``lstm_lm_glove`` row of ``bench_accuracy.py`` (the default LSTM
pipeline, vectors GloVe 6B 50d, started from ``RNNLanguageModel(
hidden_size=128)`` fitted in each fit) reads only the fit's own training
sentences: about 130,000 words on SST-2. This study gives the same
pipeline's language model, through ``make_rnn_pipeline(unlabelled=...)``,
the sentences of the 12,433 IMDB reviews of
``../shared/data/imdb_reviews`` (about 2.9 million words of movie reviews
from another site than SST's Rotten Tomatoes; never MR, from which SST is
built). The reviews are cut into sentences (``<br />`` and sentence ends)
because each fit's padder caps what it reads at the training sentences'
longest length. Their labels are never read.

Variants (``--variants``): ``lm_glove`` (the row as it is), ``lm_glove_imdb``
(the same, the IMDB sentences as ``unlabelled=``), ``lm_imdb`` (no vectors),
``lm_glove_imdb_3ep`` (as ``lm_glove_imdb``, but three whole passes over the
mixture instead of the language model's 3 M-token budget). ``--set
NAME=VALUE`` sets a parameter of every variant's language model (the row's
variant name then says so).

Splits (``--split``): ``val`` fits on a stratified 80 % of SST-2's training
sentences (``random_state=0``) and scores the other 20 % (1,384 sentences):
the split a choice is made on. ``dev`` fits on all 6,920 training sentences
and scores the 872 dev sentences (``bench_accuracy.py``'s protocol), for a
variant chosen on ``val``. The test file is never read. One torch thread.

    python benchmarks/study_unlabelled.py --split val \
        --variants lm_glove lm_glove_imdb --seeds 0
    python benchmarks/study_unlabelled.py summary

Rows are appended to ``/tmp/study_unlabelled/results.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _shared import GLOVE, add_set_option, load_or_exit, parsed_set
from explore_pretraining import split

from sklearn_rnn import RNNLanguageModel, TruncationWarning, make_rnn_pipeline

torch.set_num_threads(1)

OUT = Path("/tmp/study_unlabelled")
SENTENCE_END = re.compile(r"<br\s*/?>|(?<=[.!?])\s+")
VARIANTS = {
    "lm_glove": {"vectors": True, "imdb": False},
    "lm_glove_imdb": {"vectors": True, "imdb": True},
    "lm_imdb": {"vectors": False, "imdb": True},
    # Three whole passes over the mixture instead of the 3 M-token budget.
    "lm_glove_imdb_3ep": {
        "vectors": True,
        "imdb": True,
        "lm": {"max_train_tokens": None, "max_epochs": 3},
    },
}


def imdb_sentences() -> list[str]:
    """The IMDB reviews cut into their non-empty sentences (labels unread)."""
    texts, _ = load_or_exit("imdb_reviews", "imdb_dev.csv")
    pieces = (p.strip() for text in texts for p in SENTENCE_END.split(text))
    return [p for p in pieces if p]


def data(which: str):
    if which == "dev":
        X, y = load_or_exit("sst2", "sst2_train_sentences.csv")
        X_dev, y_dev = load_or_exit("sst2", "sst2_dev.csv")
        return list(X), np.asarray(y), list(X_dev), np.asarray(y_dev)
    return split("sst2")  # explore_pretraining's stratified 80/20


def pipeline(variant: str, seed: int, unlabelled: list[str], lm_params: dict):
    spec = VARIANTS[variant]
    return make_rnn_pipeline(
        vectors=str(GLOVE) if spec["vectors"] else None,
        language_model=RNNLanguageModel(
            **{"hidden_size": 128, **spec.get("lm", {}), **lm_params},
            random_state=seed,
        ),
        unlabelled=unlabelled if spec["imdb"] else None,
        random_state=seed,
    )


def run(split: str, variants: list[str], seeds: list[int], lm_params: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    fit_x, fit_y, score_x, score_y = data(split)
    unlabelled = imdb_sentences() if any(VARIANTS[v]["imdb"] for v in variants) else []
    if unlabelled:
        words = sum(len(s.split()) for s in unlabelled)
        print(f"unlabelled: {len(unlabelled):,} sentences, {words:,} words")
    for seed in seeds:
        for variant in variants:
            pipe = pipeline(variant, seed, unlabelled, lm_params)
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", TruncationWarning)
                pipe.fit(fit_x, fit_y)
            seconds = time.perf_counter() - start
            clf, lm = pipe[-1], pipe[-1].language_model_
            predicted = pipe.predict(score_x)
            row = {
                "split": split,
                "variant": variant + "".join(f" {k}={v}" for k, v in lm_params.items()),
                "seed": seed,
                "acc": float(np.mean(predicted == score_y)),
                "right": int(np.sum(predicted == score_y)),
                "n": len(score_y),
                "n_epochs": int(clf.n_epochs_),
                "best_epoch": int(clf.best_epoch_),
                "lm_train_tokens": int(lm.history_[-1, "train_tokens"]),  # cumulative
                "lm_epochs": len(lm.history_),
                "truncation_warnings": sum(
                    issubclass(w.category, TruncationWarning) for w in caught
                ),
                "fit_s": round(seconds, 1),
            }
            print(json.dumps(row), flush=True)
            with open(OUT / "results.jsonl", "a") as out:
                out.write(json.dumps(row) + "\n")


def summary() -> None:
    frame = pd.DataFrame([json.loads(line) for line in open(OUT / "results.jsonl")])
    print(frame.to_string(index=False))
    table = frame.pivot_table(index="variant", columns="split", values="acc")
    print(table.round(3).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", default="run", choices=["run", "summary"])
    parser.add_argument("--split", default="val", choices=["val", "dev"])
    parser.add_argument("--variants", nargs="+", default=["lm_glove", "lm_glove_imdb"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    add_set_option(parser, "every variant's RNNLanguageModel")
    args = parser.parse_args()
    if args.command == "summary":
        summary()
    elif not GLOVE.exists():
        print(f"skipped: {GLOVE} is not available")
    else:
        run(args.split, args.variants, args.seeds, parsed_set(args.set))


if __name__ == "__main__":
    main()
