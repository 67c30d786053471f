"""FIT importer: activities (one per session) with their record streams, from fitparse.

The file is decoded once, message by message; record fields go into plain lists and become
one DataFrame at the end (pandas per record would cost more than the decoding). Summaries
come from :func:`loadwatch.streams.summarize` on each session's records, with the
session message's own totals taking precedence where the device recorded them.

Decisions worth knowing:

- **Session totals win** for distance, elapsed time and average/maximum heart rate: they are
  what the watch showed the athlete. Zeros (Zwift and Onelap write avg HR 0) count as
  missing. An elapsed time shorter than the timer time is inconsistent; the records decide.
- **Moving time** is the smaller of the session's timer time and the stream's moving time:
  the timer already leaves out the pauses the athlete pressed, the stream also leaves out
  the stops they did not (traffic lights with auto-pause off), and the stream's measure is
  what the GPX and TCX importers give for the same run.
- **Multisport**: one activity per session; the start times of the second and later
  sessions split the records (see :func:`_split`). Transitions become activities of sport
  ``other`` (sub_sport ``transition``). Sessions repeated by a chained copy count once.
- **Barometric altitude** when the file lists a local barometer sensor (Garmin writes one
  in device_info) or the device belongs to a family known to carry one; otherwise unknown.
- **Device-relative time** (FIT date_time values below 0x10000000, e.g. Forerunner 70
  ANT-FS downloads) cannot be turned into dates: file_id.time_created is relative too in
  such files, and the activity's local_timestamp is not a reliable anchor (both FR70
  samples we have carry the same local_timestamp for recordings 9 days apart). Such files
  are refused with a reason; records with relative times inside an otherwise dated file
  are dropped with a note.
- **Damage**: CRC mismatches are noted and ignored; a file that ends early, or whose data
  becomes undecodable, keeps every message read before the damage (noted in ``quality``).
  Only a file that yields no dated records raises :class:`InputError`.

References
----------
Garmin FIT SDK, "FIT Protocol" and Profile.xlsx: semicircles, the date_time epoch
(1989-12-31T00:00Z), the 0x10000000 relative-time limit and the local_device_type enum.
"""

from __future__ import annotations

import io
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, TypeGuard

import numpy as np
import pandas as pd
from fitparse.base import FitFileDecoder
from fitparse.profile import MESSAGE_TYPES
from fitparse.records import DevField
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

from loadwatch import schema, streams
from loadwatch.importers import fastfit
from loadwatch.importers.base import ParsedActivity
from loadwatch.importers.fastfit import stand_in_for_native
from loadwatch.limits import MAX_FIT_LAPS as MAX_LAPS
from loadwatch.limits import MAX_FIT_MESSAGES as MAX_MESSAGES
from loadwatch.limits import MAX_FIT_RECORDS as MAX_RECORDS
from loadwatch.limits import MAX_FIT_SESSIONS as MAX_SESSIONS
from loadwatch.limits import UNDATED_RECORDS_LIMIT
from loadwatch.problems import InputError, NotAnActivity

#: Unix seconds at the FIT date_time epoch, 1989-12-31T00:00:00Z (FIT SDK).
FIT_EPOCH_UNIX_S = 631_065_600
#: date_time values below this are seconds since the device powered up, not dates (FIT SDK).
RELATIVE_TIME_LIMIT = 0x10000000
#: Degrees per semicircle: positions are int32 with 2**31 semicircles = 180 deg (FIT SDK).
DEG_PER_SEMICIRCLE = 180.0 / 2**31
#: Earliest plausible activity date; FIT itself cannot express dates before 1998.
EARLIEST = pd.Timestamp("1990-01-01", tz="UTC")
#: Records dated later than now plus this are clock errors.
FUTURE_SLACK = pd.Timedelta(days=1)
#: UTC offsets are whole quarter hours [min] and within +-14 h (UTC+14 is the largest zone).
OFFSET_STEP_MIN = 15
MAX_OFFSET_MIN = 14 * 60
#: The stream's moving time replaces the session's timer time only when the records span at
#: least this share of the session (a file cut short has a partial stream).
MIN_STREAM_COVERAGE = 0.9
#: Tolerance [s] when comparing a session's elapsed and timer times.
SESSION_SLACK_S = 1.0
#: A session whose records begin this much [s] before its start_time has a wrong start_time
#: (the fenix2 multisport sample: 45 min); the first record's time is used instead.
START_MISMATCH_S = 60.0
#: A session is incomplete (a Suunto file missing its last lap) when its records span more
#: than its elapsed time by this share and at least STALE_MIN_S [s]: the records decide.
STALE_SHARE = 0.05
STALE_MIN_S = 60.0
#: Longest reason text copied from a fitparse exception into a message.
MAX_REASON_CHARS = 120


