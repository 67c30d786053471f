"""The report's plots: each a function from frames to a :class:`matplotlib.figure.Figure`.

No pyplot: figures are built with :class:`~matplotlib.figure.Figure` and drawn by the Agg
backend, so rendering is thread-safe and leaves no global state behind. The frames come
from :class:`loadwatch.report.context.PlotData`, already cut to the report period and in
display units; the functions only draw. Colours are the Okabe-Ito palette (safe for the
common colour-vision deficiencies) and severities also differ by marker shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from loadwatch import format as fmt
from loadwatch.report.context import PlotData, load_ratio_bands
from loadwatch.schema import severity_rank

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
#: The load change indicator's bands, as solid colours (what the caption names): the
#: Okabe-Ito yellow (40 %) and orange (45 %) blended onto white, so the line stays
#: legible on them.
BAND_ABOVE = "#FAF5B3"
BAND_WELL_ABOVE = "#F4D48C"
#: Severity -> (colour, marker): shape as well as colour, for greyscale prints.
SEVERITY_STYLE = {
    "info": (OKABE_ITO["sky"], "o"),
    "caution": (OKABE_ITO["orange"], "^"),
    "warning": (OKABE_ITO["vermillion"], "D"),
    "seek_care": (OKABE_ITO["purple"], "X"),
}


@dataclass(frozen=True)
class Layout:
    """Figure geometry: a wide one for desktops, a narrow one that stays legible on phones."""

    width: float  # [in]
    height: float  # [in]
    font: float  # [pt]
    legend_cols: int
    max_ticks: int


#: 7 in wide: shown at ~860 px on a desktop.
WIDE = Layout(7.0, 3.3, 10.5, 5, 8)
#: 4 in wide: shown at ~360 px on a 390 px phone, so 10 pt text stays ~12 px high.
NARROW = Layout(4.0, 3.6, 10.0, 2, 4)


#: Fixed margins [in] around the axes. Computing them (constrained layout) measured 40 %
#: of the report's drawing time; the plots' labels are short and known, so fixed ones do.
MARGIN_LEFT_IN = 0.85
MARGIN_RIGHT_IN = 0.25
MARGIN_BOTTOM_IN = 0.5
MARGIN_TOP_IN = 0.15


def new_figure(layout: Layout = WIDE, height: float | None = None, *,
               left: float = MARGIN_LEFT_IN, right: float = MARGIN_RIGHT_IN,
               constrained: bool = False) -> Figure:
    """A figure with an Agg canvas, independent of pyplot.

    Margins are fixed (in inches) unless ``constrained`` (for labels of unknown length,
    such as shoe names); :func:`_legend` makes room above the axes for its rows.
    """
    h = height or layout.height
    fig = Figure(figsize=(layout.width, h), layout="constrained" if constrained else None)
    if not constrained:
        fig.subplots_adjust(left=left / layout.width, right=1 - right / layout.width,
                            bottom=MARGIN_BOTTOM_IN / h, top=1 - MARGIN_TOP_IN / h)
    FigureCanvasAgg(fig)
    return fig


def _style(ax: Axes, ylabel: str, layout: Layout) -> None:
    ax.set_ylabel(ylabel, fontsize=layout.font)
    ax.tick_params(labelsize=layout.font - 1)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _date_axis(ax: Axes, start: pd.Timestamp, end: pd.Timestamp, layout: Layout,
               weeks: pd.Series | None = None) -> None:
    """Dates from ``start`` to ``end``; with ``weeks`` (week starts of weekly bars) the axis
    runs to the end of the last week, so its bar is whole when the data ends mid-week."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=layout.max_ticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    right = pd.Timestamp(end) + pd.Timedelta(days=1)
    if weeks is not None and len(weeks):
        right = max(right, pd.Timestamp(pd.to_datetime(weeks).max()) + pd.Timedelta(days=7))
    ax.set_xlim(pd.Timestamp(start) - pd.Timedelta(days=1), right)


def _empty(ax: Axes, text: str, layout: Layout) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
            fontsize=layout.font, color="#555555", wrap=True)


