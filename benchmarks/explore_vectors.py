"""Explore recurrent text classifiers with pretrained GloVe 6B 50d vectors.

Plain PyTorch + numpy + scikit-learn, with the package's tokenizer
(``sklearn_rnn.VocabularyIndexer``) and weight initialisation
(``sklearn_rnn.nn.init_keras_style``), so that each recipe is a few lines.
Everything is measured on VALIDATION splits carved out of the training
files; no test file is ever read.

Validation protocol
-------------------
- trec:  trec/trec_train.csv -> stratified 80/20 (random_state=0) fit/val.
- sst2:  sst2/sst2_train_sentences.csv -> stratified 80/20 (random_state=0).
- mr:    mr/mr.csv -> stratified 80 % part of an 80/20 split (rs=0), then
         that part split 80/20 (rs=0) into fit/val.
- small: sst2_train_sentences.csv -> 900 stratified sentences (rs=0) as fit,
         1,000 other sentences (stratified, rs=0) as val (proxy for the UCI
         sets, which are not used here).

Training mirrors the package: Keras-style initialisation, dropout 0.2 on the
embeddings and before the head, Adam 1e-3, batch 64 with length bucketing,
grad-norm clipping 5, early stopping on the accuracy of a stratified 10 %
hold-out (patience 3, max 20 epochs, best weights restored), then a refit of a
fresh network (same seed) on the whole fit set for the best epoch count. Both
the early-stopped weights ("es") and the refit weights ("refit") are scored on
the val split, with and without "oov vectors" (val words absent from the fit
vocabulary but present in GloVe get their pretrained vector at prediction).

Usage::

    python benchmarks/explore_vectors.py coverage
    python benchmarks/explore_vectors.py baselines
    python benchmarks/explore_vectors.py run --datasets trec sst2 \
        --recipes A B C --seeds 0 1 2
    python benchmarks/explore_vectors.py summary

Rows are appended to /tmp/explore/results.jsonl (one per dataset, recipe,
seed); ``summary`` prints the mean/per-seed tables.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _shared import GLOVE
from _shared import SHARED_DATA as DATA
from sklearn.model_selection import train_test_split
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from sklearn_rnn import VocabularyIndexer
from sklearn_rnn.nn import init_keras_style

torch.set_num_threads(1)

OUT = Path("/tmp/explore")
CACHE = OUT / "glove_cache.npz"
RESULTS = OUT / "results.jsonl"


def log(*args):
    print(*args, flush=True)


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
def _read(*parts):
    frame = pd.read_csv(DATA.joinpath(*parts), keep_default_na=False)
    return frame["text"].astype(str).tolist(), frame["label"].astype(str).to_numpy()


def _split(texts, labels, test_size=0.2):
    idx = np.arange(len(texts))
    a, b = train_test_split(idx, test_size=test_size, stratify=labels, random_state=0)
    return a, b


def load_split(name):
    """(fit_texts, fit_labels, val_texts, val_labels) of the validation protocol."""
    if name == "trec":
        texts, labels = _read("trec", "trec_train.csv")
        fit, val = _split(texts, labels)
    elif name == "sst2":
        texts, labels = _read("sst2", "sst2_train_sentences.csv")
        fit, val = _split(texts, labels)
    elif name == "mr":
        texts, labels = _read("mr", "mr.csv")
        part, _discard = _split(texts, labels)
        sub_fit, sub_val = _split([texts[i] for i in part], labels[part])
        fit, val = part[sub_fit], part[sub_val]
    elif name == "small":
        texts, labels = _read("sst2", "sst2_train_sentences.csv")
        idx = np.arange(len(texts))
        fit, rest = train_test_split(
            idx, train_size=900, stratify=labels, random_state=0
        )
        val, _ = train_test_split(
            rest, train_size=1000, stratify=labels[rest], random_state=0
        )
    else:
        raise ValueError(name)
    return (
        [texts[i] for i in fit],
        labels[fit],
        [texts[i] for i in val],
        labels[val],
    )


DATASETS = ["trec", "sst2", "mr", "small"]


def analyzer():
    return VocabularyIndexer().build_analyzer()


# --------------------------------------------------------------------------
# GloVe (cached subset: words of all fit/val splits, with their rank)
# --------------------------------------------------------------------------
def build_cache():
    tok = analyzer()
    needed = set()
    for name in DATASETS:
        ft, _, vt, _ = load_split(name)
        for doc in ft + vt:
            needed.update(tok(doc))
    words, ranks, vecs = [], [], []
    total = np.zeros(50)
    total_sq = np.zeros(50)
    n = 0
    t0 = time.time()
    with gzip.open(GLOVE, "rt", encoding="utf-8") as fh:
        for rank, line in enumerate(fh):
            parts = line.rstrip("\n").split(" ")
            vec = np.asarray(parts[1:], dtype=np.float64)
            total += vec
            total_sq += vec * vec
            n += 1
            if parts[0] in needed:
                words.append(parts[0])
                ranks.append(rank)
                vecs.append(vec.astype(np.float32))
    mean = total / n
    std = np.sqrt(total_sq / n - mean * mean)
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez(
        CACHE,
        words=np.array(words),
        ranks=np.array(ranks),
        vecs=np.stack(vecs),
        mean=mean.astype(np.float32),
        std=std.astype(np.float32),
        n=n,
    )
    log(f"glove cache: {len(words)} of {n} words kept, {time.time() - t0:.1f}s")


_GLOVE = None


def glove():
    """dict word -> (rank, vector), per-dim mean and std of all 400k vectors."""
    global _GLOVE
    if _GLOVE is None:
        if not CACHE.exists():
            build_cache()
        z = np.load(CACHE)
        table = {
            w: (int(r), v) for w, r, v in zip(z["words"], z["ranks"], z["vecs"])
        }
        _GLOVE = table, z["mean"], z["std"]
    return _GLOVE


# --------------------------------------------------------------------------
# coverage
# --------------------------------------------------------------------------
def coverage():
    tok = analyzer()
    table, _, _ = glove()
    rows = []
    for name in DATASETS:
        ft, _, vt, _ = load_split(name)
        fit_counts = Counter(t for d in ft for t in tok(d))
        val_tokens = [t for d in vt for t in tok(d)]
        row = {"dataset": name, "fit_docs": len(ft), "val_docs": len(vt)}
        row["fit_types"] = len(fit_counts)
        row["fit_tokens"] = sum(fit_counts.values())
        for cap, label in [(400_000, "all"), (200_000, "200k"), (100_000, "100k")]:
            def inside(w, cap=cap):
                return w in table and table[w][0] < cap

            types_in = sum(1 for w in fit_counts if inside(w))
            tokens_in = sum(c for w, c in fit_counts.items() if inside(w))
            unseen = [t for t in val_tokens if t not in fit_counts]
            unseen_in = sum(1 for t in unseen if inside(t))
            row[f"fit_type_cov_{label}"] = types_in / len(fit_counts)
            row[f"fit_token_cov_{label}"] = tokens_in / row["fit_tokens"]
            row["val_tokens"] = len(val_tokens)
            row["val_unseen_share"] = len(unseen) / len(val_tokens)
            row[f"val_unseen_in_glove_{label}"] = unseen_in / len(val_tokens)
        rows.append(row)
        log(json.dumps(row))
    frame = pd.DataFrame(rows).set_index("dataset")
    pd.set_option("display.width", 250)
    log((frame.T * 1).to_string(float_format=lambda x: f"{x:.4f}"))
    (OUT / "coverage.json").write_text(json.dumps(rows, indent=1))


# --------------------------------------------------------------------------
# bag-of-words baselines on the same splits
# --------------------------------------------------------------------------
def baselines():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    pattern = r"(?u)\b\w+\b|[^\w\s]"
    systems = {
        "bow_lr": lambda: make_pipeline(
            CountVectorizer(token_pattern=pattern), LogisticRegression(max_iter=2000)
        ),
        "bow12_lr": lambda: make_pipeline(
            CountVectorizer(token_pattern=pattern, ngram_range=(1, 2)),
            LogisticRegression(max_iter=2000),
        ),
        "bow_mnb": lambda: make_pipeline(
            CountVectorizer(token_pattern=pattern), MultinomialNB()
        ),
        "bow12_mnb": lambda: make_pipeline(
            CountVectorizer(token_pattern=pattern, ngram_range=(1, 2)), MultinomialNB()
        ),
    }
    for name in DATASETS:
        ft, fy, vt, vy = load_split(name)
        for sys_name, make in systems.items():
            t0 = time.time()
            acc = float(np.mean(make().fit(ft, fy).predict(vt) == vy))
            row = {
                "dataset": name, "recipe": sys_name, "seed": 0,
                "val_acc": acc, "seconds": time.time() - t0,
            }
            log(json.dumps(row))
            with open(OUT / "baselines.jsonl", "a") as fh:
                fh.write(json.dumps(row) + "\n")


# --------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------
class Net(nn.Module):
    def __init__(self, vocab_size, n_classes, cfg, pretrained=None):
        super().__init__()
        dim = cfg["dim"]
        self.cfg = cfg
        self.emb = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.emb_drop = nn.Dropout(cfg["emb_dropout"])
        cell = nn.LSTM if cfg["cell"] == "lstm" else nn.GRU
        self.rnn = cell(dim, cfg["hidden"], batch_first=True,
                        bidirectional=cfg["bi"])
        out = cfg["hidden"] * (2 if cfg["bi"] else 1)
        if cfg["pool"] == "maxmean":
            out *= 2
        if cfg["skip"]:
            out += dim
        self.drop = nn.Dropout(cfg["dropout"])
        self.head = nn.Linear(out, n_classes)
        init_keras_style(self)
        if pretrained is not None:
            with torch.no_grad():
                self.emb.weight.copy_(torch.as_tensor(pretrained))
        self.extra = None  # frozen rows appended at prediction (oov vectors)

    def embed(self, tokens):
        weight = self.emb.weight
        if self.extra is not None:
            weight = torch.cat([weight, self.extra], dim=0)
        return nn.functional.embedding(tokens, weight, padding_idx=0)

    def forward(self, tokens, lengths):
        if self.training and self.cfg["word_dropout"] > 0:
            drop = torch.rand(tokens.shape) < self.cfg["word_dropout"]
            tokens = tokens.masked_fill(drop & (tokens != 0), 1)
        x = self.emb_drop(self.embed(tokens))
        steps = torch.arange(tokens.shape[1])
        real = steps[None, :] < lengths[:, None]
        if not self.cfg["bi"]:
            outputs, _ = self.rnn(x)
        else:
            packed = pack_padded_sequence(x, lengths, batch_first=True,
                                          enforce_sorted=False)
            packed_out, _ = self.rnn(packed)
            outputs, _ = pad_packed_sequence(packed_out, batch_first=True,
                                             total_length=tokens.shape[1])
        pool = self.cfg["pool"]
        if pool == "last":
            if self.cfg["bi"]:
                h = self.cfg["hidden"]
                fwd = outputs[torch.arange(len(lengths)), lengths - 1, :h]
                bwd = outputs[:, 0, h:]
                pooled = torch.cat([fwd, bwd], dim=1)
            else:
                pooled = outputs[torch.arange(len(lengths)), lengths - 1]
        else:
            mx = outputs.masked_fill(~real[..., None], float("-inf")).max(1).values
            pooled = mx
            if pool == "maxmean":
                mean = (outputs * real[..., None]).sum(1) / lengths[:, None]
                pooled = torch.cat([mx, mean], dim=1)
        if self.cfg["skip"]:
            emb_mean = (x * real[..., None]).sum(1) / lengths[:, None]
            pooled = torch.cat([pooled, emb_mean], dim=1)
        return self.head(self.drop(pooled))


# --------------------------------------------------------------------------
# recipes
# --------------------------------------------------------------------------
BASE = dict(
    cell="lstm", hidden=128, bi=False, pool="last", skip=False,
    dim=128, glove=False, freeze=False, emb_lr_mult=1.0, emb_dropout=0.2,
    dropout=0.2, lr=1e-3, weight_decay=0.0, freeze_epochs=0, max_epochs=20,
    patience=3, glove_scale=1.0, word_dropout=0.0,
)


def R(**kw):
    cfg = dict(BASE)
    cfg.update(kw)
    if cfg["glove"]:
        cfg["dim"] = 50
    return cfg


G = dict(glove=True)
BIMAX = dict(bi=True, pool="max")
RECIPES = {
    "A": R(),                                           # reference
    "A50": R(dim=50),                                   # random, 50-d
    "B": R(**G),                                        # GloVe fine-tuned
    "C": R(**G, freeze=True),                           # GloVe frozen
    "D": R(**G, emb_lr_mult=0.1),                       # small embedding lr
    "E": R(**G, **BIMAX),                               # BiLSTM max + GloVe ft
    "Es": R(**G, **BIMAX, emb_lr_mult=0.1),             # ... small emb lr
    "G": R(**G, **BIMAX, emb_dropout=0.5),
    "Gs": R(**G, **BIMAX, emb_lr_mult=0.1, emb_dropout=0.5),
    "H": R(**G, **BIMAX, skip=True),
    "Hs": R(**G, **BIMAX, emb_lr_mult=0.1, skip=True),
    "Erand": R(**BIMAX),                                # BiLSTM max, random 128
    "Ilast": R(**G, bi=True, pool="last"),              # BiLSTM last states
    "Igru": R(**G, **BIMAX, cell="gru"),
    "Igrus": R(**G, **BIMAX, cell="gru", emb_lr_mult=0.1),
    "Ih256": R(**G, **BIMAX, hidden=256),
    "Ifz2": R(**G, **BIMAX, freeze_epochs=2),           # frozen 2 epochs, then ft
    "Iwd": R(**G, **BIMAX, weight_decay=1e-5),
    "Iuni_max": R(**G, pool="max"),                     # one direction, max pool
    "Imm": R(**G, bi=True, pool="maxmean"),
    "Bs_max": R(**G, pool="max", emb_lr_mult=0.1),
    "Ip5": R(**G, **BIMAX, patience=5),
    # GloVe is ~20x the scale of the Keras-style random init (per-dim std 0.61
    # vs 0.029), so Adam's fixed-size steps move it ~20x slower, relatively.
    "Bsc5": R(**G, glove_scale=0.5),
    "Bsc25": R(**G, glove_scale=0.25),
    "Bsc1": R(**G, glove_scale=0.1),
    "Bx3": R(**G, emb_lr_mult=3.0),
    "Bx10": R(**G, emb_lr_mult=10.0),
    "Csc25": R(**G, freeze=True, glove_scale=0.25),
    "Bwd": R(**G, word_dropout=0.1),
    # E family on GloVe scaled by 0.5 (per-dim std ~0.3)
    "Esc": R(**G, **BIMAX, glove_scale=0.5),
    "Gsc": R(**G, **BIMAX, glove_scale=0.5, emb_dropout=0.5),
    "Hsc": R(**G, **BIMAX, glove_scale=0.5, skip=True),
    "Igru_sc": R(**G, **BIMAX, glove_scale=0.5, cell="gru"),
    "Iuni_max_sc": R(**G, pool="max", glove_scale=0.5),
    "Ilast_sc": R(**G, bi=True, pool="last", glove_scale=0.5),
    "Ih256_sc": R(**G, **BIMAX, glove_scale=0.5, hidden=256),
    "Ip5_sc": R(**G, **BIMAX, glove_scale=0.5, patience=5),
}


# --------------------------------------------------------------------------
# training
# --------------------------------------------------------------------------
def batches(lengths, size, rng, shuffle):
    n = len(lengths)
    if not shuffle:
        return [np.arange(i, min(i + size, n)) for i in range(0, n, size)]
    order = rng.permutation(n)
    pool = size * 50
    order = np.concatenate([
        chunk[np.argsort(lengths[chunk], kind="stable")]
        for chunk in np.split(order, range(pool, n, pool))
    ])
    out = [order[i : i + size] for i in range(0, n, size)]
    return [out[j] for j in rng.permutation(len(out))]


def collate(seqs, idx):
    lens = np.array([max(len(seqs[i]), 1) for i in idx])
    arr = np.zeros((len(idx), lens.max()), dtype=np.int64)
    for r, i in enumerate(idx):
        arr[r, : len(seqs[i])] = seqs[i]
    return torch.from_numpy(arr), torch.from_numpy(lens)


def predict(net, seqs):
    net.eval()
    order = np.argsort([len(s) for s in seqs], kind="stable")
    preds = np.empty(len(seqs), dtype=np.int64)
    with torch.no_grad():
        for start in range(0, len(seqs), 256):
            idx = order[start : start + 256]
            tokens, lens = collate(seqs, idx)
            preds[idx] = net(tokens, lens).argmax(1).numpy()
    return preds


def make_net(cfg, vocab_size, n_classes, pretrained, seed):
    torch.manual_seed(seed)
    net = Net(vocab_size, n_classes, cfg, pretrained)
    emb_params = [net.emb.weight]
    other = [p for n_, p in net.named_parameters() if not n_.startswith("emb.")]
    groups = [{"params": other, "lr": cfg["lr"]}]
    if not cfg["freeze"]:
        groups.append({"params": emb_params, "lr": cfg["lr"] * cfg["emb_lr_mult"]})
    else:
        net.emb.weight.requires_grad_(False)
    opt = torch.optim.Adam(groups, weight_decay=cfg["weight_decay"])
    return net, opt


def train(cfg, seqs, y, n_classes, pretrained, seed, epochs, valid=None):
    """Train for ``epochs`` (or up to max with early stopping on ``valid``).

    Returns (net, best_epoch); with ``valid`` the best weights are restored.
    """
    net, opt = make_net(cfg, pretrained.shape[0] if pretrained is not None
                        else cfg["vocab_size"], n_classes, pretrained, seed)
    rng = np.random.default_rng(seed)
    lengths = np.array([len(s) for s in seqs])
    y_t = torch.as_tensor(y)
    loss_fn = nn.CrossEntropyLoss()
    best_acc, best_epoch, best_state, bad = -1.0, 0, None, 0
    for epoch in range(1, epochs + 1):
        if not cfg["freeze"]:
            net.emb.weight.requires_grad_(epoch > cfg["freeze_epochs"])
        net.train()
        for idx in batches(lengths, 64, rng, shuffle=True):
            tokens, lens = collate(seqs, idx)
            opt.zero_grad()
            loss = loss_fn(net(tokens, lens), y_t[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(
                [p for p in net.parameters() if p.requires_grad], 5.0)
            opt.step()
            with torch.no_grad():
                net.emb.weight[0].zero_()
        if valid is not None:
            vs, vy = valid
            acc = float(np.mean(predict(net, vs) == vy))
            if acc > best_acc:
                best_acc, best_epoch, bad = acc, epoch, 0
                best_state = {k: v.clone() for k, v in net.state_dict().items()}
            else:
                bad += 1
                if bad >= cfg["patience"]:
                    break
    if valid is not None:
        net.load_state_dict(best_state)
        return net, best_epoch, best_acc
    return net, epochs, None


def prepare(name, cfg):
    """Ids of fit/val documents, labels, pretrained matrix and oov extras."""
    ft, fy, vt, vy = load_split(name)
    classes = np.unique(fy)
    fy_i = np.searchsorted(classes, fy)
    vy_i = np.searchsorted(classes, vy)
    indexer = VocabularyIndexer()
    fit_ids = indexer.fit_transform(ft)
    val_ids = indexer.transform(vt)
    vocab = indexer.vocabulary_
    pretrained = None
    val_ids_oov = None
    extra = None
    if cfg["glove"]:
        table, _mean, std = glove()
        rng = np.random.default_rng(12345)  # same for all seeds
        mat = np.zeros((len(vocab), 50), dtype=np.float32)
        for word, i in vocab.items():
            if i == 0:
                continue
            if word in table:
                mat[i] = table[word][1]
            else:  # <unk> and training words missing from GloVe
                mat[i] = rng.normal(0.0, std).astype(np.float32)
        scale = cfg["glove_scale"]
        pretrained = mat * scale
        # oov vectors: val words unseen in fit but in GloVe -> appended rows
        tok = analyzer()
        extra_ids, extra_vecs = {}, []
        val_ids_oov = []
        for doc in vt:
            ids = []
            for t in tok(doc):
                if t in vocab:
                    ids.append(vocab[t])
                elif t in table:
                    if t not in extra_ids:
                        extra_ids[t] = len(vocab) + len(extra_vecs)
                        extra_vecs.append(table[t][1])
                    ids.append(extra_ids[t])
                else:
                    ids.append(1)
            val_ids_oov.append(np.array(ids, dtype=np.int64))
        extra = (torch.as_tensor(np.stack(extra_vecs) * scale)
                 if extra_vecs else None)
    return dict(fit_ids=fit_ids, fy=fy_i, val_ids=val_ids, vy=vy_i,
                n_classes=len(classes), vocab_size=len(vocab),
                pretrained=pretrained, val_ids_oov=val_ids_oov, extra=extra)


def score(net, data):
    out = {"acc": float(np.mean(predict(net, data["val_ids"]) == data["vy"]))}
    if data["extra"] is not None:
        net.extra = data["extra"]
        out["acc_oov"] = float(
            np.mean(predict(net, data["val_ids_oov"]) == data["vy"]))
        net.extra = None
    return out


def run_one(name, recipe, seed, data):
    cfg = dict(RECIPES[recipe])
    cfg["vocab_size"] = data["vocab_size"]
    seqs, y = data["fit_ids"], data["fy"]
    # early-stopping hold-out: stratified 10 %, sorted by length
    n = len(seqs)
    n_valid = int(math.ceil(0.1 * n))
    tr, va = train_test_split(np.arange(n), test_size=n_valid, stratify=y,
                              random_state=seed)
    va = va[np.argsort([len(seqs[i]) for i in va], kind="stable")]
    t0 = time.time()
    es_net, best_epoch, holdout_acc = train(
        cfg, [seqs[i] for i in tr], y[tr], data["n_classes"],
        data["pretrained"], seed, cfg["max_epochs"],
        valid=([seqs[i] for i in va], y[va]))
    t_es = time.time() - t0
    es_scores = score(es_net, data)
    t1 = time.time()
    refit_net, _, _ = train(cfg, seqs, y, data["n_classes"], data["pretrained"],
                            seed, best_epoch)
    t_refit = time.time() - t1
    refit_scores = score(refit_net, data)
    row = {
        "dataset": name, "recipe": recipe, "seed": seed,
        "val_acc": refit_scores["acc"],
        "val_acc_oov": refit_scores.get("acc_oov"),
        "val_acc_es": es_scores["acc"],
        "val_acc_es_oov": es_scores.get("acc_oov"),
        "holdout_acc": holdout_acc,
        "epochs": best_epoch,
        "seconds": round(t_es + t_refit, 1),
        "seconds_es": round(t_es, 1),
    }
    return row


def run(datasets, recipes, seeds):
    OUT.mkdir(parents=True, exist_ok=True)
    for name in datasets:
        for recipe in recipes:
            data = prepare(name, RECIPES[recipe])
            for seed in seeds:
                row = run_one(name, recipe, seed, data)
                log(f"{row['dataset']:6s} {row['recipe']:8s} seed={seed} "
                    f"val_acc={row['val_acc']:.4f} oov={row['val_acc_oov']} "
                    f"es={row['val_acc_es']:.4f} es_oov={row['val_acc_es_oov']} "
                    f"epochs={row['epochs']} seconds={row['seconds']}")
                with open(RESULTS, "a") as fh:
                    fh.write(json.dumps(row) + "\n")


def summary():
    rows = [json.loads(x) for x in open(RESULTS)]
    frame = pd.DataFrame(rows)
    pd.set_option("display.width", 250)
    pd.set_option("display.max_rows", 500)
    cols = ["val_acc", "val_acc_oov", "val_acc_es", "val_acc_es_oov"]
    frame[cols] = frame[cols].astype(float) * 100
    agg = frame.groupby(["dataset", "recipe"]).agg(
        n=("seed", "count"),
        refit=("val_acc", "mean"),
        refit_sd=("val_acc", "std"),
        refit_oov=("val_acc_oov", "mean"),
        es=("val_acc_es", "mean"),
        es_oov=("val_acc_es_oov", "mean"),
        epochs=("epochs", "mean"),
        seconds=("seconds", "mean"),
    )
    per_seed = frame.groupby(["dataset", "recipe"])["val_acc"].apply(
        lambda s: "/".join(f"{v:.1f}" for v in s))
    epochs = frame.groupby(["dataset", "recipe"])["epochs"].apply(
        lambda s: "/".join(str(v) for v in s))
    agg["per_seed"] = per_seed
    agg["ep_seeds"] = epochs
    log(agg.to_string(float_format=lambda x: f"{x:.2f}"))
    base = OUT / "baselines.jsonl"
    if base.exists():
        b = pd.DataFrame([json.loads(x) for x in open(base)])
        log(b.pivot_table(index="recipe", columns="dataset",
                          values="val_acc").mul(100).round(2).to_string())


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("coverage")
    sub.add_parser("baselines")
    sub.add_parser("summary")
    p = sub.add_parser("run")
    p.add_argument("--datasets", nargs="+", default=["trec", "sst2"])
    p.add_argument("--recipes", nargs="+", default=["A"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.cmd == "coverage":
        coverage()
    elif args.cmd == "baselines":
        baselines()
    elif args.cmd == "summary":
        summary()
    else:
        run(args.datasets, args.recipes, args.seeds)


if __name__ == "__main__":
    main()
