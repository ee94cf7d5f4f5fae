"""Which words drove a prediction: per-token attributions of a fitted pipeline.

:func:`explain` scores every token of one document by how much it pushes the
pipeline towards a class. For the recurrent classifier pipelines
(:func:`~sklearn_rnn.make_rnn_pipeline`) the scores are integrated gradients
(Sundararajan et al., 2017) of the class probability with respect to the
embedding layer, summed over the embedding dimensions, computed by Captum's
``LayerIntegratedGradients`` (``pip install "sklearn-rnn[explain]"``) from
the padding embedding as the baseline; they add up to the probability of
the document minus that of a document of padding of the same length. For
the bag-of-words pipelines (:func:`~sklearn_rnn.make_bow_pipeline`) a
token's score is the model's weight of that word for the class against the
mean of the other classes (the coefficient of logistic regression, the
log-probability ratio of naive Bayes), shared among the tokens of an n-gram.
Any other fitted classifier of raw text with ``predict_proba`` (the HMM
pipelines, the comparison's stacks) is explained by occlusion: a token's
score is the class probability of the document minus that of the document
without the token (one prediction per token, in batches of a bounded number
of characters).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

__all__ = ["Explanation", "explain"]


@dataclass(frozen=True)
class Explanation:
    """The per-token attributions of one document, from :func:`explain`.

    Attributes
    ----------
    tokens : list of str
        The document's tokens, in order, as the pipeline read them (after
        lower-casing; cut as the pipeline cuts a document that is too long).
    scores : ndarray of shape (n_tokens,)
        One score per token: positive pushes towards :attr:`target`.
    target : object
        The class explained: by default the predicted one.
    probability : float
        The pipeline's probability of :attr:`target` for the document.
    method : str
        ``"integrated gradients"``, ``"coefficients"`` or ``"occlusion"``.
    """

    tokens: list[str]
    scores: np.ndarray
    target: object
    probability: float
    method: str

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` tokens of largest score, with their scores, largest first."""
        order = np.argsort(-self.scores, kind="stable")[:k]
        return [(self.tokens[i], float(self.scores[i])) for i in order]

    def _shades(self) -> np.ndarray:
        """Scores scaled to [-1, 1] by the largest magnitude."""
        largest = np.abs(self.scores).max() if len(self.scores) else 0.0
        return self.scores / largest if largest > 0 else np.zeros_like(self.scores)

    def to_html(self) -> str:
        """A page showing the tokens on green (towards the target) or red
        (against it) backgrounds, as strong as the score."""
        spans = []
        for token, shade, score in zip(self.tokens, self._shades(), self.scores):
            colour = "0, 160, 0" if shade >= 0 else "200, 0, 0"
            spans.append(
                f'<span title="{score:+.4f}" style="background: rgba({colour}, '
                f'{abs(shade):.2f}); padding: 0 2px">{html.escape(token)}</span>'
            )
        title = html.escape(
            f"Why {self.target!r} (probability {self.probability:.3f}), "
            f"by {self.method}"
        )
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{title}</title></head>\n<body>\n<p>{title}: green pushes "
            "towards it, red against.</p>\n<p style=\"font-family: monospace; "
            f'line-height: 1.8">{" ".join(spans)}</p>\n</body></html>\n'
        )

    def to_ansi(self) -> str:
        """The tokens on green or red backgrounds for a terminal (24-bit
        colour escape codes)."""
        shaded = []
        for token, shade in zip(self.tokens, self._shades()):
            fade = int(255 * (1 - abs(shade)))
            rgb = (fade, 255, fade) if shade >= 0 else (255, fade, fade)
            shaded.append(f"\x1b[48;2;{rgb[0]};{rgb[1]};{rgb[2]}m\x1b[30m{token}\x1b[0m")
        return " ".join(shaded)


def _class_index(classes: np.ndarray, target) -> int:
    matches = np.flatnonzero(np.asarray(classes, dtype=object) == target)
    if not matches.size:
        raise ValueError(
            f"target {target!r} is not a class of the model; its classes are "
            f"{', '.join(map(repr, classes.tolist()))}."
        )
    return int(matches[0])


