"""A disposable on-disk cache of parsed files, so weekly runs only parse what is new.

One SQLite row per file (or archive member), keyed by the SHA-1 of its bytes: a renamed
file is still a hit, a changed file is a miss, and a removed file simply is not asked
for again. A second table maps a file's stat (path, size, mtime, ctime, inode, device:
:class:`loadwatch.sources.FileStat`) to the key last read from it, so that a warm run
finds a plain file's row without reading the file; a stat is only remembered once the
file has been unchanged for :data:`loadwatch.incremental.RACY_NS` (a second write within
one timestamp tick would not change it). What is stored is the plain result of parsing
(activity summaries and problems, JSON-encoded), never pickled Python objects. SQLite
in WAL mode with a busy timeout lets two runs (a cron overlap) share the file safely.
A cache that cannot be opened, is corrupt, or was written by another version is deleted
and rebuilt with a one-line notice: the cache is only ever an optimisation.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from loadwatch.sources import FileStat

#: Bump when the parsed payload changes meaning (importer fixes, new columns): old rows
#: are then ignored by rebuilding the store.
CACHE_VERSION = 4  # 4: FIT fixes (numberless developer fields, malformed-message wording)
DB_NAME = "parsed-files.sqlite"
_BUSY_TIMEOUT_MS = 30_000


def default_cache_dir() -> Path:
    """The per-user cache directory (``LOADWATCH_CACHE_DIR`` overrides it)."""
    env = os.environ.get("LOADWATCH_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("loadwatch", appauthor=False))


class Cache:
    """Parsed-file store; see the module docstring. Use as a context manager.

    The cache is disposable: whatever is wrong with it (the database file is a folder,
    ``LOADWATCH_CACHE_DIR`` names a file, corrupt pages, a row of the wrong shape) gives
    one notice and the run carries on, rebuilding the store when it may (``rebuild``) and
    bypassing it otherwise. A pool worker opens the shared store with ``rebuild=False``,
    so it never deletes what the main process is using. At most one notice is kept per
    run (:attr:`notices`); later problems are counted in :attr:`problems`.
    """

    def __init__(self, directory: Path | str | None = None, *, rebuild: bool = True) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.path = self.directory / DB_NAME
        #: one-line notices for the user (a rebuilt cache), printed by the caller
        self.notices: list[str] = []
        #: cache problems met this run (the first is in :attr:`notices`)
        self.problems = 0
        self.hits = 0
        self.misses = 0
        self.rebuild = rebuild
        self._db = self._open()

    def _notice(self, text: str) -> None:
        """Keep the first notice of the run; count the others."""
        self.problems += 1
        if not self.notices:
            self.notices.append(_one_line(text))

    # -- opening and rebuilding -------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.path.exists() and not self.path.is_file():
            raise OSError(f"{self.path} is not a regular file")
        db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        return db

    def _open(self) -> sqlite3.Connection | None:
        try:
            db = self._connect()
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if version == CACHE_VERSION and "parsed" in tables:
                db.execute("SELECT count(*) FROM parsed").fetchone()
                if "seen" not in tables and self.rebuild:  # lost its stat table: remake it
                    with contextlib.suppress(sqlite3.Error):  # busy: next run; not broken
                        self._create(db)
                return db
            if version != 0 or tables:
                db.close()
                if not self.rebuild:
                    return None
                self._discard(f"cache at {self.path} is from another version; rebuilding it")
                db = self._connect()
            self._create(db)
            return db
        except (sqlite3.Error, OSError) as exc:
            return self._replace_broken(exc)

    def _replace_broken(self, exc: BaseException) -> sqlite3.Connection | None:
        """Rebuild an unusable store when it is ours to delete; else run without it."""
        if self.rebuild and self._removable():
            self._discard(f"cache at {self.path} is unusable ({exc}); rebuilding it")
            try:
                db = self._connect()
                self._create(db)
                return db
            except (sqlite3.Error, OSError) as exc2:
                exc = exc2
        self._notice(f"cache at {self.directory} cannot be used ({exc}); running without it")
        return None

    def _removable(self) -> bool:
        """The store's path is a plain file (or absent) inside a real folder."""
        try:
            return self.directory.is_dir() and (not self.path.exists() or self.path.is_file())
        except OSError:
            return False

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "CREATE TABLE IF NOT EXISTS parsed ("
            " sha1 TEXT PRIMARY KEY, size INTEGER NOT NULL, payload TEXT NOT NULL)"
        )
        db.execute("CREATE TABLE IF NOT EXISTS seen (stat TEXT PRIMARY KEY, sha1 TEXT NOT NULL)")
        db.execute(f"PRAGMA user_version = {CACHE_VERSION}")
        db.execute("COMMIT")

    def _discard(self, notice: str) -> None:
        self._notice(notice)
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(self.path) + suffix).unlink()

    def _corrupt(self, exc: sqlite3.Error) -> None:
        """Pages found corrupt while in use: rebuild (main process) or stop using it."""
        with contextlib.suppress(sqlite3.Error):
            if self._db is not None:
                self._db.close()
        self._db = None
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, _TRANSIENT):
            self._db = self._replace_broken(exc) if self.rebuild else None
        else:
            self._notice(f"cache unavailable ({exc}); running without it")

    # -- use ---------------------------------------------------------------------------------

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """Payloads for the keys that are cached (decoded); missing keys are left out.

        A row that does not decode to a parse result (:func:`valid_payload`) counts as a
        miss, so the file is parsed again and its row replaced.
        """
        keys = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        if self._db is None or not keys:
            self.misses += len(keys)
            return found
        wrong = 0
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT sha1, payload FROM parsed WHERE sha1 IN ({marks})", chunk
                )
                for sha1, payload in rows:
                    try:
                        value = decode(payload)
                    except (ValueError, TypeError, KeyError, OverflowError, RecursionError):
                        value = None
                    if valid_payload(value):
                        found[sha1] = value
                    else:
                        wrong += 1
        except sqlite3.Error as exc:
            self._corrupt(exc)
            found = {}
        if wrong:
            self._notice(f"cache at {self.path}: {wrong} unreadable entr"
                         f"{'ies' if wrong != 1 else 'y'} ignored; those files are parsed again")
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def put_many(self, items: Mapping[str, tuple[int, Any]]) -> None:
        """Store ``{sha1: (size, payload)}`` in one transaction; failures only add a notice."""
        if self._db is None or not items:
            return
        rows = [(k, size, encode(payload)) for k, (size, payload) in items.items()]
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO parsed (sha1, size, payload) VALUES (?, ?, ?)", rows
            )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            if isinstance(exc, _TRANSIENT):
                self._notice(f"cache write failed ({exc}); results not cached")
            else:
                self._corrupt(exc)

    def key_for_stat(self, seen: FileStat) -> str | None:
        """The key last read from a file with exactly this stat, or None (a plain lookup:
        :func:`loadwatch.sources.iter_items` asks once per file)."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT sha1 FROM seen WHERE stat = ?",
                                   (seen.token(),)).fetchone()
        except sqlite3.Error:  # an older store without the table, or a busy one
            return None
        return row[0] if row and isinstance(row[0], str) else None

    def remember_stats(self, keys: Mapping[FileStat, str]) -> None:
        """Remember which key each file's stat gave; stats of files changed within
        :data:`~loadwatch.incremental.RACY_NS` of now are not trusted and left out."""
        from loadwatch.incremental import RACY_NS

        if self._db is None or not keys:
            return
        now = time.time_ns()
        rows = [(seen.token(), key) for seen, key in keys.items()
                if seen.changed_since(now) > RACY_NS]
        if not rows:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO seen (stat, sha1) VALUES (?, ?)", rows)
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            if isinstance(exc, _TRANSIENT):
                return  # only an optimisation: the next run reads the files again
            self._corrupt(exc)

    def __len__(self) -> int:
        if self._db is None:
            return 0
        try:
            return int(self._db.execute("SELECT count(*) FROM parsed").fetchone()[0])
        except sqlite3.Error:
            return 0

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: sqlite errors that say "busy" or "full" rather than "broken": never a reason to rebuild.
_TRANSIENT = (sqlite3.OperationalError,)
#: Longest notice kept [characters]: an error may quote raw bytes of a broken file.
_NOTICE_CHARS = 300


def _one_line(text: str) -> str:
    from loadwatch.problems import terminal_text

    return terminal_text(text, _NOTICE_CHARS)


def valid_payload(value: Any) -> bool:
    """Is ``value`` the shape :func:`loadwatch.read.parse_item` returns? (A row holding
    ``{}`` or ``null`` must be a miss, not a KeyError on every run.)"""
    if not isinstance(value, dict):
        return False
    acts, problems = value.get("activities"), value.get("problems")
    if not isinstance(acts, list) or not isinstance(problems, list):
        return False
    for act in acts:
        if not (isinstance(act, dict) and isinstance(act.get("summary"), dict)
                and isinstance(act["summary"].get("start_time"), pd.Timestamp)
                and (act.get("link") is None or isinstance(act.get("link"), str))
                and isinstance(act.get("local_time"), bool)):
            return False
    return all(isinstance(p, dict) and isinstance(p.get("reason"), str)
               and p.get("kind") in ("error", "skipped", "warning") for p in problems)


# -- payload encoding: JSON with tagged timestamps and arrays ---------------------------------


def _default(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return {"__ts__": value.isoformat()}
    if isinstance(value, np.ndarray):
        return {"__nd__": _clean(value.tolist()), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):
        return {"__ts__": value.isoformat()}
    raise TypeError(f"cannot cache {type(value).__name__}")


def _hook(obj: dict[str, Any]) -> Any:
    if "__ts__" in obj:
        return pd.Timestamp(obj["__ts__"])
    if "__nd__" in obj:
        data = obj["__nd__"]
        if obj.get("dtype", "").startswith("float"):
            data = [np.nan if v is None else v for v in data]
        return np.asarray(data, dtype=obj.get("dtype"))
    return obj


def _clean(value: Any) -> Any:
    """Replace float NaN (not valid JSON) by None, recursively."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def encode(payload: Any) -> str:
    """JSON text for a payload of dicts/lists/scalars/timestamps/numpy arrays."""
    return json.dumps(_clean(payload), default=_default, separators=(",", ":"), allow_nan=False)


def decode(text: str) -> Any:
    """Inverse of :func:`encode`."""
    return json.loads(text, object_hook=_hook)
