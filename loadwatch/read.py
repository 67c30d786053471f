"""Read every activity under some paths into one canonical table, whatever goes wrong.

The pipeline: :func:`loadwatch.sources.iter_items` turns paths into plain files (archives
unwrapped), :func:`parse_item` runs the registry reader of one file and returns plain,
picklable, cacheable data (summaries and problems, never record streams), and
:func:`read_activities` joins Strava's activities.csv metadata onto the files it names,
localises local-time rows, merges copies (:mod:`loadwatch.dedupe`) and conforms the
result to :data:`loadwatch.schema.ACTIVITY`. Any exception a reader raises becomes a
Problem naming the file; the batch always completes.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from loadwatch import calendar, schema
from loadwatch.dedupe import merge_copies
from loadwatch.importers import SUFFIXES, ParsedActivity, fit, gpx, reader_for
from loadwatch.lifetime import new_pool
from loadwatch.plausible import set_aside
from loadwatch.problems import InputError, InputWarning, Problem, UsageError, terminal_text
from loadwatch.sources import Item, estimate_files, iter_items, reread
from loadwatch.sport import check_sports

#: Files parsed per batch (cache look-up, then the pool); bounds memory held as bytes.
BATCH_FILES = 32
#: Entries (files and problems) per batch at most, so that progress is shown as it goes.
BATCH_ENTRIES = 1024
#: Batches read ahead while the pool parses earlier ones, so the workers are not idle while
#: this process reads, unzips and hashes the next files. Memory: this many x BATCH_FILES files.
BATCHES_IN_FLIGHT = 3
#: A batch is also closed once its files hold this many bytes, and batches are collected
#: early while more than MAX_BYTES_IN_FLIGHT are held: a hundred small .gz files can each
#: unwrap to 100 MB (sources.MAX_FILE_BYTES), so a bound by count alone is 10 GB. Real
#: files are 0.1-5 MB, so these bounds only bite on hostile or exceptional input.
BATCH_BYTES = 64 * 2**20
MAX_BYTES_IN_FLIGHT = 256 * 2**20
#: Most files sent to a worker in one task. Parsing a file takes 10-100 ms; one round trip
#: to a worker ~0.2 ms plus a memcpy of the bytes, so a few files per task keep the overhead
#: below 1 % while leaving enough tasks per batch to balance the workers.
CHUNK_FILES = 4
#: Columns a Strava activities.csv row gives the file it names (the user's own edits).
STRAVA_JOINED = ("title", "shoe", "rpe")
#: A Strava row and the file it names are joined only when their starts are this close:
#: both are UTC, so they agree to seconds; the slack covers an export whose dates are the
#: athlete's local time (UTC offsets reach 14 h). A row naming another activity's file
#: (edited, or from another export) stays a separate activity, with a warning.
STRAVA_JOIN_SLACK = pd.Timedelta(hours=15)


class ParsedCache(Protocol):
    """What :func:`read_activities` needs of a cache (see :class:`loadwatch.cache.Cache`).

    A cache may also offer ``key_for_stat(FileStat) -> str | None`` and
    ``remember_stats({FileStat: key})``: then plain files whose stat it knows are not read
    (:func:`loadwatch.sources.iter_items`, ``known``).
    """

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]: ...

    def put_many(self, items: dict[str, tuple[int, Any]]) -> None: ...


class ProgressSink(Protocol):
    """What :func:`read_activities` tells a progress display (see
    :class:`loadwatch.progress.Progress`): the files expected, then the files done."""

    def add_total(self, files: int) -> None: ...

    def advance(self, files: int, *, cached: int = 0) -> None: ...


class _Paths(NamedTuple):
    """A reader with a fast path and a reference fallback, and its counters."""

    label: str
    fast: str  # the fast path's key in ``files``
    fast_words: str
    fallback: str  # the fallback's key in ``files``, and its name
    files: Counter[str]  # files decoded by each path in this process
    reasons: Counter[str]  # why files took the fallback


#: Readers with a fast path and a reference fallback, by format.
FALLBACK_COUNTERS = {
    "fit": _Paths("FIT", "fast", "fast", "fitparse", fit.DECODER_COUNTS, fit.FALLBACK_REASONS),
    "gpx": _Paths("GPX", "array", "from arrays", "gpxpy", gpx.DECODER_COUNTS,
                  gpx.FALLBACK_REASONS),
}


@dataclass
class DecoderCounts:
    """Files of one format by the path that decoded them, and why files took the fallback."""

    paths: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)


@dataclass
class ArchiveCounts:
    """What became of the members of one archive (zips inside it included)."""

    activities: int = 0
    not_activities: int = 0
    refused: int = 0

    def line(self, archive: str) -> str:
        """E.g. "export.zip: 30,000 members: 2,000 activities, 27,990 skipped as not
        activities, 10 refused"."""
        total = self.activities + self.not_activities + self.refused
        return (f"{terminal_text(archive, 200)}: {total:,} member{'s' if total != 1 else ''}: "
                f"{self.activities:,} activit{'ies' if self.activities != 1 else 'y'}, "
                f"{self.not_activities:,} skipped as not activities, {self.refused:,} refused")


