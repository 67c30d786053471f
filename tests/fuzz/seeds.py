"""Seed files for the fuzzer: real files read in place, plus tiny generated ones.

Real seeds come from ``../shared/realdata`` and ``sample_data/`` (``.gz`` seeds are
unwrapped: the mutators wrap again on their own). Generated seeds are written in code so
that the quick profile works where the shared folder is absent; the FIT seeds come from
:mod:`tests.fitgen` when ``fit_tool`` is installed.
"""

from __future__ import annotations

import functools
import gzip
import os
import pickle
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loadwatch.importers import reader_for
from loadwatch.sources import RESERVED_NAMES
from tests import hostile

REPO = Path(__file__).resolve().parents[2]
REALDATA = (REPO.parent / "shared" / "realdata").resolve()
SAMPLE_DATA = REPO / "sample_data"
#: The formats a seed can have (registry format names).
FORMATS = ("fit", "gpx", "tcx", "csv")


@dataclass(frozen=True)
class Seed:
    """One well-formed (or interestingly broken) file to mutate."""

    name: str  # a file name ending in a registry suffix
    fmt: str
    data: bytes


def _gpx(points: int = 12) -> bytes:
    pts = "".join(
        f'<trkpt lat="{47 + i * 0.0001:.5f}" lon="8.00010"><ele>{400 + i % 5}</ele>'
        f"<time>2024-05-04T07:00:{i:02d}Z</time><extensions><gpxtpx:TrackPointExtension>"
        f"<gpxtpx:hr>{120 + i}</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad>"
        "</gpxtpx:TrackPointExtension></extensions></trkpt>\n"
        for i in range(points)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="fuzz" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        "<metadata><name>seed</name><time>2024-05-04T07:00:00Z</time></metadata>\n"
        "<trk><name>Morning Run</name><type>running</type><trkseg>\n"
        f"{pts}</trkseg></trk></gpx>\n"
    ).encode()


def _tcx(points: int = 12) -> bytes:
    pts = "".join(
        f"<Trackpoint><Time>2024-05-04T07:00:{i:02d}Z</Time><Position>"
        f"<LatitudeDegrees>{47 + i * 0.0001:.5f}</LatitudeDegrees>"
        "<LongitudeDegrees>8.0001</LongitudeDegrees></Position>"
        f"<AltitudeMeters>{400 + i % 5}</AltitudeMeters>"
        f"<DistanceMeters>{i * 11.1:.1f}</DistanceMeters>"
        f"<HeartRateBpm><Value>{120 + i}</Value></HeartRateBpm>"
        "<Extensions><ns3:TPX><ns3:Speed>3.1</ns3:Speed><ns3:RunCadence>85</ns3:RunCadence>"
        "</ns3:TPX></Extensions></Trackpoint>\n"
        for i in range(points)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/'
        'ActivityExtension/v2">\n<Activities><Activity Sport="Running">'
        "<Id>2024-05-04T07:00:00Z</Id>\n"
        '<Lap StartTime="2024-05-04T07:00:00Z"><TotalTimeSeconds>11</TotalTimeSeconds>'
        "<DistanceMeters>122.1</DistanceMeters><Track>\n"
        f"{pts}</Track></Lap><Notes>Easy</Notes>"
        "<Creator><Name>Forerunner 945</Name></Creator></Activity></Activities>"
        "</TrainingCenterDatabase>\n"
    ).encode()


STRAVA_CSV = (
    b"Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,"
    b"Max Heart Rate,Filename,Elapsed Time,Distance,Activity Gear\n"
    b'123,"May 4, 2024, 7:00:00 AM",Morning Run,Run,1800,5.01,170,'
    b"activities/123.gpx,1800,5012.3,Pegasus\n"
    b'124,"May 5, 2024, 6:10:00 PM",Ride,Ride,3600,20.2,,activities/124.fit.gz,3600,20200,\n'
)
GARMIN_CSV = (
    b"Activity Type,Date,Favorite,Title,Distance,Calories,Time,Avg HR,Max HR,"
    b"Total Ascent,Total Descent,Elapsed Time,Moving Time\n"
    b"Running,2024-05-04 07:00:00,false,Lunch Run,\"5,01\",400,00:30:00,140,170,"
    b"\"1.234\",50,00:31:00,00:29:10\n"
    b"Pool Swim,2024-05-05 07:00:00,false,Swim,1500,300,00:40:00,--,--,--,--,00:41:00,--\n"
)
LOG_CSV = (
    b"date,distance_km,duration,sport,title,avg_hr,ascent_m,descent_m,rpe,shoe,surface\n"
    b"2024-05-04,8.5,45:30,,Easy loop,142,60,60,3,Pegasus 40,road\n"
    b"2024-05-06 18:30,12,1:05:00,running,Hills,151,240,240,7,Speedgoat 5,trail\n"
    b"2024-05-07;3,5;20;;;;;;;;\n"
)


