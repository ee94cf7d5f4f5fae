"""Which members the comparison's stacked model should have.

Issue 21 asks for a stacked model of bag-of-words and the LSTM in
``sklearn-rnn compare``, so that the table answers "does the recurrent model
add anything to bag-of-words?". This script chose the stacks' members. It
measures them and the models they could be made of on a validation split
of each data set's *training* data only (80/20, stratified,
``random_state=0``; the test or dev sets are never read):

- each member alone: ``bow_logreg``, ``bow_logreg_1-2``, ``bow_nb``,
  ``lstm``;
- ``stack_logreg_lstm``: unigram logistic regression + ``lstm``, the
  comparison's first stack;
- ``stack_bow``: bigram logistic regression + naive Bayes, no recurrent
  member, so the difference to the next row is what the LSTM adds to
  counting models stacked the same way;
- ``stack_bow_lstm``: the same + ``lstm``.

The last two are the comparison's stacks today, built by
``compare_models`` from their names. It prints each data set's table
(accuracy, McNemar's exact test against the best on the same validation
documents).

Measured 2026-12-03 (seed 0, 1 torch thread, two or three jobs on the 2
cores), validation accuracy; the first three rows under the names they
have today (``stack_bows`` and ``stack_bows_lstm`` in that run):

=====================  =======  =======  =======  ========
model                  SST-2    TREC-6   MR       UCI Yelp
=====================  =======  =======  =======  ========
``stack_bow``          0.814    0.868    0.778    0.825
``stack_bow_lstm``     0.812    0.874    0.776    0.825
``stack_logreg_lstm``  0.793    0.853    0.759    0.790
``bow_logreg``         0.787    0.833    0.752    0.815
``bow_logreg_1-2``     0.794    0.859    0.767    0.815
``bow_nb``             0.812    0.765    0.770    0.805
``lstm``               0.786    0.852    0.749    0.795
=====================  =======  =======  =======  ========

(1,384 / 1,091 / 2,133 / 200 validation documents.) The three-member stack
is 1.7 to 3.5 points above ``stack_logreg_lstm`` on all four (McNemar
p = 0.021, 0.004 and 0.025 against the best row on the first three), so it
became the comparison's stack. The LSTM adds 0.6 point to the counting
models on TREC-6 (p = 0.418) and nothing on the three sentiment sets.

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
from sklearn_rnn.compare import _opt_in_models

#: The training file of each data set (its test or dev set is not read).
TRAINING = {
    "sst2": ("sst2", "sst2_train_sentences.csv"),
    "trec": ("trec", "trec_train.csv"),
    "mr": ("mr", "mr.csv"),
    "uci_yelp": ("uci_sentiment", "uci_yelp.csv"),
}


def candidates(seed: int) -> dict:
    def lstm():
        return make_rnn_pipeline("lstm", random_state=seed)

    return {
        "bow_logreg": make_bow_pipeline("logreg"),
        "bow_logreg_1-2": make_bow_pipeline("logreg", ngram_range=(1, 2)),
        "bow_nb": make_bow_pipeline("nb"),
        "lstm": lstm(),
        "stack_logreg_lstm": stacked_model(
            [("bow", make_bow_pipeline("logreg")), ("lstm", lstm())], seed
        ),
        # the comparison's two stacks, as compare_models builds them by name
        **_opt_in_models(random_state=seed),
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
