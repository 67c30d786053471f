"""Resource limits on hostile input: size caps, zip bombs, XML attacks, absurd point counts.

Every hostile file is generated here; module limits are patched down so that each test
needs megabytes and milliseconds, not the gigabytes the real limits are about.
"""

from __future__ import annotations

import gzip
import io
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from loadwatch import sources, xmlsafe
from loadwatch.problems import Problem
from loadwatch.read import parse_item
from loadwatch.sources import Item, iter_items
from tests.fuzz.seeds import generated

MB = 2**20


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _read(path: Path) -> tuple[list[Item], list[Problem]]:
    out = list(iter_items([str(path)]))
    return [o for o in out if isinstance(o, Item)], [o for o in out if isinstance(o, Problem)]


def _gpx() -> bytes:
    return next(s.data for s in generated() if s.fmt == "gpx")


def _points_gpx(n: int) -> bytes:
    point = b'<trkpt lat="47" lon="8"><time>2024-05-04T07:00:00Z</time></trkpt>'
    return b"<gpx><trk><trkseg>" + point * n + b"</trkseg></trk></gpx>"


# -- size caps ---------------------------------------------------------------------------------


@pytest.fixture
def small_caps(monkeypatch):
    """Files over 2 MB refused; archives over 4 MB at a ratio over 100 refused."""
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 2 * MB)
    monkeypatch.setattr(sources, "MAX_ARCHIVE_BYTES", 4 * MB)


def test_file_over_the_cap_is_refused_unread(tmp_path, small_caps):
    path = tmp_path / "huge.gpx"
    with open(path, "wb") as fh:
        fh.truncate(3 * MB)  # sparse: the cap is checked before reading
    items, problems = _read(path)
    assert items == []
    assert [(p.source, p.reason) for p in problems] == [
        (str(path), "file is 3 MB, larger than the 2 MB limit")
    ]


def test_file_at_the_cap_is_read(tmp_path, small_caps):
    data = _gpx()
    path = tmp_path / "ok.gpx"
    path.write_bytes(data + b" " * (2 * MB - len(data)))
    items, problems = _read(path)
    assert problems == [] and len(items[0].data) == 2 * MB


def test_gzip_expanding_past_the_cap_is_refused(tmp_path, small_caps):
    path = tmp_path / "bomb.gpx.gz"
    path.write_bytes(gzip.compress(b"\0" * (3 * MB)))
    assert os.path.getsize(path) < 10_000
    items, problems = _read(path)
    assert items == [] and [p.reason for p in problems] == ["decompresses to more than 2 MB"]


def test_zip_member_over_the_cap_is_refused_others_read(tmp_path, small_caps):
    path = tmp_path / "export.zip"
    path.write_bytes(_zip({"big.fit": b"\0" * (3 * MB), "run.gpx": _gpx()}))
    items, problems = _read(path)
    assert [i.name for i in items] == ["run.gpx"]
    assert [(p.source, p.reason) for p in problems] == [
        (f"{path}!big.fit", "file is 3 MB, larger than the 2 MB limit")
    ]


# -- zip bombs: refused only when both the total size and the ratio are absurd -------------------


@pytest.mark.parametrize(
    ("members", "refused"),
    [
        # 6 x 1 MB of zeros: 6 MB > 4 MB at a ratio of ~1000 -> a bomb
        ({f"z{i}.gpx": b"\0" * MB for i in range(6)}, True),
        # the same ratio below the total -> read (each member is then just a bad file)
        ({"z.gpx": b"\0" * MB}, False),
        # 6 MB of incompressible bytes: large, but a ratio of 1 -> read
        ({f"r{i}.gpx": os.urandom(MB) for i in range(6)}, False),
    ],
    ids=["ratio-and-total", "ratio-only", "total-only"],
)
def test_zip_bomb_needs_ratio_and_total(tmp_path, small_caps, members, refused):
    path = tmp_path / "a.zip"
    path.write_bytes(_zip(members))
    items, problems = _read(path)
    bombs = [p.reason for p in problems if "zip bomb" in p.reason]
    if refused:
        assert items == [] and len(bombs) == 1
        assert bombs[0].startswith("refused as a zip bomb: expands ")
        assert bombs[0].endswith("x to 6 MB")
    else:
        assert bombs == [] and len(items) == len(members)


