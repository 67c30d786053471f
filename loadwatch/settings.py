"""Athlete settings from loadwatch.toml: thresholds, shoes and rule overrides.

Every key is optional. An unknown key or a bad value is a one-line
:class:`~loadwatch.problems.UsageError` naming the key, never a traceback. The file is
``loadwatch.toml`` in the first folder being read, or one given with ``--config``.

Example::

    [athlete]
    name = "Sam"
    timezone = "Europe/Amsterdam"
    max_hr = 190
    resting_hr = 50
    threshold_hr = 169
    threshold_pace = "4:20"     # min/km
    sex = "female"
    previous_stress_fracture = true

    [[shoes]]
    name = "Pegasus 40"
    start_km = 120
    from = 2026-01-05
    until = 2026-06-01
    retire_km = 700

    [thresholds.weekly_distance_jump]
    caution = 0.25

    [report]
    stale_after_days = 14       # no run for longer: "no recent data" in the index
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loadwatch import calendar
from loadwatch._moved import renamed
from loadwatch.limits import MAX_TOML_BYTES, MAX_TOML_DEPTH, MAX_TOML_KEY_PARTS
from loadwatch.problems import UsageError
from loadwatch.rules import BONE_STRESS_RULES, RULES, Rule

FILENAME = "loadwatch.toml"
#: Strings and comments (whose brackets and dots are text), for the shape check.
_TOML_TEXT = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*'
)
_DECIMAL_DOT = re.compile(r"(?<=\d)\.(?=\d)")


@dataclass(frozen=True)
class Shoe:
    """A pair of shoes and the dates it was worn (inclusive), for runs that name no gear."""

    name: str
    start_km: float = 0.0
    from_date: dt.date | None = None
    until: dt.date | None = None
    retire_km: float | None = None


@dataclass(frozen=True)
class Settings:
    """The athlete's profile; None means "work it out from the data and say so"."""

    name: str = ""
    timezone: str | None = None
    max_hr: float | None = None
    resting_hr: float | None = None
    threshold_hr: float | None = None
    #: threshold pace [s/km]
    threshold_pace_s_km: float | None = None
    sex: str | None = None
    previous_stress_fracture: bool = False
    shoes: tuple[Shoe, ...] = ()
    #: rule id -> threshold name -> value, from ``[thresholds.<rule_id>]``
    thresholds: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: more days than this since the last run is "no recent data" (``[report]``)
    stale_after_days: int = 14
    source: Path | None = None

    @property
    def bone_stress(self) -> list[str]:
        """The bone-stress modifiers that apply (e.g. ["previous stress fracture"])."""
        out = []
        if self.previous_stress_fracture:
            out.append("previous stress fracture")
        if self.sex == "female":
            out.append("female")
        return out

    def rules(self, rules: Mapping[str, Rule] = RULES) -> dict[str, Rule]:
        """The catalogue as it applies to this athlete.

        Bone-stress modifiers lower the distance/long-run/intensity/downhill thresholds by
        one step (see :mod:`loadwatch.rules`); thresholds set in loadwatch.toml then win as
        given.
        """
        out = {}
        for rid, rule in rules.items():
            if self.bone_stress and rid in BONE_STRESS_RULES:
                rule = rule.stepped_down()
            if rid in self.thresholds:
                rule = rule.with_values(**self.thresholds[rid])
            out[rid] = rule
        return out


_SEXES = ("female", "male")


@dataclass(frozen=True)
class Kind:
    """What a number in loadwatch.toml means, and so which values make sense.

    ``what`` is said in the error ("a fraction, e.g. 0.30 for 30 %"); values must lie in
    [``lo``, ``hi``], or (``lo``, ``hi``] when ``above_lo``.
    """

    what: str
    lo: float
    hi: float
    above_lo: bool = False

    def check(self, where: str, value: Any) -> float:
        """``value`` as a float, or a one-line UsageError naming ``where`` and the kind."""
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and value == value:
            low_ok = value > self.lo if self.above_lo else value >= self.lo
            if low_ok and value <= self.hi:
                return float(value)
        span = (f"more than {self.lo:g}, at most {self.hi:g}" if self.above_lo
                else f"{self.lo:g} to {self.hi:g}")
        raise _err(where, f"{self.what} ({span})", value)


