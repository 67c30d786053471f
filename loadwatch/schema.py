"""The canonical tables of loadwatch, declared once.

Every frame loadwatch produces (activities, record streams, daily and weekly load,
per-shoe mileage, findings) is described here: column name, pandas dtype, unit and
meaning. Importers and computations build plain DataFrames and pass them through
:func:`conform`, which adds missing columns, casts dtypes and refuses unknown columns,
so a typo in one importer cannot create a second spelling of a column. The README's
column tables are generated from these declarations (see :mod:`loadwatch.docs`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

UTC_TIME = "datetime64[us, UTC]"


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    dtype: str
    unit: str
    meaning: str
    #: internal columns travel with the frame but are left out of CSV/JSON/table output
    internal: bool = False


@dataclass(frozen=True)
class Table:
    """An ordered set of columns with a name used in messages and docs."""

    name: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def public_names(self) -> list[str]:
        return [c.name for c in self.columns if not c.internal]

    def __getitem__(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


class SchemaError(ValueError):
    """A frame does not match its declared table (a programming error, not a user error)."""


def _t(name: str, *cols: tuple) -> Table:
    return Table(name, tuple(Column(*c) for c in cols))


#: Normalised sport names. Everything else maps to "other".
SPORTS = (
    "running",
    "trail_running",
    "treadmill_running",
    "cycling",
    "walking",
    "hiking",
    "swimming",
    "other",
)
#: Sports that count towards running load by default.
RUNNING_SPORTS = ("running", "trail_running", "treadmill_running")

#: Heart-rate histogram: seconds spent at each whole bpm from 0 to HR_BINS - 1.
HR_BINS = 250
#: Speed histogram: seconds spent in each 0.1 m/s bin from 0 to SPEED_BINS / 10 m/s.
SPEED_BIN_M_S = 0.1
SPEED_BINS = 100

ACTIVITY = _t(
    "activity",
    ("activity_id", "string", "", "stable id derived from the file's content (16 hex chars)"),
    ("source", "string", "", "file path; archive members as 'archive.zip!member/name.fit'"),
    ("format", "string", "", "fit, gpx, tcx, strava_csv, garmin_csv or log_csv"),
    ("start_time", UTC_TIME, "UTC", "start of the activity, tz-aware UTC"),
    ("utc_offset_min", "Int64", "min",
     "local time minus UTC at the start, where the file knows it"),
    ("start_local", "datetime64[us]", "local",
     "local wall-clock start (loadwatch.calendar): the athlete's zone, else the file's "
     "offset, else UTC; its day and Monday are the activity's day and week everywhere"),
    ("local_time_from", "string", "",
     "which clock gave start_local: zone (athlete.timezone), file (utc_offset_min) or utc"),
    ("sport", "string", "", "running, trail_running, treadmill_running, cycling, walking, "
     "hiking, swimming or other"),
    ("sub_sport", "string", "", "the file's own sub-sport or activity type, lower case"),
    ("title", "string", "", "activity name as the file or service gives it (untrusted text)"),
    ("device", "string", "", "recording device or app, e.g. 'garmin fenix2'"),
    ("distance_km", "float64", "km", "distance: device distance if recorded, else geodesic"),
    ("elapsed_s", "float64", "s", "first to last record, pauses included"),
    ("moving_s", "float64", "s", "time spent moving (pauses excluded)"),
    ("ascent_m", "float64", "m", "climb from smoothed elevation (hysteresis filtered)"),
    ("descent_m", "float64", "m", "descent from smoothed elevation (hysteresis filtered)"),
    ("downhill_km", "float64", "km", "distance on grades <= -5 % (grade over >= 50 m)"),
    ("steep_downhill_km", "float64", "km", "distance on grades <= -10 % (grade over >= 50 m)"),
    ("avg_hr", "float64", "bpm", "average heart rate"),
    ("max_hr", "float64", "bpm", "maximum heart rate"),
    ("hr_best20_bpm", "float64", "bpm", "highest mean heart rate over any 20 minutes "
     "(NaN when shorter or without a HR stream); for the threshold-HR estimate"),
    ("hi_intensity_s", "float64", "s", "time above threshold HR (or faster than threshold "
     "pace); filled in once the athlete's thresholds are known"),
    ("trimp", "float64", "AU", "Banister TRIMP from the HR stream; filled in once the "
     "athlete's resting and maximum HR are known"),
    ("rpe", "float64", "1-10", "perceived exertion, where the service or log has it"),
    ("shoe", "string", "", "shoe/gear named by the activity itself"),
    ("has_gps", "boolean", "", "the activity has a position track"),
    ("has_hr", "boolean", "", "the activity has heart-rate data"),
    ("elevation_source", "string", "", "barometric, gps, summary (service totals) or none"),
    ("quality", "string", "", "'; '-separated notes on what was repaired or missing"),
    ("hr_hist_s", "object", "s", f"seconds at each bpm 0..{HR_BINS - 1} (numpy array) or "
     "None; lets TRIMP and hi-intensity be computed for any athlete thresholds", True),
    ("speed_hist_s", "object", "s", f"seconds in each {SPEED_BIN_M_S} m/s speed bin (numpy "
     f"array of {SPEED_BINS}) or None; for pace-based intensity", True),
    ("date_only", "boolean", "", "a training-log row with a date but no time of day (its "
     "start is local midnight); never merged with another log row", True),
)

RECORDS = _t(
    "records",
    ("time", UTC_TIME, "UTC", "timestamp of the record"),
    ("lat_deg", "float64", "deg", "latitude (WGS84)"),
    ("lon_deg", "float64", "deg", "longitude (WGS84)"),
    ("altitude_m", "float64", "m", "elevation as recorded (sentinels removed)"),
    ("distance_m", "float64", "m", "cumulative distance from the device, if recorded"),
    ("speed_m_s", "float64", "m/s", "speed from the device, if recorded"),
    ("hr_bpm", "float64", "bpm", "heart rate"),
    ("cadence_spm", "float64", "1/min", "cadence as recorded"),
    ("power_w", "float64", "W", "power"),
)

_LOAD_COLUMNS = (
    ("distance_km", "float64", "km", "running distance"),
    ("moving_s", "float64", "s", "running moving time"),
    ("runs", "int64", "", "number of runs"),
    ("longest_run_km", "float64", "km", "longest single run"),
    ("hi_intensity_min", "float64", "min", "minutes above threshold HR or pace"),
    ("trimp", "float64", "AU", "Banister TRIMP (HR stream); NaN where no HR"),
    ("load", "float64", "AU", "daily load used for ratios: TRIMP, or a distance-based "
     "equivalent for runs without HR"),
    ("ascent_m", "float64", "m", "running ascent"),
    ("descent_m", "float64", "m", "running descent"),
    ("downhill_km", "float64", "km", "running distance on grades <= -5 %"),
    ("trail_km", "float64", "km", "distance of trail runs"),
    ("other_min", "float64", "min", "moving minutes of non-running activities (not in load)"),
)

DAILY = _t(
    "daily",
    ("date", "datetime64[us]", "local", "calendar day in the athlete's time zone"),
    *_LOAD_COLUMNS,
    ("covered", "boolean", "", "the day lies within the data's coverage"),
)

WEEKLY = _t(
    "weekly",
    ("week", "string", "", "ISO week, e.g. 2026-W08 (Monday first, athlete's local time)"),
    ("week_start", "datetime64[us]", "local", "Monday of the week"),
    *_LOAD_COLUMNS,
    ("trail_share", "float64", "0-1", "trail_km / distance_km"),
    ("load_source", "string", "", "trimp, distance or mixed"),
    ("covered", "boolean", "", "the week lies within the data's coverage"),
)

SHOES = _t(
    "shoes",
    ("week", "string", "", "ISO week"),
    ("week_start", "datetime64[us]", "local", "Monday of the week"),
    ("shoe", "string", "", "shoe name"),
    ("distance_km", "float64", "km", "distance on this shoe this week"),
    ("cumulative_km", "float64", "km", "total on this shoe up to the end of the week, "
     "including its starting km"),
)

FINDINGS = _t(
    "findings",
    ("rule", "string", "", "rule id from the catalogue (RULES.md)"),
    ("severity", "string", "", "info, caution, warning or seek_care"),
    ("week", "string", "", "ISO week the finding belongs to"),
    ("week_start", "datetime64[us]", "local", "Monday of that week"),
    ("date", "datetime64[us]", "local", "day of the activity or symptom, if the finding "
     "concerns one"),
    ("activity_id", "string", "", "the activity it concerns, if any"),
    ("value", "float64", "", "observed value"),
    ("threshold", "float64", "", "threshold that was crossed (the level it set)"),
    ("unit", "string", "", "unit of value and threshold"),
    ("threshold_name", "string", "", "which of the rule's thresholds fired (its toml key)"),
    ("baseline", "float64", "", "the reference the value was compared with (e.g. the week "
     "before, the longest run of the previous 30 days), in the same unit as the facts"),
    ("template", "string", "", "the message with {placeholders} for the facts"),
    ("facts", "object", "", "name -> [value, quantity] filled into the template at display"),
    ("message", "string", "", "what happened, by how much, against which threshold (in km; "
     "made from template and facts, in the reader's units when shown)"),
    ("conditions", "object", "", "linked condition ids (list of str)"),
    ("evidence", "string", "", "strength and citation of the evidence"),
    ("advice", "string", "", "what to do this week"),
)

#: The pain log (symptoms.csv) as read by :func:`loadwatch.rules.symptoms.read_symptoms`, conformed
#: for export; the yes/no columns are its red-flag questions.
SYMPTOMS = _t(
    "symptoms",
    ("date", "datetime64[us]", "local", "day of the entry"),
    ("area", "string", "", "where it hurts, as the athlete wrote it (untrusted text)"),
    ("pain", "float64", "0-10", "pain score"),
    *((flag, "boolean", "", f"red-flag question: {flag.replace('_', ' ')}") for flag in (
        "weight_bearing_pain", "night_pain", "limp", "hop_pain", "clicking", "fever")),
    ("notes", "string", "", "free text (untrusted)"),
    ("red_flags", "object", "", "the red flags of the entry in words (list of str)"),
)

TABLES: Mapping[str, Table] = {
    t.name: t for t in (ACTIVITY, RECORDS, DAILY, WEEKLY, SHOES, FINDINGS)
}

SEVERITIES = ("info", "caution", "warning", "seek_care")


def severity_rank(severity: str) -> int:
    """Order of a severity (info=0 ... seek_care=3); unknown severities rank below info."""
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        return -1


def empty(table: Table) -> pd.DataFrame:
    """A zero-row frame with the table's columns and dtypes."""
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in table.columns})


