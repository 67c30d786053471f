"""loadwatch export: the sample squad as Parquet, read back by pandas, dask and DuckDB."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from loadwatch.batch import analyse_athlete
from loadwatch.cli import cli
from loadwatch.roster import read_roster
from loadwatch.rules.symptoms import COLUMNS
from loadwatch.schema import SYMPTOMS

pytest.importorskip("pyarrow", reason="the Parquet export needs the 'export' extra (pyarrow)")

from loadwatch.export import (
    EXPORT_TABLES,
    MANIFEST_NAME,
    athlete_tables,
    export,
    read_table,
)

ROSTER = Path(__file__).resolve().parent.parent / "sample_data" / "roster.toml"
TODAY = dt.date(2026, 11, 15)  # the sample season's last day


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, dict[str, dict[str, pd.DataFrame]]]:
    """The sample squad exported, and the same tables in memory (by athlete slug)."""
    out = tmp_path_factory.mktemp("export") / "squad"
    result = export([ROSTER], out, today=TODAY)
    assert not result.failed
    memory = {}
    for athlete, row in zip(read_roster(ROSTER).athletes, result.athletes, strict=True):
        memory[row["slug"]] = athlete_tables(analyse_athlete(athlete, cache=None, today=TODAY))
    return out, memory


def _as_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet list columns come back as arrays: compare them as lists."""
    out = frame.copy()
    for col in ("conditions", "red_flags"):
        if col in out:
            out[col] = [None if v is None else list(v) for v in out[col]]
    return out


def test_layout_and_manifest(exported):
    out, _ = exported
    doc = json.loads((out / MANIFEST_NAME).read_text())
    assert [a["slug"] for a in doc["athletes"]] == ["sam", "alex"]
    assert doc["tables"]["weekly"][2]["unit"] == "km"  # distance_km
    assert (out / "symptoms" / "athlete=sam").is_dir()  # Sam keeps a pain log, Alex not
    assert not (out / "symptoms" / "athlete=alex").exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no leftovers


@pytest.mark.parametrize("table", ["activities", "weekly", "findings", "symptoms"])
def test_pandas_round_trip_keeps_values_and_dtypes(exported, table):
    out, memory = exported
    for slug, tables in memory.items():
        if table not in tables:
            continue
        expected = tables[table]
        assert len(expected) > 0
        got = pd.read_parquet(out / table / f"athlete={slug}")
        pd.testing.assert_frame_equal(_as_lists(got), expected, check_dtype=True)


def test_units_are_in_the_file_metadata(exported):
    import pyarrow.parquet as pq

    out, _ = exported
    schema = pq.read_schema(out / "weekly" / "athlete=sam" / "part-0.parquet")
    field = schema.field("descent_m")
    assert field.metadata[b"unit"] == b"m"
    assert field.metadata[b"dtype"] == b"float64"
    doc = json.loads(schema.metadata[b"loadwatch"])
    assert doc["table"] == "weekly" and doc["athlete"] == "Sam"


def test_read_table_joins_athletes(exported):
    out, memory = exported
    weekly = read_table(out, "weekly")
    assert set(weekly["athlete"]) == {"sam", "alex"}
    sam = weekly[weekly["athlete"] == "sam"].drop(columns="athlete").reset_index(drop=True)
    pd.testing.assert_frame_equal(sam, memory["sam"]["weekly"])
    findings = read_table(out, "findings")
    assert all(isinstance(v, list) for v in findings["conditions"])


def test_dask_round_trip(exported):
    dd = pytest.importorskip("dask.dataframe", reason="needs the 'cluster' extra (dask)")
    out, memory = exported
    got = dd.read_parquet(out / "weekly").compute()
    got = got.sort_values(["athlete", "week_start"], kind="stable")
    for slug, tables in memory.items():
        part = got[got["athlete"] == slug].drop(columns="athlete").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, tables["weekly"], check_dtype=True)


def test_duckdb_reads_the_partitions(exported):
    duckdb = pytest.importorskip("duckdb", reason="duckdb is only a dev dependency")
    out, memory = exported
    glob = str(out / "weekly" / "*" / "*.parquet")
    rows = duckdb.sql(
        f"SELECT athlete, count(*) AS n, round(sum(distance_km), 6) AS km "
        f"FROM read_parquet('{glob}', hive_partitioning = true) GROUP BY athlete ORDER BY athlete"
    ).fetchall()
    want = sorted((slug, len(t["weekly"]), round(t["weekly"]["distance_km"].sum(), 6))
                  for slug, t in memory.items())
    assert [tuple(r) for r in rows] == want


def test_symptom_schema_matches_the_log_reader():
    assert SYMPTOMS.names == [*COLUMNS, "red_flags"]
    assert set(EXPORT_TABLES) == {"activities", "weekly", "findings", "symptoms"}


def test_a_failed_export_leaves_the_previous_one(exported, tmp_path, monkeypatch):
    from loadwatch import export as export_mod

    out = tmp_path / "squad"
    export([ROSTER], out, today=TODAY)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_mod, "write_table", boom)
    result = CliRunner().invoke(cli, ["export", str(ROSTER), "-o", str(out), "--no-cache"])
    assert result.exit_code == 2
    assert "No space left on device" in result.output
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["squad"]  # the partial folder is gone


def test_refuses_to_replace_a_folder_that_is_not_an_export(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("keep me")
    result = CliRunner().invoke(cli, ["export", str(ROSTER), "-o", str(out), "--no-cache"])
    assert result.exit_code == 2 and "not a loadwatch export" in result.output
    assert (out / "thesis.tex").read_text() == "keep me"
    assert os.listdir(tmp_path) == ["mine"]


def test_cli_names_an_athlete_that_cannot_be_read(tmp_path):
    roster = tmp_path / "roster.toml"
    roster.write_text(f'[[athlete]]\nname = "Sam"\npaths = ["{ROSTER.parent / "sam"}"]\n'
                      '[[athlete]]\nname = "Gone"\npaths = ["nowhere"]\n')
    result = CliRunner().invoke(cli, ["export", str(roster), "-o", str(tmp_path / "x"),
                                      "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "Gone: not exported: no such file or folder" in result.output
    doc = json.loads((tmp_path / "x" / MANIFEST_NAME).read_text())
    assert [a["name"] for a in doc["athletes"]] == ["Sam"]
