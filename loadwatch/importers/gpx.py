"""GPX importer: one activity per track, heart rate and cadence from the usual extensions.

The bytes are parsed once, by :mod:`loadwatch.xmlsafe` (entity expansion, DTDs, nesting
and size refused). Track points go from that tree straight into arrays; gpxpy reads the
rest (metadata, names, types), and is the reference and the fallback: a file the array
path does not reproduce exactly is read through gpxpy's object model
(tests/importers/test_gpx_paths.py compares both paths on every real file). Sport comes
from the track's ``<type>``: Garmin writes words ("running"), Strava numeric codes ("9").
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gpxpy
import gpxpy.gpx
import gpxpy.gpxfield
import numpy as np
import pandas as pd

from loadwatch import schema, streams, xmlsafe
from loadwatch.importers.base import ParsedActivity, read_parts
from loadwatch.importers.strava_types import STRAVA_TYPES
from loadwatch.limits import MAX_GPX_POINTS as MAX_POINTS
from loadwatch.problems import InputError, NotAnActivity

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
    """Read one GPX file: one :class:`ParsedActivity` per track that has timed points.

    Track points are read straight from the safe element tree into arrays
    (:func:`_array_tracks`); a file using anything that path does not reproduce exactly
    is read through gpxpy's object model instead (:func:`_gpxpy_tracks`, the reference).
    :data:`DECODER_COUNTS` counts the files of each path.
    """
    root = xmlsafe.parse(data, "GPX", point_tags=("trkpt", "rtept", "wpt"),
                         max_points=MAX_POINTS, plain_namespace=True)
    if xmlsafe.local(root.tag) != "gpx":
        raise InputError(f"not a GPX file: root element is <{xmlsafe.local(root.tag)}>")
    file_notes: list[str] = []
    unplaced = _drop_points_without_position(root)
    if unplaced:
        file_notes.append(f"{unplaced} track points without lat/lon skipped")
    hr_track = _heart_rate_track(root)
    version = _version(root)
    doc: _Document | None = None
    if ARRAY_PATH:
        try:
            doc = _array_tracks(root, version)
        except Exception as exc:  # anything unexpected: gpxpy, the reference, decides
            DECODER_COUNTS["gpxpy"] += 1
            FALLBACK_REASONS[_reason(exc)] += 1
        else:
            DECODER_COUNTS["array"] += 1
    else:
        DECODER_COUNTS["gpxpy"] += 1
    if doc is None:
        doc = _gpxpy_tracks(root, version)
    if doc.name is None:  # GPX 1.0 keeps the name on the root, 1.1 in <metadata>
        doc.name = next((el.text.strip() for el in root
                         if xmlsafe.local(el.tag) == "name" and el.text and el.text.strip()),
                        None)
    del root

    tracks = [t for t in doc.tracks if t.points]
    if not tracks:
        raise NotAnActivity("GPX has no track points")
    n_points = sum(t.points for t in tracks)
    n_timed = sum(t.timed for t in tracks)
    if n_timed == 0:
        raise InputError("GPX has no timestamps")

    def label(i: int, track: _Track) -> str:
        if len(tracks) == 1:
            return "GPX"
        name = " ".join((track.name or "").split())  # reasons are one line
        return f"track '{name}'" if name else f"track {i}"

    try:
        return read_parts(
            tracks, lambda t, what: _track(t, doc, what, file_notes, hr_track), label, "tracks"
        )
    except InputError:
        if n_timed < MIN_TIMED_SHARE * n_points:
            raise InputError(
                f"GPX: only {n_timed} of {n_points} track points have a time"
            ) from None
        raise


#: Files read by each path in this process: "array" (:func:`_array_tracks`) or "gpxpy",
#: and why files went to gpxpy (:data:`FALLBACK_REASONS`).
DECODER_COUNTS: Counter[str] = Counter()
FALLBACK_REASONS: Counter[str] = Counter()
#: Off: every file is read through gpxpy (the reference; benchmarks and tests compare).
ARRAY_PATH = True


@dataclass
class _Track:
    """One ``<trk>``: its name and type, its points as a RECORDS frame (untimed points
    included, time NaT), and how many points had a time that parsed."""

    name: str | None
    type: str | None
    records: pd.DataFrame
    timed: int

    @property
    def points(self) -> int:
        return len(self.records)


@dataclass
class _Document:
    name: str | None
    creator: str | None
    tracks: list[_Track]


class _Unsupported(Exception):
    """The array path does not reproduce gpxpy on this file (it reads it instead)."""


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text if isinstance(exc, _Unsupported) else f"{type(exc).__name__}"


def _version(root: Any) -> str | None:
    """The GPX version gpxpy is given: files declaring 1.0 often carry 1.1 extensions,
    which gpxpy's 1.0 field set drops, so those are read as 1.1."""
    version = root.get("version")
    if version == "1.0" and any(xmlsafe.local(el.tag) == "extensions" for el in root.iter()):
        version = "1.1"
    return version


