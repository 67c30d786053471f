"""GPX importer: one activity per track, heart rate and cadence from the usual extensions.

The bytes are parsed once, by :mod:`loadwatch.xmlsafe` (entity expansion, DTDs, nesting
and size refused), and gpxpy builds its model from that tree. Sport comes from the
track's ``<type>``: Garmin writes words ("running"), Strava numeric codes ("9").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import gpxpy
import gpxpy.gpx
import gpxpy.gpxfield
import numpy as np
import pandas as pd

from loadwatch import schema, streams, xmlsafe
from loadwatch.importers.base import ParsedActivity, read_parts
from loadwatch.limits import MAX_GPX_POINTS as MAX_POINTS
from loadwatch.problems import InputError, NotAnActivity

#: Strava's numeric GPX ``<type>`` codes: its activity types in their historical order
#: (1 Ride ... 9 Run, 10 Walk, 16 Swim, 17 VirtualRide, 33 VirtualRun); each name maps to
#: a sport through SPORT_WORDS, the rest are "other".
STRAVA_TYPE_NAMES = (
    "Ride", "AlpineSki", "BackcountrySki", "Hike", "IceSkate", "InlineSkate", "NordicSki",
    "RollerSki", "Run", "Walk", "Workout", "Snowboard", "Snowshoe", "Kitesurf", "Windsurf",
    "Swim", "VirtualRide", "EBikeRide", "Velomobile", "Canoeing", "Kayaking", "Rowing",
    "StandUpPaddling", "Surfing", "Crossfit", "Elliptical", "RockClimbing", "StairStepper",
    "WeightTraining", "Yoga", "Handcycle", "Wheelchair", "VirtualRun",
)

#: Activity-type words (GPX ``<type>``, TCX ``Sport``, Strava/Garmin names), lower case with
#: spaces and hyphens as underscores -> canonical sport.
SPORT_WORDS = {
    "running": "running",
    "run": "running",
    "street_running": "running",
    "track_running": "running",
    "road_running": "running",
    "virtual_run": "running",
    "virtualrun": "running",
    "indoor_running": "treadmill_running",
    "trail_running": "trail_running",
    "trail_run": "trail_running",
    "trailrun": "trail_running",
    "treadmill_running": "treadmill_running",
    "treadmill": "treadmill_running",
    "cycling": "cycling",
    "biking": "cycling",
    "ride": "cycling",
    "road_biking": "cycling",
    "mountain_biking": "cycling",
    "gravel_cycling": "cycling",
    "indoor_cycling": "cycling",
    "virtual_ride": "cycling",
    "virtualride": "cycling",
    "ebikeride": "cycling",
    "walking": "walking",
    "walk": "walking",
    "casual_walking": "walking",
    "speed_walking": "walking",
    "hiking": "hiking",
    "hike": "hiking",
    "swimming": "swimming",
    "swim": "swimming",
    "lap_swimming": "swimming",
    "open_water_swimming": "swimming",
}

STRAVA_TYPES = {
    str(code): SPORT_WORDS.get(name.lower(), "other")
    for code, name in enumerate(STRAVA_TYPE_NAMES, 1)
}

#: GPX track-point extension elements (local names, any namespace prefix) -> record column.
#: Garmin TrackPointExtension v1/v2 use hr/cad (v2 adds speed in m/s); cluetrust gpxdata
#: uses hr/cadence; some apps write heartrate/power.
EXTENSION_FIELDS = {
    "hr": "hr_bpm",
    "heartrate": "hr_bpm",
    "heart_rate": "hr_bpm",
    "cad": "cadence_spm",
    "cadence": "cadence_spm",
    "speed": "speed_m_s",
    "power": "power_w",
    "powerinwatts": "power_w",
}

#: Timestamps outside [EARLIEST, now + 1 day] are device defaults (1901-12-13 is a signed
#: 32-bit Unix time of -2**31), not dates of a run.
EARLIEST = pd.Timestamp("1990-01-01", tz="UTC")
#: A track whose points mostly lack a time cannot give durations; refuse it below this share.
MIN_TIMED_SHARE = 0.5


def sport_from_type(raw: str | None) -> tuple[str, str | None]:
    """Canonical sport and the lower-case raw type for a GPX ``<type>`` or TCX ``Sport``.

    Returns ("running", None) for a missing type; callers note the assumption.
    """
    if raw is None or not raw.strip():
        return "running", None
    text = raw.strip().lower()
    key = text.replace(" ", "_").replace("-", "_")
    if key in STRAVA_TYPES:
        return STRAVA_TYPES[key], text
    if key in SPORT_WORDS:
        return SPORT_WORDS[key], text
    if "trail" in key and "run" in key:
        return "trail_running", text
    for stem, sport in (
        ("treadmill", "treadmill_running"),
        ("run", "running"),
        ("cycl", "cycling"),
        ("bik", "cycling"),
        ("ride", "cycling"),
        ("hik", "hiking"),
        ("walk", "walking"),
        ("swim", "swimming"),
    ):
        if stem in key:
            return sport, text
    return "other", text


def check_times(times: pd.Series, what: str) -> None:
    """Refuse timestamps that cannot be a recording's (before 1990 or in the future)."""
    first, last = times.min(), times.max()
    now = pd.Timestamp.now(tz="UTC")
    if first < EARLIEST:
        raise InputError(f"{what} timestamps are not real dates ({_day(first)})")
    if last > now + pd.Timedelta(days=1):
        raise InputError(f"{what} timestamps lie in the future ({_day(last)})")


