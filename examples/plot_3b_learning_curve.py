"""
===================================================
Learning curves: where pretrained vectors pay off
===================================================

How much labelled text does each model need? This example trains three
models on growing parts of the SST-2 training sentences and scores them on
the SST-2 development set: a bag-of-words naive Bayes model, the default LSTM
with an embedding learned from scratch, and the same LSTM initialised from
GloVe 6B 50d vectors (Pennington et al., 2014). With few sentences the
network from scratch has seen too few words to learn their meaning; the
vectors bring it from billions of words of other text, including the words
of the development set that training never saw.

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

from sklearn_rnn import make_bow_pipeline, make_rnn_pipeline
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
# Training on growing subsets
# ---------------------------
# Each subset is a stratified sample of the training sentences (one seed, so
# expect a point or two of noise per figure). The networks run with their
# defaults; only ``vectors`` differs.
sizes = [250, 500, 1000, 2000, len(X_train)]
models = {
    "bag of words (naive Bayes)": lambda: make_bow_pipeline("nb"),
    "LSTM from scratch": lambda: make_rnn_pipeline(random_state=0),
    "LSTM with GloVe": lambda: make_rnn_pipeline(vectors=str(glove), random_state=0),
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
            f"{size:5d} sentences  {name:27s} accuracy {scores[name][-1]:.3f} "
            f"({time.perf_counter() - start:.1f} s)"
        )

# %%
# The curves
# ----------
fig, ax = plt.subplots(figsize=(6, 4))
for (name, values), marker in zip(scores.items(), "os^"):
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
# The gain from the vectors is the gap between the two LSTM curves at each
# size; the printed figures above are what this run measured. Where the
# LSTM with vectors ends above the bag of words, word order and word meaning
# together beat counting words; where it does not, a linear model on counts
# is the better tool for that much data.
gaps = np.subtract(scores["LSTM with GloVe"], scores["LSTM from scratch"])
for size, gap in zip(sizes, gaps):
    print(f"{size:5d} sentences: vectors {gap:+.3f} over the LSTM from scratch")
