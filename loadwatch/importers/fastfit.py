"""Fast FIT decoding: message framing in one Python loop, record fields gathered with numpy.

python-fitparse turns every field of every message into Python objects (about 1 MB/s);
loadwatch needs a dozen record fields and a handful of small summary messages. This module
walks the messages once, remembering where each record starts, then reads each record
field as one numpy column per definition. Summary messages (file_id, session, lap, ...)
are few and are decoded one by one with fitparse's own profile, so their values are the
same objects fitparse gives.

fitparse stays the reference: :func:`decode` reproduces what
:func:`loadwatch.importers.fit._decode` collects, or raises :class:`Declined` for anything
it does not reproduce exactly (an undefined local message, developer fields without a
description, accumulated or compressed fields with values, odd sizes...); the caller then
decodes the file with fitparse. Damage that fitparse tolerates, a truncated tail, a bad
CRC, an unreadable chained part, is reproduced with fitparse's own wording. Developer
fields that declare a native field stand in for it by one rule, :func:`stands_in`, which
the fitparse path (:mod:`loadwatch.importers.fit`) applies too.

References
----------
Garmin FIT SDK, "FIT Protocol": file header, record headers (normal and compressed
timestamp), definition messages (architecture byte, developer fields), CRC-16.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from fitparse.profile import MESSAGE_TYPES
from fitparse.records import BASE_TYPE_BYTE, BASE_TYPES, BaseType, Field

from loadwatch.limits import MAX_FIT_MESSAGES as MAX_MESSAGES

#: Field number of ``timestamp`` in every message (FIT SDK).
TIMESTAMP_FIELD = 253
#: Global message numbers whose content changes how later definitions are read.
DEVELOPER_DATA_ID = 207
FIELD_DESCRIPTION = 206
#: numpy dtype characters of the FIT base types' struct formats.
_NUMPY = {"b": "i1", "B": "u1", "h": "i2", "H": "u2", "i": "i4", "I": "u4",
          "q": "i8", "Q": "u8", "f": "f4", "d": "f8"}
_INTEGER_FORMATS = frozenset("bBhHiIqQ")
#: Integer formats a running timestamp is kept in exactly (int64 columns).
_STAMP_FORMATS = frozenset("bBhHiI")
#: "No timestamp field" in int64 timestamp columns (no FIT integer below 64 bits has it).
_NO_STAMP = -(2**63)


class Declined(Exception):
    """The fast decoder does not reproduce fitparse on this file: decode it with fitparse."""


class TooManyMessages(Exception):
    """The file holds more than :data:`MAX_MESSAGES` data messages (not decoded further)."""


class _EOF(Exception):
    """The file ended inside a read; ``text`` is fitparse's FitEOFError message."""

    def __init__(self, size: int, got: int) -> None:
        super().__init__(f"Tried to read {size} bytes from .FIT file but got {got}")


def malformed(error: str) -> str:
    """Why decoding stopped at a message that fitparse fails on with a Python error
    (``error``: its type, e.g. ``AttributeError``) rather than a FIT one: the same words
    from both decoders, instead of the error's own text ("'NoneType' object has no
    attribute 'name'"), which tells a runner nothing."""
    return f"a malformed message ({error})"


class _Undecodable(Exception):
    """fitparse would stop here with this error (kept as the file's damage)."""


class _ChainedHeader(Exception):
    """A chained part's header is not a FIT header (fitparse's FitHeaderError)."""


# ---------------------------------------------------------------- CRC


def _crc_byte_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table[i] = crc
    return table


_CRC_TABLE = _crc_byte_table()
_CRC_LIST: list[int] = _CRC_TABLE.tolist()
#: Below this many bytes a plain loop over a list beats the chunked numpy CRC, whose array
#: operations cost ~1 us each (a 12-byte header: 0.9 vs 35 us; 1,000 bytes: 60 vs 195 us).
_CRC_LOOP_BYTES = 4096


