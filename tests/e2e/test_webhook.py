"""Webhook mode: Telegram's secret header is required, repeats are dropped."""

from __future__ import annotations

import asyncio
import socket
import time

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.lifecycle import Courtyard
from bot.runtimes import Webhook
from bot.sandbox import Emulator
from bot.settings import Settings
from tests.botapi import validate
from tests.e2e.conftest import TOKEN

SECRET = "courtyard-webhook-secret-0123"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("runtime_name", ["aiogram", "ptb"])
async def test_webhook_requires_the_secret_and_ignores_repeats(
    runtime_name: str, database_url: str, engine: AsyncEngine
) -> None:
    emulator = Emulator(TOKEN, bot_username="CourtyardBot")
    base_url = await emulator.start()
    settings = Settings(
        bot_token=TOKEN, telegram_api_url=base_url, database_url=database_url, runtime=runtime_name
    )
    hook = Webhook("https://courtyard.example/telegram/webhook", SECRET, "127.0.0.1", _free_port())
    bot = Courtyard(settings, webhook=hook)
    await bot.start()
    try:
        wendy = emulator.add_user("Wendy")
        chat = emulator.private_chat(wendy)
        await emulator.send_text(wendy, chat, "hello")  # she has started the bot
        update = {
            "update_id": 777,
            "message": {
                "message_id": 500,
                "date": int(time.time()),
                "chat": {"id": wendy.id, "type": "private", "first_name": "Wendy"},
                "from": {"id": wendy.id, "is_bot": False, "first_name": "Wendy"},
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        assert validate("Update", update) == []  # one Telegram could send
        url = f"http://127.0.0.1:{hook.port}{hook.path}"
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-000000"}):
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status in (401, 403)
            await asyncio.sleep(0.3)
            assert not emulator.bot_messages(chat)

            good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            for _ in range(2):
                async with http.post(url, json=update, headers=good) as response:
                    assert response.status == 200
        await emulator.wait_for_bot_message(chat, lambda m: "commands" in m.text)
        await asyncio.sleep(0.3)
        assert len(emulator.bot_messages(chat)) == 1
        assert emulator.api_calls("setWebhook")
    finally:
        await bot.stop()
        await emulator.stop()
