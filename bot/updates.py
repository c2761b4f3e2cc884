"""Telegram update JSON → ``Incoming`` values, shared by both runtimes.

Each runtime hands over the update as the plain Bot API dictionary (aiogram's
``model_dump``, PTB's ``to_dict``), so the reading of Telegram's shapes
lives in this one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from handlers.messages import Chat, ChatKind, Event, Incoming, Person

ALLOWED_UPDATES = ["message", "callback_query", "chat_member", "my_chat_member"]
_COMMAND = re.compile(
    r"^/(?P<name>[A-Za-z0-9_]{1,32})(?:@(?P<bot>\w+))?(?:\s+(?P<args>.*))?$", re.S
)
_PRESENT = {"member", "administrator", "creator"}


def person(data: Mapping[str, Any]) -> Person:
    return Person(
        id=int(data["id"]),
        first_name=str(data.get("first_name") or ""),
        last_name=data.get("last_name"),
        username=data.get("username"),
        language_code=data.get("language_code"),
        is_bot=bool(data.get("is_bot")),
    )


def chat(data: Mapping[str, Any]) -> Chat:
    try:
        kind = ChatKind(data.get("type", "private"))
    except ValueError:
        kind = ChatKind.PRIVATE
    return Chat(id=int(data["id"]), kind=kind, title=data.get("title"))


def to_incoming(update: Mapping[str, Any], bot_username: str, now: datetime) -> list[Incoming]:
    """Everything the core should hear about in ``update`` (often nothing)."""
    if message := update.get("message"):
        return _from_message(message, bot_username, now)
    if query := update.get("callback_query"):
        return _from_callback(query, now)
    if change := update.get("my_chat_member"):
        old, new = change["old_chat_member"]["status"], change["new_chat_member"]["status"]
        if new in _PRESENT and old not in _PRESENT:
            return [
                Incoming(person(change["from"]), chat(change["chat"]), now, event=Event.BOT_ADDED)
            ]
        if new not in _PRESENT and old in _PRESENT:
            return [
                Incoming(person(change["from"]), chat(change["chat"]), now, event=Event.BOT_REMOVED)
            ]
        return []
    if change := update.get("chat_member"):
        return _from_chat_member(change, now)
    return []


def _from_message(message: Mapping[str, Any], bot_username: str, now: datetime) -> list[Incoming]:
    if "from" not in message:
        return []
    sender, where = person(message["from"]), chat(message["chat"])
    message_id = int(message["message_id"])
    if joined := message.get("new_chat_members"):
        # The bot itself is announced through my_chat_member, which always arrives.
        return [
            Incoming(
                sender,
                where,
                now,
                event=Event.MEMBER_JOINED,
                subject=person(p),
                message_id=message_id,
            )
            for p in joined
            if not p.get("is_bot")
        ]
    if left := message.get("left_chat_member"):
        if left.get("is_bot"):
            return []
        return [
            Incoming(
                sender,
                where,
                now,
                event=Event.MEMBER_LEFT,
                subject=person(left),
                message_id=message_id,
            )
        ]
    if new_id := message.get("migrate_to_chat_id"):
        return [Incoming(sender, where, now, event=Event.CHAT_MIGRATED, new_chat_id=int(new_id))]
    text = message.get("text")
    if not isinstance(text, str):
        return []
    match = _COMMAND.match(text) if _starts_with_command(message) else None
    if match is None:
        return [Incoming(sender, where, now, text=text, message_id=message_id)]
    addressed_to = match["bot"]
    if addressed_to and addressed_to.lower() != bot_username.lower():
        return []
    return [
        Incoming(
            sender,
            where,
            now,
            command=match["name"].lower(),
            args=(match["args"] or "").strip(),
            text=text,
            message_id=message_id,
        )
    ]


def _starts_with_command(message: Mapping[str, Any]) -> bool:
    for entity in message.get("entities") or ():
        if entity.get("type") == "bot_command" and entity.get("offset") == 0:
            return True
    return False


def _from_callback(query: Mapping[str, Any], now: datetime) -> list[Incoming]:
    message = query.get("message") or {}
    if "chat" not in message:
        return []
    return [
        Incoming(
            person(query["from"]),
            chat(message["chat"]),
            now,
            message_id=int(message["message_id"]),
            callback_id=str(query["id"]),
            callback_data=query.get("data") or "",
        )
    ]


def _from_chat_member(change: Mapping[str, Any], now: datetime) -> list[Incoming]:
    old, new = change["old_chat_member"], change["new_chat_member"]
    was = old["status"] in _PRESENT or (old["status"] == "restricted" and old.get("is_member"))
    now_in = new["status"] in _PRESENT or (new["status"] == "restricted" and new.get("is_member"))
    subject = person(new["user"])
    if subject.is_bot or was == now_in:
        return []
    event = Event.MEMBER_JOINED if now_in else Event.MEMBER_LEFT
    return [
        Incoming(person(change["from"]), chat(change["chat"]), now, event=event, subject=subject)
    ]
