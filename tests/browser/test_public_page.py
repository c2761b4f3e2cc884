"""The public page in a real browser: a newcomer publishes it from the sandbox and watches it
follow the chat; the page passes axe-core's accessibility check, on a laptop and a phone.

axe-core comes from PyPI (the ``axe-playwright-python`` package ships ``axe.min.js``): no
network but the registries. A serious or critical violation fails the test.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.sandbox.run import Sandbox
from handlers.core.clock import FixedClock
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_sandbox_story import WAIT, bot_message, play_as, say
from tests.support import Driver
from tests.unit.public_rows import lively_community

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

expect = pytest.importorskip(
    "playwright.async_api",
    reason="the playwright package is not installed: the public page was NOT tested",
).expect

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("runtime", ["aiogram"])]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
SERIOUS = ("serious", "critical")


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.base import AXE_SCRIPT

    # Evaluated, not added as a <script>: the page's policy allows no script at all.
    await page.evaluate(AXE_SCRIPT)
    results = await page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], "
        "runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
        "'best-practice']}})"
    )
    return [v for v in results["violations"] if v["impact"] in SERIOUS]


def described(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    )


async def test_a_newcomer_publishes_the_page_and_sees_it_follow_the_chat(
    page: Page, sandbox: Sandbox
) -> None:
    await expect(bot_message(page, "/setup")).to_be_visible(timeout=WAIT)
    await say(page, "/setup")
    await expect(bot_message(page, "is now a Courtyard community")).to_be_visible(timeout=WAIT)
    await say(page, "/setup public=on")
    link = bot_message(page, "The public page of").locator("a").first
    await expect(link).to_be_visible(timeout=WAIT)
    address = await link.get_attribute("href")
    assert address is not None and address.startswith(sandbox.url + "public/")

    await play_as(page, "Bob")
    await say(page, "/join")
    await expect(bot_message(page, "Welcome, Bob")).to_be_visible(timeout=WAIT)
    await say(page, "/need Fix the gate")
    await expect(bot_message(page, "Fix the gate")).to_be_visible(timeout=WAIT)
    await play_as(page, "Alice")
    await say(page, "/poll Paint the door? | Green | Blue | 24h")
    poll = bot_message(page, "Paint the door?")
    await poll.get_by_role("button", name=re.compile("Green")).click(timeout=WAIT)
    await expect(page.locator("#toasts .toast").last).to_be_visible()
    await say(page, "/fund in 50 Donation")
    await expect(bot_message(page, "Donation")).to_be_visible(timeout=WAIT)

    public = await page.context.new_page()
    await public.goto(address)
    await expect(public.locator("h1")).to_have_text("Maple Court")
    await expect(public.locator("#needs")).to_contain_text("Fix the gate")
    await expect(public.locator("#log")).to_contain_text("proposed need #1: Fix the gate")
    await expect(public.locator("#polls")).to_contain_text("No poll has closed yet.")
    await expect(public.locator("#fund")).to_contain_text("Donation")

    before = await page.locator("#clock-now").text_content()
    await page.locator("#plus-day").click()
    await expect(page.locator("#clock-now")).not_to_have_text(before or "", timeout=WAIT)
    # The result goes out once its chart is drawn (in a child process): give it time.
    await expect(bot_message(page, "Poll #1 is closed")).to_be_visible(timeout=2 * WAIT)
    await play_as(page, "Bob")
    await say(page, "/report The lamp by the gate is broken")
    await expect(bot_message(page, "Problem #1")).to_be_visible(timeout=WAIT)

    await public.reload()
    result = public.locator("#polls article").first
    await expect(result).to_contain_text("Paint the door?")
    await expect(result.locator("tr.won")).to_contain_text("Green")
    await expect(public.locator("#problems")).to_contain_text("The lamp by the gate is broken")

    await public.get_by_role("link", name="Русский").click()
    await expect(public.locator("html")).to_have_attribute("lang", "ru")
    await expect(public.locator("#problems h2")).to_have_text("Открытые проблемы")
    assert not await axe_violations(public), "see test_the_page_passes_axe"

    await play_as(page, "Alice")
    await say(page, "/setup public=off")
    await expect(bot_message(page, "The public page is off")).to_be_visible(timeout=WAIT)
    response = await public.reload()
    assert response is not None and response.status == 404
    await expect(public.locator("h1")).to_have_text("Здесь нет публичной страницы")


async def test_the_page_passes_axe_on_a_laptop_and_a_phone(
    browser: Browser, sandbox: Sandbox, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Every section filled (a fund, a budget, shifts ...), in every language."""
    driver = Driver(sessions, FixedClock(datetime.now(UTC) - timedelta(days=4)))
    street = await lively_community(driver)
    address = f"{sandbox.url}public/{street.slug}"
    ARTIFACTS.mkdir(exist_ok=True)
    for viewport, language in ((LAPTOP, "en"), (PHONE, "zh_Hans"), (PHONE, "ru")):
        context = await browser.new_context(
            viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE
        )
        page = await context.new_page()
        await page.goto(f"{address}?lang={language}")
        await expect(page.locator("#fund")).to_contain_text("500")
        await expect(page.locator("#budgets article")).to_have_count(1)
        await expect(page.locator("#duties tbody tr").first).to_be_visible()
        violations = await axe_violations(page)
        assert not violations, f"{language} at {viewport['width']} px:\n{described(violations)}"
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {viewport['width']}"
        await page.screenshot(
            path=str(ARTIFACTS / f"public-{viewport['width']}-{language}.png"), full_page=True
        )
        await context.close()
