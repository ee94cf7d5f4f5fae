"""What ``refit=True`` gains or costs, on one row of ``bench_accuracy.py``.

The row's model and the same model with ``classifier__refit=False`` are
scored side by side in one comparison per seed, so both see the same folds
(or the same train/test split). Prints each seed's accuracies, and over all
(seed, fold) pairs how often the refit is ahead and behind, with a Wilcoxon
signed-rank test on the paired differences.

    python benchmarks/study_refit.py sms rnn --seeds 0 1 2 3 4
    python benchmarks/study_refit.py imdb_reviews lstm  # 5-fold, hours on 2 cores

Measured 2026-12-01 (2 shared cores, 1 torch thread): SMS ``rnn``, seeds
0-4: refit 0.964 / 0.984 / 0.966 / 0.980 / 0.978, without 0.981 / 0.977 /
0.984 / 0.983 / 0.983; 25 paired folds, refit ahead in 7, behind in 17,
Wilcoxon p = 0.017.

``imdb_reviews`` (not a bench_accuracy row) is 5-fold CV of
``../shared/data/imdb_reviews/imdb_dev.csv``; on one 80/20 split of it the
refit cost the default LSTM 2.3 and 1.9 points (seeds 0 and 1,
``benchmarks/study_long_reviews.py``).
"""

from __future__ import annotations

import argparse

import bench_accuracy
import numpy as np
import torch
from scipy.stats import wilcoxon
from sklearn.base import clone

#: bench_accuracy's data sets, and the long reviews of issue 21.
DATASETS = {
    **bench_accuracy.DATASETS,
    "imdb_reviews": bench_accuracy.cross_validated(("imdb_reviews", "imdb_dev.csv"), 5),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=list(DATASETS))
    parser.add_argument("model", help="a recurrent row of bench_accuracy.py")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    without = f"{args.model}_norefit"
    every_model = bench_accuracy.models

    def with_the_variant(seed: int) -> dict:
        every = every_model(seed)
        every[without] = clone(every[args.model]).set_params(classifier__refit=False)
        return every

    bench_accuracy.models = with_the_variant
    differences = []
    for seed in args.seeds:
        result = DATASETS[args.dataset]([args.model, without], seed, 1)
        scores = result.fold_scores
        folds = scores.pivot(index="fold", columns="model", values="accuracy")
        differences.extend(folds[args.model] - folds[without])
        print(
            f"seed {seed}: refit {folds[args.model].mean():.3f}, "
            f"refit=False {folds[without].mean():.3f}  (folds: "
            + ", ".join(
                f"{a:.3f}/{b:.3f}" for a, b in zip(folds[args.model], folds[without])
            )
            + ")",
            flush=True,
        )
    differences = np.asarray(differences)
    ahead, behind = int((differences > 0).sum()), int((differences < 0).sum())
    line = (
        f"{len(differences)} paired folds: refit ahead in {ahead}, behind in "
        f"{behind}, mean difference {differences.mean() * 100:+.2f} points"
    )
    if np.any(differences != 0):
        line += f", Wilcoxon p = {wilcoxon(differences).pvalue:.3f}"
    print(line)


if __name__ == "__main__":
    main()
