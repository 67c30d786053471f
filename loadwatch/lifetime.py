"""Worker processes never outlive the run that started them.

Killing only the main process of a batch (``kill PID`` from cron's timeout, or the OOM
killer) used to leave its pool workers running for ever, holding the cache and the
output pipes, so cron never saw the job end. Every pool loadwatch starts comes from
:func:`worker_pool`: each worker asks the kernel to kill it when its parent dies (Linux
``prctl(PR_SET_PDEATHSIG)`` through ctypes) or, where that is not available, runs a
watchdog thread that exits when its parent's pid changes. :func:`terminate_on_sigterm`
turns SIGTERM into :class:`Terminated` in the main process, and a pool left by an
exception cancels what is queued and stops its workers instead of waiting for them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

#: Linux prctl option: the signal a process receives when its parent dies.
_PR_SET_PDEATHSIG = 1
#: How often the fallback watchdog looks at the parent's pid [s].
WATCHDOG_S = 0.5
#: Longest wait for stopped workers to exit before they are killed [s].
STOP_WAIT_S = 5.0
#: Exit status of a run stopped by SIGTERM (128 + 15, the shell convention).
SIGTERM_EXIT = 128 + signal.SIGTERM


class Terminated(BaseException):
    """SIGTERM arrived: unwind (removing temporary files, stopping workers) and exit.

    A BaseException, so that ``except Exception`` around one athlete cannot swallow it.
    """


def die_with_parent(parent: int | None = None) -> None:
    """Make this (worker) process end when ``parent`` (default: its parent now) ends."""
    parent = os.getppid() if parent is None else parent
    if sys.platform.startswith("linux") and _pdeathsig(signal.SIGKILL):
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)
        return
    watchdog = threading.Thread(target=_watch, args=(parent,), daemon=True,
                                name="loadwatch-parent-watchdog")
    watchdog.start()


def _pdeathsig(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False if refused."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCHDOG_S)
    os._exit(1)


def _init_worker(parent: int) -> None:
    """Pool initializer: die with the parent, and leave SIGTERM/SIGINT to it."""
    die_with_parent(parent)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def new_pool(max_workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process (the caller shuts it down)."""
    return ProcessPoolExecutor(max_workers=max_workers, initializer=_init_worker,
                               initargs=(os.getpid(),))


@contextlib.contextmanager
def worker_pool(max_workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers die with this process; see the module docstring.

    Leaving normally waits for the work as usual; leaving by an exception (including
    :class:`Terminated`) cancels queued work and stops the workers at once.
    """
    pool = new_pool(max_workers)
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel queued work, terminate the workers and wait (bounded) for them to exit."""
    processes: dict[Any, Any] = dict(getattr(pool, "_processes", None) or {})
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes.values():
        with contextlib.suppress(Exception):
            proc.terminate()
    deadline = time.monotonic() + STOP_WAIT_S
    for proc in processes.values():
        with contextlib.suppress(Exception):
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()


@contextlib.contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` in the main thread (elsewhere, or
    off the main thread, nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated(f"stopped by signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
