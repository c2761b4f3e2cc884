"""The emulator's single source of truth and its translation into Telegram JSON.

Why one state object: the Bot API handlers (what the bot does) and the scenario API (what the
humans do) must change the same world, wake the same long polls and feed the same live event
stream, or a browser page and a test would see different things. Everything that mutates goes
through a method here, which also notifies waiters and subscribers.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import copy
import struct
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.sandbox.emulator_models import (
    EmuCallbackAnswer,
    EmuChat,
    EmuDocument,
    EmulatorError,
    EmuMessage,
    EmuUser,
    StoredFile,
)
from bot.sandbox.telegram_html import render_html

__all__ = [
    "ALL_UPDATE_TYPES",
    "DEFAULT_UPDATE_TYPES",
    "GROUP_ANONYMOUS_BOT_ID",
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

#: Telegram's stand-in sender for messages a group sends as itself (a supergroup's first
#: message after an upgrade, an anonymous admin's messages); ``sender_chat`` names the chat.
GROUP_ANONYMOUS_BOT_ID = 1087968824
_GROUP_ANONYMOUS_BOT = {
    "id": GROUP_ANONYMOUS_BOT_ID,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}

#: A new supergroup's default ChatPermissions, every flag spelled out as getChat gives them.
_MEMBER_PERMISSIONS = {
    "can_send_messages": True,
    "can_send_audios": True,
    "can_send_documents": True,
    "can_send_photos": True,
    "can_send_videos": True,
    "can_send_video_notes": True,
    "can_send_voice_notes": True,
    "can_send_polls": True,
    "can_send_other_messages": True,
    "can_add_web_page_previews": True,
    "can_change_info": False,
    "can_invite_users": True,
    "can_pin_messages": False,
    "can_manage_topics": False,
}


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
        self.webhook_max_connections = 40

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
        prefix = {"photo": "AgAC", "document": "BQAC"}.get(kind, "CAAC")
        if kind == "photo":
            folder, extension = "photos", ".jpg"
        else:
            folder, extension = "documents", ""
            if filename and "." in filename:
                extension = "." + filename.rsplit(".", 1)[1][:10]
        # One past the count, unless an imported world already uses that number.
        number = len(self.files)
        while True:
            number += 1
            token = base64.urlsafe_b64encode(f"{kind}:{number}:{self.bot_id}".encode()).decode()
            file_id = prefix + token.rstrip("=")
            path = f"{folder}/file_{number}{extension}"
            if file_id not in self.files and path not in self.files_by_path:
                break
        unique_id = "AQAD" + base64.urlsafe_b64encode(f"u{number}".encode()).decode().rstrip("=")
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

    def inject_update(self, update: Mapping[str, Any]) -> int:
        """Queue ``update`` for getUpdates as it is, under the next update id; returns the id."""
        update_id = self._next_update_id
        self.updates.append({**update, "update_id": update_id})
        self._next_update_id += 1
        self.notify()
        return update_id

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

    # -- the world as data ----------------------------------------------------------------

    def export_world(self) -> dict[str, Any]:
        """Users, chats, every message (deleted ones too), files and the id counters it owns.

        JSON-serialisable and detached from the live objects; see ``Emulator.export_world``
        for the shape. A message refers to its photo or document by ``file_id`` only: the
        bytes are in ``files``, base64-encoded, once however many messages show them.
        """
        return {
            "next_message_ids": {str(chat): value for chat, value in self._next_message_id.items()},
            "next_query": self._next_query,
            "users": [_user_data(user) for user in list(self.users.values())],
            "chats": [_chat_data(chat) for chat in list(self.chats.values())],
            "files": [_file_data(stored) for stored in list(self.files.values())],
            "messages": [
                _message_data(message)
                for history in list(self.history.values())
                for message in list(history.values())
            ],
        }

    def import_world(self, data: Mapping[str, Any]) -> None:
        """Replace the world with ``data`` as :meth:`export_world` made it.

        Everything is read and checked first (types, duplicates, references between users,
        chats, messages and files), so malformed data raises :class:`EmulatorError` and leaves
        the state as it was. Pending updates, callback queries, commands and recorded failures
        are not part of the world and are left alone.
        """
        world = _Record(data, "world")
        users: dict[int, EmuUser] = {}
        for record in world.records("users"):
            user = _user_from(record)
            if user.id <= 0 or user.id == self.bot_id:
                raise record.invalid("id", "a positive id that is not the bot's")
            if user.id in users:
                raise record.invalid("id", "an id no other user has")
            users[user.id] = user

        def person(record: _Record, key: str, user_id: int) -> int:
            if user_id not in users and user_id not in (self.bot_id, GROUP_ANONYMOUS_BOT_ID):
                raise record.invalid(key, "the id of a user in the world (or the bot's)")
            return user_id

        chats: dict[int, EmuChat] = {}
        for record in world.records("chats"):
            chat = _chat_from(record)
            if chat.id in chats:
                raise record.invalid("id", "an id no other chat has")
            _check_chat(record, chat, users)
            chats[chat.id] = chat
        for record in world.records("chats"):
            chat = chats[record.integer("id")]
            if chat.migrated_to is not None and (
                chat.type != "group" or chats.get(chat.migrated_to, chat).type != "supergroup"
            ):
                raise record.invalid("migrated_to", "for a group, the id of a supergroup or null")

        files: dict[str, StoredFile] = {}
        files_by_path: dict[str, StoredFile] = {}
        for record in world.records("files"):
            stored = _file_from(record)
            if stored.file_id in files:
                raise record.invalid("file_id", "an id no other file has")
            if stored.file_path in files_by_path:
                raise record.invalid("file_path", "a path no other file has")
            files[stored.file_id] = stored
            files_by_path[stored.file_path] = stored

        history: dict[int, dict[int, EmuMessage]] = {chat_id: {} for chat_id in chats}
        for record in world.records("messages"):
            message = _message_from(record)
            if message.chat_id not in chats:
                raise record.invalid("chat_id", "the id of a chat in the world")
            if message.message_id <= 0 or message.message_id in history[message.chat_id]:
                raise record.invalid("message_id", "a positive id unique in its chat")
            person(record, "from_user", message.from_user)
            for member in message.new_chat_members:
                person(record, "new_chat_members", member)
            if message.left_chat_member is not None:
                person(record, "left_chat_member", message.left_chat_member)
            if message.sender_chat is not None and message.sender_chat not in chats:
                raise record.invalid("sender_chat", "the id of a chat in the world, or null")
            if message.file_id is not None:
                shown = files.get(message.file_id)
                if shown is None:
                    raise record.invalid("file_id", "the file_id of a file in the world")
                _attach_file(message, shown)
            history[message.chat_id][message.message_id] = message

        next_ids = world.integer_map("next_message_ids")
        for chat_id, messages in history.items():
            if messages:
                next_ids[chat_id] = max(next_ids.get(chat_id, 1), max(messages) + 1)
        next_query = world.integer("next_query")

        self.users, self.chats, self.history = users, chats, history
        self.files, self.files_by_path = files, files_by_path
        self._next_message_id = next_ids
        self._next_query = next_query
        self.notify()

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
        if user_id == GROUP_ANONYMOUS_BOT_ID:
            return dict(_GROUP_ANONYMOUS_BOT)
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
            data["permissions"] = dict(_MEMBER_PERMISSIONS)
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
        if message.sender_chat is not None:
            data["sender_chat"] = self.chat_json(self.chat(message.sender_chat))
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
            if message.link_preview_options:
                data["link_preview_options"] = message.link_preview_options
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
        if message.migrate_to_chat_id is not None:
            data["migrate_to_chat_id"] = message.migrate_to_chat_id
        if message.migrate_from_chat_id is not None:
            data["migrate_from_chat_id"] = message.migrate_from_chat_id
        return data

    # -- the browser's view ----------------------------------------------------------------

    def download_path(self, stored: StoredFile) -> str:
        return f"/file/bot{self.token}/{stored.file_path}"

    def sender_name(self, user_id: int) -> str:
        if user_id == self.bot_id:
            return self.bot_first_name
        if user_id == GROUP_ANONYMOUS_BOT_ID:
            return str(_GROUP_ANONYMOUS_BOT["first_name"])
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
            "migrate_to_chat_id": message.migrate_to_chat_id,
            "migrate_from_chat_id": message.migrate_from_chat_id,
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
            "migrated_to": chat.migrated_to,
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


# -- the world as data -----------------------------------------------------------------------

_MISSING: Any = object()


class _Record:
    """One JSON object of an imported world, read with type checks; errors say where."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise EmulatorError(f"{where}: expected an object, got {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.where = where

    def invalid(self, key: str, expected: str) -> EmulatorError:
        value = repr(self.data.get(key, "nothing"))
        shown = value if len(value) <= 60 else value[:57] + "..."
        return EmulatorError(f"{self.where}.{key}: expected {expected}, got {shown}")

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise EmulatorError(f"{self.where}: {key!r} is missing")
        return default

    def integer(self, key: str, default: Any = _MISSING) -> int:
        value = self._get(key, default)
        if not _is_int(value):
            raise self.invalid(key, "an integer")
        return int(value)

    def optional_integer(self, key: str) -> int | None:
        value = self._get(key, None)
        if value is not None and not _is_int(value):
            raise self.invalid(key, "an integer or null")
        return None if value is None else int(value)

    def text(self, key: str) -> str:
        value = self._get(key, _MISSING)
        if not isinstance(value, str):
            raise self.invalid(key, "a string")
        return value

    def optional_text(self, key: str, default: str | None = None) -> str | None:
        value = self._get(key, default)
        if value is not None and not isinstance(value, str):
            raise self.invalid(key, "a string or null")
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key, False)
        if not isinstance(value, bool):
            raise self.invalid(key, "true or false")
        return value

    def integers(self, key: str) -> list[int]:
        value = self._get(key, [])
        if not isinstance(value, list) or not all(_is_int(item) for item in value):
            raise self.invalid(key, "a list of integers")
        return [int(item) for item in value]

    def objects(self, key: str) -> list[dict[str, Any]]:
        """A list of JSON objects (entities), copied so the caller's data stays theirs."""
        value = self._get(key, [])
        if not isinstance(value, list) or not all(_is_object(item) for item in value):
            raise self.invalid(key, "a list of objects")
        return copy.deepcopy(value)

    def optional_object(self, key: str) -> dict[str, Any] | None:
        value = self._get(key, None)
        if value is not None and not _is_object(value):
            raise self.invalid(key, "an object or null")
        return None if value is None else dict(copy.deepcopy(value))

    def buttons(self, key: str) -> list[list[tuple[str, str]]]:
        value = self._get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(row, list)
            and all(
                isinstance(pair, list | tuple)
                and len(pair) == 2
                and all(isinstance(part, str) for part in pair)
                for pair in row
            )
            for row in value
        ):
            raise self.invalid(key, "rows of [label, data] string pairs")
        return [[(str(label), str(data)) for label, data in row] for row in value]

    def moment(self, key: str) -> datetime:
        value = self._get(key, _MISSING)
        return self._moment(key, value)

    def optional_moment(self, key: str) -> datetime | None:
        value = self._get(key, None)
        return None if value is None else self._moment(key, value)

    def _moment(self, key: str, value: object) -> datetime:
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise self.invalid(key, "an ISO 8601 date and time with its UTC offset")
        return moment

    def base64(self, key: str) -> bytes:
        value = self._get(key, _MISSING)
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            return base64.b64decode(value.encode("ascii"), validate=True)
        except (ValueError, binascii.Error):
            raise self.invalid(key, "base64-encoded bytes") from None

    def integer_map(self, key: str) -> dict[int, int]:
        """An object mapping integer keys (strings in JSON) to integers."""
        value = self._get(key, {})
        if not isinstance(value, Mapping):
            raise self.invalid(key, "an object")
        result: dict[int, int] = {}
        for name, number in value.items():
            if not isinstance(name, str) or not _is_int(number) or number < 1:
                raise self.invalid(key, "an object of chat ids and positive integers")
            try:
                result[int(name)] = int(number)
            except ValueError:
                raise self.invalid(key, "an object of chat ids and positive integers") from None
        return result

    def records(self, key: str) -> list[_Record]:
        value = self._get(key, _MISSING)
        if not isinstance(value, list):
            raise self.invalid(key, "a list")
        return [_Record(item, f"{key}[{index}]") for index, item in enumerate(value)]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_object(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(key, str) for key in value)


