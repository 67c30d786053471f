"""From the paths a user names to the plain bytes of each file loadwatch can read.

Folders are walked in sorted order (iteratively, to a depth limit, each folder once even
through symlinks); only regular files are read, opened without blocking and never beyond
:data:`MAX_FILE_BYTES`, so a FIFO, a device or a symlink to ``/dev/zero`` is a one-line
problem, not a hang. ``.gz`` files are unwrapped once and
``.zip`` archives member by member (zips inside zips too, a few levels deep), all in
memory: nothing is ever extracted to disk, so member names like ``../../etc/passwd`` are
only names. Every refusal (a missing path, a corrupt archive, a zip bomb, a file too
large) becomes a :class:`~loadwatch.problems.Problem` with a one-line reason, so one bad
file never stops the others. This is the only place that knows about compression: the
importer registry (:mod:`loadwatch.importers`) sees one plain file at a time.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import itertools
import os
import posixpath
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from loadwatch.importers import SUFFIXES, fit, reader_for
from loadwatch.limits import (  # the input limits, declared in one table
    MAX_ARCHIVE_BYTES,
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_FOLDER_DEPTH,
    MAX_NAME_BYTES,
    MAX_ZIP_DEPTH,
    MAX_ZIP_MEMBERS,
)
from loadwatch.problems import Problem

#: Bytes of a FIT member read first to see from its header whether it is an activity.
FIT_HEAD_BYTES = 4096
#: An archive inside an archive is spooled to a temporary file beyond this [bytes].
SPOOL_BYTES = 16 * 2**20
#: Smallest local file header of a zip member [bytes] (APPNOTE 4.3.7): members whose data
#: would start before the previous member's data ends overlap, as in "overlap" zip bombs.
ZIP_LOCAL_HEADER_BYTES = 30
#: Formats read as text: a UTF-16/32 file (with its BOM) is re-encoded as UTF-8 for them.
TEXT_FORMATS = ("gpx", "tcx", "csv")
#: Files that live beside activity exports but are not activities; never read as such.
RESERVED_NAMES: dict[str, str] = {
    "symptoms.csv": "the symptom log, read by the rules engine, not an activity file",
    "loadwatch.toml": "the configuration file",
    "roster.toml": "the team roster",
}
_ARCHIVE = ".zip"
_GZIP = ".gz"
_SUPPORTED = ", ".join(SUFFIXES)


class FileStat(NamedTuple):
    """What says a file on disk is unchanged without reading it: its path, size, mtime,
    ctime, inode and device (as :mod:`loadwatch.incremental`'s stat key). ``touch``,
    ``cp -p``, ``rsync`` and an editor's save each change one of them (ctime cannot be
    set back by users)."""

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    dev: int

    @classmethod
    def of(cls, path: str | os.PathLike[str], info: os.stat_result) -> FileStat:
        return cls(os.fsdecode(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                   info.st_ino, info.st_dev)

    def token(self) -> str:
        """One string for the cache's look-up table (the path's bytes survive)."""
        raw = "\0".join(str(v) for v in self).encode("utf-8", "surrogateescape")
        return hashlib.sha1(raw).hexdigest()

    def changed_since(self, now_ns: int) -> int:
        """Nanoseconds from the file's last change (mtime or ctime) to ``now_ns``."""
        return now_ns - max(self.mtime_ns, self.ctime_ns)


#: ``known(stat)``: the cache key last read from a file with exactly this stat, or None.
KnownKey = Callable[[FileStat], "str | None"]


@dataclass(frozen=True)
class Item:
    """One plain (uncompressed) file, ready for its reader.

    ``source`` is what the user sees: a path, or ``archive.zip!member/name.fit`` for an
    archive member (a ``.gz`` member is shown by its unwrapped name). ``name`` picks the
    reader (it ends in a registry suffix). ``container`` and ``path`` locate the file for
    joining files that refer to each other (Strava's activities.csv names
    ``activities/123.gpx``): ``container`` is ``""`` on disk and ``path`` an absolute
    POSIX path, or ``container`` identifies the archive and ``path`` is the member path;
    in both, ``.gz`` is removed from ``path``.
    """

    source: str
    name: str
    data: bytes
    container: str
    path: str
    #: the file on disk this item is (a plain or .gz file; None for archive members), as
    #: it was when read, for keying the parse cache by stat (:func:`iter_items` ``known``)
    stat: FileStat | None = None
    #: set on an item that was *not* read: its stat matched, and this is the cache key
    #: last seen for it (``data`` is empty; :func:`reread` reads it when the key misses)
    key: str | None = None

    @property
    def location(self) -> tuple[str, str]:
        """Key under which other files in the same folder or archive can name this one."""
        return (self.container, self.path)

    def sibling(self, relative: str) -> tuple[str, str]:
        """The location of ``relative`` (a path as a file of this one's folder names it)."""
        rel = relative.replace("\\", "/").strip()
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(self.path), rel))
        return (self.container, _strip_gz(joined))


