"""
=============================================
Quick start: a recurrent text classifier
=============================================

A recurrent classifier in scikit-learn's terms is a pipeline of three steps:
:class:`~sklearn_rnn.VocabularyIndexer` turns each document into a sequence
of token ids, :class:`~sklearn_rnn.SequencePadder` pads the sequences into a
rectangular array, and :class:`~sklearn_rnn.LSTMClassifier` (or
:class:`~sklearn_rnn.GRUClassifier`, :class:`~sklearn_rnn.RNNClassifier`)
learns from it. The pipeline takes raw text and your labels, and gives labels
and probabilities back.
"""

# %%
# Data
# ----
# :func:`~sklearn_rnn.datasets.make_order_sentiment` generates short movie
# opinions whose label depends on word order only. Labels can be strings:
# the classifier returns the same labels.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMClassifier, SequencePadder, VocabularyIndexer
from sklearn_rnn.datasets import make_order_sentiment

texts, y = make_order_sentiment(1000, random_state=0)
labels = np.where(y == 1, "positive", "negative")
X_train, X_test, y_train, y_test = train_test_split(
    texts, labels, test_size=0.25, stratify=labels, random_state=0
)
for text, label in zip(X_train[:4], y_train[:4]):
    print(f"{label:8}  {text}")

# %%
# The pipeline
# ------------
# The defaults (128-dimensional embeddings and states, learning rate 0.001,
# batches of 64) suit corpora of thousands of real sentences; for 750 short
# synthetic ones a smaller network with a higher learning rate and smaller
# batches learns faster.
#
# Training stops early when the accuracy on a held-out 10 % of the training
# data has not improved for ``patience`` epochs, and the weights of the best
# epoch are kept. On this task the networks first sit at chance level for a
# few epochs before they find the pattern; with the default ``patience=3``
# this LSTM stopped on that plateau when we tried, so it gets 5 here.
clf = make_pipeline(
    VocabularyIndexer(),
    SequencePadder(),
    LSTMClassifier(
        embedding_dim=32,
        hidden_size=32,
        lr=1e-2,
        batch_size=32,
        patience=5,
        random_state=0,
    ),
)
clf.fit(X_train, y_train)

# %%
# Predict
# -------
# ``predict`` returns the original labels, ``predict_proba`` one column per
# class in the order of ``classes_``.
print(classification_report(y_test, clf.predict(X_test), digits=3))

new = [
    "the film my sister has not seen is great",
    "the film my sister has seen is not great",
    "i think the show the critic has not reviewed is not boring",
]
print(clf.classes_)
for text, label, proba in zip(new, clf.predict(new), clf.predict_proba(new)):
    print(f"{label:8} {proba.round(3)}  {text}")

# %%
# How training went
# -----------------
# The early-stopping run keeps skorch's training history: one row per epoch
# with the training loss and the validation loss and accuracy
# (``validation_history_``; ``history_`` is that of the network kept, here the
# one retrained on all the data).
history = clf[-1].validation_history_
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(history[:, "epoch"], history[:, "train_loss"], "o-", label="training loss")
ax.plot(history[:, "epoch"], history[:, "valid_loss"], "o-", label="validation loss")
ax.plot(
    history[:, "epoch"], history[:, "valid_acc"], "s--", label="validation accuracy"
)
ax.set(xlabel="epoch", title=f"{clf[-1].n_epochs_} epochs")
ax.legend()
fig.tight_layout()
plt.show()
