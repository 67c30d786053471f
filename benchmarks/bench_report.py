"""Benchmark: the HTML report for one athlete-year (~250 runs) from a synthetic Analysis.

Prints the median of 5 runs for the full report (SVG figures, wide and phone-sized, the
default), and two baselines measured in the same process: the same report with 2x PNG
figures, and the plotting alone (draw + encode the 12 SVG figures, no context or template),
so the ratio says what the figures cost and what everything else costs.

    .venv/bin/python benchmarks/bench_report.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import load_note, median_seconds

from loadwatch.report import context, render
from tests.report.synth import synthetic_analysis

RUNS = 5


def main() -> None:
    analysis = synthetic_analysis(weeks=52, runs_per_week=5)
    n_runs = len(analysis.activities)
    ctx = context.build_context(analysis, weeks=52)
    render.render_report(analysis, weeks=52)  # warm-up: imports, font cache

    svg_html = render.render_report(analysis, weeks=52)
    png_html = render.render_report(analysis, weeks=52, image_format="png")
    full = median_seconds(lambda: render.render_report(analysis, weeks=52), RUNS)
    png = median_seconds(lambda: render.render_report(analysis, weeks=52, image_format="png"),
                         RUNS)
    plots_only = median_seconds(lambda: render.build_figures(ctx, "svg"), RUNS)
    context_only = median_seconds(lambda: context.build_context(analysis, weeks=52), RUNS)

    print(f"report, {n_runs} runs, 52 weeks (median of {RUNS}); {load_note()}")
    print(f"  full report, SVG figures     {full:6.2f} s   {len(svg_html) / 1e3:6.0f} kB")
    print(f"  full report, PNG 2x figures  {png:6.2f} s   {len(png_html) / 1e3:6.0f} kB"
          f"   ratio PNG/SVG {png / full:.2f}")
    print(f"  plotting alone (12 SVG)      {plots_only:6.2f} s"
          f"             share of the report {plots_only / full:.0%}")
    print(f"  context alone                {context_only:6.2f} s"
          f"             share of the report {context_only / full:.0%}")


if __name__ == "__main__":
    main()
