"""The HTTP edge of the emulator: decoding requests and shaping answers like Telegram.

Why it is separate: aiogram and python-telegram-bot encode the same call differently (aiogram
posts ``application/x-www-form-urlencoded`` or multipart with every non-string value
JSON-encoded and uploads named by a random ``attach://`` key; PTB posts form fields via httpx,
JSON-encoding non-strings, and multipart with the upload under the parameter's own name), and
other clients use GET query strings or a JSON body. Everything here reduces those to one
:class:`Params` object, so the Bot API handlers never look at the transport.

Also here: errors in Telegram's shape, the optional flood limits and injected faults.
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

__all__ = [
    "ApiError",
    "Fault",
    "Params",
    "RateLimiter",
    "UploadedFile",
    "error_response",
    "json_object",
    "ok_response",
    "read_params",
]

#: Parameters whose values are JSON objects or arrays when sent as form fields.
JSON_FIELDS = frozenset(
    {
        "allowed_updates",
        "caption_entities",
        "commands",
        "entities",
        "explanation_entities",
        "link_preview_options",
        "media",
        "menu_button",
        "message_ids",
        "options",
        "permissions",
        "prices",
        "question_entities",
        "reaction",
        "reply_markup",
        "reply_parameters",
        "results",
        "rights",
        "scope",
    }
)

#: Parameters that are free text: never JSON-decoded even if they look like JSON.
TEXT_FIELDS = frozenset(
    {
        "caption",
        "description",
        "emoji",
        "explanation",
        "name",
        "query",
        "question",
        "short_description",
        "text",
        "title",
        "url",
    }
)


class ApiError(Exception):
    """A Bot API failure, answered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, error_code: int, description: str, *, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    @classmethod
    def bad_request(cls, reason: str) -> ApiError:
        return cls(400, f"Bad Request: {reason}")

    @classmethod
    def forbidden(cls, reason: str) -> ApiError:
        return cls(403, f"Forbidden: {reason}")

    @classmethod
    def too_many_requests(cls, retry_after: int) -> ApiError:
        return cls(
            429,
            f"Too Many Requests: retry after {retry_after}",
            parameters={"retry_after": retry_after},
        )


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """A Bot API call's parameters with Telegram-like coercion and error texts."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadedFile]) -> None:
        self.values = values
        self.files = files

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def get_raw(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            try:
                number = float(str(value).strip())
            except ValueError:
                raise ApiError.bad_request(f"invalid {name} specified") from None
            if not number.is_integer():
                raise ApiError.bad_request(f"invalid {name} specified") from None
            return int(number)

    def require_int(self, name: str) -> int:
        value = self.get_int(name)
        if value is None:
            raise ApiError.bad_request(f"{name} is empty")
        return value

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        return str(value).strip().lower() in {"true", "1", "yes"}

    def get_json(self, name: str, *, what: str | None = None) -> Any:
        """The decoded JSON value of ``name``; form fields arrive as JSON text."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError.bad_request(f"can't parse {what or name} JSON object") from None

    def get_file(self, name: str) -> UploadedFile | str | None:
        """An uploaded file (by field name or ``attach://`` reference) or a file_id/URL string."""
        if name in self.files:
            return self.files[name]
        value = self.get_str(name)
        if value is None:
            return None
        if value.startswith("attach://"):
            key = value.removeprefix("attach://")
            if key not in self.files:
                raise ApiError.bad_request(f"file {value} not found in the request")
            return self.files[key]
        return value


async def read_params(request: web.Request) -> Params:
    """Collect query, JSON body, urlencoded and multipart fields into one :class:`Params`."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.body_exists:
        content_type = request.content_type
        if content_type == "application/json":
            values.update(await json_object(request))
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, FileField):
                    files[key] = UploadedFile(value.filename, value.content_type, value.file.read())
                elif isinstance(value, str):
                    values[key] = value
    for key, value in list(values.items()):
        if isinstance(value, str) and key not in TEXT_FIELDS:
            stripped = value.lstrip()
            if key in JSON_FIELDS or stripped.startswith(("{", "[")):
                try:
                    values[key] = json.loads(value)
                except ValueError:
                    if key in JSON_FIELDS:
                        values[key] = value  # left for Params.json to report
    return Params(values, files)


async def json_object(request: web.Request) -> dict[str, Any]:
    """A request body that must be a JSON object, refused in the Bot API's words otherwise."""
    try:
        body = await request.json()
    except ValueError:
        raise ApiError.bad_request("can't parse JSON encoded request body") from None
    if not isinstance(body, dict):
        raise ApiError.bad_request("JSON object expected as request body")
    return body


def ok_response(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def error_response(error: ApiError) -> web.Response:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.error_code,
        "description": error.description,
    }
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.error_code)


@dataclass
class Fault:
    """An injected failure for the next ``times`` calls of ``method`` ("*" matches any)."""

    method: str
    status: int
    retry_after: int | None
    times: int
    description: str | None

    def to_error(self) -> ApiError:
        parameters = {"retry_after": self.retry_after} if self.retry_after is not None else None
        description = self.description or _default_description(self.status, self.retry_after)
        return ApiError(self.status, description, parameters=parameters)


def _default_description(status: int, retry_after: int | None) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
        502: "Bad Gateway",
    }.get(status, "Internal Server Error")


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class RateLimiter:
    """Telegram's flood limits as documented in the Bots FAQ, approximated.

    * all chats together: a token bucket of ``global_per_second`` (bursts of that size);
    * a group: at most ``group_per_minute`` messages in any sliding minute;
    * a private chat: a token bucket refilling ``private_per_second`` with a small burst.

    Real Telegram is fuzzier; these are the numbers a well-behaved sender must respect.
    """

    global_per_second: float = 30.0
    group_per_minute: int = 20
    private_per_second: float = 1.0
    private_burst: float = 3.0
    monotonic: Callable[[], float] = time.monotonic
    _global: _Bucket | None = None
    _groups: dict[int, deque[float]] = field(default_factory=dict)
    _privates: dict[int, _Bucket] = field(default_factory=dict)

    def check(self, chat_id: int, *, is_private: bool) -> None:
        """Count one message to ``chat_id`` or raise a 429 :class:`ApiError`."""
        now = self.monotonic()
        if self._global is None:
            self._global = _Bucket(self.global_per_second, now)
        global_bucket = self._refill(
            self._global, now, self.global_per_second, self.global_per_second
        )
        if global_bucket.tokens < 1:
            raise ApiError.too_many_requests(1)
        if is_private:
            bucket = self._privates.setdefault(chat_id, _Bucket(self.private_burst, now))
            self._refill(bucket, now, self.private_per_second, self.private_burst)
            if bucket.tokens < 1:
                wait = (1 - bucket.tokens) / self.private_per_second
                raise ApiError.too_many_requests(max(1, math.ceil(wait)))
            bucket.tokens -= 1
        else:
            window = self._groups.setdefault(chat_id, deque())
            while window and now - window[0] >= 60.0:
                window.popleft()
            if len(window) >= self.group_per_minute:
                raise ApiError.too_many_requests(max(1, math.ceil(60.0 - (now - window[0]))))
            window.append(now)
        global_bucket.tokens -= 1

    @staticmethod
    def _refill(bucket: _Bucket, now: float, rate: float, capacity: float) -> _Bucket:
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now
        return bucket
