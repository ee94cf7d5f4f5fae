"""The deletion test of :func:`sklearn_rnn.explain` on SST-2 (issue 22's target).

    python benchmarks/bench_explain.py                      # the target: dev
    python benchmarks/bench_explain.py --split validation   # choosing defaults
    python benchmarks/bench_explain.py --n-steps 20,50,100  # side by side

The default LSTM (``make_rnn_pipeline()``, ``random_state=0``, one torch
thread) is fitted on the 6,920 SST-2 training sentences
(``../shared/data/sst2/sst2_train_sentences.csv``). The documents explained
are the first ``--n-sentences`` (200) sentences of ``sst2_dev.csv``, in file
order, that the pipeline's own analyzer (the ``VocabularyIndexer``: lower
case, words and punctuation marks) cuts into at least 4 tokens. With
``--split validation`` the model is fitted on a stratified 80 % of the
training sentences (seed 0) and the documents come from the other 20 %
instead, so that a change to ``explain``'s defaults is argued without
looking at dev.

For each document, with ``p`` the model's probability of its predicted
class: the top-3 tokens (largest scores, i.e. pushing most towards the
predicted class) are deleted and the new probability ``p_top`` of the same
class is read; then 3 distinct positions drawn uniformly, ``--draws`` times
(seeded), give ``p_random`` (the mean change over the draws). A deletion
removes the tokens and joins the rest with spaces, which the analyzer reads
back as exactly the remaining tokens (checked). Printed: the means over
documents of ``|p - p_top|`` and ``|p - p_random|`` and their ratio (the
target is >= 2), the same for the signed drop ``p - p_top`` (how far the
deletion pushes away from the predicted class), and the time ``explain``
took per document.

``--cache PATH`` pickles the fitted model (a file this script writes
itself) so that several settings reuse one fit.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import load_or_exit  # noqa: E402

from sklearn_rnn import explain, make_rnn_pipeline  # noqa: E402

K = 3
MIN_TOKENS = K + 1


def _splits(split: str):
    X, y = load_or_exit("sst2", "sst2_train_sentences.csv")
    if split == "dev":
        X_docs, _ = load_or_exit("sst2", "sst2_dev.csv")
        return list(X), np.asarray(y), list(X_docs), "SST-2 train sentences -> dev"
    from sklearn.model_selection import train_test_split

    X_fit, X_docs, y_fit, _ = train_test_split(
        list(X), np.asarray(y), test_size=0.2, stratify=y, random_state=0
    )
    return X_fit, y_fit, X_docs, "80 % of SST-2 train sentences -> the other 20 %"


def _fitted(X, y, cache: Path | None):
    if cache is not None and cache.exists():
        with cache.open("rb") as file:  # written by this script, below
            return pickle.load(file), None
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make_rnn_pipeline(random_state=0).fit(X, y)
    seconds = time.perf_counter() - start
    if cache is not None:
        with cache.open("wb") as file:
            pickle.dump(model, file)
    return model, seconds


def deletion_test(model, docs, n_steps: int, draws: int, seed: int) -> dict:
    """Top-k against random-k deletions over ``docs`` (see the module)."""
    analyzer = model.named_steps["indexer"].build_analyzer()
    rng = np.random.default_rng(seed)
    top_abs, top_drop, random_abs, random_drop = [], [], [], []
    explain_seconds = 0.0
    for doc in docs:
        start = time.perf_counter()
        why = explain(model, doc, n_steps=n_steps)
        explain_seconds += time.perf_counter() - start
        index = list(model.classes_).index(why.target)
        top = np.argsort(-why.scores, kind="stable")[:K]
        n = len(why.tokens)
        picks = [rng.choice(n, size=K, replace=False) for _ in range(draws)]
        variants = []
        for drop in [top, *picks]:
            kept = [t for i, t in enumerate(why.tokens) if i not in set(drop.tolist())]
            variant = " ".join(kept)
            if analyzer(variant) != kept:
                raise RuntimeError(f"deleting tokens from {doc!r} re-reads differently")
            variants.append(variant)
        p_new = model.predict_proba(variants)[:, index]
        change = why.probability - p_new
        top_abs.append(abs(change[0]))
        top_drop.append(change[0])
        random_abs.append(np.abs(change[1:]).mean())
        random_drop.append(change[1:].mean())
    return {
        "top |change|": np.mean(top_abs),
        "random |change|": np.mean(random_abs),
        "ratio |change|": np.mean(top_abs) / np.mean(random_abs),
        "top drop": np.mean(top_drop),
        "random drop": np.mean(random_drop),
        "ratio drop": np.mean(top_drop) / np.mean(random_drop),
        "explain s/doc": explain_seconds / len(docs),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "validation"], default="dev")
    parser.add_argument("--n-sentences", type=int, default=200)
    parser.add_argument("--n-steps", default="50", help="comma-separated")
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    X, y, pool, source = _splits(args.split)
    model, fit_seconds = _fitted(X, y, args.cache)
    analyzer = model.named_steps["indexer"].build_analyzer()
    docs, skipped = [], 0
    for doc in pool:
        if len(docs) == args.n_sentences:
            break
        if len(analyzer(doc)) >= MIN_TOKENS:
            docs.append(doc)
        else:
            skipped += 1
    print(f"data: {source}; default LSTM, random_state=0, 1 torch thread")
    fit = f"{fit_seconds:.1f} s" if fit_seconds is not None else f"from {args.cache}"
    print(f"fit: {fit}")
    print(
        f"documents: the first {len(docs)} with >= {MIN_TOKENS} tokens "
        f"({skipped} shorter ones skipped); top-{K} vs {K} random tokens, "
        f"{args.draws} draws (seed {args.seed})"
    )
    for n_steps in [int(n) for n in args.n_steps.split(",")]:
        row = deletion_test(model, docs, n_steps, args.draws, args.seed)
        figures = ", ".join(f"{key} {value:.4f}" for key, value in row.items())
        print(f"n_steps={n_steps}: {figures}")


if __name__ == "__main__":
    main()
