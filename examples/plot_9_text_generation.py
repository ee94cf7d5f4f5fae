r"""
=========================================================
Text generation: a character-level LSTM and temperature
=========================================================

:class:`~sklearn_rnn.CharRNNGenerator` is a *one-to-many* model: trained to
predict the next character of its training texts, it writes new text one
character at a time, each drawn from the distribution the network predicts
after the characters so far. Its ``score`` is the mean log-likelihood per
character in nats; :math:`-\mathrm{score} / \ln 2` is the number of *bits per
character* a compressor driven by the model would spend (lower is better).

Sampling divides the network's logits :math:`z` by a *temperature*
:math:`T` before the softmax,

.. math::

   p_T(c) = \frac{\exp(z_c / T)}{\sum_{c'} \exp(z_{c'} / T)}

so :math:`T < 1` sharpens the distribution towards the likeliest characters
and :math:`T > 1` flattens it. This example trains a small LSTM for a few
seconds on the sentences of
:func:`~sklearn_rnn.datasets.make_order_sentiment`, measures it on
training and held-out sentences, and writes text at three temperatures.
"""

# %%
# Training
# --------
# 1,700 training sentences (about 87,000 characters), 300 held out. The
# generator joins the training sentences with ``"\n"`` into one stream and
# trains with truncated backpropagation through time: chunks of
# ``bptt_steps=50`` characters, the LSTM state carried from one chunk to the
# next and detached between them, the gradient norm clipped at 5. Early
# stopping watches 10 % of the training sentences. The hidden state here has
# 128 units, half the default, which is plenty for this small grammar.
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_rnn import CharRNNGenerator
from sklearn_rnn.datasets import make_order_sentiment

texts, _ = make_order_sentiment(2000, random_state=0)
train, test = texts[:1700], texts[1700:]

start = time.perf_counter()
gen = CharRNNGenerator(hidden_size=128, max_epochs=15, random_state=0)
gen.fit(train)
print(
    f"{time.perf_counter() - start:.1f} s, {gen.n_epochs_} epochs, weights of "
    f"epoch {gen.best_epoch_} kept; {len(gen.indexer_.vocabulary_)} symbols "
    "(characters, padding and <unk>)"
)

# %%
# The training curves
# -------------------
# ``history_`` holds the mean negative log-likelihood per character of every
# epoch, in nats, on the training stream and on the validation sentences;
# divided by :math:`\ln 2` they are bits per character. Both read every
# sentence on its own from a zero state, as ``score`` does (see below), but
# the training loss is averaged over the epoch while the weights still
# change, and the validation loss is measured after it.
history = gen.history_
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(history[:, "epoch"], np.array(history[:, "train_loss"]) / math.log(2), "o-")
ax.plot(history[:, "epoch"], np.array(history[:, "valid_loss"]) / math.log(2), "s-")
ax.legend(["training stream", "validation sentences"])
ax.set(xlabel="epoch", ylabel="bits per character", yscale="log")
fig.tight_layout()

# %%
# Bits per character
# ------------------
# On the training sentences, on the held-out ones, on the held-out ones
# joined into one text with ``"\n"`` (so that each sentence is read after the
# state of the previous one, which training never does), and on the held-out
# ones with their words shuffled: the same words and characters, in an order
# the grammar never produces. For scale:
#
# - the *entropy of the grammar itself*, the best any model can do: each
#   sentence is one of 5 templates x 8 nouns x 8 subjects x 6 verbs x 12
#   adjectives x 2 places for *not* = 46,080 sentences, all equally likely
#   (counted from the generator's source), so a sentence carries
#   :math:`\log_2 46080 \approx 15.5` bits, spread over its characters and
#   the closing ``"\n"``;
# - the unigram entropy of the training text: a model that knows how often
#   each character occurs, but no context.
rng = np.random.default_rng(0)
shuffled = [" ".join(rng.permutation(t.split())) for t in test]
counts = np.unique(list("\n".join(train) + "\n"), return_counts=True)[1]
freq = counts / counts.sum()
n_test_chars = sum(len(t) + 1 for t in test)  # each with its closing "\n"
reference = {
    "training sentences": -gen.score(train) / math.log(2),
    "held-out sentences": -gen.score(test) / math.log(2),
    "held-out, one stream": -gen.score(["\n".join(test)]) / math.log(2),
    "held-out, words shuffled": -gen.score(shuffled) / math.log(2),
    "entropy of the grammar": len(test) * math.log2(46080) / n_test_chars,
    "unigram entropy": -(freq * np.log2(freq)).sum(),
}
for name, value in reference.items():
    print(f"{name:26} {value:.3f} bits per character")

