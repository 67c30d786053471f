"""The result of reading and evaluating one athlete's files: what the report and JSON show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from loadwatch.format import Note
from loadwatch.problems import Problem
from loadwatch.rules import Rule
from loadwatch.schema import SEVERITIES, severity_rank
from loadwatch.settings import Settings

if TYPE_CHECKING:
    from loadwatch.findings import RuleSeries


@dataclass(frozen=True)
class Envelope:
    """The coming week's limits: the most that stays below every caution threshold.

    The week is the current calendar week (its rest, from ``first_day``: today) from Monday
    to Saturday, and the next week on a Sunday (the week is then as good as run; on that
    Sunday and on the Monday after, the envelope is for the same week with the same
    figures); never a week in the past. ``distance_km`` and ``descent_m`` are for the whole
    week, so what was already run in it counts (``done_km``, ``done_descent_m``) and
    ``remaining_km`` is what is left. ``longest_run_km`` and ``max_run_descent_m`` bound any
    one run still to come. A value is None where no rule bounds it; ``basis`` says, per
    quantity, which rule set the limit ("weekly_distance_jump: +30 % on 32 km"), and ``note``
    why there is no allowance at all (a current red flag, no recent runs).
    """

    week: str
    week_start: date
    distance_km: float | None
    longest_run_km: float | None
    descent_m: float | None
    basis: dict[str, str] = field(default_factory=dict)
    #: the basis as [template, facts] per quantity, for text in the reader's units
    #: (:func:`loadwatch.format.fill`); ``basis`` is the same in km
    reasons: dict[str, list[Any]] = field(default_factory=dict)
    #: Sunday of the week, and the first day the allowance is for (today, or the Monday)
    week_end: date | None = None
    first_day: date | None = None
    #: whether it is for the rest of the current week (else for the next week)
    this_week: bool = False
    #: already run in the week up to today (0 for next week)
    done_km: float = 0.0
    done_descent_m: float = 0.0
    #: ``distance_km`` less ``done_km`` (never below 0), None without a distance limit
    remaining_km: float | None = None
    #: the most descent in any one run still to come [m] (downhill rule's per-run limit)
    max_run_descent_m: float | None = None
    #: why there is no allowance or no figure at all, as [template, facts], else None
    note: list[Any] | None = None

    def period(self) -> tuple[str, dict[str, list[Any]]]:
        """Which week, in words with its own dates, as (template, facts) for
        :func:`loadwatch.format.fill`: "Next week, 2026-W47 (Mon 16 Nov to Sun 22 Nov)"
        or "Rest of this week, 2026-W49 (Wed 02 Dec to Sun 06 Dec; 12.0 km run since
        Mon 30 Nov)"."""
        end = self.week_end or self.week_start
        facts: dict[str, list[Any]] = {
            "week": [self.week, "text"], "end": [end.isoformat(), "date"],
            "start": [(self.first_day or self.week_start).isoformat(), "date"]}
        if not self.this_week:
            return "Next week, {week} ({start} to {end})", facts
        facts["done"] = [self.done_km, "km"]
        facts["monday"] = [self.week_start.isoformat(), "date"]
        return ("Rest of this week, {week} ({start} to {end}; {done} run since {monday})",
                facts)


