"""Deterministic, seeded mutations of activity files, and the fuzz cases built from them.

Every case is a pure function of (seeds, profile seed, index): :func:`make_case` builds a
:class:`random.Random` from a string key, so a case reported by the harness can be rebuilt
exactly. Byte-level mutators (bit flips, interesting bytes and integers, truncation,
chunk duplication and deletion, junk insertion, splicing) work on every format; text
mutators (numbers, timestamps, tokens, whole lines) aim at the XML and CSV readers.
Cases may feed one format's bytes under another's suffix, or wrap plain and junk bytes in
gzip and zip containers (corrupted, nested, many members) for :func:`iter_items`.
"""

from __future__ import annotations

import gzip
import io
import random
import re
import struct
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tests.fuzz.seeds import FORMATS, Seed

#: Single bytes that trip sign, range and terminator checks.
INTERESTING_BYTES = (0x00, 0xFF, 0x7F, 0x80)
#: Multi-byte values (sizes, counts, timestamps in binary formats), packed LE or BE.
INTERESTING_INTS = (0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000,
                    0xFFFFFFFF, 0x10000000)
#: Number texts that break naive float/int parsing or range assumptions.
NUMBERS = (b"0", b"-0", b"-1", b"1e309", b"-1e309", b"nan", b"NaN", b"inf", b"-inf",
           b"99999999999999999999", b"1.7976931348623157e308", b"4294967295",
           b"-2147483648", b"0x10", b"", b" ", b"1,5", b"1.2.3", b"\xff", b"1e-400", b"+")
#: Timestamp texts: impossible, extreme, zone-less, epoch and leap-day edge cases.
TIMES = (b"0000-00-00T00:00:00Z", b"9999-12-31T23:59:59Z", b"1970-01-01T00:00:00Z",
         b"1901-12-13T20:45:52Z", b"2023-02-29T00:00:00Z", b"2024-05-04T07:00:00+99:00",
         b"2024-05-04", b"T", b"2024-13-01T25:61:61Z", b"2024-05-04T07:00:00.999999999Z",
         b"2024-05-04 07:00", b"May 4, 2024, 7:00:00 AM", b"2038-01-19T03:14:08Z",
         b"2100-01-01T00:00:00Z", b"-2024-05-04T07:00:00Z", b"2024-05-04T07:00:00Z")
#: Syntax fragments of the formats, for insertion and replacement.
TOKENS = (b"<", b">", b"</", b"/>", b"<trkpt>", b"</trkpt>", b'<trkpt lat="nan" lon="inf">',
          b"<trk>", b"<trkseg>", b"<time>", b"</time>", b"<ele>1e309</ele>",
          b"<Trackpoint>", b"</Trackpoint>", b"<Lap>", b"<Activity Sport='Biking'>",
          b"<Value>300</Value>", b"<!DOCTYPE gpx [<!ENTITY a 'b'>]>", b"&a;", b"&amp;",
          b"&#0;", b"&#xFFFF;", b"<![CDATA[", b"]]>", b"<?xml version='1.0'?>",
          b'encoding="utf-16"', b'encoding="bogus"', b"xmlns:x='y'", b"\xef\xbb\xbf",
          b"\xff\xfe", b",", b";", b'"', b'""', b"\n", b"\r", b"\r\n", b"\x00", b"--",
          b"--:--", b"1:2:3:4", b"::", b"Distance", b"Activity Date", b"date", b"\t",
          b"\xe2\x80\xae", b"\xc3", b"%s%n", b"{}", b"\\")
#: Suffixes a case can be fed under (all registry formats).
SUFFIX = {"fit": ".fit", "gpx": ".gpx", "tcx": ".tcx", "csv": ".csv"}
#: Seeds longer than this are cut (at a record boundary where possible) before mutating,
#: so each input parses quickly; one case in BIG_EVERY keeps up to BIG_BYTES.
HEAD_BYTES = 32 * 1024
BIG_EVERY = 200
BIG_BYTES = 512 * 1024

Mutator = Callable[[bytes, random.Random, Sequence[Seed]], bytes]
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_TIME = re.compile(rb"\d{4}-\d\d-\d\d[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?")


