"""The scenario API on its own: what humans do and which updates Telegram would send for it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox import Emulator, EmulatorError


def kinds(updates: list[dict[str, Any]]) -> list[str]:
    return [next(key for key in update if key != "update_id") for update in updates]


async def test_user_edits_arrive_as_edited_message() -> None:
    emu = Emulator()
    ann = emu.add_user("Ann")
    chat = emu.private_chat(ann)
    sent = await emu.send_text(ann, chat, "/pla")
    await emu.edit_text(ann, sent, "/plan")
    first, edited = emu.pending_updates
    assert first["message"]["text"] == "/pla"  # an update is a snapshot of its moment
    assert edited["edited_message"]["text"] == "/plan"
    assert edited["edited_message"]["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 5}
    ]
    assert sent.text == "/plan" and sent.edited


async def test_blocking_and_restarting_the_bot() -> None:
    emu = Emulator()
    ann = emu.add_user("Ann")
    chat = emu.private_chat(ann)
    await emu.send_text(ann, chat, "/start")
    await emu.block_bot(ann)
    await emu.send_text(ann, chat, "/start")  # "Restart" in a client unblocks the bot
    assert kinds(emu.pending_updates) == ["message", "my_chat_member", "my_chat_member", "message"]
    statuses = [
        u["my_chat_member"]["new_chat_member"]["status"]
        for u in emu.pending_updates
        if "my_chat_member" in u
    ]
    assert statuses == ["kicked", "member"]
    assert not ann.blocked_bot


async def test_promoting_the_bot_and_its_admin_only_updates() -> None:
    emu = Emulator()
    olga, ann = emu.add_user("Olga"), emu.add_user("Ann")
    group = emu.add_group("Yard", admins=[olga], bot_is_admin=False)
    await emu.join(ann, group)
    emu.set_bot_admin(group)
    await emu.leave(ann, group)
    assert kinds(emu.pending_updates) == ["message", "my_chat_member", "message"]
    promoted = emu.pending_updates[1]["my_chat_member"]
    assert promoted["from"]["id"] == olga.id
    assert promoted["new_chat_member"]["can_delete_messages"] is True
    assert promoted["new_chat_member"]["can_be_edited"] is True


async def test_wait_for_several_messages_and_misuse() -> None:
    emu = Emulator()
    with pytest.raises(EmulatorError, match="no chat"):
        await emu.wait_for_bot_messages(-5, 2, timeout=0.01)
    group = emu.add_group("Yard")
    with pytest.raises(TimeoutError, match=r"(?s)found 0\..*The bot has sent nothing"):
        await emu.wait_for_bot_messages(group, 2, timeout=0.01)
    with pytest.raises(EmulatorError, match="say who did it"):
        await emu.remove_bot(group)


async def test_clock_must_be_aware() -> None:
    emu = Emulator(clock=lambda: datetime(2026, 1, 1))
    ann = emu.add_user("Ann")
    with pytest.raises(EmulatorError, match="aware"):
        await emu.send_text(ann, emu.private_chat(ann), "hi")


async def test_the_app_can_carry_more_routes() -> None:
    emu = Emulator()
    app = emu.make_app()

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="sandbox page")

    app.router.add_get("/sandbox", page)
    base = await emu.start(app=app)
    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(f"{base}/sandbox") as response:
                assert await response.text() == "sandbox page"
            async with client.get(f"{base}/bot{emu.token}/getMe") as response:
                assert (await response.json())["ok"] is True
            async with client.get(f"{base}/elsewhere") as response:
                assert response.status == 404
                assert (await response.json())["description"] == "Not Found"
    finally:
        await emu.stop()