@dataclass
class ReadResult:
    """Activities read from some paths, and what could not be read.

    ``activities`` is conformed to :data:`loadwatch.schema.ACTIVITY`, sorted by start
    time, copies merged. ``files_read`` counts files handed to a reader (including those
    that failed); ``files_skipped`` the files in folders and archives passed over because
    loadwatch does not read their type (photos, the symptom log).
    """

    activities: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0
    files_skipped: int = 0
    timezone: str = "UTC"
    paths: list[str] = field(default_factory=list)
    #: format ("fit", "gpx") -> files by decoding path (cached files as when parsed)
    decoders: dict[str, DecoderCounts] = field(default_factory=dict)
    #: archive as shown (``export.zip``) -> what became of its members
    archives: dict[str, ArchiveCounts] = field(default_factory=dict)

    def decoder_line(self) -> str | None:
        """E.g. "FIT: 134 fast, 2 via fitparse (developer field without description: 2)",
        one part per format read; None when no file had a fast path."""
        parts = []
        for fmt, c in FALLBACK_COUNTERS.items():
            counts = self.decoders.get(fmt)
            if counts is None or not counts.paths:
                continue
            part = (f"{c.label}: {counts.paths[c.fast]:,} {c.fast_words}, "
                    f"{counts.paths[c.fallback]:,} via {c.fallback}")
            if counts.reasons:
                part += " (" + "; ".join(f"{terminal_text(r, 80)}: {n:,}"
                                         for r, n in counts.reasons.most_common()) + ")"
            parts.append(part)
        return "; ".join(parts) or None

    def archive_lines(self) -> list[str]:
        """One line per archive read: how many members were activities, how many were
        skipped as not activities (monitoring, settings...), how many were refused."""
        return [counts.line(archive) for archive, counts in self.archives.items()]

    def notes(self, verbose: bool = False) -> list[str]:
        """The archive lines, and with ``verbose`` the decoder line first."""
        line = self.decoder_line() if verbose else None
        return ([line] if line else []) + self.archive_lines()

    def summary_line(self) -> str:
        """E.g. "Read 12 files: 11 activities (9 running), 2 problems"."""
        n = len(self.activities)
        runs = int(self.activities["sport"].isin(schema.RUNNING_SPORTS).sum())
        errors = sum(p.kind != "warning" for p in self.problems)
        warns = len(self.problems) - errors
        line = (
            f"Read {self.files_read} file{'s' if self.files_read != 1 else ''}: "
            f"{n} activit{'ies' if n != 1 else 'y'} ({runs} running), "
            f"{errors} problem{'s' if errors != 1 else ''}"
        )
        if warns:
            line += f", {warns} warning{'s' if warns != 1 else ''}"
        return line


# -- one file ----------------------------------------------------------------------------------


def activity_id(data: bytes | Any, index: int) -> str:
    """Stable id of the ``index``-th activity of a file: 16 hex chars of SHA-1.

    ``data`` is the file's bytes, or a ``hashlib.sha1`` object already fed with them.
    """
    digest = data.copy() if hasattr(data, "copy") else hashlib.sha1(data)
    digest.update(f":{index}".encode())
    return digest.hexdigest()[:16]


def item_key(name: str, data: bytes) -> str:
    """Cache key of one file: its content and the reader its name selects."""
    entry = reader_for(name)
    digest = hashlib.sha1(data)
    digest.update(f":{entry[0] if entry else '?'}".encode())
    return digest.hexdigest()


