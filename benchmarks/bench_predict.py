"""Throughput of ``sklearn-rnn predict``, model load time, start-up time and
the memory of predicting a 1,000,000-row file.

Models (fitted on SST-2 sentences, ``../shared/data/sst2``, or on
``make_order_sentiment`` where it is absent): bag of words with naive Bayes,
the default LSTM and, with ``../shared/data/glove``, the GloVe LSTM. For
each, in one run and one process per measurement:

- the size of the model file and its load time (``load_model``: record,
  fingerprint, trusted types, weight check);
- documents per second of the ``predict`` command's work in this process
  (chunks of 1,000 rows: pipeline.predict), one thread;
- the wall time of ``sklearn-rnn predict`` on the test file in a fresh
  interpreter (start-up and load included), and fastText's ``predict`` on
  the same documents where the ``fasttext`` command is installed;

then the start-up time of ``sklearn-rnn predict --help`` against
``sklearn-rnn --help`` (median of several), and, with ``--memory-rows N``,
the peak memory (max RSS) of ``sklearn-rnn predict`` on an N-row file
against that of a process that only loads the model: the target is at most
300 MB more.

    python benchmarks/bench_predict.py                    # the full run
    python benchmarks/bench_predict.py --max-epochs 1 --n-predict 2000 \\
        --models bow_nb,lstm --memory-rows 100000         # reduced
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import GLOVE, SHARED_DATA  # noqa: E402


def _cli() -> list[str]:
    script = shutil.which("sklearn-rnn")
    return [script] if script else [sys.executable, "-m", "sklearn_rnn"]


def _data(n_train: int | None):
    from sklearn_rnn.datasets import load_text_csv, make_order_sentiment

    train = SHARED_DATA / "sst2" / "sst2_train_sentences.csv"
    test = SHARED_DATA / "sst2" / "sst2_dev.csv"
    if train.exists() and test.exists():
        X, y = load_text_csv(train)
        X_test, _ = load_text_csv(test)
        source = "SST-2 sentences -> dev"
    else:
        X, y = make_order_sentiment(4000, random_state=0)
        X_test, _ = make_order_sentiment(1000, random_state=1)
        source = "make_order_sentiment(4000) -> (1000)"
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    return X, y, X_test, source


def _model(name: str, max_epochs: int | None):
    from sklearn_rnn.compare import default_models

    vectors = str(GLOVE) if name.endswith("_vectors") else None
    model = default_models(max_epochs=max_epochs, random_state=0, vectors=vectors)
    return model[name]


def _peak_rss_mb(command: list[str]) -> tuple[float, float]:
    """Wall seconds and max RSS (MB) of a command run in a child process."""
    code = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "wall = time.perf_counter() - start\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(done.returncode, wall, rss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *command], capture_output=True, text=True
    )
    status, wall, rss = out.stdout.split()
    if status != "0":
        raise SystemExit(f"failed: {' '.join(command)}")
    return float(wall), float(rss)


def _median_wall(command: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="bow_nb,lstm,lstm_vectors")
    parser.add_argument("--n-train", type=int, default=None)
    parser.add_argument("--n-predict", type=int, default=None)
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--memory-model", default="lstm")
    args = parser.parse_args()

    import torch

    from sklearn_rnn._saved_model import load_model, make_record, save_model

    torch.set_num_threads(1)
    X, y, X_test, source = _data(args.n_train)
    if args.n_predict is not None:
        X_test = (X_test * (args.n_predict // len(X_test) + 1))[: args.n_predict]
    folder = Path(tempfile.mkdtemp(prefix="bench_predict."))
    test_csv = folder / "test.csv"
    pd.DataFrame({"text": X_test}).to_csv(test_csv, index=False)
    print(f"data: {source}; {len(X)} training, {len(X_test)} predicted documents")
    print(f"torch threads: {torch.get_num_threads()}\n")
    names = args.models.split(",")
    if not (SHARED_DATA / "glove").exists() and "lstm_vectors" in names:
        print("skipped lstm_vectors: no ../shared/data/glove")
        names.remove("lstm_vectors")
    rows, files = [], {}
    for name in names:
        model = _model(name, args.max_epochs)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        fit_s = time.perf_counter() - start
        path = folder / f"{name}.skops"
        record = make_record(
            model,
            name=name,
            text_column="text",
            label_column="label",
            training_file=None,
            source=source,
            n_documents=len(X),
            seed=0,
        )
        with open(path, "wb") as file:
            save_model(model, file, record)
        files[name] = path
        start = time.perf_counter()
        loaded, _ = load_model(str(path))
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(0, len(X_test), 1000):
            loaded.predict(X_test[i : i + 1000])
        predict_s = time.perf_counter() - start
        command = [*_cli(), "predict", "--model", str(path), "--csv", str(test_csv)]
        wall, _ = _peak_rss_mb([*command, "--output", str(folder / "out.csv")])
        rows.append(
            {
                "model": name,
                "fit s": round(fit_s, 1),
                "file MB": round(path.stat().st_size / 1e6, 2),
                "load s": round(load_s, 3),
                "docs/s in process": round(len(X_test) / predict_s),
                "command wall s": round(wall, 2),
                "command docs/s": round(len(X_test) / wall),
            }
        )
    fasttext = shutil.which("fasttext")
    if fasttext is None:
        print("fastText: the fasttext command is not installed; no row for it\n")
    print(pd.DataFrame(rows).set_index("model").to_string(), "\n")

    help_s = _median_wall([*_cli(), "--help"], args.repeats)
    predict_help_s = _median_wall([*_cli(), "predict", "--help"], args.repeats)
    print(f"start-up, median of {args.repeats}: sklearn-rnn --help {help_s:.3f} s, ")
    print(
        f"  sklearn-rnn predict --help {predict_help_s:.3f} s "
        f"(ratio {predict_help_s / help_s:.2f})\n"
    )

    if args.memory_rows and args.memory_model in files:
        path = files[args.memory_model]
        big = folder / "big.csv"
        reps = args.memory_rows // len(X_test) + 1
        texts = np.array(X_test, dtype=object)
        with open(big, "w", encoding="utf-8") as out:
            pd.DataFrame({"text": texts[:0]}).to_csv(out, index=False)
            written = 0
            for _ in range(reps):
                take = min(len(texts), args.memory_rows - written)
                if take <= 0:
                    break
                chunk = pd.DataFrame({"text": texts[:take]})
                chunk.to_csv(out, index=False, header=False)
                written += take
        load_only = (
            "import sys\nfrom sklearn_rnn._saved_model import load_model\n"
            "load_model(sys.argv[1])\n"
        )
        _, loaded_rss = _peak_rss_mb([sys.executable, "-c", load_only, str(path)])
        command = [*_cli(), "predict", "--model", str(path), "--csv", str(big)]
        command += ["--output", str(folder / "big_out.csv")]
        wall, predict_rss = _peak_rss_mb(command)
        print(
            f"memory, {args.memory_model} on {written:,} rows "
            f"({big.stat().st_size / 1e6:.0f} MB): predict peak RSS "
            f"{predict_rss:.0f} MB, a process that only loads the model "
            f"{loaded_rss:.0f} MB: +{predict_rss - loaded_rss:.0f} MB "
            f"(target <= +300 MB); {wall:.0f} s, {written / wall:.0f} docs/s"
        )
    shutil.rmtree(folder)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
