"""A squad at once: one report per athlete of a roster, an index page and summary.json.

:func:`run_batch` analyses each athlete of a :class:`~loadwatch.roster.Roster` (sharing one
parsed-file cache, so a weekly re-run only parses new files), writes their report, then
``summary.json`` (the same content for scripts) and ``index.html`` last: a table of the
athletes, most severe current finding first. "Current" is what the report leads with
(:func:`loadwatch.result.focus`): the latest week, or the week that just ended when the
latest has no runs yet (so a Monday run still shows the weekend's findings). A finding
is *new* when the previous run's summary.json (same folder) did not list it for the same
athlete, rule and week.

One athlete can never stop the others: a missing folder, a roster entry whose files are
all broken, a bad config or an error while writing becomes a row saying so. Athlete
names are untrusted text: the index escapes them (Jinja2 autoescape) and file names are
slugs of ASCII letters, digits and ``-`` (:func:`assign_slugs`), so no name can reach
outside the output folder or overwrite another athlete's report. Every file is written
atomically (:func:`loadwatch.atomic.write_atomic`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from loadwatch.atomic import (
    STALE_TMP_S,
    check_replaceable,
    fsync_dir,
    remove_stale,
    write_atomic,
)
from loadwatch.lifetime import Terminated, worker_pool
from loadwatch.outcomes import athlete_weeks, index_section, pack_weeks
from loadwatch.problems import Problem, UsageError
from loadwatch.read import ParsedCache, read_activities
from loadwatch.result import LATEST_WITH_RUNS, Analysis, current_findings, fails, present
from loadwatch.roster import Roster, RosterAthlete
from loadwatch.rules import RULES
from loadwatch.schema import SEVERITIES, severity_rank
from loadwatch.settings import find_config, read_settings
from loadwatch.sources import estimate_files

SUMMARY_NAME = "summary.json"
INDEX_NAME = "index.html"
#: Bumped when summary.json changes shape; a reader can refuse versions it does not know.
SUMMARY_VERSION = 1
#: Longest slug [characters] before a collision suffix; names are labels, not paths.
MAX_SLUG_CHARS = 40
#: Hex digits of the name's SHA-1 that tell colliding slugs apart.
SLUG_HASH_CHARS = 6
#: Slugs that would collide with the files the batch itself writes.
RESERVED_SLUGS = frozenset({"index", "summary"})
#: Start of a report's error when the output folder itself refused it (full, read-only).
_WRITE_FAILED = "output folder refused the report: "
#: Row order and label of athletes without a current finding and of those not analysed.
NO_FINDING, STALE, FAILED = "none", "stale", "failed"
_STATUS_LABELS = {NO_FINDING: "No findings", STALE: "No recent data", FAILED: "No data"}


# --- file names ---------------------------------------------------------------------------


def slugify(name: str) -> str:
    """ASCII letters, digits and ``-`` from ``name`` ("Zoë O'Neil" -> "zoe-o-neil")."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug[:MAX_SLUG_CHARS].strip("-") or "athlete"


def assign_slugs(names: Sequence[str]) -> list[str]:
    """A distinct, file-name-safe slug per name, in order, that does not depend on order.

    A name whose slug no other name shares keeps it ("Eve" -> ``eve``); names whose slugs
    collide ("Eve" and "Eve!") or hit a reserved name each get a short hash of the name
    itself (``eve-3f2a9c``), so swapping two athletes in the roster never swaps their
    report files. Only names identical after hashing (never, in practice) are numbered.
    """
    bases = [slugify(name) for name in names]
    shared = {b for b in bases if bases.count(b) > 1} | set(RESERVED_SLUGS)
    out: list[str | None] = [None if b in shared else b for b in bases]
    taken = set(RESERVED_SLUGS) | {s for s in out if s is not None}
    for n in sorted((n for n, s in enumerate(out) if s is None), key=lambda n: names[n]):
        digest = hashlib.sha1(names[n].encode("utf-8", "surrogatepass")).hexdigest()
        stem = bases[n][: MAX_SLUG_CHARS - 13].strip("-") or "athlete"
        slug = f"{stem}-{digest[:SLUG_HASH_CHARS]}"
        if slug in taken:
            slug = f"{stem}-{digest[:12]}"
        k = 1
        while slug in taken:
            k += 1
            slug = f"{stem}-{digest[:12]}-{k}"
        taken.add(slug)
        out[n] = slug
    return [s for s in out if s is not None]


