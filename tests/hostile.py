"""Builders of hostile inputs (issue 15), shared by tests/test_hostile_files.py and the fuzz seeds.

Every builder returns small bytes (or sets up a small tree) that exercise one class of
resource amplification or refusal: tiny-record FIT files, FIT files with thousands of
sessions, long XML attributes, overlapping zip entries, deep or dotted TOML, UTF-16 text.
"""

from __future__ import annotations

import codecs
import io
import os
import resource
import struct
import subprocess
import sys
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

#: Address space [bytes] and seconds a bounded run may use: the CLI needs ~300 MB; a hostile
#: input that is read without bounds needs gigabytes or never ends.
MEMORY_BYTES = 1536 * 2**20
TIMEOUT_S = 120.0

_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)
#: FIT date_time of 2024-05-04T07:00:00Z (seconds since 1989-12-31T00:00Z).
FIT_TIME = 1_083_654_000


def fit_crc(data: bytes, crc: int = 0) -> int:
    """The FIT CRC-16 of ``data`` (FIT SDK, "FIT Protocol", section 3.3.2)."""
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = (crc >> 4) & 0x0FFF
            crc = crc ^ tmp ^ _CRC_TABLE[nibble]
    return crc


def _fit(body: bytes) -> bytes:
    header = struct.pack("<BBHI4s", 12, 0x10, 2093, len(body), b".FIT")
    data = header + body
    return data + struct.pack("<H", fit_crc(data))


def _definition(local: int, global_num: int, fields: list[tuple[int, int, int]]) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    return out + b"".join(struct.pack("<BBB", *f) for f in fields)


def tiny_record_fit(records: int) -> bytes:
    """A FIT file of ``records`` 2-byte record messages (heart rate only, no time)."""
    body = _definition(0, 20, [(3, 1, 0x02)])  # record.heart_rate, uint8
    body += b"\x00\x8c" * records
    return _fit(body)


def many_sessions_fit(sessions: int, records_per_session: int = 2) -> bytes:
    """A FIT activity of ``sessions`` one-minute running sessions, each with a few records."""
    body = _definition(0, 0, [(0, 1, 0x00), (4, 4, 0x86)])  # file_id: type, time_created
    body += struct.pack("<BBI", 0, 4, FIT_TIME)  # type 4 = activity
    # record: timestamp, heart_rate, distance [cm]
    body += _definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02), (5, 4, 0x86)])
    # session: timestamp, start_time, total_elapsed_time [ms], total_distance [cm], sport
    body += _definition(2, 18, [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (9, 4, 0x86),
                                (5, 1, 0x00)])
    t = FIT_TIME
    for _ in range(sessions):
        for r in range(records_per_session):
            body += struct.pack("<BIBI", 1, t + r, 140, r * 300)
        body += struct.pack("<BIIIIB", 2, t + 60, t, 60_000, 30_000, 1)  # sport 1 = running
        t += 120
    return _fit(body)


def long_attribute_gpx(attribute_bytes: int) -> bytes:
    """A GPX file whose creator attribute is ``attribute_bytes`` long."""
    return (b'<?xml version="1.0"?><gpx version="1.1" creator="' + b"A" * attribute_bytes
            + b'" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
            b'<trkpt lat="47" lon="8"><time>2024-05-04T07:00:00Z</time></trkpt>'
            b"</trkseg></trk></gpx>")


def gpx(points: int = 30, creator: str = "test", start_minute: int = 0) -> bytes:
    """A valid one-track GPX run of ``points`` points 1 s apart, about 3 m/s."""
    pts = "".join(
        f'<trkpt lat="{47 + i * 0.00003:.6f}" lon="8.0"><ele>400</ele>'
        f"<time>2024-05-04T07:{start_minute:02d}:{i:02d}Z</time></trkpt>"
        for i in range(points)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="1.1" creator="{creator}" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>Run</name><type>running</type><trkseg>{pts}</trkseg></trk></gpx>\n"
    ).encode()


def utf16(text: bytes, xml: bool = False) -> bytes:
    """``text`` (UTF-8) as UTF-16-LE with a BOM, as Windows tools save it."""
    decoded = text.decode("utf-8")
    if xml:
        decoded = decoded.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return codecs.BOM_UTF16_LE + decoded.encode("utf-16-le")


def overlapping_zip(copies: int = 50, kernel: bytes = b"") -> bytes:
    """A zip whose ``copies`` central-directory entries all point at one member's data
    (the overlapping-entries construction: a small file that lists many large files)."""
    kernel = kernel or b"x" * 10_000
    packed = zlib.compress(kernel, 9)[2:-4]  # raw deflate
    crc = zlib.crc32(kernel)
    name = b"a.gpx"
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(packed),
                        len(kernel), len(name), 0) + name
    data = local + packed
    central = b""
    for i in range(copies):
        member = f"run{i}.gpx".encode()
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                               len(packed), len(kernel), len(member), 0, 0, 0, 0, 0, 0) + member
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, copies, copies, len(central),
                      len(data), 0)
    return data + central + end


def same_name_zip(first: bytes, second: bytes, name: str = "run.gpx") -> bytes:
    """A zip with two members called ``name``."""
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
        warnings.simplefilter("ignore")  # "Duplicate name" is the point
        zf.writestr(name, first)
        zf.writestr(name, second)
    return buf.getvalue()


def dotted_key_toml(parts: int) -> bytes:
    """A TOML document with one key of ``parts`` dotted parts (quadratic in tomllib)."""
    return b"a" + b".a" * (parts - 1) + b" = 1\n"


def deep_array_toml(depth: int) -> bytes:
    """A TOML document with arrays nested ``depth`` deep (RecursionError in tomllib)."""
    return b"a = " + b"[" * depth + b"]" * depth + b"\n"


def make_deep(root: Path, depth: int, leaf: str, data: bytes, name: str = "d") -> Path:
    """``depth`` nested folders ``name`` under ``root`` with ``leaf`` at the bottom, made
    through directory descriptors (path-based mkdir is quadratic in the depth)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open(leaf, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, data)
        os.close(out)
    finally:
        os.close(fd)
    return root.joinpath(*[name] * depth, leaf)


def _limits(memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_bounded(args: Sequence[str], *, cwd: Path, timeout: float = TIMEOUT_S,
                memory: int = MEMORY_BYTES, python: str | None = None
                ) -> subprocess.CompletedProcess[str]:
    """Run ``loadwatch ARGS`` (or, with ``python``, that code) in a subprocess limited to
    ``memory`` bytes of address space; raises subprocess.TimeoutExpired after ``timeout``.

    A hostile input that makes loadwatch hang, read without limit or recurse without end
    fails here as a timeout, a MemoryError or a traceback instead of stalling the suite.
    """
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MPLBACKEND": "Agg", "LOADWATCH_CACHE_DIR": str(cwd / ".cache"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    command = [sys.executable, "-c", python, *args] if python else [
        sys.executable, "-m", "loadwatch", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          errors="backslashreplace", timeout=timeout,
                          preexec_fn=lambda: _limits(memory), check=False)


def remove_tree(root: Path) -> None:
    """Delete a folder tree without recursion (a 1,000-deep tree breaks shutil.rmtree)."""
    if not root.exists() and not root.is_symlink():
        return
    folders, stack = [], [root]
    while stack:
        folder = stack.pop()
        folders.append(folder)
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    os.unlink(entry.path)
    for folder in reversed(folders):
        os.rmdir(folder)
