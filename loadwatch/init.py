"""``loadwatch init``: a commented loadwatch.toml written from what the files can tell.

:func:`init_config` reads the activities under some paths and writes ``loadwatch.toml``
beside them (the file :func:`loadwatch.settings.read_settings` looks for) with what can be
estimated: the time zone from the files' own UTC offsets (a zone name only when exactly one
zone fits them all, else a commented hint), max HR and threshold HR from the runs
(:func:`loadwatch.frames.observed_max_hr`, :func:`loadwatch.physiology.estimate_threshold_hr`)
and one ``[[shoes]]`` entry per gear name the runs carry, with its km so far. What cannot be
estimated (resting HR, sex, injury history) is a commented line to fill in. An existing
file is never overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, available_timezones

import numpy as np
import pandas as pd

from loadwatch import schema
from loadwatch.atomic import write_atomic
from loadwatch.frames import DEFAULT_RESTING_HR, MAX_HR_WINDOW_DAYS, observed_max_hr
from loadwatch.physiology import estimate_threshold_hr
from loadwatch.problems import UsageError
from loadwatch.settings import FILENAME

#: A zone fits the files when its UTC offset equals theirs on at least this share of the
#: days with a known offset (a trip abroad does not rule out the home zone).
ZONE_MATCH_SHARE = 0.95
#: Geographic zone areas considered (the legacy and Etc/ names would only add aliases).
ZONE_AREAS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe",
              "Indian", "Pacific")
#: Candidate zones are listed with these areas first (where most exporters' users live);
#: the order within an area is alphabetical.
HINT_AREA_ORDER = ("Europe", "America", "Australia", "Asia", "Pacific")
#: Most candidate zones named in the hint.
HINT_ZONES = 5


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML ones)."""
    return json.dumps(text, ensure_ascii=False)


def _offset_text(minutes: float) -> str:
    sign = "+" if minutes >= 0 else "-"
    m = abs(int(minutes))
    return f"UTC{sign}{m // 60:02d}:{m % 60:02d}"


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    """Canonical zone names: zone.tab's where the system has it (no aliases such as
    Asia/Calcutta beside Asia/Kolkata), else every geographic name zoneinfo knows."""
    for folder in TZPATH:
        table = Path(folder) / "zone.tab"
        if table.is_file():
            names = [line.split("\t")[2] for line in table.read_text().splitlines()
                     if line and not line.startswith("#") and line.count("\t") >= 2]
            return tuple(sorted(set(names)))
    return tuple(sorted(z for z in available_timezones() if z.split("/")[0] in ZONE_AREAS))


def fitting_zones(activities: pd.DataFrame) -> tuple[list[str], list[float]]:
    """(zones whose offset matches the files', the files' offsets most common first)."""
    known = activities.dropna(subset=["utc_offset_min"])
    if known.empty:
        return [], []
    days = pd.DataFrame({
        "day": known["start_time"].dt.floor("D").to_numpy(),
        "offset": known["utc_offset_min"].astype("float64").to_numpy(),
    }).drop_duplicates()
    offsets = days["offset"].value_counts().index.tolist()
    when = pd.DatetimeIndex(days["day"] + pd.Timedelta(hours=12))
    fits = []
    for name in _zones():
        local = when.tz_convert(ZoneInfo(name))
        theirs = np.array([o.total_seconds() / 60 for o in local.map(lambda t: t.utcoffset())])
        if (theirs == days["offset"].to_numpy()).mean() >= ZONE_MATCH_SHARE:
            fits.append(name)
    fits.sort(key=lambda z: (HINT_AREA_ORDER.index(z.split("/")[0])
                             if z.split("/")[0] in HINT_AREA_ORDER else len(HINT_AREA_ORDER)))
    return fits, offsets


def _zone_lines(activities: pd.DataFrame) -> list[str]:
    fits, offsets = fitting_zones(activities)
    seen = " and ".join(_offset_text(o) for o in offsets[:2])
    if len(fits) == 1:
        return [f"# the only zone that fits your files' UTC offsets ({seen})",
                f"timezone = {_toml_string(fits[0])}"]
    if not fits:
        why = (f"your files say {seen}, which no single zone fits" if offsets
               else "your files do not say their UTC offset")
        return [f"# {why}: set your IANA zone", '# timezone = "Europe/Amsterdam"']
    listed = ", ".join(fits[:HINT_ZONES]) + (", ..." if len(fits) > HINT_ZONES else "")
    return [
        f"# your files say {seen}: {len(fits)} zones fit, e.g.",
        f"# {listed}; set yours",
        f"# timezone = {_toml_string(fits[0])}",
    ]


