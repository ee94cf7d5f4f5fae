r"""
=====================================================================
Write a review of class c: text generation conditioned on a label
=====================================================================

``CharRNNGenerator.fit(texts, y)`` learns :math:`p(\text{text} \mid
\text{label})`, a *one-to-many* model from a fixed input: each label has a
learned vector that sets the LSTM's initial state (through a learned
bridge) and joins the input of every step. ``sample(..., label=c)`` then
writes a text of class ``c``, and ``score(texts, y)`` is the mean
log-likelihood per character given the labels.

The sentences of :func:`~sklearn_rnn.datasets.make_order_sentiment` are
movie reviews whose class is decided by word order alone: *"... is not
good"* is negative, *"... has not seen is good"* positive. To write a
review of a class, the generator must place the *not* where the class wants
it, relative to the adjective it has chosen. Three checks:

1. a bag-of-words judge trained on real reviews reads the written ones: are
   they recognised as the class they were written for?
2. held-out reviews are likelier under their true label than under the
   wrong one;
3. the label that makes a review likeliest is a classifier (a generative
   one, the recurrent counterpart of naive Bayes).
"""

# %%
# Training
# --------
# 1,200 reviews for the generator, 400 held out. The hidden state has 64
# units: enough for this small grammar, and a fit of a few seconds.
import math
import time

import numpy as np
import torch
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_rnn import CharRNNGenerator
from sklearn_rnn.datasets import make_order_sentiment

torch.set_num_threads(1)  # small ops: one thread is faster on a shared CPU

texts, labels = make_order_sentiment(1600, random_state=0)
names = np.array(["negative", "positive"])[labels]
train, held = texts[:1200], texts[1200:]
y_train, y_held = names[:1200], names[1200:]

start = time.perf_counter()
gen = CharRNNGenerator(hidden_size=64, max_epochs=8, random_state=0)
gen.fit(train, y_train)
print(
    f"{time.perf_counter() - start:.1f} s, {gen.n_epochs_} epochs, weights of "
    f"epoch {gen.best_epoch_} kept; labels {gen.classes_.tolist()}"
)

# %%
# The judge
# ---------
# The judge is a logistic regression on a bag of words and word pairs,
# trained on the 400 held-out real reviews, which the generator never read.
# It must read pairs: each review holds one *not* and one adjective of
# either polarity whatever its class, so on single words a judge is at
# chance (5-fold accuracy on the real held-out reviews below), while *not
# good* or *not bad* decide the class.
for ngram_range in [(1, 1), (1, 2)]:
    judge = make_pipeline(
        CountVectorizer(ngram_range=ngram_range), LogisticRegression(max_iter=1000)
    )
    accuracy = cross_val_score(judge, held, y_held, cv=5).mean()
    print(f"judge on {ngram_range} grams: accuracy {accuracy:.2f} on real reviews")
judge.fit(held, y_held)

# %%
# Writing reviews of each class
# -----------------------------
# 3,000 characters for each label at temperature 0.7, cut into reviews at
# the ``"\n"`` (a written ``"\n"`` ends a review and the next starts again
# from the label's state). The share the judge assigns to the class asked
# for, how many copy a training review, and the first three.
train_set = set(train)
for label in gen.classes_:
    text = gen.sample(3000, label=label, temperature=0.7, random_state=0)
    written = text.split("\n")[:-1]
    recognised = np.mean(judge.predict(written) == label)
    copies = np.mean([w in train_set for w in written])
    print(
        f"{label}: {len(written)} reviews, {recognised:.0%} recognised as "
        f"{label}, {copies:.0%} copies of training reviews"
    )
    for review in written[:3]:
        print(f"    {review}")

# %%
# The label as evidence
# ---------------------
# Bits per character of the held-out reviews under their true labels and
# under the wrong ones; then each review scored under both labels, and the
# likelier label taken as a prediction.
wrong = np.where(y_held == "positive", "negative", "positive")
print(f"true labels  {-gen.score(held, y_held) / math.log(2):.3f} bits per character")
print(f"wrong labels {-gen.score(held, wrong) / math.log(2):.3f} bits per character")
loglik = np.array(
    [[gen.score([review], [label]) for label in gen.classes_] for review in held]
)
predicted = gen.classes_[loglik.argmax(axis=1)]
print(f"generative classifier: accuracy {np.mean(predicted == y_held):.2f}")

# %%
# What the measurements show
# --------------------------
# In about ten seconds of training the generator writes reviews that the
# judge recognises as the class asked for (96 % of the negative ones, 98 %
# of the positive ones when this example was written), almost none of them
# copies of a training review: it has learned not only the grammar but
# where the label puts the *not*. A review carries one bit of class, spread
# over some 60 characters, so the true label saves only a tenth of a bit
# per character on average (0.34 against 0.42); but it saves it where the
# class is decided, and the likelier label classifies every held-out review
# right, where a bag of single words is at chance.
#
# Real text is harder. On question types (TREC) and on spam the class shows
# in the first words or in the style of the whole text, and a generator of
# 256 units trained for minutes writes text that a bag-of-words judge
# mostly recognises; on movie-review sentiment the class shows in a few
# words of a long tail, and the written sentences are recognised little
# better than by chance. ``benchmarks/bench_generator.py --conditional``
# measures all three (see the language-model page of the user guide).
