"""The benchmarks stay runnable. Nothing runs them in CI (they take minutes to hours),
so a renamed helper (bench_batch.py importing ``shifted`` from where it had moved away)
and a wrong realdata path (the same script, after its setup) went unnoticed until a
quiet machine was free to run them: each script must import, and the generators that
read ../shared/realdata must make inputs."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from loadwatch.cache import Cache

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("bench_*.py"))


def _module(script: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import a benchmark script as its command would (its folder first on sys.path)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"_bench_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the `if __name__ == "__main__"` block does not run
    return module


def test_there_are_benchmarks() -> None:
    assert len(SCRIPTS) >= 5


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_benchmark_imports(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = _module(script, monkeypatch)
    assert callable(getattr(module, "main", None)), f"{script.name} has no main()"


def test_benchmark_inputs_are_made(realdata: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _module(BENCHMARKS / "bench_batch.py", monkeypatch)
    assert len(batch.load_sources()) == len(batch.ONE_HZ)
    export = _module(BENCHMARKS / "bench_export.py", monkeypatch)
    assert export.make_export(tmp_path / "export.zip", activities=2, members=6) > 0
    warm = _module(BENCHMARKS / "bench_warm.py", monkeypatch)
    (tmp_path / "history").mkdir()
    with Cache(tmp_path / "cache") as cache:
        assert warm.make_history(tmp_path / "history", cache, 3) > 0
        assert len(cache) == 3