def _gpxpy_tracks(root: Any, version: str | None) -> _Document:
    """The document through gpxpy's object model (the reference path)."""
    try:
        # gpxpy annotates node and version as str; it takes an element and a missing version
        gpx = gpxpy.gpxfield.gpx_fields_from_xml(
            gpxpy.gpx.GPX(), root, version  # type: ignore[arg-type]
        )
    except Exception as e:  # gpxpy raises assorted errors on bad input
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(f"not a GPX file: {reason}") from None
    tracks = []
    for track in gpx.tracks:
        points = [p for seg in track.segments for p in seg.points]
        tracks.append(_Track(track.name, track.type, _records(points),
                             sum(p.time is not None for p in points)))
    return _Document(gpx.name, gpx.creator, tracks)


def _track(
    track: _Track,
    doc: _Document,
    what: str,
    file_notes: list[str] | None = None,
    hr_track: pd.DataFrame | None = None,
) -> ParsedActivity:
    """One track -> one activity (``hr_track``: SportTracks' file-level heart rate)."""
    records = track.records
    n_timed = int(records["time"].notna().sum())
    if n_timed == 0:
        raise InputError(f"{what} has no timestamps")
    notes: list[str] = list(file_notes or [])
    if hr_track is not None and records["hr_bpm"].isna().all():
        records = _with_heart_rate(records, hr_track)
        notes.append("heart rate from the SportTracks heartRateTrack")
    if n_timed < MIN_TIMED_SHARE * track.points:
        raise InputError(f"{what}: only {n_timed} of {track.points} track points have a time")
    if n_timed < track.points:
        notes.append(f"{track.points - n_timed} of {track.points} points without time dropped")
        records = records[records["time"].notna()].reset_index(drop=True)
    check_times(records["time"], what)

    sport, sub_sport = sport_from_type(track.type)
    summary, stream_notes, records = summary_from_records(records, sport=sport)
    if sub_sport is None:
        notes.append("no activity type in file; assumed running")
    summary.update(
        sport=sport,
        sub_sport=sub_sport,
        title=(track.name or doc.name or None),
        device=(doc.creator or None),
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


#: RECORDS columns a track point fills besides time and position.
_POINT_COLUMNS = ("altitude_m", "hr_bpm", "cadence_spm", "speed_m_s", "power_w")


def _records(points: list[gpxpy.gpx.GPXTrackPoint]) -> pd.DataFrame:
    """gpxpy track points -> canonical RECORDS frame."""
    n = len(points)
    epoch_us = np.full(n, np.nan)
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    cols: dict[str, np.ndarray] = {name: np.full(n, np.nan) for name in _POINT_COLUMNS}
    alt = cols["altitude_m"]
    for i, p in enumerate(points):
        if p.time is not None:
            epoch_us[i] = _epoch_us(p.time)
        lat[i] = p.latitude if p.latitude is not None else np.nan
        lon[i] = p.longitude if p.longitude is not None else np.nan
        alt[i] = p.elevation if p.elevation is not None else np.nan
        for ext in p.extensions:
            for el in ext.iter():
                col = EXTENSION_FIELDS.get(xmlsafe.local(el.tag).lower())
                if col is not None and el.text:
                    cols[col][i] = _number(el.text)
    return _frame(epoch_us, lat, lon, cols)


def _epoch_us(t: dt.datetime) -> float:
    """Microseconds since 1970 of a gpxpy time (naive is UTC), NaN when not representable."""
    t = t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)
    try:
        return float(round(t.timestamp() * 1e6))
    except (ValueError, OverflowError):  # zone beyond +-24 h, year 1 or 9999 shifted
        return np.nan  # an unusable time: the point counts as untimed