def _user_data(user: EmuUser) -> dict[str, Any]:
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "language_code": user.language_code,
        "started_bot": user.started_bot,
        "blocked_bot": user.blocked_bot,
    }


def _user_from(record: _Record) -> EmuUser:
    return EmuUser(
        id=record.integer("id"),
        first_name=record.text("first_name"),
        last_name=record.optional_text("last_name"),
        username=record.optional_text("username"),
        language_code=record.optional_text("language_code", "en"),
        started_bot=record.flag("started_bot"),
        blocked_bot=record.flag("blocked_bot"),
    )


def _chat_data(chat: EmuChat) -> dict[str, Any]:
    return {
        "id": chat.id,
        "type": chat.type,
        "title": chat.title,
        "user_id": chat.user_id,
        "members": sorted(chat.members),
        "admins": sorted(chat.admins),
        "owner_id": chat.owner_id,
        "bot_status": chat.bot_status,
        "migrated_to": chat.migrated_to,
    }


_CHAT_TYPES = ("private", "group", "supergroup")
_BOT_STATUSES = ("administrator", "member", "left", "kicked")


def _chat_from(record: _Record) -> EmuChat:
    kind = record.text("type")
    if kind not in _CHAT_TYPES:
        raise record.invalid("type", " or ".join(map(repr, _CHAT_TYPES)))
    bot_status = record.text("bot_status") if "bot_status" in record.data else "member"
    if bot_status not in _BOT_STATUSES:
        raise record.invalid("bot_status", "one of " + ", ".join(map(repr, _BOT_STATUSES)))
    return EmuChat(
        id=record.integer("id"),
        type=kind,
        title=record.optional_text("title"),
        user_id=record.optional_integer("user_id"),
        members=set(record.integers("members")),
        admins=set(record.integers("admins")),
        owner_id=record.optional_integer("owner_id"),
        bot_status=bot_status,
        migrated_to=record.optional_integer("migrated_to"),
    )


