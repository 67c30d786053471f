"""Issue 15, sections 1, 2 and 6: hostile paths and inputs, each set up in a temporary folder.

Every case is one clear line naming the path and the reason, every other file is still
read, and the run is bounded: the CLI runs in a subprocess with an address-space limit
and a timeout (:func:`tests.hostile.run_bounded`), so a regression fails instead of
hanging the suite or the machine.
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from loadwatch import read, sources
from loadwatch.problems import Problem, UsageError
from loadwatch.read import read_activities, records_for
from loadwatch.settings import read_toml
from loadwatch.sources import Item, iter_items
from tests import hostile
from tests.hostile import run_bounded

GOOD = hostile.gpx()
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# -- 1 and 2: one bounded run over a folder of hostile paths --------------------------------
#
# One CLI run (a subprocess costs seconds) reads a folder holding every hostile path of
# sections 1 and 2 beside good files, plus hostile paths named on the command line.


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[tuple[Path, list[str], list[str]]]:
    """(folder, activity sources read, stderr lines) of ``loadwatch activities``."""
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "runs"
    folder.mkdir()
    (folder / "good.gpx").write_bytes(GOOD)
    (folder / "good2.gpx.gz").write_bytes(gzip.compress(hostile.gpx(start_minute=30)))
    for name in ("run.gpx", "run.fit.gz", "export.zip", "log.csv"):
        os.mkfifo(folder / name)
    os.symlink("b.fit", folder / "a.fit")
    os.symlink("a.fit", folder / "b.fit")
    os.symlink("/dev/zero", folder / "zero.fit")
    os.symlink("/dev/urandom", folder / "random.tcx")
    os.symlink("missing.gpx", folder / "broken.gpx")
    if ROOT:
        os.mknod(folder / "dev.fit", 0o600 | 0o020000, os.makedev(1, 5))  # like /dev/zero
    hostile.make_deep(folder, 1000, "deep.gpx", GOOD)
    hostile.make_deep(folder, 4, "shallow.gpx", hostile.gpx(start_minute=40), name="e")
    os.symlink("..", folder / "e" / "up")
    (Path(os.fsdecode(bytes(folder) + b"/odd\xff\xfe.gpx"))).write_bytes(
        hostile.gpx(start_minute=50))
    # section 2: small files that cost minutes or gigabytes before
    tiny = gzip.compress(hostile.tiny_record_fit(200_000))
    assert len(tiny) < 10_000
    (folder / "tiny.fit.gz").write_bytes(tiny)
    (folder / "sessions.fit").write_bytes(hostile.many_sessions_fit(20_000))
    (folder / "two.fit").write_bytes(hostile.many_sessions_fit(1))
    (folder / "long.gpx").write_bytes(hostile.long_attribute_gpx(8 * 2**20))
    (folder / "comment.gpx").write_bytes(
        GOOD.replace(b"<trk>", b"<!--" + b"<a " * 2**19 + b"--><trk>"))
    (folder / "fine.gpx").write_bytes(
        hostile.long_attribute_gpx(2**19).replace(b"07:00:00", b"09:00:00"))
    (folder / "bomb.zip").write_bytes(hostile.overlapping_zip(2_000, GOOD))
    # named on the command line
    os.mkfifo(base / "pipe.gpx")
    os.symlink("loop.fit", base / "loop.fit")
    named = [base / "pipe.gpx", base / "loop.fit", base / ("x" * 300 + ".fit")]
    out = run_bounded(["activities", "--jobs", "1", "--no-cache", "--format", "csv",
                       str(folder), *map(str, named)], cwd=base)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 0, out.stderr
    rows = pd.read_csv(io.StringIO(out.stdout))
    yield folder, list(rows["source"]), out.stderr.splitlines()
    hostile.remove_tree(folder / "d")  # pytest's own clean-up recurses per level


def _line(lines: list[str], name: str) -> str:
    hits = [line for line in lines if name in line]
    assert len(hits) == 1, (name, lines)
    return hits[0]


def test_good_files_beside_hostile_ones_are_all_read(hostile_run):
    folder, found, _ = hostile_run
    assert sorted(Path(s).name for s in found) == [
        "fine.gpx", "good.gpx", "good2.gpx.gz", "odd\\xff\\xfe.gpx", "shallow.gpx", "two.fit"]
    assert str(folder.joinpath("e", "e", "e", "e", "shallow.gpx")) in found


def test_the_parse_cache_and_its_stat_keys_change_nothing(hostile_run, tmp_path,
                                                          monkeypatch):
    # the same folder read with no cache, then twice with one whose stat keys are
    # trusted at once (the second read opens only what the first did not remember):
    # the same activities and the same problems, FIFOs and loops included
    from loadwatch import incremental
    from loadwatch.cache import Cache

    folder = hostile_run[0]
    monkeypatch.setattr(incremental, "RACY_NS", -10**18)

    def outcome(cache: Cache | None) -> tuple[list[str], list[tuple[str, str, str]]]:
        got = read_activities([folder], jobs=1, cache=cache)
        return (sorted(got.activities["source"]),
                sorted((p.source, p.reason, p.kind) for p in got.problems))

    plain = outcome(None)
    with Cache(tmp_path / "cache") as cache:
        assert outcome(cache) == plain
    with Cache(tmp_path / "cache") as cache:
        assert outcome(cache) == plain
        assert cache.misses == 0  # every file found by its stat or its content


def test_fifos_symlink_loops_and_devices(hostile_run):
    _, _, lines = hostile_run
    for name in ("run.gpx:", "run.fit.gz:", "export.zip:", "log.csv:", "pipe.gpx:"):
        assert "not a regular file: a FIFO (named pipe); not read" in _line(lines, name)
    assert "Too many levels of symbolic links" in _line(lines, "a.fit:")
    assert "Too many levels of symbolic links" in _line(lines, "loop.fit:")
    assert "character device (through a symlink)" in _line(lines, "zero.fit:")
    assert "character device (through a symlink)" in _line(lines, "random.tcx:")
    assert "broken symlink" in _line(lines, "broken.gpx:")
    if ROOT:  # a private device node, made with os.mknod
        assert "not a regular file: a character device; not read" in _line(lines, "dev.fit:")


def test_deep_folders_loops_and_long_names(hostile_run):
    _, _, lines = hostile_run
    deep = _line(lines, "nested more than")
    assert f"{sources.MAX_FOLDER_DEPTH} levels deep" in deep
    assert "/d/d/d/" in deep
    assert "already read" in _line(lines, "/e/up:")
    assert "File name too long" in _line(lines, "x" * 100)  # the name is shortened on screen


def test_small_inputs_that_cost_minutes_or_gigabytes(hostile_run):
    _, _, lines = hostile_run
    assert "none of the first 10,000 records has a time" in _line(lines, "tiny.fit.gz:")
    assert "more than 1,000 sessions" in _line(lines, "sessions.fit:")
    assert "XML token" in _line(lines, "long.gpx:")
    assert "longer than 1 MB" in _line(lines, "comment.gpx:")
    assert "overlap" in _line(lines, "bomb.zip:")


def test_non_utf8_file_name_and_fifo_symptom_log_through_report(tmp_path: Path):
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "good.gpx").write_bytes(GOOD)
    (Path(os.fsdecode(bytes(runs) + b"/run\xff\xfe.gpx"))).write_bytes(
        hostile.gpx(60, start_minute=30))
    os.mkfifo(runs / "symptoms.csv")
    out = run_bounded(["report", "--jobs", "1", "--no-cache", str(runs), "-o",
                       str(tmp_path / "r.html")], cwd=tmp_path)
    assert "Traceback" not in out.stderr
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "symptoms.csv" in html and "FIFO" in html
    result = read_activities([runs])
    assert sorted(Path(s).name for s in result.activities["source"]) == [
        "good.gpx", "run\\xff\\xfe.gpx"]


def test_unreadable_sub_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "good.gpx").write_bytes(GOOD)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden.gpx").write_bytes(GOOD)
    real_scandir = os.scandir

    def scandir(path):  # root reads any folder; the refusal a user would get
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(sources.os, "scandir", scandir)
    out = list(iter_items([tmp_path]))
    assert [Path(i.source).name for i in out if isinstance(i, Item)] == ["good.gpx"]
    assert [str(p) for p in out if isinstance(p, Problem)] == [
        f"{locked}: cannot read folder: Permission denied"
    ]


def test_name_longer_than_the_file_system_allows(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "good.gpx").write_bytes(GOOD)
    (tmp_path / "long.gpx").write_bytes(GOOD)
    monkeypatch.setattr(sources, "MAX_NAME_BYTES", 6)  # no local file system takes > 255
    out = list(iter_items([tmp_path]))
    assert [Path(i.source).name for i in out if isinstance(i, Item)] == []
    assert sorted(p.reason for p in out if isinstance(p, Problem)) == [
        "name longer than 6 bytes; not read"] * 2


# -- 2. small inputs must not cost minutes or gigabytes (more in hostile_run above) ----------


def test_sessions_split_in_linear_time():
    from loadwatch.importers import fit

    parsed = fit.read(hostile.many_sessions_fit(50, records_per_session=3), "s.fit")
    assert len(parsed) == 50
    assert all(len(p.records) == 3 for p in parsed)
    starts = [p.summary["start_time"] for p in parsed]
    assert starts == sorted(starts) and len(set(starts)) == 50


def test_ordinary_zips_do_not_overlap():
    ordinary = io.BytesIO()
    with zipfile.ZipFile(ordinary, "w") as zf:
        zf.writestr("a.gpx", GOOD)
        zf.writestr("b.gpx", hostile.gpx(start_minute=30))
    with zipfile.ZipFile(ordinary) as zf:
        assert sources._overlapping(zf) is None
    with zipfile.ZipFile(io.BytesIO(hostile.overlapping_zip(3))) as zf:
        assert "overlap" in (sources._overlapping(zf) or "")


def test_bytes_in_flight_are_bounded():
    batches = list(read._batches(iter(
        [Item(str(n), "x.gpx", b"x" * 40, "", str(n)) for n in range(10)]), 32, 100))
    assert [len(b) for b in batches] == [3, 3, 3, 1]  # closed at 120 bytes, not 32 files


def test_a_hundred_small_gz_files_do_not_need_gigabytes(tmp_path: Path):
    runs = tmp_path / "runs"
    runs.mkdir()
    blob = gzip.compress(b"\0" * 5 * 2**20, 9)  # 5 KB that unwraps to 5 MB
    for n in range(100):
        (runs / f"z{n:03}.gpx.gz").write_bytes(blob)
    (runs / "good.gpx").write_bytes(GOOD)
    # the bounds scaled down 8x with the files (100 KB -> 100 MB each in the issue): held by
    # count (96 files: 660 MB of address space measured) the run exceeds the limit; held by
    # bytes it peaks at about 310 MB
    code = (
        "import sys; from loadwatch import read;"
        "read.BATCH_BYTES, read.MAX_BYTES_IN_FLIGHT = 8 * 2**20, 32 * 2**20;"
        "r = read.read_activities([sys.argv[1]], jobs=1);"
        "print(len(r.activities), r.files_read, sum('no XML content' in p.reason"
        " for p in r.problems))"
    )
    out = run_bounded([str(runs)], cwd=tmp_path, python=code, memory=500 * 2**20)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "101", "100"]


def _toml_error(tmp_path: Path, data: bytes | None, *, fifo: bool = False) -> str:
    path = tmp_path / "loadwatch.toml"
    if fifo:
        os.mkfifo(path)
    else:
        path.write_bytes(data or b"")
    with pytest.raises(UsageError) as err:
        read_toml(path, "config")
    path.unlink()
    message = str(err.value)
    assert "\n" not in message
    return message


def test_hostile_settings_files(tmp_path: Path):
    assert "nested more than 32 levels" in _toml_error(tmp_path, hostile.deep_array_toml(100_000))
    assert "more than 64 dotted parts" in _toml_error(tmp_path, hostile.dotted_key_toml(20_000))
    assert "FIFO" in _toml_error(tmp_path, None, fifo=True)
    sparse = tmp_path / "loadwatch.toml"
    with open(sparse, "wb") as fh:
        fh.truncate(2 * 2**30)  # sparse: costs no disk
    with pytest.raises(UsageError, match="larger than the 1 MB limit"):
        read_toml(sparse, "config")
    sparse.unlink()
    ok = b'[athlete]\ntimezone = "Europe/Paris"  # a.b.c.d.e\n[thresholds.acwr]\ncaution = 1.3\n'
    sparse.write_bytes(ok)
    assert read_toml(sparse, "config")["thresholds"]["acwr"]["caution"] == 1.3


def test_fifo_settings_file_is_one_line_error(tmp_path: Path):
    (tmp_path / "good.gpx").write_bytes(GOOD)
    os.mkfifo(tmp_path / "loadwatch.toml")
    code = (
        "import sys; from pathlib import Path; from loadwatch.settings import read_settings;"
        "from loadwatch.problems import UsageError\n"
        "try: read_settings(search=[Path(sys.argv[1])])\n"
        "except UsageError as e: print(e)"
    )
    out = run_bounded([str(tmp_path)], cwd=tmp_path, python=code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        f"{tmp_path / 'loadwatch.toml'}: cannot read config (not a regular file: a FIFO"
        " (named pipe); not read)"
    ]


# -- 6. valid inputs refused with misleading reasons -------------------------------------------


def test_utf16_gpx_and_csv_with_bom(tmp_path: Path):
    (tmp_path / "run.gpx").write_bytes(hostile.utf16(GOOD, xml=True))
    log = b"date,distance_km,duration\n2024-05-06,8.5,45:30\n2024-05-08,10,50:00\n"
    (tmp_path / "log.csv").write_bytes(hostile.utf16(log))
    result = read_activities([tmp_path])
    assert [str(p) for p in result.problems] == []
    assert sorted(result.activities["format"]) == ["gpx", "log_csv", "log_csv"]


def test_xmlns_inside_an_attribute_value(tmp_path: Path):
    for n, quote in enumerate(("'", '"')):
        other = "'" if quote == '"' else '"'
        fake = f"creator={quote}x xmlns={other}urn:fake{other}{quote}".encode()
        (tmp_path / f"r{n}.gpx").write_bytes(
            hostile.gpx(start_minute=n * 30).replace(b'creator="test"', fake))
    result = read_activities([tmp_path])
    assert [str(p) for p in result.problems] == []
    assert len(result.activities) == 2


def _strava_export(tmp_path: Path, date: str) -> Path:
    export = tmp_path / "export"
    (export / "activities").mkdir(parents=True)
    (export / "activities" / "1.gpx").write_bytes(GOOD)  # 2024-05-04 07:00 UTC, a run
    (export / "activities.csv").write_text(
        "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Filename\n"
        f'1,"{date}",Evening Ride,Ride,1800,20.0,activities/1.gpx\n'
    )
    return export


def test_strava_row_joins_only_a_file_of_the_same_time(tmp_path: Path):
    joined = read_activities([_strava_export(tmp_path / "a", "May 4, 2024, 7:00:05 AM")])
    assert list(joined.activities["title"]) == ["Evening Ride"]
    apart = read_activities([_strava_export(tmp_path / "b", "May 4, 2025, 7:00:00 AM")])
    assert sorted(apart.activities["format"]) == ["gpx", "strava_csv"]
    assert sorted(apart.activities["sport"]) == ["cycling", "running"]
    (warning,) = [p for p in apart.problems if "not joined" in p.reason]
    assert warning.kind == "warning" and "2025-05-04 07:00 UTC" in warning.reason


def test_records_for_with_two_same_named_zip_members(tmp_path: Path):
    archive = tmp_path / "twins.zip"
    archive.write_bytes(hostile.same_name_zip(GOOD, hostile.gpx(45, start_minute=30)))
    result = read_activities([archive])
    assert len(result.activities) == 2
    lengths = sorted(len(records_for(result, a)) for a in result.activities["activity_id"])
    assert lengths == [30, 45]
