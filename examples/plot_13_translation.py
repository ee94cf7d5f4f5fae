r"""
==================================================================
French to English: translating unseen sentences
==================================================================

:class:`~sklearn_rnn.RNNSeq2Seq` with word analyzers on both sides reads a
French sentence word by word and writes its English translation. The
sentences here are made up, in the shape of the pairs of PyTorch's
translation tutorial ("i am ...", "he is ...", "we are not ..."): a subject
with its form of *etre* (accents dropped), an optional negation
*ne ... pas*, an optional adverb and an adjective. Half of the pairings of
a subject with an adjective never occur in training, so that every test
sentence is a new combination of known words.

The sentences are translated greedily and with a beam search, scored with
corpus BLEU, and the attention weights of a negated sentence show where
*not* was read from. ``benchmarks/bench_seq2seq.py`` runs the tutorial's
real French-English pairs (from Tatoeba); its figures are in the
documentation's :ref:`benchmarks` page.
"""

# %%
# A made-up parallel corpus
# -------------------------
# Seven subjects, with or without negation, with *tres* (very), *trop*
# (too) or no adverb, and 20 adjectives: 840 pairs, lower-case and without
# punctuation. *ne* becomes *n* before a vowel, as in the tutorial's
# normalised text ("il n est pas ..."), and each adjective keeps its
# masculine singular form whatever the subject (French would make it agree).
import itertools
import time
from collections import defaultdict

import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_rnn import RNNSeq2Seq
from sklearn_rnn.metrics import corpus_bleu, sequence_error_rate
from sklearn_rnn.plotting import plot_attention

torch.set_num_threads(1)  # small ops: one thread is faster on a shared CPU

SUBJECTS = {  # French subject and verb -> English
    "je suis": "i am",
    "tu es": "you are",
    "il est": "he is",
    "elle est": "she is",
    "nous sommes": "we are",
    "vous etes": "you are",
    "ils sont": "they are",
}
ADVERBS = {"": "", "tres": "very", "trop": "too"}
ADJECTIVES = {
    "fatigue": "tired",
    "content": "happy",
    "pret": "ready",
    "grand": "tall",
    "petit": "small",
    "riche": "rich",
    "pauvre": "poor",
    "malade": "sick",
    "occupe": "busy",
    "seul": "alone",
    "calme": "calm",
    "jeune": "young",
    "vieux": "old",
    "fort": "strong",
    "triste": "sad",
    "libre": "free",
    "gentil": "kind",
    "drole": "funny",
    "timide": "shy",
    "paresseux": "lazy",
}


def sentence_pair(subject, negated, adverb, adjective):
    """A French sentence and its English translation."""
    pronoun, verb = subject.split()
    if negated:
        ne = "n" if verb[0] in "aeiou" else "ne"
        french = [pronoun, ne, verb, "pas", adverb, adjective]
    else:
        french = [pronoun, verb, adverb, adjective]
    english = [SUBJECTS[subject], "not" if negated else ""]
    english += [ADVERBS[adverb], ADJECTIVES[adjective]]
    return " ".join(filter(None, french)), " ".join(filter(None, english))


# %%
# Half of the 140 (subject, adjective) pairings, drawn at random, are for
# the test set only: the model never sees such a subject with such an
# adjective, in any form. The last line printed counts the test words that
# are not in any training sentence.
rng = np.random.default_rng(0)
pairings = list(itertools.product(SUBJECTS, ADJECTIVES))
held_out = {pairings[i] for i in rng.permutation(len(pairings))[:70]}
train, test = [], []
for subject, adjective in pairings:
    part = test if (subject, adjective) in held_out else train
    for negated, adverb in itertools.product((False, True), ADVERBS):
        part.append(sentence_pair(subject, negated, adverb, adjective))
X_train, y_train = map(list, zip(*train))
X_test, y_test = map(list, zip(*test))
print(f"{len(train)} training pairs, {len(test)} test pairs, e.g.")
for fr, en in train[:3] + test[:2]:
    print(f"  {fr!r} -> {en!r}")
unseen = {w for fr in X_test for w in fr.split()}
unseen -= {w for fr in X_train for w in fr.split()}
print(len(unseen), "test words not in training")

