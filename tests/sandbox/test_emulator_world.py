"""The emulator's world as data: export, JSON, import into another emulator, and refusals."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.sandbox import EmuChat, Emulator, EmulatorError, EmuUser
from tests.sandbox import tiny_png

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class World:
    """A running emulator with a group, private chats and a bot that has been busy."""

    emu: Emulator
    session: aiohttp.ClientSession
    alice: EmuUser
    bob: EmuUser
    carol: EmuUser
    group: EmuChat

    async def bot(self, method: str, **params: Any) -> dict[str, Any]:
        url = f"{self.emu.base_url}/bot{self.emu.token}/{method}"
        async with self.session.post(url, json=params) as response:
            body = await response.json()
        assert body["ok"], body
        result: dict[str, Any] = body["result"]
        return result

    async def upload(self, method: str, field: str, chat_id: int, data: bytes, name: str) -> int:
        form = aiohttp.FormData()
        form.add_field("chat_id", str(chat_id))
        form.add_field("caption", f"<i>{name}</i>")
        form.add_field("parse_mode", "HTML")
        form.add_field(field, data, filename=name)
        url = f"{self.emu.base_url}/bot{self.emu.token}/{method}"
        async with self.session.post(url, data=form) as response:
            body = await response.json()
        assert body["ok"], body
        return int(body["result"]["message_id"])


async def _started(clock: Callable[[], datetime]) -> Emulator:
    emulator = Emulator(clock=clock)
    await emulator.start()
    return emulator


@pytest.fixture
async def world() -> AsyncIterator[World]:
    now = [NOW]
    emu = await _started(lambda: now[0])
    async with aiohttp.ClientSession() as session:
        try:
            alice = emu.add_user("Alice", username="alice")
            bob = emu.add_user("Bob", last_name="Builder", language_code="de")
            carol = emu.add_user("Carol", language_code=None)
            group = emu.add_group("Maple Court", admins=[alice], members=[bob], bot_added_by=alice)
            scene = World(emu, session, alice, bob, carol, group)

            await emu.join(carol, group)
            await emu.send_text(alice, emu.private_chat(alice), "/start")
            said = await emu.send_text(bob, group, "hello all")
            now[0] += timedelta(minutes=5)
            await emu.edit_text(bob, said, "hello everyone")
            keyboard = {
                "inline_keyboard": [
                    [{"text": "Yes", "callback_data": "vote:yes"}],
                    [{"text": "Site", "url": "https://example.org/"}],
                ]
            }
            asked = await scene.bot(
                "sendMessage",
                chat_id=group.id,
                text="<b>Vote</b> &amp; win",
                parse_mode="HTML",
                reply_markup=keyboard,
            )
            await scene.bot(
                "editMessageText",
                chat_id=group.id,
                message_id=asked["message_id"],
                text="<b>Vote</b> now",
                parse_mode="HTML",
                reply_markup=keyboard,
            )
            await emu.press(bob, emu.bot_messages(group)[-1], "vote:yes")
            doomed = await scene.bot("sendMessage", chat_id=group.id, text="oops")
            await scene.bot("deleteMessage", chat_id=group.id, message_id=doomed["message_id"])
            await scene.upload("sendPhoto", "photo", group.id, tiny_png(4, 5), "chart.png")
            await scene.upload("sendDocument", "document", alice.id, b"a,b\n1,2\n", "fund.csv")
            await emu.block_bot(carol)
            await emu.leave(bob, group)
            yield scene
        finally:
            await emu.stop()


def _round_trip(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data))


async def test_a_world_survives_export_json_and_import(world: World) -> None:
    emu = world.emu
    exported = emu.export_world()
    data = _round_trip(exported)
    assert data == exported  # JSON-ready: nothing changes shape on the way

    twin = Emulator(clock=lambda: NOW)
    twin.add_user("Someone Else")  # replaced, not merged
    twin.import_world(data)

    assert twin.snapshot() == emu.snapshot()
    assert twin.export_world() == exported
    assert [u.name for u in twin.users] == ["Alice", "Bob Builder", "Carol"]
    assert twin.get_user(world.carol.id).blocked_bot
    assert twin.get_user(world.alice.id).started_bot
    group = twin.get_chat(world.group.id)
    assert (group.title, group.owner_id, group.bot_status) == (
        "Maple Court",
        world.alice.id,
        "administrator",
    )
    assert group.members == {world.alice.id, world.carol.id}

    messages = twin.messages(group)
    by_bob = next(m for m in messages if m.from_user == world.bob.id and m.text)
    assert (by_bob.text, by_bob.edited, by_bob.edit_date) == (
        "hello everyone",
        True,
        NOW + timedelta(minutes=5),
    )
    vote = next(m for m in messages if m.text == "Vote now")
    assert vote.edited and vote.html == "<b>Vote</b> now"
    assert vote.buttons == [[("Yes", "vote:yes")], [("Site", "https://example.org/")]]
    assert vote.button_data("Yes") == "vote:yes"
    assert not any(m.text == "oops" for m in messages)
    deleted = [m for m in data["messages"] if m["deleted"]]
    assert [m["text"] for m in deleted] == ["oops"]
    assert messages[-1].left_chat_member == world.bob.id
    photo = next(m for m in messages if m.photo is not None)
    assert photo.photo == tiny_png(4, 5) and photo.caption_html == "<i>chart.png</i>"
    (document,) = [m for m in twin.messages(world.alice.id) if m.document is not None]
    assert document.document is not None
    assert (document.document.filename, document.document.data) == ("fund.csv", b"a,b\n1,2\n")
    assert document.document.mime == "text/csv"
    assert twin.file_bytes("photos/file_1.jpg") == tiny_png(4, 5)


async def test_ids_continue_after_an_imported_world(world: World) -> None:
    emu = world.emu
    vote = next(m for m in emu.bot_messages(world.group) if m.buttons)
    old_query = int(await emu.press(world.alice, vote, "vote:yes"))
    data = _round_trip(emu.export_world())
    old_messages = {(m["chat_id"], m["message_id"]) for m in data["messages"]}
    old_files = {(f["file_id"], f["file_path"]) for f in data["files"]}

    twin = await _started(lambda: NOW)
    try:
        twin.import_world(data)
        scene = World(twin, world.session, world.alice, world.bob, world.carol, world.group)
        assert twin.add_user("Zoe").id not in {u.id for u in emu.users}
        assert twin.add_group("New Court").id not in {c.id for c in emu.chats}
        said = await twin.send_text(world.alice.id, world.group.id, "still here")
        assert (world.group.id, said.message_id) not in old_messages
        assert said.message_id == max(m for c, m in old_messages if c == world.group.id) + 1
        sent = await scene.upload("sendPhoto", "photo", world.group.id, tiny_png(), "more.png")
        (stored,) = [m for m in twin.messages(world.group.id) if m.message_id == sent]
        new_files = {(f["file_id"], f["file_path"]) for f in twin.export_world()["files"]}
        (added,) = new_files - old_files
        assert added[0] == stored.file_id
        assert added[0] not in {file_id for file_id, _ in old_files}
        assert twin.file_bytes(added[1]) == tiny_png()
        vote = next(m for m in twin.bot_messages(world.group.id) if m.buttons)
        assert int(await twin.press(world.alice.id, vote, "vote:yes")) > old_query
    finally:
        await twin.stop()


async def test_new_files_skip_numbers_an_imported_world_uses(world: World) -> None:
    await world.upload("sendPhoto", "photo", world.group.id, tiny_png(2, 2), "second.png")
    data = _round_trip(world.emu.export_world())
    first = data["files"][0]
    data["files"] = data["files"][1:]
    data["messages"] = [m for m in data["messages"] if m["file_id"] != first["file_id"]]
    twin = await _started(lambda: NOW)
    try:
        twin.import_world(data)
        scene = World(twin, world.session, world.alice, world.bob, world.carol, world.group)
        before = {f["file_path"]: f["data"] for f in data["files"]}
        await scene.upload("sendPhoto", "photo", world.group.id, tiny_png(3, 3), "third.png")
        after = {f["file_path"]: f["data"] for f in twin.export_world()["files"]}
        assert len(after) == len(before) + 1  # a new file, not one taking an old number
        assert all(after[path] == encoded for path, encoded in before.items())
    finally:
        await twin.stop()


def test_export_and_import_share_nothing_with_the_caller(world: World) -> None:
    exported = world.emu.export_world()
    vote = next(m for m in exported["messages"] if m["buttons"])
    vote["reply_markup"]["inline_keyboard"].clear()
    exported["users"][0]["first_name"] = "Mallory"
    assert world.emu.users[0].first_name == "Alice"
    assert next(m for m in world.emu.bot_messages(world.group) if m.buttons).reply_markup

    data = _round_trip(world.emu.export_world())
    twin = Emulator(clock=lambda: NOW)
    twin.import_world(data)
    next(m for m in data["messages"] if m["buttons"])["entities"].append({"type": "bold"})
    assert twin.export_world() == world.emu.export_world()


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.pop(key)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set ``data[a][b]...`` for a dotted path; numbers index lists."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _message_with(key: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        message = next(m for m in data["messages"] if m[key])
        message[key] = {"file_id": "AgACnope", "buttons": [["only a label"]]}[key]

    return change


def _duplicate(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data[key].append(copy.deepcopy(data[key][0]))


MALFORMED: dict[str, Callable[[dict[str, Any]], None]] = {
    "no users": _drop("users"),
    "no next_user_id": _drop("next_user_id"),
    "users not a list": _set("users", {"1": "Alice"}),
    "a user that is a string": _set("users.0", "Alice"),
    "a user id as text": _set("users.0.id", "7000000001"),
    "a user id that is a bool": _set("users.0.id", True),
    "a user id that is the bot's": _set("users.0.id", 123456),
    "a nameless user": _set("users.0.first_name", None),
    "a flag that is not a bool": _set("users.0.started_bot", "yes"),
    "a duplicate user": _duplicate("users"),
    "a duplicate chat": _duplicate("chats"),
    "a channel": _set("chats.0.type", "channel"),
    "an unknown bot status": _set("chats.0.bot_status", "owner"),
    "a member nobody knows": _set("chats.0.members", [1, 2]),
    "an admin who is no member": _set("chats.0.admins", [7_000_000_002]),
    "a private chat of nobody": _set("chats.1.user_id", 42),
    "a message in an unknown chat": _set("messages.0.chat_id", -5),
    "a message from nobody": _set("messages.0.from_user", 42),
    "a duplicate message": _duplicate("messages"),
    "a date without offset": _set("messages.0.date", "2026-03-02T09:00:00"),
    "a date that is no date": _set("messages.0.date", "yesterday"),
    "a message showing an unknown file": _message_with("file_id"),
    "malformed buttons": _message_with("buttons"),
    "entities that are not objects": _set("messages.0.entities", ["bold"]),
    "file data that is not base64": _set("files.0.data", "not base64!"),
    "an unknown file kind": _set("files.0.kind", "video"),
    "a duplicate file": _duplicate("files"),
    "message counters with a bad key": _set("next_message_ids", {"general": 3}),
    "a positive group counter": _set("next_group_id", 5),
    "a query counter as text": _set("next_query", "4000000000000000002"),
}


@pytest.mark.parametrize("damage", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_worlds_are_refused_and_change_nothing(
    world: World, damage: Callable[[dict[str, Any]], None]
) -> None:
    data = _round_trip(world.emu.export_world())
    damage(data)
    twin = Emulator(clock=lambda: NOW)
    twin.add_user("Before", user_id=99)
    before = twin.export_world()
    with pytest.raises(EmulatorError):
        twin.import_world(data)
    assert twin.export_world() == before


@pytest.mark.parametrize("data", [[], "world", None, 3])
def test_a_world_must_be_an_object(data: Any) -> None:
    with pytest.raises(EmulatorError, match="expected an object"):
        Emulator().import_world(data)


def test_an_error_names_the_bad_field(world: World) -> None:
    data = _round_trip(world.emu.export_world())
    data["users"][1]["id"] = "bob"
    with pytest.raises(EmulatorError, match=r"users\[1\]\.id: expected an integer, got 'bob'"):
        Emulator().import_world(data)


def test_an_empty_world_round_trips() -> None:
    empty = Emulator().export_world()
    twin = Emulator()
    twin.import_world(_round_trip(empty))
    assert twin.export_world() == empty and twin.snapshot() == Emulator().snapshot()


async def test_link_preview_options_survive_the_round_trip(world: World) -> None:
    """A button under an imported message must still carry what Telegram echoed."""
    sent = await world.bot(
        "sendMessage",
        chat_id=world.group.id,
        text="No preview https://example.org",
        link_preview_options={"is_disabled": True},
    )
    twin = Emulator(clock=lambda: NOW)
    twin.import_world(_round_trip(world.emu.export_world()))
    (message,) = [m for m in twin.messages(world.group.id) if m.message_id == sent["message_id"]]
    assert message.link_preview_options == {"is_disabled": True}
