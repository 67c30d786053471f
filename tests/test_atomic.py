"""Atomic writes: the old file or the new one, never half of either."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from loadwatch import atomic
from loadwatch.atomic import write_atomic


def test_writes_text_and_bytes(tmp_path: Path) -> None:
    p = tmp_path / "r.html"
    assert write_atomic(p, "héllo") == p
    assert p.read_bytes() == "héllo".encode()
    write_atomic(str(p), b"\x00\x01")
    assert p.read_bytes() == b"\x00\x01"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["r.html"]


def test_failure_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "r.html"
    p.write_text("old report")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError, match="No space"):
        write_atomic(p, "new report")
    assert p.read_text() == "old report"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["r.html"]


def test_interrupted_write_keeps_the_previous_file(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "r.html"
    p.write_text("old report")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(p, "new report")
    assert p.read_text() == "old report"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["r.html"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_permissions(tmp_path: Path) -> None:
    p = tmp_path / "new.html"
    old = os.umask(0o022)
    try:
        write_atomic(p, "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(p.stat().st_mode) == 0o644  # not the 0600 of a temporary file
    p.chmod(0o640)
    write_atomic(p, "y")
    assert stat.S_IMODE(p.stat().st_mode) == 0o640


def test_missing_folder_is_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "nope" / "r.html", "x")
