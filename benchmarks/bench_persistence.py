"""File size of a fitted pipeline: pickle against skops, and what takes the space.

A default ``make_rnn_pipeline`` is fitted on TREC-6 (5,452 questions; two
epochs are enough to measure sizes), once learning its embedding and once
with GloVe 6B 50d vectors (given as the path, and as a loaded
:class:`~sklearn_rnn.WordVectors` object of all words or of the first
100,000, which is then saved as a parameter). Each is saved with
``pickle``, with ``skops.io.dump`` (an uncompressed zip, skops' default) and with
:func:`sklearn_rnn.persistence.dump` (the same, deflated); then each step of
the pipeline is saved alone with skops, and the skops file is split into its
JSON schema (every Python object but arrays) and its numpy arrays (the
vocabulary's words among them, as UTF-8 bytes). Load times are of one run each.

    python benchmarks/bench_persistence.py [--skip-glove]
"""

from __future__ import annotations

import argparse
import io
import pickle
import tempfile
import time
import zipfile
from pathlib import Path

import skops.io
import torch
from _shared import GLOVE, load_or_exit

from sklearn_rnn import load_word_vectors, make_rnn_pipeline
from sklearn_rnn.persistence import TRUSTED_TYPES, dump, load


def mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:8.2f} MB"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def report(title: str, pipe) -> None:
    print(f"\n{title}")
    with tempfile.TemporaryDirectory() as folder:
        pickled, plain, deflated = (
            Path(folder, name) for name in ("p.pkl", "p.skops", "pz.skops")
        )
        pickled.write_bytes(pickle.dumps(pipe))
        skops.io.dump(pipe, plain)
        dump(pipe, deflated)
        rows = [
            ("pickle", pickled, lambda: pickle.loads(pickled.read_bytes())),
            (
                "skops.io.dump",
                plain,
                lambda: skops.io.load(plain, trusted=TRUSTED_TYPES),
            ),
            ("persistence.dump", deflated, lambda: load(deflated)),
        ]
        for name, path, read in rows:
            print(f"  {name:<18}{mb(path.stat().st_size)}   load {timed(read):5.1f} s")
        data = plain.read_bytes()
    print("  skops.io.dump, by step:")
    for name, step in pipe.steps:
        print(f"    {name:<16}{mb(len(skops.io.dumps(step)))}")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    schema = sum(i.file_size for i in infos if i.filename == "schema.json")
    arrays = sum(i.file_size for i in infos if i.filename.endswith(".npy"))
    print("  skops.io.dump, by content:")
    print(f"    {'JSON schema':<16}{mb(schema)}")
    print(f"    {'numpy arrays':<16}{mb(arrays)}")
    net = pipe.named_steps["classifier"].net_
    weights = tensor_bytes(net.module_.state_dict())
    moments = tensor_bytes(net.optimizer_.state_dict()["state"])
    print(f"      {'weights':<14}{mb(weights)}")
    print(f"      {'Adam moments':<14}{mb(moments)}   (for warm_start)")
    indexer = pipe.named_steps["indexer"]
    print(
        f"  vocabulary: {len(indexer.vocabulary_):,} ids, "
        f"{len(indexer.token_counts_):,} token counts"
    )


def tensor_bytes(tree) -> int:
    """Bytes of the tensors in a state dict (nested dicts)."""
    if isinstance(tree, torch.Tensor):
        return tree.numel() * tree.element_size()
    if isinstance(tree, dict):
        return sum(tensor_bytes(value) for value in tree.values())
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-glove", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    texts, labels = load_or_exit("trec", "trec_train.csv")
    params = dict(max_epochs=2, random_state=0)
    report(
        "make_rnn_pipeline(), TREC-6 train",
        make_rnn_pipeline(**params).fit(texts, labels),
    )
    if args.skip_glove or not GLOVE.exists():
        print(f"\nskipped: GloVe ({GLOVE})")
        return
    report(
        f'make_rnn_pipeline(vectors="{GLOVE.name}"), TREC-6 train',
        make_rnn_pipeline(vectors=str(GLOVE), **params).fit(texts, labels),
    )
    # the loaded object is a parameter, so it is saved with the pipeline
    for max_words in (None, 100_000):
        vectors = load_word_vectors(GLOVE, max_words=max_words)
        report(
            f"make_rnn_pipeline(vectors=load_word_vectors(..., "
            f"max_words={max_words})), TREC-6 train",
            make_rnn_pipeline(vectors=vectors, **params).fit(texts, labels),
        )


if __name__ == "__main__":
    main()
