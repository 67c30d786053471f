"""batch only redoes what changed: kept reports, the keys that decide, the manifest's trust."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from loadwatch import batch as batch_mod
from loadwatch import incremental
from loadwatch.batch import run_batch
from loadwatch.cache import Cache
from loadwatch.incremental import MANIFEST_NAME
from loadwatch.roster import read_roster
from tests.report.htmlcheck import blank_generated
from tests.test_batch import MONDAY, gpx, season, write_roster

TODAY = dt.date(2026, 2, 8)  # the Sunday of the seasons' last week (2026-W06)
#: A report's "Generated" line is the wall clock at drawing: the only bytes a kept report
#: and one drawn again may differ in.


@pytest.fixture
def squad(tmp_path) -> Path:
    """Ada and Bo, each a season of GPX runs (files of their own: the tests change them)."""
    season(tmp_path / "ada", last_km=12.0)
    season(tmp_path / "bo")
    return tmp_path



@pytest.fixture
def counted(monkeypatch) -> dict[str, int]:
    """How many athletes were analysed and how many times files were read, by name."""
    calls = {"analysed": 0, "read": 0}
    analyse, read = batch_mod._analyse, batch_mod.read_activities

    def counting_analyse(athlete, **kw):
        calls["analysed"] += 1
        calls[athlete.name] = calls.get(athlete.name, 0) + 1
        return analyse(athlete, **kw)

    def counting_read(paths, **kw):
        calls["read"] += 1
        return read(paths, **kw)

    monkeypatch.setattr(batch_mod, "_analyse", counting_analyse)
    monkeypatch.setattr(batch_mod, "read_activities", counting_read)
    return calls


def _roster(root: Path):
    return read_roster(write_roster(root, [("Ada", ["ada"]), ("Bo", ["bo"])]))


def _batch(root: Path, out: Path, **kw):
    with Cache(root / "cache") as cache:
        return run_batch(_roster(root), out, cache=cache, jobs=1, today=TODAY, **kw)


def _comparable(out: Path) -> tuple[dict, dict[str, str]]:
    doc = json.loads((out / "summary.json").read_text())
    doc.pop("generated"), doc.pop("previous_run")
    pages = {p.name: blank_generated(p.read_text()) for p in out.glob("*.html")
             if p.name != "index.html"}
    return doc, pages


def test_unchanged_athletes_keep_their_reports_identical_to_a_full_run(squad, counted):
    out = squad / "out"
    _batch(squad, out)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.html")}
    counted.update(analysed=0)
    again = _batch(squad, out)
    assert again.reused == 2 and counted["analysed"] == 0
    for name in ("ada.html", "bo.html"):  # not drawn again: the very same file
        assert (out / name).stat().st_mtime_ns == stamps[name]
    _batch(squad, squad / "full")  # a fresh folder: everything analysed and drawn
    assert counted["analysed"] == 2
    assert _comparable(out) == _comparable(squad / "full")
    assert [a["severity"] for a in json.loads((out / "summary.json").read_text())["athletes"]
            ] == ["caution", None]
    index = (out / "index.html").read_text()
    assert '<a href="ada.html">Ada</a>' in index and '<a href="bo.html">Bo</a>' in index
    assert not [p for p in out.iterdir() if p.name.startswith(".loadwatch-batch-")]


def test_only_the_athlete_whose_file_changed_is_redone(squad, counted, fake_reports):
    out = squad / "out"
    _batch(squad, out)
    ada_stamp = (out / "ada.html").stat().st_mtime_ns
    first = sorted((squad / "bo").glob("*.gpx"))[0]
    first.write_text(gpx(MONDAY, 10.0))  # Bo's first run: 10 km instead of 8
    counted.update(analysed=0, Ada=0, Bo=0)
    result = _batch(squad, out)
    assert (counted["Ada"], counted["Bo"]) == (0, 1) and result.reused == 1
    assert (out / "ada.html").stat().st_mtime_ns == ada_stamp
    rows = {a["name"]: a for a in json.loads((out / "summary.json").read_text())["athletes"]}
    assert rows["Ada"]["distance_km"] == pytest.approx(36.0, abs=0.01)
    assert rows["Bo"]["status"] == "ok" and rows["Bo"]["report"] == "bo.html"
    (squad / "bo" / "extra.gpx").write_text(gpx(MONDAY + dt.timedelta(days=1), 5.0))
    counted.update(Bo=0)
    _batch(squad, out)  # a new file is a change too
    assert (counted["Ada"], counted["Bo"]) == (0, 1)


def test_stat_key_skips_reading_and_a_touched_file_is_checked_by_content(
    squad, counted, fake_reports, monkeypatch
):
    monkeypatch.setattr(incremental, "RACY_NS", 0)  # the files were written just now
    out = squad / "out"
    _batch(squad, out)
    counted.update(read=0, analysed=0)
    _batch(squad, out)
    assert (counted["read"], counted["analysed"]) == (0, 0)  # not one file opened
    touched = sorted((squad / "ada").glob("*.gpx"))[0]
    # an older mtime: a future one is "racily new" (never trusted by stat) until it passes
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns - 10**9))
    _batch(squad, out)  # stat changed, content did not: read once, report kept
    assert (counted["read"], counted["analysed"]) == (1, 0)
    _batch(squad, out)  # and the new stat key is remembered
    assert (counted["read"], counted["analysed"]) == (1, 0)


def test_racily_new_files_are_never_trusted_by_stat(squad, counted, fake_reports,
                                                     monkeypatch):
    newest = max(p.stat().st_ctime_ns for p in (squad / "ada").iterdir())
    assert incremental.stat_key([squad / "ada"], now_ns=newest + 1) is None
    key = incremental.stat_key([squad / "ada"], now_ns=newest + incremental.RACY_NS + 1)
    assert key is not None
    monkeypatch.setattr(incremental, "RACY_NS", 10**18)  # every file "just modified"
    out = squad / "out"
    _batch(squad, out)
    counted.update(read=0, analysed=0)
    _batch(squad, out)  # checked by content: read (a cache hit each), not analysed
    assert (counted["read"], counted["analysed"]) == (2, 0)


@pytest.mark.parametrize("damage", ["missing", "corrupt", "foreign", "report altered",
                                    "report missing"])
def test_a_manifest_or_report_that_cannot_be_trusted_means_redo(
    squad, counted, fake_reports, damage
):
    out = squad / "out"
    _batch(squad, out)
    manifest = out / MANIFEST_NAME
    if damage == "missing":
        manifest.unlink()
    elif damage == "corrupt":
        manifest.write_bytes(b"\x00{not json")
    elif damage == "foreign":
        doc = json.loads(manifest.read_text())
        manifest.write_text(json.dumps({**doc, "format": "someone-else"}))
    elif damage == "report altered":
        (out / "ada.html").write_text("edited by hand")
    else:
        (out / "ada.html").unlink()
    counted.update(Ada=0, Bo=0)
    result = _batch(squad, out)
    assert counted["Ada"] == 1
    assert counted["Bo"] == (1 if damage in ("missing", "corrupt", "foreign") else 0)
    assert (out / "ada.html").read_text() == "report of Ada (15)"
    assert {a.report for a in result.athletes} == {"ada.html", "bo.html"}


def test_the_date_options_and_settings_are_part_of_the_key(squad, counted, fake_reports):
    out = squad / "out"
    _batch(squad, out)

    def redone(**kw) -> int:
        counted.update(analysed=0)
        _batch(squad, out, **kw)
        return counted["analysed"]

    assert redone() == 0
    assert redone(weeks=8) == 2
    assert redone(weeks=8) == 0
    assert redone(weeks=8, units="mi") == 2
    with Cache(squad / "cache") as cache:  # a new day: "days since" and red flags move
        counted.update(analysed=0)
        run_batch(_roster(squad), out, cache=cache, today=TODAY + dt.timedelta(days=1),
                  weeks=8, units="mi")
        assert counted["analysed"] == 2
    (squad / "bo" / "loadwatch.toml").write_text('name = "Bo"\nmax_hr = 190\n')
    counted.update(Ada=0, Bo=0)
    _batch(squad, out)
    assert (counted["Ada"], counted["Bo"]) == (1, 1)  # options back: both; Bo's settings
    counted.update(Ada=0, Bo=0)
    (squad / "bo" / "loadwatch.toml").write_text('name = "Bo"\nmax_hr = 185\n')
    _batch(squad, out)
    assert (counted["Ada"], counted["Bo"]) == (0, 1)


def test_two_jobs_keep_reports_and_read_each_file_once(squad, counted, fake_reports):
    out = squad / "out"
    with Cache(squad / "cache") as cache:
        run_batch(_roster(squad), out, cache=cache, jobs=2, today=TODAY)
        # each of the 30 files hashed and looked up once; Bo's first 12 runs are Ada's
        assert (cache.hits, cache.misses) == (12, 18)
        stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.html")}
        again = run_batch(_roster(squad), out, cache=cache, jobs=2, today=TODAY)
    assert again.reused == 2
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.html")
            if p.name != "index.html"} == {k: v for k, v in stamps.items() if k != "index.html"}
    assert (out / "bo.html").read_text() == "report of Bo (15)"


def test_a_cluster_run_with_nothing_changed_never_calls_the_cluster(
    squad, fake_reports, monkeypatch
):
    monkeypatch.setattr(incremental, "RACY_NS", 0)
    out = squad / "out"
    _batch(squad, out)

    def no_cluster(*args, **kw):
        raise AssertionError("the cluster was asked for an unchanged athlete")

    import loadwatch.cluster

    monkeypatch.setattr(loadwatch.cluster, "cluster_reports", no_cluster)
    result = _batch(squad, out, scheduler="tcp://127.0.0.1:1")
    assert result.reused == 2 and {a.status for a in result.athletes} == {"ok"}


def test_outputs_of_a_failed_run_are_left_as_they_were(squad, fake_reports, monkeypatch):
    out = squad / "out"
    _batch(squad, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def refuse(self, name, text):
        raise batch_mod.OutputsNotWritten(f"cannot write {name}")

    monkeypatch.setattr(batch_mod._Staging, "write", refuse)
    (squad / "bo" / "extra.gpx").write_text(gpx(MONDAY + dt.timedelta(days=1), 5.0))
    with pytest.raises(batch_mod.OutputsNotWritten):
        _batch(squad, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    shutil.rmtree(out)
