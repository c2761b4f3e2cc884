"""public: the ``public`` setting that publishes a community's page, and /export.

``/setup public=on`` (an admin, through /setup) gives the community a random address the
first time and posts it to the group; ``public=off`` takes the page down (the web layer,
``bot.web``, answers 404). The address is kept when the page goes off, so a link printed
on the notice board works again when it comes back on.

``/export`` sends a member the same data as the page, all of it, as a document: JSON, or
``/export csv`` a zip with one CSV per section. It runs inside the update's transaction
like every use case, so it stays cheap: a dozen indexed reads of plain rows, an in-memory
file, and only the latest EXPORT_LOG entries of the audit log (``bench/export.py``).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from handlers.core import limits, settings
from handlers.core.context import Context, UserError, Work, hint
from handlers.core.i18n import N_, Translator
from handlers.core.messages import Document
from handlers.core.registry import Feature
from handlers.public import export
from handlers.public.rules import new_slug, page_address
from handlers.public.snapshot import gather
from models import Community

feature = Feature("public")

#: Where in ``Community.settings`` the page's address is kept (set once, never shown in /setup).
SLUG_KEY = "public_slug"
#: Audit entries in /export's file, the latest: the rest of the file is complete, but a log
#: grows for ever and the file is made inside the update's write transaction (the page's
#: downloads, made outside any, have the whole log).
EXPORT_LOG = 1_000


def _show(t: Translator, on: Any) -> str:
    if on:
        return str(t("The public page is on; /export sends the same data as a file."))
    return str(t("The public page is off (/setup public=on publishes it)."))


async def _switched(work: Work, community: Community, on: Any) -> None:
    """On: make sure the community has an address, and post it to the group."""
    if not on:
        return
    slug = (community.settings or {}).get(SLUG_KEY)
    if not slug:
        slug = new_slug()
        # A new dict, so that SQLAlchemy sees the JSON column change.
        community.settings = {**(community.settings or {}), SLUG_KEY: slug}
    t = work.community_translator(community)
    work.post(community.chat_id, announcement(t, community, work.services.public_url))


PUBLIC = feature.setting(
    settings.Setting(
        name="public",
        default=False,
        parse=settings.parse_on_off,
        show=_show,
        problem=N_("public is on or off, not “{value}”."),
        example="/setup public=on",
        changed=_switched,
    )
)


def address(community: Community, base_url: str | None) -> str | None:
    """The community's page address, or None while it is off or the bot has no public URL."""
    slug = (community.settings or {}).get(SLUG_KEY)
    if not base_url or not slug or not settings.value(community, PUBLIC):
        return None
    return page_address(base_url, str(slug))


def announcement(t: Translator, community: Community, base_url: str | None) -> str:
    url = address(community, base_url)
    if url is None:
        return str(
            t(
                "The public page is on, but this bot has no public address yet: whoever runs "
                "it sets PUBLIC_URL. Meanwhile /export sends the same data here as a file."
            )
        )
    return str(
        t(
            "🌐 The public page of <b>{title}</b> is at {link}\n"
            "Anyone with this address can read the plan, the needs, open problems, poll "
            "results, the duty schedule, the fund and the audit log: names only, never how "
            "anyone voted. /setup public=off takes it down.",
            title=community.title,
            link=Markup('<a href="{url}">{url}</a>').format(url=url),
        )
    )


@feature.command("export", N_("everything the public page shows, as a file (JSON or CSV)"))
async def export_data(ctx: Context) -> None:
    community = ctx.require_community()
    wanted = ctx.args.lower()
    if wanted not in ("", "json", "csv"):
        raise UserError(
            hint(
                ctx.t,
                ctx.t("/export sends JSON, or CSV files in a zip: not “{value}”.", value=ctx.args),
                "/export csv",
            )
        )
    snapshot = await gather(
        ctx.session,
        community,
        ctx.registry.audit_templates,
        ctx.t,
        ctx.now,
        audit_size=EXPORT_LOG,
    )
    if wanted == "csv":
        content = export.as_zip(snapshot)
        document = Document(export.filename(snapshot, "zip"), content, export.ZIP_MIME)
    else:
        content = export.as_json(snapshot)
        document = Document(export.filename(snapshot, "json"), content, export.JSON_MIME)
    if len(content) > limits.DOCUMENT_BYTES:
        raise UserError(
            ctx.t(
                "The export is larger than Telegram lets a bot send. The public page's "
                "export links have no such limit."
            )
        )
    caption = ctx.t(
        "<b>{title}</b>: everything the public page shows, as of {moment}.",
        title=community.title,
        moment=ctx.t.moment(ctx.now, now=ctx.now),
    )
    if snapshot.audit.cut:
        caption += "\n" + ctx.t(
            "It has the latest {shown} of the {total} audit log entries; /log shows them all, "
            "and so do the public page's downloads.",
            shown=ctx.t.number(len(snapshot.audit.rows)),
            total=ctx.t.number(snapshot.audit.total),
        )
    url = address(community, ctx.services.public_url)
    if url is not None:
        caption += "\n" + ctx.t("Public page: {url}", url=url)
    ctx.reply(caption, document=document)
