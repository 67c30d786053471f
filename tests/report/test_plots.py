"""The plots draw what the rules judged, without pyplot, legibly wide and narrow.

The marks are read back from the matplotlib artists and compared with the findings and
with numbers worked out by hand for a female athlete (bone-stress step: the 10 % rule's
info rise becomes 6.7 %) and a loadwatch.toml override; a plot that drew a hard-coded
"+10 %" would fail here.
"""

from __future__ import annotations

import datetime as dt

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib import _pylab_helpers
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure

from loadwatch.pipeline import analyse_activities
from loadwatch.report import context as ctx
from loadwatch.report import plots
from loadwatch.settings import parse_settings
from tests.report.synth import synthetic_analysis
from tests.rules.synth import MONDAY, run, table, weeks_of_runs

TODAY = dt.date(2026, 3, 15)


@pytest.fixture(scope="module")
def data() -> ctx.PlotData:
    return ctx.build_context(synthetic_analysis(), weeks=16).plot_data


#: 10 weeks: 60 km, then +7.5 % (an info only under the bone-stress step), +2 %, +39 %
#: (caution), then steady, with an extra 45 km run on the Sunday of week 9 (a spike).
WEEKS = [60.0, 60.0, 60.0, 64.5, 66.0, 92.0, 92.0, 92.0, 92.0, 92.0]


def _season(doc: dict) -> ctx.PlotData:
    rows = weeks_of_runs(WEEKS, shoe="Pegasus")
    rows.append(run(MONDAY + dt.timedelta(weeks=8, days=6), 45.0, shoe="Pegasus"))
    settings = parse_settings(doc)
    a = analyse_activities(table(rows), settings, today=TODAY)
    return a, ctx.build_context(a, weeks=12).plot_data


@pytest.fixture(scope="module")
def sam():
    """A female athlete with a shoe retired at 600 km."""
    return _season({"athlete": {"sex": "female"},
                    "shoes": [{"name": "Pegasus", "retire_km": 600}]})


@pytest.fixture(scope="module")
def strict():
    """A male athlete whose loadwatch.toml sets the 10 % rule's caution at +4 %, info +2 %."""
    return _season({"thresholds": {"weekly_distance_jump": {"info": 0.02, "caution": 0.04}}})


def _ticks(ax, colour: str) -> dict[pd.Timestamp, float]:
    """Tick level per week centre of the LineCollection drawn in ``colour``."""
    out = {}
    for c in ax.collections:
        if isinstance(c, LineCollection) and len(c.get_segments()):
            if mcolors.to_hex(c.get_colors()[0]) != mcolors.to_hex(colour):
                continue
            for seg in map(np.asarray, c.get_segments()):
                if seg.ndim == 2 and np.isfinite(seg[0, 1]):
                    mid = pd.Timestamp(mdates_num2date((seg[0, 0] + seg[1, 0]) / 2))
                    out[mid.normalize()] = float(seg[0, 1])
    return out


def mdates_num2date(x: float) -> dt.datetime:
    import matplotlib.dates as mdates

    return mdates.num2date(x).replace(tzinfo=None)


def _distance_fig(d: ctx.PlotData):
    return plots.weekly_distance(d.weekly, d.week_flags, unit="km", start=d.period_start,
                                 end=d.period_end, labels=d.labels).axes[0]


def _bars(ax, d: ctx.PlotData) -> dict[pd.Timestamp, float]:
    bars = ax.patches[: len(d.weekly)]
    return {pd.Timestamp(mdates_num2date(b.get_x() + b.get_width() / 2)).normalize():
            b.get_height() for b in bars}


def _judged_weeks(a, rule: str, severities: set[str]) -> set[pd.Timestamp]:
    f = a.findings[(a.findings["rule"] == rule) & a.findings["severity"].isin(severities)]
    return {pd.Timestamp(w) + pd.Timedelta(days=3) for w in f["week_start"]}


