"""Fake plugin distributions: real ``*.dist-info`` folders with entry points on ``sys.path``."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from roomkit.plugins.catalogue import reset_catalogue


@dataclass
class FakeDist:
    """A fake distribution written to ``site``."""

    name: str
    package: str
    site: Path


MakePlugin = Callable[..., FakeDist]


@pytest.fixture
def site_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on ``sys.path`` (and PYTHONPATH, for subprocesses) holding fake dists."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", str(site))
    monkeypatch.delenv("ROOMKIT_PLUGINS_BLOCK", raising=False)
    monkeypatch.delenv("ROOMKIT_PLUGINS_STRICT", raising=False)
    monkeypatch.delenv("ROOMKIT_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    before = set(sys.modules)
    reset_catalogue()
    yield site
    reset_catalogue()
    for name in set(sys.modules) - before:
        if name.startswith("fake_"):
            del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture
def make_plugin(site_dir: Path) -> MakePlugin:
    """Write a distribution ``roomkit-<name>`` with entry point ``<name> = fake_<name>.plugin``.

    ``plugin`` is the source of ``fake_<name>/plugin.py``; ``files`` adds more modules of the
    package (``{"provider.py": "..."}``); ``entry_point`` overrides the entry point value.
    """

    def make(
        name: str,
        plugin: str,
        files: Mapping[str, str] | None = None,
        *,
        version: str = "0.1.0",
        entry_point: str | None = None,
        group: str = "roomkit.plugins",
    ) -> FakeDist:
        package = f"fake_{name.replace('-', '_')}"
        pkg = site_dir / package
        pkg.mkdir()
        (pkg / "__init__.py").write_text("")
        (pkg / "plugin.py").write_text(textwrap.dedent(plugin))
        for filename, source in (files or {}).items():
            (pkg / filename).write_text(textwrap.dedent(source))
        dist = f"roomkit-{name}"
        info = site_dir / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        value = entry_point or f"{package}.plugin"
        (info / "entry_points.txt").write_text(f"[{group}]\n{name} = {value}\n")
        importlib.invalidate_caches()
        return FakeDist(name=dist, package=package, site=site_dir)

    return make


def plugin_source(
    name: str,
    *,
    kernel_api: str = ">=1,<2",
    hooks: str = "",
    header: str = "",
) -> str:
    """Source of a plugin module with metadata for ``name`` and extra hook code."""
    return (
        "from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl\n"
        f"{textwrap.dedent(header)}\n"
        "@hookimpl\n"
        "def roomkit_plugin_info():\n"
        f"    return PluginInfo(name={name!r}, distribution='roomkit-{name}', version='0.1.0',"
        f" kernel_api={kernel_api!r})\n\n"
        f"{textwrap.dedent(hooks)}\n"
    )


@pytest.fixture
def source() -> Callable[..., str]:
    """The :func:`plugin_source` helper as a fixture."""
    return plugin_source
