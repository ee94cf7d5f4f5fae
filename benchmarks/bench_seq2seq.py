"""RNNSeq2Seq on grapheme-to-phoneme conversion and French->English, side by side.

Three parts, in one run (``--parts`` picks some):

``g2p``
    CMUdict (../shared/data/cmudict), stress removed: fit on the train split
    (every pronunciation of a word is a pair; a seeded sample of
    ``--g2p-words`` words), predict the dev split (a sample of
    ``--dev-words``), greedy and with a beam of ``--beam``. A word is right
    if its output equals any of its reference pronunciations (WER = share of
    words wrong); PER = edit distance to the closest reference over those
    references' length.
``mt``
    Tatoeba French->English (../shared/data/tatoeba_fra_eng, the train file)
    on the subset of PyTorch's translation tutorial (its normalisation,
    English side starting with "i am", "he is", ..., both sides under 10
    words: 8,386 pairs), split 80/10/10 by distinct English sentence (seed
    0) into train, validation and evaluation parts; ``--mt-split`` picks the
    part scored (choices were made on ``validation``). Next to RNNSeq2Seq,
    a model written in the way of the tutorial: GRU encoder, a GRU decoder
    that runs step by step with Bahdanau (additive) attention of its
    previous state over the encoder outputs, hidden 128, Adam 1e-3, batch
    32, every pair padded to the length cap and the loss taken over all
    steps (pads included, as the tutorial does), ``--epochs`` epochs (the
    tutorial: 80). Both are trained on the same train part (RNNSeq2Seq
    holds 10 % of it out for early stopping); corpus BLEU (sacrebleu) on the
    scored part, greedy and beam, the BLEU difference and the training-time
    ratio are printed.
``batches``
    Training speed (pairs per second) of the default network at batch sizes
    64, 128 and 256 on ``--loop-words`` G2P words (run it alone: it is not
    in the default ``--parts``).
``loop``
    Epoch time of RNNSeq2Seq's training loop (``_seq2seq_training.
    train_epoch``) against a plain hand-written loop (forward, masked
    cross-entropy, backward, clipping, step) on the same model and the same
    batches of G2P pairs; ratio printed (target: within 10 %).

    python benchmarks/bench_seq2seq.py                      # full run
    python benchmarks/bench_seq2seq.py --g2p-words 10000 --dev-words 2000 \\
        --g2p-epochs 3 --epochs 3 --mt-pairs 3000           # reduced

``--set NAME=VALUE`` (repeatable) sets an RNNSeq2Seq parameter of both the
G2P and the French->English model, e.g. ``--set lr_decay=0.5``.

It exits 0 with a message when ../shared/data is not there.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time

import numpy as np
import torch
from _shared import SHARED_DATA, add_set_option, parsed_set
from sklearn.model_selection import train_test_split
from torch import nn
from torch.nn import functional as F

from sklearn_rnn import RNNSeq2Seq
from sklearn_rnn._data import make_loader
from sklearn_rnn._seq2seq_training import (
    PairDataset,
    build_network,
    collate_pairs,
    train_epoch,
)
from sklearn_rnn.datasets import (
    filter_tutorial_pairs,
    load_cmudict,
    load_sentence_pairs,
)
from sklearn_rnn.metrics import corpus_bleu, sequence_error_rate, token_error_rate


def _path(*parts):
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        print(f"skipped: {path} is not available")
        sys.exit(0)
    return path


def _pairs(words, pronunciations):
    X, y = [], []
    for word, prons in zip(words, pronunciations):
        for pron in prons:
            X.append(word)
            y.append(" ".join(pron))
    return X, y


def _sample(n: int, size: int | None, rng) -> np.ndarray:
    """``size`` indices of ``range(n)`` drawn without replacement, in order
    (all of them when ``size`` is None)."""
    if size is None or size >= n:
        return np.arange(n)
    return np.sort(rng.choice(n, size=size, replace=False))


# -- G2P --------------------------------------------------------------------------
def g2p(args) -> None:
    train = load_cmudict(_path("cmudict", "cmudict_train.dict.gz"), stress=False)
    dev = load_cmudict(_path("cmudict", "cmudict_dev.dict.gz"), stress=False)
    # A reduced run reads a seeded sample of the words: the files are sorted
    # alphabetically, and their first words are not a fair sample.
    rng = np.random.default_rng(0)
    keep = _sample(len(train.words), args.g2p_words, rng)
    X, y = _pairs(
        [train.words[i] for i in keep], [train.pronunciations[i] for i in keep]
    )
    keep = _sample(len(dev.words), args.dev_words, rng)
    dev_words = [dev.words[i] for i in keep]
    references = [[" ".join(p) for p in dev.pronunciations[i]] for i in keep]
    # The defaults, but for the analyzers (and --g2p-epochs in a reduced run).
    epochs = {} if args.g2p_epochs is None else {"max_epochs": args.g2p_epochs}
    model = RNNSeq2Seq(
        source_analyzer="char",
        target_analyzer="word",
        random_state=0,
        verbose=1,
        **epochs,
    ).set_params(**args.set)
    print(
        f"G2P: {len(X)} training pairs ({len(set(X))} words), "
        f"{len(dev_words)} dev words"
    )
    start = time.perf_counter()
    model.fit(X, y)
    fit_time = time.perf_counter() - start
    epochs = f"{model.n_epochs_} epochs (best {model.best_epoch_})"
    print(f"  fit {fit_time:.0f} s, {epochs}")
    for beam in (1, args.beam):
        model.set_params(beam_size=beam)
        start = time.perf_counter()
        predicted = model.predict(dev_words)
        took = time.perf_counter() - start
        wer = sequence_error_rate(references, predicted)
        per = token_error_rate(references, predicted)
        name = "greedy" if beam == 1 else f"beam {beam}"
        print(f"  {name:8s} WER {100 * wer:5.1f} %  PER {100 * per:5.2f} %  "
              f"predict {took:.1f} s")


# -- French -> English, next to the tutorial's model -----------------------------
class TutorialEncoder(nn.Module):
    def __init__(self, vocab: int, hidden: int, dropout: float = 0.1):
        super().__init__()
        self.embedding = nn.Embedding(vocab, hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)
        self.dropout = nn.Dropout(dropout)

    def forward(self, ids):
        return self.gru(self.dropout(self.embedding(ids)))


class Bahdanau(nn.Module):
    def __init__(self, hidden: int):
        super().__init__()
        self.Wa = nn.Linear(hidden, hidden)
        self.Ua = nn.Linear(hidden, hidden)
        self.Va = nn.Linear(hidden, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys))).squeeze(2)
        weights = F.softmax(scores, dim=-1).unsqueeze(1)
        return torch.bmm(weights, keys)


class TutorialDecoder(nn.Module):
    """The tutorial's attention decoder: one GRU step at a time, the context
    of the previous state's attention joined to the embedded input."""

    def __init__(self, hidden: int, vocab: int, dropout: float = 0.1):
        super().__init__()
        self.embedding = nn.Embedding(vocab, hidden)
        self.attention = Bahdanau(hidden)
        self.gru = nn.GRU(2 * hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)
        self.dropout = nn.Dropout(dropout)

    def step(self, token, hidden, encoder_outputs):
        embedded = self.dropout(self.embedding(token))
        query = hidden.permute(1, 0, 2)
        context = self.attention(query, encoder_outputs)
        output, hidden = self.gru(torch.cat((embedded, context), dim=2), hidden)
        return self.out(output), hidden

    def forward(self, encoder_outputs, hidden, targets=None, steps=10, bos=0):
        batch = encoder_outputs.shape[0]
        token = torch.full((batch, 1), bos, dtype=torch.long)
        outputs = []
        for t in range(steps):
            logits, hidden = self.step(token, hidden, encoder_outputs)
            outputs.append(logits)
            if targets is not None:
                token = targets[:, t : t + 1]  # teacher forcing
            else:
                token = logits.argmax(-1).detach()
        return F.log_softmax(torch.cat(outputs, dim=1), dim=-1)


