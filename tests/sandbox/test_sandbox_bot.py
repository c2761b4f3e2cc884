"""The sandbox with the real bot: the page says what the bot says.

Carmen and Wei work at Maple Court, but to the bot everyone is a resident until they say
``/iam worker`` — so they say it, once they are on the roster, and the page shows the
roster's kinds. After ``/setup Europe/Berlin`` the page's clock and stamps speak Berlin time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox import EmuChat, EmuMessage, EmuUser
from bot.sandbox.run import Sandbox
from bot.settings import Settings

WAIT = 10.0


@pytest.fixture
async def sandbox(database_url: str, engine: AsyncEngine) -> AsyncIterator[Sandbox]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=None,
        database_url=database_url,
        runtime="aiogram",
        sandbox_host="127.0.0.1",
    )
    sandbox = Sandbox(settings, world_file=None, port=0)
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.stop()


def person(sandbox: Sandbox, name: str) -> EmuUser:
    return next(user for user in sandbox.emulator.users if user.name == name)


def maple_court(sandbox: Sandbox) -> EmuChat:
    return next(chat for chat in sandbox.emulator.chats if not chat.is_private)


async def says(sandbox: Sandbox, name: str, text: str, answer: str) -> EmuMessage:
    """``name`` writes ``text`` in the group; waits for the bot's reply containing ``answer``."""
    group = maple_court(sandbox)
    sent = await sandbox.emulator.send_text(person(sandbox, name), group, text)
    return await sandbox.emulator.wait_for_bot_message(
        group, lambda m: answer in (m.text or ""), since=sent.message_id, timeout=WAIT
    )


async def eventually(check: Callable[[], bool]) -> None:
    for _ in range(int(WAIT * 20)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition did not come true in time")


def roster(sandbox: Sandbox) -> dict[int, str]:
    """The kinds the page has for Maple Court (empty while it is not a community)."""
    assert sandbox.web is not None
    facts = sandbox.web.communities.get(maple_court(sandbox).id)
    return facts.kinds if facts else {}


def said_by(sandbox: Sandbox, name: str, text: str) -> list[EmuMessage]:
    user = person(sandbox, name)
    return [
        m
        for m in sandbox.emulator.messages(maple_court(sandbox))
        if m.from_user == user.id and m.text == text
    ]


async def next_event(socket: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = await socket.receive_json(timeout=WAIT)
        if event["type"] == kind:
            return event


async def test_carmen_and_wei_say_they_are_workers_once_on_the_roster(sandbox: Sandbox) -> None:
    await says(sandbox, "Alice", "/setup", "is now a Courtyard community")
    await says(sandbox, "Carmen", "/join", "Welcome, Carmen")
    await sandbox.emulator.wait_for_bot_message(
        maple_court(sandbox),
        lambda m: "Carmen is now listed as a worker" in (m.text or ""),
        timeout=WAIT,
    )
    assert len(said_by(sandbox, "Carmen", "/iam worker")) == 1
    assert not said_by(sandbox, "Alice", "/iam resident")  # the bot had her right already
    assert not said_by(sandbox, "Wei", "/iam worker")  # not on the roster yet

    await says(sandbox, "Bob", "/join", "Welcome, Bob")
    members = await says(sandbox, "Bob", "/members", "3 members")
    assert "Carmen — worker" in (members.text or "") and "Bob — resident" in (members.text or "")

    # The page has the bot's roster, the same rows /members read.
    ids = {name: person(sandbox, name).id for name in ("Alice", "Bob", "Carmen")}
    await eventually(lambda: ids["Bob"] in roster(sandbox))
    assert roster(sandbox) == {
        ids["Alice"]: "resident",
        ids["Bob"]: "resident",
        ids["Carmen"]: "worker",
    }

    # A kind changed by hand stays changed: the sandbox does not insist.
    await says(sandbox, "Carmen", "/iam resident", "Carmen is now listed as a resident")
    await asyncio.sleep(0.5)
    assert len(said_by(sandbox, "Carmen", "/iam worker")) == 1


async def test_a_member_added_as_a_worker_tells_the_bot_so(sandbox: Sandbox) -> None:
    await says(sandbox, "Alice", "/setup", "is now a Courtyard community")
    group = maple_court(sandbox)
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            sandbox.url + "api/users",
            json={
                "first_name": "Dmitri",
                "language_code": "ru",
                "kind": "worker",
                "group_id": group.id,
            },
        )
        dmitri = (await response.json())["result"]
    await sandbox.emulator.wait_for_bot_message(
        group, lambda m: "Dmitri is now listed as a worker" in (m.text or ""), timeout=WAIT
    )
    assert len(said_by(sandbox, "Dmitri", "/iam worker")) == 1
    await eventually(lambda: roster(sandbox).get(dmitri["id"]) == "worker")


async def test_the_page_learns_the_communitys_time_zone_from_the_bot(sandbox: Sandbox) -> None:
    group = maple_court(sandbox)
    async with aiohttp.ClientSession() as session:
        socket = await session.ws_connect(sandbox.url + "api/live")
        snapshot = await socket.receive_json(timeout=WAIT)
        assert snapshot["communities"].get(str(group.id)) is None
        assert snapshot["clock"]["zones"] == {"UTC": "UTC"}

        await says(sandbox, "Alice", "/setup Europe/Berlin", "Europe/Berlin")
        event = await next_event(socket, "community")
        while event["community"] is None:  # the read made at start may arrive after the snapshot
            event = await next_event(socket, "community")
        assert event["chat_id"] == group.id
        assert event["community"]["timezone"] == "Europe/Berlin"
        clock = (await next_event(socket, "clock"))["clock"]
        berlin = sandbox.clock.now().astimezone(ZoneInfo("Europe/Berlin")).tzname()
        assert berlin in ("CET", "CEST")
        assert clock["zones"] == {"Europe/Berlin": berlin, "UTC": "UTC"}
        await socket.close()
