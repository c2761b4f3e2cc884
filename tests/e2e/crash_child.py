"""The bot as its own process, stopped at one precise point so the test can SIGKILL it there.

Run as ``python -m tests.e2e.crash_child`` with the usual settings in the environment and
``CRASH_AFTER_BATCHES=N``: the bot starts as ``courtyard run`` would (the database already
migrated), runs its due jobs (each commits its outbox messages with it: decided), claims the
first N outbox batches, and at the next claim lets what it already handed to the sender go
out and be recorded (the sender works ahead of the claims), then prints ``STOPPED`` and
waits — after the jobs' commit and before the sender has the rest. The test then kills it
with SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from bot import service as service_module
from bot.lifecycle import Courtyard
from bot.settings import load_settings


def main() -> None:
    batches = int(os.environ["CRASH_AFTER_BATCHES"])
    real_claim = service_module.claim_outbox
    sent = 0

    bot: Courtyard | None = None

    async def claim(*args: Any, **kwargs: Any) -> Any:
        nonlocal sent
        if sent >= batches:
            service = bot.service if bot is not None else None
            while service is not None and (service._chat_sending or service._finishing):  # noqa: ASYNC110
                await asyncio.sleep(0.02)  # what is on its way goes out and is recorded
            sys.stdout.write("STOPPED\n")
            sys.stdout.flush()
            await asyncio.Event().wait()
        batch = await real_claim(*args, **kwargs)
        if batch:
            sent += 1
        return batch

    service_module.claim_outbox = claim  # type: ignore[assignment]

    async def run() -> None:
        nonlocal bot
        bot = Courtyard(load_settings())
        await bot.start()
        await asyncio.Event().wait()

    asyncio.run(run())


if __name__ == "__main__":
    main()
