"""What every importer returns: activity summaries in canonical columns plus record streams."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd


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
