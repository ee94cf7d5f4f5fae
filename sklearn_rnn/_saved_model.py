"""The model files of ``sklearn-rnn fit``: a skops file with a record of how
the model was made.

:func:`save_model` writes a fitted pipeline with
:func:`sklearn_rnn.persistence.dump` (so ``sklearn_rnn.persistence.load``
reads it too) and adds one JSON member, :data:`RECORD`: the package and
library versions, the model's name and parameters, its classes, the column
names, the training file's size and SHA-256 fingerprint, and a SHA-256 of
the skops content. :func:`load_model` reads that record first, with the
standard library only, and refuses -- in one line saying what to do -- a
file that is not a zip archive or is truncated, one that holds no record (a
foreign file), one written by another version of the package, one whose
content no longer matches its fingerprint (changed after it was saved), one
that asks for a type outside :data:`~sklearn_rnn.persistence.TRUSTED_TYPES`,
and a model whose weights hold NaN or infinite values (it would predict one
class for everything).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import zipfile
from importlib import metadata

from . import __version__

__all__ = ["ModelFileError", "RECORD", "save_model", "load_model", "file_sha256"]

#: The member of the zip archive that holds the record.
RECORD = "sklearn_rnn_model.json"

#: What the record's ``format`` says, and the version of its layout.
FORMAT = "sklearn-rnn model"
FORMAT_VERSION = 1

#: The libraries whose versions the record keeps.
LIBRARIES = ("torch", "skorch", "scikit-learn", "numpy", "skops", "hmmlearn")


class ModelFileError(ValueError):
    """A model file that cannot be used; the message says why, in one line."""


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, read in blocks of 1 MiB."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _library_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _content_sha256(archive: zipfile.ZipFile) -> str:
    """SHA-256 of every member but the record: names and uncompressed bytes."""
    digest = hashlib.sha256()
    for name in sorted(archive.namelist()):
        if name == RECORD:
            continue
        digest.update(name.encode("utf-8") + b"\0")
        with archive.open(name) as member:
            for block in iter(lambda: member.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _plain(value):
    """A parameter's value as JSON: itself when it is plain data, else its repr."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple) and all(
        v is None or isinstance(v, bool | int | float | str) for v in value
    ):
        return list(value)
    return repr(value)


def _parameters(model) -> dict:
    """The model's parameters (deep), the estimators themselves left out."""
    return {
        key: _plain(value)
        for key, value in sorted(model.get_params(deep=True).items())
        if not hasattr(value, "get_params")
        and key not in ("steps", "memory", "transform_input")
    }


def make_record(
    model,
    *,
    name: str,
    text_column: str,
    label_column: str,
    training_file: str | None,
    source: str,
    n_documents: int,
    seed: int | None,
) -> dict:
    """The record :func:`save_model` stores beside a fitted ``model``."""
    training = {"source": source, "n_documents": int(n_documents)}
    if training_file is not None:
        training.update(
            path=os.path.abspath(training_file),
            size=os.path.getsize(training_file),
            sha256=file_sha256(training_file),
        )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "sklearn_rnn": __version__,
        "libraries": _library_versions(),
        "model": name,
        "seed": seed,
        "parameters": _parameters(model),
        "classes": [c.item() if hasattr(c, "item") else c for c in model.classes_],
        "text_column": text_column,
        "label_column": label_column,
        "training": training,
    }