# --- results ------------------------------------------------------------------------------


@dataclass
class AthleteSummary:
    """One row of the index and one entry of summary.json (distances in km)."""

    name: str
    slug: str
    status: str  # "ok" or "failed"
    report: str | None = None  # file name of the report in the output folder
    error: str | None = None
    severity: str | None = None  # most severe current finding, None when there is none
    week: str | None = None
    week_start: str | None = None
    distance_km: float | None = None
    previous_distance_km: float | None = None
    change_pct: float | None = None
    runs: int | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    files_read: int = 0
    #: local day of the latest run (ISO date) and days from it to today (None: no run)
    last_run: str | None = None
    days_since_last_run: int | None = None
    #: no run for more than the athlete's ``[report] stale_after_days``: "no recent data"
    stale: bool = False
    #: the athlete's today (ISO date) and the calendar week holding it
    today: str | None = None
    this_week: str | None = None
    #: what ``week`` is: "This week", "Last week" or "Latest week with runs"
    focus: str | None = None
    #: weeks against the pain log (loadwatch.outcomes.PackedWeeks), for the index only
    outcome_weeks: list[Any] | None = None

    @property
    def rank(self) -> int:
        """Sort key: seek_care 3 ... info 0, no current finding -1, no recent data -2, not
        analysed -3. A stale athlete's old findings are not current, so they never rank
        beside this week's; a current red flag still does."""
        if self.status != "ok":
            return -3
        if self.severity:
            return severity_rank(self.severity)
        return -2 if self.stale else -1

    @property
    def new_findings(self) -> int:
        return sum(bool(f.get("new")) for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        doc = dataclasses.asdict(self)
        doc.pop("outcome_weeks")
        return doc


@dataclass
class BatchResult:
    """What :func:`run_batch` wrote and found, athletes in index order."""

    athletes: list[AthleteSummary]
    index: Path
    summary: Path
    generated: str
    previous_run: str | None
    #: one-line notices for the user (unreadable previous summary)
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def flagged(self, fail_on: str) -> list[AthleteSummary]:
        """Athletes with a current finding at or above ``fail_on`` (none for "never"):
        the decision of :func:`loadwatch.result.fails`, as ``check`` makes it."""
        return [a for a in self.athletes if a.status == "ok" and fails([a.severity], fail_on)]

    @property
    def failed(self) -> list[AthleteSummary]:
        return [a for a in self.athletes if a.status != "ok"]

    def counts_line(self) -> str:
        """E.g. "4 athletes: 1 warning, 1 caution, 1 no recent data, 1 no data"."""
        n = len(self.athletes)
        parts = []
        for sev in reversed(SEVERITIES):
            k = sum(a.status == "ok" and a.severity == sev for a in self.athletes)
            if k:
                parts.append(f"{k} {sev.replace('_', ' ')}")
        clear = sum(a.status == "ok" and a.severity is None and not a.stale
                    for a in self.athletes)
        if clear:
            parts.append(f"{clear} no findings")
        old = sum(a.status == "ok" and a.severity is None and a.stale for a in self.athletes)
        if old:
            parts.append(f"{old} no recent data")
        if self.failed:
            parts.append(f"{len(self.failed)} no data")
        return f"{n} athlete{'s' if n != 1 else ''}: " + ", ".join(parts)


# --- one athlete --------------------------------------------------------------------------


def _when(iso: str) -> str:
    """An ISO timestamp as people read it: '22 Nov 2026 12:42 UTC'."""
    try:
        return dt.datetime.fromisoformat(iso).strftime("%d %b %Y %H:%M %Z").strip()
    except ValueError:
        return iso


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 3)


