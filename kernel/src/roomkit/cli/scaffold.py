"""Write a new plugin distribution from the template (``roomkit plugins new``).

The template lives beside this module: ``templates/common/`` holds what every plugin has
(``pyproject.toml``, ``plugin.py``, README, CHANGELOG, LICENSE, the registration test), and
``templates/<kind>/`` the piece of one component kind: the component module, its config
model, its conformance factory, its test module and a ``kind.json`` saying the class suffix,
module name, capabilities, extra dependencies and an example configuration. Supporting a new
kind is adding one such folder.

Kinds that differ only in a few lines share one piece: their ``kind.json`` names the shared
folder (``"files": "messaging"`` for the four messaging-provider kinds) and gives the values
of its kind-specific placeholders in ``"parameters"`` (a list of strings is joined as lines).

Files are rendered by replacing ``{{variable}}`` placeholders; path segments ``__package__``
and ``__module__`` become the import package and the component module.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from roomkit import __version__ as kernel_version
from roomkit.errors import ConfigurationError
from roomkit.plugins.api import PLUGIN_API_VERSION
from roomkit.plugins.kinds import KINDS

__all__ = ["PluginSpec", "render_plugin", "supported_kinds"]

_TEMPLATES = "templates"
_COMMON = "common"
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def _templates() -> Traversable:
    return resources.files("roomkit.cli").joinpath(_TEMPLATES)


def supported_kinds() -> list[str]:
    """Component kinds that have a template piece, in the order of the kinds list."""
    pieces = {entry.name for entry in _templates().iterdir() if entry.is_dir()}
    return [spec.name for spec in KINDS if spec.name in pieces]


@dataclass(frozen=True)
class PluginSpec:
    """What to generate: plugin ``name`` of component ``kind``."""

    name: str
    kind: str = "channel"
    author: str | None = None
    url: str | None = None
    year: int | None = None

    @property
    def distribution(self) -> str:
        return f"roomkit-{self.name.replace('_', '-')}"

    @property
    def package(self) -> str:
        return f"roomkit_{self.name.replace('-', '_')}"

    @property
    def camel(self) -> str:
        return "".join(part.capitalize() for part in re.split(r"[-_]", self.name))

    def check(self) -> None:
        """Raise :class:`ConfigurationError` for a bad name or an unsupported kind."""
        if not _NAME.match(self.name):
            raise ConfigurationError(
                f"plugin name {self.name!r} must be lowercase letters and digits, words "
                "separated by '-' or '_', starting with a letter (e.g. 'acme' or 'acme-sms')"
            )
        if self.name in ("builtin", "kernel", "conformance"):
            raise ConfigurationError(f"plugin name {self.name!r} is reserved")
        kinds = supported_kinds()
        if self.kind not in kinds:
            raise ConfigurationError(
                f"no plugin template for kind {self.kind!r}; kinds with a contract, a "
                f"conformance suite and a template: {', '.join(kinds)}"
            )


def _piece(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_templates().joinpath(kind, "kind.json").read_text())
    return data


def _files(kind: str) -> Traversable:
    """The folder of ``kind``'s template files: its own, or the shared one it names."""
    return _templates().joinpath(str(_piece(kind).get("files", kind)))


def _range(version: str) -> str:
    """The compatible range of a 0.x or x.y version: ``>=0.1,<0.2`` / ``>=1.2,<2``."""
    major, minor = (int(part) for part in version.split(".")[:2])
    if major == 0:
        return f">=0.{minor},<0.{minor + 1}"
    return f">={major}.{minor},<{major + 1}"


def _dependency_lines(items: list[str]) -> str:
    return "".join(f'    "{item}",\n' for item in items)


def _python_literal(value: Any) -> str:
    """A dict/list/str literal the way ruff would format it (double quotes)."""
    return json.dumps(value).replace(": true", ": True").replace(": false", ": False")


def variables(spec: PluginSpec) -> dict[str, str]:
    """The placeholder values for ``spec``."""
    piece = _piece(spec.kind)
    kind = next(k for k in KINDS if k.name == spec.kind)
    major = int(PLUGIN_API_VERSION.split(".")[0])
    kernel = f"roomkit-kernel{_range(kernel_version)}"
    conformance = f"roomkit-conformance{_range(kernel_version)}"
    values = {
        "name": spec.name,
        "entry_name": spec.name,
        "distribution": spec.distribution,
        "package": spec.package,
        "Camel": spec.camel,
        "Class": spec.camel + piece["suffix"],
        "module": piece["module"],
        "kind": spec.kind,
        "kind_title": piece["title"],
        "hook": kind.hook,
        "summary": piece["summary"],
        "starting_point": piece["starting_point"],
        "conformance": piece["conformance"],
        "kernel_api": f">={major},<{major + 1}",
        "year": str(spec.year or datetime.date.today().year),
        "author": spec.author or f"The {spec.distribution} authors",
        "url": spec.url or f"https://github.com/your-name/{spec.distribution}",
        "dependencies": _dependency_lines([kernel, *piece["dependencies"]]),
        "test_dependencies": _dependency_lines(
            [conformance, *piece["test_dependencies"], "pytest>=8.0", "pytest-asyncio>=0.24"]
        ),
    }
    for key, value in piece.get("parameters", {}).items():
        text = "\n".join(value) if isinstance(value, list) else str(value)
        values[key] = _fill(text, values)
    config, cls, module = f"{spec.camel}Config", values["Class"], values["module"]
    exported = sorted([config, cls])
    values["exports_all"] = ", ".join(f'"{name}"' for name in exported)
    values["exports_import"] = ", ".join(exported)
    values["exports_table"] = "".join(
        f'    "{name}": "{spec.package}.{"config" if name == config else module}",\n'
        for name in exported
    )
    values["type_checking_imports"] = "".join(
        f"    from {spec.package}.{mod} import {name}\n"
        for mod, name in sorted([("config", config), (module, cls)])
    )
    values["module_all"] = ", ".join(
        f'"{name}"' for name in sorted([cls, *piece.get("module_exports", [])])
    )
    values["capabilities_line"] = _capabilities_line(piece["capabilities"])
    example = json.loads(_fill(json.dumps(piece["example_config"]), values))
    values["example_config_python"] = _python_literal(example)
    values["module_pad"] = " " * max(1, 20 - len(values["module"]) - 3)
    values["show_pad"] = " " * max(1, 16 - len(spec.name))
    values["conformance_pad"] = " " * max(1, 12 - len(spec.name))
    return values


