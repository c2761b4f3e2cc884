"""The public pages over HTTP: one read-only page per community that opted in, and its exports.

Addresses are ``/public/SLUG`` (the page), ``/public/SLUG/export.json``,
``/public/SLUG/export.zip`` (every CSV) and ``/public/SLUG/TABLE.csv``; the slug is the
random one ``/setup public=on`` stored (``handlers.public``). A slug nobody has, or a
community whose page is off, gets the same 404, so an address says nothing about a
community that is not public.

Every request reads in a session of its own that only reads (``models.db.reading``): on
SQLite it waits for no writer and holds none up, so a page being read never slows a chat.
The page is plain HTML and CSS under a Content-Security-Policy that allows no script at
all, sends no referrer (the slug must not leak to other sites) and asks search engines not
to index it: it is public to whoever has the address, not advertised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core import settings
from handlers.core.clock import Clock
from handlers.core.i18n import Translator, parse_language, resolve_language
from handlers.public import export
from handlers.public.rules import is_slug
from handlers.public.snapshot import LOG_PAGE, PAGE_ROWS, Snapshot, gather
from handlers.public.use_cases import PUBLIC, SLUG_KEY
from models import Community
from models.db import reading

if TYPE_CHECKING:
    from handlers.core.registry import Registry

log = logging.getLogger(__name__)

STYLE = Path(__file__).with_name("templates") / "public.css"
SLUG = "{slug:[A-Za-z0-9_-]{22,64}}"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True, slots=True)
class Source:
    """What the pages read: the bot's database, its features' audit templates, its clock."""

    sessions: async_sessionmaker[AsyncSession]
    registry: Registry
    clock: Clock


class PublicSite:
    """The pages' routes, mounted on an application of the caller's (:meth:`install`, the
    sandbox's) or served on a port of their own (:meth:`start`, the bot's ``WEB_PORT``).

    ``source`` gives what to read, or None while the bot is not started yet (503).
    """

    def __init__(self, source: Callable[[], Source | None]) -> None:
        self.source = source
        self._runner: web.AppRunner | None = None

    def install(self, app: web.Application) -> web.Application:
        router = app.router
        router.add_get("/public/public.css", self.style)
        router.add_get(f"/public/{SLUG}", self.page)
        router.add_get(f"/public/{SLUG}/export.json", self.export_json)
        router.add_get(f"/public/{SLUG}/export.zip", self.export_zip)
        router.add_get(f"/public/{SLUG}/{{table:[a-z]+}}.csv", self.export_csv)
        router.add_get("/public/{rest:.*}", self.missing)
        return app

    async def start(self, host: str, port: int) -> None:
        runner = web.AppRunner(self.install(web.Application()), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        log.info("public pages served on %s:%s", host, port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def style(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(
            STYLE, headers={**HEADERS, "Content-Type": "text/css; charset=utf-8"}
        )

    async def page(self, request: web.Request) -> web.StreamResponse:
        snapshot, t = await self._read(request, whole=False)
        if snapshot is None:
            return await self.missing(request)
        from bot.web import pages  # Jinja2 is loaded with the first page, not with the bot

        html = pages.render_page(snapshot, t, request.match_info["slug"], language_query(request))
        return web.Response(text=html, content_type="text/html", headers=HEADERS)

    async def export_json(self, request: web.Request) -> web.StreamResponse:
        snapshot, _ = await self._read(request, whole=True)
        if snapshot is None:
            return await self.missing(request)
        return _download(export.as_json(snapshot), export.filename(snapshot, "json"), "json")

    async def export_zip(self, request: web.Request) -> web.StreamResponse:
        snapshot, _ = await self._read(request, whole=True)
        if snapshot is None:
            return await self.missing(request)
        return _download(export.as_zip(snapshot), export.filename(snapshot, "zip"), "zip")

    async def export_csv(self, request: web.Request) -> web.StreamResponse:
        table = request.match_info["table"]
        if table not in export.TABLES:
            return await self.missing(request)
        snapshot, _ = await self._read(request, whole=True)
        if snapshot is None:
            return await self.missing(request)
        name = export.filename(snapshot, "csv").replace("courtyard-", f"courtyard-{table}-")
        return _download(export.section_csv(snapshot, table), name, "csv")

    async def missing(self, request: web.Request) -> web.StreamResponse:
        """The one 404: no such page, or a page its community took down."""
        from bot.web import pages

        language = parse_language(request.query.get("lang", "")) or _accepted(request)
        html = pages.render_missing(Translator(language))
        return web.Response(status=404, text=html, content_type="text/html", headers=HEADERS)

    async def _read(
        self, request: web.Request, *, whole: bool
    ) -> tuple[Snapshot | None, Translator]:
        """The snapshot the request asks for, in its language; None for a 404."""
        slug = request.match_info.get("slug", "")
        source = self.source()
        if source is None:
            raise web.HTTPServiceUnavailable(text="Courtyard is starting; try again shortly.")
        t = Translator(_accepted(request))
        if not is_slug(slug):
            return None, t
        async with reading(source.sessions) as session:
            community = await find_public(session, slug)
            if community is None:
                return None, t
            language = parse_language(request.query.get("lang", "")) or community.language
            t = Translator(language, community.timezone)
            templates = source.registry.audit_templates
            now = source.clock.now()
            if whole:
                return await gather(session, community, templates, t, now), t
            return (
                await gather(
                    session,
                    community,
                    templates,
                    t,
                    now,
                    rows=PAGE_ROWS,
                    audit_page=_page_number(request.query.get("log", "1")),
                    audit_size=LOG_PAGE,
                ),
                t,
            )


async def find_public(session: AsyncSession, slug: str) -> Community | None:
    """The community whose page is at ``slug``, if it is on."""
    community = await session.scalar(
        select(Community).where(Community.settings[SLUG_KEY].as_string() == slug)
    )
    if community is None or not settings.value(community, PUBLIC):
        return None
    return community


def language_query(request: web.Request) -> str | None:
    """The language the address asked for, kept in the page's own links."""
    return parse_language(request.query.get("lang", ""))


def _accepted(request: web.Request) -> str:
    """The browser's first language we speak, for a page with no community to follow."""
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip()
        if code and (language := parse_language(code)):
            return language
    return resolve_language(None)


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 7 else 1


def _download(content: bytes, name: str, kind: str) -> web.Response:
    mime = {"json": export.JSON_MIME, "zip": export.ZIP_MIME, "csv": export.CSV_MIME}[kind]
    charset = "utf-8" if kind != "zip" else None
    return web.Response(
        body=content,
        content_type=mime,
        charset=charset,
        headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )
