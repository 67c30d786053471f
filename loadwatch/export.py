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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
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
    from loadwatch.roster import Roster

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
    """What :func:`export_analyses` wrote."""

    directory: Path
    athletes: list[dict[str, Any]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


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
    target = Path(outdir)
    items = list(analyses)
    slugs = assign_slugs([name for name, _ in items])
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    except OSError as exc:
        raise UsageError(f"cannot create {target}: {exc.strerror or exc}") from None
    result = ExportResult(target)
    try:
        for (name, a), slug in zip(items, slugs, strict=True):
            if isinstance(a, str):
                result.failed.append((name, a))
                continue
            tables = athlete_tables(a)
            for tname, frame in tables.items():
                path = tmp / tname / f"{PARTITION}={slug}" / PART_NAME
                write_table(frame, EXPORT_TABLES[tname], path, name)
            result.athletes.append({
                "name": name, "slug": slug, "files_read": a.files_read,
                "rows": {t: len(f) for t, f in tables.items()},
                "problems": [{"source": p.source, "reason": p.reason} for p in a.problems],
            })
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
        (tmp / MANIFEST_NAME).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _swap_into_place(tmp, target)
    except OSError as exc:
        raise UsageError(f"cannot write the export to {target}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            if tmp.exists():
                shutil.rmtree(tmp)
    return result


def _roster_or_paths(args: Sequence[str | Path]) -> Roster:
    """A roster file as given, or the paths as a one-athlete roster (named by its settings)."""
    from loadwatch.roster import Roster, RosterAthlete, read_roster

    paths = [Path(p) for p in args]
    if len(paths) == 1 and paths[0].suffix == ".toml" and paths[0].is_file():
        return read_roster(paths[0])
    if not paths:
        raise UsageError("no roster, files or folders given")
    first = paths[0].resolve()
    name = (first if first.is_dir() else first.parent).name or "athlete"
    return Roster(Path("."), (RosterAthlete(name, tuple(paths)),))


def export(
    roster_or_paths: Sequence[str | Path], outdir: str | Path, *,
    cache: ParsedCache | None = None, today: dt.date | None = None,
    config: str | Path | None = None,
) -> ExportResult:
    """Analyse a roster (or one athlete's files) and write the Parquet export of it.

    ``config``: settings for athletes without a loadwatch.toml of their own. An athlete
    who cannot be analysed is listed as failed; the others are exported.
    """
    from loadwatch.batch import analyse_athlete, with_default_config

    roster = _roster_or_paths(roster_or_paths)
    if config is not None:
        roster = with_default_config(roster, Path(config))
    _arrow()
    analysed: list[tuple[str, Analysis | str]] = []
    for athlete in roster.athletes:
        try:
            analysed.append((athlete.name, analyse_athlete(athlete, cache=cache, today=today)))
        except UsageError as exc:
            analysed.append((athlete.name, str(exc)))
    return export_analyses(analysed, outdir)
