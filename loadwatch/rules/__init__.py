"""The rules: what loadwatch flags, and how it judges it.

- :mod:`loadwatch.rules.catalogue`: the rules and conditions as data (thresholds, windows,
  units, evidence, linked conditions); the single source of every number a rule applies.
- :mod:`loadwatch.rules.evaluators`: one evaluator per catalogue rule, each returning a
  :class:`~loadwatch.findings.Verdict` (findings plus the series it compared against), and
  the envelope derived from the rules' declared limits.
- :mod:`loadwatch.rules.symptoms`: the optional pain log (``symptoms.csv``) and its
  red-flag evaluator, registered like the others.

The catalogue's public names are re-exported here (``from loadwatch.rules import RULES``).
"""

from loadwatch.rules.catalogue import (
    ALL_OVERUSE,
    BONE_STRESS_RULES,
    BONE_STRESS_STEP,
    CONDITIONS,
    PAIN_AREAS,
    PAIN_LOG,
    RULES,
    Condition,
    Evidence,
    PainLog,
    Rule,
    Step,
    Threshold,
    catalogue_markdown,
    conditions_of_area,
)

__all__ = [
    "ALL_OVERUSE",
    "BONE_STRESS_RULES",
    "BONE_STRESS_STEP",
    "CONDITIONS",
    "PAIN_AREAS",
    "PAIN_LOG",
    "RULES",
    "Condition",
    "Evidence",
    "PainLog",
    "Rule",
    "Step",
    "Threshold",
    "catalogue_markdown",
    "conditions_of_area",
]
