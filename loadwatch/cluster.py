"""``batch --scheduler``: a roster's work as tasks on an existing dask.distributed cluster.

Without a scheduler nothing here is imported and the batch runs on the local process
pool. With one (``--scheduler tcp://host:8786``, ``LOADWATCH_SCHEDULER``, or
``scheduler`` in the roster's ``[cluster]`` table, in that order), each athlete is two
tasks:

1. *scan* (:func:`scan_athlete`): on a worker, walk the athlete's paths and hash every
   file; the keys come back to the client, which looks them up in its cache;
2. *report* (:func:`report_athlete`): on a worker, the cached payloads travel with the
   task, the misses are parsed there, the athlete is analysed and the report written
   (atomically) by :func:`loadwatch.batch.athlete_report`, exactly as a local run does;
   the row and the freshly parsed payloads come back, and the client stores those.

So the client alone opens the SQLite cache (no two machines ever write one file), the
reports are the bytes a local run writes, and a worker that dies mid-task costs nothing
but the retry Dask makes of its tasks (``allowed-failures``). Inputs and the output
folder must be readable (and the output folder writable) at the same path on every
worker: a shared filesystem. A path the client sees but a worker cannot read makes the
athlete's row say so, naming the path and the worker.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loadwatch.problems import UsageError

if TYPE_CHECKING:
    from loadwatch.batch import AthleteSummary
    from loadwatch.read import ParsedCache
    from loadwatch.roster import Roster, RosterAthlete

ENV_SCHEDULER = "LOADWATCH_SCHEDULER"
#: How long the client waits for the scheduler to answer [s].
CONNECT_TIMEOUT_S = 20


def scheduler_address(option: str | None, roster: Roster | None = None) -> str | None:
    """The scheduler to use: the option, else $LOADWATCH_SCHEDULER, else the roster's."""
    for value in (option, os.environ.get(ENV_SCHEDULER),
                  getattr(roster, "scheduler", None)):
        if value and value.strip():
            return value.strip()
    return None


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UsageError(
            "batch --scheduler needs dask.distributed: pip install 'loadwatch[cluster]'"
        ) from None
    return distributed


# --- what runs on a worker ----------------------------------------------------------------


@dataclass
class Scan:
    """What a worker found under one athlete's paths."""

    worker: str
    keys: list[str] = field(default_factory=list)
    #: paths the worker cannot read (absent or no permission there)
    unreadable: list[str] = field(default_factory=list)


def _readable(path: Path) -> bool:
    return path.exists() and os.access(path, os.R_OK)


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "this process"


def scan_athlete(paths: Sequence[Path]) -> Scan:
    """Cache keys of every file under the readable ``paths`` (a worker task)."""
    from loadwatch.read import item_key
    from loadwatch.sources import Item, iter_items

    scan = Scan(_worker_name())
    readable: list[str] = []
    for p in paths:
        (readable if _readable(Path(p)) else scan.unreadable).append(str(p))
    for entry in iter_items(readable):
        if isinstance(entry, Item):
            scan.keys.append(item_key(entry.name, entry.data))
    return scan


class _Relay:
    """A :class:`loadwatch.read.ParsedCache` made of what the client sent; records misses."""

    def __init__(self, hits: Mapping[str, Any]) -> None:
        self.hits = dict(hits)
        self.fresh: dict[str, tuple[int, Any]] = {}

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        return {k: self.hits[k] for k in keys if k in self.hits}

    def put_many(self, items: Mapping[str, tuple[int, Any]]) -> None:
        self.fresh.update(items)


def report_athlete(
    athlete: RosterAthlete, slug: str, outdir: Path, hits: Mapping[str, Any], weeks: int,
    units: str, today: dt.date | None,
) -> tuple[AthleteSummary, dict[str, tuple[int, Any]]]:
    """:func:`loadwatch.batch.athlete_report` on a worker; also the files it had to parse."""
    from loadwatch.batch import athlete_report

    relay = _Relay(hits)
    row = athlete_report(athlete, slug, outdir, cache=relay, weeks=weeks, units=units,
                         today=today)
    return row, relay.fresh


# --- the client ---------------------------------------------------------------------------


def _connect(address: str) -> Any:
    distributed = _distributed()
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _failed(athlete: RosterAthlete, slug: str, error: str) -> AthleteSummary:
    from loadwatch.batch import FAILED, AthleteSummary

    return AthleteSummary(athlete.name, slug, FAILED, error=error)


def cluster_reports(
    address: str, roster: Roster, slugs: Sequence[str], out: Path, *,
    cache: ParsedCache | None, weeks: int, units: str, today: dt.date | None,
    progress: Any = None,
) -> list[AthleteSummary]:
    """One row per athlete of ``roster``, in roster order, computed on the cluster.

    Raises :class:`UsageError` when dask.distributed is missing or the scheduler cannot
    be reached; anything about one athlete (a path the workers cannot read, a task that
    failed on every retry) becomes that athlete's row.
    """
    client = _connect(address)
    run = uuid.uuid4().hex[:8]
    athletes = list(roster.athletes)
    rows: list[AthleteSummary | None] = [None] * len(athletes)
    try:
        distributed = _distributed()
        scans = {
            client.submit(scan_athlete, a.paths, key=f"loadwatch-scan-{run}-{n}", pure=False): n
            for n, a in enumerate(athletes)
        }
        reports: dict[Any, int] = {}
        files: dict[int, tuple[int, int]] = {}  # athlete -> (files, of which cached)
        pending = distributed.as_completed(list(scans), loop=client.loop)
        for fut in pending:
            if fut in scans:
                n = scans[fut]
                a, slug = athletes[n], slugs[n]
                try:
                    scan = fut.result()
                except Exception as exc:
                    rows[n] = _failed(a, slug, f"the cluster could not scan the files: {exc}")
                    continue
                lost = [p for p in scan.unreadable if Path(p).exists()]
                if lost:
                    rows[n] = _failed(a, slug, (
                        f"worker {scan.worker} cannot read {', '.join(lost)} (batch "
                        "--scheduler needs the files on a filesystem the workers share, "
                        "at the same path)"))
                    continue
                hits = cache.get_many(scan.keys) if cache is not None else {}
                task = client.submit(report_athlete, a, slug, out, hits, weeks, units, today,
                                     key=f"loadwatch-report-{run}-{n}", pure=False)
                reports[task] = n
                files[n] = (len(scan.keys), len(hits))
                pending.add(task)
                continue
            n = reports[fut]
            try:
                row, fresh = fut.result()
            except Exception as exc:  # e.g. KilledWorker: every retry lost its worker
                rows[n] = _failed(athletes[n], slugs[n],
                                  f"internal error on the cluster: {type(exc).__name__}: {exc}")
            else:
                if cache is not None and fresh:
                    cache.put_many(fresh)
                rows[n] = row
            if progress is not None:
                done = sum(r is not None for r in rows)
                progress.set_label(f"{done}/{len(athletes)} athletes")
                total, cached = files.get(n, (0, 0))
                progress.advance(total, cached=cached)
    finally:
        client.close()
    return [r for r in rows if r is not None]
