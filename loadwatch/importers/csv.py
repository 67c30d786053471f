"""CSV activity lists: Strava's and Garmin Connect's exports, and a plain training log.

One reader, three dialects. The dialect is recognised from the header; each dialect is a
literal map from canonical columns to its source columns, units and parsers (see
:data:`DIALECTS`). Every row becomes one summary-only activity (no record stream).

**Strava bulk export** (``activities.csv`` in the export zip; format ``strava_csv``).
"Activity Date" is UTC. Strava repeats some column names ("Distance" is km the first
time and metres the second, "Elapsed Time" appears twice): the second occurrence is
addressed as ``"Distance#2"``. "Filename" names the activity's own file
(``activities/<id>.gpx``, ``.fit.gz``...), which lets the file's streams inherit the
row's title, gear, sport and perceived exertion.

**Garmin Connect** ``Activities.csv`` (format ``garmin_csv``). Headers and activity types
come in the account's language: English, German, French, Spanish, Italian or Dutch (the
words are data in :mod:`loadwatch.importers.garmin_locale`). Numbers follow the
exporting account's locale: decimal commas ("3,40") with dots grouping thousands
("2.932"), or the reverse; the decimal mark is detected from the distance column. "--"
means missing. The date ("2026-01-04 12:38:59", or in old exports "Fr, 25 Mai 2012
20:31" with month and weekday names read through the locale tables, never the machine's
locale) is local time without a zone, so the athlete's time zone is applied. Old exports
put a title line ("Activities", "Aktivitäten") above the header and a comma after every
row; both are accepted. Distances are **kilometres** (pool swims: metres) unless the
header names the unit ("Distance (mi)"); an account set to statute units that exports a
bare "Distance" in miles cannot be detected.

**Training log** for spreadsheet users (format ``log_csv``). Save a sheet with a header
row and one row per session::

    date,distance_km,duration,sport,title,avg_hr,ascent_m,descent_m,rpe,shoe,surface
    2026-02-02,8.5,45:30,,Easy loop,142,60,60,3,Pegasus 40,road
    2026-02-04 18:30,12,1:05:00,running,Hills,151,240,240,7,Speedgoat 5,trail

Only ``date``, ``distance_km`` and ``duration`` are required; the other columns may be
left out or left empty, in any order. Column names are not case-sensitive.

- ``date``: ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM`` in your local time (set the time zone
  with ``--timezone``; UTC by default); a real date in :data:`LOG_YEARS` ("now", "today",
  "9999-12-31" are unreadable dates). A row without a time of day is ``date_only``: two
  such rows of one date are two sessions (see :mod:`loadwatch.dedupe`).
- ``distance_km``: kilometres; a decimal comma is accepted ("8,5").
- ``duration``: ``h:mm:ss``, ``mm:ss`` or plain minutes ("45").
- ``sport``: running (the default), trail_running, treadmill_running, cycling, walking,
  hiking, swimming or other; "run", "trail", "treadmill", "ride", "bike", "walk", "hike"
  and "swim" are understood too.
- ``title``: any text. ``avg_hr``: beats per minute. ``ascent_m``, ``descent_m``: metres.
- ``rpe``: perceived exertion from 1 (very easy) to 10 (maximal).
- ``shoe``: the shoe's name, as in your roster, for shoe mileage.
- ``surface``: ``trail`` makes a run a trail run, ``treadmill`` a treadmill run.

Files may use ``;`` instead of ``,`` between fields and are read as UTF-8. Rows that
cannot be read (no valid date, neither distance nor duration, a quote never closed) are
skipped and counted in a warning naming their lines; a file where no row can be read is
refused.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from loadwatch.importers import garmin_locale
from loadwatch.importers.base import ParsedActivity
from loadwatch.problems import InputError, InputWarning, NotAnActivity
from loadwatch.schema import RUNNING_SPORTS

#: A parser turns one column of raw cell strings into values, given the file's decimal mark.
Parser = Callable[[pd.Series, str], pd.Series]

#: Cell texts meaning "no value" in the exports.
MISSING = ("", "--", "--:--:--", "--:--", "null", "none", "nan", "n/a")
#: How many bad row numbers a warning names before it says "...".
_ROWS_NAMED = 5


# -- cell parsers (vectorised over a column) --------------------------------------------------


def _clean(values: pd.Series) -> pd.Series:
    out = values.astype("string").str.strip()
    return out.mask(out.str.lower().isin(MISSING))


def number(values: pd.Series, decimal: str) -> pd.Series:
    """Numbers with the file's decimal mark; the other mark groups thousands."""
    text = _clean(values).str.replace("\u00a0", "").str.replace(" ", "")
    group = "." if decimal == "," else ","
    text = text.str.replace(group, "", regex=False)
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _clock(values: pd.Series, decimal: str, plain_unit_s: float) -> pd.Series:
    """``h:mm:ss``, ``mm:ss`` (fractional seconds allowed) or a plain number x plain_unit_s."""
    text = _clean(values).str.replace(",", ".", regex=False)
    parts = text.str.split(":", expand=True)
    if parts.shape[1] == 0:
        return pd.Series(np.nan, index=values.index)
    nums = parts.apply(lambda col: pd.to_numeric(col, errors="coerce")).astype("float64")
    ncolon = text.str.count(":").fillna(-1).astype(int)
    secs = pd.Series(np.nan, index=values.index)
    if parts.shape[1] >= 3:
        hms = nums[0] * 3600 + nums[1] * 60 + nums[2]
        secs = secs.mask(ncolon == 2, hms)
    if parts.shape[1] >= 2:
        ms = nums[0] * 60 + nums[1]
        secs = secs.mask(ncolon == 1, ms)
    secs = secs.mask(ncolon == 0, nums[0] * plain_unit_s)
    return secs.where(secs >= 0)


