"""The emulator over raw HTTP: Telegram's answers, limits and refusals, and the scenario API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from bot.sandbox import Emulator, EmulatorError
from bot.sandbox.emulator_api import NOT_MODIFIED
from tests.sandbox import tiny_png

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

Call = Callable[..., Coroutine[Any, Any, tuple[int, dict[str, Any]]]]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator(clock=lambda: NOW)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def call(emu: Emulator, session: aiohttp.ClientSession) -> Call:
    """POST a Bot API method with a JSON body; returns (HTTP status, decoded answer)."""

    async def invoke(method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        url = f"{emu.base_url}/bot{emu.token}/{method}"
        async with session.post(url, json=params) as response:
            return response.status, await response.json()

    return invoke


def bad_request(reason: str) -> dict[str, Any]:
    return {"ok": False, "error_code": 400, "description": f"Bad Request: {reason}"}


async def test_get_me(call: Call) -> None:
    status, body = await call("getMe")
    assert status == 200
    assert body["ok"] is True
    assert body["result"]["id"] == 123456
    assert body["result"]["is_bot"] is True
    assert body["result"]["username"] == "CourtyardBot"


async def test_wrong_token_and_unknown_paths(emu: Emulator, session: aiohttp.ClientSession) -> None:
    async with session.get(f"{emu.base_url}/bot999:WRONG/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    async with session.get(f"{emu.base_url}/nothing/here") as response:
        assert response.status == 404
        assert (await response.json())["description"] == "Not Found"


async def test_unknown_methods_answer_true(call: Call) -> None:
    assert await call("setChatMenuButton") == (200, {"ok": True, "result": True})


async def test_get_query_and_form_encodings(emu: Emulator, session: aiohttp.ClientSession) -> None:
    user = emu.add_user("Ann")
    chat = emu.private_chat(user)
    await emu.send_text(user, chat, "hi")
    base = f"{emu.base_url}/bot{emu.token}/sendMessage"
    async with session.get(base, params={"chat_id": str(chat.id), "text": "by query"}) as response:
        assert (await response.json())["result"]["text"] == "by query"
    form = {
        "chat_id": str(chat.id),
        "text": "[not json] {either}",
        "reply_markup": json.dumps({"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}),
    }
    async with session.post(base, data=form) as response:
        result = (await response.json())["result"]
    assert result["text"] == "[not json] {either}"
    assert result["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "go"
    assert emu.bot_messages(chat)[-1].buttons == [[("Go", "go")]]


async def test_send_message_keeps_plain_text_and_html(emu: Emulator, call: Call) -> None:
    user = emu.add_user("Ann")
    group = emu.add_group("Yard", members=[user])
    html = "<b>Plan</b> &amp; <i>budget</i>: &lt;10&gt; 💶"
    status, body = await call("sendMessage", chat_id=group.id, text=html, parse_mode="HTML")
    assert status == 200
    result = body["result"]
    assert result["text"] == "Plan & budget: <10> 💶"
    assert result["entities"] == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 7, "length": 6},
    ]
    assert result["chat"] == {"id": group.id, "type": "supergroup", "title": "Yard"}
    assert result["date"] == int(NOW.timestamp())
    (message,) = emu.bot_messages(group)
    assert message.text == "Plan & budget: <10> 💶"
    assert message.html == html
    assert message.is_bot and message.from_user == emu.bot_id


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        (
            {"text": "<p>hi</p>", "parse_mode": "HTML"},
            'can\'t parse entities: Unsupported start tag "p" at byte offset 0',
        ),
        (
            {"text": "ok <b>bold", "parse_mode": "HTML"},
            "can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        ),
        (
            {"text": "é <b>x</i>", "parse_mode": "HTML"},
            "can't parse entities: Unmatched end tag at byte offset 7, "
            'expected "</b>", found "</i>"',
        ),
        (
            {"text": "a < b", "parse_mode": "HTML"},
            'can\'t parse entities: Unsupported start tag ""',
        ),
        ({"text": "x" * 4097}, "message is too long"),
        ({"text": "🙂" * 2049}, "message is too long"),
        ({"text": ""}, "message text is empty"),
        ({"text": "  \n "}, "message text is empty"),
        ({"text": "<b></b>", "parse_mode": "HTML"}, "message text is empty"),
        (
            {
                "text": "pick",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "x" * 65}]]},
            },
            "BUTTON_DATA_INVALID",
        ),
        (
            {
                "text": "pick",
                "reply_markup": {"inline_keyboard": [[{"text": "Я", "callback_data": "я" * 33}]]},
            },
            "BUTTON_DATA_INVALID",
        ),
        (
            {"text": "pick", "reply_markup": {"inline_keyboard": [[{"text": "plain"}]]}},
            "text buttons are unallowed in the inline keyboard",
        ),
        (
            {
                "text": "pick",
                "reply_markup": {
                    "inline_keyboard": [
                        [{"text": str(i), "callback_data": str(i)} for i in range(8)]
                        for _ in range(13)
                    ]
                },
            },
            "BUTTONS_TOO_MUCH",
        ),
        ({"text": "hi", "reply_to_message_id": 999}, "message to be replied not found"),
    ],
)
async def test_send_message_refusals(
    emu: Emulator, call: Call, params: dict[str, Any], reason: str
) -> None:
    group = emu.add_group("Yard")
    status, body = await call("sendMessage", chat_id=group.id, **params)
    assert status == 400
    assert body["description"].startswith(f"Bad Request: {reason}")
    assert emu.bot_messages(group) == []
    assert emu.failures[-1].description == body["description"]


async def test_limits_count_utf16_units_and_bytes(emu: Emulator, call: Call) -> None:
    group = emu.add_group("Yard")
    status, _ = await call("sendMessage", chat_id=group.id, text="🙂" * 2048)
    assert status == 200
    keyboard = {"inline_keyboard": [[{"text": "Я", "callback_data": "я" * 32}]]}
    status, _ = await call("sendMessage", chat_id=group.id, text="ok", reply_markup=keyboard)
    assert status == 200


async def test_a_bare_ampersand_is_refused_unless_lenient(emu: Emulator, call: Call) -> None:
    group = emu.add_group("Yard")
    status, body = await call("sendMessage", chat_id=group.id, text="A&B", parse_mode="HTML")
    assert status == 400
    assert 'Unescaped "&" at byte offset 1' in body["description"]

    lenient = Emulator(strict_html=False)
    base = await lenient.start()
    try:
        lenient_group = lenient.add_group("Yard")
        async with (
            aiohttp.ClientSession() as client,
            client.post(
                f"{base}/bot{lenient.token}/sendMessage",
                json={"chat_id": lenient_group.id, "text": "A&B &nbsp;", "parse_mode": "HTML"},
            ) as response,
        ):
            assert (await response.json())["result"]["text"] == "A&B &nbsp;"
    finally:
        await lenient.stop()


async def test_injected_faults(emu: Emulator, call: Call) -> None:
    group = emu.add_group("Yard")
    emu.inject_fault("sendMessage", status=429, retry_after=7)
    emu.inject_fault("getChat", times=2)
    assert await call("sendMessage", chat_id=group.id, text="hi") == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        },
    )
    status, _ = await call("sendMessage", chat_id=group.id, text="hi")
    assert status == 200
    for _ in range(2):
        status, body = await call("getChat", chat_id=group.id)
        assert (status, body["description"]) == (500, "Internal Server Error")
    status, body = await call("getChat", chat_id=group.id)
    assert status == 200
    assert body["result"]["title"] == "Yard"


async def test_bot_cannot_start_a_private_conversation(emu: Emulator, call: Call) -> None:
    ann = emu.add_user("Ann")
    status, body = await call("sendMessage", chat_id=ann.id, text="hello")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    await emu.send_text(ann, emu.private_chat(ann), "/start")
    status, body = await call("sendMessage", chat_id=ann.id, text="hello")
    assert status == 200
    assert body["result"]["chat"]["type"] == "private"

    await emu.block_bot(ann)
    status, body = await call("sendMessage", chat_id=ann.id, text="still there?")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")


async def test_unknown_chat(call: Call) -> None:
    assert await call("sendMessage", chat_id=-100999, text="hi") == (
        400,
        bad_request("chat not found"),
    )
    status, _ = await call("getChat", chat_id="@nobody")
    assert status == 400


async def test_removed_bot_is_forbidden(emu: Emulator, call: Call) -> None:
    owner = emu.add_user("Olga")
    group = emu.add_group("Yard", admins=[owner])
    await emu.remove_bot(group)
    status, body = await call("sendMessage", chat_id=group.id, text="hi")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot was kicked from the supergroup chat",
    )
    (update,) = emu.pending_updates
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"


async def test_edit_rules(emu: Emulator, call: Call) -> None:
    group = emu.add_group("Yard")
    keyboard = {"inline_keyboard": [[{"text": "Yes", "callback_data": "poll:yes"}]]}
    _, sent = await call(
        "sendMessage",
        chat_id=group.id,
        text="<b>Vote</b>",
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    message_id = sent["result"]["message_id"]

    same = {"chat_id": group.id, "message_id": message_id, "parse_mode": "HTML"}
    status, body = await call("editMessageText", text="<b>Vote</b>", reply_markup=keyboard, **same)
    assert status == 400
    assert body["description"] == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    status, body = await call("editMessageText", text="<b>Vote</b> closed", **same)
    assert status == 200
    assert body["result"]["edit_date"] == int(NOW.timestamp())
    assert "reply_markup" not in body["result"]  # an edit without markup drops the keyboard
    (message,) = emu.bot_messages(group)
    assert (message.text, message.html, message.buttons, message.edited) == (
        "Vote closed",
        "<b>Vote</b> closed",
        [],
        True,
    )
    status, body = await call("editMessageReplyMarkup", chat_id=group.id, message_id=message_id)
    assert status == 400
    assert "message is not modified" in body["description"]
    status, body = await call(
        "editMessageText", chat_id=group.id, message_id=message_id + 5, text="x"
    )
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await call(
        "editMessageCaption", chat_id=group.id, message_id=message_id, caption="x"
    )
    assert body["description"] == "Bad Request: there is no caption in the message to edit"


async def test_delete_then_press(emu: Emulator, call: Call) -> None:
    ann = emu.add_user("Ann")
    group = emu.add_group("Yard", members=[ann])
    keyboard = {"inline_keyboard": [[{"text": "Join", "callback_data": "join"}]]}
    _, sent = await call("sendMessage", chat_id=group.id, text="Help?", reply_markup=keyboard)
    message = emu.bot_messages(group)[0]
    assert message.button_data("Join") == "join"

    query_id = await emu.press(ann, message, "join")
    assert emu.callback_answer(query_id) is None
    assert await call("answerCallbackQuery", callback_query_id=query_id, text="Thanks") == (
        200,
        {"ok": True, "result": True},
    )
    assert emu.callback_answer(query_id) == "Thanks"
    status, body = await call("answerCallbackQuery", callback_query_id=query_id)
    assert (status, body) == (
        400,
        bad_request("query is too old and response timeout expired or query ID is invalid"),
    )

    delete = {"chat_id": group.id, "message_id": sent["result"]["message_id"]}
    assert await call("deleteMessage", **delete) == (200, {"ok": True, "result": True})
    assert emu.bot_messages(group) == []
    assert message.deleted
    with pytest.raises(EmulatorError, match="was deleted"):
        await emu.press(ann, message, "join")
    assert await call("deleteMessage", **delete) == (
        400,
        bad_request("message to delete not found"),
    )
    await call("sendMessage", chat_id=group.id, text="again", reply_markup=keyboard)
    with pytest.raises(EmulatorError, match="no button with callback_data 'nope'"):
        await emu.press(ann, emu.bot_messages(group)[-1], "nope")


async def test_answer_to_unknown_query(call: Call) -> None:
    status, body = await call("answerCallbackQuery", callback_query_id="42")
    assert status == 400
    assert "query is too old" in body["description"]


async def test_photo_and_document_upload_and_download(
    emu: Emulator, session: aiohttp.ClientSession
) -> None:
    group = emu.add_group("Yard")
    png = tiny_png(4, 5)
    form = aiohttp.FormData()
    form.add_field("chat_id", str(group.id))
    form.add_field("caption", "<b>Chart</b>")
    form.add_field("parse_mode", "HTML")
    form.add_field("photo", png, filename="chart.png", content_type="image/png")
    async with session.post(f"{emu.base_url}/bot{emu.token}/sendPhoto", data=form) as response:
        result = (await response.json())["result"]
    (size,) = result["photo"]
    assert (size["width"], size["height"], size["file_size"]) == (4, 5, len(png))
    assert result["caption"] == "Chart"
    async with session.get(
        f"{emu.base_url}/bot{emu.token}/getFile", params={"file_id": size["file_id"]}
    ) as response:
        file_path = (await response.json())["result"]["file_path"]
    async with session.get(f"{emu.base_url}/file/bot{emu.token}/{file_path}") as response:
        assert await response.read() == png

    (message,) = emu.bot_messages(group)
    assert (message.photo, message.caption, message.caption_html) == (png, "Chart", "<b>Chart</b>")
    view = emu.message_to_dict(message)
    assert view["has_photo"] and view["download"] == f"/file/bot{emu.token}/{file_path}"
    json.dumps(view)

    form = aiohttp.FormData()
    form.add_field("chat_id", str(group.id))
    form.add_field("photo", b"not an image", filename="x.png")
    async with session.post(f"{emu.base_url}/bot{emu.token}/sendPhoto", data=form) as response:
        assert (await response.json())["description"] == "Bad Request: IMAGE_PROCESS_FAILED"

    form = aiohttp.FormData()
    form.add_field("chat_id", str(group.id))
    form.add_field("caption", "x" * 1025)
    form.add_field("document", b"a,b\n1,2\n", filename="fund.csv")
    async with session.post(f"{emu.base_url}/bot{emu.token}/sendDocument", data=form) as response:
        assert (await response.json())["description"] == "Bad Request: message caption is too long"


async def test_long_poll_wakes_on_update_and_confirms_by_offset(emu: Emulator, call: Call) -> None:
    ann = emu.add_user("Ann", username="ann")
    chat = emu.private_chat(ann)
    poll = asyncio.create_task(call("getUpdates", timeout=10))
    await asyncio.sleep(0.05)
    assert not poll.done()
    sent = await emu.send_text(ann, chat, "/start@CourtyardBot hello")
    _, body = await asyncio.wait_for(poll, 2)
    (update,) = body["result"]
    message = update["message"]
    assert message["message_id"] == sent.message_id
    assert message["from"] == {
        "id": ann.id,
        "is_bot": False,
        "first_name": "Ann",
        "username": "ann",
        "language_code": "en",
    }
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 19}]
    _, again = await call("getUpdates")
    assert again["result"] == [update]  # not confirmed yet
    _, confirmed = await call("getUpdates", offset=update["update_id"] + 1)
    assert confirmed["result"] == []
    assert emu.pending_updates == []


async def test_stop_ends_a_pending_long_poll(emu: Emulator, call: Call) -> None:
    poll = asyncio.create_task(call("getUpdates", timeout=30))
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await emu.stop()
    status, body = await asyncio.wait_for(poll, 2)
    assert (status, body["result"]) == (200, [])
    assert loop.time() - started < 2


async def test_a_second_poller_terminates_the_first(call: Call) -> None:
    first = asyncio.create_task(call("getUpdates", timeout=10))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(call("getUpdates", timeout=1))
    status, body = await asyncio.wait_for(first, 2)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    second.cancel()


async def test_allowed_updates_are_sticky_and_chat_member_needs_asking(
    emu: Emulator, call: Call
) -> None:
    owner, ann, bob = emu.add_user("Olga"), emu.add_user("Ann"), emu.add_user("Bob")
    group = emu.add_group("Yard", admins=[owner])
    await emu.join(ann, group)  # default allowed_updates: no chat_member
    _, body = await call("getUpdates")
    assert [list(u)[1] for u in body["result"]] == ["message"]
    assert body["result"][0]["message"]["new_chat_members"][0]["id"] == ann.id

    last = body["result"][-1]["update_id"]
    await call("getUpdates", offset=last + 1, allowed_updates=["message", "chat_member"])
    await emu.join(bob, group)
    _, body = await call("getUpdates")  # no allowed_updates: the last setting still holds
    kinds = [next(k for k in u if k != "update_id") for u in body["result"]]
    assert kinds == ["message", "chat_member"]
    member = body["result"][1]["chat_member"]
    assert (member["old_chat_member"]["status"], member["new_chat_member"]["status"]) == (
        "left",
        "member",
    )
    last = body["result"][-1]["update_id"]
    await call("getUpdates", offset=last + 1, allowed_updates=["callback_query"])
    await emu.leave(bob, group)
    _, body = await call("getUpdates")
    assert body["result"] == []


async def test_privacy_mode_hides_chatter_from_a_non_admin_bot(emu: Emulator, call: Call) -> None:
    ann = emu.add_user("Ann")
    group = emu.add_group("Yard", members=[ann], bot_is_admin=False)
    await emu.send_text(ann, group, "just chatting")
    await emu.send_text(ann, group, "/help@OtherBot")
    command = await emu.send_text(ann, group, "/help")
    _, body = await call("getUpdates")
    assert [u["message"]["message_id"] for u in body["result"]] == [command.message_id]
    assert len(emu.messages(group)) == 3


async def test_bot_added_by_a_user(emu: Emulator, call: Call) -> None:
    olga = emu.add_user("Olga")
    group = emu.add_group("Yard", admins=[olga], bot_added_by=olga, bot_is_admin=False)
    _, body = await call("getUpdates")
    my_member, message = body["result"]
    assert my_member["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert my_member["my_chat_member"]["new_chat_member"]["user"]["id"] == emu.bot_id
    assert message["message"]["new_chat_members"][0]["is_bot"] is True
    assert message["message"]["from"]["id"] == olga.id
    assert group.id < -(2**32)


async def test_chat_member_queries(emu: Emulator, call: Call) -> None:
    olga, ann = emu.add_user("Olga"), emu.add_user("Ann")
    group = emu.add_group("Yard", admins=[olga], members=[ann])
    _, body = await call("getChatMember", chat_id=group.id, user_id=ann.id)
    assert body["result"]["status"] == "member"
    emu.set_admin(ann, group)
    _, body = await call("getChatAdministrators", chat_id=group.id)
    statuses = [(m["user"]["id"], m["status"]) for m in body["result"]]
    assert statuses == [
        (olga.id, "creator"),
        (ann.id, "administrator"),
        (emu.bot_id, "administrator"),
    ]
    _, body = await call("getChatMemberCount", chat_id=group.id)
    assert body["result"] == 3


async def test_commands_per_scope_and_language(emu: Emulator, call: Call) -> None:
    commands = [{"command": "plan", "description": "Plans"}]
    assert (await call("setMyCommands", commands=commands))[0] == 200
    ru = [{"command": "plan", "description": "Планы"}]
    await call("setMyCommands", commands=ru, language_code="ru")
    scoped = [{"command": "admin", "description": "Admin tools"}]
    await call(
        "setMyCommands",
        commands=scoped,
        scope={"type": "all_chat_administrators"},
    )
    assert emu.commands() == [("plan", "Plans")]
    assert emu.commands("ru") == [("plan", "Планы")]
    assert emu.commands(scope_type="all_chat_administrators") == [("admin", "Admin tools")]
    _, body = await call("getMyCommands", language_code="ru")
    assert body["result"] == ru
    await call("deleteMyCommands", language_code="ru")
    assert emu.commands("ru") == []
    status, body = await call(
        "setMyCommands", commands=[{"command": "Bad-Name", "description": "x"}]
    )
    assert (status, body["description"]) == (400, "Bad Request: BOT_COMMAND_INVALID")


async def test_rate_limits() -> None:
    emulator = Emulator(rate_limits=True)
    base = await emulator.start()
    try:
        ann = emulator.add_user("Ann")
        await emulator.send_text(ann, emulator.private_chat(ann), "/start")
        group = emulator.add_group("Yard")
        async with aiohttp.ClientSession() as client:

            async def send(chat_id: int) -> int:
                url = f"{base}/bot{emulator.token}/sendMessage"
                async with client.post(url, json={"chat_id": chat_id, "text": "x"}) as response:
                    body = await response.json()
                    return int(body.get("parameters", {}).get("retry_after", 0))

            private = [await send(ann.id) for _ in range(4)]
            assert private[:3] == [0, 0, 0]
            assert private[3] >= 1
            to_group = [await send(group.id) for _ in range(21)]
            assert to_group[:20] == [0] * 20
            assert 55 <= to_group[20] <= 60
    finally:
        await emulator.stop()


async def test_wait_for_bot_message(emu: Emulator, call: Call) -> None:
    ann = emu.add_user("Ann")
    chat = emu.private_chat(ann)
    asked = await emu.send_text(ann, chat, "/start")

    async def bot_answers_later() -> None:
        await asyncio.sleep(0.05)
        await call("sendMessage", chat_id=chat.id, text="Welcome")
        await call("editMessageText", chat_id=chat.id, message_id=2, text="Welcome, Ann")

    task = asyncio.create_task(bot_answers_later())
    reply = await emu.wait_for_bot_message(
        chat, lambda m: (m.text or "").endswith("Ann"), since=asked.message_id, timeout=2
    )
    await task
    assert (reply.text, reply.edited) == ("Welcome, Ann", True)
    assert [m.text for m in emu.messages(chat)] == ["/start", "Welcome, Ann"]

    await call("sendMessage", chat_id=chat.id, text="<oops>", parse_mode="HTML")
    with pytest.raises(TimeoutError) as caught:
        await emu.wait_for_bot_message(chat, since=reply.message_id, timeout=0.05)
    explanation = str(caught.value)
    assert "'Welcome, Ann'" in explanation
    assert 'sendMessage: 400 Bad Request: can\'t parse entities: Unsupported start tag "oops"' in (
        explanation
    )


async def test_human_delete_and_reply(emu: Emulator, call: Call) -> None:
    ann, bob = emu.add_user("Ann"), emu.add_user("Bob")
    group = emu.add_group("Yard", members=[ann, bob], bot_is_admin=False)
    _, sent = await call("sendMessage", chat_id=group.id, text="Who helps?")
    bot_message = emu.bot_messages(group)[0]
    reply = await emu.send_text(bob, group, "me", reply_to=bot_message)
    _, body = await call("getUpdates")
    (update,) = body["result"]  # privacy mode still delivers replies to the bot
    assert update["message"]["reply_to_message"]["message_id"] == sent["result"]["message_id"]

    await emu.delete_message(group, reply.message_id)
    assert [m.text for m in emu.messages(group)] == ["Who helps?"]
    status, body = await call("deleteMessage", chat_id=group.id, message_id=reply.message_id)
    assert body["description"] == "Bad Request: message to delete not found"
    chatter = await emu.send_text(ann, group, "hi")
    status, body = await call("deleteMessage", chat_id=group.id, message_id=chatter.message_id)
    assert (status, body["description"]) == (400, "Bad Request: message can't be deleted")


async def test_live_feed(emu: Emulator, call: Call) -> None:
    feed = emu.subscribe()
    ann = emu.add_user("Ann")
    group = emu.add_group("Yard", members=[ann])
    await emu.send_text(ann, group, "hello")
    _, sent = await call(
        "sendMessage",
        chat_id=group.id,
        text="<b>Hi</b> <script>",
        parse_mode="HTML",
    )
    await call(
        "sendMessage",
        chat_id=group.id,
        text="<b>Hi</b> &lt;script&gt;",
        parse_mode="HTML",
        reply_markup={"inline_keyboard": [[{"text": "Site", "url": "https://example.org"}]]},
    )
    await call("deleteMessage", chat_id=group.id, message_id=2)
    emu.unsubscribe(feed)
    await emu.send_text(ann, group, "unheard")

    events = []
    while not feed.empty():
        events.append(feed.get_nowait())
    json.dumps(events)
    kinds = [event["type"] for event in events]
    assert kinds == ["user", "chat", "message", "api_error", "message", "delete"]
    bot_view = events[4]["message"]
    assert bot_view["safe_html"] == "<b>Hi</b> &lt;script&gt;"
    assert bot_view["buttons"] == [
        [{"text": "Site", "callback_data": None, "url": "https://example.org"}]
    ]
    assert sent["ok"] is False
    snapshot = emu.snapshot()
    json.dumps(snapshot)
    assert [m["text"] for m in snapshot["messages"][str(group.id)]] == ["hello", "unheard"]


async def test_scenario_misuse_raises(emu: Emulator) -> None:
    ann, bob = emu.add_user("Ann"), emu.add_user("Bob")
    group = emu.add_group("Yard", members=[ann])
    with pytest.raises(EmulatorError, match="not a member"):
        await emu.send_text(bob, group, "hi")
    with pytest.raises(EmulatorError, match="someone else's private chat"):
        await emu.send_text(bob, emu.private_chat(ann), "hi")
    with pytest.raises(EmulatorError, match="no user with id 1"):
        emu.get_user(1)
    with pytest.raises(EmulatorError, match="no chat with id 2"):
        emu.get_chat(2)
    with pytest.raises(EmulatorError, match="already in"):
        await emu.join(ann, group)
    with pytest.raises(EmulatorError, match="taken"):
        emu.add_user("Clone", user_id=ann.id)
    assert emu.get_user(ann.id) is ann
    assert {u.name for u in emu.users} == {"Ann", "Bob"}
    assert emu.get_chat(group.id) is group


async def test_a_message_carries_back_what_telegram_echoes(emu: Emulator, call: Call) -> None:
    """link_preview_options, entities, reply_markup, the bot as sender; edit_date after an edit.

    aiogram's buttons broke on real Telegram because its callback messages carry
    link_preview_options and ours did not: the press of a button must show them too.
    """
    alice = emu.add_user("Alice")
    group = emu.add_group("Maple Court", admins=[alice])
    keyboard = {"inline_keyboard": [[{"text": "Vote", "callback_data": "v"}]]}
    status, body = await call(
        "sendMessage",
        chat_id=group.id,
        text="<b>Poll</b> https://example.org",
        parse_mode="HTML",
        reply_markup=keyboard,
        link_preview_options={"is_disabled": True},
    )
    sent = body["result"]
    assert status == 200
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert sent["entities"][0]["type"] == "bold"
    assert sent["reply_markup"] == keyboard
    assert sent["from"]["is_bot"] is True and "edit_date" not in sent

    _, body = await call(
        "editMessageText",
        chat_id=group.id,
        message_id=sent["message_id"],
        text="Poll, closed",
        link_preview_options={"is_disabled": False},
    )
    assert "edit_date" in body["result"] and "link_preview_options" not in body["result"]

    _, body = await call(
        "sendMessage",
        chat_id=group.id,
        text="Vote!",
        reply_markup=keyboard,
        link_preview_options={"is_disabled": True},
    )
    message = emu.last_bot_message(group)
    assert message is not None
    await emu.press(alice, message, "v")
    (update,) = [u for u in emu.pending_updates if "callback_query" in u]
    assert update["callback_query"]["message"]["link_preview_options"] == {"is_disabled": True}


async def test_edits_count_against_a_groups_minute_in_strict_mode() -> None:
    """Text, caption and keyboard edits flood a group as messages do; 429s are counted."""
    async with Emulator(rate_limits=True) as emu:
        group = emu.add_group("Maple Court", admins=[emu.add_user("Alice")])
        quiet = emu.add_group("Elm Court")
        async with aiohttp.ClientSession() as http:
            url = f"{emu.base_url}/bot{emu.token}/"

            async def post(method: str, **params: Any) -> tuple[int, dict[str, Any]]:
                async with http.post(url + method, json=params) as response:
                    return response.status, await response.json()

            _, sent = await post("sendMessage", chat_id=group.id, text="0")
            target = {"chat_id": group.id, "message_id": sent["result"]["message_id"]}
            codes = []
            for n in range(1, 18):
                status, _ = await post("editMessageText", **target, text=str(n))
                codes.append(status)
            # Not modified: refused as such, and it uses up nothing.
            status, body = await post("editMessageText", **target, text="17")
            assert (status, body["description"]) == (400, "Bad Request: " + NOT_MODIFIED)
            for label in ("Yes", "No", "Maybe"):
                keyboard = {"inline_keyboard": [[{"text": label, "callback_data": label}]]}
                status, _ = await post("editMessageReplyMarkup", **target, reply_markup=keyboard)
                codes.append(status)
            status, body = await post("editMessageText", **target, text="late")
            codes.append(status)
            assert body["parameters"]["retry_after"] >= 1
            status, _ = await post("sendMessage", chat_id=quiet.id, text="elsewhere")
        # The message and 19 edits fill the minute; the 20th edit and the next are refused.
        assert codes == [200] * 19 + [429, 429]
        assert status == 200  # one group's minute is its own
        assert emu.flood_refusals == 2
        assert emu.flood_refusals_by_chat == {group.id: 2}
