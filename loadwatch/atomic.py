"""Atomic file writes: a reader sees the old file or the new one, never half of either.

A cron job that rewrites a report every Monday must not leave a truncated file when it
fails midway (disk full, killed, an exception while rendering). The content is written
to a temporary file in the target's own folder (so the final rename stays on one file
system), flushed to disk, then moved over the target with :func:`os.replace`, which is
atomic on POSIX and Windows.

A writer killed outright (``kill -9``, power loss) cannot remove its temporary file; the
next write of the same target removes such leftovers once they are :data:`STALE_TMP_S`
old, so a folder rewritten by cron every week does not collect them forever.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
from pathlib import Path

#: A temporary file of ours at least this old [s] belongs to a writer that was killed:
#: far longer than any write takes, so a concurrent writer's file is never touched.
STALE_TMP_S = 3600.0


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8"
) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    ``str`` is encoded with ``encoding``; ``bytes`` are written as they are. On any
    failure the temporary file is removed and the previous file at ``path`` is left as
    it was. A new file gets the permissions a plain ``open()`` would give it (umask
    applied) rather than the private 0600 of a temporary file.
    """
    target = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    check_replaceable(target)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(folder)
    _remove_stale(folder, target.name)
    return target


class NotReplaceable(OSError):
    """The target exists and is not a regular file (a device, a FIFO, a folder, a
    symlink): an atomic rename would replace it by a regular file, so it is refused."""


def check_replaceable(target: Path) -> None:
    """Raise :class:`NotReplaceable` unless ``target`` is absent or a regular file.

    Run as root, ``-o /dev/null`` would otherwise replace the device node itself, and a
    symlink would silently become a plain file while its target stays old.
    """
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError:
        return  # the write itself will report what is wrong with the path
    if stat.S_ISREG(st.st_mode):
        return
    what = ("a symbolic link" if stat.S_ISLNK(st.st_mode) else
            "a folder" if stat.S_ISDIR(st.st_mode) else
            "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
            "a pipe" if stat.S_ISFIFO(st.st_mode) else "not a regular file")
    raise NotReplaceable(errno.EEXIST, f"is {what}, not a regular file; refusing to "
                         "replace it", str(target))


def _temp_pattern(name: str) -> re.Pattern[str]:
    """Names :func:`tempfile.mkstemp` gives this target's temporary files."""
    return re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}\.tmp")


def remove_stale(folder: Path, name: str) -> None:
    """Remove ``name``'s temporary files in ``folder`` left by killed writers (they are
    :data:`STALE_TMP_S` old); for callers that move files in place themselves."""
    _remove_stale(folder, name)


def _remove_stale(folder: Path, name: str) -> None:
    """Remove this target's temporary files left by killed writers (best effort)."""
    pattern = _temp_pattern(name)
    cutoff = time.time() - STALE_TMP_S
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not pattern.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                if entry.is_file(follow_symlinks=False) and st.st_mtime < cutoff:
                    os.unlink(entry.path)


def _mode_for(target: Path) -> int:
    """Keep an existing file's mode; otherwise 0666 minus the process umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def fsync_dir(folder: Path) -> None:
    """Persist renames into ``folder`` (POSIX); a no-op where folders cannot be opened."""
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    """Persist the rename itself (POSIX); a no-op where directories cannot be opened."""
    if os.name != "posix":
        return
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