@dataclass
class Analysis:
    """Everything computed for one athlete, ready to display.

    Frames follow :mod:`loadwatch.schema`: ``activities`` (ACTIVITY, with trimp,
    hi_intensity_s and shoe filled in), ``daily`` (DAILY), ``weekly`` (WEEKLY),
    ``shoes`` (SHOES), ``findings`` (FINDINGS, over the whole history).
    """

    athlete: str
    activities: pd.DataFrame
    daily: pd.DataFrame
    weekly: pd.DataFrame
    shoes: pd.DataFrame
    findings: pd.DataFrame
    envelope: Envelope | None
    #: rules that could not be evaluated and why, e.g. "intensity_jump: no heart rate or pace"
    not_evaluated: list[str] = field(default_factory=list)
    #: defaults the analysis had to assume, e.g. "max HR 188 bpm (highest seen in 180 days)";
    #: one with a distance is a format.Note, shown in the reader's units by format.note
    defaults_used: list[str | Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0
    #: how the files were read, for --verbose (loadwatch.read.ReadResult.notes): the
    #: decoder line ("FIT: 134 fast, 2 via fitparse (...)") and one line per archive
    read_notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    #: the clock of local days and weeks in words (:func:`loadwatch.calendar.describe`):
    #: the athlete's zone, "the files' own UTC offsets" or "UTC"
    timezone: str = "UTC"
    generated: datetime | None = None
    #: the athlete's "today" (``--today``, else the date now in their zone): the present
    #: the analysis is about (:func:`loadwatch.calendar.today`)
    today: date | None = None
    #: the athlete settings used
    settings: Settings = field(default_factory=Settings)
    #: the symptom log (loadwatch.rules.symptoms.read_symptoms), if one was found
    symptoms: pd.DataFrame | None = None
    #: the rules as evaluated for this athlete (overrides and bone-stress steps applied),
    #: by id; empty means the catalogue defaults
    rules: dict[str, Rule] = field(default_factory=dict)
    #: what each rule compared against, by rule id (loadwatch.findings.RuleSeries): the
    #: report and the plots draw these, never a second copy of a rule's formula
    judged: dict[str, RuleSeries] = field(default_factory=dict)
    #: today, this week, the last run and the week shown first (:func:`present_of`),
    #: decided once here; None only for an Analysis built by hand (:func:`present`)
    present: Present | None = None


#: Focus labels: the calendar's current week, the week just ended (the current one has no
#: runs yet), or the latest week with runs when neither has any (the data is old).
THIS_WEEK, LAST_WEEK, LATEST_WITH_RUNS = "This week", "Last week", "Latest week with runs"


@dataclass(frozen=True)
class Focus:
    """The week a reader should see first, and the weeks whose findings lead with it.

    The calendar decides, never the data: "This week" is the week holding today when it
    has runs; while it has none yet (a Monday cron run, a rest week so far), "Last week"
    when the week that just ended has runs (``weeks`` then holds both, so a weekend red
    flag is never hidden behind an empty week); else the "Latest week with runs", under
    its own label, and ``current`` is False: it is history, not this week.
    """

    label: str
    row: pd.Series
    previous: pd.Series | None
    weeks: frozenset[str]
    #: the focus week is this week or the one just ended (not an old week of the data)
    current: bool = True


@dataclass(frozen=True)
class Present:
    """Where the athlete's data stands against the calendar, decided once
    (:func:`present_of`, called by :func:`loadwatch.pipeline.analyse_activities`).

    The report's header, ``check`` (text and JSON), ``batch``'s summary and index and
    ``--fail-on`` all read this, so "this week", "no runs since" and "stale" agree.
    Everything is about running activities; other sports are listed beside them.
    """

    today: date
    #: the calendar week holding ``today`` (:func:`loadwatch.calendar.week_label`)
    week: str
    week_start: date
    #: local day of the latest run (running sports only), None when there is none
    last_run: date | None
    days_since_last_run: int | None
    #: more than this many days since the last run is "no recent data" (settings)
    stale_after_days: int
    focus: Focus | None
    #: the weeks whose findings are current: this week, plus the week just ended while
    #: this one has no runs yet (what ``--fail-on`` judges, with current red flags)
    current_weeks: frozenset[str]
    #: other sports in the focus week: (sport, count) most frequent first, and their hours
    other_sports: tuple[tuple[str, int], ...] = ()
    other_hours: float = 0.0
    #: Monday of the last week a report or ``check`` shows: this week while the data is
    #: recent, else the latest week with runs (an empty present is said, not plotted)
    end_week_start: date | None = None

    @property
    def stale(self) -> bool:
        """No run in the last ``stale_after_days`` days (or no run at all)."""
        return self.days_since_last_run is None or self.days_since_last_run > self.stale_after_days

    def to_json(self) -> dict[str, Any]:
        """The JSON fields of ``check`` and summary.json."""
        return {"last_run": self.last_run.isoformat() if self.last_run else None,
                "days_since_last_run": self.days_since_last_run}


def _row_of(weekly: pd.DataFrame, start: pd.Timestamp) -> pd.Series | None:
    at = weekly.index[weekly["week_start"] == start]
    return weekly.loc[at[0]] if len(at) else None


def _previous_of(weekly: pd.DataFrame, row: pd.Series) -> pd.Series | None:
    before = weekly[weekly["week_start"] < row["week_start"]]
    return before.iloc[-1] if len(before) else None


def focus(weekly: pd.DataFrame, today: date | None = None) -> Focus | None:
    """The :class:`Focus` of a weekly frame (schema.WEEKLY) on ``today``, or None when no
    week can lead (empty frame, no runs up to today and no row for this week).

    Without ``today`` the latest week of the frame is taken as the current one.
    """
    from loadwatch import calendar

    if weekly.empty:
        return None
    w = weekly.sort_values("week_start").reset_index(drop=True)
    this = calendar.monday(today) if today is not None else pd.Timestamp(w["week_start"].iloc[-1])
    last = this - pd.Timedelta(days=7)
    this_label, last_label = calendar.week_label(this), calendar.week_label(last)
    row = _row_of(w, this)
    if row is not None and int(row["runs"]) > 0:
        return Focus(THIS_WEEK, row, _previous_of(w, row), frozenset({this_label}))
    now = frozenset({this_label, last_label})
    ended = _row_of(w, last)
    if ended is not None and int(ended["runs"]) > 0:
        return Focus(LAST_WEEK, ended, _previous_of(w, ended), now)
    with_runs = w[(w["runs"].to_numpy() > 0) & (w["week_start"] <= this).to_numpy(bool)]
    if with_runs.empty:
        return None if row is None else Focus(THIS_WEEK, row, _previous_of(w, row),
                                              frozenset({this_label}))
    old = with_runs.iloc[-1]
    return Focus(LATEST_WITH_RUNS, old, _previous_of(w, old), now | {str(old["week"])},
                 current=False)


def present_of(
    activities: pd.DataFrame, weekly: pd.DataFrame, today: date, *,
    zone: str | None = None, stale_after_days: int = 14,
) -> Present:
    """The :class:`Present` of an athlete's prepared activities and weekly frame on
    ``today`` (the athlete's local day), in the clock of :mod:`loadwatch.calendar`."""
    from loadwatch import calendar
    from loadwatch.frames import is_run

    this = calendar.monday(today)
    lead = focus(weekly, today)
    last_run: date | None = None
    days: int | None = None
    other: tuple[tuple[str, int], ...] = ()
    hours = 0.0
    if not activities.empty:
        day = calendar.local_day(activities, zone)
        run = is_run(activities)
        up_to = (day <= pd.Timestamp(today)).to_numpy(bool)
        if (run & up_to).any():
            last = pd.Timestamp(day[run & up_to].max())
            last_run = last.date()
            days = (today - last_run).days
        if lead is not None:
            start = pd.Timestamp(lead.row["week_start"])
            inside = ((day >= start) & (day <= calendar.sunday(start))).to_numpy(bool)
            others = activities[inside & ~run]
            if len(others):
                counts = others["sport"].fillna("other").astype(str).value_counts()
                other = tuple((str(s), int(n)) for s, n in counts.items())
                moving = others["moving_s"].fillna(others["elapsed_s"]).fillna(0.0)
                hours = float(moving.astype(float).sum()) / 3600.0
    this_label = calendar.week_label(this)
    if lead is not None and lead.label == THIS_WEEK and int(lead.row["runs"]) > 0:
        current = frozenset({this_label})
    else:
        current = frozenset({this_label, calendar.week_label(this - pd.Timedelta(days=7))})
    stale = days is None or days > stale_after_days
    end = None
    if not weekly.empty:
        if lead is not None and stale:
            end = pd.Timestamp(lead.row["week_start"]).date()
        else:
            end = min(pd.Timestamp(weekly["week_start"].max()), this).date()
    return Present(today, calendar.week_label(this), this.date(), last_run, days,
                   stale_after_days, lead, current, other, hours, end)


def present(analysis: Analysis) -> Present:
    """``analysis.present``, or computed now for an :class:`Analysis` built by hand."""
    if analysis.present is not None:
        return analysis.present
    from loadwatch import calendar

    today = analysis.today
    if today is None:
        today = (pd.Timestamp(analysis.weekly["week_start"].max()).date()
                 if not analysis.weekly.empty else calendar.today(analysis.settings.timezone))
    return present_of(analysis.activities, analysis.weekly, today,
                      zone=analysis.settings.timezone,
                      stale_after_days=analysis.settings.stale_after_days)


def shown_weeks(analysis: Analysis, weeks: int) -> pd.DataFrame:
    """The last ``weeks`` weeks a report or ``check`` shows, ending with
    :attr:`Present.end_week_start` (oldest first)."""
    w = analysis.weekly.sort_values("week_start")
    end = present(analysis).end_week_start
    if end is not None:
        w = w[(w["week_start"] <= pd.Timestamp(end)).to_numpy(bool)]
    return w.tail(max(1, weeks))


def current_findings(analysis: Analysis) -> pd.DataFrame:
    """The findings that are current: those of :attr:`Present.current_weeks` (this
    calendar week, plus the week just ended while this one has no runs yet: on a Monday
    the weekend's findings are current), plus every red flag that is still current
    (logged in the last 14 days, not cleared). An old week's findings never are, even
    when the report leads with it because nothing newer has runs. ``check --fail-on``,
    ``batch --fail-on``, the index and the report's first section all use this, so they
    agree on what "current" means.
    """
    now = present(analysis)
    findings = analysis.findings
    shown = findings["week"].astype(str).isin(now.current_weeks).to_numpy(bool).copy()
    if analysis.today is not None and len(findings):
        # a red flag stays current for RED_FLAG_CURRENT_DAYS unless a pain-free entry
        # clears it, whichever week it was logged in (the envelope uses the same test)
        from loadwatch.rules.evaluators import RED_FLAG_CURRENT_DAYS, current_red_flag

        today = pd.Timestamp(analysis.today)
        latest = current_red_flag(findings, analysis.symptoms, today)
        if latest is not None:
            dates = pd.to_datetime(findings["date"])
            shown |= ((findings["severity"] == "seek_care")
                      & (dates <= today)
                      & (dates >= today - pd.Timedelta(days=RED_FLAG_CURRENT_DAYS))
                      ).to_numpy(bool)
    return findings[shown]


def fails(severities: Iterable[str | None], fail_on: str) -> bool:
    """Whether any of ``severities`` is at or above ``fail_on`` (never for "never").

    The one exit-code decision of ``check`` and ``batch``; seek_care ranks above warning.
    """
    if fail_on == "never":
        return False
    if fail_on not in SEVERITIES:
        raise ValueError(f"fail_on must be a severity or 'never', not {fail_on!r}")
    limit = severity_rank(fail_on)
    return any(s is not None and severity_rank(str(s)) >= limit for s in severities)