def _run_reader(data: bytes, name: str, source: str) -> tuple[str, list[ParsedActivity]]:
    entry = reader_for(name)
    if entry is None:
        raise InputError(f"not a file type loadwatch reads ({', '.join(SUFFIXES)})")
    fmt, reader = entry
    return fmt, reader(data, source)


def _summary(
    parsed: ParsedActivity, fmt: str, ident: Callable[[], str]
) -> tuple[dict[str, Any], list[str]]:
    """Canonical summary dict of one parsed activity, and notes on what was wrong with it."""
    summary = dict(parsed.summary)
    notes = []
    unknown = sorted(k for k in summary if k not in schema.ACTIVITY.names)
    if unknown:
        notes.append(f"internal error: reader gave unknown column(s) {unknown}")
        for k in unknown:
            del summary[k]
    summary.setdefault("format", fmt)
    if pd.isna(summary.get("activity_id")):
        summary["activity_id"] = ident()
    quality = summary.get("quality")
    if isinstance(quality, (list, tuple)):
        summary["quality"] = "; ".join(str(q) for q in quality if q) or None
    return summary, notes


def parse_item(data: bytes, name: str, source: str) -> dict[str, Any]:
    """Parse one plain file into cacheable data, never raising.

    Returns ``{"activities": [{"summary", "link", "local_time"}], "problems":
    [{"reason", "kind"}], "decoders": {format: {"paths", "reasons"}}}`` (the decoder path
    that read the file and, for a fallback, why: :data:`FALLBACK_COUNTERS`): summaries in
    canonical column names (with ``format`` and ``activity_id`` set), no record streams,
    nothing tied to the file's name except the reader's own messages. A top-level
    function so that a process pool can run it.
    """
    activities: list[dict[str, Any]] = []
    problems: list[dict[str, str]] = []
    before = {fmt: (Counter(c.files), Counter(c.reasons)) for fmt, c in FALLBACK_COUNTERS.items()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fmt, parsed = _run_reader(data, name, source)
            content = hashlib.sha1(data)
            for index, act in enumerate(parsed):
                summary, notes = _summary(act, fmt, partial(activity_id, content, index))
                problems += [{"reason": n, "kind": "warning"} for n in notes]
                if pd.isna(summary.get("start_time")):
                    problems.append({"reason": f"activity {index + 1} has no start time",
                                     "kind": "error"})
                    continue
                activities.append(
                    {"summary": summary, "link": act.link, "local_time": bool(act.local_time)}
                )
            if not parsed:
                problems.append({"reason": "no activity in the file", "kind": "skipped"})
        except InputError as exc:
            problems.append({"reason": str(exc) or type(exc).__name__, "kind": exc.kind})
        except Exception as exc:  # a reader bug must not stop the batch
            problems.append(
                {"reason": f"internal error while reading: {type(exc).__name__}: {exc}",
                 "kind": "error"}
            )
    for w in caught:
        if issubclass(w.category, InputWarning):
            problems.append({"reason": str(w.message), "kind": "warning"})
    decoders = {}
    for fmt, c in FALLBACK_COUNTERS.items():
        took, why = c.files - before[fmt][0], c.reasons - before[fmt][1]
        if took:
            decoders[fmt] = {"paths": dict(took), "reasons": dict(why)}
    return {"activities": activities, "problems": problems, "decoders": decoders}


# -- many files --------------------------------------------------------------------------------


def _zone(timezone: str | None) -> ZoneInfo:
    name = timezone or "UTC"
    try:
        info = calendar.zone_info(name)
    except ValueError:
        info = None
    if info is None:
        raise UsageError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)"
        ) from None
    return info


def _batches(stream: Iterator[Item | Problem], size: int, max_bytes: int | None = None
             ) -> Iterator[list[Item | Problem]]:
    """``stream`` in lists of ``size`` files (Items), or fewer holding ``max_bytes`` of
    data, or :data:`BATCH_ENTRIES` entries at most (so the progress bar moves).

    Problems (members skipped from their header, refusals) do not count towards ``size``:
    in an account export most members are monitoring files, and batches of 32 entries
    held one activity each, so the pool was never started and one core did all parsing.
    """
    limit = BATCH_BYTES if max_bytes is None else max_bytes
    batch: list[Item | Problem] = []
    held = files = 0
    for entry in stream:
        batch.append(entry)
        if isinstance(entry, Item):
            held += len(entry.data)
            files += 1
        if files >= size or held >= limit or len(batch) >= BATCH_ENTRIES:
            yield batch
            batch = []
            held = files = 0
    if batch:
        yield batch


