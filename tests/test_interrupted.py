"""Runs killed with SIGKILL lose nothing: every output is the old or the new complete file.

``loadwatch batch`` and ``loadwatch report`` run in subprocesses (the installed console
script) and are killed at precise points of their work, found by polling the output
folder: while a temporary file is being written, right after one report was replaced,
after summary.json, and while parsing into a fresh cache. Each killed run must leave
every output parseable and equal (but for the generation time) to a complete run's, and
the next normal run must succeed from the same cache without rebuilding it.

What is killed is the writing, not the drawing: the subprocesses save every matplotlib
figure as one small fixed SVG (:data:`QUICK_FIGURES`, a ``sitecustomize`` on their
``PYTHONPATH``), because the figures' content is not what these tests compare and drawing
24 of them was most of each run's time.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from loadwatch import atomic
from loadwatch.atomic import write_atomic
from loadwatch.incremental import MANIFEST_NAME
from tests.report.htmlcheck import blank_generated, parse

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
ROSTER = SAMPLE / "roster.toml"
REPORTS = ("sam.html", "alex.html")
OUTPUTS = (*REPORTS, "summary.json", "index.html")
TEMP = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and process groups")

#: Loaded at start-up by the loadwatch subprocesses: a figure is saved as a fixed SVG
#: without being drawn (the page around it, its data URI and the atomic write are real).
QUICK_FIGURES = """\
import matplotlib.figure


def _savefig(self, fname, *args, **kwargs):
    fname.write(b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>\\n')


matplotlib.figure.Figure.savefig = _savefig
"""
_ENV: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def _quick_figures(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The subprocesses' environment: :data:`QUICK_FIGURES` first on their path."""
    site = tmp_path_factory.mktemp("quick-figures")
    (site / "sitecustomize.py").write_text(QUICK_FIGURES, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH")) if p)
    _ENV.update(os.environ, PYTHONPATH=path)


def loadwatch_cmd() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m loadwatch``."""
    script = shutil.which("loadwatch", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "loadwatch"]


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(loadwatch_cmd() + args, capture_output=True, text=True, timeout=120,
                          env=_ENV or None)


def cache_notices(stderr: str) -> list[str]:
    """The cache's one-line notices (a rebuilt or disabled cache, a failed read or write)."""
    return [line for line in stderr.splitlines()
            if line.startswith("loadwatch: ") and "cache" in line]


def from_cache(stderr: str) -> int:
    """How many files the run took from the cache (its progress summary line)."""
    m = re.search(r"\((\d+) from the cache\)", stderr)
    return int(m.group(1)) if m else 0


def run_killed(args: list[str], when: Callable[[], bool], timeout: float = 60.0) -> bool:
    """Start loadwatch, SIGKILL it (its own process group) once ``when()`` is true.

    Returns True when it was killed, False when it finished first.
    """
    proc = subprocess.Popen(loadwatch_cmd() + args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, env=_ENV or None)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None:
            if when() or time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.0005)
    finally:
        rc = proc.wait(timeout=30)
    return rc == -signal.SIGKILL


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP.fullmatch(p.name))


def mtime_changed(path: Path) -> Callable[[], bool]:
    before = path.stat().st_mtime_ns

    def changed() -> bool:
        try:
            return path.stat().st_mtime_ns != before
        except FileNotFoundError:
            return False

    return changed


def any_temp(folder: Path) -> Callable[[], bool]:
    def seen() -> bool:
        with os.scandir(folder) as it:
            return any(TEMP.fullmatch(e.name) for e in it)

    return seen


_SVG_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")


def report_body(html: str) -> str:
    """A report with its generation time and figures blanked (what a re-run changes).

    matplotlib salts the ids inside an SVG at random per process, so the figures are
    compared for completeness only: each must decode to a whole SVG document.
    """
    for uri in _SVG_URI.findall(html):
        svg = base64.b64decode(uri).decode("utf-8")
        assert svg.rstrip().endswith("</svg>"), "a figure is cut short"
    return _SVG_URI.sub("data:image/svg+xml;base64,", blank_generated(html))


def summary_body(text: str) -> dict:
    doc = json.loads(text)
    doc.pop("generated")
    doc.pop("previous_run")
    return doc


def assert_complete_html(html: str, name: str) -> None:
    assert html.rstrip().endswith("</html>"), f"{name} is cut short"
    p = parse(html)
    assert p.tags.count("html") == 1 and p.tags[0] == "html", name


def assert_outputs_whole(out: Path, first: dict[str, str], when: str = "") -> None:
    """Every output under its final name is complete and says what a complete run says."""
    for name in REPORTS:
        html = (out / name).read_text(encoding="utf-8")
        assert_complete_html(html, f"{name} ({when})")
        assert report_body(html) == report_body(first[name]), f"{name} differs ({when})"
    assert summary_body((out / "summary.json").read_text()) == summary_body(
        first["summary.json"]), when
    index = (out / "index.html").read_text(encoding="utf-8")
    assert_complete_html(index, f"index.html ({when})")
    p = parse(index)
    assert sorted(u for u in p.urls if not u.startswith("#")) == sorted(REPORTS)
    assert {"Sam", "Alex"} <= set(p.visible_text().split())
    for leftover in temp_files(out):
        assert leftover.startswith("."), leftover  # hidden, never under a final name


# --- batch -------------------------------------------------------------------------------


def wal_bigger_than(cache: Path, size: int) -> Callable[[], bool]:
    """True once the cache's write-ahead log holds ``size`` bytes: batches committed."""
    wal = cache / "parsed-files.sqlite-wal"

    def big() -> bool:
        try:
            return wal.stat().st_size > size
        except FileNotFoundError:
            return False

    return big


