"""Tests for the saved-model commands: fit, compare --save-best, predict, evaluate."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_rnn.cli import main
from sklearn_rnn.datasets import make_order_sentiment

#: A tiny LSTM of the comparison, quick to fit.
TINY_LSTM = [
    "--set", "classifier__hidden_size=8",
    "--set", "classifier__embedding_dim=8",
    "--set", "classifier__max_epochs=2",
]  # fmt: skip


def _one_error(capsys, *fragments: str) -> str:
    """The command's only line on stderr, an error holding every fragment."""
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sklearn-rnn: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return out


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("data")
    X, y = make_order_sentiment(120, random_state=0)
    pd.DataFrame({"review": X, "stars": y}).to_csv(folder / "train.csv", index=False)
    X_new, y_new = make_order_sentiment(30, random_state=1)
    new = pd.DataFrame({"id": range(30), "review": X_new, "stars": y_new})
    new.to_csv(folder / "new.csv", index=False)
    return {"folder": folder, "train": folder / "train.csv", "new": folder / "new.csv"}


def _fit(data, name: str, *extra: str) -> Path:
    path = data["folder"] / f"{name}.skops"
    argv = ["fit", "--csv", str(data["train"]), "--text-column", "review"]
    argv += ["--label-column", "stars", "--model", name, "--save", str(path)]
    assert main([*argv, "--quiet", *extra]) == 0
    return path


@pytest.fixture(scope="module")
def nb_model(data) -> Path:
    return _fit(data, "bow_nb")


@pytest.fixture(scope="module")
def lstm_model(data) -> Path:
    return _fit(data, "lstm", "--seed", "3", *TINY_LSTM)


def _predict(capsys, model: Path, *argv: str) -> pd.DataFrame:
    assert main(["predict", "--model", str(model), *argv]) == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)


# -- the target: the command line gives the predictions of Python --------------------