def save_model(model, file, record: dict) -> None:
    """Write ``model`` and ``record`` as one skops file to the binary ``file``."""
    from .persistence import dump

    buffer = io.BytesIO()
    dump(model, buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        record = dict(record, content_sha256=_content_sha256(archive))
        archive.writestr(RECORD, json.dumps(record, indent=1, ensure_ascii=False))
    file.write(buffer.getbuffer())


def read_record(path: str) -> dict:
    """The record of a model file, checked; the model itself is not built."""
    where = f"--model '{path}'"
    if not os.path.isfile(path):
        raise ModelFileError(f"{where}: no such file.")
    try:
        with zipfile.ZipFile(path) as archive:
            if RECORD not in archive.namelist():
                raise ModelFileError(
                    f"{where} is not a model saved by sklearn-rnn (it holds no "
                    f"{RECORD}); save one with sklearn-rnn fit --save. A skops "
                    "file of your own loads with sklearn_rnn.persistence.load."
                )
            record = json.loads(archive.read(RECORD))
            if not isinstance(record, dict) or record.get("format") != FORMAT:
                raise ModelFileError(f"{where} is not a model saved by sklearn-rnn.")
            _check_version(record, where)
            if record.get("content_sha256") != _content_sha256(archive):
                raise ModelFileError(
                    f"{where} was changed after it was saved: its content does not "
                    "match the fingerprint it records; train the model again."
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, UnicodeError) as exc:
        raise ModelFileError(
            f"{where} is not a model file of sklearn-rnn, or it is truncated or "
            f"damaged ({' '.join(str(exc).split()) or type(exc).__name__})."
        ) from None
    except json.JSONDecodeError:
        raise ModelFileError(f"{where}: its {RECORD} is damaged.") from None
    return record


def _check_version(record: dict, where: str) -> None:
    saved = record.get("sklearn_rnn")
    if record.get("format_version") != FORMAT_VERSION or saved != __version__:
        raise ModelFileError(
            f"{where} was saved by sklearn-rnn {saved}, this is {__version__}: "
            f"use it with sklearn-rnn {saved} (pip install sklearn-rnn=={saved}), "
            "or train it again with this version (sklearn-rnn fit)."
        )


def library_changes(record: dict) -> str | None:
    """A line naming the libraries whose version differs from the record's."""
    now = _library_versions()
    changed = [
        f"{name} {then} (now {now.get(name)})"
        for name, then in record.get("libraries", {}).items()
        if name != "python" and then != now.get(name)
    ]
    if not changed:
        return None
    return (
        f"the model was saved with {', '.join(changed)}; its predictions may "
        "differ slightly: train it again with these versions to be sure."
    )


def non_finite_weights(model) -> str | None:
    """The name of the first weight of ``model`` that holds NaN or inf, or None."""
    import numpy as np

    steps = getattr(model, "steps", [("model", model)])
    for step, estimator in steps:
        module = getattr(getattr(estimator, "net_", None), "module_", None)
        if module is not None:
            for name, weight in module.named_parameters():
                if not bool(weight.detach().isfinite().all()):
                    return f"{step}.{name}"
        holders = [(step, estimator)]
        for key, value in vars(estimator).items():
            if isinstance(value, list | tuple):  # e.g. one HMM per class
                holders += [
                    (f"{step}.{key}[{i}]", v)
                    for i, v in enumerate(value)
                    if hasattr(v, "__dict__")
                ]
        for where, holder in holders:
            for key, value in vars(holder).items():
                if (
                    isinstance(value, np.ndarray)
                    and value.dtype.kind in "fc"
                    and np.isnan(value).any()
                ):
                    return f"{where}.{key}"
    return None


def load_model(path: str) -> tuple[object, dict]:
    """The model of a file of :func:`save_model`, and its record.

    Raises
    ------
    ModelFileError
        For the files the module's docstring lists, with one line saying
        what is wrong and what to do.
    """
    record = read_record(path)
    where = f"--model '{path}'"
    from skops.io.exceptions import UntrustedTypesFoundException

    from .persistence import load

    try:
        model = load(path)
    except UntrustedTypesFoundException as exc:
        message = " ".join(str(exc).split())
        raise ModelFileError(f"{where} is refused: {message}") from None
    except Exception as exc:  # a schema that builds nothing sensible
        raise ModelFileError(
            f"{where} could not be read: {type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:300]}"
        ) from None
    bad = non_finite_weights(model)
    if bad is not None:
        raise ModelFileError(
            f"{where}: the weights {bad} hold NaN or infinite values, so the model "
            "would predict one class for everything; train it again."
        )
    return model, record

