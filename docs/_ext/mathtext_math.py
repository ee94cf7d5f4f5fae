"""Render ``.. math::`` and ``:math:`` to SVG at build time with matplotlib.

Sphinx's default HTML math renderer, MathJax, loads JavaScript from a CDN when
a page is viewed, and ``sphinx.ext.imgmath`` needs a LaTeX installation. This
extension needs neither: it draws the formulas with matplotlib's mathtext (a
large subset of TeX, see the matplotlib "Writing mathematical expressions"
guide) into SVG files under ``_images/math/``, so the site works offline.

A formula mathtext cannot parse is reported as a Sphinx warning, which fails
a build run with ``-W``. To go back to MathJax, set
``html_math_renderer = "mathjax"`` in ``conf.py``.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from pathlib import Path

from docutils import nodes
from matplotlib import mathtext, rc_context
from matplotlib.font_manager import FontProperties
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Font size in points of inline and display formulas.
INLINE_SIZE = 11
DISPLAY_SIZE = 13
#: CSS pixels per point.
PX_PER_PT = 96 / 72

_RC = {"mathtext.fontset": "cm", "svg.fonttype": "path", "svg.hashsalt": "math"}
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


def _render(latex: str, size: float) -> tuple[str, float]:
    """Return the SVG text of ``latex`` and its depth below the baseline (pt)."""
    buffer = io.BytesIO()
    with rc_context(_RC):
        depth = mathtext.math_to_image(
            f"${latex}$", buffer, prop=FontProperties(size=size), format="svg"
        )
    # Drop the creation date so that rebuilds give identical files.
    return _METADATA.sub("", buffer.getvalue().decode("utf-8")), float(depth)


def _svg_size(svg: str) -> tuple[float, float]:
    match = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return float(match.group(1)), float(match.group(2))


def _image_tag(translator, node, latex: str, size: float, css_class: str) -> str:
    """Write the SVG next to the other images and return an ``<img>`` tag."""
    latex = " ".join(latex.split())
    try:
        svg, depth = _render(latex, size)
    except ValueError as exc:
        message = str(exc).strip().splitlines()
        logger.warning(
            "mathtext cannot render %r: %s",
            latex,
            message[-1] if message else exc,
            location=node,
            type="mathtext",
        )
        return f'<span class="math">{html.escape(latex)}</span>'
    name = hashlib.sha1(f"{size}:{latex}".encode()).hexdigest()[:16] + ".svg"
    builder = translator.builder
    folder = Path(builder.outdir, builder.imagedir, "math")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(svg, encoding="utf-8")
    width, height = _svg_size(svg)
    style = ""
    if css_class == "math-inline":
        style = f' style="vertical-align: {-depth * PX_PER_PT:.1f}px"'
    return (
        f'<img class="{css_class}" src="{builder.imgpath}/math/{name}" '
        f'alt="{html.escape(latex)}" width="{width * PX_PER_PT:.0f}" '
        f'height="{height * PX_PER_PT:.0f}"{style}/>'
    )


def html_visit_math(translator, node: nodes.math) -> None:
    translator.body.append(
        _image_tag(translator, node, node.astext(), INLINE_SIZE, "math-inline")
    )
    raise nodes.SkipNode


def html_visit_displaymath(translator, node: nodes.math_block) -> None:
    # One image per equation: blank lines separate the equations of a block.
    equations = [eq for eq in re.split(r"\n\s*\n", node.astext()) if eq.strip()]
    translator.body.append(translator.starttag(node, "div", CLASS="math"))
    number = node.get("number")
    if number:
        eqno = f"({number})"
        translator.body.append(f'<span class="eqno">{eqno}</span>')
    for latex in equations:
        translator.body.append("<p>")
        translator.body.append(
            _image_tag(translator, node, latex, DISPLAY_SIZE, "math-display")
        )
        translator.body.append("</p>")
    translator.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer(
        "mathtext", (html_visit_math, None), (html_visit_displaymath, None)
    )
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
