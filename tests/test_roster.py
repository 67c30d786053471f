"""roster.toml: paths resolved against the roster's folder, one-line errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch.cli import cli
from loadwatch.problems import UsageError
from loadwatch.roster import parse_roster, read_roster


def test_relative_paths_join_the_roster_folder_and_config_is_optional(tmp_path):
    roster = tmp_path / "team" / "roster.toml"
    roster.parent.mkdir()
    roster.write_text(
        '[[athlete]]\nname = "Sam"\npaths = ["athletes/sam", "/data/sam.zip"]\n'
        'config = "athletes/sam/loadwatch.toml"\n\n'
        '[[athlete]]\nname = "  Alex "\npaths = ["alex"]\n'
    )
    r = read_roster(roster)
    assert r.path == roster
    sam, alex = r.athletes
    assert sam.name == "Sam"
    assert sam.paths == (roster.parent / "athletes/sam", Path("/data/sam.zip"))
    assert sam.config == roster.parent / "athletes/sam/loadwatch.toml"
    assert alex.name == "Alex"
    assert alex.paths == (roster.parent / "alex",)
    assert alex.config is None


BAD = [
    ({}, "roster.toml: no [[athlete]] entries"),
    ({"athlete": []}, "roster.toml: no [[athlete]] entries"),
    ({"athletes": []}, "roster.toml: unknown key 'athletes' (known: athlete, cluster)"),
    ({"athlete": {"name": "x"}}, "roster.toml: athlete must be an array of tables"),
    ({"athlete": [{"paths": ["a"]}]}, "roster.toml: athlete[1].name is missing"),
    ({"athlete": [{"name": "", "paths": ["a"]}]}, "athlete[1].name must be a non-empty string"),
    ({"athlete": [{"name": 3, "paths": ["a"]}]}, "athlete[1].name must be a non-empty string"),
    ({"athlete": [{"name": "a"}]}, "athlete[1].paths is missing"),
    ({"athlete": [{"name": "a", "paths": "sam"}]}, "athlete[1].paths must be a non-empty list"),
    ({"athlete": [{"name": "a", "paths": []}]}, "athlete[1].paths must be a non-empty list"),
    ({"athlete": [{"name": "a", "paths": [1]}]}, "athlete[1].paths must be a non-empty list"),
    ({"athlete": [{"name": "a", "paths": ["x"], "config": 5}]},
     "athlete[1].config must be a path (string), got 5"),
    ({"athlete": [{"name": "a", "paths": ["x"], "shoes": 5}]},
     "athlete[1]: unknown key 'shoes' (known: name, paths, config)"),
    ({"athlete": [{"name": "Sam", "paths": ["x"]}, {"name": "sam", "paths": ["y"]}]},
     "athlete[2].name 'sam' is already used by athlete[1]"),
    ({"athlete": [{"name": "x" * 201, "paths": ["x"]}]}, "longer than 200 characters"),
]


@pytest.mark.parametrize(("data", "message"), BAD)
def test_mistakes_are_one_line_errors_naming_the_key(tmp_path, data, message):
    with pytest.raises(UsageError) as err:
        parse_roster(data, tmp_path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_unreadable_roster_files(tmp_path):
    with pytest.raises(UsageError, match="roster file not found"):
        read_roster(tmp_path / "nope.toml")
    bad = tmp_path / "roster.toml"
    bad.write_text('[[athlete]]\nname = "Sam\n')
    with pytest.raises(UsageError, match=r"roster\.toml: not valid TOML"):
        read_roster(bad)
    bad.write_bytes(b"\xff\xfe[[athlete]]")
    with pytest.raises(UsageError, match="cannot read roster"):
        read_roster(bad)


def test_cli_bad_roster_exits_2_with_one_line(tmp_path):
    roster = tmp_path / "roster.toml"
    roster.write_text('[[athlete]]\nname = "Sam"\npath = ["sam"]\n')
    res = CliRunner().invoke(cli, ["batch", str(roster), "-o", str(tmp_path / "out"),
                                   "--no-cache"])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        "Error: roster.toml: athlete[1]: unknown key 'path' (known: name, paths, config)"
    ]
    assert not (tmp_path / "out").exists()
