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
    """Next week's limits: the most that stays below every caution threshold.

    A value is None where no rule bounds it (e.g. too little history); ``basis`` says,
    per quantity, which rule set the limit ("weekly_distance_jump: +30 % on 32 km").
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


@dataclass(frozen=True)
class Focus:
    """The week a reader should see first, and the weeks whose findings lead with it.

    Normally the latest week ("This week"). When the latest week has no runs yet (a
    Monday cron run, a rest week so far), the week that just ended is what the runner or
    coach needs: ``label`` is then "Last week", ``row`` that week, and ``weeks`` holds
    both, so a finding from the weekend (a red flag) is never hidden behind an empty week.
    """

    label: str
    row: pd.Series
    previous: pd.Series | None
    weeks: frozenset[str]


def focus(weekly: pd.DataFrame) -> Focus | None:
    """The :class:`Focus` of a weekly frame (schema.WEEKLY), or None when it is empty."""
    if weekly.empty:
        return None
    w = weekly.sort_values("week_start")
    latest = w.iloc[-1]
    quiet = int(latest["runs"]) == 0 and len(w) > 1
    at = len(w) - 2 if quiet else len(w) - 1
    row = w.iloc[at]
    previous = w.iloc[at - 1] if at > 0 else None
    return Focus("Last week" if quiet else "This week", row, previous,
                 frozenset({str(latest["week"]), str(row["week"])}))


def current_findings(analysis: Analysis) -> pd.DataFrame:
    """The findings the reader is shown first: those of the :class:`Focus` weeks.

    That is the current calendar week, plus the week that just ended while the current
    one has no runs yet (a Monday: the weekend's red flag is still current), plus every
    red flag that is still current (logged in the last 14 days, not cleared). ``check
    --fail-on``, ``batch --fail-on``, the index and the report's first section all use this,
    so they agree on what "current" means.
    """
    lead = focus(analysis.weekly)
    findings = analysis.findings
    if lead is None:
        return findings.iloc[0:0]
    shown = findings["week"].astype(str).isin(lead.weeks).to_numpy(bool).copy()
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