@pytest.mark.parametrize("which", ["sam", "strict"])
def test_distance_ticks_are_the_limits_the_rule_applied(which, request) -> None:
    a, d = request.getfixturevalue(which)
    ax = _distance_fig(d)
    bars = _bars(ax, d)
    info = _ticks(ax, "black")
    caution = _ticks(ax, plots.OKABE_ITO["vermillion"])
    assert info and set(info) == set(caution)
    # a bar above its info tick is exactly a week with a finding, above its caution tick
    # exactly a week with a caution
    over_info = {w for w, lim in info.items() if bars[w] > lim}
    over_caution = {w for w, lim in caution.items() if bars[w] > lim}
    assert over_info == _judged_weeks(a, "weekly_distance_jump", {"info", "caution"})
    assert over_caution == _judged_weeks(a, "weekly_distance_jump", {"caution"})
    w4 = pd.Timestamp(MONDAY) + pd.Timedelta(weeks=3, days=3)  # 60 -> 64.5 km
    if which == "sam":
        # bone-stress step: +10 % x 2/3 = +6.7 % (64.0 km), +30 % x 2/3 = +20 % (72.0 km)
        assert info[w4] == pytest.approx(64.0) and caution[w4] == pytest.approx(72.0)
        # the +7.5 % week: drawn above its info tick, as the finding says
        assert w4 in over_info and w4 not in over_caution
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "previous week + 7 %" in labels and "+ 20 %" in labels
    else:
        # the toml override: +2 % (61.2 km) and +4 % (62.4 km), each at least +3 km (63.0)
        assert info[w4] == pytest.approx(63.0) and caution[w4] == pytest.approx(63.0)
        assert w4 in over_caution


def test_the_caption_quotes_the_applied_limits(sam, strict) -> None:
    caption = {s.id: s.caption for s in plots.plot_specs("km", "m", sam[1].labels)}
    assert "previous week + 7 %" in caption["plot-distance"]
    assert "10 %" not in caption["plot-distance"]
    caption = {s.id: s.caption for s in plots.plot_specs("km", "m", strict[1].labels)}
    assert "previous week + 2 %" in caption["plot-distance"]


def test_long_run_line_is_the_rules_reference(sam) -> None:
    a, d = sam
    ax = plots.long_runs(d.runs, d.run_flags, unit="km", start=d.period_start,
                         end=d.period_end, labels=d.labels).axes[0]
    ref, limit = ax.get_lines()[0], ax.get_lines()[1]
    runs = d.runs
    np.testing.assert_allclose(ref.get_ydata(), runs["reference"])
    np.testing.assert_allclose(limit.get_ydata(), runs["caution_limit"])
    # the 45 km run: 30 days of 30.7 km runs before it, the dashed line at +6.7 %
    # (bone-stress step: +10 % x 2/3) of them
    big = runs["distance"].to_numpy() == 45.0
    assert limit.get_ydata()[big] == pytest.approx(92 / 3 * (1 + 0.1 * 2 / 3))
    # the runs above the dashed line are exactly the runs the rule flagged, each marked
    above = runs["distance"].to_numpy() > np.nan_to_num(runs["caution_limit"], nan=np.inf)
    spikes = a.findings[a.findings["rule"] == "long_run_spike"]
    assert sorted(runs.loc[above, "date"]) == sorted(d.run_flags["date"])
    assert len(spikes) == len(d.run_flags) == above.sum() >= 2
    markers = [c for c in ax.collections if isinstance(c, PathCollection)][1:]
    assert sum(len(m.get_offsets()) for m in markers) == len(spikes)
    assert any("previous 30 days" in t.get_text() for t in ax.get_legend().get_texts())


def test_load_plot_marks_the_reading_behind_each_finding(sam) -> None:
    a, d = sam
    fig = plots.load_ratio(d.load_ratio, start=d.period_start, end=d.period_end,
                           bands=d.load_ratio_bands, points=d.load_ratio_points)
    ax = fig.axes[0]
    found = a.findings[a.findings["rule"] == "load_ratio"]
    assert len(found) >= 1
    drawn = np.concatenate([m.get_offsets() for m in ax.collections
                            if isinstance(m, PathCollection)])
    want = sorted(zip(found["date"].map(lambda t: float(mdates_date2num(t))), found["value"],
                      strict=True))
    np.testing.assert_allclose(sorted(map(tuple, drawn)), want)
    # each point sits on the line the rule computed
    line = pd.Series(ax.get_lines()[-1].get_ydata(), index=pd.DatetimeIndex(d.load_ratio["date"]))
    for day, value in zip(found["date"], found["value"], strict=True):
        assert line[pd.Timestamp(day)] == pytest.approx(value)


