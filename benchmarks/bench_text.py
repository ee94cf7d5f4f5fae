"""VocabularyIndexer.fit_transform against CountVectorizer.fit_transform.

Both use the same token pattern, on the 67k SST-2 training phrases
(../shared/data/sst2/sst2_train.csv), timed side by side in one run (best of
several interleaved repeats). Target: at most 1.5x CountVectorizer's time.

    python benchmarks/bench_text.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

from _shared import load_or_exit
from sklearn.feature_extraction.text import CountVectorizer

from sklearn_rnn import SequencePadder, VocabularyIndexer
from sklearn_rnn.text import DEFAULT_TOKEN_PATTERN


def timed(fn, docs) -> float:
    start = time.perf_counter()
    fn(docs)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    texts, _ = load_or_exit("sst2", "sst2_train.csv")
    runs = {"CountVectorizer": [], "VocabularyIndexer": [], "indexer + padder": []}
    for _ in range(args.repeats):
        vectorizer = CountVectorizer(token_pattern=DEFAULT_TOKEN_PATTERN)
        runs["CountVectorizer"].append(timed(vectorizer.fit_transform, texts))
        runs["VocabularyIndexer"].append(
            timed(VocabularyIndexer().fit_transform, texts)
        )
        runs["indexer + padder"].append(
            timed(
                lambda d: SequencePadder().fit_transform(
                    VocabularyIndexer().fit_transform(d)
                ),
                texts,
            )
        )
    best = {name: min(times) for name, times in runs.items()}
    print(f"SST-2 train phrases: {len(texts)} documents, best of {args.repeats}")
    for name, seconds in best.items():
        print(f"  {name:18s} {seconds:.3f} s")
    ratio = best["VocabularyIndexer"] / best["CountVectorizer"]
    print(f"VocabularyIndexer / CountVectorizer time: {ratio:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
