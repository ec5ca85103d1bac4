"""The console end to end in headless Chromium: pick the room, type, see the reply and the
handoff; a screenshot is kept in ``test-artifacts/`` (ignored by git).

Chromium is Debian's (``make install`` installs it), driven by pip ``playwright`` with
``executable_path``: ``playwright install`` is never used. Without Chromium or playwright the
test is skipped, and fails under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from roomkit_console import ConsoleApp
from roomkit_console.demo import DEMO_ROOM, HANDLER_REPLY, TRIAGE_REPLY, build_demo_kit
from roomkit_server.testing import serve_app

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 20_000


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing on CI: `make install` must provide it")
    pytest.skip(f"{what} is not installed (make install)")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _missing("playwright")
    executable = shutil.which("chromium")
    if executable is None:
        _missing("chromium")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


async def test_type_a_message_and_see_the_reply_and_the_handoff(browser: Any) -> None:
    kit = await build_demo_kit()
    console = ConsoleApp(kit)
    problems: list[str] = []
    async with serve_app(console.app) as (url, _):
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))

        await page.goto(url + "/")
        await page.wait_for_selector(f"#room-select option[value='{DEMO_ROOM}']", state="attached")
        await page.fill("#sender", "browser-user")
        await page.click("#join")
        await page.wait_for_selector("#message:enabled")
        assert "flag_card_numbers" in await page.inner_text("#hooks")

        await page.fill("#message", "I need help")
        await page.press("#message", "Enter")
        mine = page.locator("#chat li.mine", has_text="I need help")
        await mine.wait_for()
        assert "browser-user" in await mine.inner_text()
        reply = page.locator("#chat li.theirs", has_text=TRIAGE_REPLY)
        await reply.wait_for()
        assert "agent-triage" in await reply.inner_text()
        handoff = page.locator("#chat li.handoff", has_text="Handoff from agent-triage")
        await handoff.wait_for()
        assert "agent-handler" in await handoff.inner_text()
        await page.locator("#chat li.tool", has_text="handoff_conversation").first.wait_for()
        await page.locator("#log li[data-kind='handoff'][data-name='on_handoff']").wait_for()
        await page.locator("#log li[data-kind='tool'][data-name='tool_call_end']").wait_for()
        await page.locator("#log li[data-kind='delivery']").first.wait_for()
        # the tick: what ws-user's connection received, as the user's browser would
        await page.locator(
            "#chat li.theirs .meta", has_text="delivered to ws-user"
        ).first.wait_for()

        await page.fill("#message", "My order is late")
        await page.press("#message", "Enter")
        await page.locator("#chat li.theirs", has_text=HANDLER_REPLY).wait_for()

        await page.fill("#message", "card 4242 4242 4242 4242")
        await page.click("#send")
        blocked = page.locator("#chat li.blocked", has_text="looks like a card number")
        await blocked.wait_for()
        assert (await blocked.inner_text()).count("blocked:") == 1

        # a filter hides a kind from the live pane
        await page.uncheck("#filters input[data-kind='framework']")
        assert await page.locator("#log li[data-kind='framework']:visible").count() == 0
        assert await page.locator("#log li[data-kind='event']:visible").count() >= 4

        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "console.png"
        await page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        await page.close()
    await console.close()
    await kit.close()
    assert problems == []
