"""A bare echo bot: the baseline that bench/runtimes.py compares Courtyard against.

Run: python bench/echo_bot.py aiogram|ptb, with BOT_TOKEN and TELEGRAM_API_URL in the
environment. It long-polls and answers every text message (commands included) with the same
text, written the way each framework's own echo example does it and nothing more, so its
memory and latency are what the framework itself costs. Each runtime imports only its own
framework.
"""

from __future__ import annotations

import os
import sys


def run_aiogram(token: str, api_url: str) -> None:
    import asyncio

    from aiogram import Bot, Dispatcher, F
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    dispatcher = Dispatcher()

    @dispatcher.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    async def main() -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
        bot = Bot(token, session=session)
        await dispatcher.start_polling(bot)

    asyncio.run(main())


def run_ptb(token: str, api_url: str) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await message.reply_text(message.text, do_quote=False)

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling()


def main() -> int:
    runners = {"aiogram": run_aiogram, "ptb": run_ptb}
    if len(sys.argv) != 2 or sys.argv[1] not in runners:
        print("usage: python bench/echo_bot.py aiogram|ptb", file=sys.stderr)
        return 2
    token = os.environ.get("BOT_TOKEN")
    api_url = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
    if not token:
        print("echo_bot: set BOT_TOKEN (and TELEGRAM_API_URL for the emulator)", file=sys.stderr)
        return 2
    runners[sys.argv[1]](token, api_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