def _summarise(athlete: RosterAthlete, slug: str, a: Analysis) -> AthleteSummary:
    """The current week of ``a``: distance, its change, and the findings of that week."""
    out = AthleteSummary(athlete.name, slug, "ok", files_read=a.files_read,
                         problems=[{"source": p.source, "reason": p.reason} for p in a.problems])
    out.outcome_weeks = pack_weeks(athlete_weeks(a.weekly, a.findings, a.symptoms))
    now = present(a)
    out.last_run = now.last_run.isoformat() if now.last_run else None
    out.days_since_last_run = now.days_since_last_run
    out.stale = now.stale
    out.today, out.this_week = now.today.isoformat(), now.week
    lead = now.focus
    if lead is None:
        return out
    cur = lead.row
    out.focus = lead.label
    out.week = str(cur["week"])
    out.week_start = pd.Timestamp(cur["week_start"]).date().isoformat()
    out.distance_km = _num(cur["distance_km"])
    out.runs = int(cur["runs"])
    if lead.previous is not None:
        out.previous_distance_km = _num(lead.previous["distance_km"])
        prev = out.previous_distance_km
        if prev and out.distance_km is not None:
            out.change_pct = round((out.distance_km - prev) / prev * 100, 1)
    current = current_findings(a)
    if not current.empty:
        current = current.assign(_rank=current["severity"].astype(str).map(severity_rank))
        current = current.sort_values(["_rank", "rule"], ascending=[False, True], kind="stable")
        out.findings = [
            {"rule": str(f.rule), "severity": str(f.severity), "week": str(f.week),
             "message": str(f.message), "template": f.template, "facts": f.facts,
             "new": False}
            for f in current.itertuples(index=False)
        ]
        out.severity = out.findings[0]["severity"]
    return out


def analyse_athlete(
    athlete: RosterAthlete, *, cache: ParsedCache | None = None, today: dt.date | None = None
) -> Analysis:
    """One roster athlete's :class:`Analysis`: their settings (named by the roster, else found
    beside their files), their name, their paths; paths that do not exist become problems.

    Raises :class:`UsageError` when none of the athlete's paths exists. ``batch``,
    ``export`` and ``evaluate`` all analyse an athlete through this one function.
    """
    from loadwatch.pipeline import analyse

    existing = [p for p in athlete.paths if p.exists()]
    if not existing:
        shown = ", ".join(str(p) for p in athlete.paths)
        raise UsageError(f"no such file or folder: {shown}")
    settings = read_settings(athlete.config, search=existing)
    if not settings.name:
        settings = dataclasses.replace(settings, name=athlete.name)
    a = analyse(existing, settings=settings, jobs=1, cache=cache, today=today)
    missing = [p for p in athlete.paths if not p.exists()]
    a.problems = [Problem(str(p), "no such file or folder") for p in missing] + a.problems
    return a


def athlete_report(
    athlete: RosterAthlete, slug: str, outdir: Path, *, cache: ParsedCache | None = None,
    weeks: int = 16, units: str = "km", today: dt.date | None = None,
) -> AthleteSummary:
    """Analyse one athlete, write ``outdir/<slug>.html``, and summarise; never raises.

    Reading goes through ``cache``, which the batch has already filled (phase 1), so this
    is the part run once per athlete in the athlete pool.
    """
    from loadwatch.report import write_report

    try:
        a = analyse_athlete(athlete, cache=cache, today=today)
    except UsageError as exc:
        return AthleteSummary(athlete.name, slug, FAILED, error=str(exc))
    except (Terminated, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug for one athlete must not cost the squad its reports
        return AthleteSummary(athlete.name, slug, FAILED,
                              error=f"internal error: {type(exc).__name__}: {exc}")
    row = _summarise(athlete, slug, a)
    try:
        write_report(a, outdir / f"{slug}.html", weeks=weeks, units=units)
        row.report = f"{slug}.html"
    except OSError as exc:
        prefix = _WRITE_FAILED if exc.errno in _FOLDER_ERRNOS else "cannot write the report: "
        row.error = f"{prefix}{exc.strerror or exc}"
    except Exception as exc:
        row.error = f"internal error writing the report: {type(exc).__name__}: {exc}"
    return row


def _athlete_job(
    athlete: RosterAthlete, slug: str, outdir: Path, cache_dir: str | None, weeks: int,
    units: str, today: dt.date | None,
) -> AthleteSummary:
    """:func:`athlete_report` in a worker process, with its own connection to the cache."""
    from loadwatch.cache import Cache

    if cache_dir is None:
        return athlete_report(athlete, slug, outdir, weeks=weeks, units=units, today=today)
    with Cache(cache_dir, rebuild=False) as cache:  # never delete the shared store
        return athlete_report(athlete, slug, outdir, cache=cache, weeks=weeks, units=units,
                              today=today)


class _Prepaid:
    """Passes progress on, but not the totals: the batch announced them all up front."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress

    def add_total(self, files: int) -> None:
        pass

    def advance(self, files: int, *, cached: int = 0) -> None:
        self.progress.advance(files, cached=cached)


# --- the squad ----------------------------------------------------------------------------


def _previous(path: Path) -> tuple[set[tuple[str, str, str]] | None, str | None, str | None]:
    """(athlete, rule, week) of the previous summary.json, its time, and a notice if bad."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        keys = {
            (str(a["name"]), str(f["rule"]), str(f["week"]))
            for a in doc["athletes"] for f in a.get("findings") or []
        }
        return keys, str(doc.get("generated") or "") or None, None
    except FileNotFoundError:
        return None, None, None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        return None, None, (f"{path}: previous summary unreadable ({type(exc).__name__}); "
                            "no finding marked new")


