"""One typed settings object, read from the environment and a ``.env`` file.

Errors are reported as one line per bad setting, never with the value given:
a mistyped token must not end up in a terminal log.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.core import limits
from models.db import DEFAULT_DATABASE_URL

TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{10,100}$")


class SettingsError(Exception):
    """Settings that cannot be used; the message is safe to print."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, description="Bot API token; unset = sandbox")
    telegram_api_url: str = "https://api.telegram.org"
    database_url: str = DEFAULT_DATABASE_URL
    runtime: Literal["aiogram", "ptb"] = "aiogram"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = Field(default=8080, ge=0, le=65535)
    tick_seconds: float = Field(default=10.0, gt=0, le=3600)
    send_per_second: float = Field(default=limits.SEND_PER_SECOND, ge=0)
    send_group_per_minute: int = Field(default=limits.GROUP_MESSAGES_PER_MINUTE, ge=0)
    send_private_per_second: float = Field(default=limits.PRIVATE_MESSAGES_PER_SECOND, ge=0)
    #: One message (a live count) is edited at most once in this many seconds; newer edits
    #: replace a waiting one, so only the newest state is sent.
    send_edit_interval: float = Field(default=3.0, ge=0)
    #: The address people open the public pages at (behind a proxy, say); unset: the bot
    #: serves no pages. The sandbox serves them on its own port whatever this says.
    public_url: str | None = None
    web_host: str = "0.0.0.0"
    web_port: int = Field(default=8090, ge=1, le=65535)

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not TOKEN_PATTERN.match(value.strip()):
            raise ValueError("does not look like a bot token (digits:letters, from @BotFather)")
        return value.strip()

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _secret_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not re.match(r"^[A-Za-z0-9_-]{16,256}$", value):
            raise ValueError(
                "must be 16-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)"
            )
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        return value.rstrip("/")

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not re.match(r"^https?://[^/\s]+\S*$", value.strip()):
            raise ValueError("must be an http(s) URL such as https://courtyard.example.org")
        return value.strip().rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database_shape(cls, value: str) -> str:
        if not re.match(r"^(sqlite|postgres(ql)?)(\+\w+)?://", value):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def sandbox(self) -> bool:
        return self.bot_token is None


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors(include_input=False, include_url=False):
            name = ".".join(str(part) for part in item["loc"]).upper() or "settings"
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise SettingsError("; ".join(problems)) from None
