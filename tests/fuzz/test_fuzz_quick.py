"""The quick fuzz profile (300 mutated files, a few seconds) and checks that the harness
itself notices crashes, hangs and memory blow-ups."""

from __future__ import annotations

import random
import time
import zipfile
from io import BytesIO

import pytest

from loadwatch.importers import READERS
from loadwatch.problems import InputError
from tests.fuzz import harness, mutators, seeds


def test_quick_profile_handles_every_input(tmp_path):
    report = harness.run("quick", out=tmp_path)
    assert report.inputs == harness.PROFILES["quick"].inputs
    assert set(report.by_format) == {"csv", "fit", "gpx", "tcx", "hostile"}
    assert report.wrapped > 10
    assert report.activities > 50  # mutated files still import: the fuzzer gets past parsing
    assert report.unhandled() == 0, report.text()
    # No wall-clock bound here (a shared machine makes it flaky): the harness already counts
    # an input that takes longer than its timeout as a hang, and unhandled() includes hangs.
    assert report.slowest is not None, report.text()
    assert (tmp_path / "report.json").is_file()


def test_cases_are_reproducible_from_their_index():
    pool = seeds.generated()
    first = [mutators.make_case(pool, i, "k") for i in range(40)]
    assert first == [mutators.make_case(pool, i, "k") for i in range(40)]
    other = [mutators.make_case(pool, i, "other") for i in range(40)]
    assert sum(a.data != b.data for a, b in zip(first, other, strict=True)) > 30


@pytest.mark.parametrize("name", sorted(mutators.BYTE_MUTATORS | mutators.TEXT_MUTATORS))
def test_each_mutator_changes_the_bytes(name):
    mutate = (mutators.BYTE_MUTATORS | mutators.TEXT_MUTATORS)[name]
    data = seeds.generated()[0].data  # the GPX seed: has numbers, times and lines
    rng = random.Random(7)
    changed = sum(mutate(data, rng, seeds.generated()) != data for _ in range(20))
    assert changed >= 15


def test_shrink_keeps_xml_balanced():
    gpx = seeds._gpx(points=2000)
    small = mutators.shrink(gpx, "gpx", 4096)
    assert len(small) < 4200 < len(gpx)
    assert small.count(b"<trkpt") == small.count(b"</trkpt>") > 10
    assert small.endswith(b"</trkseg></trk></gpx>\n")


def test_zip_wrapping_makes_readable_archives():
    rng = random.Random(3)
    data = mutators.zip_bytes([("a.gpx", b"x"), ("b.tcx", b"y")], rng)
    with zipfile.ZipFile(BytesIO(data)) as zf:
        assert zf.namelist() == ["a.gpx", "b.tcx"]


# -- the harness notices what it is there to notice ------------------------------------------


def _boom(data: bytes, source: str):
    return 1 // 0


def _slow(data: bytes, source: str):
    time.sleep(30)
    raise InputError("never")


def _greedy(data: bytes, source: str):
    hog = bytearray(3 * 2**30)  # over the 1 GiB limit below
    return [hog]


@pytest.mark.parametrize(
    ("reader", "status", "signature"),
    [
        (_boom, "crash", "ZeroDivisionError @ read.py:_run_reader:"),
        (_greedy, "crash", "MemoryError @ read.py:_run_reader:"),
        (_slow, "hang", "Hang"),
    ],
)
def test_harness_reports_reader_failures(monkeypatch, reader, status, signature):
    monkeypatch.setitem(READERS, ".gpx", ("gpx", reader))  # forked workers inherit it
    jobs = [("a.gpx", b"<gpx/>", False), ("b.csv", b"date\n", False)]
    with harness.Runner(workers=2, timeout=1.0, memory_bytes=2**30) as runner:
        outcomes = {job[0]: out for job, out in runner.run(jobs, lambda j: j)}
    assert outcomes["a.gpx"].status == status
    assert outcomes["a.gpx"].signature.startswith(signature)
    assert outcomes["b.csv"].status == "ok"