def run_batch(
    roster: Roster,
    outdir: str | Path,
    *,
    jobs: int = 1,
    cache: ParsedCache | None = None,
    progress: Any = None,
    weeks: int = 16,
    units: str = "km",
    today: dt.date | None = None,
    config: str | Path | None = None,
    scheduler: str | None = None,
) -> BatchResult:
    """Analyse every athlete of ``roster`` and write their reports, summary.json, index.html.

    Two phases: every athlete's files are parsed into ``cache`` first, in ``jobs``
    processes (only new or changed files are parsed; ``progress``, a
    :class:`loadwatch.progress.Progress`, shows it), then each athlete is analysed from the
    cache and their report rendered, athletes spread over ``jobs`` processes. With
    ``cache=None`` a temporary cache carries the parsed files between the phases.
    ``weeks`` and ``units`` are the reports'; ``today`` is "now" for every athlete
    (default: today in each one's zone); ``config`` the settings of athletes whose roster
    entry names none and whose first folder has no loadwatch.toml. With ``scheduler`` (a
    dask.distributed address) both phases run as tasks on that cluster instead
    (:mod:`loadwatch.cluster`), for the same outputs. Raises
    :class:`UsageError` only when ``outdir`` cannot be created, and
    :class:`OutputsNotWritten` when the outputs cannot be written (nothing is replaced
    then: all outputs of a run are committed together, see :class:`_Staging`);
    everything about one athlete becomes their row.
    """
    started = time.perf_counter()
    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {out}: {exc.strerror or exc}") from None
    previous, previous_run, notice = _previous(out / SUMMARY_NAME)
    notices = [notice] if notice else []
    if config is not None:
        roster = with_default_config(roster, Path(config))
    slugs = assign_slugs([a.name for a in roster.athletes])
    sink = None
    if progress is not None:
        progress.add_total(sum(_estimate(a) for a in roster.athletes))
        sink = _Prepaid(progress)

    with contextlib.ExitStack() as stack:
        staging = stack.enter_context(_Staging(out))
        if cache is None:  # --no-cache: a throwaway cache carries phase 1 into phase 2
            from loadwatch.cache import Cache

            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="loadwatch-"))
            cache = stack.enter_context(Cache(scratch))
        # phase 1: parse every athlete's new files, file-parallel, into the cache
        unread: dict[str, str] = {}
        for athlete in roster.athletes if scheduler is None else ():  # cluster: in phase 2
            if progress is not None:
                progress.set_label(athlete.name)
            failure = _prefetch(athlete, jobs=jobs, cache=cache, progress=sink)
            if failure:
                unread[athlete.name] = failure
        # phase 2: analyse and render each athlete, athlete-parallel, reading the cache;
        # reports go to the staging folder until every output is written
        if scheduler is not None:
            from loadwatch.cluster import cluster_reports

            rows = cluster_reports(scheduler, roster, slugs, staging.path, cache=cache,
                                   weeks=weeks, units=units, today=today, progress=progress)
        else:
            rows = _reports(roster, slugs, staging.path, cache=cache, jobs=jobs, weeks=weeks,
                            units=units, today=today)
        for row in rows:
            if row.name in unread and row.status == "ok":
                row.error = unread[row.name]
        staging.check(rows)
        _finish(rows, previous, progress)
        generated = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        result = BatchResult(rows, out / INDEX_NAME, out / SUMMARY_NAME, generated,
                             previous_run, notices)
        staging.write(SUMMARY_NAME, summary_json(result, roster))
        staging.write(INDEX_NAME, render_index(result, units=units))
        staging.commit([r.report for r in rows if r.report] + [SUMMARY_NAME, INDEX_NAME])
    result.seconds = time.perf_counter() - started
    return result


