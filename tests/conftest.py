"""Shared fixtures: the real-data folder beside the repo, skipped with a reason where absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REALDATA = (REPO.parent / "shared" / "realdata").resolve()
SAMPLE_DATA = REPO / "sample_data"


def realdata_files(folder: str, pattern: str = "*") -> list[Path]:
    """Files of one realdata folder (for parametrize); empty when ../shared is absent."""
    base = REALDATA / folder
    return sorted(p for p in base.glob(pattern) if p.is_file()) if base.is_dir() else []


@pytest.fixture
def realdata() -> Path:
    """Path to ../shared/realdata; the test is skipped where the folder is absent."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is absent (real-data tests need the shared folder)")
    return REALDATA


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """Commands cache parsed files by default: keep the tests' cache out of the user's."""
    import os

    old = os.environ.get("LOADWATCH_CACHE_DIR")
    os.environ["LOADWATCH_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("LOADWATCH_CACHE_DIR", None)
    else:
        os.environ["LOADWATCH_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def dask_cluster():
    """One real 2-process dask.distributed cluster on 127.0.0.1 for the whole session (a
    cluster costs seconds to start); a test that kills a worker starts its own."""
    distributed = pytest.importorskip(
        "distributed", reason="--scheduler needs the 'cluster' extra (dask[distributed])")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as cluster:
        yield cluster


@pytest.fixture
def fake_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports as one line (the name and the number of activities), so tests of the batch
    and of its reuse do not pay for figures."""
    from loadwatch import report as report_pkg

    def write(analysis, path, **kw):  # type: ignore[no-untyped-def]
        Path(path).write_text(f"report of {analysis.athlete} ({len(analysis.activities)})")
        return Path(path)

    monkeypatch.setattr(report_pkg, "write_report", write)
