"""Every hookspec is documented and has its own test; each family registers its kinds only."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest

from roomkit.plugins import hookspecs
from roomkit.plugins.catalogue import Catalogue
from roomkit.plugins.descriptors import COMPONENT_KINDS
from roomkit.plugins.markers import PROJECT_NAME


def _spec_names() -> list[str]:
    return sorted(
        name
        for name, value in vars(hookspecs).items()
        if callable(value) and getattr(value, f"{PROJECT_NAME}_spec", None) is not None
    )


#: The test registry: one entry per hookspec, written by hand (a new hookspec without an entry
#: fails test_every_hookspec_has_a_test). Registration hooks list the kinds they must accept.
HOOK_TESTS: dict[str, tuple[str, ...]] = {
    "roomkit_plugin_info": (),
    "roomkit_register_ai_providers": ("ai_provider",),
    "roomkit_register_audio_stages": ("audio_stage",),
    "roomkit_register_channels": ("channel",),
    "roomkit_register_identity": ("identity_resolver",),
    "roomkit_register_messaging_providers": (
        "email_provider",
        "messaging_provider",
        "rcs_provider",
        "sms_provider",
    ),
    "roomkit_register_orchestration": ("handoff_strategy", "memory", "router"),
    "roomkit_register_sources": ("source",),
    "roomkit_register_stores": ("lock_manager", "realtime", "store"),
    "roomkit_register_telemetry": ("telemetry",),
    "roomkit_register_tools": ("tool_provider",),
    "roomkit_register_voice": ("realtime_voice", "stt", "tts", "voice_backend"),
}


@pytest.mark.parametrize("name", _spec_names())
def test_every_hookspec_is_documented(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name))
    assert doc, f"hookspec {name} has no docstring"
    assert len(doc) > 20, f"hookspec {name} needs a docstring saying what it does"


@pytest.mark.parametrize("name", _spec_names())
def test_every_hookspec_has_a_test(name: str) -> None:
    assert name in HOOK_TESTS, f"hookspec {name} has no entry (and test) in HOOK_TESTS"


def test_registry_has_no_stale_entries() -> None:
    assert set(HOOK_TESTS) == set(_spec_names())


def test_families_cover_every_component_kind_once() -> None:
    kinds = [kind for family in hookspecs.FAMILY_KINDS.values() for kind in family]
    assert sorted(kinds) == sorted(COMPONENT_KINDS)


def test_hookspec_kinds_match_the_registry() -> None:
    for hook, kinds in hookspecs.FAMILY_KINDS.items():
        assert tuple(sorted(kinds)) == HOOK_TESTS[hook]


def test_plugin_info_hook(make_plugin: Callable[..., object], source: Callable[..., str]) -> None:
    make_plugin("infotest", source("infotest"))
    record = Catalogue.load().plugin("infotest")
    assert record.ok
    assert record.info is not None
    assert record.info.distribution == "roomkit-infotest"
    assert record.kernel_api == ">=1,<2"


@pytest.mark.parametrize("hook", [h for h, kinds in HOOK_TESTS.items() if kinds])
def test_registration_hook(
    hook: str, make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    kinds = HOOK_TESTS[hook]
    body = "\n".join(
        f"    register(ComponentDescriptor(kind={kind!r}, name='fam', factory='x.y:Z'))"
        for kind in kinds
    )
    make_plugin("family", source("family", hooks=f"@hookimpl\ndef {hook}(register):\n{body}\n"))
    catalogue = Catalogue.load()
    assert catalogue.plugin("family").ok, catalogue.plugin("family").error
    for kind in kinds:
        found = catalogue.find(kind, "fam")
        assert found is not None
        assert found.plugin.name == "family"


@pytest.mark.parametrize("hook", [h for h, kinds in HOOK_TESTS.items() if kinds])
def test_registration_hook_refuses_other_families(
    hook: str, make_plugin: Callable[..., object], source: Callable[..., str]
) -> None:
    foreign = next(k for k in COMPONENT_KINDS if k not in HOOK_TESTS[hook])
    hooks = (
        f"@hookimpl\ndef {hook}(register):\n"
        f"    register(ComponentDescriptor(kind={foreign!r}, name='x', factory='x.y:Z'))\n"
    )
    make_plugin("wrongfam", source("wrongfam", hooks=hooks))
    record = Catalogue.load().plugin("wrongfam")
    assert record.status == "invalid"
    assert f"cannot register kind {foreign!r}" in (record.error or "")