#: FIT file types (file_id.type) that hold an activity.
ACTIVITY_FILE_TYPES = ("activity",)

#: Canonical RECORDS column -> FIT record fields, the first present wins: enhanced_* are
#: the 32-bit altitude and speed that modern devices write instead of the 16-bit fields.
#: Units are SI already except positions (semicircles, converted in :func:`_records`).
RECORD_FIELDS = {
    "lat_deg": ("position_lat",),
    "lon_deg": ("position_long",),
    "altitude_m": ("enhanced_altitude", "altitude"),
    "distance_m": ("distance",),
    "speed_m_s": ("enhanced_speed", "speed"),
    "hr_bpm": ("heart_rate",),
    "cadence_spm": ("cadence",),
    "power_w": ("power",),
}
#: Every record field kept: the above, the time, the fraction of the cadence, and
#: activity_type (the sport of files without session or sport message).
_RECORD_NAMES = frozenset(
    ["timestamp", "fractional_cadence", "activity_type", *chain(*RECORD_FIELDS.values())]
)
#: Messages whose fields are kept whole (all small and few).
SUMMARY_MESSAGES = (
    "file_id", "session", "activity", "device_info", "sport", "lap", "timestamp_correlation",
    "field_description",
)

#: FIT sport -> canonical sport (schema.SPORTS); anything else is "other".
SPORT_MAP = {
    "running": "running",
    "cycling": "cycling",
    "e_biking": "cycling",
    "walking": "walking",
    "hiking": "hiking",
    "mountaineering": "hiking",
    "swimming": "swimming",
}
#: (FIT sport, FIT sub_sport) pairs that refine the sport.
SUB_SPORT_MAP: dict[tuple[str | None, str | None], str] = {
    ("running", "trail"): "trail_running",
    ("running", "treadmill"): "treadmill_running",
    ("running", "indoor_running"): "treadmill_running",
    ("running", "virtual_activity"): "treadmill_running",
    ("fitness_equipment", "treadmill"): "treadmill_running",
    ("fitness_equipment", "indoor_running"): "treadmill_running",
}
#: Product names of device families with a barometric altimeter (manufacturer specs), for
#: files that do not list their sensors: Garmin fenix/epix/Forerunner 9xx/Edge 5xx-1xxx,
#: Wahoo ELEMNT, Hammerhead Karoo, COROS, Sigma ROX.
BAROMETRIC_PRODUCTS = re.compile(
    r"^(fenix|epix|fr9[1-9]\d|edge_?(5\d\d|8\d\d|1\d\d\d|explore)|elemnt|karoo|coros|rox)",
    re.IGNORECASE,
)


def read(data: bytes, source: str) -> list[ParsedActivity]:
    """Read one FIT file: one :class:`ParsedActivity` per session (one if there is none).

    Raises :class:`NotAnActivity` for settings, monitoring, workout and other non-activity
    files, and :class:`InputError` with a one-line reason for files without usable records.
    """
    skip = header_skip_reason(data)
    if skip is not None:
        raise NotAnActivity(skip)
    scan = _scan(data)
    types = [t for t in scan.file_types if t is not None]
    if types and not any(t in ACTIVITY_FILE_TYPES for t in types):
        raise NotAnActivity(_not_activity_reason(types[0]))
    offset = _correlation_offset(scan)
    sessions = _sessions(scan.sessions, offset)
    barometric = _barometric(scan)
    activity_type = scan.activity_type()
    fallbacks = [*scan.sports[:1], *scan.laps, {"sport": activity_type}]
    base = {
        "device": _device(scan),
        "utc_offset_min": _utc_offset_min(scan.activity),
        "title": None,
    }
    parts: Sequence[tuple[dict[str, Any] | None, pd.DataFrame]]
    try:
        if not scan.record_count():
            reason = "no records"
            if scan.damage:
                reason += f" ({scan.damage})"
            raise InputError(reason)
        records, notes = _records(scan, offset)
    except InputError:
        summaries = [s for s in sessions if s["_start"] is not None]
        if not summaries:
            raise
        # pool swims and old head units: the session totals are the activity
        notes, parts = list(scan.notes), [(s, _EMPTY_RECORDS) for s in summaries]
    else:
        notes = scan.notes + notes
        if not sessions:
            parts = [(None, records)]
            notes.append("no session message: totals from records")
        elif len(sessions) == 1:
            parts = [(sessions[0], records)]
        else:
            parts = _split(sessions, records)
    out = []
    for session, recs in parts:
        summary, kept = _summary(session, recs, fallbacks, barometric, scan.activity,
                                 single=len(parts) == 1)
        if summary is None:
            continue
        summary.update(base)
        quality = [*notes, *summary.pop("quality")]
        summary["quality"] = "; ".join(dict.fromkeys(quality)) or None
        out.append(ParsedActivity(summary=summary, records=kept))
    if not out:
        raise InputError("no session has records")
    return out


