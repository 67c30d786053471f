"""Flags measured against the squad's own pain log: how often pain followed a flagged week.

For every athlete who keeps a pain log (symptoms.csv), each week is an observation: was it
flagged by a rule (at a severity), and was it *followed by pain*, i.e. is there a log
entry with pain >= :data:`PAIN_AT_LEAST` or any red flag in the next
:data:`FOLLOW_WEEKS` weeks (1 to 3 weeks later)? A week counts only when all of its
follow-up lies inside the data (up to the last week of the weekly frame) and inside the log
(from its first entry on: before it the athlete was not keeping one). Per rule and
severity, flagged weeks are compared with the weeks of the same athletes that the rule did
not flag at all, as a relative risk with a 95 % confidence interval by the log method
(Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for the risk ratio in
cohort studies. Biometrics 1978;34:469-474), adding 0.5 to every cell when one is 0
(the Haldane-Anscombe correction).

This describes this squad, never predicts for one athlete: weeks of one athlete are not
independent, athletes who log pain are not a random sample, and the rule findings from the
pain log itself (``red_flag_symptoms``) are left out, as they would count the outcome.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from loadwatch.schema import SEVERITIES, severity_rank

if TYPE_CHECKING:
    from loadwatch.read import ParsedCache
    from loadwatch.roster import Roster

#: Pain score [0-10] from which a log entry counts as an outcome (any red flag counts too).
PAIN_AT_LEAST = 3.0
#: Follow-up window after a week [weeks]: the 1st to the 3rd week after it.
FOLLOW_WEEKS = (1, 3)
#: Rules computed from the pain log itself: never an exposure.
OUTCOME_RULES = frozenset({"red_flag_symptoms"})
#: Below these the numbers say nothing: weeks in either group, and weeks followed by pain.
MIN_WEEKS = 10
MIN_EVENTS = 5
Z_95 = 1.959964

CAVEAT = (
    "A description of this squad, not a prediction for any athlete: weeks of one athlete "
    "are not independent, the athletes who log pain are not a random sample, and a rule "
    "can be followed by pain without causing it."
)


@dataclass(frozen=True)
class RelativeRisk:
    """Risk ratio of a 2x2 table with its 95 % CI (log method)."""

    rr: float
    low: float
    high: float
    corrected: bool  # 0.5 added to every cell because one was 0


def relative_risk(a: int, b: int, c: int, d: int, z: float = Z_95) -> RelativeRisk | None:
    """RR of exposed (a with the outcome, b without) against unexposed (c, d), or None.

    None when a group is empty. The interval is exp(log RR +- z * SE) with
    SE = sqrt(1/a - 1/(a+b) + 1/c - 1/(c+d)) (Katz et al. 1978); with a 0 cell, 0.5 is
    added to all four first.
    """
    if a + b == 0 or c + d == 0:
        return None
    corrected = 0 in (a, b, c, d)
    fa, fb, fc, fd = (x + 0.5 for x in (a, b, c, d)) if corrected else (a, b, c, d)
    rr = (fa / (fa + fb)) / (fc / (fc + fd))
    se = math.sqrt(1 / fa - 1 / (fa + fb) + 1 / fc - 1 / (fc + fd))
    return RelativeRisk(rr, rr * math.exp(-z * se), rr * math.exp(z * se), corrected)


def _mondays(values: Iterable[object]) -> list[dt.date | None]:
    """The Monday of each day or timestamp (local calendar days); None for a missing one."""
    out: list[dt.date | None] = []
    for v in values:
        ts = pd.Timestamp(v) if v is not None else pd.NaT
        out.append(None if pd.isna(ts) else ts.date() - dt.timedelta(days=ts.weekday()))
    return out


def athlete_weeks(
    weekly: pd.DataFrame, findings: pd.DataFrame, symptoms: pd.DataFrame | None
) -> pd.DataFrame | None:
    """One row per observable week: ``week_start``, ``pain_after`` and ``flags``.

    ``flags`` is the frozenset of ``(rule, severity)`` the rules gave that week (pain-log
    rules left out). None when there is no pain log: such an athlete says nothing about
    outcomes (no entries is not the same as no pain).
    """
    if symptoms is None or symptoms.empty:
        return None
    starts = sorted({m for m in _mondays(weekly["week_start"]) if m is not None})
    first, last = FOLLOW_WEEKS
    logged = [m for m in _mondays(symptoms["date"]) if m is not None]
    if not logged:
        return None
    log_from = min(logged)
    pain_weeks = {
        monday for monday, pain, red in zip(
            _mondays(symptoms["date"]), symptoms["pain"], symptoms["red_flags"], strict=True)
        if pain >= PAIN_AT_LEAST or (red is not None and len(red) > 0)
    }
    flags: dict[dt.date, set[tuple[str, str]]] = {}
    for rule, sev, monday in zip(findings["rule"].astype(str), findings["severity"].astype(str),
                                 _mondays(findings["week_start"]), strict=True):
        if rule not in OUTCOME_RULES and monday is not None:
            flags.setdefault(monday, set()).add((rule, sev))
    rows = []
    end = starts[-1] if starts else None
    for ws in starts:
        if ws < log_from or end is None or ws + dt.timedelta(weeks=last) > end:
            continue
        after = any(ws + dt.timedelta(weeks=k) in pain_weeks for k in range(first, last + 1))
        rows.append({"week_start": pd.Timestamp(ws), "pain_after": after,
                     "flags": frozenset(flags.get(ws, ()))})
    return pd.DataFrame(rows, columns=["week_start", "pain_after", "flags"])


@dataclass(frozen=True)
class OutcomeRow:
    """One rule at one severity against the weeks that rule did not flag."""

    rule: str
    severity: str
    flagged_weeks: int
    flagged_pain: int
    unflagged_weeks: int
    unflagged_pain: int
    risk: RelativeRisk | None

    @property
    def enough(self) -> bool:
        """Enough weeks and outcomes to read the interval at all."""
        return (self.flagged_weeks >= MIN_WEEKS and self.unflagged_weeks >= MIN_WEEKS
                and self.flagged_pain + self.unflagged_pain >= MIN_EVENTS)

    def statement(self) -> str:
        """The row in one plain sentence."""
        counts = (f"pain followed {self.flagged_pain} of {self.flagged_weeks} flagged weeks "
                  f"and {self.unflagged_pain} of {self.unflagged_weeks} unflagged weeks")
        if not self.enough or self.risk is None:
            return (f"{counts}: too few to say anything (needs {MIN_WEEKS} weeks in each group "
                    f"and {MIN_EVENTS} weeks followed by pain)")
        r = self.risk
        note = " (0.5 added to each count because one was 0)" if r.corrected else ""
        return (f"{counts}: relative risk {r.rr:.2f} (95 % CI {r.low:.2f}-{r.high:.2f})"
                f"{note}")


@dataclass
class SquadOutcomes:
    """Every rule and severity seen, with what was counted."""

    rows: list[OutcomeRow]
    athletes: int  # athletes with a pain log
    without_log: int
    weeks: int  # observable weeks in all
    weeks_with_pain_after: int
    caveat: str = CAVEAT
    pain_at_least: float = PAIN_AT_LEAST
    follow_weeks: tuple[int, int] = FOLLOW_WEEKS
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The plain-text report ``loadwatch evaluate`` prints."""
        lo, hi = self.follow_weeks
        lines = [
            f"Pain (>= {self.pain_at_least:g}/10 or a red flag) {lo}-{hi} weeks after a week, "
            f"{self.athletes} athlete{'s' if self.athletes != 1 else ''} with a pain log, "
            f"{self.weeks} weeks, {self.weeks_with_pain_after} followed by pain"
            + (f" ({self.without_log} without a pain log left out)" if self.without_log
               else "") + ".",
        ]
        if not self.rows:
            lines.append("No rule flagged any of these weeks.")
        for r in self.rows:
            lines.append(f"{r.rule} {r.severity}: {r.statement()}")
        lines += self.notes
        lines.append(self.caveat)
        return "\n".join(lines)


