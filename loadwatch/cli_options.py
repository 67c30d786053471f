"""Options shared by several commands, as click decorators.

``@cache_options`` adds ``--cache-dir DIR`` and ``--no-cache`` and hands the command one
``cache`` argument instead: an open :class:`loadwatch.cache.Cache`, or None with
``--no-cache``. The cache is closed when the command ends (also on ``sys.exit``), and its
notices (a corrupt cache rebuilt, a failed write) are printed as one line each on stderr.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def open_cache(cache_dir: str | Path | None = None, no_cache: bool = False) -> Iterator[Any]:
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