def seconds(values: pd.Series, decimal: str) -> pd.Series:
    """Durations: ``h:mm:ss`` / ``mm:ss`` or plain seconds."""
    return _clock(values, decimal, 1.0)


def minutes(values: pd.Series, decimal: str) -> pd.Series:
    """Durations: ``h:mm:ss`` / ``mm:ss`` or plain minutes (the log's short form)."""
    return _clock(values, decimal, 60.0)


def text(values: pd.Series, decimal: str) -> pd.Series:
    """Free text, stripped; empty and "--" become missing."""
    return _clean(values)


def _to_datetime(raw: pd.Series, fmt: str, utc: bool) -> pd.Series:
    """``pd.to_datetime`` with errors coerced; for local times (``utc`` False) a zone in
    the text is dropped, keeping the wall time, also when zoned and naive values (which
    pandas refuses to mix) sit in one column."""
    if utc:
        return pd.to_datetime(raw, format=fmt, errors="coerce", utc=True)
    try:
        out = pd.to_datetime(raw, format=fmt, errors="coerce")
    except ValueError:  # zones mixed: one value at a time (a broken file, not the usual case)
        stamps = [pd.to_datetime(v, format=fmt, errors="coerce") if isinstance(v, str)
                  else pd.NaT for v in raw]
        out = pd.Series([t if pd.isna(t) or t.tzinfo is None else t.tz_localize(None)
                         for t in stamps], index=raw.index, dtype="datetime64[us]")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    return out


def _times(fmt: str, utc: bool) -> Parser:
    """Date-times in ``fmt`` (falling back to pandas' own guess, row by row)."""

    def parse(values: pd.Series, decimal: str) -> pd.Series:
        raw = _clean(values)
        out = _to_datetime(raw, fmt, utc)
        retry = out.isna() & raw.notna()
        if retry.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                again = _to_datetime(raw[retry], "mixed", utc)
            out = out.astype(object)
            out[retry] = again
            out = pd.to_datetime(out, errors="coerce", utc=utc)
        return out.astype("datetime64[us, UTC]" if utc else "datetime64[us]")

    return parse


