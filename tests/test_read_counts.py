"""What read_activities says about how it read: decoder paths with fallback reasons
(``--verbose``) and, per archive, members that were activities, not activities, refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from click.testing import CliRunner

from loadwatch import read
from loadwatch.cache import Cache
from loadwatch.cli import cli
from loadwatch.problems import Problem
from loadwatch.read import read_activities
from loadwatch.sources import Item

FAST_FIT = "fit/fitparse__garmin-fenix-5-run.fit"
#: Compressed record fields with accumulated values: fastfit leaves this file to fitparse.
FALLBACK_FIT = "odd/fitparse__compressed-speed-distance.fit"
SECOND_FIT = "fit/fitparse__20170518-191602-1740899583.fit"
GPX = "gpx/runpandas__run.gpx"
STAND_IN = "compressed record field with values"


def export_zip(realdata: Path, folder: Path) -> Path:
    """A Garmin-export-shaped zip: 2 activities, 3 non-activity FIT files, 1 broken
    member, 1 photo (passed over)."""
    members = {
        "uploaded/run-1.fit": (realdata / FAST_FIT).read_bytes(),
        "uploaded/run-2.fit": (realdata / SECOND_FIT).read_bytes(),
        "uploaded/monitor-1.fit": (realdata / "odd/fitparse__MonitoringFile.fit").read_bytes(),
        "uploaded/monitor-2.fit": (realdata / "odd/fitparse__MonitoringFile.fit").read_bytes()
        + b"\0",
        "uploaded/settings.fit": (realdata / "odd/fitparse__Settings.fit").read_bytes(),
        "uploaded/broken.gpx": b"<gpx><trk>",
        "photos/a.jpg": b"\xff\xd8\xff",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path = folder / "export.zip"
    path.write_bytes(buf.getvalue())
    return path


def test_decoder_line_counts_fast_and_fallback_files_with_reasons(
        realdata: Path, tmp_path: Path) -> None:
    paths = [realdata / FAST_FIT, realdata / FALLBACK_FIT, realdata / GPX]
    cold = read_activities(paths, cache=Cache(tmp_path / "cache"))
    expected = f"FIT: 1 fast, 1 via fitparse ({STAND_IN}: 1); GPX: 1 from arrays, 0 via gpxpy"
    assert cold.decoder_line() == expected
    # a warm run parses nothing, yet says the same: the path travels with the cached payload
    warm = read_activities(paths, cache=Cache(tmp_path / "cache"))
    assert warm.decoder_line() == expected
    assert read_activities([realdata / "csv"]).decoder_line() is None


def test_archive_summary_counts_members(realdata: Path, tmp_path: Path) -> None:
    archive = export_zip(realdata, tmp_path)
    result = read_activities([archive])
    assert result.archive_lines() == [
        f"{archive}: 6 members: 2 activities, 3 skipped as not activities, 1 refused"
    ]
    counts = result.archives[str(archive)]
    assert counts.not_activities == sum(p.kind == "skipped" for p in result.problems)
    assert counts.refused == sum(p.kind == "error" for p in result.problems)


def test_activities_prints_archive_summary_and_decoders_when_verbose(
        realdata: Path, tmp_path: Path) -> None:
    archive = export_zip(realdata, tmp_path)
    runner = CliRunner()
    plain = runner.invoke(cli, ["activities", str(archive), "--no-cache"])
    verbose = runner.invoke(cli, ["activities", str(archive), "--no-cache", "--verbose"])
    assert plain.exit_code == 0 and verbose.exit_code == 0
    summary = f"{archive}: 6 members: 2 activities, 3 skipped as not activities, 1 refused"
    assert summary in plain.stderr and summary in verbose.stderr
    assert "FIT: " not in plain.stderr
    assert "FIT: 2 fast, 0 via fitparse\n" in verbose.stderr


def test_report_verbose_prints_the_same_lines(realdata: Path, tmp_path: Path) -> None:
    archive = export_zip(realdata, tmp_path)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["report", str(archive), "-o", str(out), "--no-cache",
                                      "--today", "2017-06-01", "--verbose"])
    assert result.exit_code == 0, result.output
    assert "FIT: 2 fast, 0 via fitparse\n" in result.stderr
    assert "2 activities, 3 skipped as not activities, 1 refused" in result.stderr


def test_batches_count_files_not_skipped_members() -> None:
    """An export's monitoring members (Problems) do not close a batch: the pool gets work."""
    entries: list[Item | Problem] = []
    for n in range(40):
        entries += [Problem(f"x.zip!m{n}-{k}.fit", "not an activity", "skipped")
                    for k in range(10)]
        entries.append(Item(f"x.zip!run{n}.fit", f"run{n}.fit", b"FIT", "x.zip", f"run{n}"))
    batches = list(read._batches(iter(entries), 32))
    assert [sum(isinstance(e, Item) for e in b) for b in batches] == [32, 8]
    assert sum(len(b) for b in batches) == len(entries)
    many = [Problem(f"x.zip!m{n}.fit", "skipped", "skipped") for n in range(3000)]
    assert [len(b) for b in read._batches(iter(many), 32)] == [1024, 1024, 952]
