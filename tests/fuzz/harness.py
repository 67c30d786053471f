"""Fuzz harness for the importers: mutated files through ``parse_item`` in a killable pool.

Run from the repository root::

    python -m tests.fuzz.harness --profile long --budget-inputs 100000   # ~1 h on 2 cores
    python -m tests.fuzz.harness --profile quick                          # the test suite's
    python -m tests.fuzz.harness --replay tests/regressions/*             # re-run files

Each input (see :func:`tests.fuzz.mutators.make_case`) runs in a worker process with an
address-space limit (``RLIMIT_AS``); a worker silent for ``--timeout`` seconds is killed
and its input counted as a hang. Plain inputs go through :func:`loadwatch.read.parse_item`,
containers (.gz/.zip) are written to disk and go through :func:`loadwatch.sources.iter_items`
first. A **crash** is an exception escaping either, a problem reading "internal error..."
(a reader raised something other than InputError), a payload that would break the batch
(not picklable, or summaries that :data:`loadwatch.schema.ACTIVITY` cannot hold), a reason
that is not one line, or a worker that died. Crashes are deduplicated by exception type and
innermost loadwatch frame; the first input of each is minimised and saved under
``--out`` (default ``build/fuzz``) with ``report.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import multiprocessing as mp
import multiprocessing.connection as mpc
import pickle
import re
import resource
import shutil
import sys
import tempfile
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import loadwatch
from loadwatch import read
from loadwatch.importers import fastfit, fit
from loadwatch.problems import InputError, Problem
from loadwatch.sources import Item, iter_items
from tests import fitcompare
from tests.fuzz import mutators, seeds

PACKAGE_DIR = Path(loadwatch.__file__).resolve().parent
#: Seconds an input may take before it counts as a hang.
TIMEOUT_S = 10.0
#: Address space per worker [bytes]; an input needing more fails with MemoryError.
MEMORY_BYTES = 2 * 2**30
#: Differential mode: one input in this many is also read whole both ways (fit.read).
FULL_COMPARE_EVERY = 50
#: Differential mode: seeds are cut to this many bytes (fitparse's time bounds the run).
DIFFERENTIAL_SEED_BYTES = 2 * 1024
#: Candidate inputs tried while minimising one crash.
MINIMISE_TRIES = 400


@dataclass(frozen=True)
class Profile:
    """How many inputs, from which seeds."""

    inputs: int
    include_real: bool
    minimise: bool


PROFILES = {
    "quick": Profile(inputs=300, include_real=True, minimise=False),
    "long": Profile(inputs=100_000, include_real=True, minimise=True),
}


@dataclass(frozen=True)
class Outcome:
    """What one input did: ``status`` is ok, crash, hang or died."""

    status: str
    signature: str = ""
    detail: str = ""
    seconds: float = 0.0
    activities: int = 0
    problems: int = 0


# -- checking one input (runs in a worker) -----------------------------------------------------


def signature(exc: BaseException) -> str:
    """Exception type and innermost loadwatch frame, e.g. "KeyError @ importers/csv.py:read:42"."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(PACKAGE_DIR)]
    frame = ours[-1] if ours else (frames[-1] if frames else None)
    if frame is None:
        return type(exc).__name__
    path = Path(frame.filename).resolve()
    where = path.relative_to(PACKAGE_DIR).as_posix() if ours else path.name
    return f"{type(exc).__name__} @ {where}:{frame.name}:{frame.lineno}"


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]


def _reason_crash(reason: str, fmt: str) -> tuple[str, str] | None:
    if not reason.strip() or len(reason.splitlines()) != 1:  # \v, \x85, \u2028 break too
        return f"BadReason @ {fmt}", repr(reason[:200])
    return None


def _check_payload(payload: dict[str, Any], data: bytes, name: str) -> tuple[str, str] | None:
    """The (signature, detail) of what is wrong with a parse_item result, or None."""
    fmt = name.rsplit(".", 1)[-1]
    for p in payload["problems"]:
        reason = p["reason"]
        if reason.startswith("internal error"):
            try:
                read._run_reader(data, name, name)
            except InputError:
                pass
            except Exception as exc:
                return signature(exc), reason[:300]
            return f"InternalError @ read.py:parse_item ({fmt})", reason[:300]
        bad = _reason_crash(reason, fmt)
        if bad:
            return bad
    try:
        pickle.dumps(payload)
    except Exception as exc:
        return f"Unpicklable {type(exc).__name__} ({fmt})", _one_line(exc)
    rows = [
        read._Row(dict(a["summary"]), name, Item(name, name, b"", "", name), a["link"],
                  a["local_time"])
        for a in payload["activities"]
    ]
    if rows:
        try:
            read._frame(rows, ZoneInfo("UTC"))
        except Exception as exc:
            return f"Summary {signature(exc)} ({fmt})", _one_line(exc)
    return None