def _held(pending: _Pending) -> int:
    return sum(len(i.data) for i in pending.items)


def parse_items(args: Sequence[tuple[bytes, str, str]]) -> list[dict[str, Any]]:
    """:func:`parse_item` over several ``(data, name, source)`` files: one pool task."""
    return [parse_item(*a) for a in args]


@dataclass
class _Pending:
    """One batch on its way through the parser: cached payloads found, misses in flight."""

    entries: list[Item | Problem]
    items: list[Item]
    keys: list[str]
    found: dict[str, Any]
    todo: list[int]
    chunks: list[tuple[list[int], Future[list[dict[str, Any]]] | list[dict[str, Any]]]]


class _Parser:
    """Cache look-up, then the misses parsed here (one file, jobs=1) or in a process pool.

    The pool is only started when a batch has two or more misses, so a warm re-run (or one
    new file) never pays for starting processes. Batches are submitted ahead of being
    collected (:data:`BATCHES_IN_FLIGHT`) and collected in order, so the result is the same
    as a serial run's whatever the order the workers finish in.
    """

    def __init__(self, jobs: int, cache: ParsedCache | None, pool: Any = None) -> None:
        self.jobs = jobs
        self.cache = cache
        self.pool: ProcessPoolExecutor | None = pool
        self.own_pool = pool is None  # a pool given by the caller (batch) stays open
        self.broken = False

    def submit(self, entries: list[Item | Problem]) -> _Pending:
        found: dict[str, Any] = {}
        unread = [e.key for e in entries if isinstance(e, Item) and e.key is not None]
        if unread and self.cache is not None:
            # files given unread (their stat matched): read after all those whose row is
            # gone, so that nothing is ever parsed from empty bytes
            found = self.cache.get_many(unread)
            entries = [x for e in entries for x in (
                reread(e) if isinstance(e, Item) and e.key is not None and e.key not in found
                else [e])]
        items = [e for e in entries if isinstance(e, Item)]
        keys = [i.key or item_key(i.name, i.data) for i in items]
        read = [k for i, k in zip(items, keys, strict=True) if i.key is None]
        if read and self.cache is not None:
            found.update(self.cache.get_many(read))
        todo = [n for n, k in enumerate(keys) if k not in found]
        pending = _Pending(entries, items, keys, found, todo, [])
        args = [(items[n].data, items[n].name, items[n].source) for n in todo]
        if self.jobs > 1 and len(todo) > 1 and not self.broken:
            if self.pool is None:
                self.pool = new_pool(self.jobs)  # workers die with this process
            size = max(1, min(CHUNK_FILES, math.ceil(len(todo) / (2 * self.jobs))))
            for start in range(0, len(todo), size):
                part = todo[start : start + size]
                try:
                    fut = self.pool.submit(parse_items, args[start : start + size])
                except Exception:  # pool already broken: parse here
                    self.broken = True
                    pending.chunks.append((part, parse_items(args[start : start + size])))
                    continue
                pending.chunks.append((part, fut))
        elif todo:
            pending.chunks.append((todo, parse_items(args)))
        return pending

    def collect(self, pending: _Pending) -> list[dict[str, Any]]:
        payloads: list[Any] = [pending.found.get(k) for k in pending.keys]
        for part, result in pending.chunks:
            if isinstance(result, Future):
                try:
                    fresh = result.result()
                except Exception:  # a killed worker breaks the pool: parse here instead
                    self.broken = True
                    items = pending.items
                    fresh = parse_items([(items[n].data, items[n].name, items[n].source)
                                         for n in part])
            else:
                fresh = result
            for n, payload in zip(part, fresh, strict=True):
                payloads[n] = payload
        if self.cache is not None and pending.todo:
            self.cache.put_many(
                {pending.keys[n]: (len(pending.items[n].data), payloads[n]) for n in pending.todo}
            )
        remember = getattr(self.cache, "remember_stats", None)
        if remember is not None:  # files read from disk this run: skip reading them next time
            remember({i.stat: k for i, k in zip(pending.items, pending.keys, strict=True)
                      if i.stat is not None and i.key is None})
        return payloads

    def close(self) -> None:
        if self.pool is not None and self.own_pool:
            self.pool.shutdown(cancel_futures=True)
        self.pool = None


