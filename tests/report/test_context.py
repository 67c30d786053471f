"""The report context: period, ordering, units, shoe projections, load change indicator."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from loadwatch.report import context as ctx
from loadwatch.rules import RULES
from loadwatch.rules.evaluators import evaluate_all
from loadwatch.settings import Settings
from tests.report.synth import synthetic_analysis


@pytest.fixture(scope="module")
def season():
    return synthetic_analysis()


@pytest.fixture(scope="module")
def c(season):
    return ctx.build_context(season, weeks=16)


def test_fixed_texts_quote_the_rules_in_the_display_units() -> None:
    """Condition and self-care distances are placeholders filled from the shoe rule."""
    assert ctx.fmt.fixed_text("replace shoes at {shoe_life}", ctx.units_for("km")) == (
        "replace shoes at 450-800 km")
    assert ctx.fmt.fixed_text("replace shoes at {shoe_life}", ctx.units_for("mi")) == (
        "replace shoes at 280-497 mi")
    rules = {"shoe_mileage": RULES["shoe_mileage"].with_values(info=500.0)}
    assert ctx.fmt.fixed_text("at {shoe_life}.", ctx.units_for("km"), rules) == "at 500-800 km."
    assert ctx.fmt.fixed_text("ice 15-20 min", ctx.units_for("mi")) == "ice 15-20 min"


def test_fmt_value() -> None:
    km, mi = ctx.units_for("km"), ctx.units_for("mi")
    assert ctx.fmt_value(46.5, 30.0, "%", km) == "46.5 % (threshold 30 %)"
    assert ctx.fmt_value(1.38, 1.3, "x", km) == "1.38x (threshold 1.3x)"
    assert ctx.fmt_value(512.0, 450.0, "km", mi) == "318 mi (threshold 280 mi)"
    assert ctx.fmt_value(float("nan"), 1.0, "km", km) == ""


def test_period_is_the_last_weeks_ending_with_the_latest(c, season) -> None:
    assert c.period_weeks == 16
    assert c.current.week == season.weekly["week"].iloc[-1] == "2026-W09"
    assert c.period == "Mon 10 Nov 2025 – Sun 01 Mar 2026"
    assert c.plot_data.weekly["week"].tolist() == season.weekly["week"].tail(16).tolist()
    # the distance ticks are the rule's own limits, the first shown week's from the week
    # before the period
    judged = season.judged["weekly_distance_jump"].frame.set_index("week_start")
    first = c.plot_data.weekly["week_start"].iloc[0]
    assert c.plot_data.weekly["info_limit"].iloc[0] == judged.loc[first, "info_limit"]
    assert judged.loc[first, "reference"] == season.weekly["distance_km"].iloc[-17]


def test_this_week_by_severity_table_newest_first(c) -> None:
    assert [f.severity for f in c.this_week] == ["caution", "info", "info"]
    assert all(f.week == "2026-W09" for f in c.this_week)
    weeks = [f.week for f in c.findings]
    assert weeks == sorted(weeks, reverse=True)
    assert {o.label: o.count for o in c.severity_filters} == {"Caution": 6, "Info": 5}
    assert sum(o.count for o in c.rule_filters) == len(c.findings) == 11
    assert all(o.token.replace("_", "").isalnum() for o in c.rule_filters)


def test_conditions_come_from_the_catalogue(c) -> None:
    names = {x.id: x.name for x in c.conditions}
    assert names["femoral_stress_fracture"] == "Femoral neck or pelvic bone stress"
    itb = next(x for x in c.conditions if x.id == "itb_syndrome")
    assert any("replace shoes at 450-800 km" in s for s in itb.self_care)
    assert any("replace shoes at 450-800 km" in s for s in c.general_self_care)
    # only conditions linked by this period's findings, in first-seen order
    linked = {cid for f in c.findings for cid in (x.id for x in f.conditions)}
    assert set(names) == linked


def test_long_run_finding_names_its_activity(c) -> None:
    spike = next(f for f in c.findings if f.rule == "long_run_spike")
    assert spike.activity.startswith("Run Wed 12 Nov (Wed 12 Nov 2025, 22.9 km)")


def test_shoe_projection(c, season) -> None:
    shoes = {s.shoe: s for s in c.shoes}
    assert set(shoes) == {"Pegasus 40", "Speedgoat 5"}
    sg = season.shoes[season.shoes["shoe"] == "Speedgoat 5"]
    total = float(sg["cumulative_km"].iloc[-1])
    end = c.plot_data.period_end
    recent = sg.loc[sg["week_start"] > end - pd.Timedelta(weeks=8), "distance_km"].sum() / 8
    when = end + pd.Timedelta(weeks=(800 - total) / recent)
    assert shoes["Speedgoat 5"].total == f"{total:,.0f} km"
    assert shoes["Speedgoat 5"].upper == when.strftime("%d %b %Y")
    assert shoes["Pegasus 40"].upper == "reached"
    assert shoes["Pegasus 40"].marks == "450 / 800 km"
    frame = c.plot_data.shoes.set_index("shoe")
    assert frame.loc["Speedgoat 5", "projected_upper"] == when
    assert pd.isna(frame.loc["Pegasus 40", "projected_upper"])


def test_load_change_indicator_is_the_rules_own(season, c) -> None:
    """The plotted ratio is the series the load_ratio rule read, not a recomputation."""
    judged = season.judged["load_ratio"].frame.set_index("date")["ratio"]
    got = c.plot_data.load_ratio.set_index("date")["ratio"]
    np.testing.assert_allclose(got.to_numpy(), judged.reindex(got.index).to_numpy())
    assert judged.iloc[:34].isna().all() and judged.notna().sum() > 250


def test_report_uses_the_athletes_rules_not_the_defaults(season) -> None:
    """Overrides of the load-change bands and shoe marks reach the plots via the rules."""
    rules = dict(RULES)
    rules["load_ratio"] = RULES["load_ratio"].with_values(info=1.2, caution=1.4)
    rules["shoe_mileage"] = RULES["shoe_mileage"].with_values(info=400.0)
    ev = evaluate_all(season.activities, season.daily, season.weekly, season.shoes,
                      Settings(), rules=rules)
    c = ctx.build_context(dataclasses.replace(season, rules=ev.rules, judged=ev.judged),
                          weeks=16)
    assert c.plot_data.load_ratio_bands == (1.2, 1.4)
    assert (c.plot_data.shoes["lower_mark"] == 400.0).all()
    assert ctx.build_context(season, weeks=16).plot_data.load_ratio_bands == (1.3, 1.5)


def test_miles_context(season) -> None:
    c = ctx.build_context(season, weeks=16, units="mi")
    assert c.current.distance == f"{season.weekly['distance_km'].iloc[-1] / 1.609344:.1f} mi"
    assert c.envelope.sentence == "Up to 35.2 mi, longest run 16.0 mi, descent 3,704 ft"
    w = c.plot_data.weekly
    assert w["distance"].iloc[-1] == pytest.approx(season.weekly["distance_km"].iloc[-1]
                                                   / 1.609344)
    assert w["descent"].iloc[-1] == pytest.approx(season.weekly["descent_m"].iloc[-1] / 0.3048)
    marks = c.plot_data.shoes[["lower_mark", "upper_mark"]].to_numpy()
    assert marks == pytest.approx(np.array([[450, 800]] * len(marks)) / 1.609344)


def test_a_week_without_runs_yet_shows_last_week_first(season) -> None:
    """A Monday cron run: the calendar week is empty, so last week's findings lead."""
    weekly = season.weekly.sort_values("week_start")
    last = weekly.iloc[-1]
    empty_week = last.copy()
    empty_week["week_start"] = pd.Timestamp(last["week_start"]) + pd.Timedelta(days=7)
    iso = empty_week["week_start"].isocalendar()
    empty_week["week"] = f"{iso.year}-W{iso.week:02d}"
    for col in ("distance_km", "moving_s", "longest_run_km", "hi_intensity_min", "trimp",
                "load", "ascent_m", "descent_m", "downhill_km", "trail_km"):
        empty_week[col] = 0.0
    empty_week["runs"] = 0
    quiet = dataclasses.replace(
        season, weekly=pd.concat([weekly, empty_week.to_frame().T]).astype(weekly.dtypes)
    )
    c = ctx.build_context(quiet, weeks=16)
    assert c.current.label == "Last week"
    assert c.current.week == str(last["week"])
    expected = set(season.findings.loc[season.findings["week"] == last["week"], "rule"])
    assert expected and {v.rule for v in c.this_week} == expected
    ranks = [ctx.severity_rank(v.severity) for v in c.this_week]
    assert ranks == sorted(ranks, reverse=True)