@dataclass(frozen=True)
class Case:
    """One fuzz input: a file ``name`` (its suffix picks the reader) and its bytes.

    ``wrapped`` cases are .gz/.zip containers, run through ``iter_items`` from disk.
    """

    index: int
    name: str
    data: bytes
    fmt: str
    seed: str
    labels: tuple[str, ...]
    wrapped: bool = False

    @property
    def describe(self) -> str:
        """E.g. "#12 gen.gpx as x.tcx: bitflip+truncate"."""
        return f"#{self.index} {self.seed} as {self.name}: {'+'.join(self.labels)}"


# -- shrinking big seeds -----------------------------------------------------------------------

_POINT_END = {"gpx": b"</trkpt>", "tcx": b"</Trackpoint>"}


def shrink(data: bytes, fmt: str, limit: int = HEAD_BYTES) -> bytes:
    """``data`` cut to about ``limit`` bytes, keeping it well-formed where that is easy.

    XML: the head up to a point's end, then the tail after the last point (whole points
    are removed, so the document stays balanced). CSV: whole lines. FIT: the head (the
    reader keeps what it decoded before the cut).
    """
    if len(data) <= limit:
        return data
    end = _POINT_END.get(fmt)
    if end is not None:
        cut = data.rfind(end, 0, limit)
        last = data.rfind(end)
        if cut > 0 and last >= cut:
            return data[: cut + len(end)] + data[last + len(end):]
    if fmt == "csv":
        cut = data.rfind(b"\n", 0, limit)
        if cut > 0:
            return data[: cut + 1]
    return data[:limit]


# -- byte mutators -----------------------------------------------------------------------------


def _pos(data: bytes, rng: random.Random) -> int:
    return rng.randrange(len(data)) if data else 0


def bitflip(data: bytes, rng: random.Random, _: Sequence[Seed] = ()) -> bytes:
    """Flip 1-8 random bits."""
    if not data:
        return data
    out = bytearray(data)
    for _i in range(rng.randint(1, 8)):
        p = _pos(out, rng)
        out[p] ^= 1 << rng.randrange(8)
    return bytes(out)


def interesting_byte(data: bytes, rng: random.Random, _: Sequence[Seed] = ()) -> bytes:
    """Overwrite 1-8 bytes with 0x00, 0xFF, 0x7F or 0x80."""
    if not data:
        return bytes([rng.choice(INTERESTING_BYTES)])
    out = bytearray(data)
    for _i in range(rng.randint(1, 8)):
        out[_pos(out, rng)] = rng.choice(INTERESTING_BYTES)
    return bytes(out)


def interesting_int(data: bytes, rng: random.Random, _: Sequence[Seed] = ()) -> bytes:
    """Overwrite 2 or 4 bytes with an interesting integer; early offsets (headers) favoured."""
    width = rng.choice((2, 4))
    value = rng.choice(INTERESTING_INTS) & ((1 << (8 * width)) - 1)
    packed = struct.pack(rng.choice(("<", ">")) + ("H" if width == 2 else "I"), value)
    if len(data) <= width:
        return packed
    span = min(len(data) - width, 64) if rng.random() < 0.5 else len(data) - width
    p = rng.randrange(span + 1)
    return data[:p] + packed + data[p + width:]


def truncate(data: bytes, rng: random.Random, _: Sequence[Seed] = ()) -> bytes:
    """Cut the file anywhere (often near the end, where readers check totals)."""
    if len(data) < 2:
        return b""
    p = rng.randrange(len(data)) if rng.random() < 0.5 else len(data) - rng.randint(1, 64)
    return data[: max(p, 0)]


def _chunk(data: bytes, rng: random.Random) -> tuple[int, int]:
    size = rng.choice((1, 2, 4, 8, 16, 64, 256, 4096))
    start = _pos(data, rng)
    return start, min(len(data), start + size)


def duplicate_chunk(data: bytes, rng: random.Random, _: Sequence[Seed] = ()) -> bytes:
    """Repeat a chunk 1-16 times in place."""
    a, b = _chunk(data, rng)
    return data[:b] + data[a:b] * rng.randint(1, 16) + data[b:]


def delete_chunk(data: bytes, rng: random.Random, _: Sequence[Seed] = ()) -> bytes:
    """Remove a chunk."""
    a, b = _chunk(data, rng)
    return data[:a] + data[b:]


def insert_junk(data: bytes, rng: random.Random, _: Sequence[Seed] = ()) -> bytes:
    """Insert 1-64 random bytes, or one byte repeated."""
    n = rng.randint(1, 64)
    junk = (bytes(rng.randrange(256) for _i in range(n)) if rng.random() < 0.6
            else bytes([rng.choice(INTERESTING_BYTES)]) * n)
    p = _pos(data, rng)
    return data[:p] + junk + data[p:]