#: Kilometres per statute mile (international mile, 1959).
KM_PER_MILE = 1.609344
_MONTHS = garmin_locale.month_numbers()
_WEEKDAYS = garmin_locale.weekday_names()
#: "Fr, 25 Mai 2012 20:31", "ven., 25 mai 2012 20:31", "vie, 25 may 2012", "25. Mai 2012",
#: "Fri, May 25, 2012 8:31 PM": an optional weekday, day and month name in either order,
#: the year, an optional time of day (24 h, or 12 h with am/pm).
_NAMED_DATE = (
    r"^(?:(?P<wd>[^\W\d_]+)\.?,?\s+)?"
    r"(?:(?P<d1>\d{1,2})\.?\s+(?P<m1>[^\W\d_]+)\.?|(?P<m2>[^\W\d_]+)\.?\s+(?P<d2>\d{1,2}),?)"
    r"\s+(?P<y>\d{4}),?"
    r"(?:\s+(?P<H>\d{1,2})[:h](?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ap>[ap])?\.?m?\.?)?$"
)


def _named_dates(raw: pd.Series) -> pd.Series:
    """Dates written with month (and weekday) names in any language of
    :mod:`loadwatch.importers.garmin_locale`, read through its tables (never the machine's
    locale); naive wall times, NaT where the text is not such a date."""
    parts = raw.str.strip().str.lower().str.extract(_NAMED_DATE)
    month = parts["m1"].fillna(parts["m2"]).map(_MONTHS.get)
    day = pd.to_numeric(parts["d1"].fillna(parts["d2"]), errors="coerce")
    known_day = parts["wd"].isna() | parts["wd"].isin(_WEEKDAYS)
    hour = pd.to_numeric(parts["H"], errors="coerce").fillna(0)
    pm = parts["ap"].eq("p").fillna(False).astype(bool)
    am = parts["ap"].eq("a").fillna(False).astype(bool)
    hour = hour.mask(pm | am, hour % 12 + np.where(pm, 12, 0))
    frame = pd.DataFrame({
        "year": pd.to_numeric(parts["y"], errors="coerce"),
        "month": pd.to_numeric(month, errors="coerce"),
        "day": day,
        "hour": hour,
        "minute": pd.to_numeric(parts["M"], errors="coerce").fillna(0),
        "second": pd.to_numeric(parts["S"], errors="coerce").fillna(0),
    })
    if not len(frame):
        return pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
    out = pd.to_datetime(frame.astype("float64"), errors="coerce").astype("datetime64[us]")
    return out.where(known_day.fillna(False).astype(bool))


def _garmin_times(values: pd.Series, decimal: str) -> pd.Series:
    """Garmin Connect dates: ``2026-01-04 12:38:59`` in today's exports, "Fr, 25 Mai 2012
    20:31" (any language, see :func:`_named_dates`) in old ones; local wall times."""
    raw = _clean(values)
    named = raw.notna() & raw.str.contains(r"[^\W\d_]", regex=True).fillna(False)
    if not named.any():
        return _times("%Y-%m-%d %H:%M:%S", utc=False)(values, decimal)
    out = _times("%Y-%m-%d %H:%M:%S", utc=False)(values.mask(named.to_numpy(bool)), decimal)
    by_name = _named_dates(raw[named])
    unread = by_name.isna()
    if unread.any():  # pandas' own guess, as for other dialects ("May 25, 2012 8:31 PM")
        guess = _times("%Y-%m-%d %H:%M:%S", utc=False)(raw[named][unread], decimal)
        by_name = by_name.mask(unread, guess)
    return out.mask(named, by_name)


#: Training-log dates outside these years are typos or placeholders (9999-12-31,
#: 0000-01-01), not sessions: the row is skipped and named.
LOG_YEARS = (1970, 2099)
#: A log date without a time of day ("2026-02-02"): the session's start is unknown.
_DATE_ONLY = r"\s*\d{4}-\d{1,2}-\d{1,2}\s*"


