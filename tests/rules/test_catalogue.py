"""The catalogue is the single source: severities, windows, texts and evaluators."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd
import pytest

from loadwatch import frames
from loadwatch.rules import BONE_STRESS_RULES, RULES, evaluators
from loadwatch.settings import parse_settings
from tests.rules.synth import MONDAY, run, table, weeks_of_runs


def test_every_rule_has_an_evaluator_and_every_evaluator_a_rule() -> None:
    assert set(evaluators.EVALUATORS) == set(RULES)


def test_rule_texts_are_filled_from_their_values() -> None:
    spike = RULES["long_run_spike"]
    assert "previous 30 days" in spike.description and "above 10 %" in spike.description
    wider = spike.with_values(window_days=42, caution=0.15)
    assert "previous 42 days" in wider.description and "above 15 %" in wider.description
    assert "42 covered days" in wider.needs and "about 15 %" in wider.advice_text
    for rule in RULES.values():  # no placeholder left unfilled
        assert not re.search(r"[{}]", rule.description + rule.needs + rule.advice_text)


def test_fixed_texts_carry_no_distance_of_their_own() -> None:
    """Condition, self-care, evidence and advice texts are shown in km or mi: a distance in
    them is a placeholder filled from the rules (format.fixed_text), never '450-800 km'."""
    from loadwatch.rules import CONDITIONS
    from loadwatch.wording import GENERAL_SELF_CARE, SELF_CARE

    texts = [SELF_CARE, *GENERAL_SELF_CARE]
    texts += [t for c in CONDITIONS.values() for t in (c.description, c.self_care)]
    texts += [t for r in RULES.values() for t in (str(r.evidence), r.advice)]
    distance = re.compile(r"\d\s?(km|m|mi|miles?)\b")
    assert [t for t in texts if distance.search(t)] == []
    assert any("{shoe_life}" in t for t in texts)


def test_bone_stress_rules_are_those_with_a_stepped_threshold() -> None:
    assert BONE_STRESS_RULES == ("weekly_distance_jump", "long_run_spike", "intensity_jump",
                                 "downhill_volume_jump")
    stepped = parse_settings({"athlete": {"sex": "female"}}).rules()
    assert stepped["long_run_spike"].value("caution") == pytest.approx(0.1 * 2 / 3)
    assert stepped["monotony"] == RULES["monotony"]


def test_every_finding_takes_its_severity_from_the_threshold_that_fired() -> None:
    rows = table(weeks_of_runs([20, 20, 20, 20, 20, 40, 20, 60, 20, 20], shoe="A"))
    settings = parse_settings({})
    acts, _ = frames.prepare(rows, settings)
    daily = frames.daily_frame(acts, settings)
    weekly = frames.weekly_frame(daily)
    shoes = frames.shoe_frame(acts, settings)
    # every threshold that can fire reports a different severity than its default
    def flip(t):
        other = "warning" if t.severity != "warning" else "info"
        return dataclasses.replace(t, severity=other) if t.severity else t

    flipped = {rid: dataclasses.replace(r, thresholds=tuple(map(flip, r.thresholds)))
               for rid, r in RULES.items()}
    ev = evaluators.evaluate_all(acts, daily, weekly, shoes, settings, rules=flipped)
    assert len(ev.findings) > 3
    for f in ev.findings.itertuples():
        assert f.severity == flipped[f.rule].threshold(f.threshold_name).severity
        assert f.severity != RULES[f.rule].threshold(f.threshold_name).severity


def test_a_window_override_in_toml_changes_the_judgement() -> None:
    """A 4-week base then a 14-day gap: return_after_break fires only if break_days <= 14."""
    rows = weeks_of_runs([20, 20, 20, 20, 0, 0, 20, 20])
    for days, fired in ((14, True), (21, False)):
        settings = parse_settings({"thresholds": {"return_after_break": {"break_days": days}}})
        acts, _ = frames.prepare(table(rows), settings)
        daily = frames.daily_frame(acts, settings)
        weekly = frames.weekly_frame(daily)
        ev = evaluators.evaluate_all(acts, daily, weekly, frames.shoe_frame(acts, settings),
                                   settings, rules=[RULES["return_after_break"]])
        assert (len(ev.findings) > 0) == fired, days


def _load_ratio(weeks: list[float], days=(0, 2, 5), extra=(), today=None):
    settings = parse_settings({})
    acts, _ = frames.prepare(table(weeks_of_runs(weeks, days=days) + list(extra)), settings)
    daily = frames.daily_frame(acts, settings, today=today)
    weekly = frames.weekly_frame(daily)
    ev = evaluators.evaluate_all(acts, daily, weekly, frames.shoe_frame(acts, settings), settings,
                               rules=[RULES["load_ratio"]])
    return ev, weekly


def test_a_falling_week_is_never_above_usual() -> None:
    """A big week, then Monday's 8 km run is all of this week so far: the ratio read that
    day is still well above 1.5 (last week fills the 7-day load), but a week far below the
    mean of the 4 before is not "above usual"."""
    monday = MONDAY + dt.timedelta(weeks=7)
    ev, weekly = _load_ratio([20] * 6 + [60], extra=[run(monday, 8.0)], today=monday)
    frame = ev.judged["load_ratio"].frame
    last = frame[frame["read"]].iloc[-1]
    assert last["date"].date() == monday and last["ratio"] > 1.5
    assert weekly["load"].iat[-1] < weekly["load"].iloc[-5:-1].mean()
    assert pd.Timestamp(monday) not in set(ev.findings["week_start"])
    assert len(ev.findings)  # the big week itself still is


def test_one_run_cannot_swing_a_low_frequency_reading() -> None:
    """Two runs a week: the week's mean ratio is read, and the guard is stated."""
    ev, _ = _load_ratio([12] * 8, days=(0, 6))
    assert any("cannot swing" in n for n in ev.not_evaluated)
    frame = ev.judged["load_ratio"].frame
    read = frame[frame["read"]]
    assert (read["reading"] <= read["ratio"].max()).all()
    assert not (read["reading"] == read["ratio"]).all()
