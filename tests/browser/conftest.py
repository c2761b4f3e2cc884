"""A headless Chromium and a running sandbox for the browser stories.

Chromium comes from the system (Debian's ``chromium``), never from Playwright's own
download, which cannot work offline. Where it is missing the stories are skipped — loudly:
the reason is in each skip and a warning line heads the test report, because a silently
skipped browser suite looks exactly like a passing one.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox.run import Sandbox
from bot.settings import Settings

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

CHROMIUM = Path(os.environ.get("COURTYARD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # the suite runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def chromium_missing() -> str | None:
    """Why the browser stories cannot run here, or ``None`` when they can."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return (
            f"Chromium not found at {CHROMIUM} (install Debian's 'chromium' package or set "
            "COURTYARD_CHROMIUM): the sandbox page was NOT tested in a browser"
        )
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed: the sandbox page was NOT tested"
    return None


def pytest_report_header() -> str:
    missing = chromium_missing()
    if missing:
        return f"WARNING: browser stories will be SKIPPED: {missing}"
    return f"browser stories: Chromium at {CHROMIUM}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    missing = chromium_missing()
    if missing:
        terminalreporter.write_line(f"WARNING: browser stories SKIPPED: {missing}", red=True)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    missing = chromium_missing()
    if missing:
        pytest.skip(missing)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture(params=["aiogram", "ptb"])
def runtime(request: pytest.FixtureRequest) -> Literal["aiogram", "ptb"]:
    name: Literal["aiogram", "ptb"] = request.param
    return name


@pytest.fixture
async def sandbox(
    runtime: Literal["aiogram", "ptb"], database_url: str, engine: AsyncEngine
) -> AsyncIterator[Sandbox]:
    """The whole sandbox in this process, on the test database (wiped by ``engine``)."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=None,
        database_url=database_url,
        runtime=runtime,
        sandbox_host="127.0.0.1",
    )
    sandbox = Sandbox(settings, world_file=None, port=0)
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.stop()


@pytest.fixture
async def page(browser: Browser, sandbox: Sandbox) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(sandbox.url)
    try:
        yield page
    finally:
        await context.close()
    assert not errors, f"the page raised JavaScript errors: {errors}"


def save_screenshot_copy(source: Path) -> None:
    """The README's picture is refreshed only on request (COURTYARD_UPDATE_SCREENSHOT=1)."""
    if os.environ.get("COURTYARD_UPDATE_SCREENSHOT") == "1":
        target = Path(__file__).resolve().parents[2] / "bot" / "sandbox" / "static"
        shutil.copyfile(source, target / "screenshot.png")
