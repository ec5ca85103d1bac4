"""Creating components by kind and name from configuration."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from roomkit.errors import ConfigurationError, PluginError
from roomkit.plugins.catalogue import Catalogue
from roomkit.plugins.factory import create_component

HOOKS = """
@hookimpl
def roomkit_register_stores(register):
    register(ComponentDescriptor(kind="store", name="cfg", factory="fake_{n}.impl:Store",
                                 config_model="fake_{n}.impl:Config"))
    register(ComponentDescriptor(kind="store", name="obj", factory="fake_{n}.impl:Store2",
                                 config_model="fake_{n}.impl:Config", pass_config=True))
    register(ComponentDescriptor(kind="store", name="free", factory="fake_{n}.impl:Store"))
    register(ComponentDescriptor(kind="store", name="gone", factory="fake_{n}.missing:Store"))
    register(ComponentDescriptor(kind="store", name="badmodel", factory="fake_{n}.impl:Store",
                                 config_model="fake_{n}.impl:NotAModel"))
"""

IMPL = """
from pydantic import BaseModel, Field

class Config(BaseModel):
    path: str
    pool: int = Field(default=4, ge=1)

class Store:
    def __init__(self, path, pool=1):
        self.path, self.pool = path, pool

class Store2:
    def __init__(self, config):
        self.config = config

NotAModel = dict
"""


@pytest.fixture
def catalogue(make_plugin: Callable[..., object], source: Callable[..., str]) -> Catalogue:
    make_plugin("fac", source("fac", hooks=HOOKS.format(n="fac")), {"impl.py": IMPL})
    # Independent of other installed plugins: the built-ins plus this one only.
    return Catalogue.load(autoload=False, modules={"fac": "fake_fac.plugin"})


def test_config_fields_become_keyword_arguments(catalogue: Catalogue) -> None:
    store = create_component("store", "cfg", {"path": "/tmp/x.db"}, catalogue=catalogue)
    assert (store.path, store.pool) == ("/tmp/x.db", 4)  # type: ignore[attr-defined]


def test_pass_config_hands_over_the_model(catalogue: Catalogue) -> None:
    store = create_component("store", "obj", {"path": "p", "pool": 2}, catalogue=catalogue)
    assert store.config.pool == 2  # type: ignore[attr-defined]
    assert type(store.config).__name__ == "Config"  # type: ignore[attr-defined]


def test_without_a_model_the_mapping_is_passed_as_is(catalogue: Catalogue) -> None:
    store = create_component("store", "free", {"path": "a", "pool": 9}, catalogue=catalogue)
    assert store.pool == 9  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError, match="rejected its configuration"):
        create_component("store", "free", {"nope": 1}, catalogue=catalogue)


def test_invalid_config_lists_every_error(catalogue: Catalogue) -> None:
    with pytest.raises(ConfigurationError) as info:
        create_component("store", "cfg", {"pool": 0, "secret": "hunter2"}, catalogue=catalogue)
    message = str(info.value)
    assert "invalid configuration for store 'cfg'" in message
    assert "- path: Field required" in message
    assert "- pool:" in message
    assert "hunter2" not in message


def test_unknown_name_suggests_and_names_the_distribution(catalogue: Catalogue) -> None:
    with pytest.raises(PluginError) as info:
        create_component("store", "postgress", catalogue=catalogue)
    assert str(info.value).startswith("store 'postgress' not found; installed: ")
    assert (
        "did you mean 'postgres'? install roomkit-postgres from a RoomKit checkout: "
        "pip install ./plugins/roomkit-postgres"
    ) in str(info.value)


def test_unknown_name_close_to_an_installed_one(catalogue: Catalogue) -> None:
    with pytest.raises(PluginError, match=r"did you mean 'memory'\?$"):
        create_component("store", "memroy", catalogue=catalogue)


def test_exact_known_name_not_installed() -> None:
    catalogue = Catalogue([])
    with pytest.raises(PluginError) as info:
        create_component("lock_manager", "redis", catalogue=catalogue)
    assert str(info.value) == (
        "lock_manager 'redis' not found; installed: none; install roomkit-redis from a RoomKit "
        "checkout: pip install ./plugins/roomkit-redis (or the wheel `make dist` builds: "
        "pip install dist/roomkit_redis-*.whl)"
    )


def test_planned_component_says_it_is_not_built_yet() -> None:
    with pytest.raises(PluginError, match="roomkit-deepgram is planned but not built yet"):
        create_component("stt", "deepgram", catalogue=Catalogue([]))


def test_unknown_kind(catalogue: Catalogue) -> None:
    with pytest.raises(PluginError, match="unknown component kind 'stores'"):
        create_component("stores", "memory", catalogue=catalogue)


def test_factory_import_failure_and_bad_model(catalogue: Catalogue) -> None:
    with pytest.raises(PluginError, match="could not be imported"):
        create_component("store", "gone", catalogue=catalogue)
    with pytest.raises(PluginError, match="not a pydantic model"):
        create_component("store", "badmodel", catalogue=catalogue)


def test_builtin_by_name_through_the_process_catalogue(site_dir: object) -> None:
    from roomkit.telemetry.base import NoopTelemetryProvider

    assert isinstance(create_component("telemetry", "noop", None), NoopTelemetryProvider)
    with pytest.raises(ConfigurationError, match="Extra inputs"):
        create_component("telemetry", "noop", {"verbose": True})
