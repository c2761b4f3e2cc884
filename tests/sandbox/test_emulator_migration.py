"""A basic group that becomes a supergroup, as Telegram tells the bot and refuses it after."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from bot.sandbox import Emulator, EmulatorError
from bot.sandbox.emulator_state import GROUP_ANONYMOUS_BOT_ID

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

Call = Callable[..., Coroutine[Any, Any, tuple[int, dict[str, Any]]]]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator(clock=lambda: NOW)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def call(emu: Emulator) -> AsyncIterator[Call]:
    async with aiohttp.ClientSession() as http:

        async def invoke(method: str, **params: Any) -> tuple[int, dict[str, Any]]:
            async with http.post(f"{emu.base_url}/bot{emu.token}/{method}", json=params) as r:
                return r.status, await r.json()

        yield invoke


async def test_the_group_says_where_it_went_and_the_supergroup_where_it_came_from(
    emu: Emulator, call: Call
) -> None:
    alice, bob = emu.add_user("Alice"), emu.add_user("Bob")
    group = emu.add_group("Maple Court", admins=[alice], members=[bob], supergroup=False)
    assert group.type == "group" and not str(group.id).startswith("-100")
    status, sent = await call("sendMessage", chat_id=group.id, text="Hello, group")
    assert status == 200 and sent["result"]["chat"]["type"] == "group"
    await call("getUpdates", offset=-1)

    supergroup = await emu.upgrade_to_supergroup(group)

    assert str(supergroup.id).startswith("-100")
    assert (supergroup.title, supergroup.members, supergroup.owner_id) == (
        "Maple Court",
        {alice.id, bob.id},
        alice.id,
    )
    _, body = await call("getUpdates")
    farewell, welcome = (update["message"] for update in body["result"])
    assert farewell["chat"] == {"id": group.id, "type": "group", "title": "Maple Court"}
    assert farewell["from"]["id"] == alice.id
    assert farewell["migrate_to_chat_id"] == supergroup.id
    assert welcome["message_id"] == 1
    assert welcome["chat"]["id"] == welcome["sender_chat"]["id"] == supergroup.id
    assert welcome["from"] == {
        "id": GROUP_ANONYMOUS_BOT_ID,
        "is_bot": True,
        "first_name": "Group",
        "username": "GroupAnonymousBot",
    }
    assert welcome["migrate_from_chat_id"] == group.id

    status, refused = await call("sendMessage", chat_id=group.id, text="Still here?")
    assert (status, refused) == (
        400,
        {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: group chat was upgraded to a supergroup chat",
            "parameters": {"migrate_to_chat_id": supergroup.id},
        },
    )
    status, _ = await call("sendMessage", chat_id=supergroup.id, text="Hello, supergroup")
    assert status == 200
    with pytest.raises(EmulatorError, match="upgraded"):
        await emu.send_text(bob, group, "hello?")
    with pytest.raises(EmulatorError, match="basic group"):
        await emu.upgrade_to_supergroup(group)
    with pytest.raises(EmulatorError, match="basic group"):
        await emu.upgrade_to_supergroup(supergroup)


async def test_a_bot_without_admin_rights_still_sees_the_upgrade(emu: Emulator, call: Call) -> None:
    """Service messages reach a bot in privacy mode; that is how it learns the new id."""
    alice = emu.add_user("Alice")
    group = emu.add_group("Maple Court", admins=[alice], bot_is_admin=False, supergroup=False)
    await emu.upgrade_to_supergroup(group, by=alice)
    _, body = await call("getUpdates")
    assert [("migrate_to_chat_id" in u["message"]) for u in body["result"]] == [True, False]


async def test_a_kicked_bot_hears_the_basic_groups_own_words(emu: Emulator, call: Call) -> None:
    group = emu.add_group("Maple Court", admins=[emu.add_user("Alice")], supergroup=False)
    await emu.remove_bot(group)
    _, body = await call("sendMessage", chat_id=group.id, text="hi")
    assert body["description"] == "Forbidden: bot was kicked from the group chat"


async def test_an_upgraded_group_survives_export_and_import(emu: Emulator, call: Call) -> None:
    alice = emu.add_user("Alice")
    group = emu.add_group("Maple Court", admins=[alice], supergroup=False)
    supergroup = await emu.upgrade_to_supergroup(group)
    exported = emu.export_world()
    twin = Emulator(clock=lambda: NOW)
    twin.import_world(json.loads(json.dumps(exported)))
    assert twin.export_world() == exported
    assert twin.get_chat(group.id).migrated_to == supergroup.id
    assert twin.add_group("Elm Court", supergroup=False).id == group.id - 1

    broken = json.loads(json.dumps(exported))
    old = next(chat for chat in broken["chats"] if chat["id"] == group.id)
    old["migrated_to"] = group.id  # a group cannot become itself
    with pytest.raises(EmulatorError, match="migrated_to"):
        Emulator().import_world(broken)
    older = json.loads(json.dumps(exported))
    del older["next_basic_group_id"]  # a world saved before basic groups existed
    Emulator().import_world(older)
