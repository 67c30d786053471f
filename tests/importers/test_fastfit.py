"""The fast FIT decoder gives what fitparse gives, on every real FIT file and on layouts
the real files lack (big-endian, compressed timestamps, chained files, cut tails)."""

from __future__ import annotations

import gzip
import random
import struct

import numpy as np
import pytest
from fitparse.records import Crc

from loadwatch.importers import fastfit, fit
from loadwatch.problems import NotAnActivity
from loadwatch.read import parse_item
from tests.conftest import realdata_files
from tests.fitcompare import compare, compare_scans, read_both
from tests.importers import fitcases

FIT_FILES = realdata_files("fit", "*.fit*") + realdata_files("odd", "*.fit")
#: Real files the fast decoder passes to fitparse: compressed speed/distance values
#: (accumulated). Developer fields that declare a native field (Concept2 ErgIQ's distance,
#: Garmin 920's Firstbeat) stay on the fast path, which applies the same stand-in rule.
DECLINED = {"fitparse__compressed-speed-distance.fit"}


def _data(path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.name.endswith(".gz") else raw


@pytest.mark.parametrize("path", FIT_FILES, ids=lambda p: p.name)
def test_real_file_same_both_ways(path) -> None:
    result = compare(_data(path), path.name)
    assert result.difference is None
    assert result.declined == (path.name in DECLINED)


@pytest.mark.parametrize("size", [0, 1, 13, 255, 256, 1000, 4095, 4096, 4099, 70_001])
def test_crc_is_the_fit_crc(size: int) -> None:
    """Both the plain loop (short data) and the chunked numpy CRC, on bytes and arrays."""
    data = random.Random(size).randbytes(size)
    assert fastfit.crc16(data) == Crc.calculate(data)
    assert fastfit.crc16(np.frombuffer(data, np.uint8)) == Crc.calculate(data)


# ---------------------------------------------------------------- hand-made files

FIT_EPOCH_START = 1_000_000_000  # FIT seconds, 2021-09-09


def _header(data_size: int) -> bytes:
    head = struct.pack("<BBHI4s", 14, 0x20, 2132, data_size, b".FIT")
    return head + struct.pack("<H", Crc.calculate(head))


def _definition(local: int, mesg: int, fields: list[tuple[int, int, int]], big: bool) -> bytes:
    end = ">" if big else "<"
    out = struct.pack(end + "BBBHB", 0x40 | local, 0, 1 if big else 0, mesg, len(fields))
    return out + b"".join(struct.pack("BBB", *f) for f in fields)


def _activity(big: bool, compressed: bool, start: int = FIT_EPOCH_START,
              after_file_id: bytes = b"") -> bytes:
    """file_id, records (some with compressed-timestamp headers), a session;
    ``after_file_id`` (messages using local types 3 and up) goes after the file_id."""
    e = ">" if big else "<"
    body = _definition(0, 0, [(0, 1, 0x00), (1, 2, 0x84), (4, 4, 0x86)], big)
    body += struct.pack(e + "BBHI", 0x00, 4, 1, start)  # type activity, garmin, created
    body += after_file_id
    # record: timestamp, heart_rate, distance (cm), speed (mm/s, expands to enhanced_speed)
    body += _definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02), (5, 4, 0x86), (6, 2, 0x84)], big)
    body += _definition(2, 20, [(3, 1, 0x02), (5, 4, 0x86)], big)  # no timestamp field
    t = start
    for i in range(120):
        hr, dist = 120 + i % 30, 250 * i
        if compressed and i % 3:
            t += 7  # 5-bit offsets that roll over past 32 s
            body += struct.pack(e + "BBI", 0x80 | (2 << 5) | (t & 0x1F), hr, dist)
        else:
            t += 1
            body += struct.pack(e + "BIBIH", 0x01, t, hr, dist, 2500 + i)
    # session: timestamp, start_time, sport, total_elapsed_time (ms), total_distance (cm)
    body += _definition(3, 18, [(253, 4, 0x86), (2, 4, 0x86), (5, 1, 0x00), (7, 4, 0x86),
                                (9, 4, 0x86)], big)
    body += struct.pack(e + "BIIBII", 0x03, t, start, 1, (t - start) * 1000, 250 * 119)
    out = _header(len(body)) + body
    return out + struct.pack("<H", Crc.calculate(out))


@pytest.mark.parametrize("big", [False, True], ids=["little", "big"])
@pytest.mark.parametrize("compressed", [False, True], ids=["normal", "compressed"])
def test_hand_made_layouts(big: bool, compressed: bool) -> None:
    data = _activity(big, compressed)
    fast, _ref, declined = read_both(data)
    assert not declined
    assert compare(data).difference is None
    records = fast[0].records
    assert len(records) == 120 and records["hr_bpm"].iloc[0] == 120