def _day(ts: pd.Timestamp) -> str:
    # not strftime: it refuses years outside 1-9999, which pandas timestamps can hold
    return f"{ts.year:04d}-{ts.month:02d}-{ts.day:02d}"


def summary_from_records(
    records: pd.DataFrame, *, barometric: bool | None = None, sport: str | None = None
) -> tuple[dict[str, Any], list[str], pd.DataFrame]:
    """streams.summarize plus start_time: (summary, quality notes, cleaned records)."""
    cleaned, notes = streams.clean_times(records)
    s = streams.summarize(cleaned, barometric=barometric, sport=sport)
    notes += s.pop("quality")
    s["start_time"] = cleaned["time"].iloc[0]
    return s, notes, cleaned


def read(data: bytes, source: str) -> list[ParsedActivity]:
    """Read one GPX file: one :class:`ParsedActivity` per track that has timed points."""
    # gpxpy addresses elements without the document's namespace; the one safe parse
    # drops it from the tree, so gpxpy reads that tree instead of parsing the bytes a
    # second time (measured: ~40 % of the import time).
    root = xmlsafe.parse(data, "GPX", point_tags=("trkpt", "rtept", "wpt"),
                         max_points=MAX_POINTS, plain_namespace=True)
    if xmlsafe.local(root.tag) != "gpx":
        raise InputError(f"not a GPX file: root element is <{xmlsafe.local(root.tag)}>")
    file_notes: list[str] = []
    unplaced = _drop_points_without_position(root)
    if unplaced:
        file_notes.append(f"{unplaced} track points without lat/lon skipped")
    hr_track = _heart_rate_track(root)
    # gpxpy's GPX 1.0 field set drops <extensions>; files declaring 1.0 often carry them
    version = root.get("version")
    if version == "1.0" and any(xmlsafe.local(el.tag) == "extensions" for el in root.iter()):
        version = "1.1"
    try:
        # gpxpy annotates node and version as str; it takes an element and a missing version
        gpx = gpxpy.gpxfield.gpx_fields_from_xml(
            gpxpy.gpx.GPX(), root, version  # type: ignore[arg-type]
        )
    except Exception as e:  # gpxpy raises assorted errors on bad input
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(f"not a GPX file: {reason}") from None
    if gpx.name is None:  # GPX 1.0 keeps the name on the root, 1.1 in <metadata>
        gpx.name = next((el.text.strip() for el in root
                         if xmlsafe.local(el.tag) == "name" and el.text and el.text.strip()),
                        None)
    del root

    tracks = [t for t in gpx.tracks if any(s.points for s in t.segments)]
    if not tracks:
        raise NotAnActivity("GPX has no track points")
    n_points = sum(len(s.points) for t in tracks for s in t.segments)
    n_timed = sum(p.time is not None for t in tracks for s in t.segments for p in s.points)
    if n_timed == 0:
        raise InputError("GPX has no timestamps")
    def label(i: int, track: gpxpy.gpx.GPXTrack) -> str:
        if len(tracks) == 1:
            return "GPX"
        name = " ".join((track.name or "").split())  # reasons are one line
        return f"track '{name}'" if name else f"track {i}"

    try:
        return read_parts(
            tracks, lambda t, what: _track(t, gpx, what, file_notes, hr_track), label, "tracks"
        )
    except InputError:
        if n_timed < MIN_TIMED_SHARE * n_points:
            raise InputError(
                f"GPX: only {n_timed} of {n_points} track points have a time"
            ) from None
        raise


def _track(
    track: gpxpy.gpx.GPXTrack,
    gpx: gpxpy.gpx.GPX,
    what: str,
    file_notes: list[str] | None = None,
    hr_track: pd.DataFrame | None = None,
) -> ParsedActivity:
    """One track -> one activity (``hr_track``: SportTracks' file-level heart rate)."""
    points = [p for seg in track.segments for p in seg.points]
    records = _records(points)
    n_timed = int(records["time"].notna().sum())
    if n_timed == 0:
        raise InputError(f"{what} has no timestamps")
    notes: list[str] = list(file_notes or [])
    if hr_track is not None and records["hr_bpm"].isna().all():
        records = _with_heart_rate(records, hr_track)
        notes.append("heart rate from the SportTracks heartRateTrack")
    if n_timed < MIN_TIMED_SHARE * len(points):
        raise InputError(f"{what}: only {n_timed} of {len(points)} track points have a time")
    if n_timed < len(points):
        notes.append(f"{len(points) - n_timed} of {len(points)} points without time dropped")
        records = records[records["time"].notna()].reset_index(drop=True)
    check_times(records["time"], what)

    sport, sub_sport = sport_from_type(track.type)
    summary, stream_notes, records = summary_from_records(records, sport=sport)
    if sub_sport is None:
        notes.append("no activity type in file; assumed running")
    summary.update(
        sport=sport,
        sub_sport=sub_sport,
        title=(track.name or gpx.name or None),
        device=(gpx.creator or None),
        quality="; ".join(notes + stream_notes) or None,
    )
    return ParsedActivity(summary=summary, records=records)