def _cast(values: pd.Series, dtype: str) -> pd.Series:
    if dtype == "object":
        return values.astype(object)
    if dtype.startswith("datetime64"):
        utc = "UTC" in dtype
        out = pd.to_datetime(values, utc=utc, errors="coerce")
        if not utc and getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out.astype(dtype)
    if dtype in ("float64", "Int64", "int64"):
        out = pd.to_numeric(values, errors="coerce")
        if dtype == "Int64":
            out = out.round()
        return out.astype(dtype)
    if dtype == "boolean":
        return values.astype("boolean")
    if dtype == "string":
        return values.astype("string")
    return values.astype(dtype)


def conform(df: pd.DataFrame | Iterable[Mapping[str, Any]], table: Table) -> pd.DataFrame:
    """Return ``df`` with exactly the table's columns, in order, with their dtypes.

    Missing columns are added as missing values; unknown columns raise
    :class:`SchemaError` so that misspelt names are caught where they are made.
    """
    frame = df if isinstance(df, pd.DataFrame) else pd.DataFrame(list(df))
    unknown = [c for c in frame.columns if c not in table.names]
    if unknown:
        raise SchemaError(f"{table.name}: unknown column(s) {unknown}")
    n = len(frame)
    out = {}
    for col in table.columns:
        if col.name in frame.columns:
            values = frame[col.name].reset_index(drop=True)
        else:
            values = pd.Series([None] * n, dtype=object)
        if col.dtype == "int64" and values.isna().any():
            values = values.fillna(0)
        out[col.name] = _cast(values, col.dtype)
    return pd.DataFrame(out, index=frame.index if len(frame.index) == n else None)


