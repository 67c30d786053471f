"""Only redo what changed: which athletes of a batch keep last run's report.

A weekly cron over a squad used to analyse every athlete and draw every report again,
although most athletes had nothing new. ``batch`` now keeps, per athlete, the keys of
what their report was made from, in a small manifest next to the outputs
(:data:`MANIFEST_NAME`, committed with them), and an athlete whose keys all match keeps
last run's report and summary row:

- the **base key** (:func:`base_key`): loadwatch's version and its own code and templates
  (:func:`code_fingerprint`, so an upgrade or a fix redoes everything), the versions of
  the libraries that draw the report, the roster entry and its slug, the resolved
  settings, ``--weeks`` and ``--units``, and the athlete's local *date* (from ``--today``
  or the clock, :func:`loadwatch.calendar.today`). Not the ISO week: the report and the
  summary row show facts that change from one day to the next within a week (the days
  since the last run, whether the days since the last activity count as rest, a red
  flag current for 14 days, which week :func:`loadwatch.result.focus` leads with), and a
  date key is the coarsest one that can never serve a stale one;
- and either the **stat key** (:func:`stat_key`): the path, size, mtime, ctime, inode and
  device of every file under the athlete's paths (the same walk as the readers'), which
  costs a ``stat`` per file and no read at all;
- or, when a stat changed (a ``touch``, a copy, a restored backup), the **input key**
  (:func:`input_key`): a hash of exactly what the analysis is given (the activity table
  read from the files, every column; the problems; the symptom log's bytes), so a file
  whose stat changed but whose content did not still keeps the report, after one read
  and hash of the athlete's files (the parse is a cache hit).

The stat key is trusted only when it can be: a walk that met an unreadable entry gives
none, and neither does a file modified within :data:`RACY_NS` of the walk (a second
write in the same timestamp tick, with the same size, would not change its stat; git
calls such files "racily clean"), so such an athlete is checked by content next time.

The report file itself is checked too: its SHA-256 is in the manifest, so a report that
is missing or was altered is drawn again. A manifest that is missing, unreadable, of
another format or written by another version simply means every athlete is redone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loadwatch import calendar

if TYPE_CHECKING:
    from loadwatch.read import ReadResult
    from loadwatch.roster import RosterAthlete
    from loadwatch.settings import Settings

#: The manifest in the output folder (hidden: it is for loadwatch, not for people).
MANIFEST_NAME = ".loadwatch-manifest.json"
MANIFEST_FORMAT = "loadwatch-batch-manifest"
#: Bumped when the manifest changes shape; another version's manifest is ignored.
MANIFEST_VERSION = 1
#: A file modified less than this long before the walk [ns] does not give a stat key:
#: far longer than any file system's timestamp granularity.
RACY_NS = 2_000_000_000
#: Libraries whose output is part of a report's bytes.
_RENDERING_LIBS = ("pandas", "numpy", "matplotlib", "jinja2")
#: Files of the package that make its behaviour (sources, templates, stylesheets).
_CODE_SUFFIXES = frozenset({".py", ".html", ".css", ".js", ".toml", ".json", ".txt"})


def _sha256(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 of loadwatch's version, its own files and the rendering libraries' versions.

    Read once per process (about 1 MB); a development checkout whose code changed without
    a version bump is then never served a report the old code drew.
    """
    import loadwatch

    h = hashlib.sha256(loadwatch.__version__.encode())
    root = Path(loadwatch.__file__).resolve().parent
    for path in sorted(root.rglob("*")):
        if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts:
            with contextlib.suppress(OSError):
                h.update(path.relative_to(root).as_posix().encode() + b"\0")
                h.update(path.read_bytes() + b"\0")
    from importlib import metadata

    for lib in _RENDERING_LIBS:
        try:
            h.update(f"{lib}={metadata.version(lib)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=?\0".encode())
    return h.hexdigest()


def base_key(
    athlete: RosterAthlete, slug: str, settings: Settings, *, weeks: int, units: str,
    today: dt.date | None, renderer: str,
) -> str:
    """The key of everything but the files: see the module docstring.

    ``renderer`` names the function that writes reports (a test that swaps it for a
    stub must not be served a real report, nor the other way round). A ``today`` given
    explicitly is kept apart from the clock's: with ``--today`` later activities are
    left out (and said so), without it they are not.
    """
    local = calendar.today(settings.timezone, today)
    doc = {
        "code": code_fingerprint(), "renderer": renderer, "athlete": repr(athlete),
        "slug": slug, "settings": repr(settings), "weeks": weeks, "units": units,
        "today": local.isoformat(), "today_given": today is not None,
    }
    return _sha256(json.dumps(doc, sort_keys=True))


def _walk(root: Path) -> Any:
    """The entries the readers' walk visits under a folder (files and problems)."""
    from loadwatch.sources import _tree

    return _tree(root)