def header_skip_reason(head: bytes) -> str | None:
    """Why a FIT file is skipped, from its header and first message (the file's first
    bytes are enough), or None when it may be an activity."""
    kind = fastfit.first_file_type(_repair_header(head, []))
    if kind is not None and kind not in ACTIVITY_FILE_TYPES:
        return _not_activity_reason(kind)
    return None


def _not_activity_reason(kind: Any) -> str:
    return f"FIT file of type '{kind}', not an activity"


# ---------------------------------------------------------------- decoding


class _Decoder(FitFileDecoder):
    """fitparse's bare decoder, counting CRC mismatches instead of stopping at the first.

    The bare decoder skips fitparse's per-field data processors (a fifth of the decoding
    time): enums are still named, date_time values stay FIT seconds and are converted in
    bulk here, which also keeps device-relative times recognisable. CRC checking stays on
    because fitparse only consumes a part's trailing CRC when it checks it; with checking
    off, chained files (several headers) are misread.
    """

    bad_crc = 0

    def _read_and_assert_crc(self, allow_zero: bool = False) -> None:
        try:
            super()._read_and_assert_crc(allow_zero=allow_zero)
        except FitCRCError:
            self.bad_crc += 1


@dataclass
class _Scan:
    """What one pass over the file collected."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    file_types: list[Any] = field(default_factory=list)
    file_ids: list[dict[str, Any]] = field(default_factory=list)
    device_infos: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    sports: list[dict[str, Any]] = field(default_factory=list)
    #: the first lap that names a sport
    laps: list[dict[str, Any]] = field(default_factory=list)
    activity: dict[str, Any] | None = None
    #: timestamp_correlation messages (UTC <-> device time)
    correlations: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: why decoding stopped early, if it did
    damage: str | None = None
    #: record fields as float columns, the fast decoder's form of ``rows``
    columns: dict[str, np.ndarray] | None = None
    #: the fast decoder's first record activity_type (see :meth:`activity_type`)
    first_activity_type: Any = None

    def record_count(self) -> int:
        return len(self.rows) if self.columns is None else len(self.columns["timestamp"])

    def activity_type(self) -> Any:
        """activity_type of the first record that has the field (the sport of files
        without session or sport message)."""
        if self.columns is not None:
            return self.first_activity_type
        return next((r["activity_type"] for r in self.rows if "activity_type" in r), None)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:MAX_REASON_CHARS]


def _damage_reason(exc: BaseException) -> str:
    """fitparse's own words for damage it recognised (a FitParseError); for a Python
    error inside fitparse (a TypeError formatting a malformed field description, an
    AttributeError on a misaligned field the profile does not know) the words the fast
    decoder gives too (:func:`fastfit.malformed`)."""
    if isinstance(exc, FitParseError):
        return _reason(exc)
    kind = type(exc)
    return fastfit.malformed(kind.__qualname__ if kind.__module__ == "builtins"
                             else f"{kind.__module__}.{kind.__qualname__}")


def _repair_header(data: bytes, notes: list[str]) -> bytes:
    """Fix a zero data size in the header (written by watches that crashed mid-activity)."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        header_size = data[0]
        if int.from_bytes(data[4:8], "little") == 0 and len(data) > header_size:
            size = (len(data) - header_size).to_bytes(4, "little")
            notes.append("header data size was 0 (file not closed): read to the end")
            return data[:4] + size + data[8:]
    return data


#: Files decoded by each path in this process (see :func:`_scan`), and why files went to
#: fitparse (shown by ``--verbose``).
DECODER_COUNTS: Counter[str] = Counter()
FALLBACK_REASONS: Counter[str] = Counter()


