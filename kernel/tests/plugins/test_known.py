"""The known-plugins table agrees, in both directions, with every first-party plugin folder.

For each ``plugins/<distribution>/`` of the repository, the plugin module named by its entry
point is loaded and its descriptors compared with the table: same components, same exported
names, nothing missing on either side. Table entries without a folder must be marked as
planned (``built=False``), and a planned entry must not have a folder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

import roomkit
from roomkit.plugins.catalogue import Catalogue
from roomkit.plugins.kinds import COMPONENT_KINDS
from roomkit.plugins.known import (
    KNOWN_COMPONENTS,
    KNOWN_EXPORTS,
    KNOWN_PLUGINS,
    install_hint,
    known_plugin,
)

ROOT = Path(__file__).resolve().parents[3]
FOLDERS = sorted(
    p.parent
    for pattern in ("plugins/*/pyproject.toml", "contrib/*/pyproject.toml")
    for p in ROOT.glob(pattern)
    if p.parent.name != "plugin-template"
)


@dataclass(frozen=True)
class Declared:
    """What a plugin folder's descriptors declare."""

    distribution: str
    components: frozenset[tuple[str, str]]
    exports: frozenset[str]


def _declared(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Declared:
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    entry_points = project["entry-points"]["roomkit.plugins"]
    monkeypatch.syspath_prepend(str(folder / "src"))
    catalogue = Catalogue.load(autoload=False, modules=dict(entry_points))
    components: set[tuple[str, str]] = set()
    exports: set[str] = set()
    for name in entry_points:
        record = catalogue.plugin(name)
        assert record.ok, f"{folder.name}: plugin {name!r} is {record.status}: {record.error}"
        assert record.info is not None
        assert record.info.distribution == project["name"]
        for descriptor in record.components:
            components.add((descriptor.kind, descriptor.name))
            exports.update(descriptor.exports)
    return Declared(project["name"], frozenset(components), frozenset(exports))


def test_there_are_first_party_plugins_to_check() -> None:
    assert len(FOLDERS) >= 8, FOLDERS


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_table_matches_the_plugin_descriptors(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared = _declared(folder, monkeypatch)
    entry = known_plugin(declared.distribution)
    assert entry is not None, f"{declared.distribution} is missing from KNOWN_PLUGINS"
    assert entry.built, f"{declared.distribution} has a folder: mark it built in KNOWN_PLUGINS"
    assert set(entry.components) == declared.components, (
        f"{declared.distribution}: table has {sorted(entry.components)}, "
        f"descriptors register {sorted(declared.components)}"
    )
    assert set(entry.exports) == declared.exports, (
        f"{declared.distribution}: table has {sorted(entry.exports)}, "
        f"descriptors export {sorted(declared.exports)}"
    )


def test_every_built_entry_has_a_folder_and_planned_entries_have_none() -> None:
    folders = {f.name for f in FOLDERS}
    for plugin in KNOWN_PLUGINS:
        if plugin.built:
            assert plugin.distribution in folders, (
                f"{plugin.distribution} is marked built but has no folder under plugins/ or "
                "contrib/: mark it planned (built=False) or remove it"
            )
        else:
            assert plugin.distribution not in folders, (
                f"{plugin.distribution} has a folder: mark it built"
            )


def test_table_is_well_formed() -> None:
    distributions = [plugin.distribution for plugin in KNOWN_PLUGINS]
    assert len(distributions) == len(set(distributions))
    exported = [name for plugin in KNOWN_PLUGINS for name in plugin.exports]
    assert len(exported) == len(set(exported)), "a name is claimed by two distributions"
    assert len(KNOWN_EXPORTS) == len(exported)
    for name, distribution in KNOWN_EXPORTS.items():
        assert name.isidentifier()
        assert distribution.startswith("roomkit-")
    for kind, name in KNOWN_COMPONENTS:
        assert kind in COMPONENT_KINDS
        assert name


def test_install_hints_point_at_the_checkout_not_an_index() -> None:
    assert "pip install ./plugins/roomkit-sqlite" in install_hint("roomkit-sqlite")
    assert "dist/roomkit_sqlite-" in install_hint("roomkit-sqlite")
    assert 'pip install "./conformance[llm]"' in install_hint("roomkit-conformance", "llm")
    assert "pip install ./kernel" in install_hint("roomkit-kernel")
    assert install_hint("roomkit-deepgram") == "roomkit-deepgram is planned but not built yet"
    assert "pip install ./contrib/roomkit-voicemeup" in install_hint("roomkit-voicemeup")


def test_seed_names_are_covered() -> None:
    for name in (
        "OpenAIAIProvider",
        "VLLMConfig",
        "PostgresStore",
        "RedisLockManager",
        "TwilioSMSProvider",
        "WhisperSTTProvider",
        "DeepgramSTTProvider",
        "OpenTelemetryProvider",
        "MCPToolProvider",
    ):
        assert name in KNOWN_EXPORTS
    # Built into the kernel, so not a plugin's export.
    assert "VoiceChannel" not in KNOWN_EXPORTS
    assert "VoiceChannel" in roomkit.__all__
