"""From files to findings: read -> prepare -> daily/weekly/shoe frames -> rules -> envelope.

:func:`analyse` is what ``loadwatch check``, ``weekly`` and ``report`` call;
:func:`analyse_activities` does the same for an activity table already in memory (the API,
notebooks, tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from loadwatch import calendar, frames
from loadwatch.problems import Problem, UsageError
from loadwatch.result import Analysis, present_of
from loadwatch.rules import RULES, Rule
from loadwatch.rules.evaluators import envelope_from, evaluate_all
from loadwatch.rules.symptoms import find_symptom_log, read_symptoms
from loadwatch.settings import Settings, read_settings

if TYPE_CHECKING:
    from loadwatch.read import ParsedCache, ProgressSink


def analyse_activities(
    activities: pd.DataFrame,
    settings: Settings | None = None,
    *,
    rules: Mapping[str, Rule] | Iterable[Rule] = RULES,
    symptoms: pd.DataFrame | None = None,
    today: dt.date | None = None,
) -> Analysis:
    """Analyse an activity table (schema.ACTIVITY) for one athlete.

    ``today`` (``--today``; default: today in the athlete's zone, by
    :func:`loadwatch.calendar.today`) decides whether the days since the last activity
    count as rest (see :data:`loadwatch.frames.RECENT_DAYS`). A ``today`` given explicitly
    is "now" for the whole analysis: activities and symptoms of later local days are left
    out (and said so), so a missed week can be back-filled as it would have been seen.
    """
    settings = settings or Settings()
    as_of = today
    today = calendar.today(settings.timezone, today)
    notes: list[str] = []
    if as_of is not None:
        activities, symptoms, notes = _until(activities, symptoms, today, settings)
    acts, defaults = frames.prepare(activities, settings)
    defaults += notes
    if settings.bone_stress:
        defaults.append(
            "bone-stress profile (" + ", ".join(settings.bone_stress) + "): distance, long-run, "
            "intensity and downhill thresholds lowered one step (allowed rise x 2/3)"
        )
    daily = frames.daily_frame(acts, settings, today=today)
    weekly = frames.weekly_frame(daily)
    shoes = frames.shoe_frame(acts, settings)
    ev = evaluate_all(acts, daily, weekly, shoes, settings, rules=rules, symptoms=symptoms)
    return Analysis(
        athlete=settings.name,
        activities=acts,
        daily=daily,
        weekly=weekly,
        shoes=shoes,
        findings=ev.findings,
        envelope=envelope_from(ev.judged, ev.findings, weekly, ev.rules, symptoms),
        not_evaluated=ev.not_evaluated,
        defaults_used=defaults,
        timezone=calendar.describe(acts, settings.timezone),
        today=today,
        generated=dt.datetime.now(dt.UTC).replace(microsecond=0),
        settings=settings,
        symptoms=symptoms,
        rules=ev.rules,
        judged=ev.judged,
        present=present_of(acts, weekly, today, zone=settings.timezone,
                           stale_after_days=settings.stale_after_days),
    )


def _until(
    activities: pd.DataFrame, symptoms: pd.DataFrame | None, today: dt.date,
    settings: Settings,
) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """Activities and symptoms up to the local day ``today``, and a note on what was left."""
    end = pd.Timestamp(today)
    later = (calendar.local_day(activities, settings.timezone) > end).to_numpy(bool)
    notes = []
    if later.any():
        n = int(later.sum())
        notes.append(f"{n} activit{'ies' if n != 1 else 'y'} after {today:%d %b %Y} "
                     "(--today) left out")
        activities = activities[~later]
    if symptoms is not None and not symptoms.empty:
        symptoms = symptoms[(pd.to_datetime(symptoms["date"]) <= end).to_numpy(bool)]
    return activities, symptoms, notes


def analyse(
    paths: str | Path | Sequence[str | Path],
    *,
    config: str | Path | None = None,
    settings: Settings | None = None,
    jobs: int = 1,
    rules: Mapping[str, Rule] | Iterable[Rule] = RULES,
    today: dt.date | None = None,
    cache: ParsedCache | None = None,
    progress: ProgressSink | None = None,
) -> Analysis:
    """Read ``paths`` (a list of files, folders and archives) and analyse them.

    Settings: ``settings`` if given, else ``config``, else loadwatch.toml in the first
    folder read. symptoms.csv is read from the first folder that has one. ``jobs``,
    ``cache`` and ``progress`` are passed to :func:`loadwatch.read.read_activities`.
    Raises :class:`UsageError` for a bad config or when nothing could be read.
    """
    from loadwatch.read import read_activities

    if isinstance(paths, (str, Path)):
        paths = [paths]
    folders = [Path(p) for p in paths]
    if not folders:
        raise UsageError("no files or folders given")
    for p in folders:
        if not p.exists():
            raise UsageError(f"{p}: no such file or folder")
    if settings is None:
        settings = read_settings(Path(config) if config else None, search=folders)
    result = read_activities(
        folders, timezone=settings.timezone, jobs=jobs, cache=cache, progress=progress
    )
    problems = list(result.problems)
    if result.activities.empty:
        detail = f" ({len(problems)} problem files)" if problems else ""
        raise UsageError(
            f"no activities found in {', '.join(str(p) for p in folders)}{detail}"
        )
    symptoms = None
    log = find_symptom_log(folders)
    if log is not None:
        symptoms, bad = read_symptoms(log)
        problems += bad
    analysis = analyse_activities(
        result.activities, settings, rules=rules, symptoms=symptoms, today=today
    )
    analysis.problems = problems
    analysis.files_read = result.files_read
    analysis.read_notes = result.notes(verbose=True)
    analysis.sources = [str(p) for p in folders]
    return analysis


def problem_records(problems: Iterable[Problem]) -> list[dict[str, str]]:
    """Problems as {"source", "reason"} dicts for JSON."""
    return [{"source": p.source, "reason": p.reason} for p in problems]
