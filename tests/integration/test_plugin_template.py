"""Build the plugin template, install it in a fresh virtualenv, list it and run conformance.

This is what a third-party author does: nothing from the repository's shared virtualenv is
reused; the kernel, the conformance suite and the template are built and installed from their
folders (dependencies come from the package index).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(
    *args: str | Path, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )


def _installer() -> list[str]:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    return [uv, "pip", "install", "--quiet"] if Path(uv).exists() else []


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv with kernel, conformance and the template installed (not editable)."""
    where = tmp_path_factory.mktemp("template-venv") / "venv"
    created = _run(sys.executable, "-m", "venv", where, timeout=300)
    assert created.returncode == 0, created.stderr
    python = where / "bin" / "python"
    sources = [ROOT / "kernel", ROOT / "conformance", ROOT / "contrib" / "plugin-template"]
    installer = _installer()
    if installer:
        command = [*installer, "--python", str(python), *map(str, sources)]
    else:
        command = [str(python), "-m", "pip", "install", "--quiet", *map(str, sources)]
    installed = _run(*command, timeout=900)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return where


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROOMKIT_")}
    env.pop("PYTHONPATH", None)
    return env


def test_fresh_install_lists_the_template(venv: Path) -> None:
    result = _run(venv / "bin" / "roomkit", "plugins", "list", "--json", env=_env())
    assert result.returncode == 0, result.stderr
    plugins = {p["name"]: p for p in json.loads(result.stdout)["plugins"]}
    assert set(plugins) == {"builtin", "reverse"}
    reverse = plugins["reverse"]
    assert reverse["status"] == "ok"
    assert reverse["distribution"] == "roomkit-reverse"
    assert reverse["version"] == "0.1.0"
    assert reverse["kernel_api"] == ">=1,<2"
    assert reverse["components"] == ["channel:reverse"]


def test_fresh_install_passes_conformance(venv: Path) -> None:
    result = _run(venv / "bin" / "roomkit", "conformance", "reverse", "--json", env=_env())
    assert result.returncode == 0, result.stdout + result.stderr
    (only,) = json.loads(result.stdout)["results"]
    assert only["status"] == "passed", only
    assert only["failed"] == 0
    assert only["passed"] >= 15


def test_fresh_install_resolves_the_exported_name(venv: Path) -> None:
    code = "from roomkit import ReverseChannel; print(ReverseChannel.__module__)"
    result = _run(venv / "bin" / "python", "-c", code, env=_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "roomkit_reverse.channel"
