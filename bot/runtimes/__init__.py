"""The two Telegram runtimes over the same core. Import lazily: aiogram alone
costs ~150 MB of memory, so the PTB runtime must never import it (an import contract).

A runtime is a port: the calls the service makes (``bot.service.Telegram``) plus its own
lifecycle — connect (getMe), feed raw updates to a sink, stop feeding, close its HTTP
session. It knows nothing of the service; ``bot.cli.Courtyard`` wires the two together.
"""

from __future__ import annotations

from typing import Protocol

from bot.intake import UpdateSink, Webhook
from bot.service import Telegram

__all__ = ["Runtime", "UpdateSink", "Webhook", "build_runtime"]


class Runtime(Telegram, Protocol):
    async def connect(self) -> str:
        """Ask Telegram who the bot is (getMe); the bot's username."""
        ...

    async def start_intake(self, sink: UpdateSink, webhook: Webhook | None = None) -> None:
        """Feed each update, as Telegram's JSON, to ``sink``: long polling, or ``webhook``."""
        ...

    async def stop_intake(self) -> None:
        """Stop taking updates, confirm the offset of those taken, let them finish."""
        ...

    async def close(self) -> None:
        """Close the HTTP session; nothing is called after this."""
        ...


def build_runtime(name: str, token: str, api_url: str) -> Runtime:
    if name == "ptb":
        from bot.runtimes.ptb import PTBRuntime

        return PTBRuntime(token, api_url)
    from bot.runtimes.aiogram import AiogramRuntime

    return AiogramRuntime(token, api_url)
