"""Issue 15 section 4: outputs and state (targets that are not files, batches that cannot
finish, workers that outlive their parent, a broken cache, unstable report names).

Every case is set up in a temporary folder; each test asserts the one-line problem, that
the rest was processed, and that nothing was lost or half-written.
"""

from __future__ import annotations

import errno
import json
import os
import select
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch import batch as batch_mod
from loadwatch.atomic import NotReplaceable, write_atomic
from loadwatch.batch import STAGING_PREFIX, assign_slugs
from loadwatch.cache import DB_NAME, Cache
from loadwatch.cli import cli

REPO = Path(__file__).resolve().parents[1]
LOG = "date,distance_km,duration,sport,title,shoe\n" + "".join(
    f"2026-01-{d:02d} 07:00,{6 + d % 4},{35 + d % 7}:00,run,run {d},Pegasus\n"
    for d in range(3, 31, 2)
)
#: Longest any child process of these tests may take [s]; far above the few seconds needed.
TIMEOUT_S = 120


def folder_with_runs(base: Path, name: str = "runs") -> Path:
    folder = base / name
    folder.mkdir(parents=True)
    (folder / "log.csv").write_text(LOG, encoding="utf-8")
    return folder


def roster(tmp_path: Path, *names: str) -> Path:
    parts = []
    for n, name in enumerate(names):
        folder_with_runs(tmp_path, f"a{n}")
        parts.append(f'[[athlete]]\nname = "{name}"\npaths = ["a{n}"]\n')
    path = tmp_path / "roster.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def one_line_error(text: str) -> str:
    lines = [line for line in text.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# -- targets that are not regular files ---


def test_write_atomic_refuses_a_fifo_and_a_symlink(tmp_path):
    fifo = tmp_path / "out.html"
    os.mkfifo(fifo)
    with pytest.raises(NotReplaceable, match="a pipe"):
        write_atomic(fifo, "x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    target = tmp_path / "real.html"
    target.write_text("old")
    link = tmp_path / "link.html"
    link.symlink_to(target)
    with pytest.raises(NotReplaceable, match="symbolic link"):
        write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.html", "out.html", "real.html"]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_report_refuses_to_replace_a_device_node(tmp_path):
    runs = folder_with_runs(tmp_path)
    node = tmp_path / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a private /dev/null
    res = CliRunner().invoke(cli, ["report", str(runs), "-o", str(node), "--no-cache"])
    assert res.exit_code == 2
    assert "is a device, not a regular file" in one_line_error(res.stderr)
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_report_dash_writes_to_stdout(tmp_path):
    runs = folder_with_runs(tmp_path)
    res = CliRunner().invoke(cli, ["report", str(runs), "-o", "-", "--no-cache"])
    assert res.exit_code == 0, res.output
    assert res.stdout.lstrip().lower().startswith("<!doctype html>")
    assert not (Path.cwd() / "-").exists()


# -- a batch's outputs are committed together ---


def _previous_outputs(out: Path) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    old = {"summary.json": '{"version": 1, "athletes": []}\n', "index.html": "old index",
           "ada.html": "old report"}
    for name, text in old.items():
        (out / name).write_text(text)
    return old


def test_a_full_disk_replaces_nothing_and_exits_3(tmp_path, monkeypatch):
    path = roster(tmp_path, "Ada", "Bob")
    out = tmp_path / "out"
    old = _previous_outputs(out)
    from loadwatch.report import render

    real = render.write_atomic
    calls = []

    def full(target, data, **kw):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return real(target, data, **kw)

    monkeypatch.setattr(render, "write_atomic", full)
    res = CliRunner().invoke(cli, ["batch", str(path), "-o", str(out), "--no-cache", "-j", "1"])
    assert res.exit_code == 3, res.output
    assert "No space left on device" in one_line_error(res.stderr)
    assert {p.name: p.read_text() for p in out.iterdir()} == old  # no staging left either


def test_a_folder_that_refuses_writes_replaces_nothing(tmp_path, monkeypatch):
    path = roster(tmp_path, "Ada")
    out = tmp_path / "out"
    old = _previous_outputs(out)

    mkdir = Path.mkdir

    def read_only(self, *a, **kw):
        # as root nothing is read-only: refuse the staging folder, where writing begins
        if self.name.startswith(batch_mod.STAGING_PREFIX):
            raise OSError(errno.EROFS, "Read-only file system")
        return mkdir(self, *a, **kw)

    monkeypatch.setattr(Path, "mkdir", read_only)
    res = CliRunner().invoke(cli, ["batch", str(path), "-o", str(out), "--no-cache"])
    assert res.exit_code == 3
    assert "Read-only file system" in one_line_error(res.stderr)
    assert {p.name: p.read_text() for p in out.iterdir()} == old


def test_a_good_batch_commits_every_output_and_leaves_no_staging(tmp_path):
    path = roster(tmp_path, "Ada", "Bob")
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["batch", str(path), "-o", str(out), "--no-cache"])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [".loadwatch-manifest.json", "ada.html", "bob.html", "index.html",
                     "summary.json"]
    doc = json.loads((out / "summary.json").read_text())
    assert [a["report"] for a in doc["athletes"]] == ["ada.html", "bob.html"]


def test_reading_failure_is_the_athletes_row_not_the_squads_exit(tmp_path, monkeypatch):
    path = roster(tmp_path, "Ada", "Bob")
    real = batch_mod.read_activities

    def hostile(paths, **kw):
        if any("a0" in str(p) for p in paths):
            raise RecursionError("maximum recursion depth exceeded")
        return real(paths, **kw)

    monkeypatch.setattr(batch_mod, "read_activities", hostile)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["batch", str(path), "-o", str(out), "--no-cache"])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "summary.json").read_text())
    rows = {a["name"]: a for a in doc["athletes"]}
    assert "RecursionError" in rows["Ada"]["error"]
    assert rows["Bob"]["report"] == "bob.html" and rows["Bob"]["error"] is None