def explain(model, text: str, target=None, *, n_steps: int = 50) -> Explanation:
    """Which tokens of ``text`` pushed ``model`` towards ``target``.

    Parameters
    ----------
    model : estimator
        A fitted classifier that takes raw text. A recurrent classifier after
        a :class:`~sklearn_rnn.VocabularyIndexer` (and a
        :class:`~sklearn_rnn.SequencePadder`), as
        :func:`~sklearn_rnn.make_rnn_pipeline` builds, is explained by
        integrated gradients; a
        :class:`~sklearn.feature_extraction.text.CountVectorizer` and a
        linear classifier or naive Bayes, as
        :func:`~sklearn_rnn.make_bow_pipeline` builds, by its coefficients;
        any other with ``predict_proba`` and ``classes_`` (an HMM pipeline,
        a :func:`~sklearn_rnn.stacked_model`) by occlusion, each token of
        the package's tokenizer (:data:`~sklearn_rnn.text.DEFAULT_TOKEN_PATTERN`)
        left out in turn.
    text : str
        One document.
    target : object, default=None
        The class to explain; None explains the predicted class.
    n_steps : int, default=50
        Steps of the integral of integrated gradients (recurrent pipelines).

    Returns
    -------
    explanation : Explanation
        ``tokens`` and ``scores`` (one per token, positive towards
        ``target``), the ``target``, its ``probability`` and the ``method``.

    Raises
    ------
    TypeError
        If ``text`` is not a string or ``model`` has no ``predict_proba``.
    ValueError
        If ``target`` is not one of the model's classes.
    ImportError
        For a recurrent pipeline when Captum is not installed.

    Examples
    --------
    >>> from sklearn_rnn import explain, make_bow_pipeline
    >>> pipe = make_bow_pipeline("logreg").fit(
    ...     ["a good film", "a bad film", "good acting", "bad acting"],
    ...     ["pos", "neg", "pos", "neg"])
    >>> why = explain(pipe, "a good film")
    >>> why.target, why.tokens, why.top(1)[0][0]
    ('pos', ['a', 'good', 'film'], 'good')
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(text, str):
        raise TypeError(
            f"text must be one document (a str); got {type(text).__name__}."
        )
    from ._base import final_estimator
    from .classifier import RNNClassifier

    name = type(model).__name__
    if isinstance(model, RNNClassifier):
        raise TypeError(
            f"explain needs a fitted pipeline that takes raw text; got {name}, "
            "which reads token ids: pass the pipeline (make_rnn_pipeline)."
        )
    if not (hasattr(model, "predict_proba") and hasattr(model, "fit")):
        raise TypeError(
            "explain needs a fitted pipeline that takes raw text (or another "
            f"classifier of raw text with predict_proba); got {name}."
        )
    check_is_fitted(model)

    final = final_estimator(model)
    classes = np.asarray(final.classes_)
    proba = model.predict_proba([text])[0]
    index = int(proba.argmax()) if target is None else _class_index(classes, target)
    target = classes[index]
    target = target.item() if hasattr(target, "item") else target
    if isinstance(final, RNNClassifier):  # a last step: alone, it is refused above
        tokens, scores = _integrated_gradients(model, text, index, n_steps)
        method = "integrated gradients"
    elif (
        isinstance(model, Pipeline)
        and isinstance(model.steps[0][1], CountVectorizer)
        and len(model.steps) == 2
    ):
        tokens, scores = _coefficients(model, text, index)
        method = "coefficients"
    else:
        tokens, scores = _occlusion(model, text, index, proba[index])
        method = "occlusion"
    return Explanation(tokens, scores, target, float(proba[index]), method)


# -- recurrent pipelines -----------------------------------------------------------


def _integrated_gradients(model, text: str, index: int, n_steps: int):
    try:
        from captum.attr import LayerIntegratedGradients
    except ImportError as exc:
        raise ImportError(
            "Explaining a recurrent network needs Captum: pip install "
            '"sklearn-rnn[explain]" (or pip install captum).'
        ) from exc
    import torch

    from ._data import cap_to_budget
    from ._validation import check_sequences
    from .text import SequencePadder, VocabularyIndexer

    steps = [step for _, step in model.steps[:-1]]
    indexer = next((s for s in steps if isinstance(s, VocabularyIndexer)), None)
    if indexer is None:
        raise TypeError("explain needs a VocabularyIndexer step to read the tokens.")
    classifier = model.steps[-1][1]
    tokens = list(indexer.build_analyzer()(text))
    ids = check_sequences(model[:-1].transform([text]), strip_pad=True)
    rows = cap_to_budget(
        classifier._rows.to_rows(ids), classifier.max_batch_tokens, classifier
    )[0]
    # the steps cut a long document: the padder as it is set, the budget at its end
    padder = next((s for s in steps if isinstance(s, SequencePadder)), None)
    if len(tokens) > len(ids[0]):
        keep_end = padder is not None and padder.truncating == "pre"
        tokens = tokens[-len(ids[0]) :] if keep_end else tokens[: len(ids[0])]
    tokens = tokens[len(tokens) - len(rows) :]
    if len(tokens) != len(rows):
        raise TypeError(
            "explain cannot match this pipeline's token ids to the tokens of its "
            "VocabularyIndexer."
        )
    if not len(rows):
        return tokens, np.zeros(0)
    module = classifier.net_.module_
    device = next(module.parameters()).device
    inputs = torch.as_tensor(rows, dtype=torch.long, device=device)[None]
    lengths = torch.tensor([len(rows)], dtype=torch.long)

    def probability(tokens, lengths):
        return torch.softmax(module(tokens, lengths), dim=-1)

    explainer = LayerIntegratedGradients(probability, module.encoder.embedding)
    was_training = module.training
    module.eval()
    try:  # cuDNN's recurrent layers run backwards only in training mode
        with torch.backends.cudnn.flags(enabled=False):
            attributions = explainer.attribute(
                inputs,
                baselines=torch.zeros_like(inputs),  # id 0: the padding row
                target=index,
                additional_forward_args=(lengths,),
                n_steps=n_steps,
            )
    finally:
        module.train(was_training)
    return tokens, attributions.sum(dim=-1)[0].detach().cpu().numpy().astype(float)


# -- bag-of-words pipelines --------------------------------------------------------


def _class_weights(classifier, n_features: int) -> np.ndarray:
    """Per class, the weight of each feature in that class's score."""
    if hasattr(classifier, "feature_log_prob_"):  # naive Bayes
        return np.asarray(classifier.feature_log_prob_)
    coef = getattr(classifier, "coef_", None)
    if coef is None or np.shape(coef)[-1] != n_features:
        raise TypeError(
            f"explain reads a bag-of-words model's coefficients; "
            f"{type(classifier).__name__} has none."
        )
    coef = np.asarray(coef)
    return np.vstack([np.zeros_like(coef[0]), coef[0]]) if len(coef) == 1 else coef


