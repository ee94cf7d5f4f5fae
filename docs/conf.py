"""Sphinx configuration of the sklearn-rnn documentation.

Build with ``make -C docs html`` (warnings are errors). The build needs no
network: no intersphinx, no CDN, formulas drawn by matplotlib at build time.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import torch

import sklearn_rnn
import sklearn_rnn.datasets

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

# The gallery examples run in this process: matplotlib without a display, and
# one PyTorch thread -- their networks are tiny, and on a small or busy machine
# one thread is as fast as several and keeps the build time steady.
os.environ.setdefault("MPLBACKEND", "agg")
torch.set_num_threads(1)

# -- Project ------------------------------------------------------------------
project = "sklearn-rnn"
author = "The sklearn-rnn developers"
copyright = "2026, The sklearn-rnn developers"
release = sklearn_rnn.__version__
version = ".".join(release.split(".")[:2])

# -- General ------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "mathtext_math",  # docs/_ext: formulas as SVG, no MathJax CDN
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
]
default_role = "literal"
add_function_parentheses = False

# -- autodoc / autosummary / numpydoc ----------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True}
autodoc_typehints = "none"  # types are in the numpydoc Parameters sections
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- Math -----------------------------------------------------------------------
html_math_renderer = "mathtext"

# -- sphinx-gallery -------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "download_all_examples": False,
    "doc_module": ("sklearn_rnn",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"sklearn_rnn": None},
    "remove_config_comments": True,
    "show_memory": False,
    # The execution-time pages load DataTables and Bootstrap from CDNs; the
    # times are printed in the build log instead.
    "write_computation_times": False,
    "image_scrapers": ("matplotlib",),
}

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-rnn {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
html_theme_options = {
    # Nothing fetched from the network: no icon links, analytics or switcher.
    "icon_links": [],
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "install": [], "quickstart": []}


# -- Check that the API page lists every public name ----------------------------
#: Public submodules whose ``__all__`` the API page must cover, besides the
#: package's own ``__all__``.
PUBLIC_SUBMODULES = (
    "datasets",
    "compare",
    "stats",
    "plotting",
    "presets",
    "metrics",
    "nn",
    "nn.search",
    "persistence",
)


def _documented_names(srcdir) -> set[str]:
    """Dotted names listed in the autosummary tables of api.rst."""
    text = Path(srcdir, "api.rst").read_text(encoding="utf-8")
    names, module = set(), None
    for line in text.splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line.strip()):
            module = match.group(1)
        elif re.match(r"^ {3}[A-Za-z_]\w*$", line):
            names.add(f"{module}.{line.strip()}")
    return names


def _public_objects() -> dict[int, set[str]]:
    """Every public object, with the dotted names under which it is public."""
    import importlib

    paths: dict[int, set[str]] = {}
    modules = [sklearn_rnn] + [
        importlib.import_module(f"sklearn_rnn.{name}") for name in PUBLIC_SUBMODULES
    ]
    for module in modules:
        for name in module.__all__:
            obj = getattr(module, name)
            paths.setdefault(id(obj), set()).add(f"{module.__name__}.{name}")
    return paths


def check_api_page(app, config) -> None:
    """Warn (an error under -W) when api.rst and the ``__all__`` lists differ.

    A name re-exported by the package may be listed under either path.
    """
    from sphinx.util import logging

    logger = logging.getLogger("sklearn_rnn.docs")
    documented = _documented_names(app.srcdir)
    public = _public_objects()
    for paths in public.values():
        if not paths & documented:
            logger.warning("public name %s is missing from api.rst", min(paths))
    known = set().union(*public.values())
    for name in sorted(documented - known):
        logger.warning("api.rst lists %s, which is in no __all__", name)


# -- autodoc: document this package's members only ----------------------------------
def skip_foreign_members(app, what, name, obj, skip, options):
    """Skip class members defined outside sklearn_rnn.

    The class pages list inherited members, so that ``LSTMClassifier`` shows
    the methods it inherits from ``RNNClassifier``; the members that
    scikit-learn's mixins add (``get_params``, ``set_output``, ``score``, the
    metadata-routing ``set_*_request``) are documented by scikit-learn, and
    their docstrings refer to pages of its user guide that this site does not
    hold.
    """
    if what != "class":
        return skip
    func = getattr(obj, "fget", obj)  # properties
    func = getattr(func, "__func__", func)  # class and static methods
    module = getattr(func, "__module__", None)
    if module is not None and not module.startswith("sklearn_rnn"):
        return True
    return skip


def setup(app):
    app.connect("config-inited", check_api_page)
    app.connect("autodoc-skip-member", skip_foreign_members)