# %%
# Where the model is unsure
# -------------------------
# The surprisal :math:`-\log_2 p(c_t \mid c_{<t})` of every character of a
# held-out sentence, computed with the fitted network ``module_`` and
# character vocabulary ``indexer_``. The text is read after a ``"\n"`` (as
# ``score`` does) and the closing ``"\n"`` is scored too. Summed per word, the
# bits show where the sentence was hard to predict.
sentence = test[0]
ids = gen.indexer_.transform(["\n" + sentence + "\n"])[0]
with torch.no_grad():
    logits, _ = gen.module_(torch.as_tensor(ids[None, :-1]))
logp = torch.log_softmax(logits[0].double(), dim=-1)
surprisal = -logp[np.arange(len(ids) - 1), ids[1:]].numpy() / math.log(2)
chars = list(sentence) + ["\\n"]
fig, ax = plt.subplots(figsize=(9, 3))
ax.bar(np.arange(len(chars)), surprisal, color="tab:blue")
ax.set_xticks(np.arange(len(chars)), chars, fontsize=8)
ax.set(ylabel="bits", title=f"mean {surprisal.mean():.2f} bits per character")
fig.tight_layout()
# the bits of each word, with the space or "\n" after it
words = sentence.split()
ends = np.cumsum([len(w) + 1 for w in words])
for word, end in zip(words, ends):
    print(f"{word:10} {surprisal[end - len(word) - 1 : end].sum():5.2f} bits")

# %%
# Sampling at three temperatures
# ------------------------------
# 3,000 characters at each temperature, cut into sentences at the ``"\n"``
# (the unfinished last one dropped). For each temperature: how many of the
# written sentences copy a training sentence, how many use only words of the
# training vocabulary, and how many keep the grammar's rule that a sentence
# holds exactly one *not* -- a choice the network must remember across the
# sentence. Then the first three sentences.
vocabulary = {w for t in train for w in t.split()}
train_set = set(train)
copies = np.mean([t in train_set for t in test])
print(f"for comparison, {copies:.0%} of the held-out sentences copy a training one")
for temperature in (0.2, 0.7, 1.2):
    text = gen.sample(3000, temperature=temperature, random_state=0)
    written = text.split("\n")[:-1]
    print(
        f"temperature {temperature}: {len(written)} sentences, "
        f"{np.mean([s in train_set for s in written]):.0%} copies of training "
        f"sentences, {np.mean([set(s.split()) <= vocabulary for s in written]):.0%} "
        "only known words, "
        f"{np.mean([s.split().count('not') == 1 for s in written]):.0%} with "
        f"one 'not', {len(set(written)) / len(written):.0%} distinct"
    )
    for s in written[:3]:
        print(f"    {s}")

# %%
# A prompt
# --------
# ``sample`` continues a ``prompt``; at temperature 0 it always takes the most
# likely character, so the continuation is the model's single best guess (shown
# up to the end of the sentence).
for prompt in ["the film ", "they say the series that ", "i think the book my"]:
    continuation = gen.sample(60, prompt=prompt, temperature=0).split("\n")[0]
    print(f"{prompt}[{continuation}]")

# %%
# What the measurements show
# --------------------------
# After a few seconds of training, the LSTM spends 0.32 bits per character on
# held-out sentences, against about 0.30 for the entropy of the grammar that
# wrote them -- the best possible -- and 4.1 for a model without context.
# Read as one stream, the same sentences cost over 3 bits per character: the
# generator trains as it scores, every sentence from a zero state, so it has
# never gone on reading after a closing ``"\n"``, and the stream is outside
# what it learned. (An earlier version trained on the stream and scored one
# by one; it spent 0.36 bits per character here.) The
# per-word bits show why: the words the grammar chooses freely (the noun, the
# subject, the verb, the adjective) cost bits; the words it fixes cost almost
# nothing -- *would* after *which ... my cousin*, *is*, and *not* before the
# adjective once the relative clause went without one.
#
# Training and held-out sentences score the same. The held-out sentences
# come from the same small grammar, and the network learned the grammar, not
# the sentences: at temperature 0.7 it copies training sentences no more
# often than fresh sentences of the grammar do. Real text is different: its
# long tail of words and phrases rewards memorising, and a held-out split
# shows a gap. On movie-review sentences this project measured the default
# generator with 512 units at 1.876 bits per character on held-out
# sentences, no better than a Kneser-Ney 8-gram (1.869), see
# :ref:`sequence_tasks`.
#
# With the words shuffled, the same characters cost as much as under the
# unigram model: the network's predictions come from the word order it
# learned, and on text in another order they are no help.
#
# Temperature changes only how the text is drawn, not the model or its
# ``score``. At 0.2 the sentences are correct but repetitive -- the likeliest
# choices again and again; at 0.7 they are all different, almost all made of
# real words, and keep the one-*not* rule; at 1.2 the network's less likely
# characters come through as misspellings (*chovi*, *lovtely*), while the
# rule mostly survives.
