"""Every command documents itself: help text and an Examples block, for commands added later too."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from loadwatch.cli import cli

COMMANDS = sorted(cli.commands)


def help_of(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="loadwatch")
    assert result.exit_code == 0, result.output
    return result.output


def examples(text: str) -> list[str]:
    """The lines of the Examples block of a help page."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Examples:")
    block = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        block.append(line.strip())
    return block


def test_the_group_help_lists_every_command() -> None:
    text = help_of()
    assert "Training-load injury-risk monitor for runners" in text
    assert "not a diagnosis" in text
    for name in COMMANDS:
        assert f"  {name} " in text or f"  {name}\n" in text, name
    assert all(line.startswith("loadwatch ") for line in examples(text))


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_examples(name: str) -> None:
    command = cli.commands[name]
    assert command.help and len(command.help.split()) >= 8, f"{name}: help too short"
    assert command.get_short_help_str().strip(), name
    text = help_of(name)
    block = examples(text)
    assert block, f"{name}: empty Examples block"
    assert all(line.startswith(f"loadwatch {name} ") for line in block), block
    # every option is explained
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{name} {param.opts[0]}: no help text"


def test_the_installed_console_script() -> None:
    script = Path(sys.executable).with_name("loadwatch")
    exe = str(script) if script.is_file() else shutil.which("loadwatch")
    if exe is None:
        pytest.skip("the loadwatch console script is not installed (pip install -e .)")
    done = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: loadwatch [OPTIONS] COMMAND")
    assert examples(done.stdout) == examples(help_of())
    for name in COMMANDS:
        assert f"  {name} " in done.stdout, name
    sub = subprocess.run([exe, COMMANDS[0], "--help"], capture_output=True, text=True,
                         timeout=60)
    assert sub.returncode == 0 and "Examples:" in sub.stdout


def test_help_imports_neither_pandas_nor_matplotlib() -> None:
    """Help is instant: the CLI imports the heavy libraries inside the commands."""
    code = (
        "import sys\n"
        "from loadwatch.cli import cli\n"
        "for args in [['--help']] + [[name, '--help'] for name in cli.commands]:\n"
        "    try:\n"
        "        cli(args, prog_name='loadwatch')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stderr.strip().splitlines()[-1] == "[]"
