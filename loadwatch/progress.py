"""What a long import is doing: a one-line progress bar on a terminal, a summary otherwise.

A coach's batch or a first import of ten years of exports takes a while; on a terminal
:class:`Progress` redraws one line on stderr (files done of total, files per second,
time left). When stderr is not a terminal (cron, a pipe, a CI log) or ``quiet`` is set
it draws nothing, so logs hold no carriage-return noise; the caller prints one summary
line at the end (:meth:`Progress.summary`) unless ``quiet``. ``verbose`` lists each problem
file as it is found. Everything goes to one stream, and a clock can be injected, so the
display is testable without a terminal.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from loadwatch.problems import Problem
from loadwatch.problems import terminal_text as _safe

#: Shortest time between two redraws [s]: fast enough to look live, slow enough that
#: drawing never costs more than the work it reports.
REDRAW_S = 0.1
#: Width of the bar itself [characters]; the line stays within 80 columns.
BAR_WIDTH = 24


def _clock_text(seconds: float) -> str:
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real file
        return False


class Progress:
    """Progress of reading files; implements :class:`loadwatch.read.ProgressSink`.

    ``bar``: draw the redrawn line (default: only when ``stream`` is a terminal and not
    ``quiet``). ``clock`` returns seconds (default :func:`time.monotonic`).
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        quiet: bool = False,
        verbose: bool = False,
        bar: bool | None = None,
        label: str = "Reading",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.verbose = verbose
        self.bar = (not quiet and _isatty(self.stream)) if bar is None else bar
        self.label = label
        self.clock = clock
        self.total = 0
        self.done = 0
        self.cached = 0
        self.started = clock()
        self._drawn = 0  # length of the line on screen, 0 when none
        self._last_draw = float("-inf")

    # -- the ProgressSink protocol -------------------------------------------------------

    def add_total(self, files: int) -> None:
        """Expect ``files`` more files."""
        self.total += max(0, files)
        self._draw()

    def advance(self, files: int, *, cached: int = 0) -> None:
        """``files`` more are done, ``cached`` of them taken from the cache."""
        self.done += files
        self.cached += cached
        self._draw(force=self.done >= self.total)

    # -- messages ------------------------------------------------------------------------

    def problem(self, problem: Problem) -> None:
        """List one problem file (``verbose`` only), above the bar."""
        if self.verbose:
            self.message(problem.line())

    def message(self, text: str) -> None:
        """Print one line above the bar (always, even when ``quiet``)."""
        self._clear()
        print(text, file=self.stream, flush=True)
        self._draw(force=True)

    def set_label(self, label: str) -> None:
        """What is being read now (e.g. the athlete's name), shown before the bar."""
        self.label = label
        self._draw()

    def close(self) -> None:
        """Remove the bar from the screen (the terminal is left as it was)."""
        self._clear()
        self.bar = False

    # -- numbers -------------------------------------------------------------------------

    @property
    def elapsed(self) -> float:
        return max(0.0, self.clock() - self.started)

    @property
    def parsed(self) -> int:
        """Files parsed (not taken from the cache)."""
        return self.done - self.cached

    def rate(self) -> float | None:
        """Files done per second so far, or None before the first second's worth."""
        elapsed = self.elapsed
        return self.done / elapsed if elapsed > 0 and self.done else None

    def eta(self) -> float | None:
        """Seconds left at the rate so far, or None when unknown."""
        rate = self.rate()
        if rate is None or self.total <= self.done:
            return None
        return (self.total - self.done) / rate

    def line(self) -> str:
        """The bar line, e.g. ``Sam [#####-----] 120/250 files  41.0/s  ETA 0:03``."""
        total = max(self.total, self.done)
        filled = round(BAR_WIDTH * self.done / total) if total else 0
        text = (f"{_safe(self.label, 20)} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] "
                f"{self.done}/{total} files")
        rate, eta = self.rate(), self.eta()
        if rate is not None:
            text += f"  {rate:.1f}/s"
        if eta is not None:
            text += f"  ETA {_clock_text(eta)}"
        return text

    def summary(self) -> str:
        """One line for the end: ``Read 250 files (240 from the cache) in 3.2 s``."""
        files = f"{self.done} file{'s' if self.done != 1 else ''}"
        cache = f" ({self.cached} from the cache)" if self.cached else ""
        return f"Read {files}{cache} in {self.elapsed:.1f} s"

    # -- drawing -------------------------------------------------------------------------

    def _draw(self, force: bool = False) -> None:
        if not self.bar:
            return
        now = self.clock()
        if not force and now - self._last_draw < REDRAW_S:
            return
        self._last_draw = now
        text = self.line()
        pad = " " * max(0, self._drawn - len(text))
        self.stream.write("\r" + text + pad)
        self.stream.flush()
        self._drawn = len(text)

    def _clear(self) -> None:
        if self.bar and self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0