def _severity_markers(ax: Axes, x: np.ndarray, y: np.ndarray, severities: list[str],
                      size: float = 55) -> list[Line2D]:
    """Scatter one marker per point in its severity's colour/shape; legend handles back."""
    handles = []
    sev = np.asarray(severities, dtype=object)
    for name, (colour, marker) in SEVERITY_STYLE.items():
        m = sev == name
        if m.any():
            ax.scatter(x[m], y[m], s=size, c=colour, marker=marker, edgecolors="black",
                       linewidths=0.6, zorder=5)
            handles.append(Line2D([], [], color=colour, marker=marker, markeredgecolor="black",
                                  markeredgewidth=0.6, linestyle="none",
                                  label=name.replace("_", " ")))
    return handles


def _worst_by_week(flags: pd.DataFrame, rules: tuple[str, ...]) -> pd.Series:
    """The most severe finding of the given rules per week_start."""
    f = flags[flags["rule"].isin(rules)]
    if f.empty:
        return pd.Series(dtype=object)
    f = f.assign(rank=f["severity"].map(severity_rank)).sort_values("rank")
    return f.groupby("week_start")["severity"].last()


def _week_centres(week_start: pd.Series) -> pd.Series:
    return pd.to_datetime(week_start) + pd.Timedelta(days=3.5)


