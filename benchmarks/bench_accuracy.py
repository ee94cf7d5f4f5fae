"""The results table on real text, with the literature's protocols.

    python benchmarks/bench_accuracy.py trec [sst2 mr sms uci ...]

Protocols (fixed, so figures stay comparable): MR 10-fold stratified CV
(seed 0); SST-2 train on the 6,920 sentences, score on dev; TREC-6 train ->
test; SMS spam de-duplicated, then 5-fold stratified CV; UCI sentiment
10-fold CV on each of its three files; ``imdb_reviews`` (12,433 long
reviews, 25 repeated texts dropped) 5-fold stratified CV. Models: bag-of-words logistic
regression (unigrams, unigrams + bigrams), bag-of-words naive Bayes, the
class-conditional HMM (default one state, and ``hmm_tuned``: states and
smoothing picked by 3-fold CV on the training data), the untuned
defaults of RNN, LSTM, GRU and a bidirectional LSTM, and the same
initialised from GloVe 6B 50d vectors (``*_glove``; fine-tuned, and frozen
for the LSTM) when ``../shared/data/glove`` is there, and the LSTM started
from a word language model fitted on each fit's own training texts
(``lstm_lm``; ``lstm_lm_glove``: the language model started from GloVe;
:class:`~sklearn_rnn.RNNLanguageModel` defaults with hidden size 128, the
classifier's), and the comparison's stacks of
:func:`~sklearn_rnn.compare_models`: ``stack_bow`` (bigram logistic
regression and naive Bayes under a logistic regression on their out-of-fold
probabilities) and ``stack_bow_lstm`` (the same and the LSTM, fitted four
times per fit), which run only when named in ``--models``. Each data set
writes
``benchmarks/results/<name>.csv`` and ``.md`` (accuracy +- std where CV,
macro-F1, fit time).
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import pandas as pd
import torch
from _shared import GLOVE, load_or_exit
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sklearn_rnn import (
    compare_models,
    evaluate_holdout,
    make_bow_pipeline,
    make_hmm_pipeline,
    make_rnn_pipeline,
)
from sklearn_rnn.compare import _opt_in_models

RESULTS = Path(__file__).resolve().parent / "results"


#: The HMM's states and smoothing picked by 3-fold CV inside the training data.
HMM_GRID = {"classifier__n_states": [1, 4], "classifier__alpha": [0.1, 0.5, 1.0]}


def vector_models(seed: int) -> dict:
    """The recurrent defaults with GloVe vectors (none when the file is absent)."""
    if not GLOVE.exists():
        return {}
    glove = str(GLOVE)
    return {
        "lstm_glove": make_rnn_pipeline("lstm", vectors=glove, random_state=seed),
        "gru_glove": make_rnn_pipeline("gru", vectors=glove, random_state=seed),
        "bilstm_glove": make_rnn_pipeline(
            "lstm", vectors=glove, bidirectional=True, random_state=seed
        ),
        "lstm_glove_frozen": make_rnn_pipeline(
            "lstm", vectors=glove, freeze_embeddings=True, random_state=seed
        ),
    }


def pretrained_models(seed: int) -> dict:
    """The LSTM started from a language model pretrained in each fit."""
    from sklearn_rnn.language_model import RNNLanguageModel

    def language_model():
        return RNNLanguageModel(hidden_size=128, random_state=seed)

    rows = {
        "lstm_lm": make_rnn_pipeline(
            language_model=language_model(), random_state=seed
        ),
    }
    if GLOVE.exists():
        rows["lstm_lm_glove"] = make_rnn_pipeline(
            vectors=str(GLOVE), language_model=language_model(), random_state=seed
        )
    return rows


def models(seed: int) -> dict:
    inner = StratifiedKFold(3, shuffle=True, random_state=seed)
    return {
        "bow_logreg": make_bow_pipeline("logreg"),
        "bow_logreg_1-2": make_bow_pipeline("logreg", ngram_range=(1, 2)),
        "bow_nb": make_bow_pipeline("nb"),
        "hmm": make_hmm_pipeline(random_state=seed),
        "hmm_tuned": GridSearchCV(make_hmm_pipeline(), HMM_GRID, cv=inner),
        "rnn": make_rnn_pipeline("rnn", random_state=seed),
        "lstm": make_rnn_pipeline("lstm", random_state=seed),
        "gru": make_rnn_pipeline("gru", random_state=seed),
        "bilstm": make_rnn_pipeline("lstm", bidirectional=True, random_state=seed),
        **vector_models(seed),
        **pretrained_models(seed),
    }


def holdout(train: tuple[str, str], test: tuple[str, str]):
    def run(names, seed, n_jobs):
        X_train, y_train = load_or_exit(*train)
        X_test, y_test = load_or_exit(*test)
        return evaluate_holdout(
            X_train,
            y_train,
            X_test,
            y_test,
            models=_pick(names, seed),
            n_jobs=n_jobs,
            random_state=seed,
            progress=True,
        )

    return run


def cross_validated(parts: tuple[str, str], folds: int, dedup: bool = False):
    def run(names, seed, n_jobs):
        X, y = load_or_exit(*parts)
        if dedup:  # duplicates would leak across folds
            frame = pd.DataFrame({"text": X, "label": y}).drop_duplicates("text")
            X, y = frame["text"].tolist(), frame["label"].to_numpy()
        return compare_models(
            X,
            y,
            models=_pick(names, seed),
            cv=folds,
            n_jobs=n_jobs,
            random_state=seed,
            progress=True,
        )

    return run


def _pick(names, seed):
    every = models(seed)
    if not names:
        return every
    # The comparison's opt-in models (the stack) run only when named.
    every.update(_opt_in_models(random_state=seed))
    return {name: every[name] for name in names}


DATASETS = {
    "trec": holdout(("trec", "trec_train.csv"), ("trec", "trec_test.csv")),
    "sst2": holdout(("sst2", "sst2_train_sentences.csv"), ("sst2", "sst2_dev.csv")),
    "sst2_phrases": holdout(("sst2", "sst2_train.csv"), ("sst2", "sst2_dev.csv")),
    "mr": cross_validated(("mr", "mr.csv"), 10),
    "sms": cross_validated(("sms_spam", "sms_spam.csv"), 5, dedup=True),
    "uci_amazon": cross_validated(("uci_sentiment", "uci_amazon.csv"), 10),
    "uci_imdb": cross_validated(("uci_sentiment", "uci_imdb.csv"), 10),
    "uci_yelp": cross_validated(("uci_sentiment", "uci_yelp.csv"), 10),
    "imdb_reviews": cross_validated(("imdb_reviews", "imdb_dev.csv"), 5, dedup=True),
}


def markdown(name: str, result, seconds: float) -> str:
    summary = result.summary
    cv = result.method == "cv"
    lines = [
        f"### {name}",
        "",
        "| model | accuracy | macro-F1 | fit time (s) |"
        + (" p vs best |" if cv else ""),
        "|---|---|---|---|" + ("---|" if cv else ""),
    ]
    for model, row in summary.iterrows():
        acc = f"{row['accuracy_mean']:.3f}"
        f1 = f"{row['f1_macro_mean']:.3f}"
        if cv:
            acc += f" ± {row['accuracy_std']:.3f}"
            f1 += f" ± {row['f1_macro_std']:.3f}"
        line = f"| {model} | {acc} | {f1} | {row['fit_time']:.1f} |"
        if cv:
            p = "best" if pd.isna(row["p_value"]) else f"{row['p_value']:.3f}"
            line += f" {p} |"
        lines.append(line)
    lines += [
        "",
        f"{'Cross-validation' if cv else 'Held-out test set'}; whole run "
        f"{seconds / 60:.1f} min on {platform.machine()} with "
        f"{torch.get_num_threads()} torch thread(s).",
        "",
    ]
    return "\n".join(lines)


def _cell(row, metric: str, cv: bool) -> str:
    text = f"{row[f'{metric}_mean']:.3f}"
    if cv:
        return f"{text} ± {row[f'{metric}_std']:.3f}"
    if metric == "accuracy" and "accuracy_ci_low" in row:
        return f"{text} ({row['accuracy_ci_low']:.3f}-{row['accuracy_ci_high']:.3f})"
    return text


def rst_table(summary: pd.DataFrame) -> str:
    """A results table (``results/<name>.csv``) as the docs' list-table."""
    cv = summary["accuracy_std"].notna().any()
    head = ["model", "accuracy" if cv else "accuracy (95 % CI)", "macro-F1"]
    head += ["fit time (s)", "p vs best"]
    rows = [head]
    for model, row in summary.iterrows():
        p = "best" if pd.isna(row["p_value"]) else f"{row['p_value']:.3f}"
        rows.append(
            [
                model,
                _cell(row, "accuracy", cv),
                _cell(row, "f1_macro", cv),
                f"{row['fit_time']:.1f}",
                p,
            ]
        )
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in rows:
        lines += [f"   * - {row[0]}"] + [f"     - {cell}" for cell in row[1:]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", default=["trec"], choices=list(DATASETS))
    parser.add_argument("--models", default="", help="comma-separated subset")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--rst",
        action="store_true",
        help="print the docs' tables from results/<name>.csv instead of running",
    )
    args = parser.parse_args()
    if args.rst:
        for name in args.datasets:
            summary = pd.read_csv(RESULTS / f"{name}.csv", index_col="model")
            print(f"{name}\n\n{rst_table(summary)}\n")
        return
    torch.set_num_threads(args.threads)
    RESULTS.mkdir(exist_ok=True)
    names = [m for m in args.models.split(",") if m]
    for name in args.datasets:
        start = time.perf_counter()
        result = DATASETS[name](names, args.seed, args.n_jobs)
        seconds = time.perf_counter() - start
        print(result)
        result.summary.to_csv(RESULTS / f"{name}.csv")
        (RESULTS / f"{name}.md").write_text(markdown(name, result, seconds))
        print(f"{name}: {seconds / 60:.1f} min, written to {RESULTS / name}.csv/.md")


if __name__ == "__main__":
    main()