@pytest.mark.parametrize("name", ["bow_nb", "lstm"])
def test_fit_save_predict_gives_the_predictions_of_the_same_pipeline_in_python(
    name, data, nb_model, lstm_model, capsys
):
    from sklearn_rnn.compare import default_models

    model = {"bow_nb": nb_model, "lstm": lstm_model}[name]
    train = pd.read_csv(data["train"])
    new = pd.read_csv(data["new"])
    pipe = default_models(random_state=3 if name == "lstm" else 0)[name]
    if name == "lstm":
        pipe.set_params(
            classifier__hidden_size=8,
            classifier__embedding_dim=8,
            classifier__max_epochs=2,
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the CLI reports them as lines
        pipe.fit(train["review"].tolist(), train["stars"].to_numpy())
    out = _predict(capsys, model, "--csv", str(data["new"]), "--proba")
    texts = new["review"].tolist()
    assert out["prediction"].tolist() == pipe.predict(texts).tolist()
    proba = out[["proba_0", "proba_1"]].to_numpy()
    np.testing.assert_allclose(proba, pipe.predict_proba(texts), rtol=0, atol=1e-12)
    plain = _predict(capsys, model, "--csv", str(data["new"]))
    assert plain["prediction"].tolist() == pipe.predict(texts).tolist()


def test_the_file_records_versions_parameters_classes_columns_and_training_file(
    data, lstm_model
):
    import sklearn
    import torch

    import sklearn_rnn
    from sklearn_rnn.persistence import load

    with zipfile.ZipFile(lstm_model) as archive:
        record = json.loads(archive.read("sklearn_rnn_model.json"))
    assert record["format"] == "sklearn-rnn model"
    assert record["sklearn_rnn"] == sklearn_rnn.__version__
    assert record["libraries"]["torch"] == torch.__version__
    assert record["libraries"]["scikit-learn"] == sklearn.__version__
    assert record["model"] == "lstm" and record["seed"] == 3
    assert record["parameters"]["classifier__hidden_size"] == 8
    assert record["parameters"]["classifier__random_state"] == 3
    assert record["classes"] == [0, 1]
    assert (record["text_column"], record["label_column"]) == ("review", "stars")
    training = record["training"]
    assert training["sha256"] == hashlib.sha256(data["train"].read_bytes()).hexdigest()
    assert training["size"] == data["train"].stat().st_size
    assert training["n_documents"] == 120
    # a plain skops file of the package: its trusted types load it
    assert load(lstm_model).predict(["the film is good"]).shape == (1,)


# -- model files that are refused ---------------------------------------------------


def _rewrite(source: Path, target: Path, change) -> None:
    """Copy a zip archive, each member's bytes passed through change(name, data)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, change(name, old.read(name)))


def _other_version(name: str, content: bytes) -> bytes:
    if name != "sklearn_rnn_model.json":
        return content
    return json.dumps(dict(json.loads(content), sklearn_rnn="9.9.9")).encode()


def _tampered(name: str, content: bytes) -> bytes:
    if name != "schema.json":
        return content
    return content + b" "  # one byte more: the same model, a changed file


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing", "no such file"),
        ("not_a_zip", "is not a model file of sklearn-rnn, or it is truncated"),
        ("truncated", "is not a model file of sklearn-rnn, or it is truncated"),
        ("foreign_skops", "is not a model saved by sklearn-rnn (it holds no"),
        ("other_version", "was saved by sklearn-rnn 9.9.9, this is"),
        ("tampered", "was changed after it was saved"),
        ("untrusted_type", "is refused: Untrusted types found in the file: "
         "['builtins.print']"),
        ("nan_weights", "hold NaN or infinite values"),
    ],
)
def test_a_model_file_that_cannot_be_used_is_one_line_and_nothing_is_written(
    case, expected, data, nb_model, tmp_path, capsys
):
    import skops.io

    bad = tmp_path / "bad.skops"
    if case == "not_a_zip":
        bad.write_bytes(b"\x80\x04not a model at all")
    elif case == "truncated":
        bad.write_bytes(nb_model.read_bytes()[: nb_model.stat().st_size // 2])
    elif case == "foreign_skops":
        from sklearn_rnn import make_bow_pipeline

        skops.io.dump(make_bow_pipeline("nb"), bad)
    elif case == "other_version":
        _rewrite(nb_model, bad, _other_version)
    elif case == "tampered":
        _rewrite(nb_model, bad, _tampered)
    elif case in ("untrusted_type", "nan_weights"):
        from sklearn_rnn._saved_model import load_model, save_model

        model, record = load_model(str(nb_model))
        if case == "untrusted_type":
            model = {"sink": print}
        else:
            model[-1].feature_log_prob_[0, 3] = np.nan
        with open(bad, "wb") as file:
            save_model(model, file, record)
    output = tmp_path / "out.csv"
    argv = ["--model", str(bad), "--csv", str(data["new"]), "--output", str(output)]
    assert main(["predict", *argv]) == 2
    _one_error(capsys, f"--model '{bad}'", expected)
    assert not output.exists()
    if case not in ("missing",):
        assert main(["evaluate", *argv]) == 2
        _one_error(capsys, expected)
        assert main(["explain", "--model", str(bad), "a film"]) == 2
        _one_error(capsys, expected)


def test_new_library_versions_are_one_warning_line(data, nb_model, tmp_path, capsys):
    def older_torch(name: str, content: bytes) -> bytes:
        if name != "sklearn_rnn_model.json":
            return content
        record = json.loads(content)
        record["libraries"]["torch"] = "1.0.0"
        return json.dumps(record).encode()

    model = tmp_path / "old.skops"
    _rewrite(nb_model, model, older_torch)
    assert main(["predict", "--model", str(model), "--csv", str(data["new"])]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("sklearn-rnn: warning: --model")
    assert "saved with torch 1.0.0 (now " in err[0]


# -- fit: bad input --------------------------------------------------------------


@pytest.mark.parametrize(
    "settings, expected",
    [
        (["classifier__hiden_size=8"], "--set classifier__hiden_size: model 'lstm' "
         "has no parameter 'classifier__hiden_size'; did you mean "
         "classifier__hidden_size"),
        (["classifier__hidden_size=big"], "--set classifier__hidden_size=big: The "
         "'hidden_size' parameter of RNNClassifier must be"),
        (["classifier__dropout=2.0"], "'dropout' parameter of RNNClassifier"),
    ],
)
def test_a_bad_set_is_one_line_before_any_fit(
    settings, expected, data, tmp_path, monkeypatch, capsys
):
    from sklearn_rnn.classifier import RNNClassifier

    def no_fit(*args, **kwargs):
        raise AssertionError("fitted")

    monkeypatch.setattr(RNNClassifier, "fit", no_fit)
    save = tmp_path / "m.skops"
    argv = ["fit", "--csv", str(data["train"]), "--text-column", "review"]
    argv += ["--label-column", "stars", "--model", "lstm", "--save", str(save)]
    for setting in settings:
        argv += ["--set", setting]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and expected in err, err
    assert not save.exists()


def test_set_without_equals_is_a_usage_error(data, capsys):
    argv = ["fit", "--csv", str(data["train"]), "--model", "lstm", "--save", "m"]
    assert main([*argv, "--set", "hidden_size"]) == 2
    err = capsys.readouterr().err
    assert "usage: sklearn-rnn fit" in err
    assert "error: argument --set: expected NAME=VALUE, got 'hidden_size'" in err


def test_set_reads_python_literals(data, tmp_path, capsys):
    settings = ["vectorizer__ngram_range=(1, 2)", "classifier__C=0.5"]
    settings.append("vectorizer__lowercase=False")
    model = _fit(data, "bow_logreg", *[f"--set={s}" for s in settings])
    from sklearn_rnn.persistence import load

    params = load(model).get_params()
    assert params["vectorizer__ngram_range"] == (1, 2)
    assert params["classifier__C"] == 0.5 and params["vectorizer__lowercase"] is False


@pytest.mark.parametrize(
    "extra, expected",
    [
        (["--model", "cnn"], "Unknown model name(s) 'cnn'"),
        (["--model", "lstm_vectors"], "need pretrained vectors"),
        (["--text-column", "body"], "Column 'body' not found"),
        (["--save", "{train}"], "--save '{train}' is the same file as --csv"),
    ],
)
def test_fit_bad_input_is_one_line(extra, expected, data, tmp_path, capsys):
    train = str(data["train"])
    argv = ["fit", "--csv", train, "--text-column", "review", "--label-column"]
    argv += ["stars", "--model", "bow_nb", "--save", str(tmp_path / "m.skops")]
    before = data["train"].read_bytes()
    assert main([*argv, *[e.format(train=train) for e in extra]]) == 2
    _one_error(capsys, expected.format(train=train))
    assert data["train"].read_bytes() == before


def test_compare_save_best_saves_the_winner_fitted_on_all_the_data(
    data, tmp_path, capsys
):
    from sklearn_rnn import make_bow_pipeline, make_hmm_pipeline

    best = tmp_path / "best.skops"
    argv = ["compare", "--csv", str(data["train"]), "--text-column", "review"]
    argv += ["--label-column", "stars", "--models", "bow_nb,hmm", "--cv", "2"]
    assert main([*argv, "--save-best", str(best), "--quiet"]) == 0
    winner = capsys.readouterr().out.splitlines()[1].split()[0]
    with zipfile.ZipFile(best) as archive:
        record = json.loads(archive.read("sklearn_rnn_model.json"))
    assert record["model"] == winner and record["training"]["n_documents"] == 120
    train = pd.read_csv(data["train"])
    pipe = {"bow_nb": make_bow_pipeline("nb"), "hmm": make_hmm_pipeline(random_state=0)}
    pipe = pipe[winner].fit(train["review"].tolist(), train["stars"].to_numpy())
    out = _predict(capsys, best, "--csv", str(data["new"]))
    new = pd.read_csv(data["new"])
    assert out["prediction"].tolist() == pipe.predict(new["review"].tolist()).tolist()


# -- predict ---------------------------------------------------------------------


def test_predict_keeps_the_input_columns_and_adds_the_prediction(
    data, nb_model, capsys
):
    out = _predict(capsys, nb_model, "--csv", str(data["new"]))
    new = pd.read_csv(data["new"], keep_default_na=False)
    assert list(out.columns) == ["id", "review", "stars", "prediction"]
    pd.testing.assert_frame_equal(out[new.columns], new)


def test_predict_top_k_orders_the_classes_by_probability(data, nb_model, capsys):
    top = _predict(capsys, nb_model, "--csv", str(data["new"]), "--top-k", "2")
    proba = _predict(capsys, nb_model, "--csv", str(data["new"]), "--proba")
    assert (top["proba_1"] >= top["proba_2"]).all()
    assert top["label_1"].tolist() == top["prediction"].tolist()
    expected = proba[["proba_0", "proba_1"]].max(axis=1)
    np.testing.assert_allclose(top["proba_1"], expected)


def test_predict_reads_standard_input_one_document_per_line(
    nb_model, monkeypatch, capsys
):
    from sklearn_rnn.persistence import load

    lines = ["the film is good", "", "not a good film at all"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    out = _predict(capsys, nb_model, "-", "--top-k", "1")
    assert list(out.columns) == ["prediction", "label_1", "proba_1"]
    assert out["prediction"].tolist() == load(nb_model).predict(lines).tolist()


def test_predict_streams_its_input_in_chunks(data, nb_model, monkeypatch, capsys):
    from sklearn.pipeline import Pipeline

    whole = _predict(capsys, nb_model, "--csv", str(data["new"]))
    sizes = []
    real = Pipeline.predict

    def predict(self, X, **kwargs):
        sizes.append(len(X))
        return real(self, X, **kwargs)

    monkeypatch.setattr(Pipeline, "predict", predict)
    chunked = _predict(capsys, nb_model, "--csv", str(data["new"]), "--chunk-size", "7")
    assert sizes == [7, 7, 7, 7, 2]
    pd.testing.assert_frame_equal(chunked, whole)


def test_predict_shows_progress_on_a_terminal_only(data, nb_model, monkeypatch, capsys):
    argv = ["predict", "--model", str(nb_model), "--csv", str(data["new"])]
    argv += ["--chunk-size", "10", "--output", str(data["folder"] / "p.csv")]
    assert main(argv) == 0
    assert "documents" not in capsys.readouterr().err.replace("predictions", "")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "\rsklearn-rnn: 10 documents\rsklearn-rnn: 20 documents" in err
    assert "Wrote 30 predictions to" in err


@pytest.mark.parametrize(
    "case, expected",
    [
        ("neither", "predict reads either --csv PATH or -"),
        ("top_k", "--top-k 3: the model knows only 2 classes"),
        ("no_column", "Column 'review' not found"),
        ("header_only", "holds no documents"),
        ("empty_file", "is empty"),
        ("empty_stdin", "The input stdin holds no documents"),
        ("output_is_csv", "--output '{new}' is the same file as --csv"),
        ("output_is_model", "--output '{model}' is the same file as --model"),
        ("prediction_column", "already has a column 'prediction'"),
    ],
)
def test_predict_bad_input_is_one_line_and_nothing_is_written(
    case, expected, data, nb_model, tmp_path, monkeypatch, capsys
):
    new, model = str(data["new"]), str(nb_model)
    output = str(tmp_path / "out.csv")
    argv = {
        "neither": [],
        "top_k": ["--csv", new, "--top-k", "3"],
        "no_column": ["--csv", str(tmp_path / "t.csv")],
        "header_only": ["--csv", str(tmp_path / "h.csv")],
        "empty_file": ["--csv", str(tmp_path / "e.csv")],
        "empty_stdin": ["-"],
        "output_is_csv": ["--csv", new],
        "output_is_model": ["--csv", new],
        "prediction_column": ["--csv", str(tmp_path / "p.csv")],
    }[case]
    (tmp_path / "t.csv").write_text("text\na film\n")
    (tmp_path / "h.csv").write_text("review,stars\n")
    (tmp_path / "e.csv").write_text("")
    (tmp_path / "p.csv").write_text("review,prediction\na film,1\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    if case == "output_is_csv":
        output = new
    elif case == "output_is_model":
        output = model
    before = {path: Path(path).read_bytes() for path in (new, model)}
    assert main(["predict", "--model", model, *argv, "--output", output]) == 2
    _one_error(capsys, expected.format(new=new, model=model))
    assert {path: Path(path).read_bytes() for path in before} == before
    assert case in ("output_is_csv", "output_is_model") or not os.path.exists(output)


# -- evaluate --------------------------------------------------------------------


def test_evaluate_prints_and_writes_the_scores(data, nb_model, tmp_path, capsys):
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    from sklearn_rnn.persistence import load
    from sklearn_rnn.stats import wilson_interval

    output = tmp_path / "scores.csv"
    argv = ["evaluate", "--model", str(nb_model), "--csv", str(data["new"])]
    assert main([*argv, "--output", str(output), "--quiet"]) == 0
    out = capsys.readouterr().out
    new = pd.read_csv(data["new"])
    predicted = load(nb_model).predict(new["review"].tolist())
    accuracy = accuracy_score(new["stars"], predicted)
    low, high = wilson_interval(int(round(accuracy * len(new))), len(new))
    assert out.startswith(
        f"accuracy  {accuracy:.3f}  (95% Wilson interval {low:.3f}-{high:.3f}, "
        "30 documents)\n"
        f"macro-F1  {f1_score(new['stars'], predicted, average='macro'):.3f}\n"
    )
    assert "confusion matrix (rows: true class, columns: predicted class)" in out
    table = pd.read_csv(output, index_col="class")
    assert list(table.index) == ["0", "1", "macro avg", "accuracy"]
    counts = table.loc[["0", "1"], ["predicted 0", "predicted 1"]].to_numpy()
    np.testing.assert_array_equal(counts, confusion_matrix(new["stars"], predicted))
    assert table.loc["accuracy", "f1"] == pytest.approx(accuracy)
    assert table.loc["accuracy", "ci_low"] == pytest.approx(low)


def test_evaluate_warns_of_a_class_the_model_never_saw(nb_model, tmp_path, capsys):
    test = tmp_path / "test.csv"
    test.write_text("review,stars\nthe film is good,1\na new kind of text,7\n")
    assert main(["evaluate", "--model", str(nb_model), "--csv", str(test)]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "sklearn-rnn: warning: Test data has class 7 (1 document) never seen in "
        "training; the model gets it wrong."
    ]
    assert "\n7 " in out.split("confusion matrix")[1]


# -- the comparison's stacks, named only on request --------------------------------


def test_fit_saves_a_stack_that_predicts_as_in_python_and_checks_its_members(
    data, tmp_path, capsys
):
    from sklearn_rnn.compare import _check_models

    model = _fit(data, "stack_bow", "--set", "nb__classifier__alpha=0.5")
    train = pd.read_csv(data["train"])
    texts = pd.read_csv(data["new"])["review"].tolist()
    stack = _check_models(["stack_bow"], 0)["stack_bow"]
    stack.set_params(nb__classifier__alpha=0.5)
    stack.fit(train["review"].tolist(), train["stars"].to_numpy())
    out = _predict(capsys, model, "--csv", str(data["new"]), "--proba")
    assert out["prediction"].tolist() == stack.predict(texts).tolist()
    proba = out[["proba_0", "proba_1"]].to_numpy()
    np.testing.assert_allclose(proba, stack.predict_proba(texts), rtol=0, atol=1e-12)
    # a member's parameter is checked by name and value, as a step's is
    save = tmp_path / "bad.skops"
    argv = ["fit", "--csv", str(data["train"]), "--text-column", "review"]
    argv += ["--label-column", "stars", "--model", "stack_bow", "--save", str(save)]
    assert main([*argv, "--set", "nb__alpha=1"]) == 2
    _one_error(capsys, "no parameter 'nb__alpha'", "nb__classifier__alpha", "bigrams")
    assert main([*argv, "--set", "nb__classifier__alpha=-1"]) == 2
    _one_error(capsys, "nb__classifier__alpha=-1", "'alpha' parameter of MultinomialNB")
    assert not save.exists()
    # explain reads a stack by occlusion
    assert main(["explain", "--model", str(model), "a film"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "occlusion" in out[0] and [line.split("\t")[1] for line in out[1:]] == [
        "a",
        "film",
    ]