def test_an_internal_error_exits_3_not_1(tmp_path, monkeypatch):
    path = roster(tmp_path, "Ada")

    def broken(*a, **kw):
        raise ValueError("bug")

    monkeypatch.setattr(batch_mod, "render_index", broken)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["batch", str(path), "-o", str(out), "--no-cache",
                                   "--fail-on", "info"])
    assert res.exit_code == 3
    assert "internal error: ValueError: bug" in one_line_error(res.stderr)
    assert not [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]


# -- workers die with their parent ---

_POOL_SCRIPT = textwrap.dedent("""
    import os, sys, time
    from loadwatch.lifetime import SIGTERM_EXIT, Terminated, terminate_on_sigterm, worker_pool

    def sleeper(_):
        time.sleep(600)

    try:
        with terminate_on_sigterm(), worker_pool(2) as pool:
            futures = [pool.submit(sleeper, i) for i in range(2)]
            pids = sorted(pool._processes)
            while len(pids) < 2:
                time.sleep(0.01)
                pids = sorted(pool._processes)
            print(" ".join(map(str, pids)), flush=True)
            for f in futures:
                f.result()
    except Terminated:
        sys.exit(SIGTERM_EXIT)
""")


def _start_pool(tmp_path: Path) -> tuple[subprocess.Popen, int, list[int]]:
    """A parent with two sleeping pool workers; returns it, the read end of a pipe whose
    write end only the parent and its workers hold, and the workers' pids."""
    script = tmp_path / "pool.py"
    script.write_text(_POOL_SCRIPT)
    r, w = os.pipe()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                            pass_fds=(w,), cwd=REPO, env=env, text=True)
    os.close(w)
    ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT_S)
    assert ready, "the pool did not start"
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2
    return proc, r, pids


def _all_holders_gone(r: int) -> bool:
    """True once every process holding the pipe's write end has exited (EOF), bounded."""
    try:
        ready, _, _ = select.select([r], [], [], TIMEOUT_S)
        return bool(ready) and os.read(r, 1) == b""
    finally:
        os.close(r)