def _frame(epoch_us: np.ndarray, lat: np.ndarray, lon: np.ndarray,
           cols: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame({"lat_deg": lat, "lon_deg": lon, **cols})
    frame["time"] = pd.to_datetime(pd.Series(epoch_us).astype("Int64"), unit="us", utc=True)
    return schema.conform(frame, schema.RECORDS)


# -- the array path: the element tree straight into arrays ------------------------------------

#: Track-point children that gpxpy converts, refusing the file when one does not convert
#: (only the first of each tag is read): the array path checks them the same way.
_FIX_VALUES = ("none", "2d", "3d", "dgps", "pps", "3")
_CHECKED_11: dict[str, Callable[[str], object]] = {
    **dict.fromkeys(("magvar", "geoidheight", "hdop", "vdop", "pdop", "ageofdgpsdata"),
                    lambda text: float(text.strip())),
    **dict.fromkeys(("sat", "dgpsid"), lambda text: int(text.strip())),
}
#: GPX 1.0 points also have course and speed (any version but "1.1" is read as 1.0).
_CHECKED_10 = {**_CHECKED_11, "course": _CHECKED_11["hdop"], "speed": _CHECKED_11["hdop"]}
#: Times in the one form nearly every device writes (UTC, at most microseconds), which
#: numpy converts in one call exactly as gpxpy would; any other form is read one by one by
#: gpxpy's own time parser.
_PLAIN_TIME = re.compile(
    r"[1-9]\d{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?Z?"
)
_GPX_TIME = gpxpy.gpxfield.TimeConverter()


def _array_tracks(root: Any, version: str | None) -> _Document:
    """The document with its track points read straight from the tree into arrays.

    gpxpy still reads everything but the track segments (metadata, waypoints, routes, a
    track's name and type: small), from a copy of the tree without them, so its checks of
    those parts and its errors stay the same. Points give what :func:`_records` gives from
    gpxpy's points; raises (:class:`_Unsupported` or the converter's error) where gpxpy
    would refuse the file or might differ, and the caller then reads it through gpxpy.
    """
    stub = ET.Element(root.tag, root.attrib)
    elements = []
    for child in root:
        if child.tag == "trk":
            elements.append(child)
            head = ET.SubElement(stub, "trk", child.attrib)
            head.extend(c for c in child if c.tag != "trkseg")
        else:
            stub.append(child)
    gpx = gpxpy.gpxfield.gpx_fields_from_xml(
        gpxpy.gpx.GPX(), stub, version  # type: ignore[arg-type]
    )
    checked = _CHECKED_11 if version == "1.1" else _CHECKED_10
    tracks = [_array_track(track.name, track.type, element, checked)
              for track, element in zip(gpx.tracks, elements, strict=True)]
    return _Document(gpx.name, gpx.creator, tracks)


def _array_track(name: str | None, type_: str | None, element: Any,
                 checked_fields: dict[str, Callable[[str], object]]) -> _Track:
    """One ``<trk>`` element's points (all segments, in order) as a :class:`_Track`.

    ``checked_fields`` are the point children gpxpy converts in the file's version; the
    extensions only count in GPX 1.1 (gpxpy's 1.0 field set has none).
    """
    extensions = "extensions" if checked_fields is _CHECKED_11 else None
    points = [pt for seg in element if seg.tag == "trkseg" for pt in seg if pt.tag == "trkpt"]
    n = len(points)
    lat, lon = np.empty(n), np.empty(n)
    cols: dict[str, np.ndarray] = {name: np.full(n, np.nan) for name in _POINT_COLUMNS}
    alt = cols["altitude_m"]
    times: list[str | None] = [None] * n
    column_of: dict[str, str | None] = {}  # extension tag -> RECORDS column
    for i, pt in enumerate(points):
        lat[i] = float(pt.get("lat"))  # present and a number: see _drop_points_without_position
        lon[i] = float(pt.get("lon"))
        seen = 0
        checked: set[str] | None = None
        for child in pt:
            tag = child.tag
            if tag == "time":
                if not seen & 1:
                    seen |= 1
                    times[i] = child.text
            elif tag == "ele":
                if not seen & 2:
                    seen |= 2
                    if child.text is not None:
                        alt[i] = float(child.text.strip())
            elif tag == extensions:
                if not seen & 4:
                    seen |= 4
                    for el in child.iter():
                        col = column_of.get(el.tag, "")
                        if col == "":
                            col = EXTENSION_FIELDS.get(xmlsafe.local(el.tag).lower())
                            column_of[el.tag] = col
                        if col is not None and el.text:
                            cols[col][i] = _number(el.text)
            elif tag in checked_fields or tag == "fix":
                checked = checked if checked is not None else set()
                if tag not in checked and child.text is not None:
                    checked.add(tag)
                    if tag == "fix":
                        if child.text not in _FIX_VALUES:
                            raise _Unsupported("a <fix> value gpxpy refuses")
                    else:
                        checked_fields[tag](child.text)
                elif tag not in checked:
                    checked.add(tag)
    epoch_us, timed = _times(times)
    return _Track(name, type_, _frame(epoch_us, lat, lon, cols), timed)


def _times(texts: list[str | None]) -> tuple[np.ndarray, int]:
    """Microseconds since 1970 of each point's ``<time>`` text (NaN where it has none or
    gpxpy cannot use it), and how many times gpxpy would have parsed."""
    epoch_us = np.full(len(texts), np.nan)
    plain_at: list[int] = []
    plain: list[str] = []
    odd: list[int] = []
    for i, text in enumerate(texts):
        if text is None:
            continue
        if _PLAIN_TIME.fullmatch(text):
            plain_at.append(i)
            plain.append(text.rstrip("Z"))
        else:
            odd.append(i)
    timed = 0
    if plain:
        try:
            epoch_us[plain_at] = np.array(plain, dtype="datetime64[us]").astype(np.int64)
            timed += len(plain)
        except ValueError:  # a day that does not exist (Feb 30): gpxpy decides, one by one
            odd.extend(plain_at)
    for i in odd:
        when = _GPX_TIME.from_string(texts[i])  # type: ignore[arg-type]
        if when is not None:
            timed += 1
            epoch_us[i] = _epoch_us(when)
    return epoch_us, timed


def _number(text: str) -> float:
    """A float from element text, NaN when it is not a number."""
    try:
        return float(text)
    except ValueError:
        return np.nan