def _check_chat(record: _Record, chat: EmuChat, users: Mapping[int, EmuUser]) -> None:
    """The invariants the scenario API keeps: owner ⊆ admins ⊆ members ⊆ users."""
    if chat.is_private:
        if chat.user_id is None or chat.user_id not in users or chat.id != chat.user_id:
            raise record.invalid("user_id", "the id of a user in the world, equal to the chat's")
        return
    if chat.id >= 0:
        raise record.invalid("id", "a negative id for a group")
    if not chat.members <= users.keys():
        raise record.invalid("members", "ids of users in the world")
    if not chat.admins <= chat.members:
        raise record.invalid("admins", "ids of the group's members")
    if chat.owner_id is not None and chat.owner_id not in chat.admins:
        raise record.invalid("owner_id", "the id of one of the group's admins, or null")


_FILE_KINDS = ("photo", "document")


def _file_data(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_path": stored.file_path,
        "kind": stored.kind,
        "filename": stored.filename,
        "mime_type": stored.mime_type,
        "width": stored.width,
        "height": stored.height,
        "data": base64.b64encode(stored.data).decode("ascii"),
    }


def _file_from(record: _Record) -> StoredFile:
    kind = record.text("kind")
    if kind not in _FILE_KINDS:
        raise record.invalid("kind", " or ".join(map(repr, _FILE_KINDS)))
    stored = StoredFile(
        file_id=record.text("file_id"),
        file_unique_id=record.text("file_unique_id"),
        file_path=record.text("file_path"),
        data=record.base64("data"),
        kind=kind,
        filename=record.optional_text("filename"),
        mime_type=record.optional_text("mime_type"),
        width=record.optional_integer("width"),
        height=record.optional_integer("height"),
    )
    if not stored.file_id:
        raise record.invalid("file_id", "a non-empty string")
    if not stored.file_path:
        raise record.invalid("file_path", "a non-empty string")
    return stored