def _capabilities_line(capabilities: list[str]) -> str:
    """The descriptor's ``capabilities=`` argument as ruff formats it (one line if it fits)."""
    if not capabilities:
        return ""
    listed = ", ".join(json.dumps(c) for c in capabilities)
    line = f"            capabilities=frozenset({{{listed}}}),\n"
    if len(line) <= 101:  # 100 characters and the newline
        return line
    items = "".join(f"                    {json.dumps(c)},\n" for c in capabilities)
    return (
        "            capabilities=frozenset(\n"
        "                {\n" + items + "                }\n"
        "            ),\n"
    )


def _fill(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"template placeholder {{{{{key}}}}} has no value")
        return values[key]

    return _PLACEHOLDER.sub(replace, text)


def _statements(lines: list[str], start: int) -> tuple[list[str], int]:
    """The ``from roomkit... import`` statements from ``start`` on (one may span lines)."""
    found: list[str] = []
    i = start
    while i < len(lines) and lines[i].startswith("from roomkit"):
        statement = [lines[i]]
        while "(" in statement[0] and not statement[-1].rstrip().endswith(")"):
            i += 1
            statement.append(lines[i])
        found.append("\n".join(statement))
        i += 1
    return found, i


def _tidy(source: str) -> str:
    """Order what depends on the plugin's name the way ruff's isort rules do.

    The plugin's own package is first-party beside ``roomkit`` and ``roomkit_conformance``,
    so where its imports fall in that block, and where its class falls in an ``__all__``,
    depends on the name.
    """
    lines = source.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("from roomkit"):
            block, i = _statements(lines, i)
            block.sort(key=lambda stmt: stmt.split()[1].lower())
            out.extend(_sorted_members(stmt) for stmt in block)
            continue
        listed = re.match(r"^__all__ = \[(.*)\]$", lines[i])
        imported = _IMPORT.match(lines[i])
        if listed:
            names = sorted((n.strip().strip('"') for n in listed.group(1).split(",")), key=_kind)
            out.append("__all__ = [" + ", ".join(f'"{n}"' for n in names) + "]")
        elif imported:
            out.append(_sorted_members(lines[i]))
        else:
            out.append(lines[i])
        i += 1
    return "\n".join(out)


_IMPORT = re.compile(r"^(\s*from \S+ import )([^(]+)$")


def _sorted_members(statement: str) -> str:
    imported = _IMPORT.match(statement)
    if imported is None:
        return statement
    names = sorted((n.strip() for n in imported.group(2).split(",")), key=_kind)
    return imported.group(1) + ", ".join(names)


def _kind(name: str) -> tuple[int, str]:
    """isort's order of names: CONSTANTS, then Classes, then everything else."""
    bare = name.split(" as ")[0]
    return (0 if bare.isupper() else 1 if bare[:1].isupper() else 2, bare)


def _walk(
    root: Traversable, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Traversable]]:
    found = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            if entry.name != "__pycache__":
                found.extend(_walk(entry, (*prefix, entry.name)))
        elif entry.name.endswith(".tmpl"):
            found.append(((*prefix, entry.name.removesuffix(".tmpl")), entry))
    return found


def render_plugin(spec: PluginSpec, target: Path) -> list[Path]:
    """Write the plugin distribution into ``target`` (which must not exist or be empty)."""
    spec.check()
    if target.exists() and any(target.iterdir()):
        raise ConfigurationError(f"{target} already exists and is not empty")
    values = variables(spec)
    written = []
    for source in (_templates().joinpath(_COMMON), _files(spec.kind)):
        for parts, entry in _walk(source):
            renamed = [
                part.replace("__package__", spec.package).replace("__module__", values["module"])
                for part in parts
            ]
            path = target.joinpath(*renamed)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = _fill(entry.read_text(encoding="utf-8"), values)
            if path.suffix == ".py":
                text = _tidy(text)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
