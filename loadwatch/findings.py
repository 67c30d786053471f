"""What an evaluator hands over: finding rows and the series the rule judged against.

A finding row (:data:`loadwatch.schema.FINDINGS`) holds numbers, not prose: the observed
value, the limit crossed, its unit, the baseline it was compared with, the dates and the
activity, plus a message ``template`` and its ``facts`` (name -> [value, quantity]). The
text is made when shown, by :mod:`loadwatch.format`, in the reader's units.

A :class:`RuleSeries` is the series a rule compared against (the per-week limit of the
10 % rule, the 30-day reference of each run, the daily load ratio and its read points...),
so that the report, the plots and the envelope draw and quote what the rule applied
instead of deriving it a second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from loadwatch.rules import Rule, Threshold

#: A fact of a message: [value, quantity], e.g. [0.38, "fraction"], [18.0, "km"].
Facts = dict[str, list[Any]]


@dataclass(frozen=True)
class RuleSeries:
    """The series one rule compared against, as it applied it (overrides and steps in).

    ``frame`` has one row per week (``week_start``), day (``date``), run (``activity_id``)
    or shoe (``shoe``), with the observed column, its ``reference`` (baseline) and the
    limits named after the thresholds (e.g. ``info_limit``, ``caution_limit``), in the
    unit of ``unit``. ``next`` holds the same limits for the week after the data (what
    the envelope offers), ``values`` the scalar parameters the rule used (e.g. the chronic
    floor in load units).
    """

    rule: str
    kind: str
    unit: str
    frame: pd.DataFrame
    next: Mapping[str, float] = field(default_factory=dict)
    values: Mapping[str, float] = field(default_factory=dict)


def plain(value: Any) -> Any:
    """Facts as plain Python values (JSON-ready): numpy numbers become int/float."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def finding(
    rule: Rule,
    threshold: Threshold | str,
    week_start: pd.Timestamp,
    value: float,
    template: str,
    facts: Facts,
    *,
    limit: float | None = None,
    unit: str | None = None,
    baseline: float | None = None,
    date: pd.Timestamp | None = None,
    activity_id: str | None = None,
    conditions: Iterable[str] | None = None,
    advice: str | None = None,
) -> dict[str, Any]:
    """One finding row; the severity is the one of ``threshold`` (the threshold that fired).

    ``limit`` is the level actually crossed (default: the threshold's value), in ``unit``
    (default: the threshold's); ``baseline`` the reference it was compared with.
    """
    th = rule.threshold(threshold) if isinstance(threshold, str) else threshold
    if th.severity is None:
        raise ValueError(f"{rule.id}.{th.name} is a guard, not a threshold that fires")
    return {
        "rule": rule.id,
        "severity": th.severity,
        "threshold_name": th.name,
        "week_start": week_start,
        "date": date,
        "activity_id": activity_id,
        "value": value,
        "threshold": th.value if limit is None else limit,
        "unit": th.unit if unit is None else unit,
        "baseline": baseline,
        "template": template,
        "facts": plain(facts),
        "conditions": list(rule.conditions if conditions is None else conditions),
        "evidence": str(rule.evidence),
        "advice": rule.advice if advice is None else advice,
    }
