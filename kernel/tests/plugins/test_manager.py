"""Discovery: isolation, validation, versioning, opt-outs, strict mode, laziness."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from roomkit.errors import PluginError
from roomkit.plugins.catalogue import Catalogue
from roomkit.plugins.manager import BUILTIN_NAME, DiscoveryOptions, discover

STORE_HOOK = """
@hookimpl
def roomkit_register_stores(register):
    register(ComponentDescriptor(kind="store", name="{name}", factory="{factory}",
                                 config_model="{config}", capabilities=frozenset({{"sdk"}})))
"""

SLOW_SDK = """
import time
time.sleep(5)
"""

BROKEN_SDK = """
raise ImportError("No module named 'vendor_sdk_that_is_not_installed'")
"""

PROVIDER = """
from . import sdk
class Store:
    pass
"""

CONFIG = """
from pydantic import BaseModel
class Config(BaseModel):
    dsn: str
"""


def _store_plugin(name: str, source: Callable[..., str]) -> str:
    return source(
        name,
        hooks=STORE_HOOK.format(
            name=name,
            factory=f"fake_{name}.provider:Store",
            config=f"fake_{name}.config:Config",
        ),
    )


@pytest.mark.parametrize("sdk", [SLOW_SDK, BROKEN_SDK], ids=["slow-sdk", "broken-sdk"])
def test_listing_never_imports_components_or_sdks(
    sdk: str, make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    make_plugin(
        "lazy",
        _store_plugin("lazy", source),
        {"sdk.py": sdk, "provider.py": PROVIDER, "config.py": CONFIG},
    )
    catalogue = Catalogue.load()
    record = catalogue.plugin("lazy")
    assert record.ok, record.error
    assert [f"{c.kind}:{c.name}" for c in record.components] == ["store:lazy"]
    for module in ("fake_lazy.sdk", "fake_lazy.provider", "fake_lazy.config"):
        assert module not in sys.modules, f"listing imported {module}"


def test_broken_plugin_module_is_reported_and_others_still_load(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    make_plugin("good", _store_plugin("good", source))
    make_plugin("bad", "import vendor_sdk_missing_for_sure\n")
    catalogue = Catalogue.load()
    bad = catalogue.plugin("bad")
    assert bad.status == "broken"
    assert "vendor_sdk_missing_for_sure" in (bad.error or "")
    assert bad.distribution == "roomkit-bad"
    assert catalogue.plugin("good").ok
    assert catalogue.find("store", "good") is not None


def test_module_level_assert_or_exit_is_contained(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    make_plugin("asserts", "assert False, 'plugin asserted at import'\n")
    make_plugin("exits", "import sys\nsys.exit(3)\n")
    catalogue = Catalogue.load()
    assert catalogue.plugin("asserts").status == "broken"
    assert catalogue.plugin("exits").status == "broken"


def test_hookimpl_failing_pluggy_validation_is_invalid(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    hooks = "@hookimpl\ndef roomkit_register_stores(register, extra):\n    pass\n"
    make_plugin("badargs", source("badargs", hooks=hooks))
    record = Catalogue.load().plugin("badargs")
    assert record.status == "invalid"
    assert "validation" in (record.error or "")


def test_unknown_hook_is_invalid_with_a_suggestion(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    hooks = "@hookimpl\ndef roomkit_register_store(register):\n    pass\n"
    make_plugin("typo", source("typo", hooks=hooks))
    record = Catalogue.load().plugin("typo")
    assert record.status == "invalid"
    assert "did you mean 'roomkit_register_stores'" in (record.error or "")


def test_undecorated_hook_function_is_invalid(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    hooks = "def roomkit_register_stores(register):\n    pass\n"
    make_plugin("nodeco", source("nodeco", hooks=hooks))
    record = Catalogue.load().plugin("nodeco")
    assert record.status == "invalid"
    assert "not decorated" in (record.error or "")


def test_incompatible_kernel_api(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    make_plugin("future", source("future", kernel_api=">=2,<3"))
    record = Catalogue.load().plugin("future")
    assert record.status == "incompatible"
    assert ">=2,<3" in (record.error or "")
    assert "1.1" in (record.error or "")
    assert record.components == ()


def test_unparseable_kernel_api_is_invalid(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    make_plugin("badspec", source("badspec", kernel_api="one or two"))
    assert Catalogue.load().plugin("badspec").status == "invalid"


def test_missing_plugin_info_is_invalid(make_plugin: Callable[..., object]) -> None:
    make_plugin("noinfo", "x = 1\n")
    record = Catalogue.load().plugin("noinfo")
    assert record.status == "invalid"
    assert "roomkit_plugin_info" in (record.error or "")


def test_plugin_name_must_match_entry_point(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    make_plugin("named", source("othername"))
    record = Catalogue.load().plugin("named")
    assert record.status == "invalid"
    assert "'othername'" in (record.error or "")


def test_hook_that_raises_is_broken(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    hooks = "@hookimpl\ndef roomkit_register_tools(register):\n    raise RuntimeError('kaput')\n"
    make_plugin("raiser", source("raiser", hooks=hooks))
    record = Catalogue.load().plugin("raiser")
    assert record.status == "broken"
    assert "kaput" in (record.error or "")


def test_registering_the_same_component_twice_is_invalid(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    hooks = (
        "@hookimpl\ndef roomkit_register_tools(register):\n"
        "    d = ComponentDescriptor(kind='tool_provider', name='t', factory='a.b:C')\n"
        "    register(d)\n    register(d)\n"
    )
    make_plugin("twice", source("twice", hooks=hooks))
    assert "registered twice" in (Catalogue.load().plugin("twice").error or "")


def test_registering_a_non_descriptor_is_invalid(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    hooks = "@hookimpl\ndef roomkit_register_tools(register):\n    register({'kind': 'x'})\n"
    make_plugin("notdesc", source("notdesc", hooks=hooks))
    record = Catalogue.load().plugin("notdesc")
    assert record.status == "invalid"
    assert "ComponentDescriptor" in (record.error or "")


def test_entry_point_to_an_object_is_broken(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    make_plugin("obj", source("obj"), entry_point="fake_obj.plugin:roomkit_plugin_info")
    record = Catalogue.load().plugin("obj")
    assert record.status == "broken"
    assert "must name a module" in (record.error or "")


def test_block_list_argument_and_env(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_plugin("blocka", "raise RuntimeError('must not be imported')\n")
    make_plugin("blockb", "raise RuntimeError('must not be imported')\n")
    monkeypatch.setenv("ROOMKIT_PLUGINS_BLOCK", "blockb, ")
    catalogue = Catalogue.load(block=["blocka"])
    assert catalogue.plugin("blocka").status == "blocked"
    assert catalogue.plugin("blockb").status == "blocked"
    assert catalogue.plugin("blockb").distribution == "roomkit-blockb"
    assert "fake_blocka.plugin" not in sys.modules
    assert catalogue.problems() == []


def test_autoload_can_be_disabled(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_plugin("auto", source("auto"))
    monkeypatch.setenv("ROOMKIT_DISABLE_PLUGIN_AUTOLOAD", "1")
    catalogue = Catalogue.load()
    assert [r.name for r in catalogue.plugins] == [BUILTIN_NAME]
    assert catalogue.find("store", "memory") is not None
    assert [r.name for r in Catalogue.load(autoload=True).plugins].count("auto") == 1


def test_explicit_modules_are_registered_without_entry_points(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    dist = make_plugin("manual", source("manual"), group="not.roomkit")
    catalogue = Catalogue.load(autoload=False, modules={"manual": "fake_manual.plugin"})
    assert catalogue.plugin("manual").ok
    assert dist is not None


def test_strict_mode_turns_problems_into_errors(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_plugin("strictbad", "import nope_not_here\n")
    with pytest.raises(PluginError, match="strictbad"):
        Catalogue.load(strict=True)
    monkeypatch.setenv("ROOMKIT_PLUGINS_STRICT", "1")
    with pytest.raises(PluginError, match="strict mode"):
        Catalogue.load()
    Catalogue.load(strict=False)


def test_builtin_is_first_and_every_plugin_has_a_record(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    make_plugin("aaa", source("aaa"))
    records = discover(DiscoveryOptions())
    assert records[0].name == BUILTIN_NAME
    assert {r.name: r.status for r in records}["aaa"] == "ok"


def test_one_plugin_raising_in_a_hook_never_hides_the_others(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    """Hooks run through pluggy one plugin at a time: the same hook of a healthy plugin,
    before and after the failing one, still registers its components."""
    for name in ("aaa", "mmm", "zzz"):
        body = (
            "    raise RuntimeError('mmm is broken')\n"
            if name == "mmm"
            else f"    register(ComponentDescriptor(kind='tool_provider', name='{name}',"
            " factory='a.b:C'))\n"
        )
        make_plugin(
            name, source(name, hooks=f"@hookimpl\ndef roomkit_register_tools(register):\n{body}")
        )
    records = {r.name: r for r in discover(DiscoveryOptions())}
    assert records["mmm"].status == "broken"
    assert records["mmm"].error == "roomkit_register_tools raised RuntimeError: mmm is broken"
    assert records["mmm"].info is not None  # its metadata was read before the hook failed
    for name in ("aaa", "zzz"):
        assert records[name].ok
        assert [c.name for c in records[name].components] == [name]


def test_a_plugin_is_asked_once_per_hook(
    make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    hooks = (
        "CALLS = []\n"
        "@hookimpl\ndef roomkit_register_tools(register):\n    CALLS.append('tools')\n"
        "@hookimpl\ndef roomkit_register_stores(register):\n    CALLS.append('stores')\n"
    )
    make_plugin("counted", source("counted", hooks=hooks))
    make_plugin("other", source("other", hooks=hooks))
    discover(DiscoveryOptions())
    assert sorted(sys.modules["fake_counted.plugin"].CALLS) == ["stores", "tools"]
    assert sorted(sys.modules["fake_other.plugin"].CALLS) == ["stores", "tools"]


def test_records_tell_cpu_time_and_what_the_plugin_imported(
    make_plugin: Callable[..., object], source: Callable[..., str], site_dir: Path
) -> None:
    (site_dir / "fake_vendor_sdk_x.py").write_text("VALUE = sum(range(200_000))\n")
    make_plugin("heavy", source("heavy", header="import fake_vendor_sdk_x\n"))
    records = {r.name: r for r in discover(DiscoveryOptions())}
    heavy = records["heavy"]
    assert heavy.ok, heavy.error
    assert "fake_vendor_sdk_x" in heavy.imported
    assert "fake_heavy" not in heavy.imported  # its own package is not news
    assert heavy.cpu_ms >= 0.0
    assert heavy.to_dict()["imported"] == list(heavy.imported)