#: The kind of every threshold unit of the rule catalogue (:attr:`Threshold.unit`): a
#: fraction above 5 is a percentage typed as a number (30 meant 0.30), a window of 0 days
#: judges nothing. tests/test_settings.py checks that every unit in use is declared here.
UNIT_KINDS: Mapping[str, Kind] = {
    "fraction": Kind("a fraction, e.g. 0.30 for 30 %", 0, 5, above_lo=True),
    "x": Kind("a multiple of the usual value, e.g. 1.5", 0, 50, above_lo=True),
    "km": Kind("a distance in km, e.g. 5", 0, 10000),
    "km/week": Kind("a weekly distance in km, e.g. 10", 0, 1000),
    "m": Kind("an elevation in m, e.g. 300", 0, 20000),
    "min": Kind("a number of minutes, e.g. 20", 0, 10080),
    "h": Kind("a number of hours, e.g. 48", 0, 24 * 28, above_lo=True),
    "days": Kind("a number of days, e.g. 14", 1, 366),
    "weeks": Kind("a number of weeks, e.g. 4", 1, 52),
    "patterns": Kind("a number of patterns, e.g. 2", 1, 10),
    "sessions": Kind("a number of sessions, e.g. 3", 1, 21),
    "red flags": Kind("a number of red flags, e.g. 1", 1, 10),
    "runs": Kind("a number of runs, e.g. 5", 1, 1000),
    "pain 0-10": Kind("a pain level from 0 to 10", 0, 10),
}
#: The athlete's own numbers (plausible human values).
MAX_HR = Kind("a maximum heart rate in bpm", 100, 250)
RESTING_HR = Kind("a resting heart rate in bpm", 25, 120)
THRESHOLD_HR = Kind("a threshold heart rate in bpm", 80, 240)
START_KM = Kind("a distance in km already on the shoe", 0, 10000)
RETIRE_KM = Kind("a distance in km", 50, 5000)


def unit_kind(unit: str) -> Kind | None:
    """The :class:`Kind` of a threshold unit, None for a unit not declared here."""
    return UNIT_KINDS.get(unit)


def _err(where: str, what: str, got: Any) -> UsageError:
    return UsageError(f"{where} = {_shown(got)}: expected {what}")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."




def _pace(where: str, value: Any) -> float:
    m = re.fullmatch(r"\s*(\d{1,2}):([0-5]\d)\s*", value) if isinstance(value, str) else None
    if not m:
        raise _err(where, 'a pace in min:s per km like "4:20"', value)
    seconds = int(m[1]) * 60 + int(m[2])
    if not 120 <= seconds <= 900:
        raise _err(where, "a pace between 2:00 and 15:00 per km", value)
    return float(seconds)