def _finish(rows: list[AthleteSummary], previous: set[tuple[str, str, str]] | None,
            progress: Any) -> None:
    """List each athlete's problems, mark new findings and sort the rows (index order)."""
    if progress is not None:
        for row in rows:
            for p in row.problems:
                progress.problem(Problem(f"{row.name}: {p['source']}", p["reason"]))

    for row in rows:
        for f in row.findings:
            f["new"] = previous is not None and (row.name, f["rule"], f["week"]) not in previous
    def since(r: AthleteSummary) -> float:  # stale athletes: the most recently active first
        if r.rank != -2:
            return 0.0
        return float("inf") if r.days_since_last_run is None else r.days_since_last_run

    rows.sort(key=lambda r: (-r.rank, since(r), r.name.casefold()))


def _estimate(athlete: RosterAthlete) -> int:
    """Files expected for one athlete; 0 when their paths cannot even be listed."""
    try:
        return estimate_files(athlete.paths)
    except Exception:  # the athlete's own row will say what is wrong
        return 0


def _prefetch(athlete: RosterAthlete, *, jobs: int, cache: ParsedCache,
              progress: Any) -> str | None:
    """Phase 1 for one athlete: parse their new files into ``cache``; never raises.

    Whatever goes wrong here (a hostile folder, a bug in a reader) is this athlete's
    problem: returned as a one-line note for their row, and phase 2 reads what it can.
    """
    try:
        existing = [p for p in athlete.paths if p.exists()]
        if existing:
            read_activities(existing, jobs=jobs, cache=cache, progress=progress)
    except (Terminated, KeyboardInterrupt):
        raise
    except Exception as exc:
        return f"reading stopped early: {type(exc).__name__}: {exc}"
    return None


class OutputsNotWritten(Exception):
    """The batch's outputs could not be written (disk full, read-only folder): none of
    the previous reports, summary.json or index.html was replaced. One-line message."""


#: Name start of the hidden folder a run stages its outputs in.
STAGING_PREFIX = ".loadwatch-batch-"
#: Errors that mean the output folder cannot take the outputs at all.
_FOLDER_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES,
                            errno.EPERM, errno.EFBIG})