def _legend(ax: Axes, handles: list, layout: Layout, cols: int | None = None) -> None:
    """Legend above the plot area, so it never hides data; ``cols`` caps the columns
    (long labels need fewer to stay inside the figure)."""
    if handles:
        ncol = min(layout.legend_cols, cols or layout.legend_cols, len(handles))
        fig = ax.get_figure()
        while True:
            legend = ax.legend(handles=handles, fontsize=layout.font - 1, loc="lower left",
                               ncol=ncol, frameon=False,
                               bbox_to_anchor=(0, 1.0), borderaxespad=0.2, handletextpad=0.4,
                               columnspacing=1.0)
            if ncol == 1 or fig is None or fig.get_layout_engine() is not None:
                break
            # fewer columns until the legend ends inside the figure (long labels, phones)
            renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
            if legend.get_window_extent(renderer).x1 <= fig.bbox.x1 - 2:
                break
            ncol -= 1
        if fig is not None and fig.get_layout_engine() is None:
            rows = -(-len(handles) // ncol)
            top_in = MARGIN_TOP_IN + rows * (layout.font - 1) * 1.5 / 72
            # matplotlib types get_figure() as Figure | SubFigure; these axes are a Figure's
            fig.subplots_adjust(top=1 - top_in / fig.get_figheight())  # type: ignore[union-attr]


def _headroom(ax: Axes, top: float, factor: float = 1.3) -> None:
    """Room above the tallest value for markers; a 0-1 axis when there is nothing to show."""
    ax.set_ylim(0, top * factor if np.isfinite(top) and top > 0 else 1.0)


DISTANCE_RULES = ("weekly_distance_jump", "return_after_break")
INTENSITY_RULES = ("intensity_jump", "hard_sessions_close", "monotony")
TERRAIN_RULES = ("downhill_volume_jump", "trail_volume_jump")


def weekly_distance(weekly: pd.DataFrame, flags: pd.DataFrame, *, unit: str,
                    start: pd.Timestamp, end: pd.Timestamp, layout: Layout = WIDE,
                    labels: Mapping[str, str] | None = None) -> Figure:
    """Weekly distance bars with the distance rule's own info and caution limit of each week
    as ticks (``info_limit``, ``caution_limit``), flagged weeks marked."""
    labels = labels or {}
    fig = new_figure(layout)
    ax = fig.add_subplot()
    x = _week_centres(weekly["week_start"])
    bars = ax.bar(x, weekly["distance"], width=5.5, color=OKABE_ITO["blue"], alpha=0.85,
                  label="weekly distance")
    half = pd.Timedelta(days=3.2)
    ax.hlines(weekly["info_limit"], x - half, x + half, colors="black", linewidth=2.2,
              zorder=4, label="info limit")
    ax.hlines(weekly["caution_limit"], x - half, x + half, colors=OKABE_ITO["vermillion"],
              linewidth=1.4, linestyles=(0, (2, 1)), zorder=4, label="caution limit")
    info = labels.get("distance_info", "the rule's info rise")
    caution = labels.get("distance_caution", "the rule's caution rise")
    handles = [bars, Line2D([], [], color="black", linewidth=2.2,
                            label=f"previous week + {info}"),
               Line2D([], [], color=OKABE_ITO["vermillion"], linewidth=1.4,
                      linestyle=(0, (2, 1)), label=f"+ {caution}")]
    worst = _worst_by_week(flags, DISTANCE_RULES)
    if not worst.empty:
        w = weekly.set_index("week_start")
        ws = [d for d in worst.index if d in w.index]
        top = np.fmax(w.loc[ws, "distance"].to_numpy(float),
                      w.loc[ws, "info_limit"].to_numpy(float))
        handles += _severity_markers(ax, _week_centres(pd.Series(ws)).to_numpy(),
                                     np.nan_to_num(top) * 1.06,
                                     [worst[d] for d in ws])
    _style(ax, f"distance [{unit}/week]", layout)
    _date_axis(ax, start, end, layout, weekly["week_start"])
    _headroom(ax, float(np.nanmax(np.r_[weekly["distance"], weekly["caution_limit"], 0])))
    _legend(ax, handles, layout)
    if weekly.empty:
        _empty(ax, "no weeks in the period", layout)
    return fig


def overview(weeks: pd.DataFrame, *, unit: str, detail_start: pd.Timestamp,
             end: pd.Timestamp, layout: Layout = WIDE,
             labels: Mapping[str, str] | None = None) -> Figure:
    """Up to a year of weekly distance (bars) with the weekly distance rule's own caution
    limit of each week (``caution_limit``) and the week's longest run (``longest``); the
    weeks the detailed plots show are shaded."""
    labels = labels or {}
    fig = new_figure(layout, height=layout.height * 0.85)
    ax = fig.add_subplot()
    x = _week_centres(weeks["week_start"])
    start = pd.Timestamp(weeks["week_start"].min()) if len(weeks) else detail_start
    shade = ax.axvspan(detail_start, max(pd.Timestamp(end), detail_start) + pd.Timedelta(days=1),
                       color="#eeeeee", linewidth=0, zorder=0, label="shown in detail below")
    bars = ax.bar(x, weeks["distance"], width=5.5, color=OKABE_ITO["blue"], alpha=0.85,
                  label="weekly distance")
    half = pd.Timedelta(days=3.2)
    ax.hlines(weeks["caution_limit"], x - half, x + half, colors=OKABE_ITO["vermillion"],
              linewidth=1.2, zorder=4)
    (longest,) = ax.plot(x, weeks["longest"], linestyle="none", marker="D", markersize=3.5,
                         color=OKABE_ITO["black"], label="longest run of the week", zorder=5)
    caution = labels.get("distance_caution", "the rule's caution rise")
    handles = [bars, Line2D([], [], color=OKABE_ITO["vermillion"], linewidth=1.2,
                            label=f"previous week + {caution}"), longest, shade]
    _style(ax, f"distance [{unit}]", layout)
    _date_axis(ax, start, end, layout, weeks["week_start"])
    _headroom(ax, float(np.nanmax(np.r_[weeks["distance"], weeks["caution_limit"], 0])),
              1.15)
    _legend(ax, handles, layout, cols=2)
    return fig


def load_ratio(ratio: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp,
                bands: tuple[float, float] | None = None, layout: Layout = WIDE,
                points: pd.DataFrame | None = None) -> Figure:
    """The load change indicator (the load_ratio rule's daily series) with its info and
    caution bands, and ``points`` (date, ratio, severity): the reading behind each finding."""
    fig = new_figure(layout, left=MARGIN_LEFT_IN + 0.15)
    ax = fig.add_subplot()
    lo, hi = bands or load_ratio_bands()
    r = ratio["ratio"].to_numpy(dtype=float)
    top = max(2.0, float(np.nanmax(r)) * 1.1) if np.isfinite(r).any() else 2.0
    above = ax.axhspan(lo, hi, color=BAND_ABOVE, linewidth=0,
                       label=f"above usual ({fmt.multiple(lo)})")
    well = ax.axhspan(hi, top, color=BAND_WELL_ABOVE, linewidth=0,
                      label=f"well above usual ({fmt.multiple(hi)})")
    ax.axhline(1.0, color="#888888", linewidth=0.8)
    (line,) = ax.plot(ratio["date"], r, color=OKABE_ITO["blue"], linewidth=1.8,
                      label="load change indicator")
    # the bands are named in the legend above the axes, never written over the line
    handles: list = [line, above, well]
    if points is not None and len(points):
        handles += _severity_markers(ax, points["date"].to_numpy(),
                                     points["ratio"].to_numpy(dtype=float),
                                     list(points["severity"]))
    ax.set_ylim(0, top)
    _style(ax, "load change indicator\n[7-day : 28-day ratio]", layout)
    _legend(ax, handles, layout, cols=3)
    _date_axis(ax, start, end, layout)
    if not np.isfinite(r).any():
        _empty(ax, "not enough history to judge", layout)
    return fig


def intensity(weekly: pd.DataFrame, flags: pd.DataFrame, *, start: pd.Timestamp,
              end: pd.Timestamp, layout: Layout = WIDE) -> Figure:
    """Weekly minutes above threshold (TRIMP where there are none), flagged weeks marked."""
    fig = new_figure(layout)
    ax = fig.add_subplot()
    use_min = weekly["hi_min"].notna().any() and weekly["hi_min"].fillna(0).sum() > 0
    col, label = ("hi_min", "minutes above threshold [min/week]") if use_min else \
        ("trimp", "TRIMP [AU/week]")
    y = weekly[col].fillna(0)
    x = _week_centres(weekly["week_start"])
    bars = ax.bar(x, y, width=5.5, color=OKABE_ITO["green"], alpha=0.85,
                  label="hard minutes" if use_min else "TRIMP")
    handles: list[BarContainer | Line2D] = [bars]
    worst = _worst_by_week(flags, INTENSITY_RULES)
    if not worst.empty:
        w = weekly.set_index("week_start")
        ws = [d for d in worst.index if d in w.index]
        handles += _severity_markers(ax, _week_centres(pd.Series(ws)).to_numpy(),
                                     w.loc[ws, col].fillna(0).to_numpy(float) * 1.06 + 1,
                                     [worst[d] for d in ws])
    _style(ax, label, layout)
    _date_axis(ax, start, end, layout, weekly["week_start"])
    _headroom(ax, float(y.max()) if len(y) else 0.0)
    _legend(ax, handles, layout)
    if not weekly[col].notna().any():
        _empty(ax, "no heart-rate or pace data", layout)
    return fig


def terrain(weekly: pd.DataFrame, flags: pd.DataFrame, *, dist_unit: str, elev_unit: str,
            start: pd.Timestamp, end: pd.Timestamp, layout: Layout = WIDE) -> Figure:
    """Weekly descent (bars, left) and trail distance (line, right), flagged weeks marked.

    Without trail runs in the period there is no trail line or axis (a flat zero line
    says nothing): :func:`plot_specs` says so in one line under the plot instead."""
    trail = has_trail(weekly)
    fig = new_figure(layout, right=MARGIN_LEFT_IN - 0.15 if trail else MARGIN_RIGHT_IN)
    ax = fig.add_subplot()
    x = _week_centres(weekly["week_start"])
    descent = weekly["descent"].fillna(0)
    bars = ax.bar(x, descent, width=5.5, color=OKABE_ITO["purple"], alpha=0.8,
                  label=f"descent [{elev_unit}]")
    handles: list = [bars]
    if trail:
        ax2 = ax.twinx()
        (line,) = ax2.plot(x, weekly["trail"], color=OKABE_ITO["black"], marker="s",
                           markersize=4, linewidth=1.5, label=f"trail [{dist_unit}]")
        handles.append(line)
        ax2.set_ylabel(f"trail distance [{dist_unit}/week]", fontsize=layout.font)
        ax2.tick_params(labelsize=layout.font - 1)
        ax2.spines["top"].set_visible(False)
        ax2.set_ylim(0, max(float(weekly["trail"].max()), 1.0) * 1.3)
    worst = _worst_by_week(flags, TERRAIN_RULES)
    if not worst.empty:
        w = weekly.set_index("week_start")
        ws = [d for d in worst.index if d in w.index]
        handles += _severity_markers(ax, _week_centres(pd.Series(ws)).to_numpy(),
                                     w.loc[ws, "descent"].fillna(0).to_numpy(float) * 1.06 + 1,
                                     [worst[d] for d in ws])
    _style(ax, f"descent [{elev_unit}/week]", layout)
    _date_axis(ax, start, end, layout, weekly["week_start"])
    _headroom(ax, float(descent.max()) if len(descent) else 0.0)
    _legend(ax, handles, layout)
    return fig


def has_trail(weekly: pd.DataFrame) -> bool:
    """Whether any week of ``weekly`` has trail distance."""
    return bool((weekly["trail"].fillna(0) > 0).any())


def shoes(shoes: pd.DataFrame, *, unit: str, layout: Layout = WIDE) -> Figure:
    """Distance per shoe against its own marks (``lower_mark``, ``upper_mark``: the
    shoe_mileage rule's, scaled to the shoe's retire_km), with the date it reaches the
    upper one."""
    n = max(len(shoes), 1)
    fig = new_figure(layout, height=1.3 + 0.42 * n, constrained=True)
    ax = fig.add_subplot()
    y = np.arange(len(shoes))
    total = shoes["total"].to_numpy(dtype=float)
    lower = shoes["lower_mark"].to_numpy(dtype=float)
    upper = shoes["upper_mark"].to_numpy(dtype=float)
    colours = [OKABE_ITO["vermillion"] if t >= hi else
               OKABE_ITO["orange"] if t >= lo else OKABE_ITO["blue"]
               for t, lo, hi in zip(total, lower, upper, strict=True)]
    ax.barh(y, total, color=colours, height=0.6)
    for marks in (lower, upper):
        ax.vlines(marks, y - 0.42, y + 0.42, colors="black", linestyles=(0, (3, 1.5)),
                  linewidth=1.2, zorder=4)
    top = float(np.nanmax(np.r_[total, upper, 0.0])) or 1.0
    texts = []
    for yi, t, lo, hi, proj in zip(y, total, lower, upper, shoes["projected_upper"],
                                   strict=True):
        note = f"{hi:,.0f} {unit} by {pd.Timestamp(proj):%d %b %Y}" if pd.notna(proj) \
            else ("past the mark" if t >= hi else "not in recent use")
        # the narrow figure has no room for the projection: the table below the plot has it
        label = f"{t:,.0f} {unit} · {note}" if layout.width >= 6 else f"{t:,.0f}"
        # right of the bar and of both marks, so the label never covers a mark's line
        x0 = float(np.nanmax([t, lo, hi])) + top * 0.02
        texts.append(ax.text(x0, float(yi), label, va="center", fontsize=layout.font - 1.5))
    ax.set_yticks(y, [_short(s) for s in shoes["shoe"]], fontsize=layout.font - 1)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.1)
    ax.set_ylim(n - 0.5, -0.7)
    _fit_texts(fig, ax, texts)
    ax.set_xlabel(f"distance on the shoe [{unit}]", fontsize=layout.font)
    ax.tick_params(axis="x", labelsize=layout.font - 1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if shoes.empty:
        _empty(ax, "no shoes recorded for the period", layout)
    return fig


def _fit_texts(fig: Figure, ax: Axes, texts: list) -> None:
    """Widen the x axis (from 0) until every text ends inside the axes."""
    if not texts:
        return
    for _ in range(3):  # the layout engine moves the axes a little after each change
        fig.draw_without_rendering()
        box = ax.get_window_extent()
        right = max(t.get_window_extent().x1 for t in texts)
        if right <= box.x1:
            return
        # a text starting at x and w px wide ends inside when x / W + w / axes_px <= 1
        need = max(float(t.get_position()[0])
                   / max(0.2, 1 - (t.get_window_extent().width + 4) / box.width)
                   for t in texts)
        ax.set_xlim(0, max(ax.get_xlim()[1] * 1.02, need))


def _short(text: str, n: int = 22) -> str:
    """Untrusted text (a shoe name) cut to ``n`` characters and escaped for mathtext."""
    text = str(text)
    return untrusted_text(text if len(text) <= n else text[: n - 1] + "…")


def untrusted_text(text: str) -> str:
    """``text`` drawn as it is: every ``$`` escaped, so matplotlib never parses a name
    like ``Pegasus $\\x$`` as mathtext (which raises on unknown commands)."""
    return str(text).replace("$", r"\$")


def long_runs(runs: pd.DataFrame, flags: pd.DataFrame, *, unit: str, start: pd.Timestamp,
              end: pd.Timestamp, layout: Layout = WIDE,
              labels: Mapping[str, str] | None = None) -> Figure:
    """Each run's distance against the long-run rule's own reference (the longest run of
    the previous window, where covered) and caution limit; spikes marked."""
    labels = labels or {}
    fig = new_figure(layout)
    ax = fig.add_subplot()
    pts = ax.scatter(runs["date"], runs["distance"], s=16, color="#777777", zorder=3,
                     label="run")
    window = labels.get("long_window", "the window")
    (line,) = ax.step(runs["date"], runs["reference"], where="post", color=OKABE_ITO["blue"],
                      linewidth=1.6, label=f"longest, previous {window}")
    (ref,) = ax.step(runs["date"], runs["caution_limit"], where="post",
                     color=OKABE_ITO["blue"], linestyle=(0, (3, 1.5)), linewidth=1,
                     label=f"caution limit (+{labels.get('long_caution', '')})")
    handles = [pts, line, ref]
    if not flags.empty:
        handles += _severity_markers(ax, flags["date"].to_numpy(),
                                     flags["distance"].to_numpy(dtype=float),
                                     list(flags["severity"]), size=70)
    _style(ax, f"run distance [{unit}]", layout)
    _date_axis(ax, start, end, layout)
    top = float(np.nanmax(np.r_[runs["distance"], runs["caution_limit"], 0]))
    _headroom(ax, top, 1.35)
    _legend(ax, handles, layout)
    if runs.empty:
        _empty(ax, "no runs in the period", layout)
    return fig


@dataclass(frozen=True)
class PlotSpec:
    """A plot of the report: anchor id, title, how-to-read caption and the drawing call.

    ``empty`` says why there is nothing to draw (or None), so that the report shows one
    line instead of an empty frame.
    """

    id: str
    title: str
    caption: str
    draw: Callable[[PlotData, Layout], Figure]
    empty: Callable[[PlotData], str | None]
    #: one line under the drawn plot about what it leaves out (None: nothing)
    note: Callable[[PlotData], str | None] = lambda d: None


def _positive(values: pd.Series) -> bool:
    return bool((values.fillna(0) > 0).any())


def _no_runs(d: PlotData) -> str | None:
    return None if _positive(d.weekly["distance"]) else "No runs in these weeks."


def _no_ratio(d: PlotData) -> str | None:
    if np.isfinite(d.load_ratio["ratio"].to_numpy(dtype=float)).any():
        return None
    return "Not enough continuous recent history to judge (about 5 weeks are needed)."


def _no_intensity(d: PlotData) -> str | None:
    if _positive(d.weekly["hi_min"]) or _positive(d.weekly["trimp"]):
        return None
    return "No heart-rate or pace data in these weeks."


def _no_terrain(d: PlotData) -> str | None:
    if _positive(d.weekly["descent"]) or _positive(d.weekly["trail"]):
        return None
    return "No elevation or trail runs in these weeks."


def _no_trail(d: PlotData) -> str | None:
    return None if has_trail(d.weekly) else "No trail runs in these weeks."


def _end(d: PlotData) -> pd.Timestamp:
    """Where the time axes end: the Sunday of the last shown week."""
    return d.axis_end if d.axis_end is not None else d.period_end


def _no_shoes(d: PlotData) -> str | None:
    return None if len(d.shoes) else "No shoe recorded for the runs of these weeks."


def _no_long_runs(d: PlotData) -> str | None:
    return None if len(d.runs) else "No runs in these weeks."


def plot_specs(units_dist: str, units_elev: str,
               labels: Mapping[str, str] | None = None) -> list[PlotSpec]:
    """The report's plots in display order, with captions in the display units.

    ``labels`` (:attr:`PlotData.labels`) quote the values the athlete's rules applied.
    """
    labels = labels or {}
    info = labels.get("distance_info", "the rule's info rise")
    caution = labels.get("distance_caution", "the rule's caution rise")
    long_c = labels.get("long_caution", "the rule's caution rise")
    window = labels.get("long_window", "30 days")
    return [
        PlotSpec(
            "plot-overview", "The last year",
            f"Blue bars: distance per week ({units_dist}) over up to 52 weeks; black "
            f"diamonds: the longest run of each week; red ticks: the previous week + "
            f"{caution} (the weekly distance rule's caution limit). The grey span is the "
            "period the plots below show in detail.",
            lambda d, lay: overview(d.overview, unit=d.units.dist, detail_start=d.period_start,
                                    end=_end(d), layout=lay, labels=d.labels),
            lambda d: None if len(d.overview) and _positive(d.overview["distance"])
            else "No runs in the last year.",
        ),
        PlotSpec(
            "plot-distance", "Weekly distance",
            f"Blue bars: distance per week ({units_dist}). The black tick on each bar is the "
            f"previous week + {info} (the weekly distance rule's info limit), the red dashed "
            f"one + {caution} (its caution limit); weeks the rule does not judge have none. "
            "Markers: weeks flagged by the distance or return-after-break rules, by severity.",
            lambda d, lay: weekly_distance(d.weekly, d.week_flags, unit=d.units.dist,
                                           start=d.period_start, end=_end(d), layout=lay,
                                           labels=d.labels),
            _no_runs,
        ),
        PlotSpec(
            "plot-load", "Load change indicator",
            "Line: the last 7 days' load divided by the usual load of the 4 weeks before. "
            "1.0 (grey line) = as usual; pale yellow band: above usual; pale orange band: well "
            "above usual (the rule's limits, named in the legend). A gap means too little "
            "history to judge. Markers: the readings behind the findings.",
            lambda d, lay: load_ratio(d.load_ratio, start=d.period_start, end=_end(d),
                                      bands=d.load_ratio_bands, layout=lay,
                                      points=d.load_ratio_points),
            _no_ratio,
        ),
        PlotSpec(
            "plot-intensity", "Intensity",
            "Green bars: minutes per week above threshold heart rate or pace (Banister TRIMP "
            "when there are none). Markers: weeks flagged by the intensity, hard-sessions "
            "or monotony rules.",
            lambda d, lay: intensity(d.weekly, d.week_flags, start=d.period_start,
                                     end=_end(d), layout=lay),
            _no_intensity,
        ),
        PlotSpec(
            "plot-terrain", "Terrain",
            f"Pink bars: descent per week ({units_elev}, left axis). Black line with squares "
            f"(when there are trail runs): distance of trail runs per week ({units_dist}, "
            "right axis). Markers: weeks flagged by the downhill or trail rules.",
            lambda d, lay: terrain(d.weekly, d.week_flags, dist_unit=d.units.dist,
                                   elev_unit=d.units.elev, start=d.period_start,
                                   end=_end(d), layout=lay),
            _no_terrain,
            _no_trail,
        ),
        PlotSpec(
            "plot-shoes", "Shoes",
            "Distance on each shoe used in the period, against its replacement range "
            "(the two dashed black lines: the shoe mileage rule's marks, scaled to the shoe's "
            "retire_km). The date is when the shoe will reach the upper mark at its pace of "
            "the last 8 weeks. Blue bar: below the range; orange: inside it; red: past it.",
            lambda d, lay: shoes(d.shoes, unit=d.units.dist, layout=lay),
            _no_shoes,
        ),
        PlotSpec(
            "plot-long", "Long runs",
            f"Grey dots: each run ({units_dist}). Solid blue line: the longest run of the "
            f"previous {window} (where the data covers them all); dashed blue: the caution "
            f"limit, {long_c} above it. Markers: runs flagged as long-run spikes.",
            lambda d, lay: long_runs(d.runs, d.run_flags, unit=d.units.dist,
                                     start=d.period_start, end=_end(d), layout=lay,
                                     labels=d.labels),
            _no_long_runs,
        ),
    ]
