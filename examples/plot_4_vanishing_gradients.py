"""
================================================
Vanishing gradients: RNN versus LSTM versus GRU
================================================

A recurrent classifier that reads a document from left to right and predicts
from its final state has to carry the deciding words all the way to the end.
The gradient that teaches it to do so travels the same way back, through one
step of the recurrence per word, and in a plain (Elman) RNN it shrinks at
every step: the *vanishing gradient* problem (Bengio et al., 1994). The LSTM
and GRU add a gated, additive path for their state, along which information
and gradients can pass many steps unchanged.

This example measures that on :func:`~sklearn_rnn.datasets.make_order_sentiment`,
whose label is decided by whether *"not"* stands right before the adjective
(*"the movie my friend has seen is not good"*), and whose ``distance``
parameter appends that many neutral filler words after the adjective
(*"... is not good in my opinion to be honest ..."*). The three cells get the
same size, data and training budget.
"""

# %%
# Data and models
# ---------------
# One corpus per distance, 1000 sentences for training and 400 for testing.
# The three networks are identical except for the cell: 32-dimensional
# embeddings and states, Adam with a learning rate of 0.01, 20 epochs without
# early stopping (a fixed budget), and the same seed.
import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_rnn import SequencePadder, make_rnn_pipeline
from sklearn_rnn.datasets import make_order_sentiment

distances = [0, 10, 15, 20]
cells = ["rnn", "lstm", "gru"]
colors = {"rnn": "tab:red", "lstm": "tab:blue", "gru": "tab:green"}


def make_model(cell):
    return make_rnn_pipeline(
        cell,
        embedding_dim=32,
        hidden_size=32,
        lr=1e-2,
        batch_size=32,
        max_epochs=20,
        early_stopping=False,
        random_state=0,
    )


accuracy, train_accuracy, models, data = {}, {}, {}, {}
for distance in distances:
    texts, labels = make_order_sentiment(1400, distance=distance, random_state=0)
    X_train, y_train = texts[:1000], labels[:1000]
    X_test, y_test = texts[1000:], labels[1000:]
    data[distance] = X_test
    for cell in cells:
        model = make_model(cell).fit(X_train, y_train)
        accuracy[cell, distance] = model.score(X_test, y_test)
        train_accuracy[cell, distance] = model.score(X_train, y_train)
        models[cell, distance] = model

print(X_train[0])
print("accuracy on the test (training) sentences")
print("distance " + " ".join(f"{cell:>14}" for cell in cells))
for distance in distances:
    row = " ".join(
        f"{accuracy[c, distance]:6.3f} ({train_accuracy[c, distance]:.3f})"
        for c in cells
    )
    print(f"{distance:8d} {row}")

# %%
# Accuracy against distance
# -------------------------
# 0.5 is chance: the two classes are balanced.
# The points are shifted sideways a little so that equal scores stay visible.
fig, ax = plt.subplots(figsize=(6, 4))
for shift, marker, cell in zip([-0.3, 0, 0.3], "osD", cells):
    ax.plot(
        np.array(distances) + shift,
        [accuracy[cell, d] for d in distances],
        marker=marker,
        color=colors[cell],
        label=cell.upper() if cell != "rnn" else "RNN (Elman)",
    )
ax.axhline(0.5, color="gray", linestyle=":", label="chance")
ax.set(
    xlabel="filler words after the deciding words (distance)",
    ylabel="test accuracy",
    xticks=distances,
    ylim=(0.4, 1.05),
    title="Same budget, growing distance",
)
ax.legend()
fig.tight_layout()

# %%
# Training curves at the longest distance
# ---------------------------------------
# The history of every fitted classifier is in ``history_``. A loss stuck at
# :math:`\ln 2 \approx 0.69` means the network predicts 50/50 for every
# sentence: it has found no signal at all.
longest = distances[-1]
fig, ax = plt.subplots(figsize=(6, 4))
for cell in cells:
    history = models[cell, longest].named_steps["classifier"].history_
    ax.plot(
        history[:, "epoch"], history[:, "train_loss"], color=colors[cell], label=cell
    )
