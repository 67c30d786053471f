"""The team roster (``roster.toml``): who is in the squad and where their files are.

.. code-block:: toml

    [[athlete]]
    name = "Sam"
    paths = ["athletes/sam", "exports/sam_strava.zip"]
    config = "athletes/sam/loadwatch.toml"   # optional

Relative paths are relative to the roster file's folder (so a roster can be moved with
its data, and a cron job need not ``cd``); ``~`` is expanded. ``config`` defaults to a
``loadwatch.toml`` in the first path, as for a single athlete. Paths are not checked
here: a missing folder is reported in the athlete's row of the batch, not as a roster
error, so one athlete's moved folder never stops the squad's reports. Every mistake in
the file itself is a :class:`~loadwatch.problems.UsageError` with one line naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loadwatch._moved import renamed
from loadwatch.limits import MAX_NAME_CHARS
from loadwatch.problems import UsageError
from loadwatch.settings import read_toml

_ATHLETE_KEYS = ("name", "paths", "config")


@dataclass(frozen=True)
class RosterAthlete:
    """One athlete of the roster, paths resolved against the roster's folder."""

    name: str
    paths: tuple[Path, ...]
    config: Path | None = None


@dataclass(frozen=True)
class Roster:
    """The athletes of a roster file, in the file's order."""

    path: Path
    athletes: tuple[RosterAthlete, ...]
    #: dask.distributed scheduler of the ``[cluster]`` table, e.g. "tcp://head:8786"
    scheduler: str | None = None


def _err(where: str, what: str, got: Any) -> UsageError:
    return UsageError(f"{where} must be {what}, got {got!r}")


def _path(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _athlete(source: str, n: int, entry: Any, base: Path) -> RosterAthlete:
    where = f"{source}: athlete[{n}]"
    if not isinstance(entry, dict):
        raise _err(where, "a table ([[athlete]])", entry)
    for key in entry:
        if key not in _ATHLETE_KEYS:
            raise UsageError(f"{where}: unknown key {key!r} (known: {', '.join(_ATHLETE_KEYS)})")
    if "name" not in entry:
        raise UsageError(f"{where}.name is missing")
    name = entry["name"]
    if not isinstance(name, str) or not name.strip():
        raise _err(f"{where}.name", "a non-empty string", name)
    if len(name) > MAX_NAME_CHARS:
        raise UsageError(f"{where}.name is longer than {MAX_NAME_CHARS} characters")
    if "paths" not in entry:
        raise UsageError(f"{where}.paths is missing (a list of folders or files)")
    paths = entry["paths"]
    if (not isinstance(paths, list) or not paths
            or not all(isinstance(p, str) and p.strip() for p in paths)):
        raise _err(f"{where}.paths", "a non-empty list of paths (strings)", paths)
    config = entry.get("config")
    if config is not None and (not isinstance(config, str) or not config.strip()):
        raise _err(f"{where}.config", "a path (string)", config)
    return RosterAthlete(
        name=name.strip(),
        paths=tuple(_path(base, p) for p in paths),
        config=_path(base, config) if config else None,
    )


def parse_roster(data: Mapping[str, Any], base: Path, source: str = "roster.toml") -> Roster:
    """A :class:`Roster` from an already-parsed TOML document; relative paths join ``base``."""
    for key in data:
        if key not in ("athlete", "cluster"):
            raise UsageError(f"{source}: unknown key {key!r} (known: athlete, cluster)")
    cluster = data.get("cluster", {})
    if not isinstance(cluster, dict) or set(cluster) - {"scheduler"}:
        raise _err(f"{source}: cluster", 'a table with only scheduler = "tcp://host:8786"',
                   cluster)
    scheduler = cluster.get("scheduler")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise _err(f"{source}: cluster.scheduler", "an address (string)", scheduler)
    entries = data.get("athlete")
    if entries is None:
        raise UsageError(f"{source}: no [[athlete]] entries")
    if not isinstance(entries, list):
        raise _err(f"{source}: athlete", "an array of tables ([[athlete]])", entries)
    if not entries:
        raise UsageError(f"{source}: no [[athlete]] entries")
    athletes = tuple(_athlete(source, n, e, base) for n, e in enumerate(entries, start=1))
    seen: dict[str, int] = {}
    for n, a in enumerate(athletes, start=1):
        key = a.name.casefold()
        if key in seen:
            raise UsageError(
                f"{source}: athlete[{n}].name {a.name!r} is already used by athlete[{seen[key]}]"
                " (names identify athletes from one run to the next)"
            )
        seen[key] = n
    return Roster(base / source, athletes, scheduler)


def read_roster(path: str | Path) -> Roster:
    """Read and check a roster file; raises :class:`UsageError` with a one-line message."""
    path = Path(path).expanduser()
    roster = parse_roster(read_toml(path, "roster"), path.parent, path.name)
    return Roster(path, roster.athletes, roster.scheduler)


#: deprecated name of :func:`read_roster` (kept for one release)
load_roster = renamed("load_roster")
