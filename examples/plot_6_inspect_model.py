"""
==========================================================
Inspecting a fitted model: vocabulary, embeddings, history
==========================================================

A fitted pipeline is not a black box: the indexer knows its vocabulary, the
classifier keeps the trained PyTorch module and skorch's training history.
This example looks at all three for a GRU trained on
:func:`~sklearn_rnn.datasets.make_order_sentiment`.
"""

# %%
# Fit a small model
# -----------------
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.decomposition import PCA

from sklearn_rnn import make_rnn_pipeline
from sklearn_rnn.datasets import make_order_sentiment

texts, labels = make_order_sentiment(1000, random_state=0)
model = make_rnn_pipeline(
    "gru",
    embedding_dim=16,
    hidden_size=32,
    lr=1e-2,
    batch_size=32,
    patience=5,
    random_state=0,
).fit(texts, labels)
indexer = model.named_steps["indexer"]
padder = model.named_steps["padder"]
clf = model.named_steps["classifier"]

# %%
# The vocabulary
# --------------
# ``get_feature_names_out`` lists the tokens by id: ``<pad>`` (0) and
# ``<unk>`` (1) first, then the training tokens from most to least frequent.
vocabulary = indexer.get_feature_names_out()
print(f"{len(vocabulary)} tokens; the first 12:", vocabulary[:12].tolist())
print("id of 'not':", indexer.vocabulary_["not"])
print(
    "most frequent:", sorted(indexer.token_counts_.items(), key=lambda kv: -kv[1])[:5]
)

# %%
# A document on its way through the pipeline: ids, padded ids, and back.
doc = ["the film my sister has not seen is great"]
ids = indexer.transform(doc)
print(ids[0])
print(padder.transform(ids)[0])
print(indexer.inverse_transform(ids)[0].tolist())
print("padded length max_len_ =", padder.max_len_)

# %%
# The network
# -----------
# ``net_`` is the fitted :class:`skorch.NeuralNetClassifier`, and
# ``net_.module_`` the plain PyTorch module: embedding, GRU, linear head.
module = clf.net_.module_
print(module)
n_weights = sum(p.numel() for p in module.parameters())
print(f"{n_weights} weights; vocab_size_ = {clf.vocab_size_}")

# %%
# The embeddings
# --------------
# Row ``i`` of the embedding matrix is the learned vector of token ``i``.
# Projected to two dimensions with a PCA, the adjectives separate by polarity
# -- the network has learned which words decide the label -- while the
# neutral words of the sentence frame stay near the middle.
weights = module.encoder.embedding.weight.detach().numpy()
print("embedding matrix:", weights.shape)
print("the <pad> row is zero:", np.allclose(weights[0], 0))

positive = ["good", "great", "fun", "funny", "brilliant", "lovely"]
negative = ["bad", "boring", "awful", "dull", "poor", "terrible"]
points = PCA(n_components=2).fit_transform(weights[2:])  # skip <pad>, <unk>
words = vocabulary[2:].tolist()
fig, ax = plt.subplots(figsize=(6.5, 5))
for word, (x, y) in zip(words, points):
    if word in positive:
        color = "tab:blue"
    elif word in negative:
        color = "tab:red"
    elif word == "not":
        color = "black"
    else:
        color = "0.6"
    ax.scatter(x, y, color=color, s=12)
    if color != "0.6" or word in ("seen", "movie", "friend", "opinion"):
        ax.annotate(
            word,
            (x, y),
            fontsize=8,
            color=color,
            xytext=(3, 2),
            textcoords="offset points",
        )
ax.set(title="Word embeddings (PCA)", xlabel="component 1", ylabel="component 2")
fig.tight_layout()


# %%
# Nearest neighbours by cosine similarity tell the same story.
def neighbours(word, k=4):
    unit = weights / np.maximum(np.linalg.norm(weights, axis=1, keepdims=True), 1e-12)
    similarity = unit @ unit[indexer.vocabulary_[word]]
    order = [i for i in np.argsort(-similarity) if vocabulary[i] != word][:k]
    return [f"{vocabulary[i]} ({similarity[i]:.2f})" for i in order]


for word in ["great", "awful", "not"]:
    print(f"{word:6} ->", ", ".join(neighbours(word)))


# %%
# What the network reads
# ----------------------
# The gradient of the predicted class's logit with respect to each input
# embedding shows which words the decision is most sensitive to.
def saliency(text):
    ids = torch.as_tensor(indexer.transform([text])[0])[None]
    embedded = module.encoder.embedding(ids).detach().requires_grad_()
    outputs, _ = module.encoder.rnn(embedded)
    logits = module.head(outputs[:, -1])
    logits[0, logits.argmax()].backward()
    return indexer.inverse_transform(ids)[0], embedded.grad.norm(dim=2)[0].numpy()


fig, axes = plt.subplots(2, 1, figsize=(7, 4))
for ax, text in zip(
    axes,
    [
        "the film my sister has not seen is great",
        "the film my sister has seen is not great",
    ],
):
    tokens, strength = saliency(text)
    ax.bar(range(len(tokens)), strength, color="tab:purple")
    ax.set_xticks(range(len(tokens)), tokens, fontsize=8)
    ax.set_ylabel("|gradient|")
    ax.set_title(f"predicted: {model.predict([text])[0]}", fontsize=9)
fig.tight_layout()

# %%
# The training history
# --------------------
# skorch records one row per epoch. ``validation_history_`` is the run with
# early stopping, with its validation columns; ``history_`` that of the
# network kept (the one retrained on all the data, by default). Columns can be
# read by name across epochs, and per-batch values are kept too.
history = clf.validation_history_
print("columns of the last epoch:", sorted(history[-1].keys()))
print(
    "epochs trained:",
    clf.n_epochs_,
    "| best validation accuracy at epoch",
    int(np.argmax(history[:, "valid_acc"])) + 1,
)

fig, ax1 = plt.subplots(figsize=(6, 3.5))
epochs = history[:, "epoch"]
ax1.plot(epochs, history[:, "train_loss"], "o-", label="training loss")
ax1.plot(epochs, history[:, "valid_loss"], "o-", label="validation loss")
ax1.set(xlabel="epoch", ylabel="cross-entropy")
ax2 = ax1.twinx()
ax2.plot(
    epochs,
    history[:, "valid_acc"],
    "s--",
    color="tab:green",
    label="validation accuracy",
)
ax2.set(ylabel="accuracy", ylim=(0.4, 1.02))
fig.legend(loc="center right", bbox_to_anchor=(0.85, 0.5))
fig.tight_layout()
plt.show()