def _running(pid: int) -> bool:
    """Is process ``pid`` alive on this machine?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, owned by someone else
    return True


class _Staging:
    """A hidden folder inside the output folder that holds one run's outputs until all are
    written, then moves them into place (:meth:`commit`): the reports, then summary.json,
    then index.html. A run that fails before the commit leaves every previous output as
    it was, so summary.json and index.html never disagree; the folder is removed either
    way. Renames within one file system need no space, so the commit cannot run out of
    disk halfway."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out

    def __enter__(self) -> _Staging:
        self._remove_stale()
        try:
            self.path = Path(tempfile.mkdtemp(prefix=self._prefix(), dir=self.out))
        except OSError as exc:
            raise OutputsNotWritten(
                f"cannot write to {self.out}: {exc.strerror or exc}; nothing was replaced"
            ) from None
        return self

    @staticmethod
    def _prefix() -> str:
        """``.loadwatch-batch-<host>-<pid>-``: whose run a staging folder belongs to."""
        host = re.sub(r"[^A-Za-z0-9]+", "-", socket.gethostname())[:40] or "host"
        return f"{STAGING_PREFIX}{host}-{os.getpid()}-"

    def _remove_stale(self) -> None:
        """Staging folders of runs killed outright (``kill -9``): at once when the run was
        on this machine and its process is gone, else once they are an hour old."""
        cutoff = time.time() - STALE_TMP_S
        mine = self._prefix().rsplit("-", 2)[0] + "-"  # this host's prefix, any pid
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.out):
                if not entry.name.startswith(STAGING_PREFIX):
                    continue
                with contextlib.suppress(OSError):
                    if not entry.is_dir(follow_symlinks=False):
                        continue
                    old = entry.stat(follow_symlinks=False).st_mtime < cutoff
                    pid = entry.name[len(mine):].split("-", 1)[0]
                    dead = (entry.name.startswith(mine) and pid.isdigit()
                            and not _running(int(pid)))
                    if old or dead:
                        shutil.rmtree(entry.path, ignore_errors=True)

    def check(self, rows: Sequence[AthleteSummary]) -> None:
        """Refuse to commit when a report failed for lack of space or permission."""
        for row in rows:
            if row.error and row.error.startswith(_WRITE_FAILED) and row.report is None:
                raise OutputsNotWritten(f"cannot write the reports to {self.out}: "
                                        f"{row.error[len(_WRITE_FAILED):]}; nothing was "
                                        "replaced")

    def write(self, name: str, text: str) -> None:
        """Stage one output; a file name that is not UTF-8 (a surrogate escape) shows as
        "?" rather than costing the squad its summary and index."""
        try:
            write_atomic(self.path / name, text.encode("utf-8", "replace"))
        except OSError as exc:
            raise OutputsNotWritten(f"cannot write {self.out / name}: "
                                    f"{exc.strerror or exc}; nothing was replaced") from None

    def commit(self, names: Sequence[str]) -> None:
        """Move the staged files over the outputs, index.html last (it links the rest)."""
        for name in names:
            target = self.out / name
            try:
                check_replaceable(target)
                with contextlib.suppress(FileNotFoundError):  # keep the old file's mode
                    os.chmod(self.path / name, os.stat(target).st_mode & 0o7777)
                os.replace(self.path / name, target)
                remove_stale(self.out, name)
            except OSError as exc:
                raise OutputsNotWritten(f"cannot replace {target}: {exc.strerror or exc}"
                                        ) from None
        fsync_dir(self.out)

    def __exit__(self, *exc: object) -> None:
        if self.path != self.out:
            shutil.rmtree(self.path, ignore_errors=True)


def with_default_config(roster: Roster, config: Path) -> Roster:
    """``roster`` with ``config`` for athletes that have no settings file of their own
    (``--config`` of ``batch``, ``export`` and ``evaluate``)."""
    athletes = tuple(
        a if find_config(a.config, search=[p for p in a.paths if p.exists()]) is not None
        else dataclasses.replace(a, config=config)
        for a in roster.athletes
    )
    return dataclasses.replace(roster, athletes=athletes)


def _reports(
    roster: Roster, slugs: Sequence[str], out: Path, *, cache: ParsedCache, jobs: int,
    weeks: int, units: str, today: dt.date | None,
) -> list[AthleteSummary]:
    """One :func:`athlete_report` per athlete; in a process pool when ``jobs`` > 1.

    Rendering a report (mostly drawing its figures) costs far more than analysing from a
    warm cache, so athletes are spread over the cores. Workers share the cache through its
    folder (SQLite allows concurrent readers); a cache without a folder keeps it serial.
    """
    pairs = list(zip(roster.athletes, slugs, strict=True))
    cache_dir = getattr(cache, "directory", None)
    workers = min(jobs, len(pairs))
    if workers < 2 or cache_dir is None or getattr(cache, "_db", True) is None:
        return [athlete_report(a, s, out, cache=cache, weeks=weeks, units=units, today=today)
                for a, s in pairs]
    with worker_pool(workers) as pool:
        futures = [pool.submit(_athlete_job, a, s, out, str(cache_dir), weeks, units, today)
                   for a, s in pairs]
        rows = []
        for (a, s), fut in zip(pairs, futures, strict=True):
            try:
                rows.append(fut.result())
            except Exception:  # a killed worker (not SIGTERM): do this athlete here
                rows.append(athlete_report(a, s, out, cache=cache, weeks=weeks, units=units,
                                           today=today))
    return rows


