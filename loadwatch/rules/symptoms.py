"""The optional pain log (symptoms.csv beside the activity files) and its findings.

Columns: ``date, area, pain`` (0-10), yes/no columns ``weight_bearing_pain, night_pain,
limp, hop_pain, clicking, fever`` and ``notes``; all but ``date`` are optional. A red flag
makes a ``red_flag_symptoms`` finding at ``seek_care``: only what the user reports can do
that, never load data. Any logged pain makes a finding that lists what the rules flagged in
the weeks before (the rule's ``lookback_weeks``), so the user can see what may have led up
to it. A bad row is a :class:`~loadwatch.problems.Problem`, never a crash.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loadwatch.limits import MAX_SYMPTOM_LOG_BYTES as MAX_BYTES
from loadwatch.problems import Problem
from loadwatch.rules import Rule, conditions_of_area

if TYPE_CHECKING:  # pandas is imported where used: `loadwatch pain --help` stays instant
    import pandas as pd

FILENAME = "symptoms.csv"

#: yes/no column -> how the red flag reads in a message
RED_FLAGS = {
    "weight_bearing_pain": "pain worse with weight-bearing",
    "night_pain": "pain at night or at rest",
    "limp": "limping or unable to bear weight",
    "hop_pain": "pain on hopping",
    "clicking": "clicking, locking or catching in the joint",
    "fever": "fever with pain",
}
COLUMNS = ("date", "area", "pain", *RED_FLAGS, "notes")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def read_symptoms(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse symptoms.csv; returns (rows with a ``red_flags`` list column, problems)."""
    import pandas as pd

    problems: list[Problem] = []
    empty = pd.DataFrame(columns=[*COLUMNS, "red_flags"])
    from loadwatch.sources import read_regular  # regular files only, 1 MB at most

    try:
        text = read_regular(path, MAX_BYTES, "the symptom log").decode("utf-8-sig")
    except (OSError, ValueError) as exc:  # ValueError: a FIFO, too large, not UTF-8
        return empty, [Problem(str(path), f"cannot read symptom log ({exc})")]
    reader = csv.DictReader(io.StringIO(text))
    fields = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    if "date" not in fields:
        return empty, [Problem(str(path), "symptom log needs a 'date' column")]
    unknown = [h for h in fields if h not in COLUMNS]
    if unknown:
        problems.append(Problem(str(path), f"ignored unknown column(s) {unknown}", "warning"))
    rows = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()
               if isinstance(v, str)}
        try:
            rows.append(_parse_row(row))
        except ValueError as exc:
            problems.append(Problem(f"{path}:{line}", str(exc)))
    if not rows:
        return empty, problems
    return pd.DataFrame(rows), problems


def _parse_row(row: Mapping[str, str]) -> dict[str, Any]:
    import pandas as pd

    try:
        date = pd.Timestamp(row.get("date", ""))
    except ValueError:
        date = pd.NaT
    if pd.isna(date):
        raise ValueError(f"date must be like 2026-02-18, got {row.get('date', '')!r}")
    pain_text = row.get("pain", "")
    try:
        pain = float(pain_text) if pain_text else 0.0
    except ValueError:
        pain = -1.0
    if not 0 <= pain <= 10:
        raise ValueError(f"pain must be a number from 0 to 10, got {pain_text!r}")
    out: dict[str, Any] = {"date": date.normalize().tz_localize(None), "area": row.get("area", ""),
                           "pain": pain, "notes": row.get("notes", "")}
    for col in RED_FLAGS:
        value = row.get(col, "").lower()
        if value not in _YES | _NO:
            raise ValueError(f"{col} must be yes or no, got {row.get(col)!r}")
        out[col] = value in _YES
    flags = [RED_FLAGS[c] for c in RED_FLAGS if out[c]]
    if out["fever"] and pain == 0:
        flags.remove(RED_FLAGS["fever"])  # fever is a red flag together with pain
    out["red_flags"] = flags
    return out