@pytest.fixture(scope="module")
def squad(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str], dict]:
    """A batch killed while it filled an empty cache, then a complete run on that cache.

    Returns (output folder, cache folder, batch arguments, the complete run's outputs).
    """
    tmp = tmp_path_factory.mktemp("squad")
    out, cache = tmp / "out", tmp / "cache"
    # --today: the files are committed in index order, Sam (a current red flag) first
    args = ["batch", str(ROSTER), "-o", str(out), "--cache-dir", str(cache), "--jobs", "1",
            "--today", "2026-11-16"]
    # a parsed batch is ~140 kB in the log: past 200 kB the first one is committed
    assert run_killed(args, wal_bigger_than(cache, 200_000))
    done = run(args)
    assert done.returncode == 0, done.stderr
    assert cache_notices(done.stderr) == []  # recovered, not rebuilt
    assert 32 <= from_cache(done.stderr) < 168  # the committed batches survived the kill
    first = {n: (out / n).read_text(encoding="utf-8") for n in OUTPUTS}
    assert sorted(p.name for p in out.iterdir()) == sorted((*OUTPUTS, MANIFEST_NAME))
    return out, cache, args, first


def test_killed_batch_keeps_old_or_new_files_and_the_next_run_is_normal(squad):
    out, _, args, first = squad
    # kill points, in the order the batch writes: during the first write (sam.html);
    # after sam.html was replaced (leaving a new sam.html beside the old or the new
    # alex.html); after summary.json, before index.html (a race the batch may win: then
    # every file is new)
    points = [("a temporary file", any_temp(out)), ("sam.html replaced", None),
              ("summary.json replaced", None)]
    for label, when in points:
        when = when or mtime_changed(out / label.split()[0])
        (out / MANIFEST_NAME).unlink(missing_ok=True)  # redo every athlete: kill mid-write
        killed = run_killed(args, when)
        if label == "sam.html replaced":
            # the commit renames alex.html right after sam.html (both were drawn into the
            # staging folder first), so the kill may land before or after it: either way
            # each file is whole, old or new
            assert killed
        assert_outputs_whole(out, first, f"killed at {label}")

    # leftovers of killed writes are hidden temp files; aged, the next write removes them
    stale = time.time() - atomic.STALE_TMP_S - 60
    (out / ".sam.html.abcd_123.tmp").write_text("<html><body>half")
    for name in temp_files(out):
        os.utime(out / name, (stale, stale))

    (out / MANIFEST_NAME).unlink(missing_ok=True)  # read every file again
    again = run(args)
    assert again.returncode == 0, again.stderr
    assert cache_notices(again.stderr) == []
    assert from_cache(again.stderr) == 168  # every file, nothing lost from the cache
    assert_outputs_whole(out, first, "the run after")
    assert temp_files(out) == []
    assert sorted(p.name for p in out.iterdir()) == sorted((*OUTPUTS, MANIFEST_NAME))


# --- one report --------------------------------------------------------------------------


def test_killed_report_keeps_the_previous_one(squad, tmp_path):
    _, cache, _, _ = squad
    report = tmp_path / "sam.html"
    args = ["report", str(SAMPLE / "sam"), "-o", str(report), "--jobs", "1", "--cache-dir",
            str(cache)]
    done = run(args)
    assert done.returncode == 0, done.stderr
    first = report.read_text(encoding="utf-8")
    assert_complete_html(first, "report")
    # killed while writing, and killed at once
    for when in (any_temp(tmp_path), lambda: True):
        run_killed(args, when)
        html = report.read_text(encoding="utf-8")
        assert_complete_html(html, "report")
        assert report_body(html) == report_body(first)
    assert [n for n in os.listdir(tmp_path) if not n.startswith(".")] == ["sam.html"]
    again = run(args)
    assert again.returncode == 0, again.stderr
    assert cache_notices(again.stderr) == []
    assert report_body(report.read_text(encoding="utf-8")) == report_body(first)


# --- atomic.py: what a killed writer leaves ------------------------------------------------


def test_next_write_removes_only_its_own_stale_temp_files(tmp_path):
    target = tmp_path / "r.html"
    old = time.time() - atomic.STALE_TMP_S - 1
    stale = tmp_path / ".r.html.k2x_9abc.tmp"  # a killed writer's, an hour old
    fresh = tmp_path / ".r.html.q8w3e4r5.tmp"  # a concurrent writer's, just made
    other = tmp_path / ".r.html.x.abcdefgh.tmp"  # the temp file of "r.html.x"
    mine = tmp_path / ".notes.tmp"  # not a name mkstemp gives
    for p in (stale, fresh, other, mine):
        p.write_text("half")
    for p in (stale, other, mine):
        os.utime(p, (old, old))
    write_atomic(target, "<html></html>")
    assert target.read_text() == "<html></html>"
    assert not stale.exists()
    assert fresh.exists() and other.exists() and mine.exists()


def test_a_killed_write_leaves_a_hidden_temp_file_that_nothing_reads(tmp_path):
    """SIGKILL between the temporary file and the rename: the target is untouched."""
    target = tmp_path / "r.html"
    target.write_text("old")
    code = (
        "import os, signal, sys\n"
        "from loadwatch import atomic\n"
        "atomic.os.replace = lambda a, b: os.kill(os.getpid(), signal.SIGKILL)\n"
        f"atomic.write_atomic({str(target)!r}, 'new')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert target.read_text() == "old"
    left = temp_files(tmp_path)
    assert len(left) == 1 and left[0].startswith(".r.html.")
    assert (tmp_path / left[0]).read_text() == "new"
