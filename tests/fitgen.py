"""Generate small FIT activity files for tests, with the ``fit_tool`` writer.

A file is built from one or more :class:`Leg` objects (one session per leg, so several legs
make a multisport file), each holding the per-second arrays of one recording. Options
leave the session messages out, write TomTom's -500 m altitude sentinel, or cut the bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.messages.sport_message import SportMessage
from fit_tool.profile.profile_type import (
    Event,
    EventType,
    FileType,
    GarminProduct,
    Manufacturer,
    Sport,
    SubSport,
)

START = dt.datetime(2024, 5, 4, 7, 0, 0, tzinfo=dt.UTC)
#: FIT date_time values count seconds from this instant (FIT SDK).
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
#: Altitude TomTom writes where it has none [m].
TOMTOM_ALTITUDE_SENTINEL_M = -500.0


@dataclass
class Leg:
    """One session's recording: seconds from the file start and per-record values.

    ``None`` for a whole array leaves that field out of the records.
    """

    t_s: np.ndarray
    lat_deg: np.ndarray | None
    lon_deg: np.ndarray | None
    alt_m: np.ndarray | None
    hr_bpm: np.ndarray | None
    distance_m: np.ndarray | None
    sport: str = "running"
    sub_sport: str = "generic"


def run_leg(
    duration_s: int = 1800,
    *,
    offset_s: int = 0,
    speed_m_s: float = 3.0,
    start_distance_m: float = 0.0,
    sport: str = "running",
    sub_sport: str = "generic",
    sentinel_every: int = 0,
) -> Leg:
    """A steady 1 Hz leg heading north from 47 N 8 E, over a 20 m sine of altitude.

    ``sentinel_every`` > 0 writes the -500 m sentinel on every n-th record.
    """
    t = np.arange(duration_s + 1, dtype=float) + offset_s
    dist = start_distance_m + speed_m_s * (t - offset_s)
    lat = 47.0 + dist / 111_195.0
    lon = np.full_like(t, 8.0)
    alt = 400.0 + 20.0 * np.sin(2 * np.pi * (t - offset_s) / 600.0)
    if sentinel_every:
        alt[::sentinel_every] = TOMTOM_ALTITUDE_SENTINEL_M
    hr = np.clip(120.0 + (t - offset_s) / 30.0, None, 175.0).round()
    return Leg(t, lat, lon, alt, hr, dist, sport, sub_sport)


def _ms(when: dt.datetime) -> int:
    """fit_tool takes date_time values as Unix milliseconds."""
    return round(when.timestamp() * 1000)


def activity_fit(
    legs: Sequence[Leg],
    *,
    start: dt.datetime = START,
    sessions: bool = True,
    utc_offset_min: int | None = 120,
    product: GarminProduct = GarminProduct.FENIX2,
) -> bytes:
    """The bytes of a FIT activity file holding ``legs`` (one session per leg).

    ``sessions=False`` leaves out the session and activity messages (a watch that
    crashed before saving). ``utc_offset_min`` sets the activity message's local time.
    """
    b = FitFileBuilder(auto_define=True, min_string_size=50)
    fid = FileIdMessage()
    fid.type = FileType.ACTIVITY
    fid.manufacturer = Manufacturer.GARMIN.value
    fid.product = product.value
    fid.serial_number = 0x12345678
    fid.time_created = _ms(start)
    b.add(fid)
    sport = SportMessage()  # Garmin writes the activity profile's sport up front
    sport.sport = Sport[legs[0].sport.upper()]
    sport.sub_sport = SubSport[legs[0].sub_sport.upper()]
    b.add(sport)
    ev = EventMessage()
    ev.event, ev.event_type, ev.timestamp = Event.TIMER, EventType.START, _ms(start)
    b.add(ev)
    for leg in legs:
        for i, t in enumerate(leg.t_s):
            r = RecordMessage()
            r.timestamp = _ms(start + dt.timedelta(seconds=float(t)))
            if leg.lat_deg is not None and leg.lon_deg is not None:
                r.position_lat = float(leg.lat_deg[i])
                r.position_long = float(leg.lon_deg[i])
            if leg.alt_m is not None:
                r.altitude = float(leg.alt_m[i])
            if leg.hr_bpm is not None:
                r.heart_rate = int(leg.hr_bpm[i])
            if leg.distance_m is not None:
                r.distance = float(leg.distance_m[i])
            b.add(r)
    end = start + dt.timedelta(seconds=float(legs[-1].t_s[-1]))
    ev = EventMessage()
    ev.event, ev.event_type, ev.timestamp = Event.TIMER, EventType.STOP_ALL, _ms(end)
    b.add(ev)
    if sessions:
        for leg in legs:
            s = SessionMessage()
            s0 = start + dt.timedelta(seconds=float(leg.t_s[0]))
            elapsed = float(leg.t_s[-1] - leg.t_s[0])
            s.start_time = _ms(s0)
            s.timestamp = _ms(s0 + dt.timedelta(seconds=elapsed))
            s.total_elapsed_time = elapsed
            s.total_timer_time = elapsed
            s.sport = Sport[leg.sport.upper()]
            s.sub_sport = SubSport[leg.sub_sport.upper()]
            if leg.distance_m is not None:
                s.total_distance = float(leg.distance_m[-1] - leg.distance_m[0])
            if leg.hr_bpm is not None:
                s.avg_heart_rate = round(float(np.mean(leg.hr_bpm)))
                s.max_heart_rate = int(np.max(leg.hr_bpm))
            b.add(s)
        a = ActivityMessage()
        a.timestamp = _ms(end)
        a.num_sessions = len(legs)
        a.total_timer_time = float(legs[-1].t_s[-1])
        if utc_offset_min is not None:
            local = end + dt.timedelta(minutes=utc_offset_min)
            a.local_timestamp = round((local - FIT_EPOCH).total_seconds())
        b.add(a)
    return b.build().to_bytes()


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    """The first ``keep`` share of a file's bytes (a copy cut off mid-transfer)."""
    return data[: int(len(data) * keep)]
