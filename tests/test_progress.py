"""The progress display: a redrawn line on a terminal only, a summary line otherwise."""

from __future__ import annotations

import io

from loadwatch.problems import Problem
from loadwatch.progress import Progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_on_a_terminal_the_line_shows_done_total_rate_and_eta():
    out, clock = Tty(), Clock()
    p = Progress(out, clock=clock, label="Sam")
    p.add_total(100)
    clock.now += 2.0
    p.advance(32, cached=30)
    assert p.line() == "Sam [########----------------] 32/100 files  16.0/s  ETA 0:04"
    assert out.getvalue().endswith("\r" + p.line())
    clock.now += 0.05  # too soon to redraw
    p.advance(1)
    assert "33/100" not in out.getvalue()
    clock.now += 4.0
    p.advance(67)  # the last batch is always drawn
    last = "Sam [########################] 100/100 files  16.5/s"
    assert out.getvalue().endswith("\r" + last + " " * 9)  # blanks over the longer line
    p.close()
    assert out.getvalue().endswith("\r" + " " * len(p.line()) + "\r")
    assert p.summary() == "Read 100 files (30 from the cache) in 6.0 s"


def test_no_bar_when_not_a_terminal_or_quiet():
    for stream, quiet in ((io.StringIO(), False), (Tty(), True)):
        p = Progress(stream, quiet=quiet, clock=Clock())
        p.add_total(10)
        p.advance(10)
        p.problem(Problem("a.fit", "truncated"))
        p.close()
        assert stream.getvalue() == ""
        assert p.summary().startswith("Read 10 files in ")


def test_verbose_lists_problem_files_above_the_bar():
    out, clock = Tty(), Clock()
    p = Progress(out, verbose=True, clock=clock)
    p.add_total(4)
    p.problem(Problem("runs/bad\x1b[2J.fit", "not a FIT file"))
    text = out.getvalue()
    assert "runs/bad [2J.fit: not a FIT file\n" in text  # control characters neutralised
    assert text.endswith("\rReading [------------------------] 0/4 files")
    quiet_list = io.StringIO()
    Progress(quiet_list, verbose=True).problem(Problem("x.gpx", "no track"))
    assert quiet_list.getvalue() == "x.gpx: no track\n"


def test_eta_unknown_until_something_is_done_and_total_never_below_done():
    clock = Clock()
    p = Progress(io.StringIO(), clock=clock)
    p.add_total(2)
    assert p.rate() is None and p.eta() is None
    clock.now += 1
    p.advance(5)  # the estimate was low (a zip inside a zip)
    assert p.eta() is None
    assert "5/5 files" in p.line()
