r"""
==================================================================
Encoder-decoder: spelling to sound, attention and beam search
==================================================================

:class:`~sklearn_rnn.RNNSeq2Seq` reads a whole sequence, then writes another
one of its own length: here the letters of a word in, its "phones" out, as
in grapheme-to-phoneme conversion. The words are made up and spoken by a
few rules, so that the output is shorter than the input and not aligned
with it: ``ch``, ``sh``, ``th``, ``ee`` and ``oo`` are one phone each, and
a final ``e`` after a consonant is silent.

At every output step the decoder attends over the encoded letters,

.. math::

   \alpha_{ti} = \mathrm{softmax}_i\left(h_t^\top W_a s_i\right), \qquad
   c_t = \sum_i \alpha_{ti} s_i,

and the heat map of :math:`\alpha` shows which letters each phone was read
from. Then a beam search is compared with greedy decoding.
"""

# %%
# Made-up words and their pronunciations
# --------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_rnn import RNNSeq2Seq
from sklearn_rnn.metrics import sequence_error_rate, token_error_rate
from sklearn_rnn.plotting import plot_attention

RULES = {"ch": "CH", "sh": "SH", "th": "TH", "ee": "IY", "oo": "UW"}
SYLLABLES = ["ba", "che", "sho", "tee", "moo", "thi", "ka", "lo", "ne", "su", "r", "o"]


def pronounce(word: str) -> str:
    phones, i = [], 0
    while i < len(word):
        if word[i : i + 2] in RULES:
            phones.append(RULES[word[i : i + 2]])
            i += 2
            continue
        silent_e = word[i] == "e" and i == len(word) - 1 and word[i - 1] not in "aeiou"
        if not silent_e:
            phones.append(word[i].upper())
        i += 1
    return " ".join(phones)


rng = np.random.default_rng(0)
words = sorted(
    {"".join(rng.choice(SYLLABLES, size=rng.integers(2, 4))) for _ in range(1200)}
)
rng.shuffle(words)
train, test = words[:-200], words[-200:]
print(len(train), "training words;", "e.g.", train[0], "->", pronounce(train[0]))

# %%
# Training
# --------
# Characters in, phones (space-separated words) out. Early stopping watches
# the phone error rate of greedy decodes of 10 % of the training words.
model = RNNSeq2Seq(
    source_analyzer="char",
    target_analyzer="word",
    embedding_dim=16,
    hidden_size=32,
    batch_size=32,
    lr=0.01,
    max_epochs=10,
    random_state=0,
)
model.fit(train, [pronounce(w) for w in train])
print(f"{model.n_epochs_} epochs, the weights of epoch {model.best_epoch_} kept")

# %%
# Greedy decoding against beam search
# -----------------------------------
# A word is right when its output equals the reference (the G2P word error
# rate, WER); the phone error rate (PER) counts the edits.
references = [pronounce(w) for w in test]
for beam in (1, 4):
    model.set_params(beam_size=beam)
    predicted = model.predict(test)
    wer = sequence_error_rate(references, predicted)
    per = token_error_rate(references, predicted)
    print(f"beam_size={beam}: WER {wer:.1%}, PER {per:.1%}")
model.set_params(beam_size=1)
print(test[0], "->", model.predict_n_best([test[0]], 3)[0])

# %%
# Where the decoder looks
# -----------------------
# One row per output step (the phones, then the end token), one column per
# letter (and the end of the word); each row sums to 1.
word = "theeshoka"  # thee + sho + ka
weights = model.attention_weights([word])[0]
phones = model.predict([word])[0].split() + ["</s>"]
fig, ax = plt.subplots(figsize=(5, 4))
plot_attention(weights, list(word) + ["</s>"], phones[: len(weights)], ax=ax)
ax.set_xlabel("letters read")
ax.set_ylabel("phones written")
ax.set_title(f"attention for {word!r}")
plt.show()
