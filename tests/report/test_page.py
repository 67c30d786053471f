"""What a runner and a coach check on the page: the nav matches the sections, every run of
the shown weeks is listed with what it triggered, a year's overview draws the rule's own
limits, and the drawn plots keep their labels off the data (read back from matplotlib)."""

from __future__ import annotations

import datetime as dt
import re

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from loadwatch.pipeline import analyse_activities
from loadwatch.report import context as ctx
from loadwatch.report import plots
from loadwatch.report.render import render_report
from loadwatch.settings import parse_settings
from tests.rules.synth import MONDAY, run, table, weeks_of_runs

#: 60 weeks, the last one cut on its Wednesday; a +40 % week at week 55; an extra long run
#: in week 58; a worn shoe.
WEEKS = [30.0] * 54 + [42.0, 42.0, 42.0, 42.0, 42.0]
LAST_WEEK = MONDAY + dt.timedelta(weeks=len(WEEKS))
TODAY = LAST_WEEK + dt.timedelta(days=2)  # a Wednesday


@pytest.fixture(scope="module")
def season():
    rows = weeks_of_runs(WEEKS, shoe="Pegasus")
    rows.append(run(MONDAY + dt.timedelta(weeks=57, days=6), 30.0, shoe="Pegasus"))
    rows += [run(LAST_WEEK, 10.0, shoe="Pegasus"), run(LAST_WEEK + dt.timedelta(days=2), 8.0,
                                                       shoe="Pegasus")]
    settings = parse_settings({"shoes": [{"name": "Pegasus", "retire_km": 2000}]})
    return analyse_activities(table(rows), settings, today=TODAY)


@pytest.fixture(scope="module")
def c(season):
    return ctx.build_context(season, weeks=16)


@pytest.fixture(scope="module")
def html(season):
    return render_report(season, weeks=16, narrow_figures=False)


