"""Shared benchmark plumbing: medians of several runs, the machine's load, peak RSS.

The machine these run on is shared and noisy (2 cores, other jobs come and go): every
script measures its baseline in the same process, right beside the figure, and prints the
load average, so that the ratios can be trusted when the seconds cannot.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
#: The real files (../shared/realdata beside the repo, else the shared folder itself).
REALDATA = ROOT.parent / "shared" / "realdata"
if not REALDATA.is_dir():
    REALDATA = Path("/work/shared/realdata")


def times(fn: Callable[[], object], runs: int, setup: Callable[[], object] = lambda: None
          ) -> list[float]:
    """Wall-clock seconds of ``runs`` calls of ``fn``, each after an untimed ``setup()``."""
    out = []
    for _ in range(runs):
        setup()
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def median_seconds(fn: Callable[[], object], runs: int,
                   setup: Callable[[], object] = lambda: None) -> float:
    """The median of :func:`times`."""
    return statistics.median(times(fn, runs, setup))


def load_note() -> str:
    """The load average, with the warning that goes with it on a shared machine."""
    one, five, _ = os.getloadavg()
    return (f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores; the machine "
            "is shared and noisy: trust the ratios measured side by side more than the seconds")


def verdict(value: float, target: float, *, at_most: bool) -> str:
    """"met" or "MISSED" for ``value`` against ``target``."""
    ok = value <= target if at_most else value >= target
    return "met" if ok else "MISSED"


@dataclass
class ChildRun:
    """One child process: its wall time, its peak RSS and that of its process tree."""

    seconds: float
    returncode: int
    #: largest peak resident set of any one process of the tree [MB]: each process's
    #: ``VmHWM`` (the kernel's high-water mark of its own memory), read every ``sample_s``,
    #: so it misses only growth in a process's last ``sample_s``. Not wait4's ru_maxrss:
    #: a child spawned by vfork (as subprocess does) starts from its spawner's high-water
    #: mark, so a benchmark that had held 600 MB reported 613 MB for ``python -c pass``
    max_rss_mb: float
    #: largest sum of the resident sets of the child and its descendants [MB], sampled from
    #: /proc every ``sample_s``: what the machine had to hold at once (may miss a spike)
    tree_rss_mb: float
    stderr: str = ""


def _tree_rss_kb(pid: int, peaks: dict[int, int] | None = None) -> int:
    """The summed VmRSS of ``pid`` and its descendants [KB]; each process's VmHWM is kept
    in ``peaks`` (the largest seen per pid)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:") and peaks is not None:
                        peaks[p] = max(peaks.get(p, 0), int(line.split()[1]))
                    elif line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_child(argv: Sequence[str], *, sample_s: float = 0.1,
              env: dict[str, str] | None = None) -> ChildRun:
    """Run ``argv`` (stdout discarded, stderr kept on failure) and measure it."""
    if env is None:  # the child imports this worktree's loadwatch, as this process does
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    start = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env)
    peak = [0]
    peaks: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(sample_s):
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid, peaks))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stderr is not None
    err = proc.stderr.read()  # until the child closes it (it exits)
    _, status = os.waitpid(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = err.decode("utf-8", "replace")
    if proc.returncode != 0:
        sys.stderr.write(text[-2000:])
    return ChildRun(seconds, proc.returncode, max(peaks.values(), default=0) / 1024,
                    peak[0] / 1024, text)


def self_peak_rss_mb() -> float:
    """This process's peak resident set so far [MB] (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def loadwatch_cli(*args: str) -> list[str]:
    """The argv of ``loadwatch ARGS`` run with this interpreter (the worktree's code)."""
    return [sys.executable, "-m", "loadwatch", *args]