def _scan(data: bytes) -> _Scan:
    """Decode with :mod:`loadwatch.importers.fastfit`; with fitparse where it declines.

    The fast decoder returns the same messages and record fields as :func:`_decode`
    (tests/importers/test_fastfit.py checks it on every real file, the fuzz harness on
    mutated ones); anything it does not reproduce exactly goes to fitparse.
    """
    notes: list[str] = []
    repaired = _repair_header(data, notes)
    try:
        fast = fastfit.decode(repaired, _RECORD_NAMES, frozenset(SUMMARY_MESSAGES))
    except fastfit.TooManyMessages as exc:
        raise InputError(f"refused FIT file: {exc}") from None
    except Exception as exc:  # Declined, or a fast-path bug on untrusted bytes: fitparse decides
        DECODER_COUNTS["fitparse"] += 1
        FALLBACK_REASONS[str(exc) if isinstance(exc, fastfit.Declined)
                         else f"fast-path error {type(exc).__name__}"] += 1
        return _decode(data)
    DECODER_COUNTS["fast"] += 1
    _check_counts(fast.columns["timestamp"], [name for name, _ in fast.messages])
    scan = _Scan(notes=notes, damage=fast.damage, columns=fast.columns,
                 first_activity_type=fast.activity_type)
    for name, values in fast.messages:
        _keep(scan, name, values)
    _decode_notes(scan, fast.bad_crc, fast.misaligned)
    return scan


def _decode_notes(scan: _Scan, bad_crc: int, misaligned: int) -> None:
    if bad_crc:
        scan.notes.append("bad CRC ignored")
    if scan.damage:
        scan.notes.append(scan.damage)
    if misaligned:
        scan.notes.append(f"{misaligned} field definition(s) with invalid sizes read as bytes")


def _decode(data: bytes) -> _Scan:
    """Decode every message once, keeping record fields and the small summary messages."""
    scan = _Scan()
    data = _repair_header(data, scan.notes)
    rows = scan.rows
    wanted = _RECORD_NAMES
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            decoder = _Decoder(io.BytesIO(data), check_crc=True)
        except Exception as exc:  # the header of untrusted bytes: any failure means "not FIT"
            raise InputError(f"not a FIT file ({_reason(exc)})") from None
        counts = {"record": 0, "session": 0, "lap": 0}
        messages = dated = 0
        try:
            for message in decoder.get_messages():
                name = message.name
                messages += 1
                if name in counts:
                    _count(counts, name, messages, dated)
                if name == "record":
                    row = _plain_values(message, wanted)
                    rows.append(row)
                    dated += "timestamp" in row
                elif messages > MAX_MESSAGES:
                    raise InputError(f"refused FIT file: more than {MAX_MESSAGES:,} messages")
                elif name in SUMMARY_MESSAGES:
                    _keep(scan, name, _plain_values(message, None))
        except InputError:
            raise
        except FitEOFError as exc:
            scan.damage = f"file ends early: {_reason(exc)}"
        except FitHeaderError as exc:
            scan.damage = f"unreadable chained part ignored: {_reason(exc)}"
        except Exception as exc:  # any decoder failure on untrusted bytes is a damaged file
            scan.damage = (f"undecodable data ignored after {len(rows)} records: "
                           f"{_damage_reason(exc)}")
    misaligned = sum("Invalid field size" in str(w.message) for w in caught)
    _decode_notes(scan, decoder.bad_crc, misaligned)
    return scan


def _check_counts(timestamps: np.ndarray, names: list[str]) -> None:
    """The caps of :func:`_count` on what the fast decoder returned."""
    for name, cap in (("record", MAX_RECORDS), ("session", MAX_SESSIONS), ("lap", MAX_LAPS)):
        count = len(timestamps) if name == "record" else names.count(name)
        if count > cap:
            raise InputError(f"refused FIT file: more than {cap:,} {name}s")
    head = timestamps[:UNDATED_RECORDS_LIMIT]
    if len(timestamps) > UNDATED_RECORDS_LIMIT and np.isnan(head).all():
        raise InputError(
            f"refused FIT file: none of the first {UNDATED_RECORDS_LIMIT:,} records has a time"
        )


def _count(counts: dict[str, int], name: str, messages: int, dated: int) -> None:
    """Count one record, session or lap; refuse the file past the caps (see MAX_RECORDS)."""
    counts[name] += 1
    cap = {"record": MAX_RECORDS, "session": MAX_SESSIONS, "lap": MAX_LAPS}[name]
    if counts[name] > cap:
        raise InputError(f"refused FIT file: more than {cap:,} {name}s")
    if name == "record" and counts[name] > UNDATED_RECORDS_LIMIT and not dated:
        raise InputError(
            f"refused FIT file: none of the first {UNDATED_RECORDS_LIMIT:,} records has a time"
        )


def _plain_values(message: Any, wanted: Any) -> dict[str, Any]:
    """A fitparse message's native fields (only ``wanted`` ones, unless None) by name, with
    developer fields that declare a native field standing in for it (the rule both
    decoders share: :func:`loadwatch.importers.fastfit.stands_in`)."""
    values: dict[str, Any] = {}
    standins: dict[str | None, Any] = {}
    for fd in message.fields:
        f = fd.field
        if f is None:
            continue
        if isinstance(f, DevField):
            if f.native_field_num is not None:
                standins[_native_name(message.mesg_num, f)] = fd.value
        elif wanted is None or f.name in wanted:
            values[f.name] = fd.value
    if standins:
        stand_in_for_native(values, standins, wanted)
    return values