def test_nav_labels_are_the_section_titles(c, html) -> None:
    nav = html.split('<nav class="toc', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', nav)
    assert links == [(s.id, s.title) for s in c.sections]
    for sid, title in links:
        section = html.split(f'<section id="{sid}"', 1)[1]
        heading = re.search(r"<h2[^>]*>(.*?)</h2>", section, re.S).group(1)
        assert re.sub(r"<span.*", "", heading, flags=re.S).strip() == title


def test_nav_follows_the_focus_label(season) -> None:
    # a Monday with no run yet: the first section is "Last week", and so is its nav link
    quiet = dataclass_replace_weekly(season)
    c = ctx.build_context(quiet, weeks=16)
    assert c.sections[0].title == c.current.label  # whatever the focus calls the week


def dataclass_replace_weekly(season):
    import dataclasses

    w = season.weekly.copy()
    extra = w.iloc[[-1]].copy()
    extra["week_start"] = w["week_start"].iloc[-1] + pd.Timedelta(weeks=1)
    extra["week"] = "2027-W10"
    for col in ("distance_km", "runs", "longest_run_km"):
        extra[col] = 0
    return dataclasses.replace(season, weekly=pd.concat([w, extra], ignore_index=True))


def test_run_list_has_every_run_of_the_shown_weeks(season, c) -> None:
    shown = set(c.plot_data.weekly["week"])
    assert [w.week for w in c.run_weeks] == sorted(shown, reverse=True)
    runs = [r for w in c.run_weeks for r in w.activities]
    acts = season.activities
    in_period = acts[pd.to_datetime(acts["start_time"]).dt.tz_localize(None)
                     >= c.plot_data.period_start]
    assert len(runs) == len(in_period)
    # the long run: 30 km in 3:00:00 at 6:00 /km, flagged by the long-run rule, linked to it
    [big] = [r for r in runs if r.distance == "30.00 km"]
    assert (big.duration, big.pace, big.shoe) == ("3:00:00", "6:00 /km", "Pegasus")
    spike = next(f for f in c.findings if f.rule == "long_run_spike" and f.activity_id)
    assert [x.anchor for x in big.findings] == [spike.anchor]
    # the week-level +40 % finding sits on its week, not on a run
    jump = next(f for f in c.findings if f.rule == "weekly_distance_jump")
    week = next(w for w in c.run_weeks if w.week == jump.week)
    assert jump.anchor in [x.anchor for x in week.findings]


def test_run_list_links_resolve(html) -> None:
    ids = set(re.findall(r' id="([\w-]+)"', html))
    runs = html.split('<section id="runs"', 1)[1].split("</section>", 1)[0]
    targets = re.findall(r'href="#([\w-]+)"', runs)
    assert targets and set(targets) <= ids


def test_run_list_in_miles(season) -> None:
    c = ctx.build_context(season, weeks=16, units="mi")
    big = next(r for w in c.run_weeks for r in w.activities if r.distance.startswith("18.64"))
    assert big.pace == "9:39 /mi" and big.distance == "18.64 mi"


def _bar_extents(ax) -> list[tuple[float, float]]:
    return [(p.get_x(), p.get_x() + p.get_width()) for p in ax.patches
            if isinstance(p, Rectangle) and p.get_width() < 30]


@pytest.mark.parametrize("spec_id", ["plot-overview", "plot-distance", "plot-intensity",
                                     "plot-terrain"])
def test_last_weekly_bar_is_whole_when_the_data_ends_mid_week(c, spec_id) -> None:
    d = c.plot_data
    assert d.period_end < d.axis_end  # the data ends on the Wednesday
    spec = next(s for s in plots.plot_specs("km", "m", d.labels) if s.id == spec_id)
    for layout in (plots.WIDE, plots.NARROW):
        ax = spec.draw(d, layout).axes[0]
        lo, hi = ax.get_xlim()
        bars = _bar_extents(ax)
        assert bars and all(lo <= x0 and x1 <= hi for x0, x1 in bars)


def test_overview_draws_a_year_and_the_rules_limits(season, c) -> None:
    d = c.plot_data
    spec = plots.plot_specs("km", "m", d.labels)[0]
    assert spec.id == "plot-overview"
    ax = spec.draw(d, plots.WIDE).axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() < 30]
    assert len(bars) == 52
    weekly = season.weekly.sort_values("week_start").tail(52)
    np.testing.assert_allclose([b.get_height() for b in bars], weekly["distance_km"])
    # the red ticks are the caution limits the weekly distance rule applied
    judged = season.judged["weekly_distance_jump"].frame.set_index("week_start")
    ticks = {}
    for coll in ax.collections:
        if isinstance(coll, LineCollection):
            for seg in map(np.asarray, coll.get_segments()):
                if np.isfinite(seg[0, 1]):
                    mid = mdates.num2date((seg[0, 0] + seg[1, 0]) / 2).replace(tzinfo=None)
                    ticks[pd.Timestamp(mid).normalize() - pd.Timedelta(days=3)] = seg[0, 1]
    want = judged["caution_limit"].reindex(pd.DatetimeIndex(weekly["week_start"])).dropna()
    assert len(want) > 40
    assert {k: pytest.approx(v) for k, v in want.items()} == ticks
    longest = ax.get_lines()[0]
    np.testing.assert_allclose(longest.get_ydata(),
                               weekly["longest_run_km"].where(weekly["runs"] > 0))


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_load_ratio_labels_stay_off_the_line(c, season) -> None:
    d = c.plot_data
    for layout in (plots.WIDE, plots.NARROW):
        fig = plots.load_ratio(d.load_ratio, start=d.period_start, end=d.axis_end,
                               bands=d.load_ratio_bands, layout=layout)
        fig.draw_without_rendering()
        ax = fig.axes[0]
        line = next(ln for ln in ax.get_lines() if len(ln.get_xdata()) == len(d.load_ratio))
        xy = ax.transData.transform(np.column_stack([mdates.date2num(line.get_xdata()),
                                                     line.get_ydata()]))
        xy = xy[np.isfinite(xy).all(axis=1)]
        assert len(xy)
        texts = [*ax.texts, *ax.get_legend().get_texts()]
        for t in texts:
            box = t.get_window_extent()
            inside = ((xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1)
                      & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1))
            assert not inside.any(), t.get_text()
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        lo, hi = season.rules["load_ratio"].value("info"), season.rules["load_ratio"].value(
            "caution")
        assert f"above usual ({lo:g}x)" in labels and f"well above usual ({hi:g}x)" in labels


