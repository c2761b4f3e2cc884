"""python-telegram-bot 22 runtime over the same core as the aiogram one.

Only PTB's ``Bot`` is used: updates come in through ``bot.intake`` as Telegram's JSON (a
getUpdates answered raw by ``do_api_request``), never as PTB objects turned back into
dictionaries, so ``telegram.ext`` (Application, Updater, JobQueue) is not loaded at all.
PTB's own AIORateLimiter is deliberately not used either: our sender keeps the limits, and
PTB's halts every chat on one 429 (PTB #3765).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
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

from bot.intake import Poller, UpdateSink, Webhook, WebhookServer, open_intake
from bot.sender import PermanentError, RetryAfter, TransientError
from bot.updates import ALLOWED_UPDATES
from handlers.core.messages import CallbackAnswer, Outgoing

log = logging.getLogger(__name__)
NOT_MODIFIED = "message is not modified"
#: The Bot API's method names are case-insensitive. Spelled this way, PTB's
#: ``do_api_request`` neither warns that ``Bot.get_updates`` exists nor parses the result.
RAW_GET_UPDATES = "getupdates"


class PTBRuntime:
    def __init__(self, token: str, api_url: str) -> None:
        self.bot = Bot(token, base_url=f"{api_url}/bot", base_file_url=f"{api_url}/file/bot")
        self._intake: Poller | WebhookServer | None = None

    async def fetch_updates(self, offset: int | None, wait: int) -> list[Any]:
        kwargs: dict[str, Any] = {"timeout": wait, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            kwargs["offset"] = offset
        try:
            result = await self.bot.do_api_request(
                RAW_GET_UPDATES, api_kwargs=kwargs, read_timeout=wait + 10
            )
        except PTBRetryAfter as error:
            raise RetryAfter(_seconds(error.retry_after)) from error
        return list(result) if isinstance(result, list) else []

    async def connect(self) -> str:
        await self.bot.initialize()
        return self.bot.username or ""

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
        await self.bot.shutdown()

    async def deliver(self, message: Outgoing) -> Any:
        markup = _markup(message)
        send_markup = markup or _force_reply(message)
        reply = _reply(message)
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
                    reply_markup=send_markup,
                    reply_parameters=reply,
                    filename="chart.png",
                )
            if message.document is not None:
                return await self.bot.send_document(
                    message.chat_id,
                    message.document.content,
                    filename=message.document.filename,
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
                link_preview_options=preview,
            )
        except PTBRetryAfter as error:
            raise RetryAfter(_seconds(error.retry_after)) from error
        except (BadRequest, Forbidden) as error:
            if NOT_MODIFIED in error.message.lower():
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


def _seconds(wait: timedelta | float) -> float:
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
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
