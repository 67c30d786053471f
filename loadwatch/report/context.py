"""Everything the report shows, computed and formatted before the template sees it.

:func:`build_context` turns an :class:`~loadwatch.analysis.Analysis` into a
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
from typing import Any, Literal

import pandas as pd

from loadwatch import calendar
from loadwatch.analysis import Analysis, focus
from loadwatch.evaluate import load_change
from loadwatch.load import distance_load_factor
from loadwatch.rules import CONDITIONS, RULES, Rule
from loadwatch.schema import RUNNING_SPORTS, SEVERITIES, severity_rank
from loadwatch.wording import (
    ACWR_CAVEAT,
    DISCLAIMER,
    GENERAL_SELF_CARE,
    NOT_DETECTION,
    RED_FLAG_ACTION,
    RED_FLAGS,
)
from loadwatch.wording import SELF_CARE as SHARED_SELF_CARE

UnitName = Literal["km", "mi"]

#: km per statute mile and m per foot (international definitions, exact).
KM_PER_MI = 1.609344
M_PER_FT = 0.3048

#: Weeks of recent use a shoe's projected retirement date is based on.
SHOE_RATE_WEEKS = 8


def rules_of(analysis: Analysis) -> Mapping[str, Rule]:
    """The rules as evaluated for this athlete (config overrides applied), else the defaults."""
    return analysis.rules or RULES


def shoe_marks_km(rules: Mapping[str, Rule] = RULES) -> tuple[float, float]:
    """Shoe mileage marks [km]: shoe_mileage's first info mark and its caution (450/800)."""
    rule = rules["shoe_mileage"]
    return rule.value("info"), rule.value("caution")


def acwr_bands(rules: Mapping[str, Rule] = RULES) -> tuple[float, float]:
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


# --- units -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Units:
    """Display units: distance in km or mi, elevation in m or ft."""

    name: UnitName
    dist: str
    elev: str
    per_km: float
    per_m: float

    def d(self, km: Any) -> Any:
        """Distance in display units (scalar, array or Series)."""
        return km * self.per_km

    def e(self, m: Any) -> Any:
        """Elevation in display units (scalar, array or Series)."""
        return m * self.per_m

    def fd(self, km: float | None, digits: int = 1) -> str:
        """Formatted distance, e.g. '40.0 km'; an en dash where unknown."""
        return "–" if _missing(km) else f"{self.d(km):,.{digits}f} {self.dist}"

    def fe(self, m: float | None) -> str:
        """Formatted elevation, e.g. '600 m'."""
        return "–" if _missing(m) else f"{self.e(m):,.0f} {self.elev}"


def units_for(name: str) -> Units:
    """The :class:`Units` for ``"km"`` or ``"mi"`` (ValueError otherwise)."""
    if name == "km":
        return Units("km", "km", "m", 1.0, 1.0)
    if name == "mi":
        return Units("mi", "mi", "ft", 1 / KM_PER_MI, 1 / M_PER_FT)
    raise ValueError(f"units must be 'km' or 'mi', not {name!r}")


_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_RANGE = r"(?:(\s?(?:->|→|[-–])\s?|\s+to\s+)" + _NUM + r")?"
_KM_RE = re.compile(_NUM + _RANGE + r"(\s?)km\b")
_M_RE = re.compile(_NUM + _RANGE + r"(\s?)m(?![\w/])")


def convert_text(text: str, units: Units) -> str:
    """Rewrite '12.5 km', '450-800 km' and '600 m' in a message into the display units.

    Messages and advice come from the rules engine with metric numbers in them; in miles
    mode the whole report, prose included, must speak miles and feet.
    """
    if units.name == "km" or not text:
        return text

    def conv(factor: float, unit: str, digits: int) -> Any:
        def sub(m: re.Match[str]) -> str:
            def fmt(s: str) -> str:
                v = float(s.replace(",", "")) * factor
                return f"{v:,.{digits}f}"

            lo, sep, hi, space = m.group(1), m.group(2), m.group(3), m.group(4)
            out = fmt(lo)
            if hi is not None:
                out += sep + fmt(hi)
            return f"{out}{space}{unit}"

        return sub

    text = _KM_RE.sub(conv(units.per_km, units.dist, 1), text)
    return _M_RE.sub(conv(units.per_m, units.elev, 0), text)


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


def _fmt_num(v: float) -> str:
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}".rstrip("0").rstrip(".")
    return f"{v:.2f}".rstrip("0").rstrip(".")


