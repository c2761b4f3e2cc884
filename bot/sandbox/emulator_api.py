"""The Bot API side of the emulator: what the bot can call, answered the way Telegram answers.

Why the fidelity: the point of the sandbox is that a bot which passes here does not fail on
Telegram. So the limits Telegram enforces (text and caption length after entity parsing,
callback_data bytes, button count, answerCallbackQuery text), its refusals (403 to a user who
never started the bot, "message is not modified", "query is too old") and its quirks
(editMessageText without reply_markup removes the keyboard; allowed_updates is sticky and
applies when an update is created; a second getUpdates terminates the first with 409) are
reproduced with Telegram's own wording, because bots branch on those texts.

Not modelled: inline mode, payments, forum topics, media groups, polls, Markdown parsing
(Markdown text is stored verbatim), pushing updates to a webhook (setWebhook is recorded and,
like Telegram, makes getUpdates answer 409 until deleteWebhook). Any method not handled here
answers ``{"ok": true, "result": true}``.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.sandbox.emulator_http import (
    ApiError,
    Fault,
    Params,
    RateLimiter,
    UploadedFile,
    error_response,
    ok_response,
    read_params,
)
from bot.sandbox.emulator_models import (
    EmuCallbackAnswer,
    EmuChat,
    EmuDocument,
    EmuMessage,
    StoredFile,
)
from bot.sandbox.emulator_state import ALL_UPDATE_TYPES, DEFAULT_UPDATE_TYPES, EmulatorState
from bot.sandbox.telegram_html import HtmlParseError, ParsedText, parse_html, strip_text, utf16_len

__all__ = ["ApiCall", "BotApi", "scope_key"]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_CALLBACK_ANSWER = 200
MAX_COMMANDS = 100
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")

Handler = Callable[[Params], Awaitable[Any]]


@dataclass(frozen=True)
class ApiCall:
    """One Bot API call as the emulator received it (files reduced to their names)."""

    method: str
    params: dict[str, Any]
    error: str | None = None


def scope_key(scope: dict[str, Any] | None) -> str:
    """A stable key for a BotCommandScope: its type plus the chat/user it names."""
    scope = scope or {"type": "default"}
    parts = [str(scope.get("type", "default"))]
    for name in ("chat_id", "user_id"):
        if scope.get(name) is not None:
            parts.append(str(scope[name]))
    return ":".join(parts)


def _inline_part(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]] | None:
    """The inline keyboard of a markup, ``None`` when there is none (or it is empty)."""
    if not markup:
        return None
    rows = markup.get("inline_keyboard")
    if not rows or not any(rows):
        return None
    return [list(row) for row in rows if row]


def _buttons(markup: dict[str, Any] | None) -> list[list[tuple[str, str]]]:
    rows = _inline_part(markup) or []
    return [
        [
            (
                str(button.get("text", "")),
                str(button.get("callback_data") or button.get("url") or ""),
            )
            for button in row
        ]
        for row in rows
    ]


@web.middleware
async def _telegram_not_found(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Telegram answers unknown paths with its JSON error, not aiohttp's text page."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return error_response(ApiError(404, "Not Found"))


class BotApi:
    """aiohttp handlers for ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``."""

    def __init__(self, state: EmulatorState, *, rate_limits: bool, strict_html: bool) -> None:
        self.state = state
        self.strict_html = strict_html
        self.limiter: RateLimiter | None = RateLimiter() if rate_limits else None
        self.faults: list[Fault] = []
        #: 429s answered because of the flood limits, since the start, per chat id.
        self.flood_refusals: Counter[int] = Counter()
        #: Called with (method, result) for every successful answer, updates included.
        self.observers: list[Callable[[str, Any], None]] = []
        self.calls: deque[ApiCall] = deque(maxlen=1000)
        self._poll_owner: object | None = None
        #: The methods answered here, by their Bot API names; any other answers True.
        self.methods: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "getFile": self.get_file,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "getChatMemberCount": self.get_chat_member_count,
            "sendChatAction": self.send_chat_action,
        }
        self._by_lower = {name.lower(): handler for name, handler in self.methods.items()}

    # -- aiohttp wiring --------------------------------------------------------------------

    def make_app(self) -> web.Application:
        # Telegram accepts uploads up to 50 MB; aiohttp's default body limit is 1 MiB.
        # Unknown paths are answered by a middleware, not a catch-all route, so that the
        # sandbox page can add its own routes to this application.
        app = web.Application(client_max_size=60 * 1024 * 1024, middlewares=[_telegram_not_found])
        app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self.handle_file)
        return app

    async def handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.state.token:
            return error_response(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        params: Params | None = None
        try:
            params = await read_params(request)
            self._take_fault(method)
            handler = self._by_lower.get(method.lower())
            result = True if handler is None else await handler(params)
        except ApiError as error:
            self._log(method, params, error.description)
            self.state.record_failure(method, error.error_code, error.description)
            return error_response(error)
        self._log(method, params, None)
        for observer in self.observers:
            observer(method, result)
        return ok_response(result)

    async def handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.state.token:
            return error_response(ApiError(401, "Unauthorized"))
        stored = self.state.files_by_path.get(request.match_info["path"])
        if stored is None:
            return error_response(ApiError(404, "Not Found"))
        content_type = stored.mime_type or "application/octet-stream"
        if stored.kind == "photo":
            content_type = mimetypes.guess_type(stored.filename or "")[0] or "image/jpeg"
        return web.Response(body=stored.data, content_type=content_type)

    def _log(self, method: str, params: Params | None, error: str | None) -> None:
        values: dict[str, Any] = dict(params.values) if params else {}
        if params:
            for key, upload in params.files.items():
                values[key] = f"<file {upload.filename or key}: {len(upload.data)} bytes>"
        self.calls.append(ApiCall(method, values, error))

    def _take_fault(self, method: str) -> None:
        for fault in self.faults:
            if fault.method == "*" or fault.method.lower() == method.lower():
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                raise fault.to_error()

    # -- shared checks ---------------------------------------------------------------------

    def _chat(self, params: Params, name: str = "chat_id") -> EmuChat:
        raw = params.get_raw(name)
        if raw is None or raw == "":
            raise ApiError.bad_request(f"{name} is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise ApiError.bad_request("chat not found") from None
        chat = self.state.chats.get(chat_id)
        if chat is None and chat_id in self.state.users:
            chat = self.state.private_chat(self.state.users[chat_id])
        if chat is None:
            raise ApiError.bad_request("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                parameters={"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def _writable_chat(self, params: Params) -> EmuChat:
        """The target chat, refused with Telegram's 403s when the bot may not write there."""
        chat = self._chat(params)
        if chat.is_private:
            user = self.state.user(chat.user_id or chat.id)
            if user.blocked_bot:
                raise ApiError.forbidden("bot was blocked by the user")
            if not user.started_bot:
                raise ApiError.forbidden("bot can't initiate conversation with a user")
        elif chat.bot_status == "kicked":
            raise ApiError.forbidden(f"bot was kicked from the {chat.type} chat")
        elif chat.bot_status == "left":
            raise ApiError.forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def _rate_limit(self, chat: EmuChat) -> None:
        """Count a send or an edit against Telegram's flood limits (strict mode only)."""
        if self.limiter is not None:
            try:
                self.limiter.check(chat.id, is_private=chat.is_private)
            except ApiError:
                self.flood_refusals[chat.id] += 1
                raise

    def _format(
        self, params: Params, field: str, entities_field: str
    ) -> tuple[str, list[dict[str, Any]], str | None]:
        """Parse text or caption per parse_mode; returns (plain text, entities, html or None)."""
        raw = params.get_str(field) or ""
        parse_mode = (params.get_str("parse_mode") or "").strip().lower()
        html: str | None = None
        if parse_mode == "html":
            try:
                parsed = parse_html(raw, strict_entities=self.strict_html)
            except HtmlParseError as error:
                raise ApiError.bad_request(f"can't parse entities: {error}") from None
            html = raw
        elif parse_mode in ("", "markdown", "markdownv2"):
            entities = params.get_json(entities_field) or []
            if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
                raise ApiError.bad_request(f"can't parse {entities_field} JSON object")
            parsed = ParsedText(raw, [dict(e) for e in entities])
        else:
            raise ApiError.bad_request("unsupported parse_mode")
        parsed = strip_text(parsed)
        return parsed.text, parsed.entities, html

    def _reply_markup(self, params: Params) -> dict[str, Any] | None:
        markup = params.get_json("reply_markup", what="reply keyboard markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError.bad_request(
                    "can't parse inline keyboard button: field must be an Array"
                )
            if sum(len(row) for row in rows) > MAX_BUTTONS:
                raise ApiError.bad_request("BUTTONS_TOO_MUCH")
            for row in rows:
                for button in row:
                    self._check_button(button)
        elif not any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
            raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
        return markup

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise ApiError.bad_request("can't parse inline keyboard button: Text must be a String")
        if "callback_data" in button:
            data = button["callback_data"]
            size = len(data.encode("utf-8")) if isinstance(data, str) else 0
            if not 1 <= size <= MAX_CALLBACK_DATA:
                raise ApiError.bad_request("BUTTON_DATA_INVALID")
        elif "url" in button:
            url = str(button["url"])
            if not re.match(r"^(https?|tg)://\S+$", url, re.IGNORECASE):
                raise ApiError.bad_request("BUTTON_URL_INVALID")
        elif not any(key in button for key in _BUTTON_ACTIONS):
            raise ApiError.bad_request("text buttons are unallowed in the inline keyboard")

    @staticmethod
    def _preview(params: Params) -> dict[str, Any] | None:
        """The options Telegram echoes in the Message: only those that differ from the default."""
        options = params.get_json("link_preview_options")
        if not isinstance(options, dict):
            return None
        allowed = {
            "is_disabled",
            "url",
            "prefer_small_media",
            "prefer_large_media",
            "show_above_text",
        }
        echoed = {k: v for k, v in options.items() if k in allowed and v not in (False, None, "")}
        return echoed or None

    def _reply_to(self, params: Params, chat: EmuChat) -> int | None:
        reply = params.get_json("reply_parameters")
        if isinstance(reply, dict) and reply.get("message_id") is not None:
            message_id = int(reply["message_id"])
            allow_missing = bool(reply.get("allow_sending_without_reply", False))
        else:
            found = params.get_int("reply_to_message_id")
            if found is None:
                return None
            message_id = found
            allow_missing = params.get_bool("allow_sending_without_reply")
        if self.state.message(chat.id, message_id) is None:
            if allow_missing:
                return None
            raise ApiError.bad_request("message to be replied not found")
        return message_id

    def _bot_message(self, chat: EmuChat, **fields: Any) -> EmuMessage:
        message = EmuMessage(
            message_id=self.state.next_message_id(chat.id),
            chat_id=chat.id,
            from_user=self.state.bot_id,
            date=self.state.now(),
            is_bot=True,
            **fields,
        )
        self.state.store_message(message)
        return message

    def _target_message(self, params: Params, missing: str) -> tuple[EmuChat, EmuMessage]:
        if "inline_message_id" in params:
            raise ApiError.bad_request(missing)  # inline mode is not emulated
        chat = self._chat(params)
        message = self.state.message(chat.id, params.require_int("message_id"))
        if message is None:
            raise ApiError.bad_request(missing)
        return chat, message

    def _input_file(self, source: UploadedFile | str | None, kind: str) -> StoredFile:
        if source is None:
            raise ApiError.bad_request(f"there is no {kind} in the request")
        if isinstance(source, str):
            stored = self.state.files.get(source)
            if stored is not None:
                if stored.kind != kind:
                    raise ApiError.bad_request(
                        f"wrong file identifier/HTTP URL specified: can't use file of type "
                        f"{stored.kind.capitalize()} as {kind.capitalize()}"
                    )
                return stored
            if source.lower().startswith(("http://", "https://")):
                raise ApiError.bad_request("failed to get HTTP URL content")
            raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
        if not source.data:
            raise ApiError.bad_request("file must be non-empty")
        if kind == "photo":
            size = self.state.image_size(source.data)
            if size is None:
                raise ApiError.bad_request("IMAGE_PROCESS_FAILED")
            return self.state.store_file(
                source.data,
                kind="photo",
                filename=source.filename,
                mime_type=None,
                size=size,
            )
        filename = source.filename or "document"
        mime = (
            mimetypes.guess_type(filename)[0] or source.content_type or "application/octet-stream"
        )
        return self.state.store_file(
            source.data, kind="document", filename=filename, mime_type=mime
        )

    def _caption(self, params: Params) -> tuple[str, list[dict[str, Any]], str | None]:
        caption, entities, html = self._format(params, "caption", "caption_entities")
        if utf16_len(caption) > MAX_CAPTION:
            raise ApiError.bad_request("message caption is too long")
        return caption, entities, html

    # -- methods: bot and updates ----------------------------------------------------------

    async def get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self.state.bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.state.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: Params) -> list[dict[str, Any]]:
        state = self.state
        if state.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get_int("offset")
        limit = min(max(params.get_int("limit") or 100, 1), 100)
        timeout = max(params.get_int("timeout") or 0, 0)
        allowed = params.get_json("allowed_updates")
        if isinstance(allowed, list):
            state.set_allowed_updates([str(kind) for kind in allowed])
        if offset:
            state.confirm_updates(offset)
        me = object()
        self._poll_owner = me
        state.notify()  # an older long poll learns it was superseded
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            marker = state.change_marker()
            if self._poll_owner is not me:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            remaining = deadline - asyncio.get_running_loop().time()
            if state.closing:
                return []
            if state.updates or remaining <= 0:
                if self._poll_owner is me:
                    self._poll_owner = None
                return list(state.updates[:limit])
            await state.wait_marker(marker, remaining)

    async def set_webhook(self, params: Params) -> bool:
        self.state.webhook_url = params.get_str("url") or ""
        self.state.webhook_max_connections = params.get_int("max_connections") or 40
        allowed = params.get_json("allowed_updates")
        if isinstance(allowed, list):
            self.state.set_allowed_updates([str(kind) for kind in allowed])
        if params.get_bool("drop_pending_updates"):
            self.state.updates.clear()
        self.state.notify()
        return True

    async def delete_webhook(self, params: Params) -> bool:
        self.state.webhook_url = ""
        if params.get_bool("drop_pending_updates"):
            self.state.updates.clear()
        return True

    async def get_webhook_info(self, params: Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.state.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.state.updates),
        }
        if self.state.webhook_url:
            # Telegram adds these for a set webhook; allowed_updates only when narrowed.
            info["max_connections"] = self.state.webhook_max_connections
            if self.state.allowed_updates != DEFAULT_UPDATE_TYPES:
                info["allowed_updates"] = [
                    kind for kind in ALL_UPDATE_TYPES if kind in self.state.allowed_updates
                ]
        return info

    # -- methods: messages -----------------------------------------------------------------

    async def send_message(self, params: Params) -> dict[str, Any]:
        chat = self._writable_chat(params)
        text, entities, html = self._format(params, "text", "entities")
        if not text:
            raise ApiError.bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError.bad_request("message is too long")
        markup = self._reply_markup(params)
        reply_to = self._reply_to(params, chat)
        preview = self._preview(params)
        self._rate_limit(chat)
        message = self._bot_message(
            chat,
            text=text,
            html=html,
            entities=entities,
            link_preview_options=preview,
            reply_markup=markup,
            buttons=_buttons(markup),
            reply_to=reply_to,
        )
        return self.state.message_json(message)

    async def send_photo(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "photo")

    async def send_document(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "document")

    async def _send_media(self, params: Params, kind: str) -> dict[str, Any]:
        chat = self._writable_chat(params)
        caption, caption_entities, caption_html = self._caption(params)
        markup = self._reply_markup(params)
        reply_to = self._reply_to(params, chat)
        stored = self._input_file(params.get_file(kind), kind)
        self._rate_limit(chat)
        document = None
        if kind == "document":
            document = EmuDocument(
                stored.filename or "document",
                stored.data,
                stored.mime_type or "application/octet-stream",
            )
        message = self._bot_message(
            chat,
            photo=stored.data if kind == "photo" else None,
            document=document,
            file_id=stored.file_id,
            caption=caption or None,
            caption_html=caption_html,
            caption_entities=caption_entities,
            reply_markup=markup,
            buttons=_buttons(markup),
            reply_to=reply_to,
        )
        return self.state.message_json(message)

    async def edit_message_text(self, params: Params) -> dict[str, Any]:
        _chat, message = self._target_message(params, "message to edit not found")
        if not message.is_bot:
            raise ApiError.bad_request("message can't be edited")
        if message.text is None:
            raise ApiError.bad_request("there is no text in the message to edit")
        text, entities, html = self._format(params, "text", "entities")
        if not text:
            raise ApiError.bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError.bad_request("message is too long")
        # Telegram drops the inline keyboard when an edit does not repeat it.
        markup = self._reply_markup(params)
        if (
            text == message.text
            and entities == message.entities
            and _inline_part(markup) == _inline_part(message.reply_markup)
        ):
            raise ApiError.bad_request(NOT_MODIFIED)
        self._rate_limit(_chat)
        message.text, message.entities, message.html = text, entities, html
        message.link_preview_options = self._preview(params)
        self._apply_markup(message, markup)
        return self._finish_edit(message)

    async def edit_message_caption(self, params: Params) -> dict[str, Any]:
        _chat, message = self._target_message(params, "message to edit not found")
        if not message.is_bot:
            raise ApiError.bad_request("message can't be edited")
        if message.file_id is None:
            raise ApiError.bad_request("there is no caption in the message to edit")
        caption, entities, html = self._caption(params)
        markup = self._reply_markup(params)
        if (
            caption == (message.caption or "")
            and entities == message.caption_entities
            and _inline_part(markup) == _inline_part(message.reply_markup)
        ):
            raise ApiError.bad_request(NOT_MODIFIED)
        self._rate_limit(_chat)
        message.caption, message.caption_entities = caption or None, entities
        message.caption_html = html
        self._apply_markup(message, markup)
        return self._finish_edit(message)

    async def edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        _chat, message = self._target_message(params, "message to edit not found")
        if not message.is_bot:
            raise ApiError.bad_request("message can't be edited")
        markup = self._reply_markup(params)
        if _inline_part(markup) == _inline_part(message.reply_markup):
            raise ApiError.bad_request(NOT_MODIFIED)
        self._rate_limit(_chat)
        self._apply_markup(message, markup)
        return self._finish_edit(message)

    @staticmethod
    def _apply_markup(message: EmuMessage, markup: dict[str, Any] | None) -> None:
        inline = _inline_part(markup)
        message.reply_markup = {"inline_keyboard": inline} if inline else None
        message.buttons = _buttons(message.reply_markup)

    def _finish_edit(self, message: EmuMessage) -> dict[str, Any]:
        message.edited = True
        message.edit_date = self.state.now()
        self.state.publish_edit(message)
        return self.state.message_json(message)

    async def delete_message(self, params: Params) -> bool:
        chat = self._chat(params)
        message = self.state.message(chat.id, params.require_int("message_id"))
        if message is None:
            raise ApiError.bad_request("message to delete not found")
        if not self._may_delete(chat, message):
            raise ApiError.bad_request("message can't be deleted")
        self._delete(message)
        return True

    async def delete_messages(self, params: Params) -> bool:
        chat = self._chat(params)
        ids = params.get_json("message_ids")
        if not isinstance(ids, list) or not ids:
            raise ApiError.bad_request("message_ids is empty")
        for message_id in ids:
            message = self.state.message(chat.id, int(message_id))
            if message is not None and self._may_delete(chat, message):
                self._delete(message)
        return True

    def _may_delete(self, chat: EmuChat, message: EmuMessage) -> bool:
        return message.is_bot or chat.is_private or chat.bot_is_admin

    def _delete(self, message: EmuMessage) -> None:
        message.deleted = True
        self.state.publish(
            {"type": "delete", "chat_id": message.chat_id, "message_id": message.message_id}
        )

    async def answer_callback_query(self, params: Params) -> bool:
        query = self.state.callbacks.get(params.get_str("callback_query_id") or "")
        if query is None or query.answer is not None:
            raise ApiError.bad_request(QUERY_TOO_OLD)
        text = params.get_str("text")
        if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER:
            raise ApiError.bad_request("MESSAGE_TOO_LONG")
        query.answer = EmuCallbackAnswer(
            text=text,
            show_alert=params.get_bool("show_alert"),
            url=params.get_str("url"),
            cache_time=params.get_int("cache_time"),
        )
        self.state.publish(
            {
                "type": "callback_answer",
                "query_id": query.query_id,
                "chat_id": query.chat_id,
                "message_id": query.message_id,
                "user_id": query.user_id,
                "text": text,
                "show_alert": query.answer.show_alert,
            }
        )
        return True

    async def get_file(self, params: Params) -> dict[str, Any]:
        stored = self.state.files.get(params.get_str("file_id") or "")
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise ApiError.bad_request("file is too big")
        return self.state.file_json(stored)

    # -- methods: commands -----------------------------------------------------------------

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.get_json("scope")
        if scope is not None and not isinstance(scope, dict):
            raise ApiError.bad_request("can't parse BotCommandScope JSON object")
        language = params.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError.bad_request("invalid language code specified")
        return scope_key(scope), language

    async def set_my_commands(self, params: Params) -> bool:
        key = self._commands_key(params)
        commands = params.get_json("commands")
        if not isinstance(commands, list):
            raise ApiError.bad_request("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise ApiError.bad_request("too many commands specified")
        parsed: list[tuple[str, str]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise ApiError.bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command", "")).removeprefix("/")
            description = str(item.get("description", ""))
            if not _COMMAND_RE.match(command):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description.strip()) <= 256:
                raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            parsed.append((command, description))
        if parsed:
            self.state.commands[key] = parsed
        else:
            self.state.commands.pop(key, None)
        self.state.publish({"type": "commands", "scope": key[0], "language_code": key[1]})
        return True

    async def get_my_commands(self, params: Params) -> list[dict[str, str]]:
        commands = self.state.commands.get(self._commands_key(params), [])
        return [{"command": command, "description": text} for command, text in commands]

    async def delete_my_commands(self, params: Params) -> bool:
        key = self._commands_key(params)
        self.state.commands.pop(key, None)
        self.state.publish({"type": "commands", "scope": key[0], "language_code": key[1]})
        return True

    # -- methods: chats --------------------------------------------------------------------

    async def get_chat(self, params: Params) -> dict[str, Any]:
        return self.state.chat_full_json(self._chat(params))

    async def get_chat_member(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        user_id = params.require_int("user_id")
        if user_id != self.state.bot_id and user_id not in self.state.users:
            raise ApiError.bad_request("user not found")
        return self.state.member_json(chat, user_id)

    async def get_chat_administrators(self, params: Params) -> list[dict[str, Any]]:
        chat = self._chat(params)
        if chat.is_private:
            raise ApiError.bad_request("there are no administrators in the private chat")
        admins = sorted(chat.admins & chat.members, key=lambda uid: uid != chat.owner_id)
        result = [self.state.member_json(chat, uid) for uid in admins]
        if chat.bot_is_admin:
            result.append(self.state.member_json(chat, self.state.bot_id))
        return result

    async def get_chat_member_count(self, params: Params) -> int:
        chat = self._chat(params)
        if chat.is_private:
            return 2
        return len(chat.members) + (1 if chat.bot_status in ("member", "administrator") else 0)

    async def send_chat_action(self, params: Params) -> bool:
        chat = self._writable_chat(params)
        action = params.get_str("action") or ""
        if action not in _CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        self.state.publish({"type": "chat_action", "chat_id": chat.id, "action": action})
        return True
