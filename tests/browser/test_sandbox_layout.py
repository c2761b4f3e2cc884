"""The page's layout, measured: on a laptop in Chinese and on a phone, nothing overlaps.

The header stays one row at 1280 px whatever the language; on a 390 px phone it takes at most
a fifth of the screen and the clock's date field is whole; a toast never covers the buttons
whose press it answers.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

import pytest

from bot.sandbox.run import Sandbox
from tests.browser.conftest import ARTIFACTS

if TYPE_CHECKING:
    from playwright.async_api import Browser, Locator, Page

expect = pytest.importorskip(
    "playwright.async_api",
    reason="the playwright package is not installed: the sandbox page was NOT tested",
).expect

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("runtime", ["aiogram"])]

WAIT = 15_000
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
#: The header's controls, each of which must be whole, visible and apart from the others.
HEADER_CONTROLS = (
    "#sidebar-toggle",
    ".brand h1",
    "#clock-now",
    "#plus-hour",
    "#plus-day",
    "#clock-date",
    "#clock-form button[type=submit]",
    "#ui-language",
)


async def open_page(
    browser: Browser, sandbox: Sandbox, viewport: dict[str, int], lang: str
) -> Page:
    context = await browser.new_context(
        viewport={"width": viewport["width"], "height": viewport["height"]},
        locale="en-US",
        is_mobile=viewport is PHONE,
        has_touch=viewport is PHONE,
    )
    page = await context.new_page()
    await page.goto(sandbox.url + f"?lang={lang}")
    await expect(page.locator("#chat-title")).to_have_text("Maple Court", timeout=WAIT)
    return page


async def box(locator: Locator) -> dict[str, float]:
    found = await locator.bounding_box()
    assert found is not None, f"{locator} is not displayed"
    return {key: found[key] for key in ("x", "y", "width", "height")}


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


async def header_controls(page: Page) -> dict[str, dict[str, float]]:
    boxes = {}
    for selector in HEADER_CONTROLS:
        control = page.locator(selector)
        if await control.is_visible():
            boxes[selector] = await box(control)
    return boxes


async def assert_whole_and_apart(page: Page, boxes: dict[str, dict[str, float]]) -> None:
    viewport = page.viewport_size
    assert viewport is not None
    for selector, found in boxes.items():
        assert found["x"] >= 0 and found["x"] + found["width"] <= viewport["width"] + 0.5, selector
        # Nothing clips it: the control itself is what is under its middle.
        under = await page.evaluate(
            "([x, y, selector]) => document.elementFromPoint(x, y)?.closest(selector) !== null",
            [found["x"] + found["width"] / 2, found["y"] + found["height"] / 2, selector],
        )
        assert under, f"{selector} is covered or clipped"
    for (first, a), (second, b) in itertools.combinations(boxes.items(), 2):
        assert not overlap(a, b), (first, second)


async def assert_clipped_by_nothing(page: Page, selector: str) -> None:
    """The element's whole box shows: no ancestor with overflow hidden cuts it."""
    cut = await page.locator(selector).evaluate(
        """element => {
            const own = element.getBoundingClientRect();
            for (let node = element.parentElement; node; node = node.parentElement) {
                const style = getComputedStyle(node);
                if (style.overflowX === "visible" && style.overflowY === "visible") continue;
                const outer = node.getBoundingClientRect();
                if (own.left < outer.left - 0.5 || own.right > outer.right + 0.5
                    || own.top < outer.top - 0.5 || own.bottom > outer.bottom + 0.5) return node.className;
            }
            return null;
        }"""
    )
    assert cut is None, f"{selector} is cut by .{cut}"


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"layout-{name}.png"))


@pytest.mark.parametrize("lang", ["en", "ru", "zh_Hans"])
async def test_on_a_laptop_the_header_is_one_row_in_every_language(
    browser: Browser, sandbox: Sandbox, lang: str
) -> None:
    page = await open_page(browser, sandbox, LAPTOP, lang)
    try:
        await shot(page, f"laptop-{lang}")
        boxes = await header_controls(page)
        await assert_whole_and_apart(page, boxes)
        header = await box(page.locator(".topbar"))
        rows = [await box(page.locator(part)) for part in (".brand", ".clock", ".ui-language")]
        lowest_top = max(part["y"] for part in rows)
        highest_bottom = min(part["y"] + part["height"] for part in rows)
        assert lowest_top < highest_bottom, "the header wrapped onto a second row"
        assert header["height"] <= 0.2 * LAPTOP["height"]
    finally:
        await page.context.close()


@pytest.mark.parametrize("lang", ["en", "ru", "zh_Hans"])
async def test_on_a_phone_the_header_is_small_and_the_date_field_whole(
    browser: Browser, sandbox: Sandbox, lang: str
) -> None:
    page = await open_page(browser, sandbox, PHONE, lang)
    try:
        await shot(page, f"phone-{lang}")
        header = await box(page.locator(".topbar"))
        assert header["height"] <= 0.2 * PHONE["height"], f"header is {header['height']} px tall"
        boxes = await header_controls(page)
        assert "#clock-date" in boxes, "the date field is not shown"
        await assert_whole_and_apart(page, boxes)
        await assert_clipped_by_nothing(page, "#clock-date")
        date = boxes["#clock-date"]
        assert (
            date["y"] >= header["y"]
            and date["y"] + date["height"] <= header["y"] + header["height"]
        )
        widths = await page.locator("#clock-date").evaluate(
            """field => {  // a twin at its natural width: what the date and time need
                const twin = field.cloneNode();
                Object.assign(twin.style, { width: "auto", flex: "none", minWidth: "0" });
                field.parentElement.append(twin);
                const natural = twin.getBoundingClientRect().width;
                twin.remove();
                return [field.getBoundingClientRect().width, natural];
            }"""
        )
        assert widths[0] >= widths[1] - 1, f"the date field is cut: {widths[0]} of {widths[1]} px"
    finally:
        await page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
async def test_a_toast_does_not_cover_the_buttons_it_answers(
    browser: Browser, sandbox: Sandbox, viewport: dict[str, int]
) -> None:
    page = await open_page(browser, sandbox, viewport, "en")
    try:
        text = page.locator("#text")
        for command in ("/setup", "/need Fix the gate"):
            await text.fill(command)
            await text.press("Enter")
        need = page.locator("#messages li.from-bot", has_text="Fix the gate").last
        support = need.get_by_role("button", name=re.compile("Support"))
        await support.click(timeout=WAIT)
        toast = page.locator("#toasts .toast").last
        await expect(toast).to_contain_text("You support need #1", timeout=WAIT)
        await shot(page, f"toast-{'phone' if viewport is PHONE else 'laptop'}")
        keys = await box(need.locator(".keyboard"))
        assert not overlap(await box(toast), keys), "the toast covers the buttons"
        composer = await box(page.locator("#composer"))
        assert not overlap(await box(toast), composer), "the toast covers the composer"
    finally:
        await page.context.close()
