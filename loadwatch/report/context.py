"""Everything the report shows, computed and formatted before the template sees it.

:func:`build_context` turns an :class:`~loadwatch.result.Analysis` into a
:class:`ReportContext`: plain strings and small dataclasses for the template, plus the
frames the plots draw (:class:`PlotData`), already cut to the report period and converted
to the display units. The template only loops and prints; it never computes, so a change
of wording or units happens here and nowhere else.

Rule titles and condition texts come from :mod:`loadwatch.rules` when it provides them; the
fallbacks below carry the same plain-language content (RULES.md, "Conditions" and
"Wording") so that a report can always be written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from loadwatch import calendar
from loadwatch import format as fmt
from loadwatch.format import KM_PER_MI, M_PER_FT, UnitName, Units, units_for
from loadwatch.result import Analysis, current_findings, present, shown_weeks
from loadwatch.rules import CONDITIONS, PAIN_LOG, RULES, Rule
from loadwatch.rules.evaluators import current_red_flag
from loadwatch.schema import SEVERITIES, severity_rank
from loadwatch.wording import (
    DISCLAIMER,
    GENERAL_SELF_CARE,
    LOAD_RATIO_CAVEAT,
    NOT_DETECTION,
    RED_FLAG_ACTION,
    RED_FLAGS,
    self_care,
)
from loadwatch.wording import SELF_CARE as SHARED_SELF_CARE

__all__ = ["KM_PER_MI", "M_PER_FT", "UnitName", "Units", "build_context", "units_for"]

#: Weeks of recent use a shoe's projected retirement date is based on.
SHOE_RATE_WEEKS = 8
#: Projections further ahead than this [weeks] are shown as text, not a date.
SHOE_PROJECTION_WEEKS = 520
#: Weeks of the overview plot above the detailed period.
OVERVIEW_WEEKS = 52


def rules_of(analysis: Analysis) -> Mapping[str, Rule]:
    """The rules as evaluated for this athlete (config overrides applied), else the defaults."""
    return analysis.rules or RULES


def load_ratio_bands(rules: Mapping[str, Rule] = RULES) -> tuple[float, float]:
    """Load change indicator bands: load_ratio's info ("above usual") and caution."""
    rule = rules["load_ratio"]
    return rule.value("info"), rule.value("caution")

@dataclass(frozen=True)
class ConditionText:
    """Plain-language text for one condition id, self-care split into short items."""

    id: str
    name: str
    description: str
    self_care: tuple[str, ...]


def _split_sentences(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in re.split(r"(?<=\.)\s+", text or "") if s.strip())


def catalogue() -> tuple[dict[str, str], dict[str, ConditionText]]:
    """Rule titles and condition texts from the rule catalogue (:mod:`loadwatch.rules`).

    The self-care every overuse condition shares is shown once, in the general list, so
    each condition keeps only its own advice.
    """
    titles = {rid: r.title for rid, r in RULES.items()}
    shared = set(_split_sentences(SHARED_SELF_CARE))
    conditions = {}
    for cid, c in CONDITIONS.items():
        own = tuple(x for x in _split_sentences(c.self_care) if x not in shared)
        if len(own) < len(_split_sentences(c.self_care)):
            own += ("See also the self-care for all overuse pain below.",)
        conditions[cid] = ConditionText(cid, c.name, c.description, own)
    return titles, conditions


def _humanise(token: str) -> str:
    return token.replace("_", " ").capitalize()


