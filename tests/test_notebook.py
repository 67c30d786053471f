"""notebooks/quickstart.ipynb runs top to bottom on a fresh kernel, and is committed clean."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.ipynb"
#: A cell running longer than this hangs [s]: a guard, not a speed test (a shared machine
#: makes wall-clock bounds flaky; speed belongs in benchmarks/).
CELL_TIMEOUT_S = 600


def outputs_text(cell: dict) -> str:
    """Everything a code cell printed or displayed as text."""
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append(out["text"])
        parts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_committed_notebook_has_no_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert nb.metadata.kernelspec.name == "python3"


def test_notebook_runs_top_to_bottom() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError, with the cell's traceback, on any error
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    warnings = [o["text"] for c in code for o in c.outputs if o.get("name") == "stderr"]
    assert warnings == []
    text = "\n".join(outputs_text(c) for c in code)
    assert "Read " in text and " activities (" in text  # the summary line
    # two figures: the run's elevation and heart rate, and the weekly distance
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2
    # the threshold change shows up as more cautions
    [compare] = [c for c in code if "caution at 10 %" in c.source]
    table = outputs_text(compare)
    assert table.count("caution") > 2
    assert "wrote " in text and "sam.html" in text
