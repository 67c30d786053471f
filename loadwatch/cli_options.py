"""Options shared by several commands, as click decorators.

``@cache_options`` adds ``--cache-dir DIR`` and ``--no-cache`` and hands the command one
``cache`` argument instead: an open :class:`loadwatch.cache.Cache`, or None with
``--no-cache``. The cache is closed when the command ends (also on ``sys.exit``), and its
notices (a corrupt cache rebuilt, a failed write) are printed as one line each on stderr.

``@settings_options`` adds ``--config FILE`` and ``--today YYYY-MM-DD`` to every command
that reads an athlete's files, so they all find loadwatch.toml the same way
(:func:`loadwatch.settings.read_settings`) and agree on what "now" is
(:func:`loadwatch.calendar.today`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from loadwatch.cache import Cache

F = TypeVar("F", bound=Callable[..., Any])


class DayParam(click.ParamType):
    """A ``YYYY-MM-DD`` date; anything else is a one-line usage error naming the option."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-03-02", param, ctx)


def settings_options(f: F) -> F:
    """Add ``--config FILE`` and ``--today YYYY-MM-DD``; the command receives ``config``
    (str or None) and ``today`` (a date or None: today in the athlete's zone)."""
    f = click.option(
        "--today", type=DayParam(), default=None, metavar="YYYY-MM-DD",
        help="What today is (default: today in the athlete's time zone): for reproducible "
        "runs and for back-filling a missed week.",
    )(f)
    f = click.option(
        "--config", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
        help="Settings file (default: loadwatch.toml in the first folder read).",
    )(f)
    return f


@contextlib.contextmanager
def open_cache(
    cache_dir: str | Path | None = None, no_cache: bool = False
) -> Iterator[Cache | None]:
    """The parsed-file cache for one command (None when ``no_cache``); notices to stderr."""
    if no_cache:
        yield None
        return
    from loadwatch.cache import Cache

    cache = Cache(cache_dir)
    shown = 0
    try:
        for notice in cache.notices:
            click.echo(f"loadwatch: {notice}", err=True)
        shown = len(cache.notices)
        yield cache
    finally:
        cache.close()
        for notice in cache.notices[shown:]:
            click.echo(f"loadwatch: {notice}", err=True)


def cache_options(f: F) -> F:
    """Add ``--cache-dir`` / ``--no-cache``; the command receives ``cache`` (Cache or None)."""

    @click.option(
        "--cache-dir", type=click.Path(file_okay=False, path_type=str), metavar="DIR",
        help="Where parsed files are cached so that re-runs only parse new files "
        "(default: $LOADWATCH_CACHE_DIR, else the per-user cache folder).",
    )
    @click.option("--no-cache", is_flag=True,
                  help="Parse every file, neither reading nor writing the cache.")
    @functools.wraps(f)
    def wrapper(*args: Any, cache_dir: str | None, no_cache: bool, **kwargs: Any) -> Any:
        with open_cache(cache_dir, no_cache) as cache:
            return f(*args, cache=cache, **kwargs)

    return wrapper  # type: ignore[return-value]


#: ``--fail-on`` choices, lowest first ("never" turns exit code 1 off).
FAIL_ON = ("info", "caution", "warning", "never")


def fail_on_option(f: F) -> F:
    """Add ``--fail-on``, with the one meaning ``check`` and ``batch`` share
    (:func:`loadwatch.result.current_findings`, :func:`loadwatch.result.fails`)."""
    return click.option(
        "--fail-on", type=click.Choice(FAIL_ON), default="never", show_default=True,
        help="Exit with 1 when a current finding is at or above this severity (seek_care "
        "counts above warning). Current: this week's findings, and last week's while this "
        "week has no runs yet (a Monday still sees the weekend's red flag).",
    )(f)