def test_shoe_labels_stay_off_the_marks() -> None:
    shoes = pd.DataFrame({"shoe": ["Pegasus", "Speedgoat", "Ghost"],
                          "total": [300.0, 700.0, 900.0],
                          "lower_mark": [450.0, 450.0, 450.0],
                          "upper_mark": [800.0, 800.0, 800.0],
                          "projected_upper": [pd.Timestamp("2027-05-01"),
                                              pd.Timestamp("2027-01-10"), pd.NaT]})
    for layout in (plots.WIDE, plots.NARROW):
        fig = plots.shoes(shoes, unit="km", layout=layout)
        fig.draw_without_rendering()
        ax = fig.axes[0]
        marks = [s for coll in ax.collections if isinstance(coll, LineCollection)
                 for s in map(np.asarray, coll.get_segments())]
        assert len(marks) == 6
        axes_box = ax.get_window_extent()
        for t in ax.texts:
            box = t.get_window_extent()
            assert box.x1 <= axes_box.x1 + 1, t.get_text()  # inside the axes
            for seg in marks:
                p0, p1 = ax.transData.transform(seg)
                seg_box = type(box).from_extents(min(p0[0], p1[0]) - 1, min(p0[1], p1[1]),
                                                 max(p0[0], p1[0]) + 1, max(p0[1], p1[1]))
                assert not _overlaps(box, seg_box), t.get_text()


def test_terrain_without_trail_says_so_in_a_line(c) -> None:
    d = c.plot_data
    assert not (d.weekly["trail"] > 0).any()
    spec = next(s for s in plots.plot_specs("km", "m", d.labels) if s.id == "plot-terrain")
    fig = spec.draw(d, plots.WIDE)
    assert len(fig.axes) == 1  # no right-hand trail axis
    assert fig.axes[0].get_lines() == []  # no flat zero line
    assert spec.note(d) == "No trail runs in these weeks."


def test_terrain_with_trail_draws_the_line() -> None:
    rows = weeks_of_runs([20.0] * 8, descent_m=100.0)
    rows += weeks_of_runs([6.0] * 2, start=MONDAY + dt.timedelta(weeks=6), days=(3,),
                          sport="trail_running", descent_m=300.0)
    a = analyse_activities(table(rows), parse_settings({}),
                           today=MONDAY + dt.timedelta(weeks=8))
    d = ctx.build_context(a, weeks=8).plot_data
    spec = next(s for s in plots.plot_specs("km", "m", d.labels) if s.id == "plot-terrain")
    fig = spec.draw(d, plots.WIDE)
    assert len(fig.axes) == 2 and spec.note(d) is None
    np.testing.assert_allclose(fig.axes[1].get_lines()[0].get_ydata(), d.weekly["trail"])


def test_header_labels_are_apart_from_their_values(html) -> None:
    # the page's text as a browser copies or reads it: tags removed, nothing added
    header = html.split('<dl class="meta">', 1)[1].split("</dl>", 1)[0]
    text = re.sub(r"<[^>]+>", "", header)
    for label in ("Period", "Files", "Generated", "Sources"):
        assert re.search(rf"\b{label}:? \S", text), (label, text)
        assert not re.search(rf"\b{label}[0-9A-Za-z(]", text.replace(f"{label}:", "")), label


@pytest.mark.parametrize("layout", [plots.WIDE, plots.NARROW], ids=["wide", "narrow"])
def test_every_legend_ends_inside_its_figure(c, layout) -> None:
    for spec in plots.plot_specs("km", "m", c.plot_data.labels):
        fig = spec.draw(c.plot_data, layout)
        fig.draw_without_rendering()
        legend = fig.axes[0].get_legend()
        if legend is not None:
            box = legend.get_window_extent()
            assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1, spec.id
            assert box.y1 <= fig.bbox.y1, spec.id
