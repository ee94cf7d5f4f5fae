"""Built-in and synthetic text corpora, CSV loading and the movie review data.

Every loader returns ``(texts, labels)``: a list of ``str`` documents and a
1-D numpy array of labels, ready for ``estimator.fit(texts, labels)``.

- :func:`load_toy_corpus` -- the three-sentence bag-of-words example.
- :func:`make_order_sentiment` -- a synthetic corpus whose labels depend on
  word order only, with a knob for long-range dependencies.
- :func:`load_text_csv` -- a labelled corpus from a ``text,label`` CSV file.
- :func:`fetch_movie_reviews` -- the Pang & Lee sentence polarity data set,
  downloaded once and cached.
- :func:`fetch_glove` -- the GloVe 6B pretrained word vectors, downloaded
  once and cached; returns the path of the text file.

Both fetchers share the download helper of ``_fetch.py``.
"""

from ._csv import load_text_csv
from ._glove import GLOVE_URL as GLOVE_URL  # the default url of the fetcher
from ._glove import fetch_glove
from ._movie_reviews import MR_URL as MR_URL  # the default url of the fetcher
from ._movie_reviews import fetch_movie_reviews
from ._synthetic import load_toy_corpus, make_order_sentiment

__all__ = [
    "load_toy_corpus",
    "make_order_sentiment",
    "load_text_csv",
    "fetch_movie_reviews",
    "fetch_glove",
]
