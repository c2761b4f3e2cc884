"""The emulator answers as the Bot API description says Telegram does, and drift fails a test.

tests/conftest.py holds every answer of every emulator against tests/botapi (the pinned
description); these tests make sure that net has no holes: every method the emulator
implements and every kind of update it makes is exercised once, and answers broken on
purpose are caught.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox import Emulator
from bot.sandbox.emulator_state import EmulatorState
from tests.botapi import Conformance
from tests.sandbox import tiny_png

pytest_plugins = ["pytester"]

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]

Call = Callable[..., Coroutine[Any, Any, Any]]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator(clock=lambda: NOW)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def call(emu: Emulator) -> AsyncIterator[Call]:
    """POST a method (JSON body, or multipart with ``files``); returns the result or fails."""
    async with aiohttp.ClientSession() as http:

        async def invoke(method: str, files: dict[str, bytes] | None = None, **params: Any) -> Any:
            url = f"{emu.base_url}/bot{emu.token}/{method}"
            if files:
                form = aiohttp.FormData()
                for key, value in params.items():
                    form.add_field(key, value if isinstance(value, str) else json.dumps(value))
                for key, data in files.items():
                    form.add_field(key, data, filename=f"{key}.png" if key == "photo" else "a.csv")
                request = http.post(url, data=form)
            else:
                request = http.post(url, json=params)
            async with request as response:
                body = await response.json()
            assert body["ok"], f"{method}: {body}"
            return body["result"]

        yield invoke


class Seen:
    """An observer beside the checker: which methods answered, which update kinds went out."""

    def __init__(self) -> None:
        self.methods: set[str] = set()
        self.updates: set[str] = set()

    def __call__(self, method: str, result: object) -> None:
        self.methods.add(method)
        if method == "getUpdates" and isinstance(result, list):
            self.updates.update(kind for update in result for kind in update if kind != "update_id")


async def test_every_method_and_update_kind_answers_as_the_description_says(
    emu: Emulator, call: Call, bot_api_conformance: Conformance
) -> None:
    seen = Seen()
    emu.observe(seen)
    olga, ann, bob = emu.add_user("Olga", username="olga"), emu.add_user("Ann"), emu.add_user("Bob")
    group = emu.add_group("Maple Court", admins=[olga], members=[ann], bot_added_by=olga)
    private = emu.private_chat(ann)

    await call("getMe")
    await call("setWebhook", url="https://example.org/hook", allowed_updates=["message"])
    assert (await call("getWebhookInfo"))["allowed_updates"] == ["message"]
    await call("deleteWebhook")
    await call("getWebhookInfo")
    await call("getUpdates", allowed_updates=["message", "callback_query", "chat_member"])
    await call("getUpdates", allowed_updates=[])  # back to the default set, my_chat_member too
    await call("getUpdates", allowed_updates=[*emu.allowed_updates, "chat_member"])

    hello = await emu.send_text(ann, group, "/start hello")
    sent = await call(
        "sendMessage",
        chat_id=group.id,
        text="<b>Poll</b> https://example.org",
        parse_mode="HTML",
        link_preview_options={"is_disabled": True},
        reply_markup={"inline_keyboard": [[{"text": "Yes", "callback_data": "v:1"}]]},
        reply_parameters={"message_id": hello.message_id},
    )
    assert sent["reply_to_message"]["message_id"] == hello.message_id
    assert sent["from"]["is_bot"] is True
    assert sent["link_preview_options"] == {"is_disabled": True}
    await call(
        "editMessageText",
        chat_id=group.id,
        message_id=sent["message_id"],
        text="Poll, edited",
        reply_markup={"inline_keyboard": [[{"text": "No", "callback_data": "v:0"}]]},
    )
    edited = await call(
        "editMessageReplyMarkup",
        chat_id=group.id,
        message_id=sent["message_id"],
        reply_markup={"inline_keyboard": [[{"text": "Yes", "callback_data": "v:1"}]]},
    )
    assert "edit_date" in edited and "reply_to_message" in edited
    photo = await call(
        "sendPhoto", files={"photo": tiny_png()}, chat_id=str(group.id), caption="Chart"
    )
    await call(
        "editMessageCaption",
        chat_id=group.id,
        message_id=photo["message_id"],
        caption="<i>Chart</i>",
        parse_mode="HTML",
    )
    await call("getFile", file_id=photo["photo"][-1]["file_id"])
    await emu.send_text(ann, private, "/start")
    document = await call("sendDocument", files={"document": b"a,b\n"}, chat_id=str(ann.id))
    await call("deleteMessage", chat_id=ann.id, message_id=document["message_id"])
    extra = await call("sendMessage", chat_id=ann.id, text="one more")
    await call("deleteMessages", chat_id=ann.id, message_ids=[extra["message_id"]])
    await call("sendChatAction", chat_id=group.id, action="typing")

    query = await emu.press(ann, emu.bot_messages(group)[0], "v:1")
    await call("answerCallbackQuery", callback_query_id=query, text="Counted")
    await emu.edit_text(ann, hello, "/start again")
    await emu.send_text(ann, group, "a reply", reply_to=emu.bot_messages(group)[0])
    await emu.join(bob, group)
    emu.set_admin(ann, group)
    await emu.leave(bob, group)
    emu.set_bot_admin(group, False)
    await emu.block_bot(ann)
    await emu.block_bot(ann, blocked=False)
    updates = await call("getUpdates")
    assert {kind for update in updates for kind in update} >= {"edited_message"}

    commands = [{"command": "help", "description": "What I can do"}]
    await call("setMyCommands", commands=commands, language_code="en")
    assert await call("getMyCommands", language_code="en") == commands
    await call("deleteMyCommands", language_code="en")
    for chat_id in (group.id, ann.id):
        await call("getChat", chat_id=chat_id)
        await call("getChatMemberCount", chat_id=chat_id)
    for user_id in (olga.id, ann.id, bob.id, emu.bot_id):
        await call("getChatMember", chat_id=group.id, user_id=user_id)
    await call("getChatMember", chat_id=ann.id, user_id=emu.bot_id)
    emu.set_bot_admin(group)
    await call("getChatAdministrators", chat_id=group.id)
    await emu.remove_bot(group)
    await call("getChatMember", chat_id=group.id, user_id=emu.bot_id)  # kicked
    await call("getUpdates", offset=updates[-1]["update_id"] + 1)

    assert bot_api_conformance.problems == []
    assert emu.implemented_methods <= seen.methods, "a method the tour does not call"
    assert seen.updates == {"message", "edited_message", "callback_query"} | {
        "chat_member",
        "my_chat_member",
    }


async def test_an_answer_with_a_field_telegram_never_sends_is_caught(
    emu: Emulator, call: Call, bot_api_conformance: Conformance, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = emu.add_user("Ann")
    await emu.send_text(ann, emu.private_chat(ann), "/start")
    await call("getUpdates", offset=-1)
    plain = EmulatorState.message_json

    def with_colour(self: EmulatorState, message: Any, *, with_reply: bool = True) -> Any:
        return {**plain(self, message, with_reply=with_reply), "colour": "green"}

    monkeypatch.setattr(EmulatorState, "message_json", with_colour)
    await call("sendMessage", chat_id=ann.id, text="hi")
    assert bot_api_conformance.problems == ["sendMessage().colour: unknown field of Message"]
    bot_api_conformance.problems.clear()  # provoked on purpose


async def test_an_administrator_without_its_rights_is_caught_as_one(
    emu: Emulator, call: Call, bot_api_conformance: Conformance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The union is judged by status: a bare "administrator" is not a fine ChatMemberMember."""
    monkeypatch.setattr(
        EmulatorState,
        "member_json",
        lambda self, chat, user_id, status=None: {
            "status": "administrator",
            "user": self.user_json(user_id),
        },
    )
    olga = emu.add_user("Olga")
    group = emu.add_group("Maple Court", admins=[olga])
    await call("getChatMember", chat_id=group.id, user_id=olga.id)
    problems = bot_api_conformance.problems
    assert problems and all(p.endswith("(as ChatMemberAdministrator)") for p in problems)
    assert problems[0].startswith("getChatMember().can_be_edited: required field")
    problems.clear()