def fmt_value(value: Any, threshold: Any, unit: str, units: Units) -> str:
    """'45.6 % (threshold 30 %)', converting km and m values to the display units."""
    if _missing(value):
        return ""
    unit = unit or ""
    if unit == "km":
        value, threshold, unit = units.d(value), units.d(threshold), units.dist
    elif unit == "m":
        value, threshold, unit = units.e(value), units.e(threshold), units.elev
    sep = "" if unit in ("", "x") else " "
    text = f"{_fmt_num(float(value))}{sep}{unit}"
    if not _missing(threshold):
        text += f" (threshold {_fmt_num(float(threshold))}{sep}{unit})"
    return text


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


@dataclass(frozen=True)
class EnvelopeView:
    week: str
    week_start: str
    sentence: str
    items: tuple[tuple[str, str, str], ...]  # (quantity, limit, basis)


@dataclass(frozen=True)
class WeekSummary:
    #: "This week", or "Last week" when the current week has no runs yet
    label: str
    week: str
    span: str
    distance: str
    runs: int
    longest: str
    descent: str
    hi_min: str


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
    retire_450: str
    retire_800: str


@dataclass(frozen=True)
class ProblemView:
    source: str
    kind: str
    reason: str


@dataclass
class PlotData:
    """Frames the plots draw, cut to the period and already in display units."""

    units: Units
    weekly: pd.DataFrame  # week_start, distance, limit10, hi_min, trimp, descent, trail
    week_flags: pd.DataFrame  # week_start, rule, severity (one row per finding)
    acwr: pd.DataFrame  # date, ratio
    runs: pd.DataFrame  # date, distance, prev30_max, activity_id
    run_flags: pd.DataFrame  # date, distance, severity
    shoes: pd.DataFrame  # shoe, total, projected_800 (date or NaT)
    shoe_marks: tuple[float, float]
    acwr_bands: tuple[float, float]
    period_start: pd.Timestamp
    period_end: pd.Timestamp


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
    disclaimer: str = DISCLAIMER
    not_detection: str = NOT_DETECTION
    red_flags: tuple[str, ...] = RED_FLAGS
    red_flag_action: str = RED_FLAG_ACTION
    acwr_caveat: str = ACWR_CAVEAT
    general_self_care: tuple[str, ...] = GENERAL_SELF_CARE
    severities: tuple[str, ...] = SEVERITIES


SEVERITY_LABELS = {
    "info": "Info",
    "caution": "Caution",
    "warning": "Warning",
    "seek_care": "Seek care",
}


# --- computations -------------------------------------------------------------------------


def load_change_indicator(daily: pd.DataFrame, activities: pd.DataFrame,
                          rule: Rule = RULES["load_ratio"]) -> pd.DataFrame:
    """The load_ratio rule's acute:chronic EWMA ratio per day (``date``, ``ratio``).

    Computed by :func:`loadwatch.evaluate.load_change` with the rule's chronic floor, so the
    plot shows what the rule judged; NaN where it cannot be judged (too little history).
    """
    d = daily.sort_values("date").reset_index(drop=True)
    if d.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[us]"),
                             "ratio": pd.Series(dtype=float)})
    ratio = load_change(d, _chronic_floor(activities, rule))
    return pd.DataFrame({"date": d["date"].to_numpy(), "ratio": ratio.to_numpy(dtype=float)})