def _native_name(mesg_num: int | None, f: DevField) -> str | None:
    """The profile name of the native field a developer field declares it stands for."""
    mesg = MESSAGE_TYPES.get(mesg_num) if mesg_num is not None else None
    native = mesg.fields.get(f.native_field_num) if mesg is not None else None
    return native.name if native is not None else None


def _keep(scan: _Scan, name: str, values: dict[str, Any]) -> None:
    if name == "file_id":
        scan.file_ids.append(values)
        scan.file_types.append(values.get("type"))
    elif name == "session":
        scan.sessions.append(values)
    elif name == "activity":
        scan.activity = values
    elif name == "device_info":
        scan.device_infos.append(values)
    elif name == "sport":
        scan.sports.append(values)
    elif name == "lap" and not scan.laps and values.get("sport") is not None:
        scan.laps.append(values)
    elif name == "timestamp_correlation":
        scan.correlations.append(values)


# ---------------------------------------------------------------- records


def _floats(values: list[Any]) -> np.ndarray:
    """A float array from decoded values; None, tuples (misdecoded fields), text -> NaN."""
    try:
        out = np.array(values, dtype=float)
    except (TypeError, ValueError):
        out = None
    if out is None or out.ndim != 1:  # tuples all of one length make a 2-D array
        out = np.array(
            [v if _is_number(v) else np.nan for v in values],
            dtype=float,
        )
    return out


def _fit_times(seconds: np.ndarray) -> pd.DatetimeIndex:
    """FIT date_time seconds -> tz-aware UTC times (NaT for NaN)."""
    ok = np.isfinite(seconds)
    us = np.where(ok, (seconds + FIT_EPOCH_UNIX_S) * 1e6, 0).astype(np.int64)
    times = us.view("datetime64[us]").copy()
    times[~ok] = np.datetime64("NaT")
    return pd.DatetimeIndex(times).tz_localize("UTC")


