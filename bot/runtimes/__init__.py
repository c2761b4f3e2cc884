"""The two Telegram runtimes over the same core. Import lazily: aiogram alone
costs ~150 MB of memory, so the PTB runtime must never import it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.service import Service


class Runtime(Protocol):
    bot_username: str

    async def start(self, webhook: Webhook | None = None) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Webhook:
    """Receive updates by webhook instead of long polling.

    Telegram sends ``secret`` in the X-Telegram-Bot-Api-Secret-Token header;
    requests without it are refused, so nobody else can feed us updates.
    """

    url: str
    secret: str
    host: str
    port: int
    path: str = "/telegram/webhook"


def build_runtime(name: str, service: Service, token: str, api_url: str) -> Runtime:
    if name == "ptb":
        from bot.runtimes.ptb import PTBRuntime

        return PTBRuntime(service, token, api_url)
    from bot.runtimes.aiogram import AiogramRuntime

    return AiogramRuntime(service, token, api_url)