def validate(df: pd.DataFrame, table: Table) -> None:
    """Raise :class:`SchemaError` unless ``df`` has exactly the table's columns and dtypes."""
    if list(df.columns) != table.names:
        raise SchemaError(f"{table.name}: columns {list(df.columns)} != {table.names}")
    for col in table.columns:
        got = str(df[col.name].dtype)
        if got != col.dtype and not (col.dtype == "string" and got.startswith("string")):
            raise SchemaError(f"{table.name}.{col.name}: dtype {got} != {col.dtype}")


def public(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The frame without its internal columns, for CSV/JSON/table output."""
    return df[[c for c in table.public_names if c in df.columns]]


def to_records(df: pd.DataFrame, table: Table) -> list[dict[str, Any]]:
    """JSON-ready list of dicts: timestamps as ISO 8601, missing values as None."""
    out = []
    pub = public(df, table)
    for row in pub.itertuples(index=False, name=None):
        rec = {}
        for name, value in zip(pub.columns, row, strict=True):
            rec[name] = _jsonable(value)
        out.append(rec)
    return out


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None and value == value.normalize():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return round(float(value), 6)
    if isinstance(value, float):
        return round(value, 6)
    return value


def markdown_table(table: Table) -> str:
    """The table's columns as a Markdown table (used to generate the README)."""
    lines = ["| column | dtype | unit | meaning |", "|---|---|---|---|"]
    for c in table.columns:
        if c.internal:
            continue
        lines.append(f"| `{c.name}` | {c.dtype} | {c.unit} | {c.meaning} |")
    return "\n".join(lines)
