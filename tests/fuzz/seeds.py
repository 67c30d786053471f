"""Seed files for the fuzzer: real files read in place, plus tiny generated ones.

Real seeds come from ``../shared/realdata`` and ``sample_data/`` (``.gz`` seeds are
unwrapped: the mutators wrap again on their own). Generated seeds are written in code so
that the quick profile works where the shared folder is absent; the FIT seeds come from
:mod:`tests.fitgen` when ``fit_tool`` is installed.
"""

from __future__ import annotations

import functools
import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

from loadwatch.importers import reader_for
from loadwatch.sources import RESERVED_NAMES

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
