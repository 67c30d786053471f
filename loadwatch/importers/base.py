"""What every importer returns: activity summaries in canonical columns plus record streams."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from loadwatch.problems import InputError


@dataclass
class ParsedActivity:
    """One activity read from one file.

    ``summary`` maps canonical activity column names (see :data:`loadwatch.schema.ACTIVITY`)
    to values; the reader need not fill ``source``, ``format`` or ``activity_id``, which the
    caller sets. ``records`` is the record stream in :data:`loadwatch.schema.RECORDS` columns,
    or ``None`` for summary-only sources (CSV rows). ``link`` names another file this row
    describes (Strava's ``Filename`` column), for joining metadata onto that file's streams.
    """

    summary: dict[str, Any]
    records: pd.DataFrame | None = None
    link: str | None = None
    #: True when ``summary["start_time"]`` is a naive *local* time (Garmin Connect CSV,
    #: plain logs): the caller localises it with the athlete's time zone.
    local_time: bool = False


#: A reader takes the file's bytes and its display name and returns its activities.
#: It raises :class:`loadwatch.problems.InputError` (or ``NotAnActivity``) with a
#: one-line reason for a file it cannot use; any other exception is a bug that the
#: caller still reports by name rather than letting it stop the batch.
Reader = Callable[[bytes, str], list[ParsedActivity]]


Part = TypeVar("Part")


def read_parts(
    parts: Sequence[Part], read_one: Callable[[Part, str], ParsedActivity],
    label: Callable[[int, Part], str], noun: str,
) -> list[ParsedActivity]:
    """Read each part of a file (GPX tracks, TCX activities), keeping the readable ones.

    A part that raises :class:`~loadwatch.problems.InputError` is named in the others'
    quality notes; when none is readable, the first reason is raised (with a count).
    """
    out: list[ParsedActivity] = []
    refused: list[str] = []
    for i, part in enumerate(parts, 1):
        try:
            out.append(read_one(part, label(i, part)))
        except InputError as e:
            refused.append(str(e))
    if not out:
        more = f" (and {len(refused) - 1} more {noun} refused)" if len(refused) > 1 else ""
        raise InputError(refused[0] + more)
    if refused:
        extra = "; ".join(f"skipped {r}" for r in refused)
        for act in out:
            q = act.summary["quality"]
            act.summary["quality"] = f"{q}; {extra}" if q else extra
    return out