@dataclass
class _Row:
    summary: dict[str, Any]
    source: str
    item: Item  # with its bytes dropped
    link: str | None
    local_time: bool


def read_activities(
    paths: Iterable[str | Path],
    *,
    timezone: str | None = None,
    jobs: int = 1,
    cache: ParsedCache | None = None,
    progress: ProgressSink | None = None,
    pool: Any = None,
) -> ReadResult:
    """Read every activity under ``paths`` (files, folders, .gz, .zip).

    ``timezone`` (IANA name, default UTC) is the athlete's zone, applied to sources that
    give local times without a zone (Garmin CSV, training logs), and the clock of
    ``start_local`` (see :mod:`loadwatch.calendar`). ``jobs`` > 1 parses the
    files not in ``cache`` in that many processes; the result is the same as with 1.
    ``cache`` (e.g. :class:`loadwatch.cache.Cache`) skips files parsed before. ``progress``
    is told the number of files expected (:func:`estimate_files`), then each batch done.
    ``pool`` (anything with ``submit``, e.g. the batch's one worker pool) parses the misses
    instead of a pool of this call's own; it is left open.
    Raises :class:`UsageError` only for a bad ``timezone``; unreadable files are listed in
    ``problems``.
    """
    zone = _zone(timezone)
    zoned = bool(timezone)
    names = [str(paths)] if isinstance(paths, (str, Path)) else [str(p) for p in paths]
    ignored: list[str] = []
    problems: list[Problem] = []
    rows: list[_Row] = []
    files_read = 0
    decoders: dict[str, DecoderCounts] = {}
    archives: dict[str, ArchiveCounts] = {}
    if progress is not None:
        progress.add_total(estimate_files(names))
    parser = _Parser(jobs, cache, pool)
    in_flight: deque[_Pending] = deque()

    def collect_oldest() -> None:
        nonlocal files_read
        pending = in_flight.popleft()
        payloads = parser.collect(pending)
        for entry in pending.entries:
            if isinstance(entry, Problem):
                problems.append(entry)
                if "!" in entry.source:  # an archive member refused or skipped unread
                    counts = archives.setdefault(entry.source.split("!", 1)[0], ArchiveCounts())
                    if entry.kind == "skipped":
                        counts.not_activities += 1
                    else:
                        counts.refused += 1
        files_read += len(pending.items)
        for item, payload in zip(pending.items, payloads, strict=True):
            _count(payload, decoders)
            if item.container:
                _count_member(payload, archives.setdefault(item.source.split("!", 1)[0],
                                                           ArchiveCounts()))
            bare = Item(item.source, item.name, b"", item.container, item.path)
            for p in payload["problems"]:
                problems.append(Problem(item.source, p["reason"], p["kind"]))
            for act in payload["activities"]:
                rows.append(
                    _Row(dict(act["summary"]), item.source, bare, act["link"], act["local_time"])
                )
        if progress is not None:
            progress.advance(len(pending.entries), cached=len(pending.items) - len(pending.todo))

    held = 0
    try:
        known = getattr(cache, "key_for_stat", None)
        for batch in _batches(iter_items(names, ignored=ignored, known=known), BATCH_FILES):
            in_flight.append(parser.submit(batch))
            held += _held(in_flight[-1])
            while in_flight and (len(in_flight) >= BATCHES_IN_FLIGHT
                                 or held > MAX_BYTES_IN_FLIGHT):
                held -= _held(in_flight[0])
                collect_oldest()
        while in_flight:
            collect_oldest()
    finally:
        parser.close()
    rows = _join_strava(rows, problems)
    merged, merges = merge_copies(_frame(rows, zone, zoned=zoned))
    # after the sport check: an assumed run at bike speed is relabelled, not set aside
    activities, aside = set_aside(check_sports(merged))
    problems += merges + aside
    activities = activities.sort_values(["start_time", "source"], kind="stable")
    activities = calendar.with_local_start(activities, timezone or None)
    return ReadResult(
        activities=activities.reset_index(drop=True),
        problems=problems,
        files_read=files_read,
        files_skipped=len(ignored),
        timezone=str(zone.key),
        paths=names,
        decoders=decoders,
        archives=archives,
    )