def _message_data(message: EmuMessage) -> dict[str, Any]:
    """A message without its media bytes: those are in ``files``, found by ``file_id``."""
    return {
        "message_id": message.message_id,
        "chat_id": message.chat_id,
        "from_user": message.from_user,
        "date": message.date.isoformat(),
        "text": message.text,
        "html": message.html,
        "buttons": [[[label, data] for label, data in row] for row in message.buttons],
        "caption": message.caption,
        "caption_html": message.caption_html,
        "reply_to": message.reply_to,
        "edited": message.edited,
        "is_bot": message.is_bot,
        "entities": copy.deepcopy(message.entities),
        "caption_entities": copy.deepcopy(message.caption_entities),
        "reply_markup": copy.deepcopy(message.reply_markup),
        "file_id": message.file_id,
        "new_chat_members": list(message.new_chat_members),
        "left_chat_member": message.left_chat_member,
        "edit_date": message.edit_date.isoformat() if message.edit_date else None,
        "link_preview_options": copy.deepcopy(message.link_preview_options),
        "migrate_to_chat_id": message.migrate_to_chat_id,
        "migrate_from_chat_id": message.migrate_from_chat_id,
        "sender_chat": message.sender_chat,
        "deleted": message.deleted,
    }


def _message_from(record: _Record) -> EmuMessage:
    return EmuMessage(
        message_id=record.integer("message_id"),
        chat_id=record.integer("chat_id"),
        from_user=record.integer("from_user"),
        date=record.moment("date"),
        text=record.optional_text("text"),
        html=record.optional_text("html"),
        buttons=record.buttons("buttons"),
        caption=record.optional_text("caption"),
        caption_html=record.optional_text("caption_html"),
        reply_to=record.optional_integer("reply_to"),
        edited=record.flag("edited"),
        is_bot=record.flag("is_bot"),
        entities=record.objects("entities"),
        caption_entities=record.objects("caption_entities"),
        reply_markup=record.optional_object("reply_markup"),
        file_id=record.optional_text("file_id"),
        new_chat_members=record.integers("new_chat_members"),
        left_chat_member=record.optional_integer("left_chat_member"),
        edit_date=record.optional_moment("edit_date"),
        link_preview_options=record.optional_object("link_preview_options"),
        migrate_to_chat_id=record.optional_integer("migrate_to_chat_id"),
        migrate_from_chat_id=record.optional_integer("migrate_from_chat_id"),
        sender_chat=record.optional_integer("sender_chat"),
        deleted=record.flag("deleted"),
    )


def _attach_file(message: EmuMessage, stored: StoredFile) -> None:
    """Give a message the bytes it shows, as sendPhoto/sendDocument did."""
    if stored.kind == "photo":
        message.photo = stored.data
    else:
        message.document = EmuDocument(
            stored.filename or "document",
            stored.data,
            stored.mime_type or "application/octet-stream",
        )
