"""A synthetic season as an :class:`~loadwatch.result.Analysis`, for report tests and benchmarks.

The frames follow :mod:`loadwatch.schema` and are internally consistent (daily and weekly
sums of the activities, shoe totals of the runs); the findings are a plausible mix of every
rule family, derived from the generated load so that flagged weeks really are the jumps.
Untrusted text (titles, athlete, device, shoe, file names) can be set to hostile payloads.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from loadwatch import schema
from loadwatch.format import fill
from loadwatch.problems import Problem
from loadwatch.result import Analysis, Envelope
from loadwatch.rules.evaluators import evaluate_all
from loadwatch.settings import Settings

XSS = "<script>alert(1)</script>"


def synthetic_analysis(
    *,
    weeks: int = 52,
    runs_per_week: int = 5,
    seed: int = 7,
    end: date = date(2026, 3, 1),
    athlete: str = "Ada Runner",
    title: str | None = None,
    device: str = "garmin fenix 7",
    shoe_names: tuple[str, ...] = ("Pegasus 40", "Speedgoat 5"),
    problem_source: str = "exports/broken.fit",
    problem_reason: str = "truncated FIT file (header says 4096 bytes, 812 present)",
    with_envelope: bool = True,
) -> Analysis:
    """A season of ``weeks`` weeks ending on ``end`` (a Sunday) with ~``runs_per_week`` runs.

    ``title`` replaces every activity's title when given (e.g. an XSS payload).
    """
    rng = np.random.default_rng(seed)
    first_monday = end - timedelta(days=end.weekday()) - timedelta(weeks=weeks - 1)
    rows = []
    base_week_km = 30.0
    for w in range(weeks):
        monday = first_monday + timedelta(weeks=w)
        # a build with step-backs, one break and a few deliberate jumps
        week_km = base_week_km * (1 + 0.02 * w) * (0.85 if w % 4 == 3 else 1.0)
        if w in (10, 30, 45):
            week_km *= 1.45
        if w in (20, 21, 22):
            continue  # a three-week break
        days = sorted(rng.choice(7, size=min(runs_per_week, 7), replace=False))
        shares = rng.dirichlet(np.full(len(days), 4.0))
        long_i = int(np.argmax(shares))
        if w in (12, 40):
            shares[long_i] *= 1.8
        for i, d in enumerate(days):
            km = round(float(week_km * shares[i]), 2)
            trail = (w % 3 == 0 and i == long_i) or w in (44, 45)
            start = datetime(monday.year, monday.month, monday.day, 6, 30, tzinfo=UTC) + timedelta(
                days=int(d)
            )
            pace_s = float(rng.normal(330, 20))
            hard = i == 0 and w % 2 == 0
            rows.append(
                {
                    "activity_id": f"{w:04d}{i:04d}{int(rng.integers(0, 2**31)):08x}",
                    "source": f"exports/{start:%Y%m%d}-{i}.fit",
                    "format": "fit",
                    "start_time": start,
                    "utc_offset_min": 60,
                    "sport": "trail_running" if trail else "running",
                    "sub_sport": "trail" if trail else "generic",
                    "title": title if title is not None else f"Run {start:%a %d %b}",
                    "device": device,
                    "distance_km": km,
                    "elapsed_s": km * pace_s * 1.05,
                    "moving_s": km * pace_s,
                    "ascent_m": km * (25 if trail else 6),
                    "descent_m": km * (25 if trail else 6) * (3 if w == 44 else 1),
                    "downhill_km": km * (0.3 if trail else 0.05),
                    "steep_downhill_km": km * (0.1 if trail else 0.0),
                    "avg_hr": 150.0,
                    "max_hr": 178.0,
                    "hi_intensity_s": (km * pace_s * 0.35) if hard else km * 12.0,
                    "trimp": km * (11.0 if hard else 7.5),
                    "shoe": shoe_names[1] if trail and len(shoe_names) > 1 else shoe_names[0],
                    "has_gps": True,
                    "has_hr": True,
                    "elevation_source": "barometric",
                    "quality": "",
                }
            )
    activities = schema.conform(pd.DataFrame(rows), schema.ACTIVITY)

    local = (activities["start_time"] + pd.to_timedelta(60, unit="min")).dt.tz_localize(None)
    day = local.dt.normalize()
    per_run = pd.DataFrame(
        {
            "date": day,
            "distance_km": activities["distance_km"],
            "moving_s": activities["moving_s"],
            "runs": 1,
            "longest_run_km": activities["distance_km"],
            "hi_intensity_min": activities["hi_intensity_s"] / 60,
            "trimp": activities["trimp"],
            "load": activities["trimp"],
            "ascent_m": activities["ascent_m"],
            "descent_m": activities["descent_m"],
            "downhill_km": activities["downhill_km"],
            "trail_km": activities["distance_km"].where(activities["sport"] == "trail_running", 0),
            "other_min": 0.0,
        }
    )
    agg = {c: "sum" for c in per_run.columns if c != "date"}
    agg["longest_run_km"] = "max"
    daily = per_run.groupby("date").agg(agg)
    all_days = pd.date_range(pd.Timestamp(first_monday), pd.Timestamp(end), freq="D")
    daily = daily.reindex(all_days, fill_value=0).rename_axis("date").reset_index()
    daily["covered"] = True
    daily = schema.conform(daily, schema.DAILY)

    week_start = daily["date"] - pd.to_timedelta(daily["date"].dt.day_of_week, unit="D")
    weekly = daily.drop(columns=["date", "covered"]).groupby(week_start.rename("week_start"))
    weekly = weekly.agg(agg).reset_index()
    iso = weekly["week_start"].dt.isocalendar()
    weekly["week"] = [f"{y}-W{n:02d}" for y, n in zip(iso["year"], iso["week"], strict=True)]
    weekly["trail_share"] = (weekly["trail_km"] / weekly["distance_km"]).where(
        weekly["distance_km"] > 0
    )
    weekly["load_source"] = "trimp"
    weekly["covered"] = True
    weekly = schema.conform(weekly, schema.WEEKLY)

    shoes = _shoes(activities, local)
    findings = _findings(activities, local, weekly)
    last = weekly.iloc[-1]
    envelope = None
    if with_envelope:
        nxt = (last["week_start"] + pd.Timedelta(days=7)).date()
        iso_n = nxt.isocalendar()
        envelope = Envelope(
            week=f"{iso_n.year}-W{iso_n.week:02d}",
            week_start=nxt,
            distance_km=round(float(last["distance_km"]) * 1.1, 1),
            longest_run_km=round(float(last["longest_run_km"]) * 1.1, 1),
            descent_m=round(float(last["descent_m"]) * 1.5, 0),
            basis={
                "distance_km": f"weekly_distance_jump: +10 % on {last['distance_km']:.1f} km",
                "longest_run_km": f"long_run_spike: +10 % on {last['longest_run_km']:.1f} km",
                "descent_m": "downhill_volume_jump: 1.5x the 4-week mean",
            },
            reasons={
                "distance_km": ["{r}: +10 % on {d}", {"r": ["weekly_distance_jump", "rule"],
                                "d": [float(last["distance_km"]), "km"]}],
                "longest_run_km": ["{r}: +10 % on {d}", {"r": ["long_run_spike", "rule"],
                                   "d": [float(last["longest_run_km"]), "km"]}],
                "descent_m": ["{r}: 1.5x the 4-week mean", {"r": ["downhill_volume_jump",
                                                                "rule"]}],
            },
        )
    return Analysis(
        athlete=athlete,
        activities=activities,
        daily=daily,
        weekly=weekly,
        shoes=shoes,
        findings=findings,
        envelope=envelope,
        not_evaluated=["red_flag_symptoms: no symptom log given"],
        defaults_used=["max HR 188 bpm (highest seen in 180 days)", "LTHR 167 bpm (Karvonen 0.85)"],
        problems=[
            Problem(problem_source, problem_reason, "error"),
            Problem("exports/settings.fit", "settings file, not an activity", "skipped"),
        ],
        files_read=len(activities) + 2,
        sources=["exports/"],
        timezone="Europe/Paris",
        generated=datetime(2026, 3, 2, 7, 0, tzinfo=UTC),
        # what the rules compared against, from the real evaluators on these frames
        judged=evaluate_all(activities, daily, weekly, shoes, Settings()).judged,
    )


def _shoes(activities: pd.DataFrame, local: pd.Series) -> pd.DataFrame:
    day = local.dt.normalize()
    week_start = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    per = (
        pd.DataFrame({"week_start": week_start, "shoe": activities["shoe"],
                      "distance_km": activities["distance_km"]})
        .groupby(["shoe", "week_start"], as_index=False)["distance_km"].sum()
    )
    start_km = {name: 200.0 * i for i, name in enumerate(per["shoe"].unique())}
    per["cumulative_km"] = per.groupby("shoe")["distance_km"].cumsum() + per["shoe"].map(start_km)
    iso = per["week_start"].dt.isocalendar()
    per["week"] = [f"{y}-W{n:02d}" for y, n in zip(iso["year"], iso["week"], strict=True)]
    return schema.conform(per.sort_values(["week_start", "shoe"]).reset_index(drop=True),
                          schema.SHOES)


def _finding(rule: str, severity: str, week_start: pd.Timestamp, value: float, threshold: float,
             unit: str, template: str, conditions: list[str], facts: dict | None = None,
             **extra: object) -> dict:
    """A finding row as the evaluators make it: the message is a template and its facts."""
    iso = week_start.isocalendar()
    facts = facts or {}
    return {
        "rule": rule, "severity": severity, "week": f"{iso.year}-W{iso.week:02d}",
        "week_start": week_start, "value": value, "threshold": threshold, "unit": unit,
        "template": template, "facts": facts, "message": fill(template, facts),
        "conditions": conditions,
        "evidence": "weak: Nielsen 2014 JOSPT 44:739", "advice": f"Advice for {rule}: hold "
        "next week at this week's distance.", **extra,
    }


def _findings(activities: pd.DataFrame, local: pd.Series, weekly: pd.DataFrame) -> pd.DataFrame:
    out = []
    d = weekly["distance_km"].to_numpy()
    for i in range(1, len(weekly)):
        prev, cur = d[i - 1], d[i]
        ws = weekly["week_start"].iloc[i]
        if prev >= 5 and cur - prev >= 3:
            p = (cur - prev) / prev * 100
            if p > 10:
                out.append(_finding(
                    "weekly_distance_jump", "caution" if p > 30 else "info", ws, p,
                    30.0 if p > 30 else 10.0, "%",
                    "Weekly distance rose {p} ({prev} to {cur}), above {t}.",
                    ["trochanteric_bursitis", "gluteal_tendinopathy", "itb_syndrome",
                     "femoral_stress_fracture"],
                    {"p": [p / 100, "fraction"], "prev": [prev, "km"], "cur": [cur, "km"],
                     "t": [0.3 if p > 30 else 0.1, "fraction"]}))
        elif prev < 1 and cur > 0 and i >= 2:
            out.append(_finding("return_after_break", "caution", ws, cur, 0.5 * d[i - 4], "km",
                                "First week after a break: {cur}.",
                                ["femoral_stress_fracture"], {"cur": [cur, "km"]}))
        if weekly["hi_intensity_min"].iloc[i] > 1.5 * weekly["hi_intensity_min"].iloc[
                max(0, i - 4):i].mean() + 20:
            out.append(_finding("intensity_jump", "caution", ws,
                                float(weekly["hi_intensity_min"].iloc[i]), 20.0, "min",
                                "Hard minutes rose above 1.5x the 4-week mean.",
                                ["iliopsoas_tendinopathy", "hip_flexor_strain"]))
    # long-run spikes: run distance vs the longest of the previous 30 days
    s = pd.Series(activities["distance_km"].to_numpy(), index=local.to_numpy()).sort_index()
    prev_max = s.rolling("30D", closed="left").max()
    ratio = s / prev_max - 1
    for (when, r), aid in zip(ratio.items(), activities.sort_values("start_time")["activity_id"],
                              strict=True):
        if pd.notna(r) and r > 0.3:
            ws = pd.Timestamp(when).normalize() - pd.Timedelta(days=pd.Timestamp(when).weekday())
            out.append(_finding("long_run_spike", "warning" if r > 1 else "caution", ws,
                                r * 100, 30.0, "%", "Longest run {km} was {r} longer than the "
                                "longest of the previous 30 days.",
                                ["femoral_stress_fracture", "itb_syndrome"],
                                {"km": [float(s[when]), "km"], "r": [float(r), "fraction"]},
                                date=pd.Timestamp(when).normalize(), activity_id=aid))
    ws_last = weekly["week_start"].iloc[-1]
    heavy = int(weekly["descent_m"].to_numpy().argmax())
    out.append(_finding("downhill_volume_jump", "caution", weekly["week_start"].iloc[heavy],
                        float(weekly["descent_m"].iloc[heavy]), 300, "m",
                        "Descent {e}, far above the 4-week mean.",
                        ["itb_syndrome", "adductor_strain"],
                        {"e": [float(weekly["descent_m"].iloc[heavy]), "m"]}))
    out.append(_finding("shoe_mileage", "info", ws_last, 512.0, 450.0, "km",
                        "Pegasus 40 has {t}, past {m}.", ["itb_syndrome"],
                        {"t": [512.0, "km_total"], "m": [450.0, "km_total"]}))
    out.append(_finding("load_ratio", "info", ws_last, 1.38, 1.3, "x",
                        "Load change indicator 1.38, above usual (1.3).",
                        ["femoral_stress_fracture"]))
    out.append(_finding("monotony", "caution", ws_last, 2.4, 2.0, "",
                        "Training monotony 2.4 over 7 days (above 2.0).",
                        ["femoral_stress_fracture"]))
    frame = schema.conform(pd.DataFrame(out), schema.FINDINGS)
    return frame.sort_values(["week_start", "rule"]).reset_index(drop=True)
