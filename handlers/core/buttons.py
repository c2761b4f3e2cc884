"""Button actions: the one place callback data is built and parsed.

Callback data looks like ``sup:42:Xk3_9a`` — an action kind, its arguments and
a short HMAC. Telegram gives callback data back untouched, but a modified
client can send anything, and a button from an older layout can linger in the
chat. The signature (keyed by a secret and ``LAYOUT_VERSION``) tells both
apart from real buttons, and ``decode`` rejects them with ``BadAction`` so
the caller can answer politely instead of acting on them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from handlers.core import limits

MAX_CALLBACK_BYTES = limits.CALLBACK_DATA_BYTES
LAYOUT_VERSION = "1"
_SIG_BYTES = 6
_KIND = re.compile(r"^[a-z][a-z0-9_.]{0,15}$")
_ARG = re.compile(r"^[A-Za-z0-9_-]{1,24}$")


class BadAction(ValueError):
    """Callback data that is malformed, forged or from an old layout."""


@dataclass(frozen=True, slots=True)
class Action:
    kind: str
    args: tuple[str, ...] = ()

    def int_arg(self, index: int) -> int:
        try:
            return int(self.args[index])
        except (IndexError, ValueError) as exc:
            raise BadAction(f"argument {index} of {self.kind} is not a number") from exc


class ActionCodec:
    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(
            b"courtyard-actions:" + LAYOUT_VERSION.encode() + secret
        ).digest()

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:_SIG_BYTES]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def encode(self, kind: str, *args: int | str) -> str:
        if not _KIND.match(kind):
            raise ValueError(f"bad action kind {kind!r}")
        parts = [str(arg) for arg in args]
        for part in parts:
            if not _ARG.match(part):
                raise ValueError(f"bad action argument {part!r}")
        body = ":".join([kind, *parts])
        data = f"{body}:{self._sign(body)}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data longer than {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    def decode(self, data: str | None) -> Action:
        if not data or len(data.encode("utf-8", "replace")) > MAX_CALLBACK_BYTES:
            raise BadAction("empty or oversized callback data")
        body, sep, signature = data.rpartition(":")
        if not sep or not hmac.compare_digest(signature, self._sign(body)):
            raise BadAction("signature does not match")
        kind, *args = body.split(":")
        if not _KIND.match(kind) or not all(_ARG.match(arg) for arg in args):
            raise BadAction("malformed callback data")
        return Action(kind, tuple(args))
