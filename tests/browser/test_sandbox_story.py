"""A newcomer's first half hour, played in the sandbox page in a real browser.

Alice sets up Maple Court, Bob and Carmen join, Bob proposes fixing the gate and Carmen
supports it, the needs are ranked, Alice opens a poll and votes, a day passes in a second and
the result chart appears; Bob switches to Russian and the bot answers him in Russian.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.run import Sandbox
from tests.browser.conftest import ARTIFACTS, save_screenshot_copy

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

expect = pytest.importorskip(
    "playwright.async_api",
    reason="the playwright package is not installed: the sandbox page was NOT tested",
).expect

pytestmark = pytest.mark.browser

WAIT = 15_000  # ms; the bot answers in tens of milliseconds, a chart takes a moment longer


async def play_as(page: Page, name: str) -> None:
    await page.locator("#people-list").get_by_role("button", name=re.compile(rf"^{name}\b")).click()
    await expect(page.locator("#playing-name")).to_have_text(name)


async def say(page: Page, text: str) -> None:
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")
    await expect(page.locator("#text")).to_have_value("")


def bot_message(page: Page, text: str | re.Pattern[str]) -> Locator:
    return page.locator("#messages li.from-bot", has_text=text).last


async def test_a_community_gets_going_in_the_sandbox(page: Page, sandbox: Sandbox) -> None:
    await expect(page.locator("#chat-title")).to_have_text("Maple Court")
    await expect(bot_message(page, "/setup")).to_be_visible(timeout=WAIT)

    # Alice, the group's admin, is who a new page plays first.
    await expect(page.locator("#playing-name")).to_have_text("Alice")
    await say(page, "/setup")
    await expect(bot_message(page, "is now a Courtyard community")).to_be_visible(timeout=WAIT)

    for name in ("Bob", "Carmen"):
        await play_as(page, name)
        await say(page, "/join")
        await expect(bot_message(page, f"Welcome, {name}")).to_be_visible(timeout=WAIT)

    await play_as(page, "Bob")
    await say(page, "/need Fix the gate")
    need = bot_message(page, "Fix the gate")
    await expect(need.get_by_role("button", name=re.compile("Support"))).to_be_visible(timeout=WAIT)

    await play_as(page, "Carmen")
    await need.get_by_role("button", name=re.compile("Support")).click()
    await expect(page.locator("#toasts .toast")).to_contain_text("You support need #1")
    await expect(need.get_by_role("button", name=re.compile("Support"))).to_contain_text("(1)")

    await say(page, "/needs")
    ranking = bot_message(page, "Open needs")
    await expect(ranking).to_contain_text("Fix the gate", timeout=WAIT)

    await play_as(page, "Alice")
    await say(page, "/poll Paint the door? | Green | Blue | 24h")
    poll = bot_message(page, "Paint the door?")
    await poll.get_by_role("button", name=re.compile("Green")).click(timeout=WAIT)
    await expect(page.locator("#toasts .toast").last).to_be_visible()

    before = await page.locator("#clock-now").text_content()
    await page.locator("#plus-day").click()
    await expect(page.locator("#clock-now")).not_to_have_text(before or "", timeout=WAIT)
    result = page.locator("#messages li.from-bot").filter(has=page.locator("img.photo")).last
    chart = result.locator("img.photo")
    await expect(chart).to_be_visible(timeout=WAIT)
    await expect(result).to_contain_text("Green")
    assert await chart.evaluate("image => image.complete && image.naturalWidth > 0")

    await page.locator("#toasts").evaluate("toasts => toasts.replaceChildren()")
    await page.set_viewport_size({"width": 1280, "height": 960})
    await page.locator("#messages").evaluate("list => { list.scrollTop = list.scrollHeight; }")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"sandbox-{sandbox.settings.runtime}.png"
    await page.screenshot(path=str(shot))
    shutil.copyfile(shot, ARTIFACTS / "sandbox.png")
    if sandbox.settings.runtime == "aiogram":
        save_screenshot_copy(shot)

    await play_as(page, "Bob")
    await page.locator("#tab-private").click()
    await say(page, "/language ru")
    await expect(bot_message(page, "Русский")).to_be_visible(timeout=WAIT)
    await say(page, "/help")
    await expect(bot_message(page, re.compile("команды", re.IGNORECASE))).to_be_visible(
        timeout=WAIT
    )


@pytest.mark.parametrize("runtime", ["aiogram"])
async def test_names_and_texts_with_html_are_shown_as_text(page: Page) -> None:
    name = '<img src=x onerror="window.hacked=1"><b>Eve</b>'
    await page.locator("details:has(#member-form) > summary").click()
    await page.locator("#member-form input[name=first_name]").fill(name)
    await page.locator("#member-form button[type=submit]").click()
    await expect(page.locator("#playing-name")).to_have_text(name)
    await expect(page.locator("#people-list .item-name", has_text="<b>Eve</b>")).to_be_visible()

    await say(page, "<i>not italic</i> & <script>window.hacked=2</script>")
    mine = page.locator("#messages li.mine").last
    await expect(mine).to_contain_text("<i>not italic</i> & <script>")
    assert await page.locator("#messages i, #people-list b, #messages script").count() == 0
    assert await page.evaluate("window.hacked") is None


@pytest.mark.parametrize("runtime", ["aiogram"])
async def test_refusals_show_up_as_a_notice_and_the_page_keeps_working(page: Page) -> None:
    await expect(page.locator("#playing-name")).to_have_text("Alice")
    await say_raw(page, "x" * 5000)
    notice = page.locator("#notice")
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text("Bad Request: message is too long")
    await say(page, "/help")
    await expect(bot_message(page, "commands")).to_be_visible(timeout=WAIT)
    await expect(notice).to_be_hidden()


async def say_raw(page: Page, text: str) -> None:
    """Type and send without expecting the input to clear (the server may refuse)."""
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")


def wall_clock(iso: str, zone: str) -> str:
    """What en-US shows for ``iso`` in ``zone`` with timeStyle "short": "9:05 AM"."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return moment.strftime("%I:%M %p").lstrip("0")


