"""sources: paths -> plain files, with archives unwrapped and refusals explained."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from pathlib import Path

import pytest

from loadwatch import sources
from loadwatch.problems import Problem
from loadwatch.sources import Item, gunzip, iter_items

GPX = b"<gpx>one</gpx>"


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _all(*paths, ignored=None) -> tuple[list[Item], list[Problem]]:
    out = list(iter_items([str(p) for p in paths], ignored=ignored))
    return [o for o in out if isinstance(o, Item)], [o for o in out if isinstance(o, Problem)]


def test_plain_and_gz_files(tmp_path: Path):
    (tmp_path / "a.gpx").write_bytes(GPX)
    (tmp_path / "b.fit.gz").write_bytes(gzip.compress(b"FITDATA"))
    items, problems = _all(tmp_path)
    assert problems == []
    assert [(i.source, i.name, i.data) for i in items] == [
        (str(tmp_path / "a.gpx"), "a.gpx", GPX),
        (str(tmp_path / "b.fit.gz"), "b.fit", b"FITDATA"),
    ]
    assert items[1].location == ("", (tmp_path / "b.fit").resolve().as_posix())


def test_multi_member_gzip():
    assert gunzip(gzip.compress(b"ab") + gzip.compress(b"cd")) == b"abcd"


def test_zip_members_nested_and_filtered(tmp_path: Path):
    inner = _zip({"deep/run.tcx": b"<tcx/>"})
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        _zip(
            {
                "activities.csv": b"date,distance_km,duration\n",
                "activities/1.gpx.gz": gzip.compress(GPX),
                "activities/2.fit": b"FIT",
                "media/photo.jpg": b"\xff\xd8",
                "__MACOSX/activities/._1.gpx": b"junk",
                ".hidden.gpx": GPX,
                "symptoms.csv": b"date,pain\n",
                "old/inner.zip": inner,
            }
        )
    )
    items, problems = _all(archive)
    assert problems == []
    shown = f"{archive}!"
    assert [i.source for i in items] == [
        shown + "activities.csv",
        shown + "activities/1.gpx",
        shown + "activities/2.fit",
        shown + "old/inner.zip!deep/run.tcx",
    ]
    assert items[1].data == GPX and items[1].name == "activities/1.gpx"
    csv_item, gpx_item = items[0], items[1]
    assert csv_item.sibling("activities/1.gpx.gz") == gpx_item.location
    assert csv_item.sibling("activities/1.gpx") == gpx_item.location
    assert items[3].container == archive.resolve().as_posix() + "!old/inner.zip"


def test_strava_folder_links_resolve_on_disk(tmp_path: Path):
    (tmp_path / "activities").mkdir()
    (tmp_path / "activities.csv").write_bytes(b"x")
    (tmp_path / "activities" / "7.gpx.gz").write_bytes(gzip.compress(GPX))
    csv_item, gpx_item = _all(tmp_path)[0]
    assert csv_item.sibling("activities/7.gpx.gz") == gpx_item.location


def test_nesting_depth_limit(tmp_path: Path):
    data = _zip({"run.gpx": GPX})
    for level in range(4):
        data = _zip({f"level{level}.zip": data})
    (tmp_path / "deep.zip").write_bytes(data)
    items, problems = _all(tmp_path / "deep.zip")
    assert items == []
    assert len(problems) == 1
    assert problems[0].source.endswith("!level3.zip!level2.zip!level1.zip")
    assert "nested more than 3 levels" in problems[0].reason


def test_zip_bomb_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # The real limit is 1 GB; the test scales it down with the same ratio rule.
    monkeypatch.setattr(sources, "MAX_ARCHIVE_BYTES", 2**20)
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(_zip({"a.gpx": b"\0" * (5 * 2**20), "b.gpx": GPX}))
    items, problems = _all(bomb)
    assert items == []
    assert [p.source for p in problems] == [str(bomb)]
    assert problems[0].reason.startswith("refused as a zip bomb: expands")
    # large but incompressible (ratio ~1): not a bomb
    ok = tmp_path / "big.zip"
    ok.write_bytes(_zip({"a.gpx": os.urandom(2 * 2**20)}))
    items, problems = _all(ok)
    assert len(items) == 1 and problems == []


def test_zip_bomb_with_lying_sizes_stops_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(sources, "MAX_ARCHIVE_BYTES", 2**20)
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 2 * 2**20)
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(_zip({f"{n}.gpx": b"\0" * 2**19 for n in range(4)}))
    # each member is under every limit; only the running total crosses 1 "GB"
    monkeypatch.setattr(sources, "MAX_ARCHIVE_BYTES", 3 * 2**19 - 1)
    items, problems = _all(bomb)
    assert len(items) <= 2
    assert problems and "zip bomb" in problems[-1].reason


def test_file_size_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 1000)
    (tmp_path / "big.gpx").write_bytes(b"x" * 1001)
    (tmp_path / "big.tcx.gz").write_bytes(gzip.compress(b"x" * 5000))
    (tmp_path / "in.zip").write_bytes(_zip({"big.fit": b"x" * 1001, "ok.fit": b"x" * 10}))
    items, problems = _all(tmp_path)
    assert [i.source for i in items] == [f"{tmp_path / 'in.zip'}!ok.fit"]
    reasons = {Path(p.source).name: p.reason for p in problems}
    assert "larger than the 1,000 bytes limit" in reasons["big.gpx"]
    assert reasons["big.tcx.gz"] == "decompresses to more than 0 MB"
    assert "larger than" in reasons["in.zip!big.fit"]


def test_too_many_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sources, "MAX_ZIP_MEMBERS", 10)
    many = tmp_path / "many.zip"
    many.write_bytes(_zip({f"{n}.gpx": GPX for n in range(11)}, zipfile.ZIP_STORED))
    items, problems = _all(many)
    assert items == []
    assert problems[0].reason == "archive has 11 files; more than 10 refused"


def test_corrupt_inputs(tmp_path: Path):
    (tmp_path / "bad.fit.gz").write_bytes(b"\x1f\x8b\x08\x00garbage-garbage")
    (tmp_path / "cut.gpx.gz").write_bytes(gzip.compress(GPX * 50)[:-12])
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really a zip")
    crc = bytearray(_zip({"run.gpx": GPX * 20}, zipfile.ZIP_STORED))
    crc[40] ^= 0xFF  # flip a byte of the member's data: CRC mismatch
    (tmp_path / "crc.zip").write_bytes(bytes(crc))
    items, problems = _all(tmp_path)
    assert items == []
    reasons = {Path(p.source).name: p.reason for p in problems}
    assert reasons["bad.fit.gz"].startswith("corrupt gzip data")
    assert reasons["cut.gpx.gz"] == "truncated gzip data"
    assert reasons["bad.zip"].startswith("not a readable zip archive")
    assert reasons["crc.zip!run.gpx"].startswith("corrupt archive member")
    assert all(p.kind == "error" for p in problems)


def test_missing_path_and_explicit_unsupported(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("hi")
    (tmp_path / "symptoms.csv").write_text("date,pain\n")
    items, problems = _all(tmp_path / "nope", tmp_path / "notes.txt", tmp_path / "symptoms.csv")
    assert items == []
    assert [(Path(p.source).name, p.kind) for p in problems] == [
        ("nope", "error"),
        ("notes.txt", "skipped"),
        ("symptoms.csv", "skipped"),
    ]
    assert problems[0].reason == "no such file or folder"
    assert "symptom log" in problems[2].reason


def test_folders_skip_hidden_reserved_and_other_types(tmp_path: Path):
    for rel in [".hidden.gpx", ".git/x.gpx", "sub/b.gpx", "a.gpx", "photo.jpg",
                "symptoms.csv", "loadwatch.toml", "roster.toml", "sub/.DS_Store"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(GPX)
    ignored: list[str] = []
    items, problems = _all(tmp_path, ignored=ignored)
    assert problems == []
    assert [Path(i.source).relative_to(tmp_path).as_posix() for i in items] == [
        "a.gpx",
        "sub/b.gpx",
    ]
    assert sorted(Path(p).name for p in ignored) == sorted(
        [".hidden.gpx", "photo.jpg", "symptoms.csv", "loadwatch.toml", "roster.toml",
         ".DS_Store"]
    )


def test_path_traversal_names_are_only_names(tmp_path: Path):
    (tmp_path / "evil.zip").write_bytes(_zip({"../../escaped.gpx": GPX, "/abs.gpx": GPX}))
    items, problems = _all(tmp_path / "evil.zip")
    assert problems == []
    assert [i.data for i in items] == [GPX, GPX]
    assert items[0].source.endswith("!/abs.gpx") or items[1].source.endswith("!/abs.gpx")
    assert not (tmp_path.parent / "escaped.gpx").exists()
    assert not Path("/abs.gpx").exists()


def test_real_gzipped_fit(realdata):
    items, problems = _all(realdata / "fit" / "gc__14582164182.fit.gz")
    assert problems == []
    assert items[0].name == "gc__14582164182.fit"
    assert items[0].data[8:12] == b".FIT"