def generated() -> list[Seed]:
    """Tiny seeds of every format, built in code (FIT only with fit_tool installed)."""
    return list(_generated())


@functools.cache
def _generated() -> tuple[Seed, ...]:
    seeds = [
        Seed("gen.gpx", "gpx", _gpx()),
        Seed("gen.tcx", "tcx", _tcx()),
        Seed("gen-strava.csv", "csv", STRAVA_CSV),
        Seed("gen-garmin.csv", "csv", GARMIN_CSV),
        Seed("gen-log.csv", "csv", LOG_CSV),
    ]
    try:
        from tests import fitgen
    except ImportError:  # fit_tool missing: FIT seeds only from real files
        return tuple(seeds)
    seeds.append(Seed("gen.fit", "fit", fitgen.activity_fit([fitgen.run_leg(40)])))
    seeds.append(
        Seed(
            "gen-multi.fit",
            "fit",
            fitgen.activity_fit(
                [fitgen.run_leg(20), fitgen.run_leg(20, offset_s=30, sport="cycling")],
                utc_offset_min=None,
            ),
        )
    )
    seeds.append(
        Seed("gen-nosession.fit", "fit", fitgen.activity_fit([fitgen.run_leg(20)], sessions=False))
    )
    return tuple(seeds)


def _from_file(path: Path, max_bytes: int) -> Seed | None:
    name = path.name
    lower = name.lower()
    if lower in RESERVED_NAMES or path.stat().st_size > max_bytes:
        return None
    data = path.read_bytes()
    if lower.endswith(".gz"):
        name = name[:-3]
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return None
    entry = reader_for(name)
    if entry is None:
        return None
    return Seed(name, entry[0], data)


def real(max_bytes: int = 8 * 2**20) -> list[Seed]:
    """Every readable file of ../shared/realdata and sample_data/ (read in place)."""
    out = []
    for base in (REALDATA, SAMPLE_DATA):
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file():
                seed = _from_file(path, max_bytes)
                if seed is not None:
                    out.append(seed)
    return out


def load(include_real: bool = True) -> list[Seed]:
    """Generated seeds, plus the real ones when wanted and present."""
    return generated() + (real() if include_real else [])


# -- structure-level hostile cases (issue 15) ---------------------------------------------------
#
# Byte mutations of good files never build a FIFO, a symlink loop or a zip whose entries
# overlap. These generators build such structures directly, small and randomised; the
# harness runs one of them every HOSTILE_EVERY inputs. A generator returns (name, data,
# wrapped): ``wrapped`` inputs go through iter_items from disk (so BOM transcoding and
# archive checks apply), and a name starting with "tree:" is a folder layout (see
# :func:`build_tree`) holding one hostile path beside a good GPX that must still be read.

#: One input in this many is a hostile structure.
HOSTILE_EVERY = 25
#: The file every hostile folder holds beside the hostile path; it must always be read.
GOOD_NAME = "good.gpx"
#: (relative path, kind, payload): kind is file, fifo, symlink (payload = target),
#: device (payload = b"major,minor"; root only) or dir.
TreeEntry = tuple[str, str, bytes]


def _good() -> bytes:
    return hostile.gpx()


Generated = tuple[str, bytes, bool]


def _tree(*entries: TreeEntry) -> Generated:
    layout = [(GOOD_NAME, "file", _good()), *entries]
    return "tree:" + entries[0][0][-40:], pickle.dumps(layout), True


