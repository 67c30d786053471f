"""The research export: a squad's tables as Parquet, one folder per table, one per athlete.

``loadwatch export ROSTER_OR_PATHS -o DIR`` writes::

    DIR/export.json                               what was exported, and the column units
    DIR/activities/athlete=<slug>/part-0.parquet  schema.ACTIVITY (public columns)
    DIR/weekly/athlete=<slug>/part-0.parquet      schema.WEEKLY
    DIR/findings/athlete=<slug>/part-0.parquet    schema.FINDINGS (the whole history)
    DIR/symptoms/athlete=<slug>/part-0.parquet    schema.SYMPTOMS, where there is a pain log

The ``athlete=<slug>`` folders are Hive partitions, so ``pandas.read_parquet(DIR /
"weekly")``, ``dask.dataframe.read_parquet`` and DuckDB's ``read_parquet(...,
hive_partitioning = true)`` all read a table across the squad with an ``athlete`` column.
Each file's Arrow schema carries the column's dtype, unit and meaning from
:mod:`loadwatch.schema` as field metadata, and the table as a whole under the
``loadwatch`` key; pandas' own metadata restores the exact dtypes (``string``, ``Int64``,
``boolean``, ``datetime64[us, UTC]``). List columns (``conditions``, ``red_flags``) are
Parquet lists: pandas reads them back as arrays, :func:`read_table` as lists.

The export is atomic as a whole: it is written into a hidden sibling folder and renamed
to ``DIR`` only when every file and ``export.json`` are complete, so a killed export never
looks like a finished one. pyarrow is an optional extra (``loadwatch[export]``).

With a scheduler (``export --scheduler``) each athlete is one task of
:func:`loadwatch.cluster.cluster_map`: a worker runs :func:`export_athlete` (the function
a local export runs) into the hidden folder, which must therefore be on a filesystem the
workers share; this process then checks every file is there, writes ``export.json`` and
renames. A worker that cannot see or write the folder fails the export, naming the path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loadwatch import __version__
from loadwatch.problems import UsageError
from loadwatch.schema import ACTIVITY, FINDINGS, SYMPTOMS, WEEKLY, Table, conform, public

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from loadwatch.read import ParsedCache
    from loadwatch.result import Analysis
    from loadwatch.roster import Roster, RosterAthlete

MANIFEST_NAME = "export.json"
#: Bumped when the layout or the manifest changes shape.
EXPORT_VERSION = 1
#: Export folder name -> the schema table its files follow.
EXPORT_TABLES: dict[str, Table] = {
    "activities": ACTIVITY,
    "weekly": WEEKLY,
    "findings": FINDINGS,
    "symptoms": SYMPTOMS,
}
PART_NAME = "part-0.parquet"
PARTITION = "athlete"


def _arrow():
    """pyarrow, or a one-line UsageError saying how to install it."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(
            "the Parquet export needs pyarrow: pip install 'loadwatch[export]'"
        ) from None
    return pa, pq


def _arrow_type(pa: Any, dtype: str) -> pa.DataType:
    if dtype == "string":
        return pa.string()
    if dtype in ("float64",):
        return pa.float64()
    if dtype in ("int64", "Int64"):
        return pa.int64()
    if dtype == "boolean":
        return pa.bool_()
    if dtype == "datetime64[us]":
        return pa.timestamp("us")
    if dtype == "datetime64[us, UTC]":
        return pa.timestamp("us", tz="UTC")
    if dtype == "object":  # the only object columns exported are lists of strings
        return pa.list_(pa.string())
    raise ValueError(f"no Parquet type for dtype {dtype}")