async def shown(locator: Locator) -> str:
    """Text as a person reads it: ICU puts a narrow no-break space before AM/PM."""
    return ((await locator.text_content()) or "").replace("\u202f", " ")


@pytest.mark.parametrize("runtime", ["aiogram"])
async def test_the_page_shows_the_bots_kinds_and_the_communitys_time(
    page: Page, sandbox: Sandbox
) -> None:
    """Carmen is a worker only once she has told the bot; stamps and clock speak Berlin time."""
    carmen = page.locator("#people-list .person", has_text="Carmen").locator(".item-meta")
    bob = page.locator("#people-list .person", has_text="Bob").locator(".item-meta")
    clock = page.locator("#clock-now")
    await expect(clock).to_contain_text("UTC")
    await expect(carmen).not_to_contain_text("worker")

    await say(page, "/setup Europe/Berlin")
    setup = bot_message(page, "is now a Courtyard community")
    await expect(setup).to_be_visible(timeout=WAIT)
    berlin = sandbox.clock.now().astimezone(ZoneInfo("Europe/Berlin")).tzname()
    assert berlin in ("CET", "CEST")
    await expect(clock).to_contain_text(berlin, timeout=WAIT)
    assert await clock.get_attribute("title") == "Europe/Berlin"
    now = await clock.get_attribute("datetime")
    assert now is not None and wall_clock(now, "Europe/Berlin") in await shown(clock)
    stamp = setup.locator(".meta time")
    iso = await stamp.get_attribute("datetime")
    assert iso is not None and await shown(stamp) == wall_clock(iso, "Europe/Berlin")

    await expect(bob).to_contain_text("not on the roster", timeout=WAIT)
    await play_as(page, "Carmen")
    await say(page, "/join")
    await expect(bot_message(page, "Carmen is now listed as a worker")).to_be_visible(timeout=WAIT)
    await expect(carmen).to_contain_text("worker")
    alice = page.locator("#people-list .person", has_text="Alice").locator(".item-meta")
    await expect(alice).to_contain_text("resident")

    # The date field is Berlin's wall time: 09:00 there is where the clock lands.
    date = page.locator("#clock-date")
    day = (sandbox.clock.now().astimezone(ZoneInfo("Europe/Berlin")) + timedelta(days=2)).date()
    await date.fill(f"{day.isoformat()}T09:00")
    await page.locator("#clock-form button[type=submit]").click()
    await expect(page.locator("#toasts .toast").last).to_contain_text("9:", timeout=WAIT)
    landed = sandbox.clock.now().astimezone(ZoneInfo("Europe/Berlin"))
    assert (landed.date(), landed.hour) == (day, 9)
