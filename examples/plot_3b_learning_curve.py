"""
=====================================================================
Learning curves: pretrained vectors and language-model pretraining
=====================================================================

How much labelled text does each model need? This example trains four
models on growing parts of the SST-2 training sentences and scores them on
the SST-2 development set: a bag-of-words naive Bayes model, the default LSTM
with an embedding learned from scratch, the same LSTM initialised from
GloVe 6B 50d vectors (Pennington et al., 2014), and the same LSTM started
from a word language model (:class:`~sklearn_rnn.RNNLanguageModel`) fitted
once on all the training sentences with their labels thrown away (the
semi-supervised recipe of Dai & Le, 2015, and ULMFiT). With few sentences
the network from scratch has seen too few words to learn their meaning; the
vectors bring it from billions of words of other text, including the words
of the development set that training never saw; the language model brings
what the unlabelled sentences say.

The data sets live in the project's shared data folder (``../shared/data``
beside the repository); without it, this example says so and stops.
"""

# %%
# The data
# --------
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.model_selection import train_test_split

from sklearn_rnn import RNNLanguageModel, make_bow_pipeline, make_rnn_pipeline
from sklearn_rnn.datasets import load_text_csv

torch.set_num_threads(1)
shared = Path.cwd().resolve().parents[1] / "shared" / "data"
glove = shared / "glove" / "glove.6B.50d.txt.gz"
if not (shared / "sst2").exists() or not glove.exists():
    print(f"The shared data folder {shared} is not here; nothing to show.")
    sys.exit(0)

X_train, y_train = load_text_csv(shared / "sst2" / "sst2_train_sentences.csv")
X_test, y_test = load_text_csv(shared / "sst2" / "sst2_dev.csv")
print(f"{len(X_train)} training sentences, {len(X_test)} test sentences")

# %%
# The language model, fitted once on the unlabelled training text
# ---------------------------------------------------------------
# Only the texts are passed: the labels play no part, and the development
# sentences are never read. Its hidden size is the classifier's default
# (128), so that its layers can start the classifier's.
start = time.perf_counter()
language_model = RNNLanguageModel(hidden_size=128, random_state=0).fit(X_train)
print(
    f"language model: {language_model.n_epochs_} epochs, perplexity "
    f"{language_model.perplexity(X_test):.0f} on the development sentences "
    f"({time.perf_counter() - start:.0f} s)"
)

# %%
# Training on growing subsets
# ---------------------------
# Each subset is a stratified sample of the training sentences (one seed, so
# expect a point or two of noise per figure). The networks run with their
# defaults; only ``vectors`` or ``language_model`` differs. Given a *fitted*
# language model, :func:`~sklearn_rnn.make_rnn_pipeline` uses it as it is
# in every fit, and indexes with a copy of its vocabulary, so the words that
# only the unlabelled sentences hold keep what the language model learnt.
sizes = [250, 500, 1000, 2000, len(X_train)]
models = {
    "bag of words (naive Bayes)": lambda: make_bow_pipeline("nb"),
    "LSTM from scratch": lambda: make_rnn_pipeline(random_state=0),
    "LSTM with GloVe": lambda: make_rnn_pipeline(vectors=str(glove), random_state=0),
    "LSTM from the language model": lambda: make_rnn_pipeline(
        language_model=language_model, random_state=0
    ),
}
scores = {name: [] for name in models}
for size in sizes:
    if size < len(X_train):
        X_part, _, y_part, _ = train_test_split(
            X_train, y_train, train_size=size, stratify=y_train, random_state=0
        )
    else:
        X_part, y_part = X_train, y_train
    for name, make in models.items():
        start = time.perf_counter()
        model = make().fit(X_part, y_part)
        scores[name].append(model.score(X_test, y_test))
        print(
            f"{size:5d} sentences  {name:29s} accuracy {scores[name][-1]:.3f} "
            f"({time.perf_counter() - start:.1f} s)"
        )

# %%
# The curves
# ----------
fig, ax = plt.subplots(figsize=(6, 4))
for (name, values), marker in zip(scores.items(), "os^D"):
    ax.plot(sizes, values, marker=marker, label=name)
ax.set(
    xscale="log",
    xlabel="training sentences",
    ylabel="accuracy on the SST-2 development set",
    title="Learning curves on SST-2",
)
ax.set_xticks(sizes, [f"{size:,}" for size in sizes])
ax.minorticks_off()
ax.legend()
fig.tight_layout()
plt.show()

# %%
# What the curves say
# -------------------
# The gain from the vectors is the gap between the LSTM curves from scratch
# and with GloVe at each size, the gain from pretraining the gap between the
# curves from scratch and from the language model; the printed figures
# above are what this run measured, and a negative gap is a loss. Where an
# LSTM ends above the bag of words, word order and word meaning together
# beat counting words; where it does not, a linear model on counts is the
# better tool for that much data. SST-2's 6,920 training sentences hold
# about 130,000 words, far less text than the language models of the
# published recipes read (ULMFiT's task-only IMDb model read tens of
# thousands of reviews) and far less than GloVe's billions: the language
# model's embedding (all it starts by default, see
# :ref:`pretrained_layers`) helps most where labels are fewest, and the
# vectors help more.
for name in ("LSTM with GloVe", "LSTM from the language model"):
    gaps = np.subtract(scores[name], scores["LSTM from scratch"])
    for size, gap in zip(sizes, gaps):
        print(f"{size:5d} sentences: {name} {gap:+.3f} over the LSTM from scratch")
