"""The ``loadwatch`` command: a thin click layer over the library.

Each command parses its options, calls one library function and prints the result.
User mistakes (bad config, nothing readable) become a one-line message and exit code 2;
problem files are listed on stderr and never stop the run.
"""

from __future__ import annotations

import sys

import click

from loadwatch import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="loadwatch")
def cli() -> None:
    """Training-load injury-risk monitor for runners.

    Reads FIT, GPX, TCX and CSV exports (also .gz and .zip, and Strava or Garmin
    bulk exports), builds weekly load, and flags the training errors linked to hip and
    leg overuse injuries. It is not a diagnosis.

    \b
    Examples:
      loadwatch activities sample_data/
      loadwatch check ~/exports/strava.zip --fail-on caution
      loadwatch report ~/exports -o report.html
    """


# --- activities (importers) -------------------------------------------------------------

# --- weekly / check (load and rules) ----------------------------------------------------

# --- report -----------------------------------------------------------------------------

# --- batch ------------------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="loadwatch")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