async def test_an_update_that_drifted_is_caught_when_handed_out(
    emu: Emulator, call: Call, bot_api_conformance: Conformance
) -> None:
    update = {
        "message": {
            "message_id": 1,
            "date": 1_780_000_000,
            "chat": {"id": 5, "type": "private", "first_name": "Ann"},
            "text": 42,
        }
    }
    emu.inject_update(update)
    await call("getUpdates")
    assert bot_api_conformance.problems == [
        "getUpdates()[0].message.text: expected String, got int 42"
    ]
    bot_api_conformance.problems.clear()
    await call("getUpdates", offset=emu.pending_updates[-1]["update_id"] + 1)


def test_a_test_whose_emulator_drifted_fails_even_if_no_bot_fetched_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole net, run as pytest runs it: a drifted update left pending fails its test."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    pytester.makeconftest(
        "from tests.conftest import _every_emulator_observed, bot_api_conformance"
    )
    pytester.makepyfile(
        test_inner="""
        from bot.sandbox import Emulator

        MESSAGE = {"message_id": 1, "date": 5, "chat": {"id": 5, "type": "private"}}

        def test_fine():
            Emulator().inject_update({"message": MESSAGE})

        def test_drifted():
            Emulator().inject_update({"message": {**MESSAGE, "colour": "green"}})
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*the emulator answered unlike Telegram*", "*message.colour: unknown field of Message*"]
    )