#: :func:`athlete_weeks` as plain data (week start ISO, pain after, [[rule, severity]...]),
#: small enough to travel in a batch row to the process that writes the index.
PackedWeeks = list[tuple[str, bool, list[list[str]]]]


def pack_weeks(weeks: pd.DataFrame | None) -> PackedWeeks | None:
    """:func:`athlete_weeks` as :data:`PackedWeeks` (None stays None)."""
    if weeks is None:
        return None
    return [(pd.Timestamp(ws).date().isoformat(), bool(p), sorted([r, s] for r, s in f))
            for ws, p, f in weeks.itertuples(index=False, name=None)]


def _unpack(weeks: pd.DataFrame | PackedWeeks | None) -> pd.DataFrame | None:
    if weeks is None or isinstance(weeks, pd.DataFrame):
        return weeks
    return pd.DataFrame(
        [{"week_start": pd.Timestamp(ws), "pain_after": p,
          "flags": frozenset((r, s) for r, s in f)} for ws, p, f in weeks],
        columns=["week_start", "pain_after", "flags"])


def squad_outcomes(weeks: Iterable[pd.DataFrame | PackedWeeks | None]) -> SquadOutcomes:
    """Count :func:`athlete_weeks` tables of a squad (None: an athlete without a log)."""
    tables = [_unpack(w) for w in weeks]
    logged = [t for t in tables if t is not None]
    allw = (pd.concat(logged, ignore_index=True) if logged
            else pd.DataFrame({"week_start": [], "pain_after": [], "flags": []}))
    pain = allw["pain_after"].astype(bool).to_numpy()
    flags = list(allw["flags"])
    keys = sorted({f for fs in flags for f in fs},
                  key=lambda k: (k[0], -severity_rank(k[1]) if k[1] in SEVERITIES else 0, k[1]))
    rows = []
    for rule, sev in keys:
        hit = [(rule, sev) in fs for fs in flags]
        clear = [all(r != rule for r, _ in fs) for fs in flags]
        a = sum(p for p, h in zip(pain, hit, strict=True) if h)
        n1 = sum(hit)
        c = sum(p for p, u in zip(pain, clear, strict=True) if u)
        n0 = sum(clear)
        rows.append(OutcomeRow(rule, sev, n1, int(a), n0, int(c),
                               relative_risk(int(a), n1 - int(a), int(c), n0 - int(c))))
    return SquadOutcomes(rows, athletes=len(logged), without_log=len(tables) - len(logged),
                         weeks=len(allw), weeks_with_pain_after=int(pain.sum()))