ax.axhline(np.log(2), color="gray", linestyle=":", label="ln 2 (chance)")
ax.set(
    xlabel="epoch",
    ylabel="training loss",
    title=f"distance = {longest}",
    ylim=(0, 0.8),
    xticks=range(0, 21, 5),
)
ax.legend()
fig.tight_layout()


# %%
# The gradient itself
# -------------------
# How much does the final state :math:`h_T` still depend on the input read
# :math:`k` steps before the end? We measure
# :math:`\|\partial h_T / \partial x_{T-k}\|`, the norm of the gradient of the
# (summed) final state with respect to the embedding :math:`k` words back,
# averaged over the test sentences. The sentences are padded at the front
# (``padding="pre"``) so that the last column is the last word of every
# sentence. The deciding words sit at :math:`k = 20` and :math:`21` here.
def gradient_by_distance(model, texts):
    indexer = model.named_steps["indexer"]
    encoder = model.named_steps["classifier"].net_.module_.encoder.eval()
    ids = SequencePadder(padding="pre").fit_transform(indexer.transform(texts))
    shortest = min(len(text.split()) for text in texts)
    inputs = encoder.embedding(torch.as_tensor(ids)).detach().requires_grad_()
    outputs, _ = encoder.rnn(inputs)
    (grad,) = torch.autograd.grad(outputs[:, -1].sum(), inputs)
    norms = grad.norm(dim=2).mean(dim=0).flip(0)  # index k = words before the end
    return norms[:shortest].numpy()


fig, ax = plt.subplots(figsize=(6, 4))
for cell in cells:
    norms = gradient_by_distance(models[cell, longest], data[longest])
    ax.semilogy(norms, color=colors[cell], label=cell)
    print(
        f"{cell:5} gradient norm 0 / 10 / 20 words back: "
        f"{norms[0]:.1e} / {norms[10]:.1e} / {norms[20]:.1e}"
    )
ax.axvspan(
    longest - 0.5, longest + 1.5, color="gold", alpha=0.3, label="deciding words"
)
ax.set(
    xlabel="k (words before the end of the sentence)",
    ylabel=r"$\|\partial h_T / \partial x_{T-k}\|$",
    title=f"Trained networks, distance = {longest}",
)
ax.legend()
fig.tight_layout()
plt.show()

# %%
# What the measurements show
# --------------------------
# With no or 10 filler words every cell solves the task. From 15 filler words
# on, with this budget, only the GRU does; the plain RNN and the LSTM end at
# chance on the test sentences, but the two other figures show that they fail
# in different ways.
#
# - The **RNN** finds no signal at all: its training loss stays at
#   :math:`\ln 2`. Its gradient with respect to the deciding words, 20 steps
#   back, is about four orders of magnitude smaller than with respect to the
#   last word, and falls exponentially with the distance -- the vanishing
#   gradient, measured.
# - The **LSTM**'s gradient at the deciding words is hundreds of times larger
#   than the RNN's: its cell state does carry the signal back. Its training
#   loss falls, but what it learns in 20 epochs is to memorise training
#   sentences (see its training accuracy in the table), not the rule; given
#   45 epochs in a run we made while writing this example, it was still at
#   chance on the test sentences.
# - The **GRU** keeps a large gradient over the whole sentence, and after a
#   plateau of about a dozen epochs finds the rule.
#
# A gated cell makes long-range learning *possible*, not certain or fast. The
# exact distances depend on the seed, the learning rate and the number of
# epochs: in the other runs we made (two more seeds, 15 to 25 epochs), the
# plain RNN never learned 20 filler words, the GRU always did, and the LSTM
# did in two runs out of five; at 30 filler words neither gated cell learned
# within 25 epochs.
#
# One more caveat, also measured: this package initialises recurrent weights
# orthogonally, so *at initialisation* the plain RNN's gradients do not vanish
# at all (over 40 steps they stay of the order of one, larger than the
# GRU's). They collapse during training, as the weights move away from the
# orthogonal start.