# %%
# Training
# --------
# 128 hidden units, 64-dimensional word embeddings, batches of 32 pairs. The
# encoder reads left to right only (``bidirectional=False``): its state at
# a word sums up the sentence up to that word, not beyond (in a
# bidirectional encoder every state has seen the whole sentence), which
# makes the attention weights below easier to read. On so few sentences
# early stopping would hold out 42 of them and judge each epoch by their
# greedy decodes; here it is switched off, and the model trains for 30
# epochs on all the training pairs.
model = RNNSeq2Seq(
    source_analyzer="word",
    target_analyzer="word",
    embedding_dim=64,
    hidden_size=128,
    bidirectional=False,
    batch_size=32,
    lr=0.01,
    max_epochs=30,
    early_stopping=False,
    random_state=0,
)
start = time.perf_counter()
model.fit(X_train, y_train)
print(
    f"{time.perf_counter() - start:.1f} s, {model.n_epochs_} epochs, final "
    f"training loss {model.history_[-1, 'train_loss']:.3f} nats per target token"
)

# %%
# Translations of unseen sentences
# --------------------------------
# The first five test sentences with the model's greedy translations, then
# the first eight translated wrongly, each with its reference and, last, the
# English subjects that the sentence's adjective had in training. A wrong
# subject that is among them looks guessed from the adjective: with half the
# pairings held out, the adjective says something about the subject in the
# training data.
seen_with = defaultdict(set)  # adjective -> English subjects in training
for fr, en in train:
    seen_with[fr.split()[-1]].add(en.split()[0])
greedy = model.predict(X_test)
wrong = [i for i, (out, en) in enumerate(zip(greedy, y_test)) if out != en]
print(f"{'French':<28} {'model':<24} {'reference':<24} subjects seen")
for i in list(range(5)) + wrong[:8]:
    subjects = " ".join(sorted(seen_with[X_test[i].split()[-1]]))
    print(f"{X_test[i]:<28} {greedy[i]:<24} {y_test[i]:<24} {subjects}")
guessed = sum(greedy[i].split()[0] in seen_with[X_test[i].split()[-1]] for i in wrong)
print(f"{len(wrong)} of {len(X_test)} test sentences translated wrongly;")
print(f"{guessed} of them start with a subject seen with their adjective")

# %%
# Greedy decoding against beam search
# -----------------------------------
# Corpus BLEU (sacrebleu, 0-100) and the share of sentences not translated
# word for word, greedy and with a beam of 5. The beam looks for the
# translation that the model scores highest, which is not always the
# reference; the last line counts the outputs that the beam changed.
model.set_params(beam_size=5)
beam = model.predict(X_test)
model.set_params(beam_size=1)
for name, predicted in (("greedy", greedy), ("beam_size=5", beam)):
    bleu = corpus_bleu(y_test, predicted)
    error = sequence_error_rate(y_test, predicted)
    print(f"{name:<12} BLEU {bleu:5.1f}, sentences wrong {error:.1%}")
print(sum(g != b for g, b in zip(greedy, beam)), "of the outputs differ")

# %%
# The five best translations of one sentence (the first one translated
# wrongly, if any), with their log-probabilities: natural log, the end
# token included. The search ranks them by the log-probability over GNMT's
# length penalty, so outputs of different lengths can come in another order
# than that of their log-probabilities. Label smoothing (0.1 by default)
# keeps even a sure translation well below 0: training draws the
# probability of each right word towards about 0.9, not 1.
i = wrong[0] if wrong else 0
print(f"{X_test[i]} (reference: {y_test[i]})")
for out, log_prob in model.predict_n_best([X_test[i]], 5)[0]:
    print(f"  {log_prob:7.3f}  {out}")

# %%
# Where the decoder looks
# -----------------------
# The attention weights of a negated test sentence: one row per English
# word written (and the end token), one column per French word (and the
# end of the sentence); each row sums to 1. English has one word, *not*,
# where French has two around the verb; the lines printed give, for each
# English word, the French word with the largest weight. Which word a row
# rests on is learnt, not built in: the decoder starts from the encoder's
# final state, which has read the whole sentence, so it can write *not*
# without looking at *ne* or *pas*, and with another ``random_state`` the
# *not* row can rest on *je*.
sentence = next(fr for fr in X_test if fr.split()[1] == "ne" and "tres" in fr)
weights = model.attention_weights([sentence])[0]
french = sentence.split() + ["</s>"]
english = (model.predict([sentence])[0].split() + ["</s>"])[: len(weights)]
for word, row in zip(english, weights):
    print(f"{word:>6} <- {french[row.argmax()]} ({row.max():.2f})")
fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
plot_attention(weights, french, english, ax=ax)
ax.set_xlabel("French words read")
ax.set_ylabel("English words written")
ax.set_title(f"attention for {sentence!r}")
plt.show()