def _persistent(symptoms: pd.DataFrame, days: float, max_gap: float) -> pd.Series:
    """True where the same area has had pain > 0 on every logged day for >= ``days``.

    Entries of one area more than ``max_gap`` days apart are not read as one continuing
    pain (a weekly log still is): a sparse log says nothing about the days in between.
    """
    s = symptoms.sort_values("date")
    area = s["area"].str.casefold()
    pain = s["pain"] > 0
    # a new episode starts at each pain-free entry of the area, and after a gap in the log
    gap = s.groupby(area)["date"].diff().dt.days > max_gap
    episode = ((~pain) | gap).astype(int).groupby(area).cumsum()
    first = s["date"].where(pain).groupby([area, episode]).transform("min")
    return (pain & ((s["date"] - first).dt.days >= days)).reindex(symptoms.index)


def symptom_findings(
    symptoms: pd.DataFrame,
    found: Sequence[Mapping[str, Any]],
    rule: Rule,
    rules: Mapping[str, Rule],
) -> list[dict[str, Any]]:
    """Finding rows for the log: seek_care for red flags, info for other logged pain.

    ``found`` are the rows the other rules found; those of the weeks before an entry are
    listed with it, so the user sees what may have led up to the pain.
    """
    import pandas as pd

    from loadwatch import calendar
    from loadwatch.findings import finding

    if symptoms.empty:
        return []
    persistent = _persistent(symptoms, rule.value("persist_days"),
                             rule.value("max_log_gap_days"))
    lookback = pd.Timedelta(weeks=rule.window("lookback_weeks"))
    earlier = [r for r in found if r["rule"] != rule.id]
    rows = []
    for idx, s in symptoms.iterrows():
        flags = list(s["red_flags"])
        if bool(persistent.get(idx, False)):
            flags.append(f"pain for over {rule.value('persist_days'):.0f} days")
        if not flags and s["pain"] <= rule.value("pain"):
            continue
        day = pd.Timestamp(s["date"])
        week_start = calendar.monday(day)
        before = [r for r in earlier
                  if week_start - lookback < pd.Timestamp(r["week_start"]) <= week_start]
        weeks: dict[str, list[str]] = {}
        for r in sorted(before, key=lambda r: pd.Timestamp(r["week_start"])):
            label = calendar.week_label(pd.Timestamp(r["week_start"]))
            if label not in weeks.setdefault(r["rule"], []):
                weeks[r["rule"]].append(label)
        listed = list(weeks)
        parts = [["{r} in {w}", {"r": [r, "rule"], "w": [" and ".join(w), "text"]}]
                 for r, w in weeks.items()]
        facts: dict[str, list[Any]] = {
            "pain": [float(s["pain"]), "pain"], "day": [f"{day:%Y-%m-%d}", "day"],
            "where": [f" ({s['area']})" if s["area"] else "", "text"],
            "n": [rule.window("lookback_weeks"), "count:week"], "listed": [parts, "parts"],
        }
        history = (" In the {n} before, loadwatch flagged: {listed}." if listed
                   else " Nothing was flagged in the {n} before.")
        if flags:
            conditions = ["femoral_stress_fracture"]
            if s["clicking"]:
                conditions.append("labral_tear_fai")
            facts["flags"] = [flags, "list"]
            facts["advice"] = [rule.advice_text, "text"]
            rows.append(finding(
                rule, "seek_care", week_start, float(len(flags)),
                "Pain {pain}{where} logged on {day} with red flags: {flags}. {advice}"
                + history, facts, date=day, conditions=conditions,
            ))
        else:
            # linked to the conditions of the area logged only (a calf: none of the hip
            # ones), not to those of the rules that fired before it
            rows.append(finding(
                rule, "pain", week_start, float(s["pain"]),
                "Pain {pain}{where} logged on {day}." + history, facts,
                limit=float("nan"), date=day, conditions=list(conditions_of_area(s["area"])),
                advice="Ease off what provokes it and keep a note of it; see the red flags "
                "below. Pain that persists beyond one to two weeks needs a professional.",
            ))
    return rows


def find_symptom_log(paths: list[Path]) -> Path | None:
    """symptoms.csv in the first given folder (or a given file's folder), if any."""
    for p in paths:
        folder = p if p.is_dir() else p.parent
        log = folder / FILENAME
        if log.exists() or log.is_symlink():  # a FIFO too: read_symptoms says why
            return log
    return None


