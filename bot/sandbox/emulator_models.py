"""Plain dataclasses for the emulator's world: people, chats, messages, answers, files.

Why plain dataclasses: the same state is read by tests, by the Bot API handlers that turn it
into Telegram JSON, and later by a browser page; none of them should need to know about the
others. Objects are *live*: a message returned earlier shows later edits, a deleted message
is marked ``deleted`` instead of vanishing from under someone holding it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

__all__ = [
    "EmuCallbackAnswer",
    "EmuChat",
    "EmuDocument",
    "EmuMessage",
    "EmuUser",
    "EmulatorError",
    "StoredFile",
]


class EmulatorError(RuntimeError):
    """A scenario asked for something no Telegram user could do (or named an unknown id)."""


@dataclass(eq=False)
class EmuUser:
    """A human Telegram account the scenario plays."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    #: Sent the bot a private message at least once: only then may the bot write to them.
    started_bot: bool = False
    #: Blocked the bot in their private chat: the bot gets 403 until unblocked.
    blocked_bot: bool = False

    @property
    def name(self) -> str:
        """Full display name, as Telegram clients show it."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass(eq=False)
class EmuChat:
    """A private chat with one user, or a group or supergroup with members and admins."""

    id: int
    type: str  # "private" | "group" | "supergroup"
    title: str | None = None
    #: The other side of a private chat.
    user_id: int | None = None
    #: User ids currently in a group (admins included).
    members: set[int] = field(default_factory=set)
    #: User ids with administrator rights (the owner included).
    admins: set[int] = field(default_factory=set)
    #: The group's creator, if one of our users; reported with status "creator".
    owner_id: int | None = None
    #: The bot's own membership: "administrator", "member", "left" or "kicked".
    bot_status: str = "member"
    #: The supergroup a (basic) group became; nobody writes in the group any more.
    migrated_to: int | None = None

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    @property
    def bot_is_admin(self) -> bool:
        return self.bot_status == "administrator"


class EmuDocument(NamedTuple):
    """A file the bot sent with sendDocument."""

    filename: str
    data: bytes
    mime: str


@dataclass
class EmuMessage:
    """One message as a chat member would see it now (text after edits, buttons as shown)."""

    message_id: int
    chat_id: int
    #: Sender's user id; for the bot, the bot's own user id (see ``is_bot``).
    from_user: int
    date: datetime
    text: str | None = None
    #: The HTML the bot sent with ``parse_mode=HTML`` (``None`` for plain text).
    html: str | None = None
    #: Inline keyboard rows of (label, callback_data or url).
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    photo: bytes | None = None
    document: EmuDocument | None = None
    caption: str | None = None
    caption_html: str | None = None
    reply_to: int | None = None
    edited: bool = False
    is_bot: bool = False
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    #: The reply_markup as the bot sent it (inline keyboard, reply keyboard, force reply ...).
    reply_markup: dict[str, Any] | None = None
    file_id: str | None = None
    new_chat_members: list[int] = field(default_factory=list)
    left_chat_member: int | None = None
    edit_date: datetime | None = None
    #: Service messages of a group's upgrade: in the group, the supergroup's id; in the
    #: supergroup, the group's.
    migrate_to_chat_id: int | None = None
    migrate_from_chat_id: int | None = None
    #: The chat a message was sent on behalf of (the supergroup itself, for its first message).
    sender_chat: int | None = None
    #: The link preview options the bot asked for, as Telegram echoes them (changed ones only).
    link_preview_options: dict[str, Any] | None = None
    deleted: bool = False

    def button_data(self, label: str) -> str:
        """The callback_data (or url) of the button labelled ``label``; for readable tests."""
        for row in self.buttons:
            for text, data in row:
                if text == label:
                    return data
        shown = [text for row in self.buttons for text, _ in row]
        raise EmulatorError(f"message {self.message_id} has no button {label!r}; it has {shown}")


@dataclass(frozen=True)
class EmuCallbackAnswer:
    """What the bot answered to a button press (answerCallbackQuery)."""

    text: str | None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None


@dataclass
class StoredFile:
    """Bytes the bot uploaded, addressable by file_id and downloadable by file_path."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    kind: str  # "photo" | "document"
    filename: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
