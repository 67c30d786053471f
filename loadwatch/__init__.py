"""loadwatch: a training-load injury-risk monitor for runners.

The Python API, the same functions the ``loadwatch`` command calls. Every frame is a
plain :class:`pandas.DataFrame` whose columns, dtypes and units are declared in
:mod:`loadwatch.schema` (``ACTIVITY``, ``RECORDS``, ``DAILY``, ``WEEKLY``, ``SHOES``,
``FINDINGS``); units are in the column names (``distance_km``, ``descent_m``,
``moving_s``) and times are tz-aware UTC (``start_time``, ``time``) or local calendar
days (``date``, ``week_start``).

Reading
    :func:`read_activities` (files, folders, ``.gz``, ``.zip``, Strava/Garmin exports)
    -> :class:`ReadResult` (``activities`` table + ``problems``, one :class:`Problem` per
    unreadable file); :func:`records_for` / :func:`read_records` give one activity's
    record stream (one row per sample: position, altitude, HR, ...), re-read on demand;
    :func:`read_symptoms` reads the optional pain log ``symptoms.csv``.
Settings
    :func:`read_settings` reads ``loadwatch.toml`` into :class:`Settings` (HR zones,
    shoes, threshold overrides); ``Settings()`` are the defaults.
Load
    :func:`prepare` fills the athlete-specific columns (TRIMP, time above threshold,
    shoe); :func:`daily_frame`, :func:`weekly_frame` (ISO weeks) and :func:`shoe_frame`
    aggregate running activities in the athlete's local time.
Rules
    ``RULES`` maps rule id -> :class:`Rule` (the catalogue, frozen objects with their
    :class:`Threshold` values, units and evidence); ``CONDITIONS`` maps condition id ->
    :class:`Condition` (plain-language description and self-care). Override a threshold
    in code with ``RULES[id].with_values(caution=0.25)`` (or :func:`dataclasses.replace`)
    and pass the whole mapping to :func:`analyse_activities`, :func:`evaluate_rules`
    (findings of prepared frames) or :func:`envelope` (next week's limits).
Analysis and report
    :func:`analyse_paths` (paths -> :class:`Analysis`, what the command runs) and
    :func:`analyse_activities` (an activity table already in memory) run everything;
    :func:`render_report` returns the self-contained HTML report, :func:`write_report`
    writes it.
Errors
    :class:`UsageError` for a bad call or config (one-line message); :class:`InputError`
    when a file asked for by name cannot be read. Bad files met while reading many are
    never raised: they are listed as :class:`Problem`.

loadwatch flags training patterns linked to overuse injuries in the research; it is not a
diagnosis and cannot tell whether anyone is injured.

Importing :mod:`loadwatch` is cheap (no pandas, no matplotlib): the names above are
imported from their modules on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> module that defines it (imported on first attribute access). A name here
#: must not be the name of a submodule (importing a submodule sets the package attribute of
#: that name), which is why the deprecated module names below are not public names.
_EXPORTS: dict[str, tuple[str, str]] = {
    # reading
    "read_activities": ("loadwatch.read", "read_activities"),
    "ReadResult": ("loadwatch.read", "ReadResult"),
    "read_records": ("loadwatch.read", "read_records"),
    "records_for": ("loadwatch.read", "records_for"),
    "read_symptoms": ("loadwatch.rules.symptoms", "read_symptoms"),
    # settings
    "read_settings": ("loadwatch.settings", "read_settings"),
    "Settings": ("loadwatch.settings", "Settings"),
    "Shoe": ("loadwatch.settings", "Shoe"),
    # load frames
    "prepare": ("loadwatch.frames", "prepare"),
    "daily_frame": ("loadwatch.frames", "daily_frame"),
    "weekly_frame": ("loadwatch.frames", "weekly_frame"),
    "shoe_frame": ("loadwatch.frames", "shoe_frame"),
    # rules
    "RULES": ("loadwatch.rules", "RULES"),
    "CONDITIONS": ("loadwatch.rules", "CONDITIONS"),
    "Rule": ("loadwatch.rules", "Rule"),
    "Threshold": ("loadwatch.rules", "Threshold"),
    "Condition": ("loadwatch.rules", "Condition"),
    "evaluate_rules": ("loadwatch.rules.evaluators", "evaluate"),
    "envelope": ("loadwatch.rules.evaluators", "envelope"),
    # analysis and report
    "analyse_paths": ("loadwatch.pipeline", "analyse"),
    "analyse_activities": ("loadwatch.pipeline", "analyse_activities"),
    "Analysis": ("loadwatch.result", "Analysis"),
    "Envelope": ("loadwatch.result", "Envelope"),
    "render_report": ("loadwatch.report.render", "render_report"),
    "write_report": ("loadwatch.report.render", "write_report"),
    # errors
    "Problem": ("loadwatch.problems", "Problem"),
    "UsageError": ("loadwatch.problems", "UsageError"),
    "InputError": ("loadwatch.problems", "InputError"),
}

#: names renamed in 0.2, still importable for one release (calling them warns)
_DEPRECATED: dict[str, tuple[str, str]] = {
    "load_settings": ("loadwatch.settings", "load_settings"),
}

#: the public API (the same names as _EXPORTS; a literal so linters and type checkers see it)
__all__ = [
    "CONDITIONS",
    "RULES",
    "Analysis",
    "Condition",
    "Envelope",
    "InputError",
    "Problem",
    "ReadResult",
    "Rule",
    "Settings",
    "Shoe",
    "Threshold",
    "UsageError",
    "analyse_activities",
    "analyse_paths",
    "daily_frame",
    "envelope",
    "evaluate_rules",
    "prepare",
    "read_activities",
    "read_records",
    "read_settings",
    "read_symptoms",
    "records_for",
    "render_report",
    "shoe_frame",
    "weekly_frame",
    "write_report",
]

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports
    from loadwatch.frames import daily_frame, prepare, shoe_frame, weekly_frame
    from loadwatch.pipeline import analyse as analyse_paths
    from loadwatch.pipeline import analyse_activities
    from loadwatch.problems import InputError, Problem, UsageError
    from loadwatch.read import ReadResult, read_activities, read_records, records_for
    from loadwatch.report.render import render_report, write_report
    from loadwatch.result import Analysis, Envelope
    from loadwatch.rules import CONDITIONS, RULES, Condition, Rule, Threshold
    from loadwatch.rules.evaluators import envelope
    from loadwatch.rules.evaluators import evaluate as evaluate_rules
    from loadwatch.rules.symptoms import read_symptoms
    from loadwatch.settings import Settings, Shoe, read_settings


if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelt name is an error

    def __getattr__(name: str) -> Any:
        """Import a public name from its module on first use (PEP 562), then cache it here."""
        where = _EXPORTS.get(name) or _DEPRECATED.get(name)
        if where is None:
            raise AttributeError(f"module 'loadwatch' has no attribute {name!r}")
        module, attribute = where
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """The public names (for tab completion), whether imported yet or not."""
    return sorted([*__all__, "__version__"])