def check_input(name: str, data: bytes, wrapped: bool, workdir: str) -> Outcome:
    """Run one input as loadwatch would and say whether it was handled cleanly."""
    start = time.perf_counter()
    n_act = n_prob = 0
    bad: tuple[str, str] | None = None
    try:
        if wrapped:
            path = Path(workdir) / name
            path.write_bytes(data)
            for entry in iter_items([str(path)]):
                if isinstance(entry, Problem):
                    n_prob += 1
                    bad = bad or _reason_crash(entry.reason, "sources")
                    continue
                payload = read.parse_item(entry.data, entry.name, entry.source)
                n_act += len(payload["activities"])
                n_prob += len(payload["problems"])
                bad = bad or _check_payload(payload, entry.data, entry.name)
        else:
            payload = read.parse_item(data, name, name)
            n_act, n_prob = len(payload["activities"]), len(payload["problems"])
            bad = _check_payload(payload, data, name)
    except Exception as exc:  # escaped parse_item or iter_items
        bad = (signature(exc), _one_line(exc))
    seconds = time.perf_counter() - start
    if bad:
        return Outcome("crash", bad[0], bad[1], seconds, n_act, n_prob)
    return Outcome("ok", seconds=seconds, activities=n_act, problems=n_prob)


def check_differential(name: str, data: bytes, wrapped: bool, workdir: str) -> Outcome:
    """Differential mode: the fast FIT decoder agrees with fitparse on ``data`` or declines.

    A fast-decoder exception other than :class:`~loadwatch.importers.fastfit.Declined`, or
    any difference in what the decoders give the shared summary code (and so in activity
    rows, record streams or errors), is a crash.
    """
    start = time.perf_counter()
    try:
        fastfit.decode(fit._repair_header(data, []), fit._RECORD_NAMES,
                       frozenset(fit.SUMMARY_MESSAGES))
    except fastfit.Declined:
        return Outcome("ok", detail="declined", seconds=time.perf_counter() - start)
    except Exception as exc:
        return Outcome("crash", f"FastDecoder {signature(exc)}", _one_line(exc),
                       time.perf_counter() - start)
    result = fitcompare.compare_scans(data)
    if not result.difference and zlib.crc32(data) % FULL_COMPARE_EVERY == 0:
        result = fitcompare.compare(data, name)  # the whole reader too, now and then
    seconds = time.perf_counter() - start
    if result.difference:
        kind = " ".join(result.difference.split()[:3])
        return Outcome("crash", f"Disagree {kind}", result.difference[:300], seconds)
    return Outcome("ok", detail="declined" if result.declined else "agreed", seconds=seconds)


# -- a pool of killable workers ----------------------------------------------------------------


def _worker(conn: mpc.Connection, memory_bytes: int, inherited: list[mpc.Connection],
            check: Callable[..., Outcome] = check_input) -> None:
    for other in inherited:  # the parent's ends, copied by fork: EOF must reach us if it dies
        other.close()
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    workdir = tempfile.mkdtemp(prefix="lwfuzz-")
    try:
        while True:
            job = conn.recv()
            if job is None:
                break
            conn.send(check(*job, workdir))
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class _Slot:
    proc: Any
    conn: mpc.Connection
    job: Any = None
    started: float = 0.0


