"""Distinct copies of real FIT files: every timestamp moved, the CRC fixed.

A benchmark needs many files that are not byte-identical (the cache and the copy
merging would see through repeats) yet are real recordings. :class:`Shifter` finds the
byte offsets of every uint32 timestamp field (field 253, start_time, time_created,
local_timestamp) once, with the fast decoder's framing, then makes each copy with one
vectorised add and a new file CRC.
"""

from __future__ import annotations

import numpy as np

from loadwatch.importers import fastfit

DAY_S = 86_400
_DATED = ("start_time", "time_created", "local_timestamp")


class Shifter:
    """Copies of one FIT file with every timestamp moved by a number of seconds."""

    def __init__(self, data: bytes) -> None:
        reader = fastfit._Reader(data, frozenset(), frozenset())
        reader.run_parts()
        self.data = np.frombuffer(data, dtype=np.uint8).copy()
        spans: dict[str, list[np.ndarray]] = {"<": [], ">": []}
        for d in reader.definitions:
            if not d.offsets:
                continue
            offs = np.asarray(d.offsets, dtype=np.int64)
            for fd in d.fields:
                name = getattr(fd.field, "name", "")
                dated = fd.num == 253 or name in _DATED
                if fd.dev or not dated or fd.base.name != "uint32" or fd.size != 4:
                    continue
                spans[d.endian].append(offs + fd.offset)
        self.starts = {e: np.concatenate(v) for e, v in spans.items() if v}

    def copy(self, seconds: int) -> bytes:
        """The file with every valid timestamp ``seconds`` later and its CRC fixed."""
        out = self.data.copy()
        for endian, starts in self.starts.items():
            idx = starts[:, None] + np.arange(4)
            dtype = np.dtype(endian + "u4")
            raw = out[idx].copy().view(dtype).ravel()
            ok = raw != 0xFFFFFFFF
            raw[ok] += np.uint32(seconds)
            out[idx] = raw.astype(dtype).view(np.uint8).reshape(-1, 4)
        body = out[:-2].tobytes()
        return body + fastfit.crc16(body).to_bytes(2, "little")


def shifted(data: bytes, days: int) -> bytes:
    """``data`` with every uint32 timestamp ``days`` later (one copy)."""
    return Shifter(data).copy(days * DAY_S)
