"""The athlete's clock: local start of an activity, its day and ISO week, and "today".

Every layer (activity table, daily and weekly frames, rules, envelope, report, index, CLI)
asks this module, so a run is on the same day and in the same week everywhere. The
precedence is decided here and nowhere else:

1. the athlete's configured zone (``athlete.timezone`` in loadwatch.toml), DST included;
2. else the UTC offset the file itself carries (``utc_offset_min``: a FIT file's
   ``local_timestamp``, a local time read in a zone);
3. else UTC.

The activity table says which applied, per activity, in ``local_time_from``
(:data:`FROM_ZONE`, :data:`FROM_FILE` or :data:`FROM_UTC`), and :func:`describe` says it
for a whole table in words. Weeks are ISO weeks, Monday first, labelled like ``2026-W08``.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

#: ``local_time_from`` values: which clock gave an activity's local start.
FROM_ZONE, FROM_FILE, FROM_UTC = "zone", "file", "utc"
#: Naive local wall-clock time, the dtype of ``start_local`` and of every local date.
LOCAL_TIME = "datetime64[us]"
#: What an IANA zone name looks like ("UTC", "Europe/Amsterdam", "America/Argentina/Salta",
#: "Etc/GMT+5"); longer names do not exist, and a bare area such as "Europe" is a folder
#: of the zone database, not a zone.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}")
_MAX_ZONE_CHARS = 64


def zone_info(name: str | None) -> ZoneInfo | None:
    """The :class:`ZoneInfo` of an IANA zone name (None for None or "").

    Raises ValueError with a short reason for anything that is not a zone: an unknown name,
    a bare area ("Europe"), an over-long or malformed string.
    """
    if name is None or name == "":
        return None
    if not isinstance(name, str):
        raise ValueError("not a string")
    if len(name) > _MAX_ZONE_CHARS or not _ZONE_NAME.fullmatch(name):
        raise ValueError("not an IANA time zone name")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # a folder raises IsADirectoryError
        raise ValueError("unknown time zone") from None


# --- activities ---------------------------------------------------------------------------


def local_time_from(activities: pd.DataFrame, zone: str | None) -> pd.Series:
    """Per activity, which clock gives its local time: "zone", "file" or "utc"."""
    if zone:
        values = np.full(len(activities), FROM_ZONE, dtype=object)
    else:
        has = _offsets(activities).notna().to_numpy(bool)
        values = np.where(has, FROM_FILE, FROM_UTC).astype(object)
    return pd.Series(values, index=activities.index, dtype="string")


def local_start(activities: pd.DataFrame, zone: str | None) -> pd.Series:
    """Naive local wall-clock start of each activity (:data:`LOCAL_TIME`), by the precedence
    of the module: ``zone``, else the file's ``utc_offset_min``, else UTC."""
    start = pd.to_datetime(activities["start_time"], utc=True)
    if zone:
        info = zone_info(zone)
        wall = start.dt.tz_convert(info).dt.tz_localize(None)
    else:
        offset = _offsets(activities).fillna(0.0).to_numpy(float)
        wall = start.dt.tz_localize(None) + pd.to_timedelta(offset, unit="min")
    return pd.Series(wall.to_numpy(), index=activities.index).astype(LOCAL_TIME)


def local_day(activities: pd.DataFrame, zone: str | None) -> pd.Series:
    """The local calendar day (midnight, :data:`LOCAL_TIME`) each activity started on."""
    return local_start(activities, zone).dt.normalize()


def with_local_start(activities: pd.DataFrame, zone: str | None) -> pd.DataFrame:
    """``activities`` with ``start_local`` and ``local_time_from`` filled for ``zone``."""
    out = activities.copy()
    if out.empty:
        out["start_local"] = pd.Series(dtype=LOCAL_TIME)
        out["local_time_from"] = pd.Series(dtype="string")
        return out
    out["start_local"] = local_start(out, zone)
    out["local_time_from"] = local_time_from(out, zone)
    return out


def describe(activities: pd.DataFrame, zone: str | None) -> str:
    """In words, the clock a table's local times come from (for the report and ``check``):
    the zone's name, "the files' own UTC offsets" (some in UTC) or "UTC"."""
    if zone:
        return zone
    has = _offsets(activities).notna()
    if has.all() and len(has):
        return "the files' own UTC offsets"
    if has.any():
        return "the files' own UTC offsets (UTC where a file has none)"
    return "UTC"


def _offsets(activities: pd.DataFrame) -> pd.Series:
    if "utc_offset_min" not in activities:
        return pd.Series(np.nan, index=activities.index, dtype="float64")
    return activities["utc_offset_min"].astype("float64")


# --- days and weeks -----------------------------------------------------------------------


def monday(day: pd.Timestamp | dt.date) -> pd.Timestamp:
    """The Monday (at midnight) of the ISO week holding the local day ``day``."""
    d = pd.Timestamp(day).normalize()
    return d - pd.Timedelta(days=d.weekday())


def mondays(days: pd.Series) -> pd.Series:
    """:func:`monday` of each local day of a Series (time of day dropped)."""
    d = days.dt.normalize()
    return d - pd.to_timedelta(d.dt.day_of_week, unit="D")


def sunday(day: pd.Timestamp | dt.date) -> pd.Timestamp:
    """The Sunday (at midnight) that ends the ISO week holding ``day``."""
    return monday(day) + pd.Timedelta(days=6)


def week_label(day: pd.Timestamp | dt.date) -> str:
    """ISO week label of the week holding ``day``, e.g. ``2026-W08``."""
    year, week, _ = pd.Timestamp(day).isocalendar()
    return f"{year}-W{week:02d}"


def week_labels(days: pd.Series) -> pd.Series:
    """:func:`week_label` of each day of a Series (a string Series; missing stays missing)."""
    if days.empty:
        return pd.Series([], index=days.index, dtype="string")
    iso = days.dt.isocalendar()
    label = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    return label.where(days.notna(), None).astype("string")


def week_start_of_label(label: str) -> dt.date:
    """The Monday of an ISO week label such as ``2026-W08`` (ValueError otherwise)."""
    m = re.fullmatch(r"(\d{4})-W(\d{2})", label)
    if not m:
        raise ValueError(f"not an ISO week label: {label!r}")
    return dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)


# --- today --------------------------------------------------------------------------------


def today(zone: str | None, override: dt.date | None = None) -> dt.date:
    """What "today" is for the athlete: ``override`` (``--today``) if given, else the date
    now in ``zone`` (UTC without a zone: the file offsets say nothing about the present)."""
    if override is not None:
        return override.date() if isinstance(override, dt.datetime) else override
    info = zone_info(zone) or dt.UTC
    return dt.datetime.now(info).date()