def _missing(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# --- formatting ---------------------------------------------------------------------------


def fmt_day(d: Any) -> str:
    """'Mon 23 Feb 2026'; an en dash where unknown."""
    if _missing(d):
        return "–"
    return pd.Timestamp(d).strftime("%a %d %b %Y")


def fmt_value(value: Any, threshold: Any, unit: str, units: Units) -> str:
    """'45.6 % (threshold 30 %)', converting km and m values to the display units."""
    return fmt.value_text(value, threshold, unit, units)


def css_token(text: str) -> str:
    """A class-name-safe token ([a-z0-9_-]); rule and severity ids already are."""
    return re.sub(r"[^a-z0-9_-]", "-", str(text).lower())[:60] or "x"


# --- context dataclasses ------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionRef:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class FindingView:
    """One finding, ready to print."""

    rule: str
    rule_title: str
    severity: str
    severity_label: str
    week: str
    day: str
    message: str
    value_text: str
    conditions: tuple[ConditionRef, ...]
    evidence: str
    advice: str
    #: the activity the finding concerns: title (untrusted text), day and distance
    activity: str
    rule_token: str
    severity_token: str
    #: the id of the finding's row in the findings table (``#f-3``), for links to it
    anchor: str = ""
    #: the activity the finding concerns, if any (links it to the run list)
    activity_id: str = ""
    #: a pain-log entry without red flags (:data:`loadwatch.rules.PAIN_LOG`)
    pain_log: bool = False


@dataclass(frozen=True)
class Section:
    """A section of the page: its anchor and its title, for the heading and the nav."""

    id: str
    title: str


@dataclass(frozen=True)
class FindingLink:
    """A link from a run (or a week of the run list) to a finding in the findings table."""

    anchor: str
    title: str
    severity_label: str
    severity_token: str


@dataclass(frozen=True)
class RunView:
    """One activity of the run list, formatted: what was counted, and what it triggered."""

    day: str
    start: str
    sport: str
    title: str
    distance: str
    duration: str
    pace: str
    avg_hr: str
    descent: str
    shoe: str
    quality: str
    findings: tuple[FindingLink, ...]


@dataclass(frozen=True)
class RunWeek:
    """A week of the run list: its totals, the week's own findings and its activities."""

    week: str
    span: str
    distance: str
    runs: str
    findings: tuple[FindingLink, ...]
    activities: tuple[RunView, ...]


@dataclass(frozen=True)
class EnvelopeView:
    week: str
    week_start: str
    sentence: str
    items: tuple[tuple[str, str, str], ...]  # (quantity, limit, basis)
    #: "Next week" or "Rest of this week", and the envelope's own dates
    title: str = "Next week"
    span: str = ""


@dataclass(frozen=True)
class WeekSummary:
    #: "This week", "Last week" when the current week has no runs yet, else "Latest week
    #: with runs" (:class:`loadwatch.result.Focus`)
    label: str
    week: str
    span: str
    distance: str
    runs: int
    longest: str
    descent: str
    hi_min: str
    #: "No runs since Sun 4 Jul 2021, 1,976 days ago" when the week is not this week or
    #: the one just ended ('' otherwise), from :class:`loadwatch.result.Present`
    notice: str = ""
    #: other sports of the week, "also: 2 rides, 1 walk (3.2 h)"
    also: str = ""
    #: the week is this week or the one just ended (not old data)
    current: bool = True


@dataclass(frozen=True)
class FilterOption:
    token: str
    label: str
    count: int


@dataclass(frozen=True)
class ShoeView:
    shoe: str
    total: str
    recent_rate: str
    #: when the shoe reaches the shoe_mileage rule's first and last mark (its retire_km)
    lower: str
    upper: str
    marks: str


@dataclass(frozen=True)
class ProblemView:
    source: str
    kind: str
    reason: str


@dataclass
class PlotData:
    """Frames the plots draw, cut to the period and already in display units."""

    units: Units
    #: week_start, week, distance, info_limit, caution_limit (the weekly distance rule's
    #: own limits), hi_min, trimp, descent, trail
    weekly: pd.DataFrame
    week_flags: pd.DataFrame  # week_start, rule, severity (one row per finding)
    load_ratio: pd.DataFrame  # date, ratio: the load_ratio rule's daily series
    load_ratio_points: pd.DataFrame  # date, ratio, severity: the reading behind each finding
    runs: pd.DataFrame  # date, distance, reference, caution_limit (the long-run rule's)
    run_flags: pd.DataFrame  # date, distance, severity
    #: shoe, total, lower_mark, upper_mark (the shoe's own marks), projected_upper
    shoes: pd.DataFrame
    load_ratio_bands: tuple[float, float]
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    #: the applied rules' values as the captions quote them, e.g. {"distance_info": "7 %"}
    labels: dict[str, str] = field(default_factory=dict)
    #: the end of the time axes: the Sunday of the last shown week, so the last week's bar
    #: is whole when the data ends mid-week (None: ``period_end``)
    axis_end: pd.Timestamp | None = None
    #: the overview's weeks (up to :data:`OVERVIEW_WEEKS`): week_start, distance,
    #: caution_limit (the weekly distance rule's), longest (the week's longest run)
    overview: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class Figure:
    """One embedded plot: a data URI and the words around it."""

    id: str
    title: str
    caption: str
    #: None when there is nothing to draw; ``empty`` then says why
    uri: str | None
    alt: str
    #: the same plot drawn narrow, for phones (None: use ``uri`` everywhere)
    uri_narrow: str | None = None
    empty: str | None = None
    #: one line under a drawn plot about what it leaves out (e.g. no trail runs)
    note: str | None = None


@dataclass
class ReportContext:
    """Everything the template displays."""

    athlete: str
    period: str
    period_weeks: int
    timezone: str
    generated: str
    sources: list[str]
    devices: list[str]
    files_read: int
    files_rejected: int
    files_skipped: int
    units: Units
    current: WeekSummary | None
    this_week: list[FindingView]
    envelope: EnvelopeView | None
    findings: list[FindingView]
    rule_filters: list[FilterOption]
    severity_filters: list[FilterOption]
    conditions: list[ConditionText]
    shoes: list[ShoeView]
    defaults_used: list[str]
    not_evaluated: list[str]
    problems: list[ProblemView]
    plot_data: PlotData
    figures: list[Figure] = field(default_factory=list)
    #: the page's sections in order: the nav and every heading read their titles here
    sections: list[Section] = field(default_factory=list)
    #: pain-log entries of the period (no red flags), newest first
    pain_log: list[FindingView] = field(default_factory=list)
    #: the shown weeks' activities, newest week first
    run_weeks: list[RunWeek] = field(default_factory=list)
    #: pain-log entries among the focus weeks' findings (shown in the pain-log section)
    this_week_pain: list[FindingView] = field(default_factory=list)
    #: a red flag is current: the self-care list is only "stop running and get assessed"
    red_flag_current: bool = False
    self_care_title: str = "Self-care and prevention for all overuse pain"
    disclaimer: str = DISCLAIMER
    not_detection: str = NOT_DETECTION
    red_flags: tuple[str, ...] = RED_FLAGS
    red_flag_action: str = RED_FLAG_ACTION
    load_ratio_caveat: str = LOAD_RATIO_CAVEAT
    general_self_care: tuple[str, ...] = GENERAL_SELF_CARE
    severities: tuple[str, ...] = SEVERITIES

    @property
    def titles(self) -> dict[str, str]:
        """Section id -> title (the headings use these, as the nav does)."""
        return {sec.id: sec.title for sec in self.sections}


SEVERITY_LABELS = {
    "info": "Info",
    "caution": "Caution",
    "warning": "Warning",
    "seek_care": "Seek care",
}


# --- computations -------------------------------------------------------------------------


def judged_frame(analysis: Analysis, rule_id: str) -> pd.DataFrame | None:
    """The series ``rule_id`` compared against (:attr:`Analysis.judged`), if it handed one."""
    series = analysis.judged.get(rule_id)
    return None if series is None else series.frame


def _activity_labels(activities: pd.DataFrame, units: Units,
                     zone: str | None) -> dict[str, str]:
    """activity_id -> 'Title (Sat 14 Feb 2026, 21.3 km)' for findings about one activity,
    on the athlete's local day (:mod:`loadwatch.calendar`)."""
    if activities.empty:
        return {}
    local = calendar.local_start(activities, zone)
    out = {}
    for aid, title, when, km in zip(activities["activity_id"], activities["title"], local,
                                    activities["distance_km"], strict=True):
        if _missing(aid):
            continue
        name = _str(title).strip() or "untitled activity"
        out[str(aid)] = f"{name} ({fmt_day(when)}, {units.fd(km)})"
    return out


def _finding_views(
    findings: pd.DataFrame, units: Units, titles: Mapping[str, str],
    conditions: Mapping[str, ConditionText], activities: Mapping[str, str],
) -> list[FindingView]:
    out = []
    for n, f in enumerate(findings.itertuples(index=False), start=1):
        conds = []
        for cid in _as_list(f.conditions):
            c = conditions.get(cid)
            conds.append(ConditionRef(cid, c.name if c else _humanise(cid),
                                      c.description if c else ""))
        rule = str(f.rule)
        sev = str(f.severity)
        pain = PAIN_LOG.is_entry(rule, sev)
        out.append(FindingView(
            rule=rule,
            rule_title=PAIN_LOG.title if pain else titles.get(rule, _humanise(rule)),
            severity=sev,
            severity_label=SEVERITY_LABELS.get(sev, sev),
            week=str(f.week),
            day=fmt_day(f.date) if not _missing(f.date) else "",
            message=fmt.message(f, units),
            # a pain-log entry's message says the pain; "2 pain 0-10" would repeat it
            value_text="" if pain else fmt_value(f.value, f.threshold, _str(f.unit), units),
            conditions=tuple(conds),
            evidence=_str(f.evidence),
            advice=_str(f.advice),
            activity=activities.get(_str(f.activity_id), ""),
            rule_token=css_token("pain_log" if pain else rule),
            severity_token=css_token(sev),
            anchor=f"f-{n}",
            activity_id=_str(f.activity_id),
            pain_log=pain,
        ))
    return out


def _devices(activities: pd.DataFrame) -> list[str]:
    """Recording devices with their activity counts, most used first."""
    names = activities["device"].dropna().astype(str).str.strip()
    counts = names[names != ""].value_counts()
    return [f"{name} ({n})" for name, n in counts.items()]


def _str(v: Any) -> str:
    return "" if _missing(v) else str(v)


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [s.strip() for s in v.replace(";", ",").split(",") if s.strip()]
    if isinstance(v, Iterable):
        return [str(x) for x in v]
    return []


def _sorted_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """Newest week first; within a week most severe first, then newest day, then rule id."""
    if findings.empty:
        return findings
    key = findings.assign(
        _rank=findings["severity"].astype(str).map(severity_rank),
        _when=findings["date"].fillna(findings["week_start"]),
    )
    key = key.sort_values(["week_start", "_rank", "_when", "rule"],
                          ascending=[False, False, False, True], kind="stable")
    return key.drop(columns=["_rank", "_when"])


def _envelope_view(analysis: Analysis, units: Units) -> EnvelopeView | None:
    env = analysis.envelope
    if env is None:
        return None

    def basis(key: str) -> str:
        if key in env.reasons:
            template, facts = env.reasons[key]
            return fmt.fill(template, facts, units)
        return env.basis.get(key, "")

    items = []
    parts = []
    if env.distance_km is not None:
        left = ""
        if env.this_week and env.remaining_km is not None:
            left = f" ({units.fd(env.done_km)} run, {units.fd(env.remaining_km)} left)"
        # one decimal, as the envelope rounded down: a whole number rounded to nearest
        # could show more than the limit
        items.append(("Weekly distance", f"up to {units.fd(env.distance_km)}{left}",
                      basis("distance_km")))
        parts.append(f"up to {units.fd(env.distance_km)}{left}")
    if env.longest_run_km is not None:
        items.append(("Longest run", units.fd(env.longest_run_km), basis("longest_run_km")))
        parts.append(f"longest run {units.fd(env.longest_run_km)}")
    if env.descent_m is not None:
        items.append(("Descent", units.fe(env.descent_m), basis("descent_m")))
        parts.append(f"descent {units.fe(env.descent_m)}")
    if env.max_run_descent_m is not None and env.note is None:
        items.append(("Descent in one run", units.fe(env.max_run_descent_m),
                      basis("max_run_descent_m")))
    sentence = ", ".join(parts) if parts else "no limit could be set from the history yet"
    if env.note:
        none = "no running allowance" if env.distance_km == 0 else "no figure"
        sentence = f"{none}: " + fmt.fill(env.note[0], env.note[1], units)
        items = []
    sentence = sentence[:1].upper() + sentence[1:]
    title = "Rest of this week" if env.this_week else "Next week"
    span = f"{fmt_day(env.first_day or env.week_start)} to {fmt_day(env.week_end)}" \
        if env.week_end else f"from {fmt_day(env.week_start)}"
    return EnvelopeView(env.week, fmt_day(env.week_start), sentence, tuple(items), title, span)


def _shoes(analysis: Analysis, units: Units, start: pd.Timestamp, end: pd.Timestamp,
           ) -> tuple[list[ShoeView], pd.DataFrame]:
    """The shoes used in the period against their own marks (shoe_mileage's, retire_km in)."""
    s = analysis.shoes
    cols = {"shoe": pd.Series(dtype="string"), "total": pd.Series(dtype=float),
            "lower_mark": pd.Series(dtype=float), "upper_mark": pd.Series(dtype=float),
            "projected_upper": pd.Series(dtype="datetime64[us]")}
    marks = judged_frame(analysis, "shoe_mileage")
    if s.empty or marks is None or marks.empty:
        return [], pd.DataFrame(cols)
    marks = marks.set_index("shoe")
    s = s[s["week_start"] <= end]
    used = [x for x in s.loc[(s["week_start"] >= start) & (s["distance_km"] > 0), "shoe"]
            .dropna().unique() if str(x) in marks.index]
    last = s.sort_values("week_start").groupby("shoe").tail(1).set_index("shoe")
    recent_from = end - pd.Timedelta(weeks=SHOE_RATE_WEEKS)
    recent = s[s["week_start"] > recent_from].groupby("shoe")["distance_km"].sum()
    views, rows = [], []
    for shoe in sorted(used, key=lambda x: -float(last.loc[x, "cumulative_km"])):
        total = float(last.loc[shoe, "cumulative_km"])
        lo, hi = float(marks.loc[str(shoe), "info_limit"]), float(marks.loc[str(shoe),
                                                                         "caution_limit"])
        rate = float(recent.get(shoe, 0.0)) / SHOE_RATE_WEEKS  # km per week
        proj: dict[float, Any] = {}
        for mark in (lo, hi):
            if total >= mark:
                proj[mark] = "reached"
            elif rate > 0 and (mark - total) / rate > SHOE_PROJECTION_WEEKS:
                proj[mark] = "not within 10 years"  # a mark of 1e6 km: no date to show
            elif rate > 0:
                proj[mark] = end + pd.Timedelta(weeks=(mark - total) / rate)
            else:
                proj[mark] = None
        views.append(ShoeView(
            shoe=str(shoe),
            total=units.fd(total, 0),
            recent_rate=f"{units.fd(rate, 1)}/week",
            lower=_proj_text(proj[lo]),
            upper=_proj_text(proj[hi]),
            marks=f"{units.d(lo):,.0f} / {units.fd(hi, 0)}",
        ))
        p_hi = proj[hi]
        rows.append({"shoe": str(shoe), "total": units.d(total), "lower_mark": units.d(lo),
                     "upper_mark": units.d(hi),
                     "projected_upper": p_hi if isinstance(p_hi, pd.Timestamp) else pd.NaT})
    frame = pd.DataFrame(rows) if rows else pd.DataFrame(cols)
    return views, frame


def _proj_text(p: Any) -> str:
    if p is None:
        return "not in recent use"
    if isinstance(p, str):
        return p
    return pd.Timestamp(p).strftime("%d %b %Y")


def _period(analysis: Analysis, weeks: int) -> tuple[pd.DataFrame, pd.Timestamp, pd.Timestamp]:
    weekly = analysis.weekly.sort_values("week_start")
    if weekly.empty:
        today = pd.Timestamp(calendar.today(analysis.settings.timezone, analysis.today))
        return weekly, today, today
    shown = shown_weeks(analysis, weeks)  # ends with this week, or the latest with runs
    start = pd.Timestamp(shown["week_start"].iloc[0])
    end = calendar.sunday(pd.Timestamp(shown["week_start"].iloc[-1]))
    if not analysis.daily.empty:
        covered = analysis.daily
        if "covered" in covered:
            covered = covered[covered["covered"].fillna(True).astype(bool)]
        if not covered.empty:
            end = min(end, max(pd.Timestamp(covered["date"].max()), start))
    return shown, start, end


def _runs(analysis: Analysis) -> pd.DataFrame:
    """Each run with the long-run rule's own reference and caution limit (what it judged)."""
    frame = judged_frame(analysis, "long_run_spike")
    if frame is None:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[us]"), "distance_km": [],
                             "reference": [], "caution_limit": [],
                             "activity_id": pd.Series(dtype="string")})
    return frame[["date", "distance_km", "reference", "caution_limit", "activity_id"]]