def _hostile_generators() -> dict[str, Callable[[random.Random], Generated]]:
    def tiny_fit(rng):
        data = hostile.tiny_record_fit(rng.choice((100, 5_000, 12_000)))
        return ("t.fit.gz", gzip.compress(data), True) if rng.random() < 0.5 else ("t.fit", data,
                                                                                     False)

    def sessions_fit(rng):
        return "s.fit", hostile.many_sessions_fit(rng.choice((2, 5, 20, 1_001, 1_100))), False

    def long_attribute(rng):
        size = rng.choice((10, 2**19, 2**20 + 1, 3 * 2**20))
        return "l.gpx", hostile.long_attribute_gpx(size), False

    def fake_xmlns(rng):
        quote = rng.choice("'\"")
        other = "'" if quote == '"' else '"'
        good = _good().replace(b'creator="test"',
                               f"creator={quote}x xmlns={other}urn:fake{other}{quote}".encode())
        return "x.gpx", good, rng.random() < 0.5

    def utf16_text(rng):
        if rng.random() < 0.5:
            return "u.gpx", hostile.utf16(_good(), xml=True), True
        return "u.csv", hostile.utf16(LOG_CSV), True

    def overlap_zip(rng):
        return "o.zip", hostile.overlapping_zip(rng.choice((2, 50, 500))), True

    def same_name_zip(rng):
        return "d.zip", hostile.same_name_zip(_good(), hostile.gpx(start_minute=30)), True

    def fifo(rng):
        return _tree((rng.choice(("run.gpx", "run.fit.gz", "all.zip", "log.csv")), "fifo", b""))

    def symlink_loop(rng):
        return _tree(("a.fit", "symlink", b"b.fit"), ("b.fit", "symlink", b"a.fit"))

    def symlink_device(rng):
        return _tree(("run.fit", "symlink", rng.choice((b"/dev/zero", b"/dev/urandom"))))

    def device_node(rng):
        return _tree(("dev.fit", "device", b"1,5"))  # the numbers of /dev/zero

    def folder_loop(rng):
        return _tree(("sub/up", "symlink", b".."), ("sub/in.gpx", "file", hostile.gpx(3)))

    def deep_folder(rng):
        depth = rng.choice((10, 40, 200))  # 1,000 in tests/test_hostile_files.py (slow to build)
        return _tree(("/".join(["d"] * depth) + "/deep.gpx", "file", hostile.gpx(3)))

    def bad_name(rng):
        return _tree(("run\udcff\udcfe.gpx", "file", hostile.gpx(3)))

    return {f.__name__: f for f in (
        tiny_fit, sessions_fit, long_attribute, fake_xmlns, utf16_text, overlap_zip,
        same_name_zip, fifo, symlink_loop, symlink_device, device_node, folder_loop,
        deep_folder, bad_name,
    )}


def hostile_names() -> list[str]:
    """The hostile generators, by name."""
    return sorted(_hostile_generators())


def hostile_case(index: int, key: str = "0") -> tuple[str, str, bytes, bool]:
    """The hostile input for run index ``index``: (generator, name, data, wrapped)."""
    rng = random.Random(f"loadwatch-hostile:{key}:{index}")
    generators = _hostile_generators()
    which = hostile_names()[(index // HOSTILE_EVERY) % len(generators)]
    name, data, wrapped = generators[which](rng)
    return which, name, data, wrapped


def build_tree(folder: Path, entries: list[TreeEntry]) -> bool:
    """Lay out a hostile folder; False when it cannot be built here (a device when not root)."""
    for rel, kind, payload in entries:
        path = folder / rel
        parent = folder
        for part in Path(rel).parent.parts:  # level by level: mkdir(parents=True) recurses
            parent = parent / part
            parent.mkdir(exist_ok=True)
        if kind == "file":
            path.write_bytes(payload)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "symlink":
            os.symlink(os.fsdecode(payload), path)
        elif kind == "device":
            if os.geteuid() != 0:
                return False
            major, minor = (int(x) for x in payload.split(b","))
            os.mknod(path, 0o600 | 0o020000, os.makedev(major, minor))  # S_IFCHR
        elif kind == "dir":
            path.mkdir(exist_ok=True)
    return True
