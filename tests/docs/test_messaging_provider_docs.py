"""The first sample of each messaging-provider page (docs/providers/) runs as written and
registers a channel whose provider is the plugin's class."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "providers"


@pytest.mark.parametrize(
    ("page", "channel", "provider"),
    [
        ("sinch.md", "sms", "SinchSMSProvider"),
        ("sendgrid.md", "mail", "SendGridProvider"),
        ("elasticemail.md", "mail", "ElasticEmailProvider"),
        ("webhook.md", "crm", "WebhookHTTPProvider"),
        ("messenger.md", "fb", "FacebookMessengerProvider"),
        ("whatsapp.md", "wa", "WhatsAppCloudProvider"),
        ("telegram.md", "tg", "TelegramBotProvider"),
    ],
)
async def test_the_first_sample_builds_the_channel(page: str, channel: str, provider: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    sample = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    namespace: dict[str, Any] = {}
    exec(sample, namespace)
    kit = namespace["kit"]
    built = kit.get_channel(channel).provider
    assert type(built).__name__ == provider
    await built.close()
    await kit.close()


@pytest.mark.parametrize("page", ["messenger.md", "whatsapp.md", "telegram.md"])
def test_the_serve_sample_is_a_valid_channel(page: str) -> None:
    import tomllib

    text = (DOCS / page).read_text(encoding="utf-8")
    config = tomllib.loads(re.findall(r"```toml\n(.*?)```", text, re.S)[0])
    (channel,) = config["channels"]
    assert channel["provider"] == channel["kind"]
    assert channel["provider_config"]
    nav = (DOCS.parents[1] / "mkdocs.yml").read_text(encoding="utf-8")
    assert f"providers/{page}" in nav