def splice(data: bytes, rng: random.Random, donors: Sequence[Seed] = ()) -> bytes:
    """The head of this file joined to the tail of another seed (any format)."""
    if not donors:
        return data
    other = rng.choice(donors).data[:HEAD_BYTES]
    return data[: _pos(data, rng)] + other[_pos(other, rng):]


# -- text mutators -----------------------------------------------------------------------------


def _replace_match(data: bytes, pattern: re.Pattern[bytes], rng: random.Random,
                   values: Sequence[bytes], times: int) -> bytes:
    matches = list(pattern.finditer(data[:HEAD_BYTES * 2]))
    if not matches:
        return data
    chosen = sorted(rng.sample(matches, min(times, len(matches))), key=lambda m: -m.start())
    for m in chosen:
        data = data[: m.start()] + rng.choice(values) + data[m.end():]
    return data


def number(data: bytes, rng: random.Random, _: Sequence[Seed] = ()) -> bytes:
    """Replace 1-3 numbers in the text with extreme or malformed numbers."""
    return _replace_match(data, _NUMBER, rng, NUMBERS, rng.randint(1, 3))


def timestamp(data: bytes, rng: random.Random, _: Sequence[Seed] = ()) -> bytes:
    """Replace 1-3 timestamps with impossible, extreme or zone-less ones."""
    return _replace_match(data, _TIME, rng, TIMES, rng.randint(1, 3))


def token(data: bytes, rng: random.Random, _: Sequence[Seed] = ()) -> bytes:
    """Insert a syntax fragment (XML, CSV, encodings) or overwrite bytes with it."""
    tok = rng.choice(TOKENS)
    p = _pos(data, rng)
    if rng.random() < 0.5:
        return data[:p] + tok + data[p:]
    return data[:p] + tok + data[p + len(tok):]


def lines(data: bytes, rng: random.Random, _: Sequence[Seed] = ()) -> bytes:
    """Delete, duplicate or swap whole lines (XML elements and CSV rows)."""
    parts = data.split(b"\n")
    if len(parts) < 2:
        return data
    i, j = rng.randrange(len(parts)), rng.randrange(len(parts))
    op = rng.randrange(3)
    if op == 0:
        del parts[i]
    elif op == 1:
        parts[i:i] = [parts[j]] * rng.randint(1, 20)
    else:
        parts[i], parts[j] = parts[j], parts[i]
    return b"\n".join(parts)


BYTE_MUTATORS: dict[str, Mutator] = {
    "bitflip": bitflip,
    "byte": interesting_byte,
    "int": interesting_int,
    "truncate": truncate,
    "dup": duplicate_chunk,
    "delete": delete_chunk,
    "junk": insert_junk,
    "splice": splice,
}
TEXT_MUTATORS: dict[str, Mutator] = {
    "number": number,
    "time": timestamp,
    "token": token,
    "lines": lines,
}


def mutate(data: bytes, fmt: str, rng: random.Random, donors: Sequence[Seed] = (),
           count: int | None = None) -> tuple[bytes, list[str]]:
    """Apply ``count`` (default 1-3) mutations; text formats get text mutators half the time."""
    labels = []
    for _i in range(count if count is not None else rng.choice((1, 1, 1, 2, 2, 3))):
        pool = TEXT_MUTATORS if fmt != "fit" and rng.random() < 0.5 else BYTE_MUTATORS
        name = rng.choice(sorted(pool))
        data = pool[name](data, rng, donors)
        labels.append(name)
    return data, labels


# -- containers --------------------------------------------------------------------------------


def gz(data: bytes, rng: random.Random) -> bytes:
    """Gzip ``data``; sometimes as two members, with zero padding, or cut/corrupted."""
    out = gzip.compress(data, compresslevel=rng.choice((1, 6, 9)), mtime=0)
    roll = rng.random()
    if roll < 0.15 and len(data) > 1:
        half = len(data) // 2
        out = gzip.compress(data[:half], mtime=0) + gzip.compress(data[half:], mtime=0)
    elif roll < 0.25:
        out += b"\0" * rng.randint(1, 600)
    elif roll < 0.4:
        out = out[: rng.randrange(len(out))]
    elif roll < 0.55:
        out = bitflip(out, rng)
    return out