def _log_times(values: pd.Series, decimal: str) -> pd.Series:
    """Training-log dates: real calendar dates with digits (never "now" or "today", which
    pandas would read as this moment), within :data:`LOG_YEARS`; anything else missing."""
    raw = _clean(values)
    words = raw.notna() & ~raw.str.contains(r"\d", regex=True).fillna(False)
    out = _times("ISO8601", utc=False)(values.mask(words.to_numpy(dtype=bool)), decimal)
    years = out.dt.year
    return out.where((years >= LOG_YEARS[0]) & (years <= LOG_YEARS[1]))


# -- dialects ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """One source column: its header, parser and the factor to the canonical unit."""

    header: str
    parse: Parser
    scale: float = 1.0


@dataclass(frozen=True)
class Dialect:
    """Everything one CSV flavour needs: how to recognise it and how to read each column."""

    format: str
    description: str
    #: headers that must all be present (case-insensitive) for the dialect to apply
    signature: tuple[str, ...]
    #: canonical column -> source columns in order of preference (first non-missing wins)
    fields: Mapping[str, tuple[Col, ...]]
    #: lower-case source activity type -> canonical sport (anything else is "other")
    sports: Mapping[str, str]
    #: column whose values decide the decimal mark (the first present of several)
    decimal_probe: str | tuple[str, ...]
    #: start times are local (naive) rather than UTC
    local_time: bool
    #: sport when the file names none
    default_sport: str = "other"
    #: column whose value is hashed into the activity id (else the whole row)
    id_column: str | None = None
    #: lower-case surface -> sport for running rows (the log's "surface" column)
    surfaces: Mapping[str, str] = field(default_factory=dict)
    #: sports whose distance column holds metres rather than km (Garmin's pool swims)
    metre_sports: tuple[str, ...] = ()
    #: further signatures, any of which also recognises the dialect (other languages)
    signatures: tuple[tuple[str, ...], ...] = ()


STRAVA = Dialect(
    format="strava_csv",
    description="a Strava export activities.csv (Activity ID, Activity Date, Activity Type, ...)",
    signature=("Activity ID", "Activity Date", "Activity Type"),
    fields={
        "start_time": (Col("Activity Date", _times("%b %d, %Y, %I:%M:%S %p", utc=True)),),
        "title": (Col("Activity Name", text),),
        "sport": (Col("Activity Type", text),),
        # the second "Distance" is metres with full precision; the first is rounded km
        "distance_km": (Col("Distance#2", number, 0.001), Col("Distance", number)),
        "elapsed_s": (Col("Elapsed Time#2", number), Col("Elapsed Time", number)),
        "moving_s": (Col("Moving Time", number),),
        "ascent_m": (Col("Elevation Gain", number),),
        "descent_m": (Col("Elevation Loss", number),),
        "avg_hr": (Col("Average Heart Rate", number),),
        "max_hr": (Col("Max Heart Rate#2", number), Col("Max Heart Rate", number)),
        "rpe": (Col("Perceived Exertion", number),),
        "shoe": (Col("Activity Gear", text), Col("Gear", text)),
        "link": (Col("Filename", text),),
    },
    sports={
        "run": "running",
        "trail run": "trail_running",
        "virtualrun": "treadmill_running",
        "virtual run": "treadmill_running",
        "ride": "cycling",
        "virtualride": "cycling",
        "virtual ride": "cycling",
        "ebikeride": "cycling",
        "e-bike ride": "cycling",
        "mountainbikeride": "cycling",
        "mountain bike ride": "cycling",
        "gravelride": "cycling",
        "gravel ride": "cycling",
        "walk": "walking",
        "hike": "hiking",
        "swim": "swimming",
    },
    decimal_probe="Distance",
    local_time=False,
    id_column="Activity ID",
)

def _garmin_cols(column: str, parse: Parser) -> tuple[Col, ...]:
    """One canonical column's source columns in every Garmin Connect language."""
    return tuple(Col(h, parse) for h in garmin_locale.headers(column))