def _chronic_floor(activities: pd.DataFrame, rule: Rule) -> float:
    """The load_ratio floor in daily load units (km a week times the athlete's AU per km).

    Mirrors the rule's own conversion; a catalogue that names its floor differently gives
    no floor rather than no report.
    """
    try:
        per_km, _ = distance_load_factor(activities)
        return rule.value("chronic_floor_km") * per_km / 7
    except (KeyError, ValueError, TypeError):
        return 0.0


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
    for f in findings.itertuples(index=False):
        conds = []
        for cid in _as_list(f.conditions):
            c = conditions.get(cid)
            conds.append(ConditionRef(cid, c.name if c else _humanise(cid),
                                      c.description if c else ""))
        rule = str(f.rule)
        sev = str(f.severity)
        out.append(FindingView(
            rule=rule,
            rule_title=titles.get(rule, _humanise(rule)),
            severity=sev,
            severity_label=SEVERITY_LABELS.get(sev, sev),
            week=str(f.week),
            day=fmt_day(f.date) if not _missing(f.date) else "",
            message=convert_text(_str(f.message), units),
            value_text=fmt_value(f.value, f.threshold, _str(f.unit), units),
            conditions=tuple(conds),
            evidence=_str(f.evidence),
            advice=convert_text(_str(f.advice), units),
            activity=activities.get(_str(f.activity_id), ""),
            rule_token=css_token(rule),
            severity_token=css_token(sev),
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
    items = []
    parts = []
    if env.distance_km is not None:
        items.append(("Weekly distance", f"up to {units.fd(env.distance_km, 0)}",
                      convert_text(env.basis.get("distance_km", ""), units)))
        parts.append(f"up to {units.fd(env.distance_km, 0)}")
    if env.longest_run_km is not None:
        items.append(("Longest run", units.fd(env.longest_run_km, 0),
                      convert_text(env.basis.get("longest_run_km", ""), units)))
        parts.append(f"longest run {units.fd(env.longest_run_km, 0)}")
    if env.descent_m is not None:
        items.append(("Descent", units.fe(env.descent_m),
                      convert_text(env.basis.get("descent_m", ""), units)))
        parts.append(f"descent {units.fe(env.descent_m)}")
    sentence = ", ".join(parts) if parts else "no limit could be set from the history yet"
    sentence = sentence[:1].upper() + sentence[1:]
    return EnvelopeView(env.week, fmt_day(env.week_start), sentence, tuple(items))


def _shoes(analysis: Analysis, units: Units, start: pd.Timestamp, end: pd.Timestamp,
           marks: tuple[float, float]) -> tuple[list[ShoeView], pd.DataFrame]:
    s = analysis.shoes
    cols = {"shoe": pd.Series(dtype="string"), "total": pd.Series(dtype=float),
            "projected_800": pd.Series(dtype="datetime64[us]")}
    if s.empty:
        return [], pd.DataFrame(cols)
    s = s[s["week_start"] <= end]
    used = s.loc[(s["week_start"] >= start) & (s["distance_km"] > 0), "shoe"].dropna().unique()
    last = s.sort_values("week_start").groupby("shoe").tail(1).set_index("shoe")
    recent_from = end - pd.Timedelta(weeks=SHOE_RATE_WEEKS)
    recent = s[s["week_start"] > recent_from].groupby("shoe")["distance_km"].sum()
    views, rows = [], []
    for shoe in sorted(used, key=lambda x: -float(last.loc[x, "cumulative_km"])):
        total = float(last.loc[shoe, "cumulative_km"])
        rate = float(recent.get(shoe, 0.0)) / SHOE_RATE_WEEKS  # km per week
        proj = {}
        for mark in marks:
            if total >= mark:
                proj[mark] = "reached"
            elif rate > 0:
                proj[mark] = end + pd.Timedelta(weeks=(mark - total) / rate)
            else:
                proj[mark] = None
        views.append(ShoeView(
            shoe=str(shoe),
            total=units.fd(total, 0),
            recent_rate=f"{units.fd(rate, 1)}/week",
            retire_450=_proj_text(proj[marks[0]]),
            retire_800=_proj_text(proj[marks[1]]),
        ))
        p800 = proj[marks[1]]
        rows.append({"shoe": str(shoe), "total": units.d(total),
                     "projected_800": p800 if isinstance(p800, pd.Timestamp) else pd.NaT})
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
    shown = weekly.tail(max(1, weeks))
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
    """Running activities with local start time and the longest run of the previous 30 days.

    Ordered by local start (:mod:`loadwatch.calendar`), which is what the 30-day window is
    measured in: runs from devices at different UTC offsets are not in the same order in
    UTC and in local time, and a rolling window needs its index in order.
    """
    a = analysis.activities
    a = a[a["sport"].isin(RUNNING_SPORTS) & a["distance_km"].notna()]
    if a.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[us]"), "distance_km": [],
                             "prev30_max": [], "activity_id": pd.Series(dtype="string")})
    a = a.assign(_local=calendar.local_start(a, analysis.settings.timezone))
    a = a.sort_values(["_local", "start_time"], kind="stable")
    local = a["_local"]
    s = pd.Series(a["distance_km"].to_numpy(dtype=float), index=pd.DatetimeIndex(local))
    prev = s.rolling("30D", closed="left").max()
    return pd.DataFrame({"date": local.to_numpy(), "distance_km": s.to_numpy(),
                         "prev30_max": prev.to_numpy(),
                         "activity_id": a["activity_id"].to_numpy()})


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
    lead = focus(shown)
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
        )
        this_week = sorted((v for v in views if v.week in lead.weeks),
                           key=lambda v: severity_rank(v.severity), reverse=True)

    rule_counts = in_period["rule"].astype(str).value_counts()
    rule_filters = [FilterOption(css_token(r), titles.get(r, _humanise(r)), int(n))
                    for r, n in sorted(rule_counts.items())]
    sev_counts = in_period["severity"].astype(str).value_counts()
    severity_filters = [FilterOption(css_token(s), SEVERITY_LABELS.get(s, s), int(sev_counts[s]))
                        for s in sorted(sev_counts.index, key=severity_rank, reverse=True)]

    linked: list[str] = []
    for v in views:
        for c in v.conditions:
            if c.id not in linked:
                linked.append(c.id)
    cond_views = []
    for cid in linked:
        c = conditions.get(cid) or ConditionText(cid, _humanise(cid), "", ())
        cond_views.append(ConditionText(c.id, c.name, convert_text(c.description, u),
                                        tuple(convert_text(x, u) for x in c.self_care)))

    rules = rules_of(analysis)
    shoe_views, shoe_frame = _shoes(analysis, u, start, end, shoe_marks_km(rules))
    plot_data = _plot_data(analysis, shown, in_period, shoe_frame, u, start, end)

    problems = [ProblemView(p.source, p.kind, p.reason) for p in analysis.problems]
    generated = analysis.generated or datetime.now().astimezone()
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
        defaults_used=list(analysis.defaults_used),
        not_evaluated=list(analysis.not_evaluated),
        problems=problems,
        plot_data=plot_data,
        general_self_care=tuple(convert_text(x, u) for x in GENERAL_SELF_CARE),
    )


