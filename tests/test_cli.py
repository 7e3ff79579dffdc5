"""The command line as a whole: help on every command, no heavy imports where none are needed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kb.cli import COMMANDS, main

from .conftest import REPO


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_help_with_an_example(run, name):
    result = run(name, "--help")
    assert result.exit_code == 0
    cmd = main.get_command(None, name)
    assert cmd.help and len(cmd.help.strip()) > 20, name
    assert "Example" in result.output, name
    assert f"kb {name}" in result.output or (name == "import" and "kb import" in result.output), name


def test_top_level_help_lists_every_command(run):
    result = run("--help")
    assert result.exit_code == 0
    for name, (_, _, short) in COMMANDS.items():
        assert f"  {name}" in result.output and short in result.output


def _modules_after(args: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from kb.cli import main\n"
        f"try:\n    main({args!r}, standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return set(out.stdout.split())


def test_help_and_check_stay_light():
    """`kb --help` and `kb check` never import jieba or Whoosh (they cost 0.1–1 s)."""
    for args in (["--help"], ["check"]):
        mods = _modules_after(args)
        assert "jieba" not in mods and "whoosh" not in mods, args


def test_unknown_command_is_a_usage_error(run):
    result = run("serach", "科技")
    assert result.exit_code == 2
    assert "No such command 'serach'" in result.output