def build_context(analysis: Analysis, *, weeks: int = 16, units: str = "km") -> ReportContext:
    """Prepare everything the report shows for the last ``weeks`` weeks of ``analysis``.

    The period ends with the latest week in the data; baselines (10 % line, 30-day longest
    run, load change indicator, shoe totals) use the full history before it.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    u = units_for(units)
    titles, conditions = catalogue()
    shown, start, end = _period(analysis, weeks)
    period_weeks = set(shown["week"].astype(str)) if not shown.empty else set()

    findings = analysis.findings
    in_period = findings[findings["week"].astype(str).isin(period_weeks)]
    ordered = _sorted_findings(in_period)
    labels = _activity_labels(analysis.activities, u, analysis.settings.timezone)
    views = _finding_views(ordered, u, titles, conditions, labels)

    current = None
    this_week: list[FindingView] = []
    now = present(analysis)
    lead = now.focus
    if lead is not None:
        cw = lead.row
        ws = pd.Timestamp(cw["week_start"])
        current = WeekSummary(
            label=lead.label,
            week=str(cw["week"]),
            span=f"{fmt_day(ws)} – {fmt_day(calendar.sunday(ws))}",
            distance=u.fd(cw["distance_km"]),
            runs=int(cw["runs"]),
            longest=u.fd(cw["longest_run_km"]),
            descent=u.fe(cw["descent_m"]),
            hi_min="–" if _missing(cw["hi_intensity_min"]) else f"{cw['hi_intensity_min']:.0f} min",
            notice="" if lead.current else fmt.no_runs_since(now.last_run,
                                                              now.days_since_last_run),
            also=fmt.other_sports(now.other_sports, now.other_hours),
            current=lead.current,
        )
        # the focus weeks' findings and every red flag still current (the shared test)
        current_keys = {(str(r.rule), str(r.week), "" if _missing(r.date) else fmt_day(r.date))
                        for r in current_findings(analysis).itertuples(index=False)}
        this_week = sorted((v for v in views if v.week in lead.weeks
                            or (v.rule, v.week, v.day) in current_keys),
                           key=lambda v: severity_rank(v.severity), reverse=True)
    this_week_pain = [v for v in this_week if v.pain_log]
    this_week = [v for v in this_week if not v.pain_log]

    rule_counts: dict[tuple[str, str], int] = {}
    for v in views:
        rule_counts[(v.rule_token, v.rule_title)] = rule_counts.get((v.rule_token,
                                                                     v.rule_title), 0) + 1
    rule_filters = [FilterOption(token, label, n)
                    for (token, label), n in sorted(rule_counts.items())]
    sev_counts = in_period["severity"].astype(str).value_counts()
    severity_filters = [FilterOption(css_token(s), SEVERITY_LABELS.get(s, s), int(sev_counts[s]))
                        for s in sorted(sev_counts.index, key=severity_rank, reverse=True)]

    linked: list[str] = []
    for v in views:
        for c in v.conditions:
            if c.id not in linked:
                linked.append(c.id)
    today = pd.Timestamp(analysis.today or calendar.today(analysis.settings.timezone))
    red_flag = current_red_flag(findings, analysis.symptoms, today) is not None
    cond_views = []
    rules = rules_of(analysis)
    for cid in linked:
        text = conditions.get(cid) or ConditionText(cid, _humanise(cid), "", ())
        # while a red flag is current the only self-care is to stop and get assessed
        own = () if red_flag else tuple(fmt.fixed_text(x, u, rules) for x in text.self_care)
        cond_views.append(ConditionText(
            text.id, text.name, fmt.fixed_text(text.description, u, rules), own))

    shoe_views, shoe_frame = _shoes(analysis, u, start, end)
    plot_data = _plot_data(analysis, shown, in_period, shoe_frame, u, start, end)

    problems = [ProblemView(p.source, p.kind, p.reason) for p in analysis.problems]
    generated = analysis.generated or datetime.now().astimezone()
    sections = _sections(current.label if current else "This week")
    return ReportContext(
        athlete=analysis.athlete or "athlete",
        period=f"{fmt_day(start)} – {fmt_day(end)}",
        period_weeks=len(shown),
        timezone=analysis.timezone,
        generated=generated.strftime("%d %b %Y %H:%M %Z").strip(),
        sources=[str(s) for s in analysis.sources],
        devices=_devices(analysis.activities),
        files_read=int(analysis.files_read),
        files_rejected=sum(p.kind == "error" for p in analysis.problems),
        files_skipped=sum(p.kind == "skipped" for p in analysis.problems),
        units=u,
        current=current,
        this_week=this_week,
        envelope=_envelope_view(analysis, u),
        findings=views,
        rule_filters=rule_filters,
        severity_filters=severity_filters,
        conditions=cond_views,
        shoes=shoe_views,
        defaults_used=[fmt.note(d, u) for d in analysis.defaults_used],
        not_evaluated=list(analysis.not_evaluated),
        problems=problems,
        plot_data=plot_data,
        general_self_care=tuple(fmt.fixed_text(x, u, rules) for x in self_care(red_flag)),
        sections=sections,
        pain_log=[v for v in views if v.pain_log],
        this_week_pain=this_week_pain,
        run_weeks=_run_weeks(analysis, shown, views, u),
        red_flag_current=red_flag,
        self_care_title=("While a red flag is current" if red_flag else
                         "Self-care and prevention for all overuse pain"),
    )


def _sections(focus_title: str) -> list[Section]:
    """The page's sections in order; ``focus_title`` heads the first ("This week")."""
    return [
        Section("this-week", focus_title),
        Section("pain-log", PAIN_LOG.title),
        Section("red-flags", "Red flags — always check"),
        Section("plots", "Plots"),
        Section("findings", "All findings"),
        Section("runs", "Runs"),
        Section("conditions", "Conditions"),
        Section("data-quality", "Data quality"),
    ]


