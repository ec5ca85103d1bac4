"""``make dist`` builds every distribution; the kernel and three plugins install from those
files into a fresh virtualenv (no editable install, no checkout on sys.path) and work."""

from __future__ import annotations

import json
import subprocess
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
Venv = Any  # conftest.Venv: a fresh virtualenv

DISTRIBUTIONS = sorted(
    ["roomkit-kernel", "roomkit-conformance"]
    + [p.parent.name for p in (ROOT / "plugins").glob("*/pyproject.toml")]
)
PLUGINS = ("roomkit-sqlite", "roomkit-openai", "roomkit-redis")


@pytest.fixture(scope="module")
def dist_dir(
    tmp_path_factory: pytest.TempPathFactory,
    sh: Callable[..., subprocess.CompletedProcess[str]],
) -> Path:
    out = tmp_path_factory.mktemp("dist") / "dist"
    done = sh("make", "-C", ROOT, "dist", f"DIST_DIR={out}", timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def _file(dist_dir: Path, distribution: str, suffix: str) -> Path:
    (found,) = dist_dir.glob(f"{distribution.replace('-', '_')}-*{suffix}")
    return found


def test_every_distribution_has_a_wheel_and_an_sdist_with_its_license(dist_dir: Path) -> None:
    license_text = (ROOT / "LICENSE").read_text()
    for distribution in DISTRIBUTIONS:
        wheel = _file(dist_dir, distribution, "-py3-none-any.whl")
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            (license_name,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
            assert archive.read(license_name).decode() == license_text
            assert any(n.endswith("/py.typed") for n in names), f"{wheel.name}: no py.typed"
            (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
            text = archive.read(metadata).decode()
        assert "License-Expression: MIT" in text
        assert "Project-URL: Source, " in text
        assert "Classifier: Typing :: Typed" in text
        sdist = _file(dist_dir, distribution, ".tar.gz")
        with tarfile.open(sdist) as archive:
            assert any(m.name.endswith("/LICENSE") for m in archive.getmembers()), sdist.name


@pytest.fixture(scope="module")
def installed(dist_dir: Path, new_venv: Callable[[str], Venv]) -> Venv:
    venv = new_venv("dist-venv")
    venv.install(
        _file(dist_dir, "roomkit-kernel", ".whl"),
        *(_file(dist_dir, name, ".whl") for name in PLUGINS),
    )
    return venv


def test_installed_from_files_not_from_the_checkout(installed: Venv, tmp_path: Path) -> None:
    code = "import roomkit, roomkit_sqlite; print(roomkit.__file__); print(roomkit_sqlite.__file__)"
    done = installed.run(installed.python, "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        assert str(installed.path) in line
        assert str(ROOT) not in line


def test_plugins_list_shows_the_three_plugins(installed: Venv, tmp_path: Path) -> None:
    done = installed.run(installed.bin / "roomkit", "plugins", "list", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    plugins = {p["distribution"]: p for p in json.loads(done.stdout)["plugins"]}
    assert set(plugins) == {"roomkit-kernel", *PLUGINS}
    assert all(p["status"] == "ok" for p in plugins.values()), plugins
    text = installed.run(installed.bin / "roomkit", "plugins", "list", cwd=tmp_path)
    assert text.returncode == 0
    assert "store:sqlite" in text.stdout


def test_readme_quickstart_runs(installed: Venv, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quickstart", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "quickstart.py").write_text(block, encoding="utf-8")
    done = installed.run(installed.python, "quickstart.py", cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "bob got: hi"


def test_a_plugin_name_resolves_and_a_missing_one_says_what_to_install(
    installed: Venv, tmp_path: Path
) -> None:
    code = (
        "import roomkit\n"
        "print(roomkit.SQLiteStore.__module__)\n"
        "print(hasattr(roomkit, 'PostgresStore'))\n"
        "try:\n    from roomkit import PostgresStore\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    done = installed.run(installed.python, "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    module, has, message = done.stdout.splitlines()
    assert module == "roomkit_sqlite.store"
    assert has == "False"
    assert "pip install ./plugins/roomkit-postgres" in message


def test_every_pyproject_declares_license_urls_and_classifiers() -> None:
    import tomllib

    folders = [ROOT / "kernel", ROOT / "conformance", *sorted(ROOT.glob("plugins/*/"))]
    folders += sorted(p for p in ROOT.glob("contrib/*/") if (p / "pyproject.toml").exists())
    license_text = (ROOT / "LICENSE").read_text()
    for folder in folders:
        project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
        assert project["license"] == "MIT", folder.name
        assert project["license-files"] == ["LICENSE"], folder.name
        # the same MIT text; the template names its own authors
        assert _body(folder / "LICENSE") == _body(ROOT / "LICENSE"), folder.name
        if folder.parent.name != "contrib":
            assert (folder / "LICENSE").read_text() == license_text, folder.name
        assert {"Homepage", "Source", "Issues", "Changelog"} <= set(project["urls"]), folder.name
        assert "Typing :: Typed" in project["classifiers"], folder.name
        assert "Programming Language :: Python :: 3.11" in project["classifiers"], folder.name


def _body(path: Path) -> str:
    return "\n".join(line for line in path.read_text().splitlines() if "Copyright" not in line)