def _coefficients(model, text: str, index: int):
    vectorizer, classifier = model.steps[0][1], model.steps[1][1]
    if vectorizer.analyzer != "word":
        raise TypeError("explain supports bag-of-words pipelines of words only.")
    tokens = vectorizer.build_tokenizer()(vectorizer.build_preprocessor()(text))
    weights = _class_weights(classifier, len(vectorizer.vocabulary_))
    others = np.delete(weights, index, axis=0).mean(axis=0)
    towards = weights[index] - others
    stop = vectorizer.get_stop_words() or ()
    kept = [i for i, token in enumerate(tokens) if token not in stop]
    scores = np.zeros(len(tokens))
    low, high = vectorizer.ngram_range
    for n in range(low, high + 1):
        for start in range(len(kept) - n + 1):
            at = kept[start : start + n]
            feature = vectorizer.vocabulary_.get(" ".join(tokens[i] for i in at))
            if feature is not None:
                scores[at] += towards[feature] / n
    return tokens, scores


# -- any other classifier of raw text ------------------------------------------------

#: Characters of the documents :func:`_occlusion` predicts in one call.
OCCLUSION_BATCH_CHARS = 1 << 20


def _occlusion(model, text: str, index: int, whole: float):
    """Each token's score: the class probability of ``text`` (``whole``)
    minus that of ``text`` without the token, predicted in batches of at most
    :data:`OCCLUSION_BATCH_CHARS` characters (at least one document)."""
    import re

    from .text import DEFAULT_TOKEN_PATTERN

    spans = [m.span() for m in re.finditer(DEFAULT_TOKEN_PATTERN, text)]
    tokens = [text[start:end].lower() for start, end in spans]
    per_batch = max(1, OCCLUSION_BATCH_CHARS // max(len(text), 1))
    without = np.empty(len(spans))
    for first in range(0, len(spans), per_batch):
        batch = [
            text[:start] + text[end:] for start, end in spans[first : first + per_batch]
        ]
        without[first : first + len(batch)] = model.predict_proba(batch)[:, index]
    return tokens, whole - without