def _sport(sport: Any) -> str:
    return _str(sport).replace("_", " ") or "–"


def _run_weeks(analysis: Analysis, shown: pd.DataFrame, views: list[FindingView],
               units: Units) -> list[RunWeek]:
    """The shown weeks' activities, newest week first, each with the findings it triggered
    (those about that activity) and the week's own findings (those about no activity)."""
    acts = analysis.activities
    if shown.empty:
        return []
    zone = analysis.settings.timezone
    local = calendar.local_start(acts, zone) if len(acts) else pd.Series(dtype="datetime64[us]")
    week_of = calendar.week_labels(local) if len(acts) else pd.Series(dtype=str)
    by_activity: dict[str, list[FindingLink]] = {}
    by_week: dict[str, list[FindingLink]] = {}
    for v in views:
        link = FindingLink(v.anchor, v.rule_title, v.severity_label, v.severity_token)
        if v.activity_id:
            by_activity.setdefault(v.activity_id, []).append(link)
        else:
            by_week.setdefault(v.week, []).append(link)
    out = []
    for _, w in shown.sort_values("week_start", ascending=False).iterrows():
        label = str(w["week"])
        rows = acts[(week_of == label).to_numpy(bool)] if len(acts) else acts
        order = local.loc[rows.index].sort_values(ascending=False).index if len(rows) else []
        views_w = []
        for i in order:
            a = rows.loc[i]
            when = pd.Timestamp(local.loc[i])
            moving = a["moving_s"] if not _missing(a["moving_s"]) else a["elapsed_s"]
            views_w.append(RunView(
                day=when.strftime("%a %d %b"),
                start="" if _str(a.get("date_only")) == "True" else when.strftime("%H:%M"),
                sport=_sport(a["sport"]),
                title=_str(a["title"]).strip(),
                distance=units.fd(a["distance_km"], 2),
                duration=fmt.duration(moving),
                pace=fmt.pace(moving, a["distance_km"], units),
                avg_hr="–" if _missing(a["avg_hr"]) else f"{float(a['avg_hr']):.0f}",
                descent=units.fe(a["descent_m"]),
                shoe=_str(a["shoe"]) or "–",
                quality=_str(a["quality"]),
                findings=tuple(by_activity.get(_str(a["activity_id"]), ())),
            ))
        ws = pd.Timestamp(w["week_start"])
        out.append(RunWeek(
            week=label,
            span=f"{fmt_day(ws)} – {fmt_day(calendar.sunday(ws))}",
            distance=units.fd(w["distance_km"]),
            runs=fmt.plural(int(w["runs"]), "run"),
            findings=tuple(by_week.get(label, ())),
            activities=tuple(views_w),
        ))
    return out