def _plot_data(analysis: Analysis, shown: pd.DataFrame, in_period: pd.DataFrame,
               shoe_frame: pd.DataFrame, u: Units, start: pd.Timestamp, end: pd.Timestamp,
               ) -> PlotData:
    full = analysis.weekly.sort_values("week_start")
    prev = full["distance_km"].shift(1)
    # the 10 % line only where the rule applies (previous week >= 5 km)
    limit = (prev * 1.1).where(prev >= 5)
    weekly = pd.DataFrame({
        "week_start": full["week_start"].to_numpy(),
        "week": full["week"].astype(str).to_numpy(),
        "distance": u.d(full["distance_km"]).to_numpy(dtype=float),
        "limit10": u.d(limit).to_numpy(dtype=float),
        "hi_min": full["hi_intensity_min"].to_numpy(dtype=float),
        "trimp": full["trimp"].to_numpy(dtype=float),
        "descent": u.e(full["descent_m"]).to_numpy(dtype=float),
        "trail": u.d(full["trail_km"].fillna(0)).to_numpy(dtype=float),
    })
    weekly = weekly[weekly["week_start"] >= start].reset_index(drop=True)

    week_flags = pd.DataFrame({
        "week_start": in_period["week_start"].to_numpy(),
        "rule": in_period["rule"].astype(str).to_numpy(),
        "severity": in_period["severity"].astype(str).to_numpy(),
    })

    rules = rules_of(analysis)
    acwr = load_change_indicator(analysis.daily, analysis.activities, rules["load_ratio"])
    acwr = acwr[(acwr["date"] >= start) & (acwr["date"] <= end + pd.Timedelta(days=1))]

    runs = _runs(analysis)
    runs = runs[(runs["date"] >= start) & (runs["date"] < end + pd.Timedelta(days=1))]
    spikes = in_period[in_period["rule"] == "long_run_spike"]
    by_id = runs.set_index("activity_id")
    flag_rows = []
    for f in spikes.itertuples(index=False):
        aid = _str(f.activity_id)
        if aid and aid in by_id.index:
            r = by_id.loc[aid]
            r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
            flag_rows.append({"date": r["date"], "distance": u.d(r["distance_km"]),
                              "severity": str(f.severity)})
        elif not _missing(f.date):
            same = runs[runs["date"].dt.normalize() == pd.Timestamp(f.date).normalize()]
            if not same.empty:
                best = same.loc[same["distance_km"].idxmax()]
                flag_rows.append({"date": best["date"], "distance": u.d(best["distance_km"]),
                                  "severity": str(f.severity)})
    run_flags = pd.DataFrame(flag_rows, columns=["date", "distance", "severity"])
    runs_disp = pd.DataFrame({"date": runs["date"].to_numpy(),
                              "distance": u.d(runs["distance_km"]).to_numpy(dtype=float),
                              "prev30_max": u.d(runs["prev30_max"]).to_numpy(dtype=float)})
    return PlotData(
        units=u, weekly=weekly, week_flags=week_flags, acwr=acwr.reset_index(drop=True),
        runs=runs_disp, run_flags=run_flags, shoes=shoe_frame,
        shoe_marks=tuple(u.d(m) for m in shoe_marks_km(rules)),
        acwr_bands=acwr_bands(rules),
        period_start=start, period_end=end,
    )
