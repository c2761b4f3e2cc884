"""End-to-end: the real bot (aiogram or PTB) over HTTP against our Bot-API emulator.

Every story runs on both runtimes and both databases.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.lifecycle import Courtyard
from bot.runtimes import Runtime
from bot.sandbox import Emulator
from bot.service import Service
from bot.settings import Settings
from handlers.core.clock import ShiftableClock

TOKEN = "424242:courtyard-e2e-token"


@dataclass
class World:
    emulator: Emulator
    bot: Courtyard
    clock: ShiftableClock
    runtime_name: str

    @property
    def service(self) -> Service:
        assert self.bot.service is not None, "the bot is not running"
        return self.bot.service

    @property
    def runtime(self) -> Runtime:
        assert self.bot.runtime is not None, "the bot is not running"
        return self.bot.runtime

    async def travel(self, delta: timedelta) -> None:
        """Move time forward and let the bot notice, as the sandbox's clock control does."""
        self.clock.advance(delta)
        await self.service.tick()


@pytest.fixture(params=["aiogram", "ptb"])
async def world(
    request: pytest.FixtureRequest, database_url: str, engine: AsyncEngine
) -> AsyncIterator[World]:
    clock = ShiftableClock()
    emulator = Emulator(TOKEN, bot_username="CourtyardBot", clock=clock.now)
    base_url = await emulator.start()
    settings = Settings(
        bot_token=TOKEN,
        telegram_api_url=base_url,
        database_url=database_url,
        runtime=request.param,
        tick_seconds=3600,
        send_per_second=0,
        send_group_per_minute=0,
        send_private_per_second=0,
        send_edit_interval=0,
    )
    bot = Courtyard(settings, clock=clock)
    await bot.start()
    world = World(emulator, bot, clock, request.param)
    try:
        yield world
    finally:
        await world.bot.stop()
        await emulator.stop()
