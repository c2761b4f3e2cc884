"""aiogram 3 runtime: aiogram's session and Bot API calls, under our own update intake.

Updates come in through ``bot.intake`` as Telegram's JSON: getUpdates is asked for with a
method whose result type is plain dictionaries, so aiogram never parses (or re-serialises)
an update. Outgoing messages are aiogram calls.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
)

from bot.intake import Poller, UpdateSink, Webhook, WebhookServer, open_intake
from bot.sender import PermanentError, RetryAfter, TransientError
from bot.updates import ALLOWED_UPDATES
from handlers.core.messages import CallbackAnswer, Outgoing

log = logging.getLogger(__name__)
NOT_MODIFIED = "message is not modified"


class _RawUpdates(TelegramMethod[list[dict[str, Any]]]):
    """getUpdates, its result left as Telegram's JSON objects."""

    __returning__ = list[dict[str, Any]]
    __api_method__ = "getUpdates"

    offset: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


class AiogramRuntime:
    def __init__(self, token: str, api_url: str) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
        self.bot = Bot(token, session=session)
        self._intake: Poller | WebhookServer | None = None

    async def fetch_updates(self, offset: int | None, wait: int) -> list[dict[str, Any]]:
        method = _RawUpdates(offset=offset, timeout=wait, allowed_updates=ALLOWED_UPDATES)
        try:
            return await self.bot(method, request_timeout=int(self.bot.session.timeout) + wait)
        except TelegramRetryAfter as error:
            raise RetryAfter(float(error.retry_after)) from error

    async def connect(self) -> str:
        me = await self.bot.get_me()
        return me.username or ""

    async def start_intake(self, sink: UpdateSink, webhook: Webhook | None = None) -> None:
        if webhook is None:
            await self.bot.delete_webhook()
        self._intake = open_intake(self.fetch_updates, sink, webhook)
        await self._intake.start()
        if webhook is not None:
            await self.bot.set_webhook(
                webhook.url, secret_token=webhook.secret, allowed_updates=ALLOWED_UPDATES
            )

    async def stop_intake(self) -> None:
        if self._intake is not None:
            await self._intake.stop()
            self._intake = None

    async def close(self) -> None:
        await self.bot.session.close()

    async def deliver(self, message: Outgoing) -> Any:
        markup = _markup(message)
        send_markup = markup or _force_reply(message)
        reply = _reply(message)
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
                    reply_markup=send_markup,
                    reply_parameters=reply,
                )
            if message.document is not None:
                return await self.bot.send_document(
                    message.chat_id,
                    BufferedInputFile(message.document.content, message.document.filename),
                    caption=message.text or None,
                    parse_mode="HTML",
                    reply_markup=send_markup,
                    reply_parameters=reply,
                )
            return await self.bot.send_message(
                message.chat_id,
                message.text,
                parse_mode="HTML",
                reply_markup=send_markup,
                reply_parameters=reply,
                link_preview_options=LinkPreviewOptions(is_disabled=message.disable_preview),
            )
        except TelegramRetryAfter as error:
            raise RetryAfter(float(error.retry_after)) from error
        except (TelegramServerError, TelegramNetworkError) as error:
            raise TransientError(error.message) from error
        except TelegramBadRequest as error:
            if NOT_MODIFIED in error.message.lower():
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


def _force_reply(message: Outgoing) -> ForceReply | None:
    """Open the reader's reply to a question the bot asks (what they type next answers it)."""
    return ForceReply() if message.force_reply else None


def _reply(message: Outgoing) -> ReplyParameters | None:
    """Answer the message replied to, and still send when that message is gone."""
    if not message.reply_to_message_id:
        return None
    return ReplyParameters(message_id=message.reply_to_message_id, allow_sending_without_reply=True)