def arrow_schema(table: Table, athlete: str | None = None) -> pa.Schema:
    """The Arrow schema of a table's public columns, units and meanings as metadata."""
    pa, _ = _arrow()
    cols = [c for c in table.columns if not c.internal]
    fields = [
        pa.field(c.name, _arrow_type(pa, c.dtype), nullable=True,
                 metadata={"dtype": c.dtype, "unit": c.unit, "meaning": c.meaning})
        for c in cols
    ]
    doc = {
        "table": table.name,
        "loadwatch_version": __version__,
        "export_version": EXPORT_VERSION,
        "athlete": athlete,
        "columns": [{"name": c.name, "dtype": c.dtype, "unit": c.unit, "meaning": c.meaning}
                    for c in cols],
    }
    return pa.schema(fields, metadata={"loadwatch": json.dumps(doc, ensure_ascii=False)})


def _lists(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Object (list) columns as plain lists of str, None kept, for Arrow."""
    import pandas as pd

    out = frame.copy()
    for c in table.columns:
        if c.dtype == "object" and c.name in out.columns:
            out[c.name] = pd.Series(
                [None if v is None or (isinstance(v, float) and v != v)
                 else [str(x) for x in v] for v in out[c.name]], index=out.index, dtype=object)
    return out


def athlete_tables(a: Analysis) -> dict[str, pd.DataFrame]:
    """The frames of one analysis as they are exported (public columns, schema dtypes)."""
    tables = {
        "activities": public(conform(a.activities, ACTIVITY), ACTIVITY),
        "weekly": conform(a.weekly, WEEKLY),
        "findings": conform(a.findings, FINDINGS),
    }
    if a.symptoms is not None:
        tables["symptoms"] = conform(a.symptoms, SYMPTOMS)
    return {name: _lists(frame.reset_index(drop=True), EXPORT_TABLES[name])
            for name, frame in tables.items()}


def write_table(frame: pd.DataFrame, table: Table, path: Path, athlete: str | None) -> None:
    """One Parquet file of ``frame`` (already conformed) with the table's schema."""
    pa, pq = _arrow()
    schema = arrow_schema(table, athlete)
    arrow = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    # from_pandas replaces the schema metadata with pandas' own: put ours back beside it
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}),
                                           **(schema.metadata or {})})
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(arrow, path)


def read_table(directory: str | Path, name: str) -> pd.DataFrame:
    """A table of an export, every athlete, with schema dtypes and list columns as lists."""
    import pandas as pd

    _arrow()
    table = EXPORT_TABLES[name]
    frame = pd.read_parquet(Path(directory) / name)
    athlete = frame.pop(PARTITION).astype("string") if PARTITION in frame else None
    for c in table.columns:
        if c.dtype == "object" and c.name in frame.columns:
            frame[c.name] = [None if v is None else list(v) for v in frame[c.name]]
    frame = public(conform(frame, table), table)
    if athlete is not None:
        frame.insert(0, PARTITION, athlete.to_numpy())
    return frame


@dataclass
class ExportResult:
    """What :func:`export_analyses` or :func:`export` wrote."""

    directory: Path
    athletes: list[dict[str, Any]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class AthleteExport:
    """One athlete's part of an export, as the process that wrote it reports it."""

    name: str
    slug: str
    #: the athlete's export.json entry (files read, rows per table, problems) when written
    entry: dict[str, Any] | None = None
    #: why the athlete is not exported (their files, not the output folder)
    error: str | None = None
    #: the output folder refused a file: which, and why (the whole export then fails)
    unwritten: str | None = None


def write_athlete(name: str, slug: str, a: Analysis, staging: Path, *,
                  where: str = "") -> AthleteExport:
    """Write one athlete's tables into ``staging`` (an export being built); never raises
    for the folder: an :class:`OSError` becomes ``unwritten``, naming the path.

    ``staging`` must exist already: it is created by the process that commits the export,
    so a worker that cannot see it (no shared filesystem) says so instead of writing a
    private copy nobody reads. ``where`` ("worker tcp://...") starts those messages.
    """
    done = AthleteExport(name, slug)
    if not staging.is_dir():
        done.unwritten = f"{where or 'this process'} cannot see {staging}"
        return done
    tables = athlete_tables(a)
    path = staging
    try:
        for tname, frame in tables.items():
            path = staging / tname / f"{PARTITION}={slug}" / PART_NAME
            write_table(frame, EXPORT_TABLES[tname], path, name)
    except OSError as exc:
        done.unwritten = (f"{where + ' ' if where else ''}cannot write {path}: "
                          f"{exc.strerror or exc}")
        return done
    done.entry = {
        "name": name, "slug": slug, "files_read": a.files_read,
        "rows": {t: len(f) for t, f in tables.items()},
        "problems": [{"source": p.source, "reason": p.reason} for p in a.problems],
    }
    return done


def export_athlete(
    athlete: RosterAthlete, slug: str, staging: Path, *, cache: ParsedCache | None = None,
    today: dt.date | None = None, on_worker: bool = False,
) -> AthleteExport:
    """Analyse one roster athlete (:func:`loadwatch.batch.analyse_athlete`) and write their
    tables into ``staging``: the one function a local and a cluster export both run."""
    from loadwatch.batch import analyse_athlete

    try:
        a = analyse_athlete(athlete, cache=cache, today=today)
    except UsageError as exc:
        return AthleteExport(athlete.name, slug, error=str(exc))
    where = ""
    if on_worker:
        from loadwatch.cluster import worker_name

        where = f"worker {worker_name()}"
    return write_athlete(athlete.name, slug, a, staging, where=where)


def _swap_into_place(tmp: Path, target: Path) -> None:
    """Rename the finished ``tmp`` to ``target``, replacing an earlier export there."""
    if not target.exists():
        os.replace(tmp, target)
        return
    if not (target / MANIFEST_NAME).is_file() and any(target.iterdir()):
        raise UsageError(f"{target}: exists and is not a loadwatch export; choose another folder")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


class _Staging:
    """The hidden sibling folder an export is written into, renamed to the target only
    when complete (:meth:`commit`) and removed in any case."""

    def __init__(self, target: Path) -> None:
        self.target = target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # the folder becomes the export: the mode a plain mkdir gives (the umask), not
            # mkdtemp's 0700, so the group (and workers running as another user) can use it
            self.path = target.parent / f".{target.name}.partial-{uuid.uuid4().hex[:12]}"
            self.path.mkdir()
        except OSError as exc:
            raise UsageError(f"cannot create {target}: {exc.strerror or exc}") from None

    def __enter__(self) -> _Staging:
        return self

    def commit(self, parts: Sequence[AthleteExport], hint: str = "") -> ExportResult:
        """export.json and the rename; a refused or missing file fails it all instead.

        Raises :class:`UsageError` naming the path; nothing was replaced then.
        """
        result = ExportResult(self.target)
        for part in parts:
            if part.unwritten:
                raise UsageError(f"cannot write the export to {self.target}: {part.unwritten}"
                                 f"{hint}; nothing was replaced")
            if part.entry is None:
                result.failed.append((part.name, part.error or "not exported"))
                continue
            for tname in part.entry["rows"]:
                path = self.path / tname / f"{PARTITION}={part.slug}" / PART_NAME
                if not path.is_file():
                    raise UsageError(f"cannot write the export to {self.target}: {path} is "
                                     f"missing{hint}; nothing was replaced")
            result.athletes.append(part.entry)
        manifest = {
            "export_version": EXPORT_VERSION,
            "loadwatch_version": __version__,
            "generated": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "partitioned_by": PARTITION,
            "athletes": result.athletes,
            "failed": [{"name": n, "error": e} for n, e in result.failed],
            "tables": {
                t: [{"name": c.name, "dtype": c.dtype, "unit": c.unit, "meaning": c.meaning}
                    for c in table.columns if not c.internal]
                for t, table in EXPORT_TABLES.items()
            },
        }
        try:
            (self.path / MANIFEST_NAME).write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            _swap_into_place(self.path, self.target)
        except OSError as exc:
            raise UsageError(f"cannot write the export to {self.target}: "
                             f"{exc.strerror or exc}; nothing was replaced") from None
        return result

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            if self.path.exists():
                shutil.rmtree(self.path)


def export_analyses(
    analyses: Iterable[tuple[str, Analysis | str]], outdir: str | Path
) -> ExportResult:
    """Write the export of ``(name, Analysis or error message)`` pairs to ``outdir``.

    An athlete given as an error message is listed as failed in export.json and has no
    files. Raises :class:`UsageError` when ``outdir`` cannot be written or is a folder
    that is not an earlier export.
    """
    from loadwatch.batch import assign_slugs

    _arrow()
    items = list(analyses)
    slugs = assign_slugs([name for name, _ in items])
    with _Staging(Path(outdir)) as staging:
        parts = []
        for (name, a), slug in zip(items, slugs, strict=True):
            part = (AthleteExport(name, slug, error=a) if isinstance(a, str)
                    else write_athlete(name, slug, a, staging.path))
            parts.append(part)
            if part.unwritten:
                break
        return staging.commit(parts)


def roster_or_paths(args: Roster | Sequence[str | Path]) -> Roster:
    """A roster file as given, or the paths as a one-athlete roster (named by its folder)."""
    from loadwatch.roster import Roster, RosterAthlete, read_roster

    if isinstance(args, Roster):
        return args
    paths = [Path(p) for p in args]
    if len(paths) == 1 and paths[0].suffix == ".toml" and paths[0].is_file():
        return read_roster(paths[0])
    if not paths:
        raise UsageError("no roster, files or folders given")
    first = paths[0].resolve()
    name = (first if first.is_dir() else first.parent).name or "athlete"
    return Roster(Path("."), (RosterAthlete(name, tuple(paths)),))


def export(
    roster_or_files: Roster | Sequence[str | Path], outdir: str | Path, *,
    cache: ParsedCache | None = None, today: dt.date | None = None,
    config: str | Path | None = None, scheduler: str | None = None,
) -> ExportResult:
    """Analyse a roster (or one athlete's files) and write the Parquet export of it.

    ``config``: settings for athletes without a loadwatch.toml of their own. An athlete
    who cannot be analysed is listed as failed; the others are exported. ``scheduler``: a
    dask.distributed address; each athlete is then analysed and written by a worker
    (:func:`loadwatch.cluster.cluster_map`) into the staging folder beside ``outdir``,
    which must be on a filesystem the workers share; this process commits the export.
    Raises :class:`UsageError` when anything could not be written (nothing replaced).
    """
    from loadwatch.batch import assign_slugs, with_default_config

    roster = roster_or_paths(roster_or_files)
    if config is not None:
        roster = with_default_config(roster, Path(config))
    _arrow()
    athletes = list(roster.athletes)
    slugs = assign_slugs([a.name for a in athletes])
    with _Staging(Path(outdir)) as staging:
        if scheduler is None:
            parts = []
            for athlete, slug in zip(athletes, slugs, strict=True):
                parts.append(export_athlete(athlete, slug, staging.path, cache=cache,
                                            today=today))
                if parts[-1].unwritten:
                    break
            return staging.commit(parts)
        from loadwatch.cluster import SHARED_FS, cluster_map

        jobs = [functools.partial(export_athlete, a, slug, staging.path, today=today,
                                  on_worker=True)
                for a, slug in zip(athletes, slugs, strict=True)]
        parts = cluster_map(
            scheduler, athletes, jobs,
            lambda n, error: AthleteExport(athletes[n].name, slugs[n], error=error),
            cache=cache, what="export")
        return staging.commit(parts, hint=f" (export --scheduler needs the output folder's "
                                          f"parent {SHARED_FS}, writable by the workers)")
