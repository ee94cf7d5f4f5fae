"""Start-up time of the command line against ``python -c "import sklearn"``.

``sklearn-rnn --help`` and bad arguments must answer before PyTorch is
imported. Each command runs in a fresh interpreter, all of them interleaved
in one run (several repeats, median wall time); the ratio is to the time of
importing scikit-learn alone. ``import torch`` is shown for scale: it is what
every call paid before the command line learned to import it last.

    python benchmarks/bench_cli_startup.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def commands() -> dict[str, list[str]]:
    """Label -> command line; the console script if installed, else ``-m``."""
    script = shutil.which("sklearn-rnn")
    cli = [script] if script else [sys.executable, "-m", "sklearn_rnn"]
    name = "sklearn-rnn" if script else "python -m sklearn_rnn"
    return {
        'python -c "import sklearn"': [sys.executable, "-c", "import sklearn"],
        f"{name} --help": [*cli, "--help"],
        f"{name} predict --help": [*cli, "predict", "--help"],
        f"{name} compare --cv 1  (usage error)": [*cli, "compare", "--cv", "1"],
        f"{name} compare --models cnn  (bad name)": [
            *cli,
            "compare",
            "--models",
            "cnn",
        ],
        'python -c "import torch"': [sys.executable, "-c", "import torch"],
    }


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    runs = commands()
    times: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(args.repeats):
        for label, command in runs.items():
            times[label].append(timed(command))
    medians = {label: statistics.median(values) for label, values in times.items()}
    reference = medians['python -c "import sklearn"']
    width = max(map(len, medians))
    print(f"median of {args.repeats} runs, each in a fresh interpreter")
    print(f"{'command':<{width}}  {'seconds':>7}  {'x import sklearn':>16}")
    for label, median in medians.items():
        print(f"{label:<{width}}  {median:7.3f}  {median / reference:16.2f}")


if __name__ == "__main__":
    main()
