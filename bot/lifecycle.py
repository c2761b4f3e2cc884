"""The bot's lifecycle: its parts built and started in one order, stopped in the reverse one.

``courtyard run`` (bot/cli.py), the sandbox and the tests' worlds all start the bot here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from bot.runtimes import Runtime, Webhook
    from bot.service import Service
    from bot.web.site import PublicSite, Source
    from handlers.core.clock import Clock


class Courtyard:
    """The bot's parts, built and started in one order and stopped in the reverse one.

    :meth:`start`: the database (engine and sessions), then the runtime, connected so the
    bot's username is known, then the service, built with all it needs, started (sender,
    scheduler, command menu), then the public pages when ``PUBLIC_URL`` is set (on
    ``WEB_HOST:WEB_PORT``), and last the runtime's intake, feeding ``Service.handle_update``.
    :meth:`stop`: the intake first (the offset of what it took is confirmed), then the pages,
    the service (updates in flight finish, the outbox queue drains), the runtime's HTTP
    session, the engine.

    The database must be migrated before :meth:`start` (``courtyard run`` does it in a child
    process, the sandbox in its own). ``clock`` is for the sandbox and the tests;
    ``serve_web=False`` leaves the pages to the caller (the sandbox mounts them on its port,
    reading through :meth:`web_source`).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        webhook: Webhook | None = None,
        clock: Clock | None = None,
        serve_web: bool = True,
    ) -> None:
        if settings.bot_token is None:
            raise ValueError("the bot needs a token (the sandbox gives its own)")
        self.settings = settings
        self.webhook = webhook
        self.clock = clock
        self.engine: AsyncEngine | None = None
        self.sessions: async_sessionmaker[AsyncSession] | None = None
        self.runtime: Runtime | None = None
        self.service: Service | None = None
        self.serve_web = serve_web
        self.site: PublicSite | None = None
        self.bot_username = ""
        self._intake_started = False

    async def start(self) -> None:
        """Start every part; when one fails, what was started is stopped and the error raised."""
        from bot.runtimes import build_runtime
        from bot.service import Service
        from handlers.features import all_features
        from models.db import create_engine, session_factory

        settings = self.settings
        assert settings.bot_token is not None
        try:
            self.engine = create_engine(settings.database_url)
            self.sessions = session_factory(self.engine)
            self.runtime = build_runtime(
                settings.runtime, settings.bot_token.get_secret_value(), settings.telegram_api_url
            )
            self.bot_username = await self.runtime.connect()
            self.service = Service(
                settings,
                self.sessions,
                self.runtime,
                bot_username=self.bot_username,
                features=all_features(),
                clock=self.clock,
            )
            await self.service.start()
            if self.serve_web and settings.public_url:
                from bot.web.site import PublicSite

                self.site = PublicSite(self.web_source)
                await self.site.start(settings.web_host, settings.web_port)
            self._intake_started = True
            await self.runtime.start_intake(self.service.handle_update, self.webhook)
        except BaseException:
            await self.stop()
            raise

    def web_source(self) -> Source | None:
        """What the public pages read, once the bot has started (None before)."""
        from bot.web.site import Source

        if self.sessions is None or self.service is None:
            return None
        return Source(self.sessions, self.service.app.registry, self.service.clock)

    async def stop(self) -> None:
        """Stop what was started, in the reverse order; a second call does nothing."""
        runtime, self.runtime = self.runtime, None
        site, self.site = self.site, None
        service, self.service = self.service, None
        engine, self.engine = self.engine, None
        if runtime is not None and self._intake_started:
            await runtime.stop_intake()
        self._intake_started = False
        if site is not None:
            await site.stop()
        if service is not None:
            await service.stop()
        if runtime is not None:
            await runtime.close()
        if engine is not None:
            await engine.dispose()