def test_chained_and_cut_files() -> None:
    whole = _activity(False, True) + _activity(True, False, start=FIT_EPOCH_START + 5000)
    for data in (whole, whole[:-3], whole[: len(whole) // 2], whole[:-1] + b"\x00junk"):
        result = compare(data)
        assert not result.declined
        assert result.difference is None


def test_bad_crc_is_noted_by_both() -> None:
    data = bytearray(_activity(False, False))
    data[-1] ^= 0xFF
    fast, _, declined = read_both(bytes(data))
    assert not declined and compare(bytes(data)).difference is None
    assert "bad CRC ignored" in fast[0].summary["quality"]


def test_undefined_local_message_is_damage_as_in_fitparse() -> None:
    data = bytearray(_activity(False, False))
    data[14 + 15] = 0x0F  # the file_id data message now names an undefined local type
    decoded = fastfit.decode(bytes(data), fit._RECORD_NAMES, frozenset(fit.SUMMARY_MESSAGES))
    assert decoded.damage == ("undecodable data ignored after 0 records: "
                              "Got data message with invalid local message type 15")
    assert compare(bytes(data)).difference is None


def test_developer_field_numbered_by_an_array_goes_to_fitparse() -> None:
    # found by the differential fuzz: a field_description whose field_definition_number
    # is a 2-byte array and which has no field_name. fitparse stops there (a TypeError
    # formatting its default name); the fast decoder read on and named another error.
    dev = _definition(4, 207, [(3, 1, 0x02)], False) + bytes([0x04, 0])  # developer 0
    dev += _definition(5, 206, [(0, 1, 0x02), (1, 2, 0x02), (2, 1, 0x02)], False)
    dev += bytes([0x05, 0, 7, 8, 0x02])  # developer 0, field "number" (7, 8), uint8
    data = _activity(False, False, after_file_id=dev)
    result = compare(data)
    assert result.declined
    assert result.difference is None
    (problem,) = parse_item(data, "x.fit", "x.fit")["problems"]
    assert problem["reason"] == ("no records (undecodable data ignored after 0 records: "
                                 "a malformed message (TypeError))")


def test_a_python_error_inside_fitparse_reads_the_same_from_both_decoders() -> None:
    # a record field unknown to the profile whose size is not a multiple of its type's:
    # fitparse fails naming it (AttributeError on None); both say so in the same words,
    # not with "'NoneType' object has no attribute 'name'"
    odd = _definition(6, 20, [(253, 4, 0x86), (200, 3, 0x84)], False)
    odd += bytes([0x06]) + struct.pack("<I", FIT_EPOCH_START) + b"abc"
    data = _activity(False, False, after_file_id=odd)
    result = compare(data)
    assert not result.declined and result.difference is None
    (problem,) = parse_item(data, "x.fit", "x.fit")["problems"]
    assert problem["reason"].endswith("after 0 records: a malformed message (AttributeError))")


@pytest.mark.parametrize(
    "name, kind",
    [("fitparse__MonitoringFile.fit", "monitoring_b"), ("fitparse__Settings.fit", "settings"),
     ("fitparse__WorkoutRepeatSteps.fit", "workout")],
)
def test_non_activity_skipped_from_the_header(realdata, monkeypatch, name, kind) -> None:
    data = (realdata / "odd" / name).read_bytes()

    def no_full_decode(data: bytes) -> None:
        raise AssertionError("decoded past the header")

    monkeypatch.setattr(fit, "_scan", no_full_decode)
    with pytest.raises(NotAnActivity, match=rf"^FIT file of type '{kind}', not an activity$"):
        fit.read(data, name)


def test_activity_type_from_the_header() -> None:
    assert fastfit.first_file_type(_activity(False, False)) == "activity"
    assert fastfit.first_file_type(b"not a fit file at all") is None


# ---------------------------------------------------------------- developer stand-ins


@pytest.mark.parametrize("records", [False, True], ids=["session", "session+records"])
def test_developer_stand_ins_stay_on_the_fast_path(records: bool) -> None:
    # a Connect IQ swim app: native total_distance 0, the developer field says 1,250 m
    # (and, with ``records``, each record's distance only in a developer field too)
    recs = fitcases.steady(0, 1800, speed_m_s=1250 / 1800, position=False)
    session = {"t0": 0, "t1": 1800, "total_elapsed_time": 1800.0, "total_timer_time": 1800.0,
               "total_distance": 0.0, "sport": "swimming"}
    data = fitcases.build(recs, [session], dev_session_distance_m=1250.0,
                          dev_record_distance=records)
    fast, ref, declined = read_both(data, "ciq.fit")
    assert not declined
    assert fast[0].summary["distance_km"] == pytest.approx(1.25)
    assert ref[0].summary["distance_km"] == pytest.approx(1.25)
    if records:
        assert fast[0].records["distance_m"].max() == pytest.approx(1250, rel=0.001)
    assert compare_scans(data).difference is None
    assert compare(data).difference is None


def test_developer_value_does_not_replace_a_real_native_value() -> None:
    recs = fitcases.steady(0, 600, position=False)
    session = {"t0": 0, "t1": 600, "total_elapsed_time": 600.0, "total_timer_time": 600.0,
               "total_distance": 1800.0}
    data = fitcases.build(recs, [session], dev_session_distance_m=5000.0)
    fast, _ref, declined = read_both(data, "ciq.fit")
    assert not declined
    assert fast[0].summary["distance_km"] == pytest.approx(1.8)
    assert compare(data).difference is None


@pytest.mark.parametrize(
    ("native", "dev", "replaced"),
    [(None, 5.0, True), (0, 5.0, True), (float("nan"), 5, True), (3.0, 5.0, False),
     (0, 0, False), (None, None, False), (0, float("nan"), False), ("text", 5.0, False),
     (0, (1, 2), False)],
)
def test_stand_in_rule(native, dev, replaced: bool) -> None:
    assert fastfit.stands_in(native, dev) is replaced
