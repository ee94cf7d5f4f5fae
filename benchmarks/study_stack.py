"""Which members the comparison's stacked model should have.

Issue 21 asks for a stacked model of bag-of-words and the LSTM in
``sklearn-rnn compare``, so that the table answers "does the recurrent model
add anything to bag-of-words?". ``"stack_bow_lstm"`` stacks
``"bow_logreg"`` and ``"lstm"``. This script measures the stack and the
models it could be made of, on a validation split of each data set's
*training* data only (80/20, stratified, ``random_state=0``; the test or
dev sets are never read):

- each member alone: ``bow_logreg``, ``bow_logreg_1-2``, ``bow_nb``,
  ``lstm``;
- ``stack_bow_lstm``: the comparison's stack (``bow_logreg`` + ``lstm``);
- ``stack_bows``: ``bow_logreg_1-2`` + ``bow_nb``, no recurrent member, so
  the difference to the next row is what the LSTM adds to counting models
  stacked the same way;
- ``stack_bows_lstm``: ``bow_logreg_1-2`` + ``bow_nb`` + ``lstm``.

It prints each data set's table (accuracy, McNemar's exact test against the
best on the same validation documents).

    python benchmarks/study_stack.py [sst2 trec mr] [--seed 0] [--threads 1]
"""

from __future__ import annotations

import argparse

import torch
from _shared import load_or_exit
from sklearn.model_selection import train_test_split

from sklearn_rnn import (
    evaluate_holdout,
    make_bow_pipeline,
    make_rnn_pipeline,
    stacked_model,
)

#: The training file of each data set (its test or dev set is not read).
TRAINING = {
    "sst2": ("sst2", "sst2_train_sentences.csv"),
    "trec": ("trec", "trec_train.csv"),
    "mr": ("mr", "mr.csv"),
    "uci_yelp": ("uci_sentiment", "uci_yelp.csv"),
}


def candidates(seed: int) -> dict:
    def bigrams():
        return make_bow_pipeline("logreg", ngram_range=(1, 2))

    def lstm():
        return make_rnn_pipeline("lstm", random_state=seed)

    return {
        "bow_logreg": make_bow_pipeline("logreg"),
        "bow_logreg_1-2": bigrams(),
        "bow_nb": make_bow_pipeline("nb"),
        "lstm": lstm(),
        "stack_bow_lstm": stacked_model(
            [("bow", make_bow_pipeline("logreg")), ("lstm", lstm())], seed
        ),
        "stack_bows": stacked_model(
            [("bigrams", bigrams()), ("nb", make_bow_pipeline("nb"))], seed
        ),
        "stack_bows_lstm": stacked_model(
            [("bigrams", bigrams()), ("nb", make_bow_pipeline("nb")), ("lstm", lstm())],
            seed,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", default=["sst2"], choices=list(TRAINING))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for name in args.datasets:
        X, y = load_or_exit(*TRAINING[name])
        X_fit, X_val, y_fit, y_val = train_test_split(
            X, y, test_size=0.2, stratify=y, random_state=0
        )
        result = evaluate_holdout(
            X_fit,
            y_fit,
            X_val,
            y_val,
            models=candidates(args.seed),
            random_state=args.seed,
            progress=True,
        )
        print(f"{name}: {len(X_fit)} training, {len(X_val)} validation documents")
        print(result)


if __name__ == "__main__":
    main()