def _garmin_distance() -> tuple[Col, ...]:
    """Distance columns: bare (km, see the module docstring), or with the unit in the
    header ("Distance (km)", "Distanz (mi)")."""
    out = []
    for h in garmin_locale.headers("distance"):
        out += [Col(h, number), Col(f"{h} (km)", number), Col(f"{h} (mi)", number, KM_PER_MILE)]
    return tuple(out)


def _garmin_signatures() -> tuple[tuple[str, ...], ...]:
    """Activity type, date, distance and time, in one language, for every language."""
    out: dict[tuple[str, ...], None] = {}
    for lang in garmin_locale.LANGUAGES:
        words = [garmin_locale.HEADERS[c][lang] for c in ("sport", "start_time", "time")]
        for sport, date, time in itertools.product(*words):
            for dist in garmin_locale.HEADERS["distance"][lang]:
                for unit in ("", " (km)", " (mi)"):
                    out.setdefault((sport, date, dist + unit, time), None)
    return tuple(out)


GARMIN = Dialect(
    format="garmin_csv",
    description="a Garmin Connect Activities.csv (Activity Type, Date, Distance, Time, ...;"
    " also in German, French, Spanish, Italian or Dutch)",
    signature=("Activity Type", "Date", "Distance", "Time"),
    signatures=_garmin_signatures(),
    fields={
        "start_time": _garmin_cols("start_time", _garmin_times),
        "title": _garmin_cols("title", text),
        "sport": _garmin_cols("sport", text),
        "distance_km": _garmin_distance(),
        "elapsed_s": _garmin_cols("elapsed_s", seconds) + _garmin_cols("time", seconds),
        "moving_s": _garmin_cols("moving_s", seconds) + _garmin_cols("time", seconds),
        "ascent_m": _garmin_cols("ascent_m", number),
        "descent_m": _garmin_cols("descent_m", number),
        "avg_hr": _garmin_cols("avg_hr", number),
        "max_hr": _garmin_cols("max_hr", number),
    },
    sports=garmin_locale.sport_words(),
    decimal_probe=tuple(c.header for c in _garmin_distance()),
    local_time=True,
    metre_sports=("swimming",),
)

LOG = Dialect(
    format="log_csv",
    description="a training log (date, distance_km, duration[, sport, title, avg_hr, "
    "ascent_m, descent_m, rpe, shoe, surface])",
    signature=("date", "distance_km", "duration"),
    fields={
        "start_time": (Col("date", _log_times),),
        "distance_km": (Col("distance_km", number),),
        "elapsed_s": (Col("duration", minutes),),
        "moving_s": (Col("duration", minutes),),
        "sport": (Col("sport", text),),
        "title": (Col("title", text),),
        "avg_hr": (Col("avg_hr", number),),
        "ascent_m": (Col("ascent_m", number),),
        "descent_m": (Col("descent_m", number),),
        "rpe": (Col("rpe", number),),
        "shoe": (Col("shoe", text),),
        "surface": (Col("surface", text),),
    },
    sports={
        **{s: s for s in ("running", "trail_running", "treadmill_running", "cycling",
                          "walking", "hiking", "swimming", "other")},
        "run": "running",
        "trail": "trail_running",
        "trail run": "trail_running",
        "treadmill": "treadmill_running",
        "ride": "cycling",
        "bike": "cycling",
        "walk": "walking",
        "hike": "hiking",
        "swim": "swimming",
    },
    decimal_probe="distance_km",
    local_time=True,
    default_sport="running",
    surfaces={"trail": "trail_running", "treadmill": "treadmill_running"},
)

#: Tried in this order; the first whose signature columns are all present is used.
DIALECTS: tuple[Dialect, ...] = (STRAVA, GARMIN, LOG)

