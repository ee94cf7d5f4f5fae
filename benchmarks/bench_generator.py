"""Bits per character of CharRNNGenerator against a character n-gram model.

All MR sentences (../shared/data/mr/mr.csv), split 90/10 by sentence with a
seed. Side by side in one run:

- an interpolated Kneser-Ney character n-gram model (written below), ``n``
  picked on a validation split of the training sentences (10 %), then refit
  on all of them;
- ``CharRNNGenerator(hidden_size=512, dropout=0.25)``, other parameters at
  their defaults (early stopping on its own 10 % validation split of the
  training sentences; at most ``--max-epochs`` epochs). Without dropout the
  512-unit LSTM overfits this 1.1M-character corpus from epoch 5 on.

Both read every held-out sentence after one "\\n" and predict its characters
and the closing "\\n"; characters seen once or never in training are one
unknown symbol for both. Prints held-out bits per character, training time,
and samples at two temperatures. Target: the LSTM beats the best n-gram.

    python benchmarks/bench_generator.py [--max-epochs 20] [--dropout 0.25]

With ``--conditional``, it measures instead p(text | label) on one of
``--dataset mr`` (sentiment: "write a review of class c"), ``sms_spam``
(ham or spam, deduplicated) or ``trec`` (question types, the training file
only), for each ``label_conditioning`` given (default "both"). A seeded,
stratified 25 % of the texts is held out: the generator never reads them;
they train the bag-of-words judge (CountVectorizer + logistic regression;
its 5-fold recall per class on these real texts is printed as the bar) and
are scored: bits per character under the true and the wrong labels (the
mean over them), the accuracy of the generative classifier (the label that
makes a held-out text likeliest), and the share of texts written for each
class (temperature 0.7) that the judge assigns to that class (target >= 70 %
for every class).

    python benchmarks/bench_generator.py --conditional --dataset trec \
        --hidden-size 256 --dropout 0 --max-epochs 12

It exits 0 with a message when ../shared/data is not there.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch
from _shared import load_or_exit
from sklearn.model_selection import train_test_split

from sklearn_rnn.generator import CharRNNGenerator
from sklearn_rnn.text import VocabularyIndexer

SEP = "\n"


class KneserNeyCharModel:
    """Interpolated Kneser-Ney model over character ids (numpy, no loops per char).

    The highest order uses raw counts, lower orders continuation counts (the
    number of distinct characters seen before an n-gram); each order has its
    own discount ``D = n1 / (n1 + 2 n2)``, and order 0 is uniform over the
    alphabet. An n-gram is an int64 code, ``sum(id_i * base**i)``.
    """

    def __init__(self, n: int):
        self.n = n

    def fit(self, texts: list[str]):
        self.indexer = VocabularyIndexer(
            analyzer=list, lowercase=False, token_pattern=None, min_freq=2
        )
        stream = self.indexer.fit_transform([SEP + SEP.join(texts) + SEP])[0]
        self.base = len(self.indexer.vocabulary_)
        if self.base**self.n >= 2**63:
            raise ValueError(f"{self.n}-gram codes over {self.base} ids overflow int64")
        self.n_symbols = self.base - 1  # every id but <pad>
        self.tables = []
        # codes[k]: codes of all (k+1)-grams of the stream
        codes = [stream.copy()]
        for k in range(1, self.n):
            codes.append(codes[-1][:-1] * self.base + stream[k:])
        for k in range(self.n):
            if k == self.n - 1:
                grams, counts = np.unique(codes[k], return_counts=True)
            else:  # continuation counts: distinct left extensions
                longer = np.unique(codes[k + 1])
                grams, counts = np.unique(
                    longer % self.base ** (k + 1), return_counts=True
                )
            contexts = grams // self.base
            ctx, inverse = np.unique(contexts, return_inverse=True)
            totals = np.bincount(inverse, weights=counts)
            types = np.bincount(inverse)
            n1, n2 = np.sum(counts == 1), np.sum(counts == 2)
            discount = n1 / (n1 + 2 * n2) if n1 else 0.5
            self.tables.append((grams, counts, ctx, totals, types, discount))
        return self

    @staticmethod
    def _lookup(keys, table_keys, values):
        pos = np.searchsorted(table_keys, keys).clip(max=len(table_keys) - 1)
        found = table_keys[pos] == keys
        return np.where(found, values[pos], 0), found

    def probabilities(self, seq: np.ndarray) -> np.ndarray:
        """``p(seq[t] | seq[:t])`` for ``t = 1 .. len(seq) - 1``."""
        positions = np.arange(1, len(seq))
        prob = np.full(len(positions), 1.0 / self.n_symbols)
        code = seq[positions].astype(np.int64)
        context = np.zeros(len(positions), dtype=np.int64)
        for k, (grams, counts, ctx, totals, types, d) in enumerate(self.tables):
            history = positions - k
            if k > 0:
                context = context + seq[history.clip(min=0)] * self.base ** (k - 1)
                code = context * self.base + seq[positions]
            count, _ = self._lookup(code, grams, counts)
            total_ctx, seen = self._lookup(context, ctx, totals)
            n_types, _ = self._lookup(context, ctx, types)
            seen &= history >= 0
            with np.errstate(divide="ignore", invalid="ignore"):
                interpolated = (
                    np.maximum(count - d, 0) + d * n_types * prob
                ) / total_ctx
            prob = np.where(seen, interpolated, prob)
        return prob

    def score(self, texts: list[str]) -> float:
        """Mean natural-log likelihood per character (as CharRNNGenerator)."""
        sep_id = self.indexer.vocabulary_[SEP]
        total, n_chars = 0.0, 0
        for ids in self.indexer.transform(texts):
            prob = self.probabilities(np.concatenate(([sep_id], ids, [sep_id])))
            total += float(np.log(prob).sum())
            n_chars += len(prob)
        return total / n_chars


def bpc(score: float) -> float:
    return -score / math.log(2)


#: Data sets for --conditional: (path parts, how the classes differ).
CONDITIONAL_DATA = {
    "mr": ("mr", "mr.csv"),
    "sms_spam": ("sms_spam", "sms_spam.csv"),
    "trec": ("trec", "trec_train.csv"),
}


def per_label_loglik(gen, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(n_texts, n_labels)`` log-likelihoods of each text under each label,
    and the number of characters scored in each text."""
    encoded = gen._encode(texts)
    loglik = np.array(
        [
            [gen._log_likelihood([ids], [k])[0] for k in range(len(gen.classes_))]
            for ids in encoded
        ]
    )
    return loglik, np.array([len(ids) - 1 for ids in encoded])


