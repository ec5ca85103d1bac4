"""``roomkit serve`` is registered in the kernel CLI and hands over to roomkit-server lazily."""

from __future__ import annotations

import sys

import pytest

from roomkit.cli.main import build_parser, main
from roomkit.cli.serve_cmd import INSTALL_HINT


def test_serve_is_a_command_with_its_options() -> None:
    args = build_parser().parse_args(["serve", "conf.toml", "--port", "9000", "--check"])
    assert (args.command, args.config, args.port, args.host, args.check) == (
        "serve",
        "conf.toml",
        9000,
        None,
        True,
    )


def test_a_missing_roomkit_server_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "roomkit_server.cli", None)  # import now fails
    assert main(["serve", "whatever.toml"]) == 1
    err = capsys.readouterr().err
    assert INSTALL_HINT in err
    assert "pip install ./plugins/roomkit-server" in err  # from the checkout: no index has it


def test_the_kernel_does_not_import_the_server_until_serve_runs() -> None:
    import subprocess

    code = (
        "import sys; from roomkit.cli.main import build_parser; build_parser(); "
        "print('roomkit_server' in sys.modules, 'starlette' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False False"