class _Lang:
    """The tutorial's word index: 0 = SOS (and padding), 1 = EOS; words from
    3, 2 for a word unseen in training (the tutorial indexes all pairs)."""

    def __init__(self, sentences):
        self.index = {}
        for sentence in sentences:
            for word in sentence.split(" "):
                self.index.setdefault(word, len(self.index) + 3)
        self.words = {i: w for w, i in self.index.items()}

    def ids(self, sentence, width):
        ids = [self.index.get(w, 2) for w in sentence.split(" ")][: width - 1] + [1]
        return ids + [0] * (width - len(ids))


def tutorial_model(train_fr, train_en, test_fr, epochs, width, seed=0):
    """Train the tutorial-style model; its test translations and fit time."""
    torch.manual_seed(seed)
    fr, en = _Lang(train_fr), _Lang(train_en)
    X = torch.tensor([fr.ids(s, width) for s in train_fr])
    Y = torch.tensor([en.ids(s, width) for s in train_en])
    encoder = TutorialEncoder(len(fr.index) + 3, 128)
    decoder = TutorialDecoder(128, len(en.index) + 3)
    params = list(encoder.parameters()) + list(decoder.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-3)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(epochs):
        encoder.train()
        decoder.train()
        for batch in np.array_split(rng.permutation(len(X)), max(len(X) // 32, 1)):
            outputs, hidden = encoder(X[batch])
            logp = decoder(outputs, hidden, Y[batch], steps=width)
            loss = F.nll_loss(logp.reshape(-1, logp.shape[-1]), Y[batch].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    fit_time = time.perf_counter() - start
    encoder.eval()
    decoder.eval()
    translations = []
    with torch.no_grad():
        T = torch.tensor([fr.ids(s, width) for s in test_fr])
        for chunk in torch.split(T, 256):
            outputs, hidden = encoder(chunk)
            ids = decoder(outputs, hidden, steps=width).argmax(-1).tolist()
            for row in ids:
                words = list(itertools.takewhile(lambda i: i != 1, row))
                translations.append(" ".join(en.words.get(i, "") for i in words))
    return translations, fit_time


def split_by_english(english, french, seed=0):
    """The pairs cut 80/10/10 into train, validation and evaluation parts by
    distinct English sentence (seeded): a sentence and all its translations
    are on one side. Each part is ``(french, english)``."""
    distinct = sorted(set(english))
    rest, evaluation = train_test_split(distinct, test_size=0.1, random_state=seed)
    train, validation = train_test_split(rest, test_size=1 / 9, random_state=seed)
    part = {s: name for name, group in
            (("train", train), ("validation", validation), ("evaluation", evaluation))
            for s in group}
    out = {name: ([], []) for name in ("train", "validation", "evaluation")}
    for en, fr in zip(english, french):
        out[part[en]][0].append(fr)
        out[part[en]][1].append(en)
    return out


def mt_pairs(args):
    path = _path("tatoeba_fra_eng", "fra_eng_train.tsv.gz")
    english, french = load_sentence_pairs(path)
    english, french = filter_tutorial_pairs(english, french)
    parts = split_by_english(english, french)
    fr_train, en_train = parts["train"]
    if args.mt_pairs:
        fr_train, en_train = fr_train[: args.mt_pairs], en_train[: args.mt_pairs]
    return fr_train, en_train, parts[args.mt_split]


def mt(args) -> None:
    fr_train, en_train, (fr_test, en_test) = mt_pairs(args)
    print(f"fr->en: {len(fr_train)} training pairs, {len(fr_test)} {args.mt_split} "
          f"pairs (split by English sentence, seed 0); tutorial-style "
          f"{args.epochs} epochs, RNNSeq2Seq at most {args.ours_epochs}")
    # The tutorial's width: MAX_LENGTH = 10 words, its EOS within it.
    tutorial, tutorial_time = tutorial_model(
        fr_train, en_train, fr_test, args.epochs, width=10
    )
    split = str.split  # the tutorial's normalised text: words split by spaces
    # The defaults but for dropout, embedding_dim, hidden_size, batch_size,
    # patience and the epochs, chosen on the validation part (greedy / beam 5
    # BLEU, until early stopping, at most 60-80 epochs, patience 10; see
    # docs/benchmarks.rst). At the constant learning rate and without label
    # smoothing of then: dropout 0.3, batch 32, embedding 128: 29.0 / 30.1;
    # dropout 0.5, batch 64, embedding 128: 30.7 / 31.4; dropout 0.5, batch
    # 32, embedding 128: 33.6 / 33.6 (at 30 epochs, batch 64, embedding 64:
    # dropout 0.0 25.7 / 25.5, 0.3 28.0 / 28.0). With the last, lr_decay=0.5
    # gave 34.1 / 34.7; with label_smoothing=0.1 too (both today's defaults)
    # 35.2 / 35.6; with hidden 384 as well (the chosen one) 37.6 / 38.7.
    model = RNNSeq2Seq(
        source_analyzer=split,
        target_analyzer=split,
        dropout=args.mt_dropout,
        embedding_dim=args.mt_embedding,
        hidden_size=args.mt_hidden,
        batch_size=args.mt_batch,
        max_epochs=args.ours_epochs,
        patience=args.mt_patience,
        early_stopping=args.ours_epochs >= 5,
        random_state=0,
    ).set_params(**args.set)
    start = time.perf_counter()
    model.fit(fr_train, en_train)
    ours_time = time.perf_counter() - start
    bleu_tutorial = corpus_bleu(en_test, tutorial)
    print(f"  tutorial-style  BLEU {bleu_tutorial:5.1f}  fit {tutorial_time:6.1f} s")
    for beam in (1, args.beam):
        model.set_params(beam_size=beam)
        bleu_ours = corpus_bleu(en_test, model.predict(fr_test))
        name = "greedy" if beam == 1 else f"beam {beam}"
        print(f"  RNNSeq2Seq {name:8s} BLEU {bleu_ours:5.1f}  fit {ours_time:6.1f} s "
              f"({model.n_epochs_} epochs, best {model.best_epoch_}); "
              f"{bleu_ours - bleu_tutorial:+.1f} points")
    print(f"  training time ratio {ours_time / tutorial_time:.2f}x")


# -- the training loop against a hand-written one ------------------------------
def plain_epoch(model, optimizer, batches, clip=5.0):
    model.train()
    for source, lengths, inputs, outputs in batches:
        logits = model(source, lengths, inputs)
        loss = F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), outputs.reshape(-1),
            ignore_index=0, reduction="sum",
        )
        optimizer.zero_grad()
        (loss / (outputs != 0).sum()).backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()


def loop(args) -> None:
    train = load_cmudict(_path("cmudict", "cmudict_train.dict.gz"), stress=False)
    n = args.loop_words
    X, y = _pairs(train.words[:n], train.pronunciations[:n])
    chars = {c: i + 2 for i, c in enumerate(sorted(set("".join(X))))}
    phones = {p: i + 2 for i, p in enumerate(sorted(set(" ".join(y).split())))}
    bos = len(phones) + 2
    sources = [np.array([chars[c] for c in w] + [len(chars) + 2]) for w in X]
    targets = [np.array([bos] + [phones[p] for p in t.split()] + [bos + 1]) for t in y]
    loader = make_loader(
        PairDataset(sources, targets), batch_size=64, shuffle=True,
        generator=np.random.default_rng(0), max_tokens=16384, collate_fn=collate_pairs,
    )
    batches = list(loader)
    params = dict(
        source_vocab=len(chars) + 3, target_vocab=bos + 2, embedding_dim=64,
        hidden_size=256, num_layers=1, cell="lstm", bidirectional=True,
        dropout=0.0, attention="general",
    )
    times = {"RNNSeq2Seq loop": [], "hand-written loop": []}
    for repeat in range(args.repeats):
        for name in times if repeat % 2 == 0 else reversed(list(times)):
            torch.manual_seed(0)
            model = build_network(**params)
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            start = time.perf_counter()
            if name == "RNNSeq2Seq loop":
                train_epoch(model, optimizer, batches, clip_grad_norm=5.0, device="cpu")
            else:
                plain_epoch(model, optimizer, batches)
            times[name].append(time.perf_counter() - start)
    ours, plain = (min(v) for v in times.values())
    print(f"epoch on {len(X)} G2P pairs, {len(batches)} batches, best of "
          f"{args.repeats}: RNNSeq2Seq loop {ours:.2f} s, hand-written {plain:.2f} s, "
          f"ratio {ours / plain:.3f}")


def batches(args) -> None:
    """Training speed (pairs per second) of the default network at several
    batch sizes, one epoch each on the same G2P pairs (seeded sample)."""
    train = load_cmudict(_path("cmudict", "cmudict_train.dict.gz"), stress=False)
    keep = _sample(len(train.words), args.loop_words, np.random.default_rng(0))
    X, y = _pairs(
        [train.words[i] for i in keep], [train.pronunciations[i] for i in keep]
    )
    chars = {c: i + 2 for i, c in enumerate(sorted(set("".join(X))))}
    phones = {p: i + 2 for i, p in enumerate(sorted(set(" ".join(y).split())))}
    bos = len(phones) + 2
    sources = [np.array([chars[c] for c in w] + [len(chars) + 2]) for w in X]
    targets = [np.array([bos] + [phones[p] for p in t.split()] + [bos + 1]) for t in y]
    params = dict(
        source_vocab=len(chars) + 3, target_vocab=bos + 2, embedding_dim=64,
        hidden_size=256, num_layers=1, cell="lstm", bidirectional=True,
        dropout=0.0, attention="general",
    )
    for size in (64, 128, 256):
        loader = make_loader(
            PairDataset(sources, targets), batch_size=size, shuffle=True,
            generator=np.random.default_rng(0), max_tokens=16384,
            collate_fn=collate_pairs,
        )
        torch.manual_seed(0)
        model = build_network(**params)
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        start = time.perf_counter()
        train_epoch(model, optimizer, list(loader), clip_grad_norm=5.0, device="cpu")
        took = time.perf_counter() - start
        print(f"batch_size {size:4d}: {len(X) / took:6.0f} pairs/s "
              f"({len(X)} G2P pairs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="g2p,mt,loop")
    parser.add_argument("--g2p-words", type=int, default=None)
    parser.add_argument("--dev-words", type=int, default=None)
    parser.add_argument("--g2p-epochs", type=int, default=None)
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--ours-epochs", type=int, default=80)
    parser.add_argument("--mt-dropout", type=float, default=0.5)
    parser.add_argument("--mt-embedding", type=int, default=128)
    parser.add_argument("--mt-hidden", type=int, default=384)
    parser.add_argument("--mt-batch", type=int, default=32)
    parser.add_argument("--mt-patience", type=int, default=10)
    parser.add_argument("--mt-pairs", type=int, default=None)
    parser.add_argument("--mt-split", default="evaluation",
                        choices=("validation", "evaluation"))
    add_set_option(parser, "RNNSeq2Seq, for G2P and MT")
    parser.add_argument("--loop-words", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    args.set = parsed_set(args.set)
    if args.set:
        print("RNNSeq2Seq parameters set:", args.set)
    torch.set_num_threads(args.threads)
    parts = {"g2p": g2p, "mt": mt, "loop": loop, "batches": batches}
    for name in args.parts.split(","):
        parts[name](args)


if __name__ == "__main__":
    main()
