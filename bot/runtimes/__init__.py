"""The two Telegram runtimes over the same core. Import lazily: aiogram alone
costs ~150 MB of memory, so the PTB runtime must never import it (an import contract)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from bot.intake import Webhook

if TYPE_CHECKING:
    from bot.service import Service


__all__ = ["Runtime", "Webhook", "build_runtime"]


class Runtime(Protocol):
    bot_username: str

    async def start(self, webhook: Webhook | None = None) -> None: ...

    async def stop(self) -> None: ...


def build_runtime(name: str, service: Service, token: str, api_url: str) -> Runtime:
    if name == "ptb":
        from bot.runtimes.ptb import PTBRuntime

        return PTBRuntime(service, token, api_url)
    from bot.runtimes.aiogram import AiogramRuntime

    return AiogramRuntime(service, token, api_url)