def _crc_run(states: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Feed the rows of ``columns`` (one byte per state) to many CRC states at once."""
    table = _CRC_TABLE
    for row in columns:
        states = (states >> 8) ^ table[(states ^ row) & 0xFF]
    return states


@lru_cache(maxsize=16)
def _zero_shift(length: int) -> tuple[np.ndarray, np.ndarray]:
    """Tables giving the CRC state after ``length`` zero bytes, per low and high byte."""
    basis = np.arange(256, dtype=np.uint32)
    zeros = np.zeros((length, 256), dtype=np.uint32)
    return _crc_run(basis, zeros), _crc_run(basis << 8, zeros)


def crc16(data: bytes | np.ndarray) -> int:
    """The FIT CRC (CRC-16/ARC) of ``data``, computed on many chunks in parallel.

    With a zero start the CRC is linear, so each chunk's CRC is computed from zero and the
    chunks are joined by shifting the running value through a chunk of zero bytes.
    """
    if len(data) < _CRC_LOOP_BYTES:
        crc, table = 0, _CRC_LIST
        for byte in (data if isinstance(data, bytes) else data.tolist()):
            crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
        return crc
    arr = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    n = len(arr)
    length = 1 << max(6, min(12, (int(np.sqrt(n)) - 1).bit_length()))
    pad = (-n) % length  # leading zero bytes leave a zero CRC unchanged
    if pad:
        arr = np.concatenate([np.zeros(pad, dtype=np.uint8), arr])
    chunks = arr.reshape(-1, length).T.astype(np.uint32)
    parts = _crc_run(np.zeros(chunks.shape[1], dtype=np.uint32), chunks).tolist()
    low, high = (t.tolist() for t in _zero_shift(length))
    crc = 0
    for part in parts:
        crc = low[crc & 0xFF] ^ high[crc >> 8] ^ part
    return crc


# ---------------------------------------------------------------- definitions


@dataclass
class _FieldDef:
    num: int
    size: int
    base: BaseType
    #: byte offset inside the message's content
    offset: int
    field: Any  # fitparse Field, DevField or None
    dev: bool = False
    #: for a developer field that declares a native field: that field's profile name
    native: str | None = None

    @property
    def count(self) -> int:
        return self.size // self.base.size


@dataclass
class _Definition:
    """One definition message: the layout of the data messages that follow it."""

    mesg_num: int
    endian: str
    fields: list[_FieldDef]
    size: int
    name: str | None
    #: content offsets of the data messages using this definition
    offsets: list[int] = field(default_factory=list)
    #: index of the first zero-sized field (fitparse cannot read such messages)
    zero: int | None = None


@dataclass
class Decoded:
    """What :func:`decode` collected: small messages whole, record fields as columns."""

    #: (name, values) of the summary messages, in file order
    messages: list[tuple[str, dict[str, Any]]]
    #: record field name -> float column (NaN where fitparse gives None or a non-number)
    columns: dict[str, np.ndarray]
    records: int
    #: activity_type of the first record defining it (fitparse's value), else None
    activity_type: Any
    bad_crc: int
    damage: str | None
    misaligned: int


def _base_type(num: int) -> BaseType:
    return BASE_TYPES.get(num, BASE_TYPE_BYTE)


def _has_components(f: Any) -> bool:
    if f is None or getattr(f, "field_type", "") == "devfield":
        return False
    return bool(f.components) or any(s.components for s in f.subfields or ())


def _check_components(fd: _FieldDef) -> None:
    """Decline layouts on which fitparse's component expansion would fail."""
    if not _has_components(fd.field):
        return
    if fd.base.name == "byte":
        return
    if fd.count != 1:
        raise Declined("array field with components")
    f = fd.field
    comps = [*(f.components or ()), *(c for s in f.subfields or () for c in s.components or ())]
    if fd.base.fmt not in _INTEGER_FORMATS and any(c.accumulate for c in comps):
        raise Declined("accumulated component of a non-integer field")


# ---------------------------------------------------------------- the decoder


class _Reader:
    """Walks the bytes the way fitparse does, with fitparse's reads and their failures."""

    def __init__(self, data: bytes, wanted: frozenset[str], summary: frozenset[str]) -> None:
        self.data = data
        self.n = len(data)
        self.pos = 0
        self.wanted = wanted
        self.summary_names = summary
        self.definitions: list[_Definition] = []
        self.dev_types: dict[Any, dict[Any, BaseType]] = {}
        #: developer index -> field number -> the native field number it declares (or None)
        self.dev_natives: dict[Any, dict[Any, Any]] = {}
        self.bad_crc = 0
        self.misaligned = 0
        self.compressed = False
        #: (content offset, definition, fields read) of a message cut short by the end
        self.partial: tuple[int, _Definition, int] | None = None
        #: definition bytes (and developer registrations so far) -> (definition, misaligned)
        self.known: dict[tuple[int, bytes, int], tuple[_Definition, int]] = {}
        self.dev_version = 0
        #: where each part (chained file) starts
        self.part_starts: list[int] = []
        self.part_start = 0
        #: where the current part's data ends by its header (fitparse's bytes left)
        self.data_end_hint = 0
        #: messages (and definitions) framed so far, against MAX_MESSAGES
        self.framed = 0

    def take(self, size: int) -> int:
        """Consume ``size`` bytes; return where they start (fitparse's ``_read``)."""
        start = self.pos
        got = min(size, self.n - start)
        self.pos = start + got
        if got < size:
            raise _EOF(size, got)
        return start

    # -- header and parts

    def header(self, first: bool) -> int:
        """Read a file header; return where its data ends."""
        start = self.pos
        self.take(12)
        head = self.data[start : start + 12]
        if head[8:12] != b".FIT":
            if first:
                raise Declined("not a FIT header")
            raise _ChainedHeader("Invalid .FIT File Header")
        header_size = head[0]
        data_size = int.from_bytes(head[4:8], "little")
        extra = header_size - 12
        if extra > 0:
            if extra < 2:
                if first:
                    raise Declined("irregular header size")
                raise _ChainedHeader("Irregular File Header Size")
            at = self.take(2)
            read = int.from_bytes(self.data[at : at + 2], "little")
            if read != 0 and read != crc16(self.data[start : start + 12]):
                self.bad_crc += 1
            if extra > 2:
                self.take(extra - 2)
        self.part_start = start
        self.part_starts.append(start)
        self.locals: dict[int, _Definition] = {}
        self.data_end_hint = self.pos + data_size
        return self.data_end_hint

    def run_parts(self) -> str | None:
        """Read every part; return fitparse's damage text, or None for a whole file."""
        try:
            data_end = self.header(first=True)
        except _EOF:
            raise Declined("shorter than a FIT header") from None
        try:
            while True:
                self.messages(data_end)
                at = self.take(2)
                read = int.from_bytes(self.data[at : at + 2], "little")
                if read != crc16(np.frombuffer(self.data, np.uint8, at - self.part_start,
                                               self.part_start)):
                    self.bad_crc += 1
                if self.pos >= self.n:
                    return None
                data_end = self.header(first=False)
        except _EOF as exc:
            return f"file ends early: {exc}"
        except _ChainedHeader as exc:
            return f"unreadable chained part ignored: {exc}"
        except _Undecodable as exc:
            return f"undecodable data ignored after {self.records()} records: {exc}"

    def messages(self, data_end: int) -> None:
        """Frame the messages of one part; data messages are only located, not read."""
        data = self.data
        locals_ = self.locals
        stop = min(data_end, self.n)
        pos = self.pos
        room = MAX_MESSAGES - self.framed
        while pos < stop:
            room -= 1
            if room < 0:
                raise TooManyMessages(f"more than {MAX_MESSAGES:,} messages")
            h = data[pos]
            if h & 0x80:
                local = (h >> 5) & 0x3
                self.compressed = True
            elif h & 0x40:
                self.pos = pos + 1
                self.definition(h)
                pos = self.pos
                stop = min(data_end, self.n)
                continue
            else:
                local = h & 0x0F
            d = locals_.get(local)
            if d is None:
                raise _Undecodable(f"Got data message with invalid local message type {local}")
            if d.zero is not None:
                self.pos = pos + 1
                self.zero_sized(d)  # raises
            end = pos + 1 + d.size
            if end > self.n:
                self.pos = pos + 1
                self.cut_short(d)  # raises _EOF
            d.offsets.append(pos + 1)
            if d.mesg_num in (DEVELOPER_DATA_ID, FIELD_DESCRIPTION):
                self.developer(d, pos + 1)
            pos = end
        self.pos = pos
        self.framed = MAX_MESSAGES - room
        if pos < data_end:  # fitparse reads the next header byte past the end
            self.take(1)

    def zero_sized(self, d: _Definition) -> None:
        """fitparse reads the fields before a zero-sized one, then fails on its format."""
        assert d.zero is not None  # only called when the definition has a zero-sized field
        zero = d.fields[d.zero]
        if self.pos + zero.offset > self.n:
            self.cut_short(d)
        raise _Undecodable(f"Invalid struct format: {d.endian}0{zero.base.fmt}")

    def records(self) -> int:
        """Record messages located so far."""
        return sum(len(d.offsets) for d in self.definitions if d.name == "record")

    def cut_short(self, d: _Definition) -> None:
        """A data message runs past the end: keep the fields read whole, then fail as fitparse."""
        start = self.pos
        avail = self.n - start
        read = 0
        for fd in d.fields:
            if fd.offset + fd.size > avail:
                break
            read += 1
        if d.mesg_num in (DEVELOPER_DATA_ID, FIELD_DESCRIPTION):
            raise Declined("cut-short message that fitparse processes further")
        self.partial = (start, d, read)
        self.pos = self.n
        consumed = start + sum(fd.size for fd in d.fields[:read])
        # the file is exhausted: fitparse's next read (CRC or message header) gets nothing
        bytes_left_after = self.data_end_hint - consumed
        raise _EOF(2 if bytes_left_after <= 0 else 1, 0)

    def definition(self, h: int) -> None:
        """Read a definition message; identical ones (Wahoo repeats them) are parsed once."""
        data, start, n = self.data, self.pos, self.n
        key = None
        if start + 5 <= n:
            end = start + 5 + 3 * data[start + 4]
            if h & 0x20 and end < n:
                end += 1 + 3 * data[end]
            if end <= n:
                key = (h & 0x20, data[start:end], self.dev_version)
                known = self.known.get(key)
                if known is not None:
                    self.pos = end
                    self.misaligned += known[1]
                    self.locals[h & 0x0F] = known[0]
                    return
        misaligned = self.misaligned
        d = self.parse_definition(h)
        if key is not None:
            self.known[key] = (d, self.misaligned - misaligned)

    def parse_definition(self, h: int) -> _Definition:
        data = self.data
        at = self.take(2)
        endian = ">" if data[at + 1] else "<"
        at = self.take(3)
        mesg_num, count = struct.unpack(endian + "HB", data[at : at + 3])
        mesg_type = MESSAGE_TYPES.get(mesg_num)
        fields: list[_FieldDef] = []
        offset = 0
        zero = None
        for _ in range(count):
            at = self.take(3)
            num, size, base_num = data[at], data[at + 1], data[at + 2]
            f = mesg_type.fields.get(num) if mesg_type else None
            base = _base_type(base_num)
            if size % base.size:
                if f is None:  # fitparse's warning names the field, and fails
                    raise _Undecodable(malformed("AttributeError"))
                self.misaligned += 1
                base = BASE_TYPE_BYTE
            fd = _FieldDef(num, size, base, offset, f)
            if size == 0 and zero is None:
                zero = len(fields)
            _check_components(fd)
            fields.append(fd)
            offset += size
        if h & 0x20:
            at = self.take(1)
            for _ in range(data[at]):
                at = self.take(3)
                num, size, index = data[at], data[at + 1], data[at + 2]
                base = self.dev_types.get(index, {}).get(num)
                if base is None:
                    raise Declined("developer field without description")
                size -= size % base.size  # fitparse reads whole values only
                if num == TIMESTAMP_FIELD:
                    raise Declined("developer field numbered like a timestamp")
                if size == 0 and zero is None:
                    zero = len(fields)
                native = _native_field(mesg_type, self.dev_natives.get(index, {}).get(num))
                fields.append(_FieldDef(num, size, base, offset, None, dev=True, native=native))
                offset += size
        name = mesg_type.name if mesg_type else None
        d = _Definition(mesg_num, endian, fields, offset, name, zero=zero)
        self.definitions.append(d)
        self.locals[h & 0x0F] = d
        return d

    def developer(self, d: _Definition, at: int) -> None:
        """Register developer data ids and field descriptions, as fitparse does on reading."""
        self.dev_version += 1
        raw = _raw_values(self.data, d, at, len(d.fields))
        by_name = {}
        for fd, value in zip(d.fields, raw, strict=False):
            if fd.field is not None and not fd.dev and fd.field.name not in by_name:
                by_name[fd.field.name] = value
        index = by_name.get("developer_data_index")
        if not isinstance(index, int):
            raise Declined("developer data without an index")
        if d.mesg_num == DEVELOPER_DATA_ID:
            self.dev_types[index] = {}
            self.dev_natives[index] = {}
            return
        if index not in self.dev_types:
            raise Declined("field description of an undeclared developer")
        base_num = by_name.get("fit_base_type_id")
        if base_num not in BASE_TYPES:
            raise Declined("developer field of unknown base type")
        number = by_name.get("field_definition_number")
        if not isinstance(number, int):
            # an array (or missing) number: fitparse fails formatting its default field
            # name (TypeError) or files the field under a key no data message uses
            raise Declined("developer field description without a field number")
        self.dev_types[index][number] = BASE_TYPES[base_num]
        self.dev_natives[index][number] = by_name.get("native_field_num")


def _native_field(mesg_type: Any, native_num: Any) -> str | None:
    """The profile name of the native field a developer field stands in for (None when it
    declares none, or one the profile does not know, as fitparse resolves it)."""
    if native_num is None or mesg_type is None:
        return None
    f = mesg_type.fields.get(native_num)
    if f is None:
        return None
    if f.def_num == TIMESTAMP_FIELD or f.type.values:
        # fitparse would put the raw number where a time or an enum name belongs
        raise Declined("developer field standing in for a timestamp or enum field")
    return str(f.name)


# ---------------------------------------------------------------- developer stand-ins


def stands_in(native: Any, dev: Any) -> bool:
    """Whether a developer value replaces the native value of the field it declares.

    Connect IQ apps write e.g. a swim's ``total_distance`` as a developer field with
    ``native_field_num`` and leave the native field 0 or invalid (FIT SDK,
    field_description): the developer value counts when it is a positive number and the
    native one is missing (None, or NaN in a column) or 0. Both decoders use this rule,
    fitparse's through :func:`stand_in_for_native`, the fast one also on record columns.
    """
    if not _is_number(dev) or not dev > 0:  # NaN is not > 0
        return False
    if native is None:
        return True
    return _is_number(native) and (native == 0 or math.isnan(native))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def stand_in_for_native(
    values: dict[str, Any], standins: dict[str | None, Any], wanted: Any = None
) -> None:
    """Fill ``values`` (one message, name -> value) from ``standins`` (native field name ->
    developer value, the last developer field of a name winning) where :func:`stands_in`;
    only names in ``wanted`` unless it is None."""
    for name, value in standins.items():
        if name is None or (wanted is not None and name not in wanted):
            continue
        if stands_in(values.get(name), value):
            values[name] = value


_STANDS_IN = np.frompyfunc(stands_in, 2, 1)


def _stand_in_columns(
    out: dict[str, np.ndarray], standins: list[tuple[str, np.ndarray]], k: int
) -> None:
    """:func:`stand_in_for_native` on record columns (NaN where fitparse gives None)."""
    for name, dev in {name: dev for name, dev in standins}.items():  # the last one wins
        native = out.get(name, np.full(k, np.nan))
        with np.errstate(invalid="ignore"):  # NaN compared inside the rule, as intended
            take = _STANDS_IN(native, dev).astype(bool)
        out[name] = np.where(take, dev, native)


def _raw_values(data: bytes, d: _Definition, at: int, count: int) -> list[Any]:
    """fitparse's raw values of one message's first ``count`` fields."""
    out = []
    for fd in d.fields[:count]:
        base = fd.base
        is_byte = base.name == "byte"
        fmt = f"{d.endian}{fd.size // base.size}{base.fmt}"
        start = at + fd.offset
        value = struct.unpack(fmt, data[start : start + fd.size])
        if len(value) == 1 and not is_byte:
            value = base.parse(value[0])
        elif is_byte:
            value = base.parse(value)
        else:
            value = tuple(base.parse(v) for v in value)
        out.append(value)
    return out


def _scaled(f: Any, value: Any) -> Any:
    """fitparse's scale and offset, applied the same way (also inside tuples)."""
    if isinstance(value, tuple):
        return tuple(_scaled(f, v) for v in value)
    if isinstance(value, (int, float)):
        if f.scale:
            value = float(value) / f.scale
        if f.offset:
            value = value - f.offset
    return value


def _subfield(f: Field, d: _Definition, raw: list[Any]) -> Any:
    if not f.subfields:
        return f
    for sub in f.subfields or ():
        for ref in sub.ref_fields:
            for fd, value in zip(d.fields, raw, strict=False):
                if not fd.dev and fd.num == ref.def_num and ref.raw_value == value:
                    return sub
    return f


def _message_values(
    data: bytes, d: _Definition, at: int, count: int, timestamp: int | None = None
) -> dict[str, Any]:
    """One message as fitparse's name -> value (developer fields left out), later wins."""
    raw = _raw_values(data, d, at, count)
    values: dict[str, Any] = {}
    standins: dict[str | None, Any] = {}
    for fd, value in zip(d.fields, raw, strict=False):
        if fd.dev and fd.native is not None:
            standins[fd.native] = value
        if fd.field is None or fd.dev:
            continue
        f = _subfield(fd.field, d, raw)
        for comp in f.components or ():
            try:
                cmp_raw = comp.render(value)
            except ValueError:
                continue
            if comp.accumulate and cmp_raw is not None:
                raise Declined("accumulated component")
            cmp_raw = _scaled(comp, cmp_raw)
            target = _subfield(MESSAGE_TYPES[d.mesg_num].fields[comp.def_num], d, raw)
            values[target.name] = target.render(cmp_raw)
        values[f.name] = _scaled(f, f.render(value))
    if standins:
        stand_in_for_native(values, standins)
    if timestamp is not None:
        values["timestamp"] = timestamp
    return values


# ---------------------------------------------------------------- record columns


def _column_raw(buf: np.ndarray, d: _Definition, fd: _FieldDef, offsets: np.ndarray) -> np.ndarray:
    """Raw integer or float values of one single-valued numeric field, one per message."""
    dtype = np.dtype(d.endian + _NUMPY[fd.base.fmt])
    idx = offsets[:, None] + (fd.offset + np.arange(fd.size))
    return buf[idx].view(dtype).ravel()


def _invalid(base: BaseType, raw: np.ndarray) -> np.ndarray:
    """Where fitparse's ``base.parse`` gives None."""
    if base.fmt in "fd":
        return np.isnan(raw)
    probe = {"enum": 0xFF, "uint8": 0xFF, "sint8": 0x7F, "uint16": 0xFFFF, "sint16": 0x7FFF,
             "uint32": 0xFFFFFFFF, "sint32": 0x7FFFFFFF, "uint64": 0xFFFFFFFFFFFFFFFF,
             "sint64": 0x7FFFFFFFFFFFFFFF}.get(base.name)
    if probe is not None:
        return raw == probe
    return raw == 0  # the *z types: zero is invalid


def _render_float(f: Any, raw: np.ndarray, invalid: np.ndarray) -> np.ndarray:
    """Values as fitparse gives them, as floats: NaN for None and for enum names (text)."""
    out = raw.astype(np.float64)
    if f.scale:
        out = out / f.scale
    if f.offset:
        out = out - f.offset
    out[invalid] = np.nan
    if f.type.values:
        out[np.isin(raw, list(f.type.values))] = np.nan
    return out


def _record_columns(
    buf: np.ndarray, d: _Definition, offsets: np.ndarray, wanted: frozenset[str]
) -> dict[str, np.ndarray]:
    """The wanted record fields of one definition's messages, the last writer winning."""
    k = len(offsets)
    nan = np.full(k, np.nan)
    out: dict[str, np.ndarray] = {}
    standins: list[tuple[str, np.ndarray]] = []
    for fd in d.fields:
        f = fd.field
        if fd.dev and fd.native in wanted:
            assert fd.native is not None  # checked by ``in wanted``
            standins.append((fd.native, _dev_column(buf, d, fd, offsets)))
        if f is None or fd.dev:
            continue
        if f.subfields:
            raise Declined("record field with subfields")
        numeric = fd.base.fmt in _NUMPY and fd.count == 1 and fd.base.name != "byte"
        raw = invalid = None
        if numeric:
            raw = _column_raw(buf, d, fd, offsets)
            invalid = _invalid(fd.base, raw)
        for comp in f.components or ():
            target = MESSAGE_TYPES[d.mesg_num].fields[comp.def_num]
            if target.name not in wanted:
                continue
            if fd.base.name == "byte":
                whole = buf[offsets[:, None] + (fd.offset + np.arange(fd.size))]
                if not (whole == 0xFF).all():
                    raise Declined("compressed record field with values")
                out[target.name] = nan  # render(None) is None
                continue
            if not numeric or fd.base.fmt not in _INTEGER_FORMATS or comp.accumulate:
                raise Declined("component of an unusual field")
            assert raw is not None and invalid is not None  # set above for numeric fields
            wide = np.uint64 if raw.dtype.kind == "u" else np.int64
            cmp_raw = (raw.astype(wide) >> wide(comp.bit_offset)) & wide((1 << comp.bits) - 1)
            values = cmp_raw.astype(np.float64)
            if comp.scale:
                values = values / comp.scale
            if comp.offset:
                values = values - comp.offset
            values[invalid] = np.nan
            if target.type.values:
                values[np.isin(cmp_raw, list(target.type.values))] = np.nan
            out[target.name] = values
        if f.name not in wanted:
            continue
        if fd.base.name == "string":
            raise Declined("text in a record field")
        if numeric:
            assert raw is not None and invalid is not None  # set above for numeric fields
            out[f.name] = _render_float(f, raw, invalid)
        else:
            out[f.name] = nan
    if standins:
        _stand_in_columns(out, standins, k)
    return out


def _dev_column(buf: np.ndarray, d: _Definition, fd: _FieldDef, offsets: np.ndarray) -> np.ndarray:
    """A developer field's values as floats (NaN where fitparse gives None or a tuple)."""
    if fd.base.fmt not in _NUMPY or fd.count != 1 or fd.base.name == "byte":
        return np.full(len(offsets), np.nan)
    raw = _column_raw(buf, d, fd, offsets)
    out = raw.astype(np.float64)
    out[_invalid(fd.base, raw)] = np.nan
    return out


def _compressed_times(reader: _Reader, buf: np.ndarray) -> dict[int, int]:
    """Timestamps of compressed-header messages (content offset -> FIT seconds).

    fitparse keeps one running timestamp: any field numbered 253 sets it, each
    compressed header advances it by its 5-bit offset (rolling over at 32 s).
    """
    starts: list[np.ndarray] = []
    stamps: list[np.ndarray] = []
    for d in reader.definitions:
        if not d.offsets:
            continue
        offs = np.asarray(d.offsets, dtype=np.int64)
        ts = np.full(len(offs), _NO_STAMP, dtype=np.int64)
        for fd in d.fields:
            if fd.num == TIMESTAMP_FIELD and not fd.dev:
                if fd.base.fmt not in _STAMP_FORMATS or fd.count != 1:
                    raise Declined("timestamp field that is not an integer")
                raw = _column_raw(buf, d, fd, offs).astype(np.int64)
                ts = np.where(_invalid(fd.base, raw), ts, raw)
        starts.append(offs)
        stamps.append(ts)
    if reader.partial is not None:  # the cut message: its 253 field only if read whole
        at, d, count = reader.partial
        stamp = _NO_STAMP
        for fd in d.fields[:count]:
            if fd.num == TIMESTAMP_FIELD and not fd.dev:
                if fd.base.fmt not in _STAMP_FORMATS or fd.count != 1:
                    raise Declined("timestamp field that is not an integer")
                value = _raw_values(reader.data, d, at, count)[d.fields.index(fd)]
                stamp = _NO_STAMP if value is None else value
        starts.append(np.array([at], dtype=np.int64))
        stamps.append(np.array([stamp], dtype=np.int64))
    if not starts:
        return {}
    offs = np.concatenate(starts)
    ts = np.concatenate(stamps)
    order = np.argsort(offs, kind="stable")
    offs, ts = offs[order].tolist(), ts[order].tolist()
    headers = buf[np.asarray(offs, dtype=np.int64) - 1].tolist()
    out: dict[int, int] = {}
    acc = 0
    part = 0
    bounds = reader.part_starts[1:]
    for at, stamp, h in zip(offs, ts, headers, strict=False):
        while part < len(bounds) and at > bounds[part]:
            part += 1
            acc = 0  # a new part: fitparse starts its running timestamp again
        if stamp != _NO_STAMP:
            acc = stamp
        if h & 0x80:
            offset = h & 0x1F
            value = offset + (acc & ~0x1F)
            if offset < (acc & 0x1F):
                value += 0x20
            acc = value
            out[at] = value
    return out


def decode(data: bytes, wanted: frozenset[str], summary: frozenset[str]) -> Decoded:
    """Decode ``data`` as fitparse's bare decoder would, or raise :class:`Declined`.

    ``wanted`` are the record fields to return as columns, ``summary`` the names of the
    messages to return whole.
    """
    reader = _Reader(data, wanted, summary)
    damage = reader.run_parts()
    buf = np.frombuffer(data, dtype=np.uint8)
    times = _compressed_times(reader, buf) if reader.compressed else {}

    messages: list[tuple[int, str, dict[str, Any]]] = []
    record_parts: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []
    activity_type: tuple[int, Any] | None = None
    for d in reader.definitions:
        if not d.offsets or d.name is None:
            continue
        if d.name == "record":
            offs = np.asarray(d.offsets, dtype=np.int64)
            cols = _record_columns(buf, d, offs, wanted)
            if times and "timestamp" in wanted:
                stamped = np.array([times.get(o, _NO_STAMP) for o in d.offsets], dtype=np.int64)
                has = stamped != _NO_STAMP
                if has.any():
                    ts = cols.get("timestamp", np.full(len(offs), np.nan)).copy()
                    ts[has] = stamped[has]
                    cols["timestamp"] = ts
            record_parts.append((offs, cols))
            if "activity_type" in wanted and any(
                fd.field is not None and not fd.dev and fd.field.name == "activity_type"
                for fd in d.fields
            ):
                first = d.offsets[0]
                if activity_type is None or first < activity_type[0]:
                    values = _message_values(data, d, first, len(d.fields), times.get(first))
                    activity_type = (first, values.get("activity_type"))
        elif d.name in summary:
            for at in d.offsets:
                messages.append((at, d.name, _message_values(data, d, at, len(d.fields),
                                                              times.get(at))))
    if reader.partial is not None:
        at, d, count = reader.partial
        if d.name == "record":
            values = _message_values(data, d, at, count, times.get(at))
            cols = {name: np.array([_float(values.get(name))]) for name in wanted}
            record_parts.append((np.array([at], dtype=np.int64), cols))
            if "activity_type" in values and activity_type is None:
                activity_type = (at, values["activity_type"])
        elif d.name in summary:
            messages.append((at, d.name, _message_values(data, d, at, count, times.get(at))))
    messages.sort(key=lambda m: m[0])
    columns, count = _join_records(record_parts, wanted)
    return Decoded(
        messages=[(name, values) for _, name, values in messages],
        columns=columns,
        records=count,
        activity_type=activity_type[1] if activity_type else None,
        bad_crc=reader.bad_crc,
        damage=damage,
        misaligned=reader.misaligned,
    )


def _float(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return np.nan


def _join_records(
    parts: list[tuple[np.ndarray, dict[str, np.ndarray]]], wanted: frozenset[str]
) -> tuple[dict[str, np.ndarray], int]:
    """Columns of every record in file order (NaN where a definition lacks the field)."""
    if not parts:
        return {name: np.zeros(0) for name in wanted}, 0
    offsets = np.concatenate([p[0] for p in parts])
    order = np.argsort(offsets, kind="stable")
    columns = {}
    for name in wanted:
        col = np.concatenate(
            [p[1].get(name, np.full(len(p[0]), np.nan)) for p in parts]
        )
        columns[name] = col[order]
    return columns, len(offsets)


def first_file_type(data: bytes) -> Any:
    """``file_id.type`` when the file's first data message is its file_id, else None.

    Reads the header and the first messages only: a monitoring or settings file can be
    skipped without decoding the rest. The value is fitparse's (a name like
    ``'monitoring_b'``, or the number of a type the profile does not name).
    """
    reader = _Reader(data, frozenset(), frozenset())
    try:
        data_end = reader.header(first=True)
        pos = reader.pos
        while pos < min(data_end, reader.n):
            h = data[pos]
            if not h & 0x80 and h & 0x40:
                reader.pos = pos + 1
                reader.definition(h)
                pos = reader.pos
                continue
            d = reader.locals.get((h >> 5) & 0x3 if h & 0x80 else h & 0x0F)
            if d is None or d.name != "file_id" or d.zero is not None:
                return None
            if pos + 1 + d.size > reader.n:
                return None
            return _message_values(data, d, pos + 1, len(d.fields)).get("type")
    except (Declined, _EOF, _ChainedHeader, _Undecodable):
        return None
    return None