def _date(where: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _err(where, "a date like 2026-01-05", value)


def _check_keys(where: str, table: Mapping[str, Any], allowed: Sequence[str]) -> None:
    for key in table:
        if key not in allowed:
            raise UsageError(
                f"{where}: unknown key {key!r} (known: {', '.join(allowed)})"
            )


def _athlete(f: str, table: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _err(f"{f}: athlete", "a table", table)
    _check_keys(f"{f}: [athlete]", table, (
        "name", "timezone", "max_hr", "resting_hr", "threshold_hr", "threshold_pace", "sex",
        "previous_stress_fracture",
    ))
    out: dict[str, Any] = {}
    w = f"{f}: athlete."
    if "name" in table:
        if not isinstance(table["name"], str):
            raise _err(w + "name", "a string", table["name"])
        out["name"] = table["name"]
    if "timezone" in table:
        out["timezone"] = check_timezone(table["timezone"], w + "timezone")
    if "max_hr" in table:
        out["max_hr"] = MAX_HR.check(w + "max_hr", table["max_hr"])
    if "resting_hr" in table:
        out["resting_hr"] = RESTING_HR.check(w + "resting_hr", table["resting_hr"])
    if "threshold_hr" in table:
        out["threshold_hr"] = THRESHOLD_HR.check(w + "threshold_hr", table["threshold_hr"])
    if "threshold_pace" in table:
        out["threshold_pace_s_km"] = _pace(w + "threshold_pace", table["threshold_pace"])
    if "sex" in table:
        if table["sex"] not in _SEXES:
            raise _err(w + "sex", '"female" or "male"', table["sex"])
        out["sex"] = table["sex"]
    if "previous_stress_fracture" in table:
        if not isinstance(table["previous_stress_fracture"], bool):
            raise _err(w + "previous_stress_fracture", "true or false",
                       table["previous_stress_fracture"])
        out["previous_stress_fracture"] = table["previous_stress_fracture"]
    rest, mx = out.get("resting_hr"), out.get("max_hr")
    if rest is not None and mx is not None and mx <= rest:
        raise _err(w + "max_hr", f"above resting_hr ({rest:g})", mx)
    thr = out.get("threshold_hr")
    if thr is not None and mx is not None and thr > mx:
        raise _err(w + "threshold_hr", f"at most max_hr ({mx:g})", thr)
    if thr is not None and rest is not None and thr <= rest:
        raise _err(w + "threshold_hr", f"above resting_hr ({rest:g})", thr)
    return out


def _shoes(f: str, items: Any) -> tuple[Shoe, ...]:
    if not isinstance(items, list):
        raise _err(f"{f}: shoes", "an array of tables ([[shoes]])", items)
    shoes = []
    for i, item in enumerate(items, 1):
        w = f"{f}: shoes[{i}]"
        if not isinstance(item, dict):
            raise _err(w, "a table", item)
        _check_keys(w, item, ("name", "start_km", "from", "until", "retire_km"))
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _err(w + ".name", "a non-empty string", name)
        start = START_KM.check(w + ".start_km", item.get("start_km", 0.0))
        frm = _date(w + ".from", item["from"]) if "from" in item else None
        until = _date(w + ".until", item["until"]) if "until" in item else None
        if frm and until and until < frm:
            raise _err(w + ".until", f"on or after from ({frm})", str(until))
        retire = (
            RETIRE_KM.check(w + ".retire_km", item["retire_km"]) if "retire_km" in item else None
        )
        shoes.append(Shoe(name.strip(), start, frm, until, retire))
    return tuple(shoes)


def _thresholds(f: str, table: Any) -> dict[str, dict[str, float]]:
    if not isinstance(table, dict):
        raise _err(f"{f}: thresholds", "a table", table)
    out: dict[str, dict[str, float]] = {}
    for rid, values in table.items():
        if rid not in RULES:
            raise UsageError(
                f"{f}: thresholds.{rid}: unknown rule (known: {', '.join(RULES)})"
            )
        if not isinstance(values, dict):
            raise _err(f"{f}: thresholds.{rid}", "a table", values)
        units = {t.name: t.unit for t in RULES[rid].thresholds}
        _check_keys(f"{f}: [thresholds.{rid}]", values, list(units))
        out[rid] = {}
        for k, v in values.items():
            kind = unit_kind(units[k]) or Kind(f"a number in {units[k]}", 0, 1e6)
            out[rid][k] = kind.check(f"{f}: thresholds.{rid}.{k}", v)
    return out


def _report(f: str, table: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _err(f"{f}: report", "a table", table)
    _check_keys(f"{f}: [report]", table, ("stale_after_days",))
    out: dict[str, Any] = {}
    if "stale_after_days" in table:
        days = UNIT_KINDS["days"].check(f"{f}: report.stale_after_days", table["stale_after_days"])
        if days != int(days):
            raise _err(f"{f}: report.stale_after_days", "a whole number of days, e.g. 14",
                       table["stale_after_days"])
        out["stale_after_days"] = int(days)
    return out


def check_timezone(value: Any, where: str = "timezone") -> str:
    """Return ``value`` if it names an IANA time zone (:func:`loadwatch.calendar.zone_info`),
    else raise a UsageError; a bare area ("Europe") or a 300-character string included."""
    if isinstance(value, str) and value:
        try:
            calendar.zone_info(value)
            return value
        except ValueError:
            pass
    raise _err(where, 'an IANA time zone like "Europe/Amsterdam"', value)


def parse_settings(data: Mapping[str, Any], source: str = FILENAME) -> Settings:
    """Settings from an already-parsed TOML document (``source`` names it in errors)."""
    _check_keys(source, data, ("athlete", "shoes", "thresholds", "report"))
    kwargs: dict[str, Any] = {}
    if "athlete" in data:
        kwargs.update(_athlete(source, data["athlete"]))
    if "shoes" in data:
        kwargs["shoes"] = _shoes(source, data["shoes"])
    if "thresholds" in data:
        kwargs["thresholds"] = _thresholds(source, data["thresholds"])
    if "report" in data:
        kwargs.update(_report(source, data["report"]))
    return Settings(**kwargs)


def find_config(
    path: str | Path | None = None, *, search: Sequence[str | Path] = (),
    fallback: str | Path | None = None,
) -> Path | None:
    """The settings file every command reads: ``path`` (``--config``) if given, else
    loadwatch.toml in the first folder of ``search`` (a file's own folder), else
    ``fallback`` (``batch --config`` for athletes without their own), else None."""
    if path is not None:
        return Path(path)
    for p in list(search)[:1]:
        p = Path(p)
        try:
            folder = p if p.is_dir() else p.parent
            candidate = folder / FILENAME
            if candidate.exists() or candidate.is_symlink():  # a FIFO too: read_toml says why
                return candidate
        except OSError:  # a name too long, a folder we may not enter: the reader says why
            continue
    return Path(fallback) if fallback is not None else None


def read_settings(
    path: str | Path | None = None, *, search: Sequence[str | Path] = (),
    fallback: str | Path | None = None,
) -> Settings:
    """Read the settings file :func:`find_config` picks; none means default settings.

    Raises :class:`UsageError` with a one-line message on any problem.
    """
    path = find_config(path, search=search, fallback=fallback)
    if path is None:
        return Settings()
    data = read_toml(path, "config")
    return dataclasses.replace(parse_settings(data, path.name), source=path)


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML file's content; any problem is a one-line :class:`UsageError` naming ``what``.

    This is the one TOML reader (settings and roster): only a regular file of at most
    :data:`MAX_TOML_BYTES` is read (a FIFO or device is refused, never waited on), and
    documents nested deeper than :data:`MAX_TOML_DEPTH` or with keys of more than
    :data:`MAX_TOML_KEY_PARTS` parts are refused before tomllib sees them.
    """
    from loadwatch.sources import read_regular  # sources imports the importers: keep lazy

    try:
        if Path(path).is_dir():
            raise IsADirectoryError
        text = read_regular(path, MAX_TOML_BYTES, f"the {what} file").decode("utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: {what} file not found") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a folder, not a {what} file") from None
    except ValueError as exc:  # not a regular file, too large, not UTF-8
        raise UsageError(f"{path}: cannot read {what} ({exc})") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    shape = _toml_shape(text)
    if shape:
        raise UsageError(f"{path.name}: refused {what} file ({shape})")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path.name}: not valid TOML ({exc})") from None
    except (RecursionError, MemoryError):
        raise UsageError(f"{path.name}: refused {what} file (nested too deeply)") from None


def _toml_shape(text: str) -> str | None:
    """Why a TOML text is too deep or has too long a key for tomllib, or None.

    Strings and comments are removed first; dots between digits are numbers (1.5,
    fractional seconds). What is left between ``=``, ``,``, brackets and line ends is a
    key (or a bare value), whose dots separate its parts.
    """
    bare = _DECIMAL_DOT.sub("", _TOML_TEXT.sub('""', text))
    parts = max((seg.count(".") + 1 for seg in re.split(r"[=,{}\[\]\n]", bare)), default=0)
    if parts > MAX_TOML_KEY_PARTS:
        return f"a key with more than {MAX_TOML_KEY_PARTS} dotted parts"
    depth = deepest = 0
    for m in re.finditer(r"[\[\]{}]", bare):
        depth += 1 if m.group() in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_TOML_DEPTH:
            return f"arrays or tables nested more than {MAX_TOML_DEPTH} levels deep"
    return None


#: deprecated name of :func:`read_settings` (kept for one release)
load_settings = renamed("load_settings")