def evaluate_roster(
    roster: Roster, *, cache: ParsedCache | None = None, today: dt.date | None = None,
    config: str | Path | None = None,
) -> tuple[SquadOutcomes, list[tuple[str, str]]]:
    """Analyse each athlete of ``roster`` and count the squad; also (name, error) failures.

    ``config``: settings for athletes without a loadwatch.toml of their own.
    """
    from loadwatch.batch import analyse_athlete, with_default_config
    from loadwatch.problems import UsageError

    if config is not None:
        roster = with_default_config(roster, Path(config))

    weeks: list[pd.DataFrame | None] = []
    failed: list[tuple[str, str]] = []
    for athlete in roster.athletes:
        try:
            a = analyse_athlete(athlete, cache=cache, today=today)
        except UsageError as exc:
            failed.append((athlete.name, str(exc)))
            continue
        weeks.append(athlete_weeks(a.weekly, a.findings, a.symptoms))
    return squad_outcomes(weeks), failed


@dataclass(frozen=True)
class OutcomeLine:
    """One row of the index page's outcome table, every value already text."""

    rule: str
    severity: str
    flagged: str
    unflagged: str
    risk: str


def index_section(weeks: Iterable[PackedWeeks | None]) -> dict[str, object] | None:
    """What the batch index shows of :func:`squad_outcomes`; None without any pain log."""
    from loadwatch.rules import RULES

    result = squad_outcomes(weeks)
    if not result.athletes:
        return None
    lines = []
    for r in result.rows:
        if r.enough and r.risk is not None:
            risk = f"{r.risk.rr:.2f} ({r.risk.low:.2f}–{r.risk.high:.2f})"
        else:
            risk = "too few to say"
        title = RULES[r.rule].title if r.rule in RULES else r.rule
        lines.append(OutcomeLine(title, r.severity.replace("_", " "),
                                 f"{r.flagged_pain} of {r.flagged_weeks}",
                                 f"{r.unflagged_pain} of {r.unflagged_weeks}", risk))
    lo, hi = result.follow_weeks
    return {
        "lines": lines,
        "intro": (f"{result.athletes} athlete{'s' if result.athletes != 1 else ''} with a pain "
                  f"log, {result.weeks} weeks. A week counts as followed by pain when pain "
                  f">= {result.pain_at_least:g}/10 or a red flag was logged {lo}-{hi} weeks "
                  "later. Relative risk against the weeks the rule did not flag, with its "
                  "95 % confidence interval (log method); fewer than "
                  f"{MIN_WEEKS} weeks in a group or {MIN_EVENTS} weeks followed by pain are "
                  "too few to say anything."),
        "caveat": result.caveat,
    }
