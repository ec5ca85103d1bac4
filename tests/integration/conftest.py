"""Fresh virtualenvs for the tests that install distributions the way a user does.

Nothing from the repository's own virtualenv leaks in: a new venv, the distributions
installed into it (from folders or from built files, never editable), run with an environment
free of ``PYTHONPATH`` and ``ROOMKIT_*`` variables, from a folder outside the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment minus what would point a child at the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ROOMKIT_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env.update(extra)
    return env


def run(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its output; never raises on a non-zero exit."""
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
        env=env if env is not None else clean_env(),
    )


@dataclass(frozen=True)
class Venv:
    """A virtualenv made by :func:`make_venv`."""

    path: Path

    @property
    def bin(self) -> Path:
        return self.path / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def install(self, *specs: str | Path) -> None:
        """Install requirements (paths to folders or files, or names) into this venv."""
        uv = Path(sys.executable).parent / "uv"
        if uv.exists():
            command = [uv, "pip", "install", "--quiet", "--python", self.python, *specs]
        else:  # pragma: no cover - the repository venv has uv
            command = [self.python, "-m", "pip", "install", "--quiet", *specs]
        done = run(*command)
        assert done.returncode == 0, done.stdout + done.stderr

    def run(
        self, *args: str | Path, cwd: Path, timeout: float = 900
    ) -> subprocess.CompletedProcess[str]:
        """Run with this venv's ``bin`` first on PATH, from ``cwd``."""
        env = clean_env(PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}")
        return run(*args, cwd=cwd, env=env, timeout=timeout)


def make_venv(where: Path) -> Venv:
    """A new virtualenv at ``where`` (with pip, as ``python -m venv`` makes it)."""
    done = run(sys.executable, "-m", "venv", where, timeout=300)
    assert done.returncode == 0, done.stderr
    return Venv(where)


@pytest.fixture(scope="session")
def new_venv(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Venv]:
    """Make a fresh virtualenv (named, in a session temp folder)."""

    def make(name: str) -> Venv:
        return make_venv(tmp_path_factory.mktemp(name) / "venv")

    return make


@pytest.fixture(scope="session")
def sh() -> Callable[..., subprocess.CompletedProcess[str]]:
    """:func:`run` as a fixture: run a command with a clean environment."""
    return run