def _exits(pid: int) -> bool:
    """True once ``pid`` has exited (a zombie counts: it runs nothing), bounded; through a
    pidfd, which becomes readable when the process ends."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([fd], [], [], TIMEOUT_S)
        return bool(ready)
    finally:
        os.close(fd)


def test_killing_the_parent_kills_the_workers(tmp_path):
    proc, r, pids = _start_pool(tmp_path)
    proc.kill()  # SIGKILL: nothing in the parent runs, like the OOM killer
    proc.wait(TIMEOUT_S)
    assert _all_holders_gone(r)
    assert all(_exits(p) for p in pids)


def test_sigterm_stops_the_pool_cleanly(tmp_path):
    proc, r, pids = _start_pool(tmp_path)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(TIMEOUT_S) == 128 + signal.SIGTERM
    assert _all_holders_gone(r)
    assert all(_exits(p) for p in pids)


# -- the cache is disposable ---


def _activities(runs: Path, cache_dir: Path, *extra: str):
    res = CliRunner().invoke(cli, ["activities", str(runs), "--cache-dir", str(cache_dir),
                                   *extra])
    assert res.exit_code == 0, res.output
    assert res.stdout.count("run ") == LOG.count("run ")  # every activity listed
    return [line for line in res.stderr.splitlines() if "cache" in line]


def test_a_cache_file_that_is_a_folder_gives_one_notice(tmp_path):
    runs = folder_with_runs(tmp_path)
    cache_dir = tmp_path / "cache"
    (cache_dir / DB_NAME).mkdir(parents=True)
    assert len(_activities(runs, cache_dir)) == 1
    assert (cache_dir / DB_NAME).is_dir()  # not ours to delete: bypassed


def test_a_cache_dir_that_is_a_file_gives_one_notice(tmp_path, monkeypatch):
    runs = folder_with_runs(tmp_path)
    not_a_dir = tmp_path / "cachefile"
    not_a_dir.write_text("keep me")
    monkeypatch.setenv("LOADWATCH_CACHE_DIR", str(not_a_dir))
    res = CliRunner().invoke(cli, ["activities", str(runs)])
    assert res.exit_code == 0, res.output
    assert len([line for line in res.stderr.splitlines() if "cache" in line]) == 1
    assert not_a_dir.read_text() == "keep me"


def test_corrupt_pages_are_rebuilt_once(tmp_path):
    runs = folder_with_runs(tmp_path)
    cache_dir = tmp_path / "cache"
    assert _activities(runs, cache_dir) == []
    db = cache_dir / DB_NAME
    with sqlite3.connect(db) as con:  # fold the WAL in, so the pages live in the file
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > page
    data[page:] = b"\xde\xad\xbe\xef" * ((len(data) - page) // 4)
    db.write_bytes(bytes(data))
    notices = _activities(runs, cache_dir)
    assert len(notices) == 1 and "\\x" not in notices[0]
    assert _activities(runs, cache_dir) == []  # rebuilt: quiet from now on


@pytest.mark.parametrize("payload", ["{}", "null", "[]", '{"activities": 3, "problems": []}'])
def test_rows_of_the_wrong_shape_are_parsed_again(tmp_path, payload):
    runs = folder_with_runs(tmp_path)
    cache_dir = tmp_path / "cache"
    _activities(runs, cache_dir)
    with sqlite3.connect(cache_dir / DB_NAME) as con:
        con.execute("UPDATE parsed SET payload = ?", (payload,))
    assert len(_activities(runs, cache_dir)) == 1
    assert _activities(runs, cache_dir) == []  # the rows were replaced


def test_quiet_batch_prints_the_cache_notice_at_most_once(tmp_path):
    path = roster(tmp_path, "Ada", "Bob", "Cy")
    cache_dir = tmp_path / "cache"
    (cache_dir / DB_NAME).mkdir(parents=True)
    res = CliRunner().invoke(cli, ["batch", str(path), "-o", str(tmp_path / "out"),
                                   "--cache-dir", str(cache_dir), "--quiet", "-j", "2"])
    assert res.exit_code == 0, res.output
    assert len([line for line in res.output.splitlines() if "cache" in line]) <= 1
    assert len(list((tmp_path / "out").glob("*.html"))) == 4


def test_a_worker_never_deletes_the_shared_cache(tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / DB_NAME).write_bytes(b"not a database at all" * 100)
    with Cache(cache_dir, rebuild=False) as cache:
        assert cache.get_many(["x"]) == {}
    assert (cache_dir / DB_NAME).read_bytes().startswith(b"not a database")


# -- report names are stable per athlete ---


def test_slugs_do_not_depend_on_roster_order():
    names = ["Eve", "Eve!", "Sam", "index"]
    forward = dict(zip(names, assign_slugs(names), strict=True))
    backward = dict(zip(names[::-1], assign_slugs(names[::-1]), strict=True))
    assert forward == backward
    assert forward["Sam"] == "sam"
    assert forward["Eve"] != forward["Eve!"] and forward["Eve"].startswith("eve-")
    assert forward["index"].startswith("index-")


def test_swapping_two_athletes_keeps_each_report_file(tmp_path):
    runs = {"Eve": folder_with_runs(tmp_path, "eve"), "Eve!": folder_with_runs(tmp_path, "eve2")}
    (runs["Eve!"] / "log.csv").write_text(LOG.replace(",Pegasus", ",Vaporfly"))
    out = tmp_path / "out"
    seen = []
    for order in (["Eve", "Eve!"], ["Eve!", "Eve"]):
        text = "".join(f'[[athlete]]\nname = "{n}"\npaths = ["{runs[n].name}"]\n' for n in order)
        (tmp_path / "roster.toml").write_text(text)
        res = CliRunner().invoke(cli, ["batch", str(tmp_path / "roster.toml"), "-o", str(out),
                                       "--no-cache"])
        assert res.exit_code == 0, res.output
        doc = json.loads((out / "summary.json").read_text())
        seen.append({a["name"]: a["report"] for a in doc["athletes"]})
    assert seen[0] == seen[1]
