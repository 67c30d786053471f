"""xmlsafe's plain parse (C parser, documents without DTD) against the defusedxml path:
the same tree or the same refusal, and hostile documents never take the plain path."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from loadwatch import xmlsafe
from loadwatch.problems import InputError
from tests.conftest import realdata_files

XML_FILES = sorted(
    realdata_files("gpx", "*.gpx") + realdata_files("gpx/series_runpandas_nrc", "*.gpx")[:8]
    + realdata_files("tcx", "*.tcx") + realdata_files("odd", "*.gpx")
    + realdata_files("odd", "*.tcx")
)


def both(data: bytes, monkeypatch: pytest.MonkeyPatch, **kw: object) -> list[object]:
    """The outcome of parse with the plain path on, then off: a tree as bytes, or the error."""
    out = []
    for plain in (True, False):
        monkeypatch.setattr(xmlsafe, "PLAIN_PARSE", plain)
        try:
            out.append(ET.tostring(xmlsafe.parse(data, "GPX", **kw)))  # type: ignore[arg-type]
        except InputError as exc:
            out.append(str(exc))
    return out


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: p.name)
def test_plain_parse_builds_the_same_tree(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain, defused = both(path.read_bytes(), monkeypatch, point_tags=("trkpt", "Trackpoint"),
                          plain_namespace=path.suffix == ".gpx")
    assert plain == defused


def test_real_files_take_the_plain_path(realdata: Path) -> None:
    data = (realdata / "gpx/sportslib__strava.gpx").read_bytes()
    assert xmlsafe._parse_plain(data, {"trkpt"}, xmlsafe.MAX_POINTS, True) is not None


DOCTYPE_IN_COMMENT = b'<?xml version="1.0"?><!-- <!DOCTYPE x> --><gpx><trk/></gpx>'
CASES = {
    "billion-laughs": b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaa">]><gpx>&a;</gpx>',
    "doctype-in-comment": DOCTYPE_IN_COMMENT,
    "deep": b"<gpx>" + b"<a>" * 100 + b"</a>" * 100 + b"</gpx>",
    "broken": b"<gpx><trk></gpx>",
    "unbound-prefix": b"<gpx><trk><gpxx:x/></trk></gpx>",
    "undefined-entity": b"<gpx>&nbsp;</gpx>",
    "latin-1": '<?xml version="1.0" encoding="ISO-8859-1"?><gpx><name>à</name></gpx>'
               .encode("latin-1"),
    "utf-16": '<?xml version="1.0" encoding="UTF-16"?><gpx><name>x</name></gpx>'
              .encode("utf-16"),
    "bad-encoding": b'<?xml version="1.0" encoding="no-such"?><gpx/>',
    "points": b"<gpx>" + b'<trkpt lat="1" lon="2"/>' * 30 + b"</gpx>",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_plain_and_defused_agree(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    plain, defused = both(CASES[name], monkeypatch, point_tags=("trkpt",), max_points=20)
    assert plain == defused


@pytest.mark.parametrize("name", ["billion-laughs", "doctype-in-comment", "deep", "broken",
                                  "utf-16", "bad-encoding", "points"])
def test_what_the_plain_path_leaves_to_defusedxml(name: str) -> None:
    assert xmlsafe._parse_plain(CASES[name], {"trkpt"}, 20, False) is None


def test_depth_limit_holds_on_the_plain_path() -> None:
    deep = b"<gpx>" + b"<a>" * xmlsafe.MAX_DEPTH + b"</a>" * xmlsafe.MAX_DEPTH + b"</gpx>"
    with pytest.raises(InputError, match="nested deeper than 64"):
        xmlsafe.parse(deep, "GPX")
    ok = b"<gpx>" + b"<a>" * 63 + b"</a>" * 63 + b"</gpx>"
    assert xmlsafe._parse_plain(ok, (), 10, False) is not None