def _shoes(runs: pd.DataFrame) -> list[str]:
    shoe = runs["shoe"].astype("string").str.strip()
    named = runs.assign(shoe=shoe)[shoe.notna() & (shoe != "")]
    if named.empty:
        return [
            "# No run names its shoes. Add one [[shoes]] table per pair, e.g.",
            "# [[shoes]]",
            '# name = "Pegasus 40"',
            "# start_km = 120        # km on them before these files",
            "# from = 2026-01-05     # runs from this day on (that name no shoe) wore them",
            "# retire_km = 700",
        ]
    lines = ["# Shoes named by your runs, with their km in these files."]
    groups = named.groupby("shoe", sort=False)
    order = groups["start_time"].min().sort_values().index
    for name in order:
        g = groups.get_group(name)
        first, last = g["start_time"].min(), g["start_time"].max()
        lines += [
            "",
            "[[shoes]]",
            f"name = {_toml_string(str(name))}",
            f"# {g['distance_km'].sum():.0f} km so far in {len(g)} run"
            f"{'s' if len(g) != 1 else ''}, {first:%Y-%m-%d} to {last:%Y-%m-%d}",
            "# start_km = 0         # km on them before these files",
            "# retire_km = 700",
        ]
    return lines


def config_text(activities: pd.DataFrame, name: str = "") -> str:
    """The commented loadwatch.toml for ``activities`` (schema.ACTIVITY)."""
    runs = activities[activities["sport"].isin(schema.RUNNING_SPORTS).fillna(False)]
    mx = observed_max_hr(runs)
    threshold = estimate_threshold_hr(runs, mx)
    lines = [
        "# loadwatch settings, written by `loadwatch init` from your files.",
        "# Every key is optional: a commented line means loadwatch works it out or assumes",
        "# a default (the report lists what it assumed). Uncomment and edit what you know.",
        "",
        "[athlete]",
        f"name = {_toml_string(name)}" if name else '# name = "Your name"',
        *_zone_lines(activities),
    ]
    if mx is not None:
        lines += [f"# highest plausible HR in your last {MAX_HR_WINDOW_DAYS} days of runs; "
                  "a race or test may show more", f"max_hr = {mx:.0f}"]
    else:
        lines += ["# no plausible maximum in your runs: set it to use your heart rate",
                  "# max_hr = 190"]
    if threshold.bpm is not None:
        lines += [f"# {threshold.note}", f"threshold_hr = {threshold.bpm:.0f}"]
    else:
        lines += [f"# not estimated: {threshold.note}", "# threshold_hr = 170"]
    lines += [
        f"# your morning resting HR ({DEFAULT_RESTING_HR:g} is assumed)",
        "# resting_hr = 50",
        "# the pace [min/km] you can hold for about an hour (intensity without HR)",
        '# threshold_pace = "4:30"',
        '# "female" or "male": TRIMP weighting; female lowers the bone-stress thresholds',
        '# sex = "female"',
        "# a previous stress fracture lowers the bone-stress thresholds",
        "# previous_stress_fracture = false",
        "",
        *_shoes(runs),
        "",
        "# Rule thresholds can be changed per rule (see the README's rule table), e.g.",
        "# [thresholds.weekly_distance_jump]",
        "# caution = 0.25",
        "",
    ]
    return "\n".join(lines)


def config_path(paths: Sequence[str | Path]) -> Path:
    """Where ``init`` writes: loadwatch.toml in the first folder (a file's own folder)."""
    first = Path(paths[0])
    return (first if first.is_dir() else first.parent) / FILENAME


def init_config(
    paths: Sequence[str | Path], *, name: str = "", jobs: int = 1, cache: object = None
) -> tuple[Path, str]:
    """Read ``paths``, write loadwatch.toml beside them, return (its path, its text).

    Raises :class:`UsageError` when the file exists (it is never overwritten), a path is
    missing, or no activity can be read.
    """
    from loadwatch.read import read_activities

    if not paths:
        raise UsageError("no files or folders given")
    for p in paths:
        if not Path(p).exists():
            raise UsageError(f"{p}: no such file or folder")
    target = config_path(paths)
    if target.exists():
        raise UsageError(f"{target} already exists; loadwatch init never overwrites it "
                         "(move it away to write a new one)")
    result = read_activities(list(paths), jobs=jobs, cache=cache)  # type: ignore[arg-type]
    if result.activities.empty:
        raise UsageError(f"no activities found in {', '.join(str(p) for p in paths)}")
    text = config_text(result.activities, name)
    try:
        write_atomic(target, text)
    except OSError as exc:
        raise UsageError(f"{target}: cannot write ({exc})") from None
    return target, text
