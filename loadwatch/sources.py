"""From the paths a user names to the plain bytes of each file loadwatch can read.

Folders are walked recursively in sorted order; ``.gz`` files are unwrapped once and
``.zip`` archives member by member (zips inside zips too, a few levels deep), all in
memory: nothing is ever extracted to disk, so member names like ``../../etc/passwd`` are
only names. Every refusal (a missing path, a corrupt archive, a zip bomb, a file too
large) becomes a :class:`~loadwatch.problems.Problem` with a one-line reason, so one bad
file never stops the others. This is the only place that knows about compression: the
importer registry (:mod:`loadwatch.importers`) sees one plain file at a time.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from loadwatch.importers import SUFFIXES, fit, reader_for
from loadwatch.problems import Problem

#: Largest single file (after decompression) handed to a reader [bytes]. A year of 1 Hz
#: FIT recording is ~30 MB; a 100 MB file is either not an activity or an attack.
MAX_FILE_BYTES = 100 * 2**20
#: An archive expanding beyond this [bytes] ...
MAX_ARCHIVE_BYTES = 2**30
#: ... at more than this ratio (uncompressed / compressed) is refused as a zip bomb.
#: Activity files compress 3-10x; a ratio above 100 over a gigabyte is not data.
MAX_COMPRESSION_RATIO = 100
#: Archives with more members are refused. A Garmin account export holds tens of
#: thousands (most of them monitoring files); members are read one at a time.
MAX_ZIP_MEMBERS = 1_000_000
#: Bytes of a FIT member read first to see from its header whether it is an activity.
FIT_HEAD_BYTES = 4096
#: An archive inside an archive is spooled to a temporary file beyond this [bytes].
SPOOL_BYTES = 16 * 2**20
#: Zips inside zips are followed this many levels deep.
MAX_ZIP_DEPTH = 3
#: Files that live beside activity exports but are not activities; never read as such.
RESERVED_NAMES: dict[str, str] = {
    "symptoms.csv": "the symptom log, read by the rules engine, not an activity file",
    "loadwatch.toml": "the configuration file",
    "roster.toml": "the team roster",
}
_ARCHIVE = ".zip"
_GZIP = ".gz"
_SUPPORTED = ", ".join(SUFFIXES)


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
    paths: Iterable[str | os.PathLike[str]], *, ignored: list[str] | None = None
) -> Iterator[Item | Problem]:
    """Every readable file under ``paths``, unwrapped, or a Problem saying why not.

    Inside folders and archives, hidden files and files of other types (photos, the
    symptom log, configuration) are passed over silently; their names are appended to
    ``ignored`` when a list is given. A file named explicitly that loadwatch does not
    read is reported as a ``skipped`` Problem.
    """
    for raw in paths:
        path = Path(raw)
        shown = str(raw)
        if path.is_dir():
            yield from _walk(path, ignored)
        elif path.is_file():
            name = path.name.lower()
            if name in RESERVED_NAMES:
                yield Problem(shown, f"skipped: {RESERVED_NAMES[name]}", "skipped")
            elif _kind(name) is None:
                yield Problem(
                    shown,
                    f"not a file type loadwatch reads ({_SUPPORTED}, also .gz and .zip)",
                    "skipped",
                )
            else:
                yield from _from_file(path, shown)
        elif path.exists():
            yield Problem(shown, "not a regular file or folder")
        else:
            yield Problem(shown, "no such file or folder")


def _walk(root: Path, ignored: list[str] | None) -> Iterator[Item | Problem]:
    for folder, dirs, files in os.walk(root, onerror=None):
        dirs[:] = sorted(d for d in dirs if not _hidden([d]))
        for fname in sorted(files):
            path = Path(folder) / fname
            if _hidden([fname]) or fname.lower() in RESERVED_NAMES or _kind(fname) is None:
                if ignored is not None:
                    ignored.append(str(path))
                continue
            yield from _from_file(path, str(path))


def _from_file(path: Path, shown: str) -> Iterator[Item | Problem]:
    kind = _kind(path.name)
    location = path.resolve().as_posix()
    try:
        if kind == "zip":
            with zipfile.ZipFile(path) as archive:
                yield from _from_zip(archive, shown, location, depth=1)
            return
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _Refused(f"file is {_mb(size)}, larger than the {_mb(MAX_FILE_BYTES)} limit")
        data = path.read_bytes()
        name = path.name
        if kind == "gz":
            data = gunzip(data)
            name = _strip_gz(name)
        yield Item(shown, name, data, "", _strip_gz(location))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        yield Problem(shown, f"not a readable zip archive ({exc})")
    except (ValueError, _Refused) as exc:
        yield Problem(shown, str(exc))
    except OSError as exc:
        yield Problem(shown, f"cannot read: {exc.strerror or exc}")


def _from_zip(
    archive: zipfile.ZipFile, shown: str, container: str, depth: int
) -> Iterator[Item | Problem]:
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
            yield Item(member_shown, _strip_gz(path), data, container, _strip_gz(path))
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
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not _hidden([d])]
                total += sum(
                    _estimate_file(Path(folder) / f) for f in files
                    if not _hidden([f]) and f.lower() not in RESERVED_NAMES
                )
        elif path.is_file():
            total += _estimate_file(path)
    return total


def _estimate_file(path: Path) -> int:
    kind = _kind(path.name)
    if kind is None:
        return 0
    if kind != "zip":
        return 1
    try:
        with zipfile.ZipFile(path) as archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        return 1
    count = 0
    for name in names:
        parts = [p for p in name.replace("\\", "/").split("/") if p]
        if parts and not _hidden(parts) and parts[-1].lower() not in RESERVED_NAMES:
            count += _kind(name) is not None
    return count
