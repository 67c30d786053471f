"""Roster work as tasks on an existing dask.distributed cluster (``--scheduler``).

Without a scheduler nothing here is imported and ``batch`` and ``export`` run in this
process and its local pool. With one (``--scheduler tcp://host:8786``,
``LOADWATCH_SCHEDULER``, or ``scheduler`` in the roster's ``[cluster]`` table, in that
order: :func:`scheduler_address`), :func:`cluster_map` makes each athlete two tasks:

1. *scan* (:func:`scan_athlete`): on a worker, walk the athlete's paths and hash every
   file; the keys come back to the client, which looks them up in its cache;
2. *work*: on a worker, the cached payloads travel with the task, the misses are parsed
   there, and the athlete's job runs: for ``batch`` :func:`loadwatch.batch.athlete_report`
   (analyse, write the report atomically), for ``export``
   :func:`loadwatch.export.export_athlete` (analyse, write the athlete's Parquet files
   into the export's staging folder), exactly the functions a local run calls; the
   result and the freshly parsed payloads come back, and the client stores those.

So the client alone opens the SQLite cache (no two machines ever write one file), the
outputs are the bytes a local run writes, and a worker that dies mid-task costs nothing
but the retry Dask makes of its tasks (``allowed-failures``); outputs become visible
only when the client commits the whole run. Inputs and the output folder must be
readable (and the output folder writable) at the same path on every worker: a shared
filesystem. A path the client sees but a worker cannot read makes the athlete's result
say so, naming the path and the worker.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from loadwatch.problems import UsageError

if TYPE_CHECKING:
    from loadwatch.batch import AthleteSummary
    from loadwatch.read import ParsedCache
    from loadwatch.roster import Roster, RosterAthlete

ENV_SCHEDULER = "LOADWATCH_SCHEDULER"
#: How long the client waits for the scheduler to answer [s].
CONNECT_TIMEOUT_S = 20
#: What a worker needs in common with the client, said wherever a worker lacks it.
SHARED_FS = "on a filesystem the workers share, at the same path"

R = TypeVar("R")
#: One athlete's work: called on a worker with ``cache=`` the payloads the client sent.
Job = Callable[..., R]


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
            "--scheduler needs dask.distributed: pip install 'loadwatch[cluster]'"
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


def worker_name() -> str:
    """The address of the Dask worker running this code ("this process" outside one)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "this process"


def scan_athlete(paths: Sequence[Path]) -> Scan:
    """Cache keys of every file under the readable ``paths`` (a worker task)."""
    from loadwatch.read import item_key
    from loadwatch.sources import Item, iter_items

    scan = Scan(worker_name())
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


def run_job(job: Job[R], hits: Mapping[str, Any]) -> tuple[R, dict[str, tuple[int, Any]]]:
    """``job(cache=...)`` on a worker, reading ``hits``; also the files it had to parse."""
    relay = _Relay(hits)
    return job(cache=relay), relay.fresh


# --- the client ---------------------------------------------------------------------------


def _connect(address: str) -> Any:
    distributed = _distributed()
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def cluster_map(
    address: str, athletes: Sequence[RosterAthlete], jobs: Sequence[Job[R]],
    failed: Callable[[int, str], R], *, cache: ParsedCache | None, what: str,
    progress: Any = None,
) -> list[R]:
    """``jobs[n](cache=...)`` for every athlete ``n`` on the cluster, results in order.

    A scan task first finds each athlete's files, so only the payloads their job reads
    travel with it (cache misses are parsed on the worker and stored here). Anything
    about one athlete (a path the workers cannot read, a task that failed on every
    retry) becomes ``failed(n, error)``. ``what`` names the command in messages and task
    keys. Raises :class:`UsageError` when dask.distributed is missing or the scheduler
    cannot be reached.
    """
    client = _connect(address)
    run = uuid.uuid4().hex[:8]
    results: list[R | None] = [None] * len(athletes)
    try:
        distributed = _distributed()
        scans = {
            client.submit(scan_athlete, a.paths, key=f"loadwatch-scan-{run}-{n}", pure=False): n
            for n, a in enumerate(athletes)
        }
        works: dict[Any, int] = {}
        files: dict[int, tuple[int, int]] = {}  # athlete -> (files, of which cached)
        pending = distributed.as_completed(list(scans), loop=client.loop)
        for fut in pending:
            if fut in scans:
                n = scans[fut]
                try:
                    scan = fut.result()
                except Exception as exc:
                    results[n] = failed(n, f"the cluster could not scan the files: {exc}")
                    continue
                lost = [p for p in scan.unreadable if Path(p).exists()]
                if lost:
                    results[n] = failed(n, (
                        f"worker {scan.worker} cannot read {', '.join(lost)} ({what} "
                        f"--scheduler needs the files {SHARED_FS})"))
                    continue
                hits = cache.get_many(scan.keys) if cache is not None else {}
                task = client.submit(run_job, jobs[n], hits,
                                     key=f"loadwatch-{what}-{run}-{n}", pure=False)
                works[task] = n
                files[n] = (len(scan.keys), len(hits))
                pending.add(task)
                continue
            n = works[fut]
            try:
                result, fresh = fut.result()
            except Exception as exc:  # e.g. KilledWorker: every retry lost its worker
                results[n] = failed(n, f"internal error on the cluster: "
                                       f"{type(exc).__name__}: {exc}")
            else:
                if cache is not None and fresh:
                    cache.put_many(fresh)
                results[n] = result
            if progress is not None:
                done = sum(r is not None for r in results)
                progress.set_label(f"{done}/{len(athletes)} athletes")
                total, cached = files.get(n, (0, 0))
                progress.advance(total, cached=cached)
    finally:
        client.close()
    return [r for r in results if r is not None]


def cluster_reports(
    address: str, roster: Roster, slugs: Sequence[str], out: Path, *,
    cache: ParsedCache | None, weeks: int, units: str, today: dt.date | None,
    progress: Any = None,
) -> list[AthleteSummary]:
    """``batch --scheduler``: one :func:`loadwatch.batch.athlete_report` row per athlete
    of ``roster``, in roster order, each report written into ``out`` by a worker."""
    from loadwatch.batch import FAILED, AthleteSummary, athlete_report

    athletes = list(roster.athletes)
    jobs = [functools.partial(athlete_report, a, slug, out, weeks=weeks, units=units,
                              today=today)
            for a, slug in zip(athletes, slugs, strict=True)]

    def failed(n: int, error: str) -> AthleteSummary:
        return AthleteSummary(athletes[n].name, slugs[n], FAILED, error=error)

    return cluster_map(address, athletes, jobs, failed, cache=cache, what="batch",
                       progress=progress)
