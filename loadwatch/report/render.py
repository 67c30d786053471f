"""Render an :class:`~loadwatch.result.Analysis` into one self-contained HTML file.

The context is prepared by :mod:`loadwatch.report.context`, the figures are drawn by
:mod:`loadwatch.report.plots` and embedded as ``data:`` URIs, the stylesheet is inlined,
and Jinja2 autoescapes every string (titles, names, devices, shoes and file names come
from strangers' files). The page loads nothing from anywhere: no fonts, scripts,
stylesheets or images outside the file.
"""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path
from typing import Literal

import jinja2
import matplotlib
from matplotlib.figure import Figure

from loadwatch.atomic import write_atomic
from loadwatch.report import context as ctx_mod
from loadwatch.report.plots import NARROW, WIDE, plot_specs
from loadwatch.result import Analysis

ImageFormat = Literal["png", "svg"]

#: PNG resolution: the 7 in wide figures become 1400 px, sharp on 2x (retina) screens.
PNG_DPI = 200
#: The DTD reference matplotlib writes into SVG: a URL, though browsers never fetch it.
_SVG_DOCTYPE = re.compile(rb"<!DOCTYPE[^>]*>\s*")

#: The package's templates (report and batch index), autoescaped: names and titles are
#: untrusted text.
TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("loadwatch.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def stylesheet() -> str:
    """The report's CSS, inlined into every page (the index reuses it)."""
    return TEMPLATES.loader.get_source(TEMPLATES, "report.css")[0]  # type: ignore[union-attr]


def figure_uri(fig: Figure, fmt: ImageFormat = "png") -> str:
    """The figure as a ``data:`` URI (PNG at :data:`PNG_DPI`, or SVG with no external refs)."""
    buf = io.BytesIO()
    if fmt == "png":
        fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        mime = "image/png"
    elif fmt == "svg":
        # no date (reproducible output) and no Dublin Core type URL in the metadata
        # a fixed salt for the SVG's element ids: the same figure gives the same bytes
        with matplotlib.rc_context({"svg.hashsalt": "loadwatch"}):
            fig.savefig(buf, format="svg",
                        metadata={"Date": None, "Creator": None, "Type": None, "Format": None})
        mime = "image/svg+xml"
        buf = io.BytesIO(_SVG_DOCTYPE.sub(b"", buf.getvalue(), count=1))
    else:
        raise ValueError(f"image format must be 'png' or 'svg', not {fmt!r}")
    return f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode('ascii')}"


def build_figures(context: ctx_mod.ReportContext, fmt: ImageFormat = "svg", *,
                  narrow: bool = True) -> list[ctx_mod.Figure]:
    """Draw every plot of the report, wide and (``narrow``) phone-sized, and embed them."""
    out = []
    for spec in plot_specs(context.units.dist, context.units.elev, context.plot_data.labels):
        why = spec.empty(context.plot_data)
        if why is not None:
            out.append(ctx_mod.Figure(spec.id, spec.title, spec.caption, None, alt="",
                                      empty=why))
            continue
        wide = figure_uri(spec.draw(context.plot_data, WIDE), fmt)
        small = figure_uri(spec.draw(context.plot_data, NARROW), fmt) if narrow else None
        out.append(ctx_mod.Figure(spec.id, spec.title, spec.caption, wide,
                                  alt=f"{spec.title} plot. {spec.caption}", uri_narrow=small,
                                  note=spec.note(context.plot_data)))
    return out


def render_report(analysis: Analysis, *, weeks: int = 16, units: str = "km",
                  image_format: ImageFormat = "svg", narrow_figures: bool = True) -> str:
    """The report for the last ``weeks`` weeks as one HTML string (``units``: km or mi).

    Figures are SVG by default: at these plots' sizes SVG is smaller than a 2x PNG
    (~35 kB against 40-110 kB each), faster to draw and sharp at any zoom; an SVG shown
    through ``<img>`` cannot load anything. ``narrow_figures`` adds phone-sized copies.
    """
    context = ctx_mod.build_context(analysis, weeks=weeks, units=units)
    context.figures = build_figures(context, image_format, narrow=narrow_figures)
    return TEMPLATES.get_template("report.html").render(c=context, css=stylesheet())


def write_report(analysis: Analysis, path: str | os.PathLike[str], **kw: object) -> Path:
    """Render the report and write it atomically to ``path``; the path written is returned.

    The whole page is rendered in memory first, so a failure at any point leaves the
    previous report at ``path`` untouched.
    """
    html = render_report(analysis, **kw)  # type: ignore[arg-type]
    return write_atomic(path, html)
