"""The plots draw what the frames hold, without pyplot, legibly wide and narrow."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib import _pylab_helpers
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure

from loadwatch.report import context as ctx
from loadwatch.report import plots
from tests.report.synth import synthetic_analysis


@pytest.fixture(scope="module")
def data() -> ctx.PlotData:
    return ctx.build_context(synthetic_analysis(), weeks=16).plot_data


@pytest.mark.parametrize("layout", [plots.WIDE, plots.NARROW])
def test_every_plot_is_a_figure_without_pyplot(data, layout) -> None:
    specs = plots.plot_specs("km", "m")
    assert [s.id for s in specs] == ["plot-distance", "plot-load", "plot-intensity",
                                     "plot-terrain", "plot-shoes", "plot-long"]
    for spec in specs:
        assert spec.empty(data) is None
        fig = spec.draw(data, layout)
        assert isinstance(fig, Figure)
        assert tuple(fig.get_size_inches()[:1]) == (layout.width,)
        ax = fig.axes[0]
        assert "[" in (ax.get_ylabel() or ax.get_xlabel())  # every axis says its unit
    assert _pylab_helpers.Gcf.get_all_fig_managers() == []


def test_weekly_distance_bars_ticks_and_flags(data) -> None:
    fig = plots.weekly_distance(data.weekly, data.week_flags, unit="km",
                                start=data.period_start, end=data.period_end)
    ax = fig.axes[0]
    bars = ax.patches[: len(data.weekly)]
    np.testing.assert_allclose([b.get_height() for b in bars], data.weekly["distance"])
    ticks = next(c for c in ax.collections if isinstance(c, LineCollection))
    levels = [seg[0, 1] for seg in ticks.get_segments()]
    np.testing.assert_allclose(levels, data.weekly["limit10"])
    flagged = data.week_flags[data.week_flags["rule"].isin(plots.DISTANCE_RULES)]
    markers = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(m.get_offsets()) for m in markers) == flagged["week_start"].nunique() == 5
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["weekly distance", "previous week + 10 %", "info", "caution"]
    assert ax.get_ylabel() == "distance [km/week]"


def test_load_change_bands_and_wording(data) -> None:
    fig = plots.load_change(data.acwr, start=data.period_start, end=data.period_end)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["above usual (1.3)", "well above usual (1.5)"]
    assert "danger" not in " ".join([*texts, ax.get_ylabel()]).lower()
    assert ax.get_ylabel().startswith("load change indicator")
    line = ax.get_lines()[-1]
    np.testing.assert_allclose(line.get_ydata(), data.acwr["ratio"])


def test_colours_are_okabe_ito(data) -> None:
    fig = plots.intensity(data.weekly, data.week_flags, start=data.period_start,
                          end=data.period_end)
    bar = fig.axes[0].patches[0]
    assert mcolors.to_hex(bar.get_facecolor()) == plots.OKABE_ITO["green"].lower()
    for colour, _ in plots.SEVERITY_STYLE.values():
        assert colour in plots.OKABE_ITO.values()


def test_shoes_and_long_runs(data) -> None:
    fig = plots.shoes(data.shoes, data.shoe_marks, unit="km")
    ax = fig.axes[0]
    np.testing.assert_allclose([p.get_width() for p in ax.patches], data.shoes["total"])
    notes = [t.get_text() for t in ax.texts]
    assert any("800 km by" in t for t in notes) and any("past the mark" in t for t in notes)
    fig = plots.long_runs(data.runs, data.run_flags, unit="km", start=data.period_start,
                          end=data.period_end)
    ax = fig.axes[0]
    dots = ax.collections[0]
    assert len(dots.get_offsets()) == len(data.runs) > 50
    assert len(data.run_flags) == 1 and data.run_flags["severity"].iloc[0] == "caution"


def test_empty_frames_draw_an_explanation() -> None:
    weekly = pd.DataFrame({c: pd.Series(dtype=float) for c in
                           ("distance", "limit10", "hi_min", "trimp", "descent", "trail")})
    weekly["week_start"] = pd.Series(dtype="datetime64[us]")
    flags = pd.DataFrame({"week_start": [], "rule": [], "severity": []})
    t0, t1 = pd.Timestamp("2026-01-05"), pd.Timestamp("2026-02-01")
    fig = plots.weekly_distance(weekly, flags, unit="km", start=t0, end=t1)
    assert [t.get_text() for t in fig.axes[0].texts] == ["no weeks in the period"]
    assert fig.axes[0].get_ylim() == (0.0, 1.0)