def stat_key(paths: Sequence[Path], extra: Sequence[Path] = (), *,
             now_ns: int | None = None) -> str | None:
    """SHA-256 of the stat of every file under ``paths`` (and of ``extra`` files, such as a
    symptom log beside a file), or None when it could not be trusted; no file is read.

    The walk is the readers' own (:func:`loadwatch.sources.iter_items`), so a file added,
    removed, renamed or changed, or a folder that became unreadable, changes the key.
    """
    now = time.time_ns() if now_ns is None else now_ns
    h = hashlib.sha256()

    def add(path: Path | str) -> bool:
        try:
            st = os.stat(path)
        except OSError:
            return False
        if max(st.st_mtime_ns, st.st_ctime_ns) > now - RACY_NS:
            return False
        h.update(f"{path}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
                 f"\0{st.st_ino}\0{st.st_dev}\n".encode("utf-8", "surrogateescape"))
        return True

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            h.update(f"missing\0{path}\n".encode("utf-8", "surrogateescape"))
            continue
        if not path.is_dir():
            if not add(path):
                return None
            continue
        h.update(f"folder\0{path}\n".encode("utf-8", "surrogateescape"))
        for entry in _walk(path):
            if isinstance(entry, Path):
                if not add(entry):
                    return None
            else:  # a problem the walk met (a loop, an unreadable folder): contents unknown
                return None
    for path in extra:
        if not add(path):
            return None
    return h.hexdigest()


def input_key(read: ReadResult, symptom_log: Path | None) -> str | None:
    """SHA-256 of what the analysis is given: the activity table (every column, dtypes
    included), the problems and counts of the read, and the symptom log's bytes; None
    when the table cannot be hashed."""
    import numpy as np
    import pandas as pd

    acts = read.activities
    h = hashlib.sha256()
    h.update(repr([(str(c), str(t)) for c, t in acts.dtypes.items()]).encode())
    h.update(repr(list(acts.index)).encode())
    for name, column in acts.items():
        h.update(f"{name}\0".encode())
        if column.dtype != object:
            h.update(pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes())
            continue
        for value in column:  # histograms: arrays per activity
            if isinstance(value, np.ndarray):
                h.update(f"{value.dtype}{value.shape}".encode())
                h.update(np.ascontiguousarray(value).tobytes())
            else:
                h.update(repr(value).encode("utf-8", "surrogateescape"))
            h.update(b"\1")
    h.update(repr([(p.source, p.reason, p.kind) for p in read.problems]).encode(
        "utf-8", "surrogateescape"))
    h.update(repr((read.files_read, read.files_skipped, read.timezone, read.paths)).encode(
        "utf-8", "surrogateescape"))
    if symptom_log is not None:
        h.update(_file_digest(symptom_log).encode())
    return h.hexdigest()


def _file_digest(path: Path) -> str:
    """SHA-256 of a regular file's bytes, or what stopped it being read (a FIFO is never
    opened: :func:`loadwatch.sources.read_regular` refuses it)."""
    from loadwatch.sources import read_regular

    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except (OSError, ValueError) as exc:
        return f"unreadable: {type(exc).__name__}: {exc}"


def file_sha256(path: Path) -> str:
    """SHA-256 of the file at ``path`` (a report: a few MB at most)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- the manifest -------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One athlete of the manifest: the keys their report was made from, the report's
    file name and SHA-256, and their summary row (every field, for the index too)."""

    base: str
    stat: str | None
    input: str | None
    report: str
    report_sha256: str
    row: Mapping[str, Any]

    def matches(self, base: str, *, stat: str | None = None, input: str | None = None
                ) -> bool:
        """Same base key, and the same stat key or the same input key (never two Nones)."""
        if base != self.base:
            return False
        return ((stat is not None and stat == self.stat)
                or (input is not None and input == self.input))


def read_manifest(out: Path) -> dict[str, Entry]:
    """The previous run's entries by slug; empty when the manifest is missing, unreadable,
    foreign or of another version (then every athlete is simply redone)."""
    try:
        doc = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
        if doc.get("format") != MANIFEST_FORMAT or doc.get("version") != MANIFEST_VERSION:
            return {}
        entries = {}
        for slug, e in doc["athletes"].items():
            entry = Entry(str(e["base"]), e.get("stat"), e.get("input"), str(e["report"]),
                          str(e["report_sha256"]), dict(e["row"]))
            if entry.report == f"{slug}.html" and entry.row.get("slug") == slug:
                entries[str(slug)] = entry
        return entries
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def manifest_json(entries: Mapping[str, Entry]) -> str:
    """The manifest's text for ``entries`` (by slug)."""
    doc = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "athletes": {slug: dataclasses.asdict(e) for slug, e in sorted(entries.items())},
    }
    return json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
