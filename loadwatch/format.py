"""Findings made into text at display time, in km or mi, rounded for each quantity.

An evaluator stores a message ``template`` ("Weekly distance rose {rise} ({prev} to
{now})") and its ``facts`` ({"rise": [0.38, "fraction"], "prev": [32.0, "km"], ...}); this
module fills them for the reader: ``38 %``, ``32.0 km`` or ``19.9 mi``, ``834 m`` or
``2,736 ft``, ``1.33x``, ``1 pattern`` / ``2 patterns``, rule titles instead of ids. No
text is rewritten after the fact, so a number is converted exactly once.

The same holds for the other text that carries distances: what the analysis assumed
(:class:`Note`, e.g. the load per km of runs without HR) and the catalogue's fixed
condition and self-care wording, whose distances are placeholders filled from the rules
(:func:`fixed_text`, e.g. ``{shoe_life}`` from the shoe_mileage marks).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

UnitName = Literal["km", "mi"]

#: km per statute mile and m per foot (international definitions, exact).
KM_PER_MI = 1.609344
M_PER_FT = 0.3048


@dataclass(frozen=True)
class Units:
    """Display units: distance in km or mi, elevation in m or ft."""

    name: UnitName
    dist: str
    elev: str
    per_km: float
    per_m: float

    def d(self, km: Any) -> Any:
        """Distance in display units (scalar, array or Series)."""
        return km * self.per_km

    def e(self, m: Any) -> Any:
        """Elevation in display units (scalar, array or Series)."""
        return m * self.per_m

    def fd(self, km: float | None, digits: int = 1) -> str:
        """Formatted distance, e.g. '40.0 km'; an en dash where unknown."""
        return "–" if _missing(km) else f"{self.d(km):,.{digits}f} {self.dist}"

    def fe(self, m: float | None) -> str:
        """Formatted elevation, e.g. '600 m'."""
        return "–" if _missing(m) else f"{self.e(m):,.0f} {self.elev}"


KM = Units("km", "km", "m", 1.0, 1.0)
MI = Units("mi", "mi", "ft", 1 / KM_PER_MI, 1 / M_PER_FT)


def units_for(name: str) -> Units:
    """The :class:`Units` for ``"km"`` or ``"mi"`` (ValueError otherwise)."""
    if name == "km":
        return KM
    if name == "mi":
        return MI
    raise ValueError(f"units must be 'km' or 'mi', not {name!r}")


def _missing(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def plural(n: float, noun: str) -> str:
    """'1 pattern', '2 patterns', '1,977 days' (regular English plurals)."""
    count = round(float(n))
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def multiple(v: float) -> str:
    """A factor with at most two decimals: 1.33x, 1.5x, 2x."""
    return f"{v:.2f}".rstrip("0").rstrip(".") + "x"


def percent(fraction: float) -> str:
    """A fraction as a whole percentage: 0.0667 -> '7 %'."""
    return f"{fraction * 100:.0f} %"


def quantity(value: Any, kind: str, units: Units = KM) -> str:
    """One fact as text; ``kind`` names the quantity (see the module docstring)."""
    if kind == "parts":
        return "; ".join(fill(t, f, units) for t, f in value)
    if kind == "rules":
        return "; ".join(rule_title(r) for r in value)
    if kind == "km_range":  # (low, high): '450-800 km', '280-497 mi'
        low, high = (units.d(float(x)) for x in value)
        return f"{low:,.0f}-{high:,.0f} {units.dist}"
    if kind == "list":
        return ", ".join(str(x) for x in value)
    if kind == "text":
        return str(value)
    if kind == "unit":  # the name of a unit: 'km' -> 'mi', 'm' -> 'ft'
        return {"km": units.dist, "m": units.elev}.get(str(value), str(value))
    if kind == "rule":
        return rule_title(str(value))
    if _missing(value):
        return "–"
    if kind.startswith("count:"):
        return plural(float(value), kind.split(":", 1)[1])
    if kind == "date":
        return pd.Timestamp(value).strftime("%a %d %b")
    if kind == "day":
        return pd.Timestamp(value).strftime("%a %d %b %Y")
    v = float(value)
    if kind == "fraction":
        return percent(v)
    if kind == "points":
        return f"{v * 100:.0f} points"
    if kind == "x":
        return multiple(v)
    if kind == "ratio":
        return f"{v:.2f}"
    if kind == "km":
        return units.fd(v, 1)
    if kind == "km_total":
        return units.fd(v, 0)
    if kind == "per_km":  # a rate per km, e.g. AU/km: per mi it is larger
        return f"{v / units.per_km:.1f} AU/{units.dist}"
    if kind == "m":
        return units.fe(v)
    if kind == "min":
        return f"{v:.0f} min"
    if kind == "h":
        return f"{v:.0f} h"
    if kind == "days":
        return plural(v, "day")
    if kind == "pain":
        return f"{v:g}/10"
    if kind == "monotony":
        return f"{v:.1f}"
    raise ValueError(f"unknown quantity {kind!r}")


def fill(template: str, facts: Mapping[str, Any], units: Units = KM) -> str:
    """``template`` with each ``{name}`` replaced by its formatted fact."""
    text = {name: quantity(v, kind, units) for name, (v, kind) in facts.items()}
    return template.format_map(text)


@dataclass(frozen=True)
class Note:
    """One thing the analysis assumed, as a template and its facts (see :func:`fill`).

    ``str(note)`` is the text in km; display code calls :func:`note` with the reader's
    units. Notes without a number in a unit stay plain strings.
    """

    template: str
    facts: Mapping[str, tuple[Any, str]] = field(default_factory=dict)

    def text(self, units: Units = KM) -> str:
        """The note in ``units``."""
        return fill(self.template, self.facts, units)

    def __str__(self) -> str:
        return self.text()


def note(n: Note | str, units: Units = KM) -> str:
    """An assumed-defaults note (a :class:`Note` or plain text) in ``units``."""
    return n.text(units) if isinstance(n, Note) else str(n)


#: Placeholders the fixed condition and self-care texts may use, each filled from a rule:
#: name -> (rule id, its thresholds making the fact, kind of quantity).
FIXED_TEXT_FACTS: Mapping[str, tuple[str, tuple[str, ...], str]] = {
    "shoe_life": ("shoe_mileage", ("info", "caution"), "km_range"),
}


def fixed_text(text: str, units: Units = KM, rules: Mapping[str, Any] | None = None) -> str:
    """Fixed prose (condition, self-care) with its placeholders filled from ``rules``.

    ``"replace shoes at {shoe_life}"`` becomes "replace shoes at 450-800 km" (the
    shoe_mileage marks, overrides included when ``rules`` are the athlete's) or "...at
    280-497 mi". Text without placeholders is returned as it is.
    """
    if "{" not in text:
        return text
    from loadwatch.rules import RULES

    rules = RULES if rules is None else rules
    facts = {}
    for name, (rule_id, thresholds, kind) in FIXED_TEXT_FACTS.items():
        rule = rules.get(rule_id) or RULES[rule_id]  # a catalogue without it: the default
        values = tuple(rule.value(t) for t in thresholds)
        facts[name] = (values if len(values) > 1 else values[0], kind)
    return fill(text, facts, units)


def message(row: Mapping[str, Any] | Any, units: Units = KM) -> str:
    """The message of one finding (a FINDINGS row, dict or namedtuple) in ``units``."""
    get = row.get if isinstance(row, Mapping) else lambda k, d=None: getattr(row, k, d)
    template, facts = get("template"), get("facts")
    if not isinstance(template, str) or not isinstance(facts, Mapping):
        return "" if _missing(get("message")) else str(get("message"))
    return fill(template, facts, units)


def value_text(value: Any, threshold: Any, unit: str, units: Units = KM) -> str:
    """'45.6 % (threshold 30 %)', the km and m values in the display units."""
    if _missing(value):
        return ""
    unit = unit or ""
    if unit == "km":
        value, threshold, unit = units.d(value), units.d(threshold), units.dist
    elif unit == "m":
        value, threshold, unit = units.e(value), units.e(threshold), units.elev
    sep = "" if unit in ("", "x") else " "
    text = f"{_num(float(value))}{sep}{unit}"
    if not _missing(threshold):
        text += f" (threshold {_num(float(threshold))}{sep}{unit})"
    return text


def _num(v: float) -> str:
    if not math.isfinite(v):
        return "–"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}".rstrip("0").rstrip(".")
    return f"{v:.2f}".rstrip("0").rstrip(".")


def rule_title(rule_id: str) -> str:
    """The catalogue title of a rule id (the id itself when unknown)."""
    from loadwatch.rules import RULES

    rule = RULES.get(rule_id)
    return rule.title if rule else rule_id.replace("_", " ")


def duration(seconds: Any) -> str:
    """A duration as 'h:mm:ss' (or 'mm:ss' under an hour); an en dash where unknown."""
    if _missing(seconds) or not math.isfinite(float(seconds)) or float(seconds) < 0:
        return "–"
    total = round(float(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def pace(seconds: Any, km: Any, units: Units = KM) -> str:
    """Time per display unit of distance, e.g. '5:12 /km' or '8:22 /mi'; a dash where unknown."""
    if _missing(seconds) or _missing(km) or float(km) <= 0 or float(seconds) <= 0:
        return "–"
    per = float(seconds) / float(units.d(float(km)))
    m, s = divmod(round(per), 60)
    return f"{m}:{s:02d} /{units.dist}"


# --- the present: last run and other sports (loadwatch.result.Present) -------------------

#: What one activity of a sport is called in "also: 2 rides, 1 walk" (schema.SPORTS).
SPORT_NOUNS = {"cycling": ("ride", "rides"), "walking": ("walk", "walks"),
               "hiking": ("hike", "hikes"), "swimming": ("swim", "swims"),
               "other": ("other activity", "other activities")}


def long_day(day: Any) -> str:
    """A day as people write it: 'Sat 4 Jul 2021'."""
    d = pd.Timestamp(day)
    return f"{d:%a} {d.day} {d:%b %Y}"


def week_span(week_start: Any) -> str:
    """The days of a week: '28 Jun – 4 Jul 2021' (the year once when both share it)."""
    a = pd.Timestamp(week_start)
    b = a + pd.Timedelta(days=6)
    first = f"{a.day} {a:%b}" if a.year == b.year else f"{a.day} {a:%b %Y}"
    return f"{first} – {b.day} {b:%b %Y}"


def count(n: int) -> str:
    """A whole number with thousands separated: 1,976."""
    return f"{int(n):,}"


def no_runs_since(last_run: Any, days: int | None) -> str:
    """'No runs since Sat 4 Jul 2021, 1,976 days ago' ('No runs in the data' without one)."""
    if last_run is None or _missing(last_run) or days is None:
        return "No runs in the data"
    return f"No runs since {long_day(last_run)}, {days_ago(days)}"


def days_ago(days: int | None) -> str:
    """'today', 'yesterday', '12 days ago' ('' for None)."""
    if days is None:
        return ""
    return {0: "today", 1: "yesterday"}.get(days, f"{count(days)} days ago")


def other_sports(sports: Any, hours: float) -> str:
    """'also: 2 rides, 1 walk (3.2 h)' from (sport, count) pairs ('' when there are none)."""
    parts = []
    for sport, n in sports:
        one, many = SPORT_NOUNS.get(sport, (sport, sport))
        parts.append(f"{n} {one if n == 1 else many}")
    if not parts:
        return ""
    return f"also: {', '.join(parts)} ({hours:.1f} h)"
