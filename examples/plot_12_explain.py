"""
===========================================
Which words drove a prediction: explain
===========================================

:func:`~sklearn_rnn.explain` scores every token of a document by how much it
pushed a fitted pipeline towards a class. For a recurrent network the scores
are integrated gradients (Sundararajan et al., 2017) of the class
probability with respect to the embeddings, computed by Captum (the
``explain`` extra, ``pip install "sklearn-rnn[explain]"``): each token's
scores, summed over the embedding dimensions, add up to the probability of
the document minus that of a document of padding of the same length.

This example trains a small LSTM on
:func:`~sklearn_rnn.datasets.make_order_sentiment`, where word order decides
the label: ``"not"`` flips the adjective's polarity only when it stands right
before it. A good explanation should then credit ``"not"`` in
``"... is not good"`` and not in ``"... has not seen is good"``, although
the word is the same.
"""

# %%
# Fit a small model
# -----------------
import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_rnn import explain, make_rnn_pipeline
from sklearn_rnn.datasets import make_order_sentiment

torch.set_num_threads(1)
texts, labels = make_order_sentiment(1000, random_state=0)
model = make_rnn_pipeline(
    "lstm",
    embedding_dim=16,
    hidden_size=32,
    lr=1e-2,
    batch_size=32,
    patience=10,
    max_epochs=40,
    random_state=0,
).fit(texts, labels)
X_test, y_test = make_order_sentiment(300, random_state=1)
print(f"accuracy on 300 new sentences: {model.score(X_test, y_test):.3f}")

# %%
# Explain a few documents
# -----------------------
# ``explain`` returns an ``Explanation``: the tokens as the pipeline read
# them, one score per token (positive: towards the explained class, by
# default the predicted one), that class and its probability.
documents = [
    "the movie my friend has not seen is good",
    "the movie my friend has seen is not good",
    "the movie my friend has not seen is bad",
    "the movie my friend has seen is not bad",
]
explanations = [explain(model, doc) for doc in documents]
for why in explanations:
    print(
        f"class {why.target} (probability {why.probability:.2f}); "
        f"top tokens: {[(token, round(score, 2)) for token, score in why.top(2)]}"
    )

# %%
# The tokens shaded by score
# --------------------------
# Green pushes towards the explained class, red against it, as strong as
# the score relative to the document's largest one (the same shading as
# ``Explanation.to_html()`` and the ``sklearn-rnn explain`` command).
def show(ax, why):
    largest = np.abs(why.scores).max() or 1.0
    renderer = ax.figure.canvas.get_renderer()
    x = 0.0
    for token, score in zip(why.tokens, why.scores):
        colour = (0.0, 0.63, 0.0) if score >= 0 else (0.78, 0.0, 0.0)
        text = ax.text(
            x,
            0.5,
            token,
            family="monospace",
            va="center",
            transform=ax.transAxes,
            bbox={"facecolor": (*colour, abs(score) / largest), "edgecolor": "none"},
        )
        # the next token starts a little after this one ends
        box = text.get_window_extent(renderer).transformed(ax.transAxes.inverted())
        x = box.x1 + 0.015
    ax.set_title(
        f"class {why.target}, probability {why.probability:.2f}",
        loc="left",
        fontsize=9,
    )
    ax.axis("off")


fig, axes = plt.subplots(len(explanations), 1, figsize=(7, 0.6 * len(explanations)))
for ax, why in zip(axes, explanations):
    show(ax, why)
fig.tight_layout()
plt.show()

# %%
# Does it mean something?
# -----------------------
# A check in the way of the deletion test: delete the token with the
# largest score and see how much the probability of the explained class
# falls, against deleting a random token (mean over 50 test sentences, 5
# random draws each). ``benchmarks/bench_explain.py`` runs the same test,
# with the top 3 tokens, for the default LSTM on SST-2.
rng = np.random.default_rng(0)
top_drops, random_drops = [], []
for doc in X_test[:50]:
    why = explain(model, doc)
    index = list(model.classes_).index(why.target)
    picks = [int(np.argmax(why.scores)), *rng.integers(0, len(why.tokens), size=5)]
    variants = [" ".join(why.tokens[:i] + why.tokens[i + 1 :]) for i in picks]
    drops = why.probability - model.predict_proba(variants)[:, index]
    top_drops.append(drops[0])
    random_drops.append(drops[1:].mean())
print(
    f"mean fall of the probability: top token {np.mean(top_drops):.3f}, "
    f"a random token {np.mean(random_drops):.3f}"
)
