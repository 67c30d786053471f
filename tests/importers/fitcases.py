"""FIT files for the real-device behaviours of issue 12, built with ``fit_tool``.

:func:`build` writes records given as plain dicts (any subset of the RECORD keys below, a
time of None writes no timestamp) and sessions given as dicts of session fields, plus the
optional messages those behaviours need: an activity message with its own timer time, a
timestamp_correlation message, and developer fields declaring a native field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from fit_tool.base_type import BaseType
from fit_tool.developer_field import DeveloperField
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.developer_data_id_message import DeveloperDataIdMessage
from fit_tool.profile.messages.field_description_message import FieldDescriptionMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.messages.timestamp_correlation_message import (
    TimestampCorrelationMessage,
)
from fit_tool.profile.profile_type import FileType, GarminProduct, Manufacturer, Sport, SubSport

from tests.fitgen import FIT_EPOCH, START

#: record dict key -> RecordMessage attribute
RECORD = {
    "lat": "position_lat",
    "lon": "position_long",
    "alt": "altitude",
    "hr": "heart_rate",
    "dist": "distance",
    "speed": "speed",
}
#: FIT profile numbers (Profile.xlsx): session message 18, its total_distance field 9,
#: record message 20, its distance field 5.
SESSION_MESG, SESSION_TOTAL_DISTANCE = 18, 9
RECORD_MESG, RECORD_DISTANCE = 20, 5


def _ms(when: dt.datetime) -> int:
    return round(when.timestamp() * 1000)


def relative(seconds: float) -> dt.datetime:
    """The instant fit_tool writes as a device-relative FIT time of ``seconds``."""
    return FIT_EPOCH + dt.timedelta(seconds=seconds)


def _dev_description(b: FitFileBuilder, field_id: int, name: str, mesg: int, field: int) -> None:
    fd = FieldDescriptionMessage()
    fd.developer_data_index = 0
    fd.field_definition_number = field_id
    fd.fit_base_type_id = BaseType.FLOAT32.value
    fd.field_name = name
    fd.units = "m"
    fd.native_mesg_num = mesg
    fd.native_field_num = field
    b.add(fd)


def build(
    records: Sequence[dict[str, Any]],
    sessions: Sequence[dict[str, Any]] = (),
    *,
    start: dt.datetime = START,
    activity_timer_s: float | None = None,
    correlation: tuple[dt.datetime, float] | None = None,
    dev_session_distance_m: float | None = None,
    dev_record_distance: bool = False,
) -> bytes:
    """FIT activity bytes.

    ``records``: dicts with ``t`` (seconds after ``start``, or None for no timestamp) and
    any RECORD keys. ``sessions``: dicts with ``t0``/``t1`` (seconds after ``start``) and
    session fields (``total_elapsed_time``, ``total_timer_time``, ``total_distance``,
    ``sport``...). ``correlation``: (UTC instant, device seconds at that instant).
    ``dev_session_distance_m`` writes a Connect IQ total_distance developer field on
    every session; ``dev_record_distance`` moves each record's distance into a developer
    field declaring the native record distance (the native one written as 0).
    """
    b = FitFileBuilder(auto_define=True, min_string_size=50)
    fid = FileIdMessage()
    fid.type = FileType.ACTIVITY
    fid.manufacturer = Manufacturer.GARMIN.value
    fid.product = GarminProduct.FENIX2.value
    fid.time_created = _ms(start)
    b.add(fid)
    if dev_session_distance_m is not None or dev_record_distance:
        dev_id = DeveloperDataIdMessage()
        dev_id.developer_data_index = 0
        dev_id.application_id = list(range(16))
        b.add(dev_id)
        _dev_description(b, 0, "total_distance", SESSION_MESG, SESSION_TOTAL_DISTANCE)
        _dev_description(b, 1, "distance", RECORD_MESG, RECORD_DISTANCE)
    if correlation is not None:
        when, system_s = correlation
        c = TimestampCorrelationMessage()
        c.timestamp = _ms(when)
        c.system_timestamp = _ms(relative(system_s))
        b.add(c)
    for rec in records:
        dev = None
        if dev_record_distance and "dist" in rec:
            dev = DeveloperField(field_id=1, name="distance", base_type=BaseType.FLOAT32,
                                 size=4, developer_data_index=0)
        r = RecordMessage(developer_fields=[dev] if dev else None)
        if rec.get("t") is not None:
            t = start + dt.timedelta(seconds=float(rec["t"]))
            r.timestamp = _ms(t)
        for key, attr in RECORD.items():
            if key in rec and rec[key] is not None:
                setattr(r, attr, rec[key])
        if dev is not None:
            dev.set_value(0, float(rec["dist"]))
            r.distance = 0.0
        b.add(r)
    for sess in sessions:
        dev = None
        if dev_session_distance_m is not None:
            dev = DeveloperField(field_id=0, name="total_distance", base_type=BaseType.FLOAT32,
                                 size=4, developer_data_index=0)
        s = SessionMessage(developer_fields=[dev] if dev else None)
        s.start_time = _ms(start + dt.timedelta(seconds=float(sess["t0"])))
        s.timestamp = _ms(start + dt.timedelta(seconds=float(sess["t1"])))
        s.sport = Sport[sess.get("sport", "running").upper()]
        s.sub_sport = SubSport[sess.get("sub_sport", "generic").upper()]
        for key, value in sess.items():
            if key not in ("t0", "t1", "sport", "sub_sport"):
                setattr(s, key, value)
        if dev is not None:
            dev.set_value(0, float(dev_session_distance_m or 0.0))
        b.add(s)
    if activity_timer_s is not None:
        a = ActivityMessage()
        a.timestamp = _ms(start + dt.timedelta(seconds=float(records[-1]["t"] or 0)))
        a.num_sessions = len(sessions)
        a.total_timer_time = float(activity_timer_s)
        b.add(a)
    return b.build().to_bytes()


def steady(
    t0: float, t1: float, *, speed_m_s: float = 3.0, d0: float = 0.0, step_s: float = 1.0,
    hr: int | None = 140, climb_m_s: float = 0.0, with_speed: bool = False,
    position: bool = True,
) -> list[dict[str, Any]]:
    """Records every ``step_s`` from t0 to t1 of a steady run due north from 47 N 8 E."""
    out = []
    n = round((t1 - t0) / step_s)
    for i in range(n + 1):
        t = t0 + i * step_s
        d = d0 + speed_m_s * (t - t0)
        rec: dict[str, Any] = {"t": t, "dist": d, "alt": 400.0 + climb_m_s * (t - t0)}
        if position:
            rec["lat"], rec["lon"] = 47.0 + d / 111_195.0, 8.0
        if hr is not None:
            rec["hr"] = hr
        if with_speed:
            rec["speed"] = speed_m_s
        out.append(rec)
    return out