def _count(payload: dict[str, Any], decoders: dict[str, DecoderCounts]) -> None:
    """Add one file's decoder paths (payloads cached by an older version have none)."""
    for fmt, took in payload.get("decoders", {}).items():
        counts = decoders.setdefault(fmt, DecoderCounts())
        counts.paths.update(took["paths"])
        counts.reasons.update(took["reasons"])


def _count_member(payload: dict[str, Any], counts: ArchiveCounts) -> None:
    """Count one archive member read: an activity file, not one, or refused."""
    if payload["activities"]:
        counts.activities += 1
    elif any(p["kind"] == "error" for p in payload["problems"]):
        counts.refused += 1
    else:
        counts.not_activities += 1


def _join_strava(rows: list[_Row], problems: list[Problem] | None = None) -> list[_Row]:
    """Give each file named by a Strava activities.csv row that row's metadata; drop the row.

    Strava's CSV holds what the athlete edited (name, gear, type, perceived exertion);
    the file holds the streams. Unmatched rows stay as summary-only activities, and so do
    rows whose start is more than :data:`STRAVA_JOIN_SLACK` from every activity of the
    file they name (a warning in ``problems`` says so): a wrong join would give one run
    another's date and sport.
    """
    by_location: dict[tuple[str, str], list[int]] = {}
    for n, row in enumerate(rows):
        if row.link is None and row.summary.get("format") != "strava_csv":
            by_location.setdefault(row.item.location, []).append(n)
    drop = set()
    for n, row in enumerate(rows):
        if row.link is None or row.summary.get("format") != "strava_csv":
            continue
        targets = by_location.get(row.item.sibling(row.link))
        if not targets:
            continue
        start = _utc(row.summary["start_time"])
        target = min(targets, key=lambda t: abs(_utc(rows[t].summary["start_time"]) - start))
        found = _utc(rows[target].summary["start_time"])
        if abs(found - start) > STRAVA_JOIN_SLACK:
            if problems is not None:
                problems.append(Problem(
                    row.source,
                    f"the row for {row.link} starts {start:%Y-%m-%d %H:%M} UTC but that file "
                    f"starts {found:%Y-%m-%d %H:%M} UTC: not joined, both kept",
                    "warning",
                ))
            continue
        _apply_strava(rows[target].summary, row.summary, row.source)
        drop.add(n)
    return [r for n, r in enumerate(rows) if n not in drop]


def _utc(value: Any) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts


def _apply_strava(target: dict[str, Any], row: dict[str, Any], csv_source: str) -> None:
    for col in STRAVA_JOINED:
        if not pd.isna(row.get(col)):
            target[col] = row[col]
    sport, mine = row.get("sport"), target.get("sport")
    # the athlete's own activity type wins, unless it only says "running" about a run the
    # file already knows more precisely (treadmill, trail)
    if sport and sport != "other" and not (sport == "running" and mine in schema.RUNNING_SPORTS):
        target["sport"] = sport
    note = f"title, gear and type from {csv_source}"
    quality = target.get("quality")
    target["quality"] = f"{quality}; {note}" if quality else note