def summary_json(result: BatchResult, roster: Roster) -> str:
    """summary.json: the index's content for scripts (distances in km)."""
    doc = {
        "version": SUMMARY_VERSION,
        "generated": result.generated,
        "previous_run": result.previous_run,
        "roster": str(roster.path),
        "athletes": [a.to_json() for a in result.athletes],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- index.html ---------------------------------------------------------------------------



@dataclass(frozen=True)
class IndexRow:
    """One athlete as the index shows it: every value already text."""

    name: str
    href: str | None
    token: str  # css class suffix: a severity, "none" or "failed"
    label: str
    week: str
    distance: str
    change: str
    finding: str
    more: str
    new: int
    note: str
    #: "Sun 4 Jul 2021" and "1,976 days ago" ("–" and "" without a run)
    last_run: str = "–"
    last_run_ago: str = ""


def _change_text(pct: float | None, prev: float | None, cur: float | None) -> str:
    if pct is not None:
        return f"{pct:+.0f} %".replace("-", "−")
    if prev == 0 and cur:
        return "from 0"
    return "–"


def index_rows(result: BatchResult, units: str = "km") -> list[IndexRow]:
    """The rows of the index, in its order, formatted for ``units`` ("km" or "mi")."""
    from loadwatch import format as fmt
    from loadwatch.format import message
    from loadwatch.report.context import SEVERITY_LABELS, units_for

    u = units_for(units)
    rows = []
    for a in result.athletes:
        if a.status != "ok":
            rows.append(IndexRow(a.name, None, FAILED, _STATUS_LABELS[FAILED], "–", "–", "–",
                                 a.error or "could not be analysed", "", 0, ""))
            continue
        token = a.severity or (STALE if a.stale else NO_FINDING)
        label = SEVERITY_LABELS.get(token, _STATUS_LABELS.get(token, token))
        if a.findings:
            top = a.findings[0]
            title = RULES[top["rule"]].title if top["rule"] in RULES else top["rule"]
            finding = f"{title}: {message(top, u)}"
            rest = len(a.findings) - 1
            more = f"and {rest} more this week" if rest else ""
        elif a.stale or a.focus == LATEST_WITH_RUNS:
            finding, more = fmt.no_runs_since(a.last_run, a.days_since_last_run) + ".", ""
        else:
            finding, more = "Nothing flagged this week.", ""
        notes = []
        if a.error:
            notes.append(a.error)
        if a.problems:
            notes.append(f"{len(a.problems)} file{'s' if len(a.problems) != 1 else ''} "
                         "with problems")
        rows.append(IndexRow(
            a.name, a.report, token, label, a.week or "–", u.fd(a.distance_km),
            _change_text(a.change_pct, a.previous_distance_km, a.distance_km),
            finding, more, a.new_findings, "; ".join(notes),
            fmt.long_day(a.last_run) if a.last_run else "–", fmt.days_ago(a.days_since_last_run),
        ))
    return rows


def render_index(result: BatchResult, *, units: str = "km") -> str:
    """index.html as one self-contained string (the report's stylesheet, inlined)."""
    from loadwatch.report.render import TEMPLATES, stylesheet
    from loadwatch.wording import DISCLAIMER, NOT_DETECTION_SQUAD, RED_FLAG_ACTION, RED_FLAGS

    css = stylesheet()
    from loadwatch import format as fmt

    # every athlete's today is the same unless their zones straddle midnight
    todays = sorted({(a.today, a.this_week) for a in result.athletes if a.today})
    today, this_week = (fmt.long_day(todays[-1][0]), todays[-1][1]) if todays else ("–", "–")
    return TEMPLATES.get_template(INDEX_NAME).render(
        today=today, this_week=this_week,
        rows=index_rows(result, units), css=css, generated=_when(result.generated),
        previous_run=result.previous_run, counts=result.counts_line(),
        red_flags=RED_FLAGS, red_flag_action=RED_FLAG_ACTION, disclaimer=DISCLAIMER,
        not_detection=NOT_DETECTION_SQUAD,
        outcomes=index_section(a.outcome_weeks for a in result.athletes if a.status == "ok"),
    )