def _drop_points_without_position(root: Any) -> int:
    """Remove track points whose lat/lon is missing or not a number; how many were removed.

    gpxpy refuses the whole file for one such point; the rest of the track is still good.
    """
    removed = 0
    for parent in root.iter():
        if xmlsafe.local(parent.tag) != "trkseg":
            continue
        for pt in list(parent):
            if xmlsafe.local(pt.tag) != "trkpt":
                continue
            if not (_is_coordinate(pt.get("lat")) and _is_coordinate(pt.get("lon"))):
                parent.remove(pt)
                removed += 1
    return removed


def _is_coordinate(text: str | None) -> bool:
    return text is not None and np.isfinite(_number(text))


#: Seconds between a SportTracks heart-rate sample and the track point it is given to.
HR_TRACK_TOLERANCE_S = 10.0


def _heart_rate_track(root: Any) -> pd.DataFrame | None:
    """SportTracks' ``<st:heartRateTrack>`` samples (time, bpm) sorted by time, or None."""
    times: list[str] = []
    bpms: list[float] = []
    for track in root.iter():
        if xmlsafe.local(track.tag) != "heartRateTrack":
            continue
        for sample in track:
            when = sample.get("time")
            value = sample.get("bpm") or sample.get("value") or sample.text
            if when and value:
                times.append(when)
                bpms.append(_number(value))
    if not times:
        return None
    frame = pd.DataFrame({
        "time": pd.to_datetime(pd.Series(times, dtype=object), utc=True, errors="coerce",
                               format="ISO8601"),
        "bpm": bpms,
    }).dropna()
    return frame.sort_values("time", kind="stable") if len(frame) else None


def _with_heart_rate(records: pd.DataFrame, hr_track: pd.DataFrame) -> pd.DataFrame:
    """``records`` with hr_bpm from the nearest sample within HR_TRACK_TOLERANCE_S."""
    timed = records["time"].notna()
    left = records.loc[timed, ["time"]].reset_index().sort_values("time", kind="stable")
    right = hr_track.astype({"time": left["time"].dtype})
    joined = pd.merge_asof(left, right, on="time", direction="nearest",
                           tolerance=pd.Timedelta(seconds=HR_TRACK_TOLERANCE_S))
    out = records.copy()
    out.loc[joined["index"].to_numpy(), "hr_bpm"] = joined["bpm"].to_numpy(dtype=float)
    return out


def _records(points: list[gpxpy.gpx.GPXTrackPoint]) -> pd.DataFrame:
    """Track points -> canonical RECORDS frame."""
    n = len(points)
    epoch_us = np.full(n, np.nan)
    cols: dict[str, np.ndarray] = {
        name: np.full(n, np.nan)
        for name in (
            "lat_deg",
            "lon_deg",
            "altitude_m",
            "hr_bpm",
            "cadence_spm",
            "speed_m_s",
            "power_w",
        )
    }
    lat, lon, alt = cols["lat_deg"], cols["lon_deg"], cols["altitude_m"]
    for i, p in enumerate(points):
        if p.time is not None:
            t = p.time if p.time.tzinfo is not None else p.time.replace(tzinfo=dt.UTC)
            try:
                epoch_us[i] = round(t.timestamp() * 1e6)
            except (ValueError, OverflowError):  # zone beyond +-24 h, year 1 or 9999 shifted
                epoch_us[i] = np.nan  # an unusable time: the point counts as untimed
        lat[i] = p.latitude if p.latitude is not None else np.nan
        lon[i] = p.longitude if p.longitude is not None else np.nan
        alt[i] = p.elevation if p.elevation is not None else np.nan
        for ext in p.extensions:
            for el in ext.iter():
                col = EXTENSION_FIELDS.get(xmlsafe.local(el.tag).lower())
                if col is not None and el.text:
                    cols[col][i] = _number(el.text)
    frame = pd.DataFrame(cols)
    frame["time"] = pd.to_datetime(pd.Series(epoch_us).astype("Int64"), unit="us", utc=True)
    return schema.conform(frame, schema.RECORDS)


def _number(text: str) -> float:
    """A float from element text, NaN when it is not a number."""
    try:
        return float(text)
    except ValueError:
        return np.nan