def _weekly_limits(analysis: Analysis, weekly: pd.DataFrame) -> pd.DataFrame:
    """The weekly distance rule's info and caution limit of each week [km] (NaN: not judged)."""
    frame = judged_frame(analysis, "weekly_distance_jump")
    if frame is None:
        return pd.DataFrame({"info_limit": np.nan, "caution_limit": np.nan}, index=weekly.index)
    by_week = frame.set_index("week_start")[["info_limit", "caution_limit"]]
    return by_week.reindex(pd.DatetimeIndex(weekly["week_start"])).set_axis(weekly.index)


def _plot_data(analysis: Analysis, shown: pd.DataFrame, in_period: pd.DataFrame,
               shoe_frame: pd.DataFrame, u: Units, start: pd.Timestamp, end: pd.Timestamp,
               ) -> PlotData:
    full = analysis.weekly.sort_values("week_start")
    limits = _weekly_limits(analysis, full)
    weekly = pd.DataFrame({
        "week_start": full["week_start"].to_numpy(),
        "week": full["week"].astype(str).to_numpy(),
        "distance": u.d(full["distance_km"]).to_numpy(dtype=float),
        "info_limit": u.d(limits["info_limit"]).to_numpy(dtype=float),
        "caution_limit": u.d(limits["caution_limit"]).to_numpy(dtype=float),
        "hi_min": full["hi_intensity_min"].to_numpy(dtype=float),
        "trimp": full["trimp"].to_numpy(dtype=float),
        "descent": u.e(full["descent_m"]).to_numpy(dtype=float),
        "trail": u.d(full["trail_km"].fillna(0)).to_numpy(dtype=float),
    })
    overview = pd.DataFrame({
        "week_start": weekly["week_start"],
        "distance": weekly["distance"],
        "caution_limit": weekly["caution_limit"],
        # no marker at 0 for a week without runs
        "longest": u.d(full["longest_run_km"].where(full["runs"] > 0)).to_numpy(dtype=float),
    })
    last = pd.Timestamp(shown["week_start"].max()) if len(shown) else end
    overview = overview[(overview["week_start"] > last - pd.Timedelta(weeks=OVERVIEW_WEEKS))
                        & (overview["week_start"] <= last)].reset_index(drop=True)
    weekly = weekly[(weekly["week_start"] >= start)
                    & (weekly["week_start"] <= last)].reset_index(drop=True)

    week_flags = pd.DataFrame({
        "week_start": in_period["week_start"].to_numpy(),
        "rule": in_period["rule"].astype(str).to_numpy(),
        "severity": in_period["severity"].astype(str).to_numpy(),
    })

    rules = rules_of(analysis)
    ratio = judged_frame(analysis, "load_ratio")
    if ratio is None:
        ratio = pd.DataFrame({"date": pd.Series(dtype="datetime64[us]"),
                              "ratio": pd.Series(dtype=float)})
    shown = ratio[(ratio["date"] >= start) & (ratio["date"] <= end + pd.Timedelta(days=1))]
    reads = in_period[in_period["rule"] == "load_ratio"]
    load_ratio_points = pd.DataFrame({"date": pd.to_datetime(reads["date"]).to_numpy(),
                                "ratio": reads["value"].to_numpy(dtype=float),
                                "severity": reads["severity"].astype(str).to_numpy()})

    runs = _runs(analysis)
    runs = runs[(runs["date"] >= start) & (runs["date"] < end + pd.Timedelta(days=1))]
    spikes = in_period[in_period["rule"] == "long_run_spike"]
    by_id = runs.drop_duplicates("activity_id").set_index("activity_id")
    flag_rows = [{"date": by_id.loc[aid, "date"], "distance": u.d(by_id.loc[aid, "distance_km"]),
                  "severity": str(sev)}
                 for aid, sev in zip(spikes["activity_id"].astype(object), spikes["severity"],
                                     strict=True) if _str(aid) in by_id.index]
    run_flags = pd.DataFrame(flag_rows, columns=["date", "distance", "severity"])
    runs_disp = pd.DataFrame({"date": runs["date"].to_numpy(),
                              "distance": u.d(runs["distance_km"]).to_numpy(dtype=float),
                              "reference": u.d(runs["reference"]).to_numpy(dtype=float),
                              "caution_limit": u.d(runs["caution_limit"]).to_numpy(dtype=float)})
    jump, spike = rules["weekly_distance_jump"], rules["long_run_spike"]
    labels = {
        "distance_info": fmt.percent(jump.value("info")),
        "distance_caution": fmt.percent(jump.value("caution")),
        "long_caution": fmt.percent(spike.value("caution")),
        "long_window": fmt.plural(spike.value("window_days"), "day"),
    }
    return PlotData(
        units=u, weekly=weekly, week_flags=week_flags, load_ratio=shown.reset_index(drop=True),
        load_ratio_points=load_ratio_points, runs=runs_disp, run_flags=run_flags, shoes=shoe_frame,
        load_ratio_bands=load_ratio_bands(rules), period_start=start, period_end=end, labels=labels,
        axis_end=calendar.sunday(last) if len(shown) else end, overview=overview,
    )