def conditional(args) -> None:
    """p(text | label): how well the label is learned, measured three ways."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.pipeline import make_pipeline

    texts, labels = load_or_exit(*CONDITIONAL_DATA[args.dataset])
    texts, labels = list(texts), [str(c) for c in labels]
    if args.dataset == "sms_spam":  # 414 messages occur more than once
        first = {}
        for text, label in zip(texts, labels):
            first.setdefault(text, label)
        texts, labels = list(first), list(first.values())
    if args.n_sentences is not None and args.n_sentences < len(texts):
        texts, _, labels, _ = train_test_split(
            texts, labels, train_size=args.n_sentences, random_state=args.seed,
            stratify=labels,
        )
    train, held, y_train, y_held = train_test_split(
        texts, labels, test_size=args.held_out, random_state=args.seed,
        stratify=labels,
    )
    y_held = np.asarray(y_held)
    # The judge reads only real texts the generator never saw (the held-out
    # ones): a generator that copied its training texts gains nothing from
    # the judge having read them. Its recall per class on real texts
    # (5-fold, within the held-out texts) is the bar the written texts face.
    bow = make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000))
    real = cross_val_predict(bow, held, y_held, cv=5)
    bow.fit(held, y_held)
    classes = np.unique(y_held)
    ceiling = ", ".join(f"{c}: {np.mean(real[y_held == c] == c):.0%}" for c in classes)
    print(
        f"{args.dataset}: {len(train)} training texts "
        f"({sum(map(len, train))} chars) for the generator; {len(held)} held out "
        f"(the judge's training texts and the scored ones). Judge on real held-out "
        f"texts (5-fold): accuracy {np.mean(real == y_held):.3f}, recall {ceiling}",
        flush=True,
    )
    seen = set(train)
    for conditioning in args.conditioning.split(","):
        gen = CharRNNGenerator(
            hidden_size=args.hidden_size,
            dropout=args.dropout,
            max_epochs=args.max_epochs,
            label_conditioning=conditioning,
            random_state=args.seed,
            verbose=1,
        )
        start = time.perf_counter()
        gen.fit(train, y_train)
        seconds = time.perf_counter() - start
        loglik, n_chars = per_label_loglik(gen, held)
        true = np.searchsorted(gen.classes_, y_held)
        ll_true = loglik[np.arange(len(held)), true]
        ll_wrong = (loglik.sum(1) - ll_true) / (len(gen.classes_) - 1)
        accuracy = np.mean(gen.classes_[loglik.argmax(1)] == y_held)
        print(
            f"\n[{args.dataset}, label_conditioning={conditioning!r}] "
            f"{gen.n_epochs_} epochs (best {gen.best_epoch_}), {seconds:.0f} s\n"
            f"  held-out bpc: true labels {bpc(ll_true.sum() / n_chars.sum()):.4f}, "
            f"wrong labels (mean over them) {bpc(ll_wrong.sum() / n_chars.sum()):.4f};"
            f" true more likely than the mean wrong for "
            f"{np.mean(ll_true > ll_wrong):.1%} of the texts\n"
            f"  generative classifier (argmax over labels) accuracy {accuracy:.3f}"
        )
        for temperature in args.temperatures:
            recognised, copied = [], 0
            for c in gen.classes_:
                text = gen.sample(
                    args.sample_chars, label=c, temperature=temperature,
                    random_state=0,
                )
                written = [w for w in text.split(SEP)[:-1] if w.strip()]
                copied += sum(w in seen for w in written)
                recognised.append(
                    f"{c}: {np.mean(bow.predict(written) == c):.0%} of {len(written)}"
                )
            print(
                f"  written at temperature {temperature}, recognised by the judge: "
                f"{', '.join(recognised)} ({copied} copied from training)"
            )
            for c in gen.classes_:
                text = gen.sample(300, label=c, temperature=temperature, random_state=1)
                print(f"    {c}: {text.split(SEP)[0]!r}")
        print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-epochs", type=int, default=20)
    parser.add_argument("--hidden-size", type=int, default=512)
    parser.add_argument("--dropout", type=float, default=0.25)
    parser.add_argument("--max-n", type=int, default=9)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--conditional", action="store_true")
    parser.add_argument("--n-sentences", type=int, default=None)
    parser.add_argument("--dataset", choices=sorted(CONDITIONAL_DATA), default="mr")
    parser.add_argument("--conditioning", default="both")
    parser.add_argument("--held-out", type=float, default=0.25)
    parser.add_argument("--sample-chars", type=int, default=10000)
    parser.add_argument("--temperatures", type=float, nargs="+", default=[0.7])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.conditional:
        conditional(args)
        return

    texts, _ = load_or_exit("mr", "mr.csv")
    train, test = train_test_split(list(texts), test_size=0.1, random_state=args.seed)
    print(
        f"MR: {len(train)} training sentences ({sum(map(len, train))} chars), "
        f"{len(test)} held out ({sum(map(len, test))} chars)"
    )

    # n-gram: pick n on a validation split of the training sentences
    fit_part, valid_part = train_test_split(train, test_size=0.1, random_state=0)
    start = time.perf_counter()
    valid_bpc = {}
    for n in range(2, args.max_n + 1):
        valid_bpc[n] = bpc(KneserNeyCharModel(n).fit(fit_part).score(valid_part))
    best_n = min(valid_bpc, key=valid_bpc.get)
    shown = "  ".join(f"n={n}: {b:.3f}" for n, b in valid_bpc.items())
    print(f"n-gram validation bpc  {shown}")
    ngram = KneserNeyCharModel(best_n).fit(train)
    ngram_bpc = bpc(ngram.score(test))
    ngram_time = time.perf_counter() - start
    print(f"Kneser-Ney {best_n}-gram: held-out bpc {ngram_bpc:.3f}", flush=True)

    gen = CharRNNGenerator(
        hidden_size=args.hidden_size,
        dropout=args.dropout,
        max_epochs=args.max_epochs,
        random_state=args.seed,
        verbose=1,
    )
    start = time.perf_counter()
    gen.fit(train)
    gen_time = time.perf_counter() - start
    gen_bpc = bpc(gen.score(test))

    print()
    print(f"{'model':42s} {'held-out bpc':>12s} {'time':>8s}")
    print(
        f"{f'Kneser-Ney {best_n}-gram (n on valid)':42s} {ngram_bpc:12.3f}"
        f" {ngram_time:7.0f}s"
    )
    label = f"CharRNNGenerator LSTM {args.hidden_size}, dropout {args.dropout}"
    print(
        f"{label:42s} {gen_bpc:12.3f} {gen_time:7.0f}s"
        f"  ({gen.n_epochs_} epochs, best {gen.best_epoch_})"
    )
    verdict = "met" if gen_bpc < ngram_bpc else "NOT met"
    print(f"target (LSTM beats the best n-gram): {verdict}")
    for temperature in (0.5, 1.0):
        for seed in range(2):
            sample = gen.sample(200, temperature=temperature, random_state=seed)
            print(f"\n--- temperature {temperature}, seed {seed} ---\n{sample}")


if __name__ == "__main__":
    main()