def _records(scan: _Scan, offset: float | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The canonical record stream, with sentinels and undated records removed.

    ``offset`` [s] turns device-relative times into FIT dates (see
    :func:`_correlation_offset`).
    """
    rows = scan.rows
    notes: list[str] = []

    def col(name: str) -> np.ndarray:
        if scan.columns is not None:
            return scan.columns[name].copy()
        return _floats([r.get(name) for r in rows])

    def first_of(*names: str) -> np.ndarray:
        out = col(names[0])
        for name in names[1:]:
            if np.isnan(out).any():
                out = np.where(np.isnan(out), col(name), out)
        return out

    ts = col("timestamp")
    if offset is not None:
        shift = ts < RELATIVE_TIME_LIMIT
        if shift.any():
            ts = np.where(shift, ts + offset, ts)
            notes.append(f"device-relative times of {int(shift.sum())} records dated by the "
                         "timestamp_correlation message")
    dated = ts >= RELATIVE_TIME_LIMIT
    relative = ts < RELATIVE_TIME_LIMIT
    if not dated.any():
        if relative.any():
            raise InputError(
                "timestamps are device-relative (seconds since the watch was switched on, "
                "as FR70-era watches write them), not dates; the file has no reliable date"
            )
        raise InputError("no record has a timestamp")
    times = _fit_times(np.where(dated, ts, np.nan))
    now = pd.Timestamp.now(tz="UTC")
    early, late = times < EARLIEST, times > now + FUTURE_SLACK
    if not (dated & ~early & ~late).any():
        when = times[dated].min()
        raise InputError(f"timestamps out of range: the activity would start {when:%Y-%m-%d}")
    keep = dated & ~early & ~late
    for dropped, what in (
        (relative, "with device-relative times"),
        (early | late, "with impossible dates"),
        (np.isnan(ts), "without time"),
    ):
        if dropped.any():
            notes.append(f"{int(dropped.sum())} records {what} dropped")

    columns = {name: first_of(*fields) for name, fields in RECORD_FIELDS.items()}
    alt = columns["altitude_m"]
    sentinel = (alt < streams.ALT_MIN_M) | (alt > streams.ALT_MAX_M)
    if sentinel.any():
        alt[sentinel] = np.nan
        notes.append(f"altitude sentinels removed ({int(sentinel.sum())})")
    lat = columns["lat_deg"] * DEG_PER_SEMICIRCLE
    lon = columns["lon_deg"] * DEG_PER_SEMICIRCLE
    bad_fix = (np.abs(lat) > 90) | (np.abs(lon) > 180) | ((lat == 0) & (lon == 0))
    lat[bad_fix] = np.nan
    lon[bad_fix] = np.nan
    columns["lat_deg"], columns["lon_deg"] = lat, lon
    columns["cadence_spm"] += np.nan_to_num(col("fractional_cadence"), nan=0.0)
    columns["hr_bpm"][columns["hr_bpm"] <= 0] = np.nan  # 0 bpm: strap lost contact
    frame = pd.DataFrame({"time": times, **columns})
    if not keep.all():
        frame = frame[keep].reset_index(drop=True)
    return schema.conform(frame, schema.RECORDS), notes


# ---------------------------------------------------------------- sessions and summaries


def _date(value: Any) -> pd.Timestamp | None:
    """A FIT date_time (seconds) as a UTC timestamp; None when missing, relative or absurd."""
    if _is_number(value) and value >= RELATIVE_TIME_LIMIT:
        when = pd.Timestamp(FIT_EPOCH_UNIX_S + value, unit="s", tz="UTC")
        if EARLIEST <= when <= pd.Timestamp.now(tz="UTC") + FUTURE_SLACK:
            return when
    return None


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: Any) -> float | None:
    """A positive finite number, else None (FIT writes 0 where a device has no value)."""
    if _is_number(value) and np.isfinite(value) and value > 0:
        return float(value)
    return None


def _correlation_offset(scan: _Scan) -> float | None:
    """Seconds to add to device-relative times, from a timestamp_correlation message.

    The message pairs a UTC ``timestamp`` with the device's ``system_timestamp`` at the
    same instant (action cameras, some Garmin devices), which makes relative times datable.
    """
    for c in scan.correlations:
        utc, system = c.get("timestamp"), c.get("system_timestamp")
        if (
            _date(utc) is not None
            and _is_number(utc)  # implied by the date; tells the type checker
            and _is_number(system)
            and 0 <= system < RELATIVE_TIME_LIMIT
        ):
            return float(utc - system)
    return None


def _relative_to_date(value: Any, offset: float | None) -> Any:
    """A date_time value, device-relative ones moved by ``offset`` when it is known."""
    if offset is not None and _is_number(value) and 0 <= value < RELATIVE_TIME_LIMIT:
        return value + offset
    return value


def _sessions(
    sessions: list[dict[str, Any]], offset: float | None = None
) -> list[dict[str, Any]]:
    """Session messages in time order, with their start as a timestamp."""
    out, seen = [], set()
    for s in sessions:
        key = (s.get("start_time"), s.get("total_elapsed_time"), s.get("sport"))
        if key in seen:
            continue  # the same session again, from a chained copy of the activity
        seen.add(key)
        start = _date(_relative_to_date(s.get("start_time"), offset))
        elapsed = _number(s.get("total_elapsed_time"))
        if start is None:
            end = _date(_relative_to_date(s.get("timestamp"), offset))
            if end is not None and elapsed is not None:
                start = end - pd.Timedelta(seconds=elapsed)
        out.append({**s, "_start": start})
    if len(out) > 1 and all(s["_start"] is not None for s in out):
        out.sort(key=lambda s: s["_start"])
    return out


def _split(
    sessions: list[dict[str, Any]], records: pd.DataFrame
) -> list[tuple[dict[str, Any], pd.DataFrame]]:
    """Assign each record to its session (multisport files).

    The boundaries are the start times of the second and later sessions: sessions follow
    each other, and those starts are reliable, whereas the first session's start_time and
    the sessions' end timestamps (often written when the athlete pressed save) are not.
    The first session takes the records before the second's start.
    """
    if any(s["_start"] is None for s in sessions):
        # no way to place records: the first session takes them all
        return [(sessions[0], records), *((s, records.iloc[:0]) for s in sessions[1:])]
    bounds = np.array([s["_start"].value // 1000 for s in sessions[1:]], dtype=np.int64)  # us
    t = records["time"].to_numpy(dtype="datetime64[us]").astype(np.int64)
    idx = np.searchsorted(bounds, t, side="right")
    # one stable sort, then slices: linear in sessions (a mask per session is quadratic)
    order = np.argsort(idx, kind="stable")
    ends = np.cumsum(np.bincount(idx, minlength=len(sessions)))
    return [
        (s, records.iloc[order[(ends[i - 1] if i else 0):ends[i]]].reset_index(drop=True))
        for i, s in enumerate(sessions)
    ]


def _sport(session: dict[str, Any] | None, fallbacks: list[dict[str, Any]]) -> tuple[str, Any]:
    """(canonical sport, the file's sub_sport) from the session, else from ``fallbacks``.

    ``fallbacks`` are tried in order: the sport message, the first lap, a record's
    activity_type (each a dict with ``sport`` and maybe ``sub_sport``).
    """
    candidates = [session] if session else []
    source = next((c for c in [*candidates, *fallbacks] if c.get("sport") is not None), {})
    raw_sport = _text(source.get("sport"))
    raw_sub = _text(source.get("sub_sport"))
    sport = SUB_SPORT_MAP.get((raw_sport, raw_sub)) or SPORT_MAP.get(raw_sport or "", "other")
    if raw_sub in (None, "generic") and sport == "other" and raw_sport is not None:
        raw_sub = raw_sport  # keeps 'transition', 'training', ... visible
    return sport, raw_sub


def _text(value: Any) -> str | None:
    """A short printable lower-case string (names may be unterminated or junk)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = "".join(ch for ch in str(value) if ch.isprintable()).strip().lower()
    return text[:60] or None


_EMPTY_RECORDS = schema.conform(pd.DataFrame({"time": pd.Series([], dtype=object)}),
                                schema.RECORDS)


def _summary(
    session: dict[str, Any] | None,
    records: pd.DataFrame,
    fallbacks: list[dict[str, Any]],
    barometric: bool | None,
    activity: dict[str, Any] | None = None,
    *,
    single: bool = True,
) -> tuple[dict[str, Any] | None, pd.DataFrame | None]:
    """Canonical activity columns for one session (or the whole file without sessions).

    Returns the summary and the records it was computed from (cleaned; None when the
    session has none). The session's totals win unless the records show them wrong: a
    session spanning a recording gap of days, or one that stops before its records do.
    """
    sport, sub_sport = _sport(session, fallbacks)
    if records.empty:
        if session is None or session["_start"] is None:
            return None, None
        return _summary_only(session, sport, sub_sport), None
    records, clean_notes = streams.clean_times(records)
    stream = streams.summarize(records, barometric=barometric, sport=sport)
    out: dict[str, Any] = dict(stream)
    quality = out["quality"] = [*clean_notes, *stream["quality"]]
    out["sport"], out["sub_sport"] = sport, sub_sport
    first = stream["start_time"]  # the first record kept
    span = float(stream["elapsed_s"])
    if session is None:
        return out, records
    start = session["_start"]
    elapsed = _number(session.get("total_elapsed_time"))
    timer = _number(session.get("total_timer_time"))
    if start is not None and (start - first).total_seconds() > START_MISMATCH_S:
        quality.append(
            f"session start_time {(start - first).total_seconds():.0f} s after its first "
            "record: start from the records"
        )
        start = None
    gap = elapsed is not None and elapsed > span + streams.MAX_RECORDING_GAP_S
    if start is not None and (first - start).total_seconds() > streams.MAX_RECORDING_GAP_S:
        gap = True
    if gap:
        # the run weeks after a few seconds' start: the kept records are the activity
        quality.append("session spans a recording gap: start, time and distance from records")
        out["start_time"] = first
        if timer is not None:
            out["moving_s"] = min(float(out["moving_s"]), timer)
        return out, records
    out["start_time"] = start if start is not None else first
    # a session consistent in itself (timer within elapsed) that ends before its records
    consistent = elapsed is not None and (timer is None or timer <= elapsed + SESSION_SLACK_S)
    stale = (
        consistent
        and elapsed is not None  # implied by consistent; tells the type checker
        and span > elapsed + max(STALE_MIN_S, STALE_SHARE * elapsed)
    )
    if stale:
        assert elapsed is not None  # stale needs consistent, which needs elapsed
        told = ""
        act_timer = _number((activity or {}).get("total_timer_time")) if single else None
        if act_timer is not None and act_timer > elapsed + STALE_MIN_S:
            told = f", activity message {act_timer:g} s"
        quality.append(
            f"session incomplete (elapsed {elapsed:g} s, records {span:.0f} s{told}): "
            "totals from the records"
        )
        distance = _number(session.get("total_distance"))
        stream_km = stream.get("distance_km")
        if distance is not None and not (_is_number(stream_km) and stream_km * 1000 > distance):
            out["distance_km"] = distance / 1000.0
    else:
        _session_totals(session, stream, out, elapsed, timer, quality)
    for key, name in (("avg_hr", "avg_heart_rate"), ("max_hr", "max_heart_rate")):
        value = _number(session.get(name))
        if value is not None and not stale:
            out[key] = value
    return out, records


def _session_totals(
    session: dict[str, Any],
    stream: dict[str, Any],
    out: dict[str, Any],
    elapsed: float | None,
    timer: float | None,
    quality: list[str],
) -> None:
    """Distance, elapsed and moving time from the session where it recorded them."""
    distance = session.get("total_distance")
    stream_km = stream.get("distance_km")
    # 0 km (indoor rowing) stands unless the records measured a distance
    stream_measured = _is_number(stream_km) and stream_km > 0
    if _is_number(distance) and (distance > 0 or (distance == 0 and not stream_measured)):
        out["distance_km"] = distance / 1000.0
    if elapsed is not None and (timer is None or elapsed >= timer - SESSION_SLACK_S):
        out["elapsed_s"] = elapsed
    elif elapsed is not None:
        quality.append(f"session elapsed time {elapsed:g} s < timer time {timer:g} s: ignored")
    if timer is not None:
        moving, span = stream.get("moving_s"), stream.get("elapsed_s")
        covered = (
            isinstance(span, float)
            and np.isfinite(span)
            and span >= MIN_STREAM_COVERAGE * max(elapsed or 0.0, timer)
        )
        # without distance or speed the stream only knows its gaps: the timer knows more
        motion = streams.NO_MOTION_NOTE not in stream["quality"]
        if not (covered and motion and isinstance(moving, float) and 0 < moving < timer):
            out["moving_s"] = timer


def _summary_only(session: dict[str, Any], sport: str, sub_sport: Any) -> dict[str, Any]:
    """An activity from its session totals alone (no dated records: pool swims, old units)."""
    elapsed = _number(session.get("total_elapsed_time"))
    timer = _number(session.get("total_timer_time"))
    distance = session.get("total_distance")
    avg_hr, max_hr = (_number(session.get(k)) for k in ("avg_heart_rate", "max_heart_rate"))
    ascent, descent = (_number(session.get(k)) for k in ("total_ascent", "total_descent"))
    nan = float("nan")
    return {
        "start_time": session["_start"],
        "sport": sport,
        "sub_sport": sub_sport,
        "distance_km": distance / 1000.0 if _is_number(distance) and distance >= 0 else nan,
        "elapsed_s": elapsed if elapsed is not None else (timer or nan),
        "moving_s": timer if timer is not None else (elapsed or nan),
        "ascent_m": ascent if ascent is not None else nan,
        "descent_m": descent if descent is not None else nan,
        "avg_hr": avg_hr if avg_hr is not None else nan,
        "max_hr": max_hr if max_hr is not None else nan,
        "has_gps": False,
        "has_hr": avg_hr is not None,
        "elevation_source": "summary" if ascent is not None else "none",
        "quality": ["summary only: no record stream"],
    }


# ---------------------------------------------------------------- device and time zone


def _device(scan: _Scan) -> str | None:
    """'manufacturer product', e.g. 'garmin fenix2', from file_id or the creator device."""
    creators = [d for d in scan.device_infos if d.get("device_index") in ("creator", 0)]
    infos = [*scan.file_ids[:1], *creators[:1]]
    product_name = next((i["product_name"] for i in infos if i.get("product_name")), None)
    for info in infos:
        maker = _text(info.get("manufacturer"))
        if maker is None:
            continue
        product = info.get("garmin_product", info.get("product"))
        if not isinstance(product, str) and product_name:
            product = product_name  # 'ELEMNT ROAM' says more than Wahoo's product 37
        product = _text(product)
        return f"{maker} {product}" if product else maker
    return None


def _barometric(scan: _Scan) -> bool | None:
    """True when the device has a barometric altimeter, None when that is unknown."""
    for info in scan.device_infos:
        if info.get("source_type") == "local" and info.get("local_device_type") == "barometer":
            return True
    for info in [*scan.file_ids, *scan.device_infos]:
        for key in ("garmin_product", "product_name"):
            name = info.get(key)
            if isinstance(name, str) and BAROMETRIC_PRODUCTS.match(name.strip()):
                return True
        if _text(info.get("manufacturer")) in ("coros", "hammerhead"):
            return True
    return None


def _utc_offset_min(activity: dict[str, Any] | None) -> int | None:
    """Local minus UTC time from the activity message, rounded to a quarter hour."""
    if not activity:
        return None
    utc, local = activity.get("timestamp"), activity.get("local_timestamp")
    if _date(utc) is None or _date(local) is None:
        return None
    assert _is_number(utc) and _is_number(local)  # implied by the dates
    minutes = (local - utc) / 60.0
    rounded = int(round(minutes / OFFSET_STEP_MIN) * OFFSET_STEP_MIN)
    return rounded if abs(rounded) <= MAX_OFFSET_MIN else None