def _strip_gz(name: str) -> str:
    return name[: -len(_GZIP)] if name.lower().endswith(_GZIP) else name


def _kind(name: str) -> str | None:
    """"zip", "gz" (a supported file inside), "plain", or None for a file we do not read."""
    lower = name.lower()
    if lower.endswith(_ARCHIVE):
        return "zip"
    if lower.endswith(_GZIP):
        return "gz" if reader_for(lower[: -len(_GZIP)]) else None
    return "plain" if reader_for(lower) else None


def _hidden(relative_parts: Iterable[str]) -> bool:
    return any(
        (p.startswith(".") and p not in (".", "..")) or p == "__MACOSX" for p in relative_parts
    )


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


class _Refused(Exception):
    """Internal: a file refused with a reason (becomes a Problem)."""


def display(path: str | os.PathLike[str]) -> str:
    """``path`` as text that can always be printed and written as UTF-8.

    File names are bytes: one that is not UTF-8 arrives as a str with surrogates, which
    fail when a report or a terminal encodes them; such bytes are shown as ``\\xNN``.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


_MODES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _what(mode: int) -> str:
    return next((what for test, what in _MODES if test(mode)), "not a regular file")


def _not_regular(path: str | os.PathLike[str], mode: int) -> str:
    via = " (through a symlink)" if os.path.islink(path) else ""
    return f"not a regular file: {_what(mode)}{via}; not read"


def open_regular(path: str | os.PathLike[str]) -> io.BufferedReader:
    """Open a regular file for reading, refusing anything else without blocking on it.

    FIFOs, devices and sockets (also behind a symlink) are refused before they are
    opened, and checked again on the open descriptor (the path may change in between);
    ``O_NONBLOCK`` means even that open cannot hang. Raises :class:`OSError` for paths
    that cannot be opened and :class:`ValueError` with a one-line reason for the rest.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise ValueError(_not_regular(path, mode))
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(_not_regular(path, mode))
        return open(fd, "rb", closefd=True)  # the caller closes it
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike[str], limit: int | None = None, what: str = "file"
                 ) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (default
    :data:`MAX_FILE_BYTES`), see :func:`open_regular`.

    Reads at most ``limit + 1`` bytes whatever the file claims its size is (``/proc``
    files say 0), so nothing unbounded is ever held. Raises :class:`OSError` or
    :class:`ValueError` (one-line reason naming ``what``) like :func:`open_regular`.
    """
    return read_regular_stat(path, limit, what)[0]


def read_regular_stat(path: str | os.PathLike[str], limit: int | None = None,
                      what: str = "file") -> tuple[bytes, os.stat_result]:
    """:func:`read_regular`, and the open file's stat taken *before* reading it (so a
    write during the read changes the stat that a later run compares)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    with open_regular(path) as fh:
        info = os.fstat(fh.fileno())
        size = info.st_size
        if size > limit:
            raise ValueError(f"{what} is {_size(size)}, larger than the {_size(limit)} limit")
        # read what the file says it holds (plus one byte, to see it grew), then in
        # chunks: asking for ``limit + 1`` at once would allocate that much up front
        want = min(limit, size) + 1 if size else 2**16
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = fh.read(min(want, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            want = 2**20
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(data) > limit:
        raise ValueError(f"{what} is larger than the {_size(limit)} limit")
    return data, info


def _size(n: int) -> str:
    return _mb(n) if n >= 2**20 else f"{n:,} bytes"


_XML_DECLARED = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[A-Za-z0-9._-]+\2""")
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def utf8_from_bom(data: bytes, fmt: str) -> bytes:
    """A UTF-16 or UTF-32 text file (recognised by its BOM) re-encoded as UTF-8.

    Windows tools save GPX and CSV files as UTF-16 with a BOM; every reader expects an
    ASCII-compatible encoding, so the file is converted once, here. An XML declaration's
    ``encoding`` is rewritten to match. Binary formats, other files and text that does not
    decode are returned unchanged (the reader then says what is wrong).
    """
    if fmt not in TEXT_FORMATS:
        return data
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                return data
            if fmt != "csv":
                text = _XML_DECLARED.sub(r"\1\2UTF-8\2", text, count=1)
            return text.encode("utf-8")
    return data


def _item(shown: str, name: str, data: bytes, container: str, path: str,
          stat: FileStat | None = None) -> Item:
    entry = reader_for(name)
    if entry is not None:
        data = utf8_from_bom(data, entry[0])
    return Item(shown, name, data, container, path, stat)


def gunzip(data: bytes, limit: int | None = None) -> bytes:
    """Decompress gzip ``data`` (all members), refusing output above ``limit`` bytes
    (default :data:`MAX_FILE_BYTES`), without ever holding more than that in memory.

    Raises ValueError with a one-line reason for corrupt, truncated or oversized input.
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(wbits=31)
        chunk = rest
        try:
            while chunk:
                out += inflater.decompress(chunk, limit + 1 - len(out))
                if len(out) > limit:
                    raise ValueError(f"decompresses to more than {_mb(limit)}")
                chunk = inflater.unconsumed_tail
        except zlib.error as exc:
            raise ValueError(f"corrupt gzip data ({exc})") from None
        if not inflater.eof:
            raise ValueError("truncated gzip data")
        rest = inflater.unused_data
        if rest.strip(b"\0") == b"":  # tape-style zero padding after the last member
            break
    return bytes(out)


def iter_items(
    paths: Iterable[str | os.PathLike[str]], *, ignored: list[str] | None = None,
    known: KnownKey | None = None,
) -> Iterator[Item | Problem]:
    """Every readable file under ``paths``, unwrapped, or a Problem saying why not.

    Inside folders and archives, hidden files and files of other types (photos, the
    symptom log, configuration) are passed over silently; their names are appended to
    ``ignored`` when a list is given. A file named explicitly that loadwatch does not
    read is reported as a ``skipped`` Problem, and so is every path that is not read for
    another reason (not a regular file, unreadable folder, symlink loop, too deep).

    ``known`` (the parse cache's stat table) lets a plain or .gz file go unread: when it
    knows the key of a file with the file's exact stat, the item comes with that ``key``
    and no data (a warm run over 10,000 files then reads none of their 1 GB). Items read
    carry their ``stat`` so that the caller can teach ``known``.
    """
    for raw in paths:
        shown = display(raw)
        try:
            mode = os.stat(raw).st_mode
        except FileNotFoundError:
            broken = os.path.islink(raw)
            yield Problem(shown, "broken symlink" if broken else "no such file or folder")
            continue
        except OSError as exc:
            yield Problem(shown, f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(mode):
            yield from _walk(Path(raw), ignored, known)
        elif not stat.S_ISREG(mode):
            yield Problem(shown, _not_regular(raw, mode))
        else:
            name = Path(raw).name.lower()
            if name in RESERVED_NAMES:
                yield Problem(shown, f"skipped: {RESERVED_NAMES[name]}", "skipped")
            elif _kind(name) is None:
                yield Problem(
                    shown,
                    f"not a file type loadwatch reads ({_SUPPORTED}, also .gz and .zip)",
                    "skipped",
                )
            else:
                yield from _from_file(Path(raw), shown, known)


def _walk(root: Path, ignored: list[str] | None, known: KnownKey | None = None
          ) -> Iterator[Item | Problem]:
    for entry in _tree(root):
        if isinstance(entry, Problem):
            yield entry
            continue
        name = entry.name
        if _hidden([name]) or name.lower() in RESERVED_NAMES or _kind(name) is None:
            if ignored is not None:
                ignored.append(display(entry))
            continue
        yield from _from_file(entry, display(entry), known)


def _tree(root: Path) -> Iterator[Path | Problem]:
    """The files of a folder tree in sorted order (hidden folders left out), without recursion.

    A folder is read once even when symlinks lead to it again (a loop is a problem, not
    a hang); folders deeper than :data:`MAX_FOLDER_DEPTH`, folders that cannot be listed
    and names longer than :data:`MAX_NAME_BYTES` are reported, never skipped silently.
    Files are yielded whatever their type: :func:`open_regular` refuses the irregular.
    """
    seen: set[tuple[int, int]] = set()
    with contextlib.suppress(OSError):
        root_info = os.stat(root)
        seen.add((root_info.st_dev, root_info.st_ino))
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            yield Problem(display(folder), f"cannot read folder: {exc.strerror or exc}")
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = folder / entry.name
            if _hidden([entry.name]):
                with contextlib.suppress(OSError):
                    if not entry.is_dir():
                        yield path  # listed as ignored
                continue
            if len(os.fsencode(entry.name)) > MAX_NAME_BYTES:
                yield Problem(display(path), f"name longer than {MAX_NAME_BYTES} bytes; not read")
                continue
            try:
                is_dir = entry.is_dir()  # follows symlinks
                info = entry.stat() if is_dir else None
            except OSError:  # a symlink loop: opening it as a file says why
                info = None
            if info is None:
                yield path
            elif (info.st_dev, info.st_ino) in seen:
                yield Problem(display(path), "symlink to a folder already read (a loop?); "
                              "not read again", "skipped")
            elif depth + 1 > MAX_FOLDER_DEPTH:
                yield Problem(display(path), f"folder nested more than {MAX_FOLDER_DEPTH} "
                              "levels deep; not read")
            else:
                seen.add((info.st_dev, info.st_ino))
                subfolders.append(path)
        stack.extend((sub, depth + 1) for sub in reversed(subfolders))


def _from_file(path: Path, shown: str, known: KnownKey | None = None
               ) -> Iterator[Item | Problem]:
    kind = _kind(path.name)
    try:
        if kind == "zip":
            with open_regular(path) as fh, zipfile.ZipFile(fh) as archive:
                yield from _from_zip(archive, shown, path.resolve().as_posix(), depth=1)
            return
        name = display(_strip_gz(path.name) if kind == "gz" else path.name)
        if known is not None:
            info = os.stat(path)
            if stat.S_ISREG(info.st_mode):
                seen = FileStat.of(path, info)
                key = known(seen)
                if key is not None:
                    location = _strip_gz(path.resolve().as_posix())
                    yield Item(shown, name, b"", "", location, seen, key)
                    return
        data, info = read_regular_stat(path)
        if kind == "gz":
            data = gunzip(data)
        location = path.resolve().as_posix()
        yield _item(shown, name, data, "", _strip_gz(location), FileStat.of(path, info))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        yield Problem(shown, f"not a readable zip archive ({exc})")
    except (ValueError, _Refused) as exc:
        yield Problem(shown, str(exc))
    except FileNotFoundError:
        broken = os.path.islink(path)
        yield Problem(shown, "broken symlink" if broken else "cannot read: file vanished")
    except OSError as exc:
        yield Problem(shown, f"cannot read: {exc.strerror or exc}")
    except RuntimeError as exc:  # Path.resolve() on a symlink loop (Python < 3.13)
        yield Problem(shown, f"cannot read: {exc}")


def reread(item: Item) -> list[Item | Problem]:
    """An item given unread (``key`` set, its stat matched) read after all: its cache
    row was gone or unreadable. What the file is now (or a Problem if it went away)."""
    if item.stat is None:
        return [item]
    return list(_from_file(Path(item.stat.path), item.source))


def _from_zip(
    archive: zipfile.ZipFile, shown: str, container: str, depth: int
) -> Iterator[Item | Problem]:
    overlap = _overlapping(archive)
    if overlap:
        yield Problem(shown, f"refused: {overlap} (an overlapping-entries zip bomb)")
        return
    members = [i for i in archive.infolist() if not i.is_dir()]
    if len(members) > MAX_ZIP_MEMBERS:
        yield Problem(
            shown, f"archive has {len(members):,} files; more than {MAX_ZIP_MEMBERS:,} refused"
        )
        return
    declared = sum(i.file_size for i in members)
    packed = max(1, sum(i.compress_size for i in members))
    if declared > MAX_ARCHIVE_BYTES and declared > MAX_COMPRESSION_RATIO * packed:
        yield Problem(
            shown,
            f"refused as a zip bomb: expands {declared / packed:,.0f}x to {_mb(declared)}",
        )
        return
    expanded = 0
    for info in sorted(members, key=lambda i: i.filename):
        member = info.filename
        parts = [p for p in member.replace("\\", "/").split("/") if p]
        kind = _kind(member)
        if not parts or _hidden(parts) or kind is None or parts[-1].lower() in RESERVED_NAMES:
            continue
        member_shown = f"{shown}!{member}"
        try:
            if kind == "zip":
                if depth >= MAX_ZIP_DEPTH:
                    raise _Refused(f"archive nested more than {MAX_ZIP_DEPTH} levels deep")
                with _spooled(archive, info) as spool, zipfile.ZipFile(spool) as inner:
                    expanded += info.file_size
                    yield from _from_zip(inner, member_shown, f"{container}!{member}", depth + 1)
                continue
            if kind == "plain" and member.lower().endswith(".fit"):
                reason = _not_activity(archive, info)
                if reason is not None:
                    yield Problem(member_shown, reason, "skipped")
                    continue
            if info.file_size > MAX_FILE_BYTES:
                raise _Refused(
                    f"file is {_mb(info.file_size)}, larger than the {_mb(MAX_FILE_BYTES)} limit"
                )
            with archive.open(info) as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise _Refused(f"decompresses to more than {_mb(MAX_FILE_BYTES)}")
            expanded += len(data)
            if expanded > MAX_ARCHIVE_BYTES and expanded > MAX_COMPRESSION_RATIO * packed:
                yield Problem(shown, f"refused as a zip bomb: expands beyond {_mb(expanded)}")
                return
            if kind == "gz":
                data = gunzip(data)
                member_shown = _strip_gz(member_shown)
            path = posixpath.normpath("/".join(parts))
            yield _item(member_shown, _strip_gz(path), data, container, _strip_gz(path))
        except (_Refused, ValueError) as exc:
            yield Problem(member_shown, str(exc))
        except zipfile.BadZipFile as exc:
            yield Problem(member_shown, f"corrupt archive member ({exc})")
        except RuntimeError as exc:  # encrypted members
            yield Problem(member_shown, f"cannot read archive member ({exc})")
        except NotImplementedError as exc:  # compression methods zipfile lacks
            yield Problem(member_shown, f"unsupported compression ({exc})")
        except (OSError, EOFError, zlib.error) as exc:
            yield Problem(member_shown, f"corrupt archive member ({exc})")


def _overlapping(archive: zipfile.ZipFile) -> str | None:
    """Why the members' data overlap in the archive, or None when they do not.

    Each member's local header and data must end before the next member (in file order)
    begins, and the last before the central directory. Zips made of overlapping entries
    unfold a few hundred kilobytes into gigabytes or millions of files; CPython only
    refuses them from 3.12 on. Uses the central directory only (no seeks).
    """
    infos = sorted(archive.infolist(), key=lambda i: i.header_offset)
    end_of_data = getattr(archive, "start_dir", None)
    for info, following in itertools.pairwise(infos):
        end = info.header_offset + ZIP_LOCAL_HEADER_BYTES + info.compress_size
        if end > following.header_offset:
            return f"members {info.filename!r} and {following.filename!r} overlap"
    if infos and isinstance(end_of_data, int):
        last = infos[-1]
        if last.header_offset + ZIP_LOCAL_HEADER_BYTES + last.compress_size > end_of_data:
            return f"member {last.filename!r} overlaps the archive's directory"
    return None


def _spooled(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tempfile.SpooledTemporaryFile:
    """An archive member that is itself an archive, copied out in chunks (to disk when large).

    It is limited like an archive (:data:`MAX_ARCHIVE_BYTES`), not like one file: an
    export's uploaded-files zip of 1,200 runs is over 100 MB.
    """
    if info.file_size > MAX_ARCHIVE_BYTES:
        raise _Refused(f"archive is {_mb(info.file_size)}, larger than the "
                       f"{_mb(MAX_ARCHIVE_BYTES)} limit")
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - caller closes
    copied = 0
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(2**20):
                copied += len(chunk)
                if copied > MAX_ARCHIVE_BYTES:
                    raise _Refused(f"decompresses to more than {_mb(MAX_ARCHIVE_BYTES)}")
                spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _not_activity(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """The skip reason of a FIT member that is not an activity, from its first bytes only
    (an account export holds thousands of monitoring files)."""
    with archive.open(info) as fh:
        head = fh.read(FIT_HEAD_BYTES)
    return fit.header_skip_reason(head)


def estimate_files(paths: Iterable[str | Path]) -> int:
    """About how many files :func:`read_activities` will hand to readers (for a progress bar).

    Counts the readable files in folders and the readable members of zip archives (a zip
    that cannot be opened, or one inside another, counts once) without reading them.
    """
    total = 0
    for raw in [paths] if isinstance(paths, (str, Path)) else paths:
        path = Path(raw)
        try:
            mode = os.stat(path).st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode):
            total += sum(
                _estimate_file(entry) for entry in _tree(path)
                if isinstance(entry, Path) and not _hidden([entry.name])
                and entry.name.lower() not in RESERVED_NAMES
            )
        elif stat.S_ISREG(mode):
            total += _estimate_file(path)
    return total


def _estimate_file(path: Path) -> int:
    kind = _kind(path.name)
    if kind is None:
        return 0
    if kind != "zip":
        return 1
    try:
        with open_regular(path) as fh, zipfile.ZipFile(fh) as archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        return 1
    count = 0
    for name in names:
        parts = [p for p in name.replace("\\", "/").split("/") if p]
        if parts and not _hidden(parts) and parts[-1].lower() not in RESERVED_NAMES:
            count += _kind(name) is not None
    return count