def test_nested_zip_bomb_is_refused_at_depth(tmp_path):
    data = _zip({"run.gpx": _gpx()})
    for _ in range(sources.MAX_ZIP_DEPTH):
        data = _zip({"inner.zip": data})
    path = tmp_path / "nest.zip"
    path.write_bytes(data)
    items, problems = _read(path)
    assert items == []
    assert [p.reason for p in problems] == [
        f"archive nested more than {sources.MAX_ZIP_DEPTH} levels deep"
    ]


def test_archive_with_too_many_members_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_ZIP_MEMBERS", 50)
    path = tmp_path / "many.zip"
    path.write_bytes(_zip({f"{i}.gpx": b"<gpx/>" for i in range(51)}))
    items, problems = _read(path)
    assert items == []
    assert [p.reason for p in problems] == ["archive has 51 files; more than 50 refused"]


# -- hostile XML -------------------------------------------------------------------------------


def _laughs(root: bytes) -> bytes:
    """The "billion laughs": ten levels of entities, each ten of the one before."""
    entities = b'<!ENTITY a "lol">' + b"".join(
        b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(9)
    )
    return (b'<?xml version="1.0"?>\n<!DOCTYPE %s [%s]>\n<%s><name>&j;</name></%s>'
            % (root, entities, root, root))


BILLION_LAUGHS = _laughs(b"gpx")
XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b"<gpx><trk><name>&x;</name></trk></gpx>"
)