def _frame(rows: list[_Row], zone: ZoneInfo, *, zoned: bool = True) -> pd.DataFrame:
    """The rows as an ACTIVITY frame, local times localised to ``zone``.

    ``zoned``: the zone is the athlete's, so the offset it gives a local-time row is
    recorded in ``utc_offset_min``; otherwise (UTC by default) the row's offset stays
    unknown, and :mod:`loadwatch.calendar` says its local time is UTC.
    """
    if not rows:
        return schema.empty(schema.ACTIVITY)
    local = np.array([r.local_time for r in rows])
    starts = [r.summary.pop("start_time") for r in rows]
    records = [{**r.summary, "source": r.source} for r in rows]
    frame = pd.DataFrame.from_records(records)
    utc = pd.Series(pd.NaT, index=frame.index, dtype=schema.UTC_TIME)
    naive_local = pd.to_datetime(
        pd.Series([s if m else None for s, m in zip(starts, local, strict=True)], dtype=object),
        errors="coerce",
    )
    if local.any():
        wall = naive_local[local]
        if getattr(wall.dt, "tz", None) is not None:
            wall = wall.dt.tz_localize(None)
        localised = wall.dt.tz_localize(
            zone, ambiguous=np.zeros(len(wall), dtype=bool), nonexistent="shift_forward"
        )
        utc[local] = localised.dt.tz_convert("UTC").astype(schema.UTC_TIME)
        utc_wall = localised.dt.tz_convert("UTC").dt.tz_localize(None)
        offset = (localised.dt.tz_localize(None) - utc_wall).dt.total_seconds()
        frame["utc_offset_min"] = frame.get("utc_offset_min", pd.Series(np.nan, index=frame.index))
        if zoned:
            frame.loc[local, "utc_offset_min"] = (offset / 60).round().to_numpy()
    if (~local).any():
        given = pd.Series([s for s, m in zip(starts, local, strict=True) if not m], dtype=object)
        utc[~local] = pd.to_datetime(given.map(_utc), utc=True).astype(schema.UTC_TIME).to_numpy()
    frame["start_time"] = utc
    return schema.conform(frame, schema.ACTIVITY)


# -- record streams on demand ---------------------------------------------------------------------


def _disk_path(source: str) -> str:
    if Path(source).exists():
        return source
    disk = source.split("!", 1)[0]
    if "\\x" in disk and not Path(disk).exists() and Path(disk).parent.is_dir():
        # a name shown with \xNN escapes (not UTF-8): find it among its folder's files
        return str(Path(disk).parent)
    return disk


def _find_items(source: str) -> Iterator[Item]:
    """The file(s) shown as ``source``; an archive may hold two members of one name."""
    first: Item | None = None
    found = False
    for entry in iter_items([_disk_path(source)]):
        if isinstance(entry, Problem):
            if entry.source == source:
                raise InputError(entry.reason)
            continue
        if entry.source == source:
            found = True
            yield entry
        first = first or entry
    if found:
        return
    if first is not None and Path(source).exists():
        yield first
        return
    raise InputError(f"{source}: not found (was the file moved since it was read?)")


def _find_item(source: str) -> Item:
    return next(_find_items(source))


def read_records(source_or_path: str | Path, index: int = 0) -> pd.DataFrame:
    """The record stream (:data:`loadwatch.schema.RECORDS`) of one activity of one file.

    ``source_or_path`` is a file path or a ``source`` as the activity table shows it
    (``archive.zip!member.fit``); ``index`` picks an activity of a multi-activity file.
    Summary-only sources (CSV rows) give an empty frame. Raises InputError when the file
    cannot be read.
    """
    item = _find_item(str(source_or_path))
    _, parsed = _run_reader(item.data, item.name, item.source)
    if not 0 <= index < len(parsed):
        raise InputError(f"{item.source}: has {len(parsed)} activities, no index {index}")
    return _records(parsed[index])


def _records(parsed: ParsedActivity) -> pd.DataFrame:
    if parsed.records is None:
        return schema.empty(schema.RECORDS)
    return schema.conform(parsed.records, schema.RECORDS)


def records_for(result: ReadResult, activity_id_: str) -> pd.DataFrame:
    """The record stream of one activity of ``result``, re-read from its file.

    Streams are not kept in memory after reading (2,000 activities of 1 Hz records would
    not fit comfortably); this reads the one file again. Summary-only activities give an
    empty frame. Raises KeyError for an unknown id, InputError if the file is gone.
    """
    match = result.activities.loc[result.activities["activity_id"] == activity_id_]
    if match.empty:
        raise KeyError(activity_id_)
    source = str(match["source"].iloc[0])
    for item in _find_items(source):
        try:
            _, parsed = _run_reader(item.data, item.name, item.source)
        except InputError:
            continue  # the other member of the same name may be the one
        for index, act in enumerate(parsed):
            if act.summary.get("activity_id", activity_id(item.data, index)) == activity_id_:
                return _records(act)
    raise InputError(f"{source}: no longer holds activity {activity_id_}")
