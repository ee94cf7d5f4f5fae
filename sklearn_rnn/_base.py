"""What every probabilistic classifier of the package shares."""

from __future__ import annotations

import numpy as np
from scipy.special import log_softmax, softmax


class SoftmaxPredictMixin:
    """``predict``, ``predict_proba`` and ``predict_log_proba`` from class scores.

    A subclass defines ``_class_scores(X)``: an ``(n_documents, n_classes)``
    array whose softmax over classes is the posterior (network logits, or
    joint log-likelihoods of a generative model), columns ordered as
    ``classes_``.
    """

    def _decision_scores(self, X) -> np.ndarray:
        """``_class_scores`` in scikit-learn's ``decision_function`` shape:
        for two classes one value per document, the score of ``classes_[1]``
        minus that of ``classes_[0]`` (positive means ``classes_[1]``)."""
        scores = self._class_scores(X)
        return scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else scores

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Token-id sequences (pad id 0).

        Returns
        -------
        proba : ndarray of shape (n_documents, n_classes)
            Rows sum to one; columns follow ``classes_``.
        """
        return softmax(self._class_scores(X), axis=1)

    def predict_log_proba(self, X) -> np.ndarray:
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Token-id sequences (pad id 0).

        Returns
        -------
        log_proba : ndarray of shape (n_documents, n_classes)
            Columns follow ``classes_``.
        """
        return log_softmax(self._class_scores(X), axis=1)

    def predict(self, X) -> np.ndarray:
        """Predict class labels: the class of largest probability.

        Parameters
        ----------
        X : list of 1-D int arrays or 2-D int array
            Token-id sequences (pad id 0).

        Returns
        -------
        labels : ndarray of shape (n_documents,)
            Predicted labels, as given to ``fit`` (strings or integers).
        """
        scores = self._class_scores(X)
        return self.classes_[scores.argmax(axis=1)]


def final_estimator(model):
    """The estimator that predicts: a pipeline's last step, or the model itself
    (a stack, say)."""
    from sklearn.pipeline import Pipeline

    return model.steps[-1][1] if isinstance(model, Pipeline) else model
