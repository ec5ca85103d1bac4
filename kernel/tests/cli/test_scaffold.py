"""``roomkit plugins new``: a plugin of every kind that has a suite, from one template."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from roomkit.cli.main import main
from roomkit.cli.scaffold import PluginSpec, render_plugin, supported_kinds

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "contrib" / "plugin-template"


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_every_kind_with_a_suite_has_a_template_piece() -> None:
    suites = pytest.importorskip("roomkit_conformance.suites")
    assert set(supported_kinds()) == set(suites.SUITES)


def test_contrib_template_is_what_the_generator_writes(tmp_path: Path) -> None:
    """contrib/plugin-template is the generator's channel output, kept in the repository so it
    is linted, type-checked and tested with everything else; regenerate it after changing the
    templates: roomkit plugins new example --kind channel --dir contrib/plugin-template."""
    year = int((TEMPLATE / "LICENSE").read_text().split("Copyright (c) ")[1].split()[0])
    render_plugin(PluginSpec("example", "channel", year=year), tmp_path / "out")
    assert _files(tmp_path / "out") == _files(TEMPLATE)


@pytest.mark.parametrize("kind", supported_kinds())
@pytest.mark.parametrize("name", ["acme", "zeta-sms"])
def test_every_kind_renders_complete_and_lint_clean(kind: str, name: str, tmp_path: Path) -> None:
    target = tmp_path / "plugin"
    written = render_plugin(PluginSpec(name, kind), target)
    package = PluginSpec(name, kind).package
    names = {p.relative_to(target).as_posix() for p in written}
    assert {
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        f"src/{package}/plugin.py",
        f"src/{package}/config.py",
        f"src/{package}/testing.py",
        f"src/{package}/py.typed",
        "tests/test_plugin.py",
    } <= names
    for path in written:
        assert "{{" not in path.read_text(), f"unfilled placeholder in {path.name}"
    config = ["--config", str(ROOT / "pyproject.toml")]
    for command in (["check", *config, str(target)], ["format", "--check", *config, str(target)]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("kind", "contract"),
    [
        ("sms_provider", "SMSProvider"),
        ("rcs_provider", "RCSProvider"),
        ("email_provider", "EmailProvider"),
        ("messaging_provider", "HTTPProvider"),
    ],
)
def test_messaging_kinds_share_one_piece_with_their_own_contract(
    kind: str, contract: str, tmp_path: Path
) -> None:
    written = render_plugin(PluginSpec("acme", kind), tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {"src/roomkit_acme/webhooks.py", "tests/test_provider.py"} <= names
    provider = (tmp_path / "src" / "roomkit_acme" / "provider.py").read_text()
    assert f"({contract}):" in provider
    assert "async def send(" in provider
    assert "self, event: RoomEvent, to: str" in provider
    plugin = (tmp_path / "src" / "roomkit_acme" / "plugin.py").read_text()
    assert "def roomkit_register_messaging_providers(register: Register)" in plugin
    assert f'kind="{kind}"' in plugin


def test_cli_writes_and_explains(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "roomkit-acme"
    assert main(["plugins", "new", "acme", "--kind", "store", "--dir", str(target)]) == 0
    out = capsys.readouterr().out
    assert f'pip install "./{target.as_posix()}[test]"' in out
    assert "roomkit conformance acme" in out
    plugin = (target / "src" / "roomkit_acme" / "plugin.py").read_text()
    assert "def roomkit_register_stores(register: Register)" in plugin
    assert 'kind="store"' in plugin
    assert (target / "src" / "roomkit_acme" / "store.py").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plugins", "new", "Bad Name"], "must be lowercase"),
        (["plugins", "new", "builtin"], "reserved"),
        (["plugins", "new", "acme", "--kind", "router"], "no plugin template for kind 'router'"),
    ],
)
def test_bad_requests_are_refused(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*args, "--dir", str(tmp_path / "x")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_an_existing_folder_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["plugins", "new", "acme", "--dir", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