def zip_bytes(members: Sequence[tuple[str, bytes]], rng: random.Random) -> bytes:
    """A zip of ``members``, stored or deflated; sometimes corrupted afterwards."""
    buf = io.BytesIO()
    method = rng.choice((zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED))
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", method) as zf:
        warnings.simplefilter("ignore")  # duplicate member names are part of the test
        for name, data in members:
            zf.writestr(name, data)
    out = buf.getvalue()
    roll = rng.random()
    if roll < 0.1:
        out = out[: rng.randrange(len(out))]
    elif roll < 0.25:
        out = bitflip(out, rng)
    elif roll < 0.3:
        out = interesting_int(out, rng)
    return out


_MEMBER_NAMES = ("run{}", "activities/{}", "../../etc/{}", "a/b/c/d/{}", "__MACOSX/{}",
                 ".hidden{}", "dir\\win{}", "{}")


def _wrap(data: bytes, fmt: str, rng: random.Random, donors: Sequence[Seed]
          ) -> tuple[str, bytes, str]:
    """Container name, container bytes, label."""
    suffix = SUFFIX[fmt]
    kind = rng.randrange(6)
    if kind == 0:
        return "w" + suffix + ".gz", gz(data, rng), "gz"
    if kind == 1:  # junk in a container
        junk = bytes(rng.randrange(256) for _i in range(rng.randint(0, 300)))
        if rng.random() < 0.5:
            return "w" + suffix + ".gz", gz(junk, rng), "gz-junk"
        return "w.zip", zip_bytes([("junk" + suffix, junk)], rng), "zip-junk"
    if kind == 2:  # a zip of this file and a few others, odd member names
        members = [(rng.choice(_MEMBER_NAMES).format(suffix), data)]
        for seed in rng.sample(list(donors), min(len(donors), rng.randint(0, 3))):
            members.append((rng.choice(_MEMBER_NAMES).format(SUFFIX[seed.fmt]),
                            seed.data[:HEAD_BYTES]))
        return "w.zip", zip_bytes(members, rng), "zip"
    if kind == 3:  # gz inside zip
        return "w.zip", zip_bytes([("act" + suffix + ".gz", gz(data, rng))], rng), "zip-gz"
    if kind == 4:  # nested zips, sometimes deeper than the reader follows
        inner = zip_bytes([("in" + suffix, data)], rng)
        for _i in range(rng.randint(1, 4)):
            inner = zip_bytes([("nest.zip", inner)], rng)
        return "w.zip", inner, "zip-nested"
    # many tiny members, or one highly compressible member (ratio checks)
    if rng.random() < 0.5:
        members = [(f"m{i}" + suffix, data[:64]) for i in range(rng.randint(2, 60))]
        return "w.zip", zip_bytes(members, rng), "zip-many"
    return "w.zip", zip_bytes([("zeros" + suffix, b"\0" * rng.randint(1, 2**20))], rng), "zip-zeros"


# -- cases -------------------------------------------------------------------------------------


def make_case(seeds: Sequence[Seed], index: int, key: str = "0") -> Case:
    """The ``index``-th case of a run keyed ``key``: formats in turn, then a random seed.

    About 1 case in 10 is wrapped in a container, 1 in 10 is fed under another
    format's suffix, 1 in 40 is the unmutated seed (the baseline must parse cleanly too).
    """
    rng = random.Random(f"loadwatch-fuzz:{key}:{index}")
    present = [f for f in FORMATS if any(s.fmt == f for s in seeds)]
    fmt = present[index % len(present)]
    seed = rng.choice([s for s in seeds if s.fmt == fmt])
    limit = BIG_BYTES if index % BIG_EVERY == BIG_EVERY - 1 else HEAD_BYTES
    data = shrink(seed.data, fmt, limit)
    roll = rng.random()
    if roll < 0.025:
        labels: list[str] = ["as-is"]
    else:
        data, labels = mutate(data, fmt, rng, seeds)
    feed = fmt
    if rng.random() < 0.1:
        feed = rng.choice([f for f in FORMATS if f != fmt])
        labels.append(f"as-{feed}")
    if rng.random() < 0.1:
        name, wrapped, label = _wrap(data, feed, rng, seeds)
        return Case(index, name, wrapped, feed, seed.name, (*labels, label), wrapped=True)
    return Case(index, "fuzz" + SUFFIX[feed], data, feed, seed.name, tuple(labels))

