"""``python -m sklearn_rnn``: the same as the ``sklearn-rnn`` command."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
