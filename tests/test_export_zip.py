"""A Garmin account export: one zip, an uploaded-files zip inside, tens of thousands of
members of which most are monitoring files; it imports member by member."""

from __future__ import annotations

import struct
import zipfile

from fitparse.records import Crc

from loadwatch import sources
from loadwatch.read import read_activities
from tests.importers.test_fastfit import _activity, _definition, _header

ACTIVITIES = 40
MONITORING = 10_200


def _monitoring(i: int) -> bytes:
    """A tiny monitoring_b FIT file (file_id type 32) with one monitoring message."""
    body = _definition(0, 0, [(0, 1, 0x00), (1, 2, 0x84), (4, 4, 0x86)], False)
    body += struct.pack("<BBHI", 0x00, 32, 1, 1_000_000_000 + i)
    body += _definition(1, 55, [(253, 4, 0x86), (3, 4, 0x86)], False)
    body += struct.pack("<BII", 0x01, 1_000_000_000 + i, 1234)
    out = _header(len(body)) + body
    return out + struct.pack("<H", Crc.calculate(out))


def _export(path) -> None:
    inner = path.parent / "UploadedFiles_0-_Part1.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(MONITORING):
            z.writestr(f"someone@example.com_{1000 + i}.fit", _monitoring(i))
        for i in range(ACTIVITIES):
            start = 1_000_000_000 + 86_400 * i
            z.writestr(f"someone@example.com_{50_000 + i}.fit", _activity(False, False, start))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.write(inner, "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip")
        z.writestr("DI_CONNECT/DI-Connect-User/user_profile.json", "{}")


def test_export_with_more_than_10000_members_imports(tmp_path) -> None:
    path = tmp_path / "garmin-export.zip"
    _export(path)
    result = read_activities([path])
    assert len(result.activities) == ACTIVITIES
    skipped = [p for p in result.problems if p.kind == "skipped"]
    assert len(skipped) == MONITORING
    assert skipped[0].reason == "FIT file of type 'monitoring_b', not an activity"
    assert not [p for p in result.problems if p.kind == "error"]
    assert MONITORING + ACTIVITIES > 10_000


def test_inner_archive_limited_as_an_archive_not_as_a_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "garmin-export.zip"
    _export(path)
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 10_000)  # far below the inner zip's size
    result = read_activities([path])
    assert len(result.activities) == ACTIVITIES
    monkeypatch.setattr(sources, "MAX_ARCHIVE_BYTES", 10_000)
    result = read_activities([path])
    assert len(result.activities) == 0
    assert any("larger than the" in p.reason for p in result.problems)

