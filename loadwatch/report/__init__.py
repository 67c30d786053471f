"""The self-contained HTML report: context (what to show), plots (figures), render (HTML)."""

from __future__ import annotations

from loadwatch.report.render import render_report, write_report

__all__ = ["render_report", "write_report"]
