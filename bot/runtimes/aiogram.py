"""aiogram 3 runtime: long polling, Telegram objects in, our sender out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.runtimes import Webhook
from bot.sender import PermanentError, RetryAfter, TransientError
from bot.service import Service
from bot.updates import ALLOWED_UPDATES
from handlers.messages import CallbackAnswer, Outgoing

log = logging.getLogger(__name__)
NOT_MODIFIED = "message is not modified"


class AiogramRuntime:
    def __init__(self, service: Service, token: str, api_url: str) -> None:
        self.service = service
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
        self.bot = Bot(token, session=session)
        self.dispatcher = Dispatcher()
        for observer in (
            self.dispatcher.message,
            self.dispatcher.callback_query,
            self.dispatcher.chat_member,
            self.dispatcher.my_chat_member,
        ):
            observer.register(self._on_update)
        self.bot_username = ""
        self._polling: asyncio.Task[None] | None = None
        self._webhook: web.AppRunner | None = None

    async def _on_update(self, _event: Any, event_update: Update) -> None:
        data = event_update.model_dump(mode="json", by_alias=True, exclude_none=True)
        await self.service.handle_update(data)

    async def start(self, webhook: Webhook | None = None) -> None:
        me = await self.bot.get_me()
        self.bot_username = me.username or ""
        await self.service.start(self)
        await self.service.publish_menu()
        if webhook is not None:
            await self._start_webhook(webhook)
            return
        self._polling = asyncio.create_task(
            self.dispatcher.start_polling(
                self.bot,
                allowed_updates=ALLOWED_UPDATES,
                handle_signals=False,
                close_bot_session=False,
                polling_timeout=10,
            )
        )

    async def _start_webhook(self, webhook: Webhook) -> None:
        app = web.Application()
        SimpleRequestHandler(
            self.dispatcher, self.bot, secret_token=webhook.secret, handle_in_background=True
        ).register(app, path=webhook.path)
        self._webhook = web.AppRunner(app, access_log=None)
        await self._webhook.setup()
        await web.TCPSite(self._webhook, webhook.host, webhook.port).start()
        await self.bot.set_webhook(
            webhook.url, secret_token=webhook.secret, allowed_updates=ALLOWED_UPDATES
        )

    async def stop(self) -> None:
        if self._webhook is not None:
            await self._webhook.cleanup()
            self._webhook = None
        if self._polling is not None:
            with contextlib.suppress(RuntimeError):
                await self.dispatcher.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._polling, timeout=15)
            self._polling = None
        await self.service.stop()
        await self.bot.session.close()

    async def deliver(self, message: Outgoing) -> Any:
        markup = _markup(message)
        try:
            if message.edit_message_id is not None:
                return await self.bot.edit_message_text(
                    text=message.text,
                    chat_id=message.chat_id,
                    message_id=message.edit_message_id,
                    parse_mode="HTML",
                    reply_markup=markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=message.disable_preview),
                )
            if message.photo is not None:
                return await self.bot.send_photo(
                    message.chat_id,
                    BufferedInputFile(message.photo, "chart.png"),
                    caption=message.text or None,
                    parse_mode="HTML",
                    reply_markup=markup,
                )
            if message.document is not None:
                return await self.bot.send_document(
                    message.chat_id,
                    BufferedInputFile(message.document.content, message.document.filename),
                    caption=message.text or None,
                    parse_mode="HTML",
                    reply_markup=markup,
                )
            reply = (
                ReplyParameters(
                    message_id=message.reply_to_message_id, allow_sending_without_reply=True
                )
                if message.reply_to_message_id
                else None
            )
            return await self.bot.send_message(
                message.chat_id,
                message.text,
                parse_mode="HTML",
                reply_markup=markup,
                reply_parameters=reply,
                link_preview_options=LinkPreviewOptions(is_disabled=message.disable_preview),
            )
        except TelegramRetryAfter as error:
            raise RetryAfter(float(error.retry_after)) from error
        except (TelegramServerError, TelegramNetworkError) as error:
            raise TransientError(error.message) from error
        except TelegramBadRequest as error:
            if NOT_MODIFIED in error.message:
                return None
            raise PermanentError(error.message) from error
        except TelegramAPIError as error:
            raise PermanentError(error.message) from error

    async def answer_callback(self, answer: CallbackAnswer) -> None:
        try:
            await self.bot.answer_callback_query(
                answer.callback_id, text=answer.text or None, show_alert=answer.alert
            )
        except TelegramAPIError as error:
            raise PermanentError(error.message) from error

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        try:
            member = await self.bot.get_chat_member(chat_id, user_id)
        except TelegramAPIError:
            return False
        return member.status in ("creator", "administrator")

    async def set_menu(
        self, commands: list[tuple[str, str]], language_code: str, scope_chat_id: int | None = None
    ) -> None:
        await self.bot.set_my_commands(
            [BotCommand(command=name, description=text) for name, text in commands],
            scope=BotCommandScopeChat(chat_id=scope_chat_id) if scope_chat_id is not None else None,
            language_code=language_code or None,
        )


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.data) for b in row]
            for row in message.buttons
        ]
    )