#: Plausible ranges; values outside become missing rather than poisoning weekly sums.
_RANGES: Mapping[str, tuple[float, float]] = {
    "distance_km": (0.0, 1000.0),
    "elapsed_s": (0.0, 14 * 86400.0),
    "moving_s": (0.0, 14 * 86400.0),
    "ascent_m": (0.0, 20000.0),
    "descent_m": (0.0, 20000.0),
    "avg_hr": (20.0, 250.0),
    "max_hr": (20.0, 250.0),
    "rpe": (0.0, 10.0),
}


# -- reading ------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheet programs on Windows save cp1252; latin-1 never fails and keeps digits.
        return data.decode("latin-1")


def _rows(text_: str) -> list[list[str]]:
    """The records of ``text_`` (see :func:`_numbered_rows`)."""
    return [row for _, row in _numbered_rows(text_)[0]]


def _numbered_rows(text_: str) -> tuple[list[tuple[int, list[str]]], list[int]]:
    """Records with the line each starts on, and the lines whose quote never closes.

    A quote opened and never closed would swallow the rest of the file into one cell
    (ten rows lost as one title); that record's line is skipped and reported instead,
    and reading resumes on the next line.
    """
    # the first line that has a delimiter decides (not a title line such as "Activities")
    head = text_[:20_000].splitlines()[:5]
    first = next((line for line in head if "," in line or ";" in line), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    lines = text_.splitlines(keepends=True)
    out: list[tuple[int, list[str]]] = []
    unclosed: list[int] = []
    offset = 0  # lines before the part being read
    while offset < len(lines):
        part, broken = _read_part("".join(lines[offset:]), delimiter)
        out += [(offset + n, row) for n, row in part]
        if broken is None:
            break
        unclosed.append(offset + broken)
        offset += broken
    return out, unclosed


def _read_part(text_: str, delimiter: str) -> tuple[list[tuple[int, list[str]]], int | None]:
    """Records of ``text_`` with their first line, and the line of an unclosed quote."""
    reader = csv.reader(io.StringIO(text_, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    done = 0  # last line of the last complete record
    try:
        for row in reader:
            rows.append((done + 1, row))
            done = reader.line_num
        return rows, None
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return rows, done + 1
    try:  # strict refused something else (a stray quote mid-cell): read leniently
        lenient = csv.reader(io.StringIO(text_, newline=""), delimiter=delimiter)
        rows, done = [], 0
        for row in lenient:
            rows.append((done + 1, row))
            done = lenient.line_num
        return rows, None
    except csv.Error as exc:
        raise InputError(f"not a readable CSV file ({exc})") from None


def _unique_headers(header: list[str]) -> list[str]:
    """Strip names and number repeats: the second "Distance" becomes "Distance#2"."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        name = name.strip()
        seen[name.lower()] = seen.get(name.lower(), 0) + 1
        n = seen[name.lower()]
        out.append(name if n == 1 else f"{name}#{n}")
    return out


def detect(headers: list[str]) -> Dialect:
    """The dialect whose signature columns the header holds; NotAnActivity otherwise."""
    present = {h.lower() for h in headers}
    for dialect in DIALECTS:
        for signature in (dialect.signature, *dialect.signatures):
            if all(s.lower() in present for s in signature):
                return dialect
    shown = ", ".join(_printable(h) for h in headers[:8] if h)
    shown += ", ..." if len(headers) > 8 else ""
    expected = "; or ".join(d.description for d in DIALECTS)
    raise NotAnActivity(f"CSV columns not recognised ({shown}); expected {expected}")


def _printable(header: str, limit: int = 40) -> str:
    """A header as the one-line reason shows it: whitespace runs (newlines in quoted
    cells) as one space, other control characters as "?", at most ``limit`` characters."""
    text = "".join(c if c.isprintable() else "?" for c in " ".join(header.split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _decimal_mark(values: pd.Series | None) -> str:
    """"," when the column's numbers use decimal commas ("3,40"), else "."."""
    if values is None:
        return "."
    cells = _clean(values).dropna()
    comma = cells.str.fullmatch(r"-?[\d.]*\d,(\d{1,2}|\d{4,})").sum()
    dot = cells.str.fullmatch(r"-?[\d,]*\d\.(\d{1,2}|\d{4,})").sum()
    return "," if comma > dot else "."


def _column(frame: pd.DataFrame, candidates: tuple[Col, ...], decimal: str) -> pd.Series | None:
    out: pd.Series | None = None
    for col in candidates:
        if col.header.lower() not in frame.columns:
            continue
        values = col.parse(frame[col.header.lower()], decimal)
        if col.scale != 1.0:
            values = values * col.scale
        out = values if out is None else out.fillna(values)
    return out


def _row_ids(rows: list[list[str]], headers: list[str], dialect: Dialect) -> list[str]:
    """Stable ids: the service's own activity id where the dialect has one, else the row."""
    lower = [h.lower() for h in headers]
    wanted = (dialect.id_column or "").lower()
    col = lower.index(wanted) if wanted and wanted in lower else None
    out = []
    for row in rows:
        key = row[col].strip() if col is not None else ""
        text_ = f"{dialect.format}:id:{key}" if key else f"{dialect.format}:row:" + "\x1f".join(row)
        out.append(hashlib.sha1(text_.encode()).hexdigest()[:16])
    return out


def _sports(
    values: dict[str, pd.Series], dialect: Dialect, index: pd.Index
) -> tuple[pd.Series, pd.Series]:
    """Canonical sport and the source's own activity type (lower case) per row."""
    raw = values.pop("sport", pd.Series(pd.NA, index=index, dtype="string"))
    key = raw.str.lower().str.strip()
    sport = key.map(lambda k: dialect.sports.get(k, "other") if isinstance(k, str) else pd.NA)
    sport = sport.astype("string").fillna(dialect.default_sport)
    surface = values.pop("surface", None)
    if surface is not None and dialect.surfaces:
        by_surface = surface.str.lower().str.strip().map(dialect.surfaces.get).astype("string")
        runs = sport.isin(RUNNING_SPORTS)
        sport = sport.mask(runs & by_surface.notna(), by_surface)
    return sport, key


def _body(rows: list[tuple[int, list[str]]], width: int
          ) -> tuple[list[tuple[int, list[str]]], list[int]]:
    """Data rows with their line numbers (short rows padded), and lines with extra fields."""
    body, bad_shape = [], []
    for line, row in rows:
        if not any(c.strip() for c in row):
            continue
        if len(row) > width and not any(c.strip() for c in row[width:]):
            row = row[:width]  # trailing delimiters from a spreadsheet
        if len(row) > width:
            bad_shape.append(line)
            continue
        body.append((line, row + [""] * (width - len(row))))
    return body, bad_shape


def _values(frame: pd.DataFrame, dialect: Dialect) -> dict[str, pd.Series]:
    """Canonical columns parsed from the raw cells, in canonical units and plausible ranges."""
    probes = dialect.decimal_probe
    probes = (probes,) if isinstance(probes, str) else probes
    probe = next((p.lower() for p in probes if p.lower() in frame.columns), None)
    decimal = _decimal_mark(frame[probe] if probe is not None else None)
    values: dict[str, pd.Series] = {}
    for name, candidates in dialect.fields.items():
        series = _column(frame, candidates, decimal)
        if series is not None:
            values[name] = series
    values["sport"], values["sub_sport"] = _sports(values, dialect, frame.index)
    if dialect.metre_sports and "distance_km" in values:
        metres = values["sport"].isin(dialect.metre_sports).to_numpy()
        values["distance_km"] = values["distance_km"].mask(metres, values["distance_km"] / 1000)
    for name, (low, high) in _RANGES.items():
        if name in values:
            values[name] = values[name].where(values[name].between(low, high))
    return values


def _lines(lines: list[int]) -> str:
    more = ", ..." if len(lines) > _ROWS_NAMED else ""
    return "line " + ", ".join(map(str, lines[:_ROWS_NAMED])) + more


def read(data: bytes, source: str) -> list[ParsedActivity]:
    """Read one CSV file of any known dialect; one summary-only activity per usable row.

    Rows that cannot be read are skipped and counted in an :class:`InputWarning`; a file
    where no row can be read raises InputError, an unknown header NotAnActivity.
    """
    rows, unclosed = _numbered_rows(_decode(data))
    while rows and not any(c.strip() for c in rows[0][1]):
        rows.pop(0)
    if not rows:
        raise NotAnActivity("empty CSV file")
    if _title_line(rows):
        rows.pop(0)
    headers = _unique_headers(rows[0][1])
    dialect = detect(headers)
    body, bad_shape = _body(rows[1:], len(headers))
    if not body and not bad_shape and not unclosed:
        raise NotAnActivity(f"{dialect.format}: header only, no rows")
    frame = pd.DataFrame(
        [r for _, r in body], columns=[h.lower() for h in headers], dtype="string"
    )
    out = pd.DataFrame(_values(frame, dialect), index=frame.index)

    missing = pd.Series(np.nan, index=frame.index)
    no_date = out.get("start_time", missing).isna().to_numpy()
    no_size = (out.get("distance_km", missing).isna() & out.get("elapsed_s", missing).isna())
    no_size = no_size.to_numpy() & ~no_date
    good = ~(no_date | no_size)
    line_numbers = np.array([n for n, _ in body], dtype=int)
    reasons = [
        f"{int(mask.sum())} with {why} ({_lines(line_numbers[mask].tolist())})"
        for mask, why in ((no_date, "no readable date"), (no_size, "no distance or duration"))
        if mask.any()
    ]
    if bad_shape:
        reasons.append(f"{len(bad_shape)} with too many fields ({_lines(bad_shape)})")
    if unclosed:
        reasons.append(f"{len(unclosed)} with a quote never closed ({_lines(unclosed)})")
    if not good.any():
        raise InputError(f"{dialect.format}: no row could be read: " + "; ".join(reasons))
    if reasons:
        total = len(body) + len(bad_shape) + len(unclosed)
        skipped = total - int(good.sum())
        warnings.warn(
            InputWarning(f"{skipped} of {total} rows skipped: " + "; ".join(reasons)),
            stacklevel=2,
        )

    def known(name: str) -> pd.Series:
        return out[name].notna() if name in out else pd.Series(False, index=out.index)

    out["elevation_source"] = np.where(known("ascent_m") | known("descent_m"), "summary", "none")
    if "avg_hr" in out or "max_hr" in out:
        # a summary row proves HR was recorded when it has a value, but not the opposite
        hr = known("avg_hr") | known("max_hr")
        out["has_hr"] = pd.Series(pd.NA, index=out.index, dtype="boolean").mask(hr, True)
    if dialect is LOG:
        out["date_only"] = frame["date"].str.fullmatch(_DATE_ONLY).fillna(False).astype(bool)
    out["activity_id"] = _row_ids([r for _, r in body], headers, dialect)
    out["format"] = dialect.format
    links = out.pop("link") if "link" in out else pd.Series(None, index=out.index, dtype=object)

    activities = []
    for summary, link in zip(out[good].to_dict("records"), links[good], strict=True):
        activities.append(
            ParsedActivity(
                summary={k: v for k, v in summary.items() if not _missing(v)},
                link=link if isinstance(link, str) else None,
                local_time=dialect.local_time,
            )
        )
    return activities


def _title_line(rows: list[tuple[int, list[str]]]) -> bool:
    """Whether the first record is a title above the header (old Garmin Connect exports
    start with "Activities" or "Aktivitäten" alone on line 1): one cell, and the next
    record is a header that a dialect recognises."""
    if len(rows) < 2 or sum(bool(c.strip()) for c in rows[0][1]) != 1:
        return False
    try:
        detect(_unique_headers(rows[1][1]))
    except NotAnActivity:
        return False
    return True


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