class Runner:
    """``workers`` processes, each with ``memory_bytes`` of address space, killed after
    ``timeout`` seconds on one input. Use as a context manager."""

    def __init__(self, workers: int = 2, timeout: float = TIMEOUT_S,
                 memory_bytes: int = MEMORY_BYTES,
                 check: Callable[..., Outcome] = check_input) -> None:
        self.timeout = timeout
        self.check = check
        self.memory_bytes = memory_bytes
        methods = mp.get_all_start_methods()
        self._ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        self._slots = [self._spawn() for _ in range(max(1, workers))]

    def _spawn(self) -> _Slot:
        parent, child = self._ctx.Pipe()
        inherited = [parent, *(s.conn for s in getattr(self, "_slots", []))]
        if self._ctx.get_start_method() != "fork":
            inherited = []
        proc = self._ctx.Process(
            target=_worker, args=(child, self.memory_bytes, inherited, self.check), daemon=True
        )
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def _replace(self, slot: _Slot) -> _Slot:
        if slot.proc.is_alive():
            slot.proc.kill()
        slot.proc.join(5)
        slot.conn.close()
        new = self._spawn()
        self._slots[self._slots.index(slot)] = new
        return new

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (politely, then by kill)."""
        for slot in self._slots:
            with contextlib.suppress(OSError):
                slot.conn.send(None)
        for slot in self._slots:
            slot.proc.join(2)
            if slot.proc.is_alive():
                slot.proc.kill()
                slot.proc.join(2)
            slot.conn.close()
        self._slots = []

    def run(self, jobs: Iterable[Any], args: Callable[[Any], tuple[str, bytes, bool]]
            ) -> Iterator[tuple[Any, Outcome]]:
        """Yield (job, outcome) for each job as workers finish (not in order)."""
        it = iter(jobs)
        idle = list(self._slots)
        busy: dict[mpc.Connection, _Slot] = {}
        exhausted = False
        while True:
            while idle and not exhausted:
                job = next(it, None)
                if job is None:
                    exhausted = True
                    break
                slot = idle.pop()
                slot.job, slot.started = job, time.perf_counter()
                slot.conn.send(args(job))
                busy[slot.conn] = slot
            if not busy:
                return
            wait_s = min(s.started for s in busy.values()) + self.timeout - time.perf_counter()
            for conn in mpc.wait(list(busy), timeout=max(0.0, wait_s)):
                slot = busy.pop(conn)  # type: ignore[arg-type]
                try:
                    outcome = slot.conn.recv()
                except (EOFError, OSError):
                    slot.proc.join(5)
                    code = slot.proc.exitcode
                    outcome = Outcome("died", f"WorkerDied exit {code}", "worker process died",
                                      time.perf_counter() - slot.started)
                    job, slot = slot.job, self._replace(slot)
                    idle.append(slot)
                    yield job, outcome
                    continue
                idle.append(slot)
                yield slot.job, outcome
            now = time.perf_counter()
            for conn, slot in list(busy.items()):
                if now - slot.started > self.timeout:
                    del busy[conn]
                    job = slot.job
                    idle.append(self._replace(slot))
                    yield job, Outcome("hang", "Hang", f"no answer in {self.timeout:g} s",
                                       now - slot.started)


# -- minimising --------------------------------------------------------------------------------


def minimise(runner: Runner, name: str, data: bytes, wanted: str, wrapped: bool = False,
             tries: int = MINIMISE_TRIES) -> bytes:
    """A smaller input giving the same crash signature: whole lines first, then bytes."""
    budget = [tries]

    def first_hit(candidates: list[bytes]) -> bytes | None:
        batch = candidates[: budget[0]]
        budget[0] -= len(batch)
        hits = {}
        for cand, out in runner.run(batch, lambda c: (name, c, wrapped)):
            if out.signature == wanted:
                hits[id(cand)] = cand
        for cand in batch:
            if id(cand) in hits:
                return cand
        return None

    for splitter in (lambda d: d.splitlines(keepends=True), lambda d: [bytes([b]) for b in d]):
        units = splitter(data)
        chunk = max(1, len(units) // 2)
        while chunk >= 1 and budget[0] > 0 and units:
            starts = range(0, len(units), chunk)
            candidates = [b"".join(units[:s] + units[s + chunk:]) for s in starts]
            found = None
            for at in range(0, len(candidates), 8):
                found = first_hit(candidates[at:at + 8])
                if found is not None or budget[0] <= 0:
                    break
            if found is not None:
                data = found
                units = splitter(data)
                chunk = min(chunk, max(1, len(units) // 2))
            elif chunk == 1:
                break
            else:
                chunk //= 2
        if len(data) > 4096:  # byte-level passes are for small inputs
            break
    return data


# -- a run -------------------------------------------------------------------------------------


@dataclass
class Finding:
    """One distinct crash or hang, with its first input."""

    signature: str
    detail: str
    count: int
    first: str
    seconds: float
    file: str = ""


@dataclass
class Report:
    """Totals of a fuzz run (also written as report.json)."""

    inputs: int = 0
    by_format: dict[str, int] = field(default_factory=dict)
    wrapped: int = 0
    activities: int = 0
    crashes: dict[str, Finding] = field(default_factory=dict)
    hangs: list[Finding] = field(default_factory=list)
    slowest: Finding | None = None
    elapsed_s: float = 0.0
    seeds: int = 0
    #: differential mode: inputs the fast FIT decoder declined (the rest agreed or crashed)
    declined: int | None = None

    def unhandled(self) -> int:
        """Inputs that crashed or hung."""
        return sum(f.count for f in self.crashes.values()) + len(self.hangs)

    def text(self) -> str:
        """A few lines for a terminal."""
        formats = ", ".join(f"{k} {v:,}" for k, v in self.by_format.items())
        lines = [
            f"inputs: {self.inputs:,} ({formats};"
            f" {self.wrapped:,} wrapped) from {self.seeds} seeds in {self.elapsed_s:,.0f} s",
            f"distinct crashes: {len(self.crashes)}; hangs: {len(self.hangs)}",
        ]
        if self.declined is not None:
            lines.append(f"differential: fast decoder declined {self.declined:,}, "
                         f"agreed with fitparse on the other {self.inputs - self.declined:,}"
                         " (less any crashes above)")
        for f in self.crashes.values():
            lines.append(f"  CRASH x{f.count} {f.signature}: {f.detail} [{f.first}] {f.file}")
        for f in self.hangs:
            lines.append(f"  HANG {f.first} {f.file}")
        if self.slowest:
            lines.append(f"slowest: {self.slowest.seconds:.2f} s {self.slowest.first}")
        return "\n".join(lines)


def _slug(sig: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", sig).strip("_")[:80]


def _save(folder: Path, stem: str, name: str, data: bytes) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    suffix = name[name.index("."):] if "." in name else ""
    path = folder / (stem + suffix)
    path.write_bytes(data)
    return str(path)


def run(
    profile: str = "quick",
    *,
    inputs: int | None = None,
    workers: int = 2,
    timeout: float = TIMEOUT_S,
    memory_bytes: int = MEMORY_BYTES,
    out: str | Path | None = None,
    key: str = "0",
    include_real: bool | None = None,
    seed_list: Sequence[seeds.Seed] | None = None,
    progress: bool = False,
    differential: bool = False,
) -> Report:
    """Fuzz ``inputs`` cases (default: the profile's) and return the totals.

    With ``out``, crashing inputs (minimised in the long profile), hangs and the slowest
    input are saved there, with ``report.json``. ``differential``: FIT inputs only, each
    checked by :func:`check_differential` instead of :func:`check_input`.
    """
    prof = PROFILES[profile]
    real = prof.include_real if include_real is None else include_real
    pool = list(seed_list) if seed_list is not None else seeds.load(real)
    total = prof.inputs if inputs is None else inputs
    check: Callable[..., Outcome] = check_input
    if differential:
        pool = [seeds.Seed(s.name, s.fmt, s.data[:DIFFERENTIAL_SEED_BYTES])
                for s in pool if s.fmt == "fit"]
        check = check_differential
    report = Report(seeds=len(pool), declined=0 if differential else None)
    by_format: Counter[str] = Counter()
    examples: dict[str, mutators.Case] = {}
    slowest_case: mutators.Case | None = None
    folder = Path(out) if out else None
    start = time.perf_counter()
    cases: Iterable[mutators.Case] = (mutators.make_case(pool, i, key) for i in range(total))
    if differential:  # plain FIT bytes (containers are the sources' business)
        cases = (
            c for c in (mutators.make_case(pool, i, key) for i in itertools.count())
            if not c.wrapped
        )
        cases = itertools.islice(cases, total)
    with Runner(workers, timeout, memory_bytes, check) as runner:
        for case, outcome in runner.run(cases, lambda c: (c.name, c.data, c.wrapped)):
            report.inputs += 1
            if differential and outcome.detail == "declined":
                report.declined = (report.declined or 0) + 1
            by_format[case.fmt] += 1
            report.wrapped += case.wrapped
            report.activities += outcome.activities
            if outcome.status == "hang":
                report.hangs.append(Finding("Hang", outcome.detail, 1, case.describe,
                                            outcome.seconds))
                if progress:
                    print(f"hang [{case.describe}]", file=sys.stderr, flush=True)
                if folder:
                    report.hangs[-1].file = _save(folder / "hangs", f"hang-{case.index}",
                                                  case.name, case.data)
            elif outcome.status in ("crash", "died"):
                found = report.crashes.get(outcome.signature)
                if found is None:
                    report.crashes[outcome.signature] = Finding(
                        outcome.signature, outcome.detail, 1, case.describe, outcome.seconds)
                    examples[outcome.signature] = case
                    if progress:
                        print(f"new crash {outcome.signature}: {outcome.detail} "
                              f"[{case.describe}]", file=sys.stderr, flush=True)
                else:
                    found.count += 1
            if outcome.status != "hang" and (
                report.slowest is None or outcome.seconds > report.slowest.seconds
            ):
                report.slowest = Finding("slowest", outcome.status, 1, case.describe,
                                         outcome.seconds)
                slowest_case = case
            if progress and report.inputs % 1000 == 0:
                print(f"[{time.perf_counter() - start:7.0f} s] {report.inputs:,} inputs, "
                      f"{len(report.crashes)} crashes, {len(report.hangs)} hangs",
                      file=sys.stderr, flush=True)
        if folder:
            for sig, case in examples.items():
                data = case.data
                if prof.minimise and not case.wrapped:
                    data = minimise(runner, case.name, data, sig)
                report.crashes[sig].file = _save(folder / "crashes", _slug(sig), case.name, data)
            if slowest_case is not None and report.slowest is not None:
                report.slowest.file = _save(folder, "slowest", slowest_case.name,
                                            slowest_case.data)
    report.by_format = dict(sorted(by_format.items()))
    report.elapsed_s = time.perf_counter() - start
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
        body = asdict(report)
        body["crashes"] = list(body["crashes"].values())
        (folder / "report.json").write_text(json.dumps(body, indent=2) + "\n")
    return report


def replay(paths: Sequence[str], timeout: float = TIMEOUT_S) -> list[tuple[str, Outcome]]:
    """Run files as inputs (containers through iter_items); their outcomes."""
    jobs = [Path(p) for p in paths]

    def args(p: Path) -> tuple[str, bytes, bool]:
        name = p.name.lower()
        wrapped = name.endswith((".gz", ".zip"))
        return (p.name if wrapped else "x" + name[name.rindex("."):], p.read_bytes(), wrapped)

    with Runner(2, timeout) as runner:
        return [(str(p), o) for p, o in runner.run(jobs, args)]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: a fuzz run, or a replay of files."""
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.harness",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument("--budget-inputs", type=int, default=None, help="inputs to try")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="hang after [s]")
    parser.add_argument("--memory-gib", type=float, default=MEMORY_BYTES / 2**30)
    parser.add_argument("--out", default="build/fuzz", help="folder for findings")
    parser.add_argument("--key", default="0", help="run key: another key, other cases")
    parser.add_argument("--no-real", action="store_true", help="generated seeds only")
    parser.add_argument("--replay", nargs="+", metavar="FILE", help="run these files")
    parser.add_argument("--differential", action="store_true",
                        help="FIT only: the fast decoder must agree with fitparse or decline")
    ns = parser.parse_args(argv)
    if ns.replay:
        bad = 0
        for path, outcome in replay(ns.replay, ns.timeout):
            bad += outcome.status != "ok"
            print(f"{outcome.status:5} {outcome.seconds:6.2f} s {path} {outcome.signature} "
                  f"{outcome.detail}")
        return 1 if bad else 0
    report = run(
        ns.profile,
        inputs=ns.budget_inputs,
        workers=ns.workers,
        timeout=ns.timeout,
        memory_bytes=int(ns.memory_gib * 2**30),
        out=ns.out,
        key=ns.key,
        include_real=False if ns.no_real else None,
        progress=True,
        differential=ns.differential,
    )
    print(report.text())
    return 1 if report.unhandled() else 0


if __name__ == "__main__":
    sys.exit(main())
