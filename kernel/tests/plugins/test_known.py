"""The install-hint tables stay consistent with what first-party plugins really provide."""

from __future__ import annotations

from roomkit.plugins.catalogue import Catalogue
from roomkit.plugins.descriptors import COMPONENT_KINDS
from roomkit.plugins.known import KNOWN_COMPONENTS, KNOWN_EXPORTS, install_hint


def test_tables_are_well_formed() -> None:
    for name, distribution in KNOWN_EXPORTS.items():
        assert name.isidentifier()
        assert distribution.startswith("roomkit-")
    for (kind, name), distribution in KNOWN_COMPONENTS.items():
        assert kind in COMPONENT_KINDS
        assert name
        assert distribution.startswith("roomkit-")
    assert install_hint("roomkit-x") == "pip install roomkit-x"


def test_seed_names_are_covered() -> None:
    for name in (
        "OpenAIAIProvider",
        "PostgresStore",
        "RedisLockManager",
        "TwilioSMSProvider",
        "VoiceChannel",
        "DeepgramSTTProvider",
        "OpenTelemetryProvider",
        "MCPToolProvider",
    ):
        assert name in KNOWN_EXPORTS


def test_installed_first_party_plugins_agree_with_the_tables() -> None:
    catalogue = Catalogue.load(strict=False)
    for record in catalogue.plugins:
        if not record.ok or record.info is None:
            continue
        distribution = record.info.distribution
        for descriptor in record.components:
            for export in descriptor.exports:
                expected = KNOWN_EXPORTS.get(export)
                assert expected in (None, distribution), (
                    f"{export} is exported by {distribution} but the table says {expected}"
                )
            known = KNOWN_COMPONENTS.get((descriptor.kind, descriptor.name))
            assert known in (None, distribution, "roomkit-kernel"), (
                f"{descriptor.kind} {descriptor.name!r} comes from {distribution}, table: {known}"
            )
