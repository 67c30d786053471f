"""Add an entry to the pain log (symptoms.csv) without editing CSV by hand.

:func:`log_pain` validates the entry with the reader's own rules
(:mod:`loadwatch.rules.symptoms`: its columns, its yes/no red flags, its 0-10 scale), then
rewrites the whole file atomically (:mod:`loadwatch.atomic`) with the new row at the end,
so a crash mid-write never leaves a half-written log. An existing log keeps its rows and
its column order; columns it lacks are added at the end.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

from loadwatch.atomic import write_atomic
from loadwatch.problems import UsageError
from loadwatch.rules import symptoms


def log_path(path: str | Path) -> Path:
    """The symptom log for ``path``: a .csv file as given, else symptoms.csv in the folder."""
    p = Path(path)
    if p.suffix.lower() == ".csv":
        return p
    if p.exists() and not p.is_dir():
        p = p.parent
    return p / symptoms.FILENAME


def log_pain(
    path: str | Path,
    pain: float,
    *,
    area: str = "",
    red_flags: Iterable[str] = (),
    notes: str = "",
    date: dt.date | None = None,
) -> tuple[Path, dict[str, object]]:
    """Append one validated entry to the symptom log at ``path``; return (file, entry).

    ``red_flags`` are column names of :data:`loadwatch.rules.symptoms.RED_FLAGS` that apply;
    ``date`` defaults to today. The entry returned is the reader's parse of the new row
    (with its ``red_flags`` list). Raises :class:`UsageError` for a bad value or a log
    that cannot be read or written.
    """
    target = log_path(path)
    if not target.parent.is_dir():
        raise UsageError(f"{target.parent}: no such folder")
    flags = set(red_flags)
    unknown = sorted(flags - set(symptoms.RED_FLAGS))
    if unknown:
        raise UsageError(f"unknown red flag(s) {unknown} (known: {', '.join(symptoms.RED_FLAGS)})")
    row = {
        "date": (date or dt.date.today()).isoformat(),
        "area": _one_line(area),
        "pain": f"{pain:g}",
        **{c: ("yes" if c in flags else "no") for c in symptoms.RED_FLAGS},
        "notes": _one_line(notes),
    }
    try:
        # the reader's own validation, so the log accepts exactly what it will read back
        entry = symptoms._parse_row(row)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    header, lines = _existing(target)
    missing = [c for c in symptoms.COLUMNS if c not in header]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if lines and not missing:
        text = "".join(lines)
        out.write(text if text.endswith("\n") else text + "\n")
    else:
        writer.writerow([*header, *missing])
        for old in csv.reader(lines[1:]):
            writer.writerow(old + [""] * len(missing) if old else old)
        header = [*header, *missing]
    writer.writerow([row.get(h.strip().lower(), "") for h in header])
    try:
        write_atomic(target, out.getvalue())
    except OSError as exc:
        raise UsageError(f"{target}: cannot write the symptom log ({exc})") from None
    return target, entry


def _one_line(text: str) -> str:
    """Free text as one CSV cell on one line (the log is edited by hand too)."""
    return " ".join(str(text).split())


def _existing(target: Path) -> tuple[list[str], list[str]]:
    """(header, lines) of the log at ``target``; ([], []) when there is none yet."""
    try:
        text = target.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return [], []
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{target}: cannot read the symptom log ({exc})") from None
    lines = text.splitlines(keepends=True)
    if not any(line.strip() for line in lines):
        return [], []
    header = next(csv.reader(lines[:1]))
    if "date" not in [h.strip().lower() for h in header]:
        raise UsageError(f"{target}: the symptom log has no 'date' column; fix its header "
                         "first (known columns: " + ", ".join(symptoms.COLUMNS) + ")")
    return header, lines
