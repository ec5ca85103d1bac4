"""``roomkit console`` is registered in the kernel CLI and hands over to roomkit-console lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

from roomkit.cli.console_cmd import INSTALL_HINT
from roomkit.cli.main import build_parser, main


def test_console_is_a_command_with_its_options() -> None:
    args = build_parser().parse_args(["console", "app.py:kit", "--port", "9001"])
    assert (args.command, args.target, args.port, args.host, args.demo, args.allow_remote) == (
        "console",
        "app.py:kit",
        9001,
        "127.0.0.1",  # loopback unless told otherwise
        False,
        False,
    )
    assert build_parser().parse_args(["console", "--demo"]).demo is True


def test_a_missing_roomkit_console_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "roomkit_console.cli", None)  # import now fails
    assert main(["console", "--demo"]) == 1
    err = capsys.readouterr().err
    assert INSTALL_HINT in err
    assert "pip install ./plugins/roomkit-console" in err


def test_target_and_demo_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("roomkit_console")
    assert main(["console", "app.py:kit", "--demo"]) == 1
    assert "either a TARGET" in capsys.readouterr().err
    assert main(["console"]) == 1


def test_the_kernel_does_not_import_the_console_until_it_runs() -> None:
    code = (
        "import sys; from roomkit.cli.main import build_parser; build_parser(); "
        "print('roomkit_console' in sys.modules, 'uvicorn' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False False"