@pytest.mark.parametrize("name", ["a.gpx", "a.tcx"])
@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, XXE, _laughs(b"TrainingCenterDatabase")],
    ids=["billion-laughs", "external-entity", "laughs-in-tcx-root"],
)
def test_entity_tricks_are_refused_without_expansion(name, data):
    tracemalloc.start()
    try:
        payload = parse_item(data, name, name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    fmt = name[-3:].upper()
    assert payload["activities"] == []
    assert payload["problems"] == [
        {"reason": f"refused {fmt} file: XML with a DTD/DOCTYPE (unsafe)", "kind": "error"}
    ]
    assert peak < 5 * MB  # 10**9 "lol"s were never built


def test_deeply_nested_xml_is_refused():
    depth = 100_000
    data = b"<gpx>" + b"<a>" * depth + b"</a>" * depth + b"</gpx>"
    payload = parse_item(data, "deep.gpx", "deep.gpx")
    assert payload["problems"] == [
        {"reason": f"refused GPX file: XML nested deeper than {xmlsafe.MAX_DEPTH} levels",
         "kind": "error"}
    ]


def test_nesting_just_inside_the_limit_is_not_refused_for_depth():
    depth = xmlsafe.MAX_DEPTH - 1  # <gpx> itself is one level
    data = b"<gpx>" + b"<a>" * depth + b"</a>" * depth + b"</gpx>"
    (problem,) = parse_item(data, "deep.gpx", "deep.gpx")["problems"]
    assert problem == {"reason": "GPX has no track points", "kind": "skipped"}


# -- absurd point counts -----------------------------------------------------------------------


def test_millions_of_points_refused_within_bounded_memory(monkeypatch):
    """With the limit at 2,000 points, a 300,000-point document (20 MB) is refused after
    reading about 2,000 of them: memory follows the limit, not the file."""
    monkeypatch.setattr(xmlsafe, "MAX_POINTS", 2_000)
    data = _points_gpx(300_000)
    tracemalloc.start()
    try:
        payload = parse_item(data, "many.gpx", "many.gpx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert payload["problems"] == [
        {"reason": "refused GPX file: more than 2,000 points", "kind": "error"}
    ]
    assert peak < 4 * MB, peak  # the document itself is 20 MB


@pytest.mark.parametrize(("n", "refused"), [(2_000, False), (2_001, True)])
def test_point_limit_is_exact(monkeypatch, n, refused):
    monkeypatch.setattr(xmlsafe, "MAX_POINTS", 2_000)
    payload = parse_item(_points_gpx(n), "p.gpx", "p.gpx")
    reasons = [p["reason"] for p in payload["problems"]]
    assert ("refused GPX file: more than 2,000 points" in reasons) is refused


def test_tcx_points_count_too(monkeypatch):
    monkeypatch.setattr(xmlsafe, "MAX_POINTS", 5)
    tcx = next(s.data for s in generated() if s.fmt == "tcx")  # 12 trackpoints
    payload = parse_item(tcx, "a.tcx", "a.tcx")
    assert payload["problems"] == [
        {"reason": "refused TCX file: more than 5 points", "kind": "error"}
    ]


# --- the table of limits -------------------------------------------------------------------


#: The modules that enforce limits, and the names they know them by (limits' name first).
ENFORCED = {
    "loadwatch/sources.py": {n: n for n in ("MAX_FILE_BYTES", "MAX_ARCHIVE_BYTES",
                                            "MAX_COMPRESSION_RATIO", "MAX_ZIP_MEMBERS",
                                            "MAX_ZIP_DEPTH", "MAX_FOLDER_DEPTH",
                                            "MAX_NAME_BYTES")},
    "loadwatch/importers/fit.py": {"MAX_FIT_RECORDS": "MAX_RECORDS",
                                   "MAX_FIT_MESSAGES": "MAX_MESSAGES",
                                   "MAX_FIT_SESSIONS": "MAX_SESSIONS",
                                   "MAX_FIT_LAPS": "MAX_LAPS",
                                   "UNDATED_RECORDS_LIMIT": "UNDATED_RECORDS_LIMIT"},
    "loadwatch/importers/fastfit.py": {"MAX_FIT_MESSAGES": "MAX_MESSAGES"},
    "loadwatch/xmlsafe.py": {"MAX_XML_DEPTH": "MAX_DEPTH", "MAX_XML_POINTS": "MAX_POINTS",
                             "MAX_XML_ELEMENTS": "MAX_ELEMENTS",
                             "MAX_XML_TOKEN_BYTES": "MAX_TOKEN_BYTES"},
    "loadwatch/importers/gpx.py": {"MAX_GPX_POINTS": "MAX_POINTS"},
    "loadwatch/settings.py": {n: n for n in ("MAX_TOML_BYTES", "MAX_TOML_DEPTH",
                                             "MAX_TOML_KEY_PARTS")},
    "loadwatch/roster.py": {"MAX_NAME_CHARS": "MAX_NAME_CHARS"},
    "loadwatch/rules/symptoms.py": {"MAX_SYMPTOM_LOG_BYTES": "MAX_BYTES"},
}


def test_every_limit_is_declared_once_in_the_table_and_imported_where_enforced():
    import importlib
    import re

    from loadwatch import limits
    from tests.conftest import REPO

    assert all(getattr(limits, name) == x.value for name, x in limits.LIMITS.items())
    used = {name for names in ENFORCED.values() for name in names}
    assert used == set(limits.LIMITS), "a limit nobody enforces, or one missing from the table"
    for path, names in ENFORCED.items():
        module = importlib.import_module(path[:-3].replace("/", "."))
        source = (REPO / path).read_text(encoding="utf-8")
        for name, local in names.items():
            assert getattr(module, local) == limits.LIMITS[name].value, (path, local)
            # imported, not written a second time
            assert not re.search(rf"^{local}\s*[:=]", source, re.M), (path, local)


def test_limits_are_shown_in_readable_units():
    from loadwatch.limits import LIMITS

    assert LIMITS["MAX_FILE_BYTES"].shown() == "100 MiB"
    assert LIMITS["MAX_ARCHIVE_BYTES"].shown() == "1 GiB"
    assert LIMITS["MAX_ZIP_MEMBERS"].shown() == "1,000,000 members"
    assert LIMITS["MAX_COMPRESSION_RATIO"].shown() == "100x"
    assert LIMITS["MAX_NAME_BYTES"].shown() == "255 bytes"
