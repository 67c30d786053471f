"""TCX importer (Garmin Training Center XML): one activity per ``<Activity>``.

Parsed with :mod:`loadwatch.xmlsafe` (defusedxml) and matched on local element names, so
the namespace prefixes vendors choose (ns3:TPX, TPX with a default namespace) do not matter.
Lap totals are a fallback for activities without timed track points and a check otherwise.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pandas as pd

from loadwatch import schema, streams, xmlsafe
from loadwatch.importers.base import ParsedActivity, read_parts
from loadwatch.importers.gpx import check_times, sport_from_type, summary_from_records
from loadwatch.problems import InputError, NotAnActivity

#: Trackpoint child elements (local names) holding one number -> record column.
POINT_FIELDS = {
    "AltitudeMeters": "altitude_m",
    "DistanceMeters": "distance_m",
    "Cadence": "cadence_spm",
    "LatitudeDegrees": "lat_deg",
    "LongitudeDegrees": "lon_deg",
    # Garmin ActivityExtension v2 (TPX) inside Extensions
    "Speed": "speed_m_s",
    "RunCadence": "cadence_spm",
    "Watts": "power_w",
}
#: Lap distance may differ from the track's by this share before we say so.
LAP_MISMATCH = 0.05


def read(data: bytes, source: str) -> list[ParsedActivity]:
    """Read one TCX file: one :class:`ParsedActivity` per ``<Activity>`` with data."""
    root = xmlsafe.parse(data, "TCX", point_tags=("Trackpoint",))
    if xmlsafe.local(root.tag) != "TrainingCenterDatabase":
        raise InputError(f"not a TCX file: root element is <{xmlsafe.local(root.tag)}>")
    activities = [el for el in root.iter() if xmlsafe.local(el.tag) == "Activity"]
    if not activities:
        raise NotAnActivity("TCX has no activities (a course or workout file)")
    return read_parts(
        activities, _activity,
        lambda i, _: "TCX" if len(activities) == 1 else f"TCX activity {i}", "activities",
    )


def _child(el: ET.Element, name: str) -> ET.Element | None:
    """First direct child with this local name."""
    for c in el:
        if xmlsafe.local(c.tag) == name:
            return c
    return None


def _text(el: ET.Element | None) -> str | None:
    return el.text.strip() if el is not None and el.text and el.text.strip() else None


def _activity(act: ET.Element, what: str) -> ParsedActivity:
    """One <Activity> element -> one activity (from track points, else from lap totals)."""
    sport, sub_sport = sport_from_type(act.get("Sport"))
    notes: list[str] = []
    if sub_sport is None:
        notes.append("no activity type in file; assumed running")
    creator = _child(act, "Creator")
    training = _child(act, "Training")
    plan = _child(training, "Plan") if training is not None else None
    meta = {
        "sport": sport,
        "sub_sport": sub_sport,
        "device": _text(_child(creator, "Name")) if creator is not None else None,
        "title": _text(_child(act, "Notes"))
        or (_text(_child(plan, "Name")) if plan is not None else None),
    }
    laps = [c for c in act if xmlsafe.local(c.tag) == "Lap"]
    lap_m = _lap_sum(laps, "DistanceMeters")
    records = _records(act)
    if records is None or records["time"].notna().sum() == 0:
        return _from_laps(laps, meta, notes, what)
    records = records[records["time"].notna()].reset_index(drop=True)
    check_times(records["time"], what)
    summary, stream_notes, records = summary_from_records(records, sport=sport)
    notes += stream_notes
    track_km = summary["distance_km"]
    if lap_m > 0 and not (track_km > 0):  # NaN or 0: the track points carry no distance
        summary["distance_km"] = lap_m / 1000.0
        notes.append("distance from laps (track points carry none)")
    elif lap_m and abs(track_km * 1000 - lap_m) > LAP_MISMATCH * lap_m:
        notes.append(f"lap distance {lap_m / 1000:.2f} km differs from track {track_km:.2f} km")
    lap_s = _lap_sum(laps, "TotalTimeSeconds")
    if streams.NO_MOTION_NOTE in stream_notes and lap_s > 0:
        # no distance or speed: the laps' timer time knows the pauses, the stream does not
        summary["moving_s"] = min(lap_s, summary["elapsed_s"]) or lap_s
        notes.remove(streams.NO_MOTION_NOTE)
        notes.append("moving time from lap times (no distance or speed)")
    summary.update(meta, quality="; ".join(notes) or None)
    return ParsedActivity(summary=summary, records=records)


def _lap_sum(laps: list[ET.Element], name: str) -> float:
    total = 0.0
    for lap in laps:
        v = pd.to_numeric(_text(_child(lap, name)), errors="coerce")
        if v == v and v is not None:
            total += float(v)
    return total


def _from_laps(
    laps: list[ET.Element], meta: dict[str, Any], notes: list[str], what: str
) -> ParsedActivity:
    """A summary-only activity from lap totals (manual entries, track-less exports)."""
    starts = pd.to_datetime(
        pd.Series([lap.get("StartTime") for lap in laps], dtype=object),
        utc=True,
        errors="coerce",
        format="ISO8601",
    ).dropna()
    if starts.empty:
        raise InputError(f"{what} has no timestamps")
    check_times(starts, what)
    seconds = _lap_sum(laps, "TotalTimeSeconds")
    metres = _lap_sum(laps, "DistanceMeters")
    notes.append("no track points; totals from laps")
    summary: dict[str, Any] = {
        "start_time": starts.min(),
        "distance_km": metres / 1000.0,
        "elapsed_s": seconds,
        "moving_s": seconds,
        "has_gps": False,
        "has_hr": False,
        "elevation_source": "none",
        **meta,
        "quality": "; ".join(notes),
    }
    return ParsedActivity(summary=summary, records=None)


def _records(act: ET.Element) -> pd.DataFrame | None:
    """All <Trackpoint>s of an activity, in document order, as a RECORDS frame."""
    points = [el for el in act.iter() if xmlsafe.local(el.tag) == "Trackpoint"]
    if not points:
        return None
    names: dict[str, str] = {}

    def name_of(tag: object) -> str:
        if not isinstance(tag, str):
            return ""
        n = names.get(tag)
        if n is None:
            n = names[tag] = xmlsafe.local(tag)
        return n

    n = len(points)
    times: list[str | None] = [None] * n
    cols: dict[str, list[str | None]] = {c: [None] * n for c in set(POINT_FIELDS.values())}
    cols["hr_bpm"] = [None] * n
    for i, tp in enumerate(points):
        for el in tp.iter():
            name = name_of(el.tag)
            if name == "Time":
                times[i] = el.text.strip() if el.text else None
            elif name == "Value":  # HeartRateBpm/Value, the only Value inside a Trackpoint
                cols["hr_bpm"][i] = el.text.strip() if el.text else None
            else:
                col = POINT_FIELDS.get(name)
                if col is not None and el.text:
                    cols[col][i] = el.text.strip()
    frame = pd.DataFrame(
        {c: pd.to_numeric(pd.Series(v, dtype=object), errors="coerce") for c, v in cols.items()}
    )
    frame["time"] = pd.to_datetime(
        pd.Series(times, dtype=object), utc=True, errors="coerce", format="ISO8601"
    )
    return schema.conform(frame, schema.RECORDS)
