"""Accuracy and fitting speed of the class-conditional HMM baseline.

(a) 5-fold stratified cross-validation of ``make_hmm_pipeline`` on the MR
    sentences (../shared/data/mr/mr.csv), 1 and 4 states: accuracy mean and
    standard deviation, mean fit time (target: >= 0.75 with one state).
(b) TREC-6, ``trec_train.csv`` -> ``trec_test.csv``, 1 and 4 states (the
    4-state accuracy depends on the seed, so several seeds are shown, with
    one EM run per class and with the best of ``n_init=3``).
(c) ``HMMClassifier.fit`` against hmmlearn called directly on the same
    sequences (one ``CategoricalHMM`` per class, documents concatenated with
    ``lengths``, the same parameters and seeds), run side by side; both run
    the same fixed number of EM iterations so they do the same work
    (target: ratio <= 1.2).

    python benchmarks/bench_hmm.py [--skip-4-states-cv]

It exits 0 with a message when ../shared/data is not there.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from hmmlearn.hmm import CategoricalHMM
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_validate

from sklearn_rnn.hmm import HMMClassifier, make_hmm_pipeline
from sklearn_rnn.text import VocabularyIndexer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def read(*parts: str) -> tuple[pd.Series, np.ndarray]:
    frame = pd.read_csv(DATA.joinpath(*parts), keep_default_na=False)
    return frame["text"], frame["label"].to_numpy()


def mr_cross_validation(n_states_list) -> None:
    texts, labels = read("mr", "mr.csv")
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    print(f"(a) MR, {len(texts)} sentences, 5-fold stratified CV")
    for n_states in n_states_list:
        pipe = make_hmm_pipeline(n_states=n_states, random_state=0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            scores = cross_validate(pipe, texts, labels, cv=cv, n_jobs=1)
        acc = scores["test_score"]
        print(
            f"    {n_states} state(s): accuracy {acc.mean():.3f} ± {acc.std():.3f}"
            f"  fit {scores['fit_time'].mean():.2f} s"
            f"  predict {scores['score_time'].mean():.3f} s per fold"
            f"  ({len(caught)} convergence warning(s))"
        )


def trec(seeds) -> None:
    train_texts, train_labels = read("trec", "trec_train.csv")
    test_texts, test_labels = read("trec", "trec_test.csv")
    print(f"(b) TREC-6, {len(train_texts)} train -> {len(test_texts)} test")
    for n_states, n_init, seed_list in [(1, 1, [0]), (4, 1, seeds), (4, 3, seeds)]:
        for seed in seed_list:
            pipe = make_hmm_pipeline(
                n_states=n_states, n_init=n_init, random_state=seed
            )
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                pipe.fit(train_texts, train_labels)
            fit_time = time.perf_counter() - start
            clf = pipe.named_steps["classifier"]
            acc = pipe.score(test_texts, test_labels)
            print(
                f"    {n_states} state(s), n_init={n_init}, random_state={seed}: "
                f"accuracy {acc:.3f}"
                f"  fit {fit_time:.2f} s  EM iterations {clf.n_iter_.tolist()}"
                f"  ({len(caught)} convergence warning(s))"
            )


def raw_hmmlearn_fit(seqs, y, n_states, alpha, n_iter, tol, random_state):
    """What HMMClassifier.fit does, written directly against hmmlearn."""
    classes = np.unique(y)
    n_features = max(int(s.max()) for s in seqs if s.size) + 1
    seeds = np.random.RandomState(random_state).randint(
        np.iinfo(np.int32).max, size=len(classes)
    )
    models = []
    for label, seed in zip(classes, seeds):
        docs = [s for s, c in zip(seqs, y) if c == label and s.size]
        tokens = np.concatenate(docs)[:, None]
        model = CategoricalHMM(
            n_components=n_states,
            emissionprob_prior=1 + alpha,
            n_features=n_features,
            n_iter=n_iter,
            tol=tol * len(tokens),
            random_state=int(seed),
            implementation="scaling",
        )
        models.append(model.fit(tokens, [len(s) for s in docs]))
    return models


def fit_speed(n_iter: int, repeats: int) -> None:
    texts, labels = read("mr", "mr.csv")
    seqs = VocabularyIndexer().fit_transform(texts)
    print(
        f"(c) fit on all {len(seqs)} MR sentences, {n_iter} EM iterations each, "
        f"best of {repeats}: HMMClassifier vs hmmlearn directly"
    )
    params = dict(alpha=1.0, n_iter=n_iter, tol=0.0, random_state=0)
    for n_states in (1, 4):
        ours, raw = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            with warnings.catch_warnings():
                # tol=0 runs every iteration; the warning saying so is expected
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf = HMMClassifier(n_states=n_states, **params).fit(seqs, labels)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            models = raw_hmmlearn_fit(seqs, labels, n_states, **params)
            raw.append(time.perf_counter() - start)
        same = all(
            np.allclose(a.emissionprob_, b.emissionprob_)
            for a, b in zip(clf.models_, models)
        )
        print(
            f"    {n_states} state(s): HMMClassifier {min(ours):.2f} s, hmmlearn "
            f"{min(raw):.2f} s, ratio {min(ours) / min(raw):.2f}x; "
            f"iterations {clf.n_iter_.tolist()} vs "
            f"{[m.monitor_.iter for m in models]}; same emissions: {same}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-4-states-cv",
        action="store_true",
        help="cross-validate only the one-state model on MR (the slow part)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: shared data not available at {DATA}")
        return 0
    # hmmlearn's own log messages (raw fits in (c)) would drown the output
    logging.getLogger("hmmlearn").setLevel(logging.ERROR)
    mr_cross_validation([1] if args.skip_4_states_cv else [1, 4])
    trec(seeds=[0, 1, 2])
    fit_speed(n_iter=20, repeats=args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
