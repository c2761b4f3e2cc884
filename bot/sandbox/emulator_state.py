"""The emulator's single source of truth and its translation into Telegram JSON.

Why one state object: the Bot API handlers (what the bot does) and the scenario API (what the
humans do) must change the same world, wake the same long polls and feed the same live event
stream, or a browser page and a test would see different things. Everything that mutates goes
through a method here, which also notifies waiters and subscribers.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.sandbox.emulator_models import (
    EmuCallbackAnswer,
    EmuChat,
    EmulatorError,
    EmuMessage,
    EmuUser,
    StoredFile,
)
from bot.sandbox.telegram_html import render_html

__all__ = [
    "ALL_UPDATE_TYPES",
    "DEFAULT_UPDATE_TYPES",
    "CallbackQueryState",
    "EmulatorState",
    "FailedCall",
]

#: Every update type of the Bot API, in the order of its reference.
ALL_UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)

#: What Telegram delivers when allowed_updates was never set or set to []: these three must
#: be asked for by name.
DEFAULT_UPDATE_TYPES = frozenset(ALL_UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)


@dataclass
class CallbackQueryState:
    """A button press waiting for (or holding) the bot's answerCallbackQuery."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: EmuCallbackAnswer | None = None


@dataclass(frozen=True)
class FailedCall:
    """A Bot API call the emulator refused; shown when a wait times out."""

    method: str
    error_code: int
    description: str


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF, JPEG or WebP image; ``None`` if it is none of them.

    Telegram refuses a "photo" it cannot decode (IMAGE_PROCESS_FAILED); reading the header is
    enough to tell a real image from a placeholder byte string.
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8X":
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return width, height
        if chunk == b"VP8 ":
            width, height = struct.unpack("<HH", data[26:30])
            return int(width) & 0x3FFF, int(height) & 0x3FFF
        if chunk == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        return None
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                index += 1
                continue
            marker = data[index + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                index += 1 if marker == 0xFF else 2
                continue
            (length,) = struct.unpack(">H", data[index + 2 : index + 4])
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return None


class EmulatorState:
    """Users, chats, message histories, files, pending updates and the notification hub."""

    def __init__(
        self,
        *,
        token: str,
        bot_username: str,
        bot_first_name: str,
        clock: Callable[[], datetime],
        privacy_mode: bool,
    ) -> None:
        bot_id, _, _secret = token.partition(":")
        if not bot_id.isdigit():
            raise ValueError("a bot token looks like '<digits>:<secret>'")
        self.token = token
        self.bot_id = int(bot_id)
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.clock = clock
        self.privacy_mode = privacy_mode

        self.users: dict[int, EmuUser] = {}
        self.chats: dict[int, EmuChat] = {}
        self.history: dict[int, dict[int, EmuMessage]] = {}
        self._next_message_id: dict[int, int] = {}

        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}

        self.updates: list[dict[str, Any]] = []
        self._next_update_id = 700_000_001
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.webhook_url = ""

        self.callbacks: dict[str, CallbackQueryState] = {}
        self._next_query = 4_000_000_000_000_000_001

        self.commands: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.failures: deque[FailedCall] = deque(maxlen=50)
        self.closing = False

        self._subscribers: list[asyncio.Queue[dict[str, Any]]] = []
        self._changed = asyncio.Event()

    # -- time, ids -------------------------------------------------------------------------

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise EmulatorError("the emulator's clock must return aware (UTC) datetimes")
        return moment

    def unix_now(self) -> int:
        return int(self.now().timestamp())

    def next_message_id(self, chat_id: int) -> int:
        value = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = value + 1
        return value

    def next_query_id(self) -> str:
        self._next_query += 1
        return str(self._next_query)

    # -- notification ----------------------------------------------------------------------

    def notify(self) -> None:
        """Wake everyone waiting for *any* change (long polls, test waits)."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def change_marker(self) -> asyncio.Event:
        """The event the next :meth:`notify` sets.

        Take it *before* checking a condition and pass it to :meth:`wait_marker`, so a change
        between the check and the wait is not lost.
        """
        return self._changed

    @staticmethod
    async def wait_marker(marker: asyncio.Event, seconds: float) -> None:
        """Sleep until ``marker`` is set or ``seconds`` pass; the caller re-checks."""
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await marker.wait()

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.remove(queue)

    def publish(self, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            queue.put_nowait(event)
        self.notify()

    # -- lookups ---------------------------------------------------------------------------

    def user(self, user_id: int) -> EmuUser:
        try:
            return self.users[user_id]
        except KeyError:
            raise EmulatorError(f"no user with id {user_id}") from None

    def chat(self, chat_id: int) -> EmuChat:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise EmulatorError(f"no chat with id {chat_id}") from None

    def message(self, chat_id: int, message_id: int) -> EmuMessage | None:
        """A message that exists and was not deleted, else ``None``."""
        found = self.history.get(chat_id, {}).get(message_id)
        return None if found is None or found.deleted else found

    def add_chat(self, chat: EmuChat) -> EmuChat:
        self.chats[chat.id] = chat
        self.history.setdefault(chat.id, {})
        self.publish({"type": "chat", "chat": self.chat_to_dict(chat)})
        return chat

    def private_chat(self, user: EmuUser) -> EmuChat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = self.add_chat(EmuChat(id=user.id, type="private", user_id=user.id))
        return chat

    def store_message(self, message: EmuMessage) -> EmuMessage:
        self.history.setdefault(message.chat_id, {})[message.message_id] = message
        self.publish(
            {
                "type": "message",
                "chat_id": message.chat_id,
                "message": self.message_to_dict(message),
            }
        )
        return message

    def publish_edit(self, message: EmuMessage) -> None:
        self.publish(
            {"type": "edit", "chat_id": message.chat_id, "message": self.message_to_dict(message)}
        )

    def publish_chat(self, chat: EmuChat) -> None:
        self.publish({"type": "chat", "chat": self.chat_to_dict(chat)})

    def store_file(
        self,
        data: bytes,
        *,
        kind: str,
        filename: str | None,
        mime_type: str | None,
        size: tuple[int, int] | None = None,
    ) -> StoredFile:
        number = len(self.files) + 1
        prefix = {"photo": "AgAC", "document": "BQAC"}.get(kind, "CAAC")
        token = base64.urlsafe_b64encode(f"{kind}:{number}:{self.bot_id}".encode()).decode()
        file_id = prefix + token.rstrip("=")
        unique_id = "AQAD" + base64.urlsafe_b64encode(f"u{number}".encode()).decode().rstrip("=")
        if kind == "photo":
            path = f"photos/file_{number}.jpg"
        else:
            extension = ""
            if filename and "." in filename:
                extension = "." + filename.rsplit(".", 1)[1][:10]
            path = f"documents/file_{number}{extension}"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique_id,
            file_path=path,
            data=data,
            kind=kind,
            filename=filename,
            mime_type=mime_type,
            width=size[0] if size else None,
            height=size[1] if size else None,
        )
        self.files[file_id] = stored
        self.files_by_path[path] = stored
        return stored

    image_size = staticmethod(_image_size)

    # -- updates ---------------------------------------------------------------------------

    def emit_update(self, kind: str, payload: dict[str, Any]) -> bool:
        """Queue an update for getUpdates if the bot's allowed_updates admits its type.

        Telegram applies allowed_updates when an update is created, so changing it later does
        not resurrect updates that were filtered out.
        """
        if kind not in self.allowed_updates:
            return False
        self.updates.append({"update_id": self._next_update_id, kind: payload})
        self._next_update_id += 1
        self.notify()
        return True

    def set_allowed_updates(self, allowed: list[str]) -> None:
        self.allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES

    def confirm_updates(self, offset: int) -> None:
        """getUpdates' offset: forget updates below it; a negative one keeps the last -offset."""
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def record_failure(self, method: str, error_code: int, description: str) -> None:
        self.failures.append(FailedCall(method, error_code, description))
        self.publish(
            {
                "type": "api_error",
                "method": method,
                "error_code": error_code,
                "description": description,
            }
        )

    # -- Telegram JSON ---------------------------------------------------------------------

    def bot_json(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def user_json(self, user_id: int) -> dict[str, Any]:
        if user_id == self.bot_id:
            return self.bot_json()
        user = self.user(user_id)
        data: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
        if user.last_name:
            data["last_name"] = user.last_name
        if user.username:
            data["username"] = user.username
        if user.language_code:
            data["language_code"] = user.language_code
        return data

    def chat_json(self, chat: EmuChat) -> dict[str, Any]:
        if chat.is_private and chat.user_id is not None:
            user = self.user(chat.user_id)
            data: dict[str, Any] = {"id": chat.id, "type": "private", "first_name": user.first_name}
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
            return data
        return {"id": chat.id, "type": chat.type, "title": chat.title or ""}

    def chat_full_json(self, chat: EmuChat) -> dict[str, Any]:
        """getChat's ChatFullInfo, with the fields current aiogram and PTB require."""
        data = self.chat_json(chat)
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        if not chat.is_private:
            data["permissions"] = {
                "can_send_messages": True,
                "can_send_polls": True,
                "can_invite_users": True,
            }
        return data

    def member_status(self, chat: EmuChat, user_id: int) -> str:
        if user_id == self.bot_id:
            if chat.is_private and chat.user_id in self.users:
                return "kicked" if self.users[chat.user_id].blocked_bot else "member"
            return chat.bot_status
        if chat.is_private:
            return "member" if user_id == chat.user_id else "left"
        if user_id not in chat.members:
            return "left"
        if user_id == chat.owner_id:
            return "creator"
        if user_id in chat.admins:
            return "administrator"
        return "member"

    def member_json(self, chat: EmuChat, user_id: int, status: str | None = None) -> dict[str, Any]:
        """A ChatMember object for ``user_id``'s current (or the given) status."""
        status = status or self.member_status(chat, user_id)
        data: dict[str, Any] = {"status": status, "user": self.user_json(user_id)}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update({"can_be_edited": user_id == self.bot_id, "is_anonymous": False})
            data.update(dict.fromkeys(_ADMIN_RIGHTS, True))
            data["can_send_welcome_messages"] = True
        elif status == "kicked":
            data["until_date"] = 0
        return data

    def chat_member_updated_json(
        self, chat: EmuChat, actor_id: int, user_id: int, old: str, new: str
    ) -> dict[str, Any]:
        return {
            "chat": self.chat_json(chat),
            "from": self.user_json(actor_id),
            "date": self.unix_now(),
            "old_chat_member": self.member_json(chat, user_id, old),
            "new_chat_member": self.member_json(chat, user_id, new),
        }

    def file_json(self, stored: StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def photo_sizes_json(self, stored: StoredFile) -> list[dict[str, Any]]:
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": stored.width or 1,
                "height": stored.height or 1,
                "file_size": len(stored.data),
            }
        ]

    def document_json(self, stored: StoredFile) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.filename:
            data["file_name"] = stored.filename
        if stored.mime_type:
            data["mime_type"] = stored.mime_type
        return data

    def message_json(self, message: EmuMessage, *, with_reply: bool = True) -> dict[str, Any]:
        """The Bot API Message object for ``message`` as it is now."""
        chat = self.chat(message.chat_id)
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.user_json(message.from_user),
            "chat": self.chat_json(chat),
            "date": int(message.date.timestamp()),
        }
        if message.edit_date is not None:
            data["edit_date"] = int(message.edit_date.timestamp())
        if with_reply and message.reply_to is not None:
            replied = self.message(message.chat_id, message.reply_to)
            if replied is not None:
                data["reply_to_message"] = self.message_json(replied, with_reply=False)
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        stored = self.files.get(message.file_id) if message.file_id else None
        if stored is not None and stored.kind == "photo":
            data["photo"] = self.photo_sizes_json(stored)
        elif stored is not None:
            data["document"] = self.document_json(stored)
        if message.caption:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.new_chat_members:
            data["new_chat_members"] = [self.user_json(uid) for uid in message.new_chat_members]
        if message.left_chat_member is not None:
            data["left_chat_member"] = self.user_json(message.left_chat_member)
        return data

    # -- the browser's view ----------------------------------------------------------------

    def download_path(self, stored: StoredFile) -> str:
        return f"/file/bot{self.token}/{stored.file_path}"

    def sender_name(self, user_id: int) -> str:
        if user_id == self.bot_id:
            return self.bot_first_name
        user = self.users.get(user_id)
        return user.name if user else str(user_id)

    def message_to_dict(self, message: EmuMessage) -> dict[str, Any]:
        """A JSON-serialisable view of a message for a web page (HTML is pre-sanitised)."""
        stored = self.files.get(message.file_id) if message.file_id else None
        return {
            "message_id": message.message_id,
            "chat_id": message.chat_id,
            "from_user": message.from_user,
            "from_name": self.sender_name(message.from_user),
            "is_bot": message.is_bot,
            "date": message.date.isoformat(),
            "text": message.text,
            "html": message.html,
            "safe_html": render_html(message.text, message.entities)
            if message.text is not None
            else None,
            "caption": message.caption,
            "caption_html": message.caption_html,
            "safe_caption_html": render_html(message.caption, message.caption_entities)
            if message.caption
            else None,
            "buttons": [
                [_button_to_dict(button) for button in row]
                for row in (message.reply_markup or {}).get("inline_keyboard", [])
            ],
            "reply_to": message.reply_to,
            "edited": message.edited,
            "deleted": message.deleted,
            "has_photo": message.photo is not None,
            "has_document": message.document is not None,
            "document_name": message.document.filename if message.document else None,
            "document_mime": message.document.mime if message.document else None,
            "file_path": stored.file_path if stored else None,
            "download": self.download_path(stored) if stored else None,
            "reply_keyboard": [
                [str(b.get("text", "")) if isinstance(b, dict) else str(b) for b in row]
                for row in (message.reply_markup or {}).get("keyboard", [])
            ],
            "force_reply": bool((message.reply_markup or {}).get("force_reply")),
            "new_chat_members": list(message.new_chat_members),
            "left_chat_member": message.left_chat_member,
        }

    def chat_to_dict(self, chat: EmuChat) -> dict[str, Any]:
        title = chat.title
        if chat.is_private and chat.user_id is not None and chat.user_id in self.users:
            title = self.users[chat.user_id].name
        return {
            "id": chat.id,
            "type": chat.type,
            "title": title,
            "members": sorted(chat.members),
            "admins": sorted(chat.admins),
            "owner_id": chat.owner_id,
            "bot_status": chat.bot_status,
        }

    def user_to_dict(self, user: EmuUser) -> dict[str, Any]:
        return {
            "id": user.id,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "username": user.username,
            "language_code": user.language_code,
            "name": user.name,
            "started_bot": user.started_bot,
            "blocked_bot": user.blocked_bot,
        }


def _button_to_dict(button: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": button.get("text", ""),
        "callback_data": button.get("callback_data"),
        "url": button.get("url"),
    }