def mdates_date2num(t: pd.Timestamp) -> float:
    import matplotlib.dates as mdates

    return float(mdates.date2num(pd.Timestamp(t).to_pydatetime()))


def test_shoe_marks_use_retire_km(sam) -> None:
    _, d = sam
    ax = plots.shoes(d.shoes, unit="km").axes[0]
    marks = sorted({round(float(seg[0, 0]), 6) for c in ax.collections
                    if isinstance(c, LineCollection) for seg in c.get_segments()})
    # retire_km = 600 rescales the rule's 450 / 800 km marks to 337.5 / 600 km
    assert marks == [337.5, 600.0]
    assert d.shoes["upper_mark"].tolist() == [600.0]


@pytest.mark.parametrize("layout", [plots.WIDE, plots.NARROW])
def test_every_plot_is_a_figure_without_pyplot(data, layout) -> None:
    specs = plots.plot_specs("km", "m", data.labels)
    assert [s.id for s in specs] == ["plot-overview", "plot-distance", "plot-load",
                                     "plot-intensity",
                                     "plot-terrain", "plot-shoes", "plot-long"]
    for spec in specs:
        assert spec.empty(data) is None
        fig = spec.draw(data, layout)
        assert isinstance(fig, Figure)
        assert tuple(fig.get_size_inches()[:1]) == (layout.width,)
        ax = fig.axes[0]
        assert "[" in (ax.get_ylabel() or ax.get_xlabel())  # every axis says its unit
    assert _pylab_helpers.Gcf.get_all_fig_managers() == []


def test_weekly_distance_bars_and_flags(data) -> None:
    ax = _distance_fig(data)
    bars = ax.patches[: len(data.weekly)]
    np.testing.assert_allclose([b.get_height() for b in bars], data.weekly["distance"])
    flagged = data.week_flags[data.week_flags["rule"].isin(plots.DISTANCE_RULES)]
    markers = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(m.get_offsets()) for m in markers) == flagged["week_start"].nunique() == 5
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["weekly distance", "previous week + 10 %", "+ 30 %", "info", "caution"]
    assert ax.get_ylabel() == "distance [km/week]"


def test_load_ratio_bands_and_wording(data) -> None:
    fig = plots.load_ratio(data.load_ratio, start=data.period_start, end=data.period_end,
                            bands=data.load_ratio_bands)
    ax = fig.axes[0]
    # the bands are named in the legend, never written over the line
    assert len(ax.texts) == 0
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["load change indicator", "above usual (1.3x)", "well above usual (1.5x)"]
    assert "danger" not in " ".join([*texts, ax.get_ylabel()]).lower()
    assert ax.get_ylabel().startswith("load change indicator")
    line = ax.get_lines()[-1]
    np.testing.assert_allclose(line.get_ydata(), data.load_ratio["ratio"])


def test_colours_are_okabe_ito(data) -> None:
    fig = plots.intensity(data.weekly, data.week_flags, start=data.period_start,
                          end=data.period_end)
    bar = fig.axes[0].patches[0]
    assert mcolors.to_hex(bar.get_facecolor()) == plots.OKABE_ITO["green"].lower()
    for colour, _ in plots.SEVERITY_STYLE.values():
        assert colour in plots.OKABE_ITO.values()


def test_shoes_and_long_runs(data) -> None:
    fig = plots.shoes(data.shoes, unit="km")
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
                           ("distance", "info_limit", "caution_limit", "hi_min", "trimp",
                            "descent", "trail")})
    weekly["week_start"] = pd.Series(dtype="datetime64[us]")
    flags = pd.DataFrame({"week_start": [], "rule": [], "severity": []})
    t0, t1 = pd.Timestamp("2026-01-05"), pd.Timestamp("2026-02-01")
    fig = plots.weekly_distance(weekly, flags, unit="km", start=t0, end=t1)
    assert [t.get_text() for t in fig.axes[0].texts] == ["no weeks in the period"]
    assert fig.axes[0].get_ylim() == (0.0, 1.0)
