"""Built-in and synthetic text corpora, CSV loading, downloadable data sets
and pretrained word vectors.

Every classification loader returns ``(texts, labels)``: a list of ``str``
documents and a 1-D numpy array of labels, ready for
``estimator.fit(texts, labels)``.

- :func:`load_toy_corpus` -- the three-sentence bag-of-words example.
- :func:`make_order_sentiment` -- a synthetic corpus whose labels depend on
  word order only, with a knob for long-range dependencies.
- :func:`load_text_csv` -- a labelled corpus from a ``text,label`` CSV file.
- :func:`fetch_movie_reviews` -- the Pang & Lee sentence polarity data set,
  downloaded once and cached.
- :func:`fetch_imdb` -- the Large Movie Review Dataset (IMDb): labelled
  train and test reviews, and unlabelled ones (labels None).
- :func:`fetch_glove` -- the GloVe 6B pretrained word vectors, downloaded
  once and cached; returns the path of the text file.
- :func:`fetch_cmudict` and :func:`load_cmudict` -- the CMU Pronouncing
  Dictionary (words and their pronunciations, a ``Bunch``), downloaded or
  read from a local file in its format.
- :func:`load_sentence_pairs` -- the two sides of a manythings.org/Tatoeba
  file of sentence pairs; :func:`filter_tutorial_pairs` and
  :func:`normalize_tutorial_text` make the selection of PyTorch's
  translation tutorial.

The fetchers share the download helper of ``_fetch.py``.
"""

from ._cmudict import CMUDICT_URL as CMUDICT_URL  # the default url of the fetcher
from ._cmudict import fetch_cmudict, load_cmudict
from ._csv import load_text_csv
from ._glove import GLOVE_URL as GLOVE_URL  # the default url of the fetcher
from ._glove import fetch_glove
from ._imdb import IMDB_URL as IMDB_URL  # the default url of the fetcher
from ._imdb import fetch_imdb
from ._movie_reviews import MR_URL as MR_URL  # the default url of the fetcher
from ._movie_reviews import fetch_movie_reviews
from ._sentence_pairs import (
    TUTORIAL_PREFIXES,
    filter_tutorial_pairs,
    load_sentence_pairs,
    normalize_tutorial_text,
)
from ._synthetic import load_toy_corpus, make_order_sentiment

__all__ = [
    "load_toy_corpus",
    "make_order_sentiment",
    "load_text_csv",
    "fetch_movie_reviews",
    "fetch_glove",
    "fetch_imdb",
    "fetch_cmudict",
    "load_cmudict",
    "load_sentence_pairs",
    "filter_tutorial_pairs",
    "normalize_tutorial_text",
    "TUTORIAL_PREFIXES",
]
