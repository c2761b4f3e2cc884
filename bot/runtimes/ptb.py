"""python-telegram-bot 22 runtime over the same core as the aiogram one.

PTB's own AIORateLimiter is deliberately not used: our sender already keeps
the limits, and PTB's halts every chat on one 429 (PTB #3765).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    TelegramError,
)
from telegram.error import (
    RetryAfter as PTBRetryAfter,
)
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.runtimes import Webhook
from bot.sender import PermanentError, RetryAfter, TransientError
from bot.service import Service
from bot.updates import ALLOWED_UPDATES
from handlers.messages import CallbackAnswer, Outgoing

log = logging.getLogger(__name__)
NOT_MODIFIED = "message is not modified"


class PTBRuntime:
    def __init__(self, service: Service, token: str, api_url: str) -> None:
        self.service = service
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api_url}/bot")
            .base_file_url(f"{api_url}/file/bot")
            .concurrent_updates(True)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.bot = self.application.bot
        self.bot_username = ""

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.service.handle_update(update.to_dict())

    async def start(self, webhook: Webhook | None = None) -> None:
        await self.application.initialize()
        self.bot_username = self.bot.username or ""
        await self.service.start(self)
        await self.service.publish_menu()
        await self.application.start()
        assert self.application.updater is not None
        if webhook is not None:
            await self.application.updater.start_webhook(
                listen=webhook.host,
                port=webhook.port,
                url_path=webhook.path.lstrip("/"),
                webhook_url=webhook.url,
                secret_token=webhook.secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            return
        await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=10)

    async def stop(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.service.stop()
        await self.application.shutdown()

    async def deliver(self, message: Outgoing) -> Any:
        markup = _markup(message)
        preview = LinkPreviewOptions(is_disabled=message.disable_preview)
        try:
            if message.edit_message_id is not None:
                return await self.bot.edit_message_text(
                    text=message.text,
                    chat_id=message.chat_id,
                    message_id=message.edit_message_id,
                    parse_mode="HTML",
                    reply_markup=markup,
                    link_preview_options=preview,
                )
            if message.photo is not None:
                return await self.bot.send_photo(
                    message.chat_id,
                    message.photo,
                    caption=message.text or None,
                    parse_mode="HTML",
                    reply_markup=markup,
                    filename="chart.png",
                )
            if message.document is not None:
                return await self.bot.send_document(
                    message.chat_id,
                    message.document.content,
                    filename=message.document.filename,
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
                link_preview_options=preview,
            )
        except PTBRetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise RetryAfter(seconds) from error
        except (BadRequest, Forbidden) as error:
            if NOT_MODIFIED in error.message:
                return None
            raise PermanentError(error.message) from error
        except NetworkError as error:
            raise TransientError(error.message) from error
        except TelegramError as error:
            raise PermanentError(error.message) from error

    async def answer_callback(self, answer: CallbackAnswer) -> None:
        try:
            await self.bot.answer_callback_query(
                answer.callback_id, text=answer.text or None, show_alert=answer.alert
            )
        except TelegramError as error:
            raise PermanentError(error.message) from error

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        try:
            member = await self.bot.get_chat_member(chat_id, user_id)
        except TelegramError:
            return False
        return member.status in ("creator", "administrator")

    async def set_menu(
        self, commands: list[tuple[str, str]], language_code: str, scope_chat_id: int | None = None
    ) -> None:
        await self.bot.set_my_commands(
            [BotCommand(name, text) for name, text in commands],
            scope=BotCommandScopeChat(scope_chat_id) if scope_chat_id is not None else None,
            language_code=language_code or None,
        )


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in message.buttons
        ]
    )
