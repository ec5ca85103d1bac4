"""The catalogue: lookups, conflicts, plugin-exported names through ``roomkit``."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

import roomkit
from roomkit.errors import PluginError
from roomkit.plugins.catalogue import Catalogue, get_catalogue, reset_catalogue, resolve_export
from roomkit.plugins.missing import PluginNotInstalledError

EXPORTING = """
@hookimpl
def roomkit_register_ai_providers(register):
    register(ComponentDescriptor(kind="ai_provider", name="{name}",
                                 factory="fake_{name}.provider:{cls}", exports=("{cls}",)))
"""

PROVIDER = """
class {cls}:
    loaded = True
"""


def _exporting(
    make_plugin: Callable[..., object], source: Callable[..., str], name: str, cls: str
) -> None:
    make_plugin(
        name,
        source(name, hooks=EXPORTING.format(name=name, cls=cls)),
        {"provider.py": PROVIDER.format(cls=cls)},
    )


def test_from_roomkit_import_resolves_plugin_exports(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    _exporting(make_plugin, source, "acme", "AcmeAIProvider")
    assert "fake_acme.provider" not in sys.modules
    from roomkit import AcmeAIProvider  # type: ignore[attr-defined]

    assert AcmeAIProvider.loaded is True
    assert AcmeAIProvider.__module__ == "fake_acme.provider"
    del roomkit.AcmeAIProvider  # type: ignore[attr-defined]


def test_known_name_without_its_plugin_names_the_distribution() -> None:
    catalogue = Catalogue([])
    with pytest.raises(PluginNotInstalledError, match=r"pip install \./plugins/roomkit-openai"):
        catalogue.resolve_export("OpenAIAIProvider")
    with pytest.raises(AttributeError, match="roomkit-postgres") as info:
        catalogue.resolve_export("PostgresStore")
    assert isinstance(info.value, PluginNotInstalledError)
    assert info.value.distribution == "roomkit-postgres"


def test_known_name_of_a_broken_plugin_reports_the_breakage(
    make_plugin: Callable[..., object],
) -> None:
    make_plugin("redis", "import redis_sdk_not_installed_here\n")
    with pytest.raises(PluginNotInstalledError, match="installed but broken"):
        Catalogue.load().resolve_export("RedisLockManager")


def test_unknown_name_is_an_attribute_error(site_dir: object) -> None:
    with pytest.raises(AttributeError):
        resolve_export("DefinitelyNotARoomKitName")
    assert not hasattr(roomkit, "DefinitelyNotARoomKitName")


def test_export_missing_from_its_module_is_an_import_error(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    make_plugin(
        "liar",
        source("liar", hooks=EXPORTING.format(name="liar", cls="Promised")),
        {"provider.py": "x = 1\n"},
    )
    with pytest.raises(ImportError, match="no such attribute"):
        Catalogue.load().resolve_export("Promised")


def test_export_whose_module_fails_is_an_import_error(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    make_plugin(
        "nosdk",
        source("nosdk", hooks=EXPORTING.format(name="nosdk", cls="NoSdk")),
        {"provider.py": "import vendor_sdk_absent_here\n"},
    )
    with pytest.raises(ImportError, match="vendor_sdk_absent_here"):
        Catalogue.load().resolve_export("NoSdk")


def test_conflicts_are_reported_and_ambiguous_lookups_refused(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    _exporting(make_plugin, source, "one", "SharedProvider")
    make_plugin(
        "two",
        source(
            "two",
            hooks=EXPORTING.format(name="one", cls="SharedProvider").replace(
                "fake_one", "fake_two"
            ),
        ),
        {"provider.py": PROVIDER.format(cls="SharedProvider")},
    )
    catalogue = Catalogue.load()
    conflicts = [str(c) for c in catalogue.conflicts()]
    assert "ai_provider 'one' is provided by several plugins: one, two" in conflicts
    assert any("export 'SharedProvider'" in c for c in conflicts)
    with pytest.raises(PluginError, match="several plugins"):
        catalogue.find("ai_provider", "one")
    assert len(catalogue.problems()) == 2


def test_lookups(make_plugin: Callable[..., object], source: Callable[..., str]) -> None:
    _exporting(make_plugin, source, "look", "LookProvider")
    catalogue = Catalogue.load()
    assert "look" in catalogue.names("ai_provider")
    assert "memory" in catalogue.names("store")
    assert catalogue.find("ai_provider", "nope") is None
    assert "LookProvider" in catalogue.exports()
    kinds = {p.descriptor.kind for p in catalogue.components()}
    assert {"ai_provider", "store"} <= kinds
    assert all(p.descriptor.kind == "store" for p in catalogue.components("store"))
    with pytest.raises(PluginError, match="not installed"):
        catalogue.plugin("nope")
    with pytest.raises(PluginError, match="unknown component kind"):
        catalogue.check_kind("stores")


def test_process_catalogue_is_cached_and_reloadable(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    first = get_catalogue()
    assert get_catalogue() is first
    make_plugin("late", source("late"))
    assert "late" not in [r.name for r in get_catalogue().plugins]
    assert "late" in [r.name for r in get_catalogue(reload=True).plugins]
    reset_catalogue()
    assert get_catalogue() is not first


def test_plugin_looking_up_names_while_loading_gets_an_error(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import roomkit

    # not cached on roomkit by an earlier test: the lookup must reach the catalogue
    monkeypatch.delitem(vars(roomkit), "OpenAIAIProvider", raising=False)
    make_plugin("eager", source("eager", header="import roomkit\nroomkit.OpenAIAIProvider\n"))
    record = get_catalogue(reload=True).plugin("eager")
    assert record.status == "broken"
    assert "plugins are loading" in (record.error or "")
