"""Community use cases: /setup, /join, /leave, /members, /iam, /language, /start, /help,
/log, and what happens when people join or leave the chat.

Who may do what: /setup only a Telegram admin of the group; /join anyone in
a set-up group; /language, /start and /help anyone anywhere; everything else
needs the sender on the roster.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from sqlalchemy import func, select

from handlers.community import queries
from handlers.community.rules import (
    parse_digest,
    parse_quiet_setting,
    parse_quorum,
    parse_timezone,
    split_digest,
)
from handlers.community.views import (
    KIND_NAMES,
    ChooseLanguage,
    HelpPage,
    LogPage,
    MembersPage,
    settings_line,
)
from handlers.core import audit, settings
from handlers.core.context import Context, UserError, hint
from handlers.core.i18n import (
    LANGUAGE_NAMES,
    N_,
    SUPPORTED,
    Translator,
    parse_language,
    resolve_language,
)
from handlers.core.messages import Event, MenuUpdate
from handlers.core.paging import Listed, listing
from handlers.core.registry import Feature, Needs, Where
from handlers.core.weekly import digest_moment
from models import AuditEntry, Community, Member, MemberKind

LOG_PAGE = 15
#: The skills feature's weekly digest; /setup (re)schedules it when the app has it.

#: The settings /setup itself reads; every other NAME=VALUE is declared by a feature.
BUILT_IN = ("quorum", "quiet", "digest")
#: Commands on one page of /help.
HELP_PAGE = 25

feature = Feature("community")
feature.setting(settings.MEMBER_DAYS)
feature.audit(
    "community.setup",
    N_("{actor} set up the community (time zone {timezone}, language {language}, quorum {quorum})"),
)
feature.audit(
    "community.settings",
    N_("{actor} changed the settings: time zone {timezone}, language {language}, quorum {quorum}"),
)
feature.audit("member.joined", N_("{name} joined the community"))
feature.audit("member.left", N_("{name} left the community"))
feature.audit("community.setting", N_("{actor} set {name} to {value}"))
feature.audit("member.kind", N_("{name} is now a {kind}"))


@feature.command(
    "setup", N_("set up this group as a community (admins)"), needs=Needs.NOTHING, asks_admin=True
)
async def setup(ctx: Context) -> None:
    chat = ctx.incoming.chat
    if not ctx.sender_is_admin:
        raise UserError(ctx.t("Only an admin of this Telegram group can run /setup."))
    timezone = ctx.community.timezone if ctx.community else "UTC"
    language = (
        ctx.community.language if ctx.community else resolve_language(ctx.user.telegram_language)
    )
    quorum = (ctx.community.settings or {}).get("quorum") if ctx.community else None
    digest = (ctx.community.settings or {}).get("digest") if ctx.community else None
    digest_text, rest = split_digest(ctx.args)
    if digest_text is not None:
        digest = parse_digest(digest_text)
        if digest is None:
            raise UserError(
                hint(
                    ctx.t,
                    ctx.t(
                        "I can't read “{value}” as a weekly time for the digest: write a day "
                        "and a time, such as mon 09:00, or off.",
                        value=digest_text,
                    ),
                    "/setup digest=mon 09:00",
                )
            )
    quiet = (ctx.community.settings or {}).get("quiet") if ctx.community else None
    declared: dict[str, Any] = {}
    for token in rest.split():
        if token.lower().startswith("quiet="):
            quiet = parse_quiet_setting(token.split("=", 1)[1])
            if quiet is None:
                raise UserError(
                    hint(
                        ctx.t,
                        ctx.t(
                            "Quiet hours are two times, from and to, or off: "
                            "quiet=22:00-08:00 or quiet=off (not “{value}”).",
                            value=token,
                        ),
                        "/setup quiet=22:00-08:00",
                    )
                )
        elif "=" in token and token.split("=", 1)[0].lower() not in BUILT_IN:
            name, raw = token.split("=", 1)
            declared_setting = ctx.registry.settings.get(name.lower())
            if declared_setting is None:
                raise UserError(
                    hint(
                        ctx.t,
                        ctx.t(
                            "There is no setting called “{name}”. Settings: {names}.",
                            name=name,
                            names=", ".join([*BUILT_IN, *ctx.registry.settings]),
                        ),
                        "/setup quorum=30%",
                    )
                )
            try:
                declared[declared_setting.name] = declared_setting.parse(raw)
            except ValueError:
                raise UserError(
                    hint(
                        ctx.t,
                        ctx.t(declared_setting.problem, value=raw),
                        declared_setting.example,
                    )
                ) from None
        elif (zone := parse_timezone(token)) is not None:
            timezone = zone
        elif (lang := parse_language(token)) is not None:
            language = lang
        elif (share := parse_quorum(token)) is not None:
            quorum = share or None
        else:
            raise UserError(
                hint(
                    ctx.t,
                    ctx.t(
                        "I don't recognise “{value}” as a time zone, a language (en, ru, zh-hans), "
                        "a quorum (such as 30% or quorum=none) or quiet hours for private "
                        "reminders (quiet=22:00-08:00 or quiet=off).",
                        value=token,
                    ),
                    "/setup Europe/Berlin ru 30%",
                )
            )
    t = Translator(language, timezone)
    details = {
        "actor": ctx.user.display_name,
        "timezone": timezone,
        "language": language,
        "quorum": f"{quorum:.0%}" if quorum else "—",
    }
    if ctx.community is None:
        ctx.community = Community(
            chat_id=chat.id,
            title=(chat.title or "")[:255],
            timezone=timezone,
            language=language,
            settings={
                "quorum": quorum,
                **({"digest": digest} if digest else {}),
                **({"quiet": quiet} if quiet else {}),
                **declared,
            },
            created_at=ctx.now,
        )
        ctx.session.add(ctx.community)
        await ctx.session.flush()
        await _settings_changed(ctx, ctx.community)
        ctx.log("community.setup", **details)
        await _apply_declared(ctx, ctx.community, declared)
        await queries.join(ctx, ctx.community, ctx.incoming.user)
        ctx.reply(
            t(
                "<b>{title}</b> is now a Courtyard community.\n{settings}\n"
                "Everyone can /join; /help lists what we can do together.",
                title=ctx.community.title,
                settings=settings_line(t, ctx.community),
            )
        )
        return
    ctx.community.timezone, ctx.community.language = timezone, language
    changed = {
        "quorum": quorum,
        **({"digest": digest} if digest is not None else {}),
        **({"quiet": quiet} if quiet else {}),
        **declared,
    }
    ctx.community.settings = {**(ctx.community.settings or {}), **changed}
    await _settings_changed(ctx, ctx.community)
    ctx.community.title = (chat.title or ctx.community.title)[:255]
    ctx.log("community.settings", **details)
    await _apply_declared(ctx, ctx.community, declared)
    saved = t("Settings saved.\n{settings}", settings=settings_line(t, ctx.community))
    for declared_setting in ctx.registry.settings.values():
        saved += "\n" + declared_setting.show(t, settings.value(ctx.community, declared_setting))
    if digest_text is not None:
        moment = digest_moment(digest)
        saved += "\n" + (
            t(
                "The weekly skills digest comes on {day} at {time}.",
                day=t.weekdays([moment.weekday]),
                time=f"{moment.hour:02d}:{moment.minute:02d}",
            )
            if moment
            else t("The weekly skills digest is off.")
        )
    ctx.reply(saved)


async def _apply_declared(ctx: Context, community: Community, declared: dict[str, Any]) -> None:
    """Log each declared setting /setup changed and run the declaring feature's hook."""
    for name, stored in declared.items():
        ctx.log("community.setting", actor=ctx.user.display_name, name=name, value=str(stored))
        hook = ctx.registry.settings[name].changed
        if hook is not None:
            await hook(ctx, community, stored)


async def _settings_changed(ctx: Context, community: Community) -> None:
    """Tell every feature that /setup changed ``community`` (the skills feature moves its
    weekly digest when the day, the time or the time zone changed)."""
    await ctx.session.flush()
    for hook in ctx.registry.settings_hooks:
        await hook(ctx, community)


@feature.command("join", N_("join the community roster"), needs=Needs.COMMUNITY)
async def join(ctx: Context) -> None:
    community = ctx.require_community()
    name = ctx.user.display_name
    if await queries.join(ctx, community, ctx.incoming.user):
        count = await queries.roster_size(ctx, community)
        ctx.reply(
            ctx.t.ngettext(
                "Welcome, {name}! The community now has {n} member.",
                "Welcome, {name}! The community now has {n} members.",
                count,
                name=name,
            )
        )
    else:
        ctx.reply(ctx.t("{name}, you are already on the roster.", name=name), quote=True)


@feature.command("leave", N_("leave the community roster"))
async def leave(ctx: Context) -> None:
    community = ctx.require_community()
    await queries.leave(ctx, community, ctx.incoming.user)
    ctx.reply(
        ctx.t(
            "{name} has left the roster. You can /join again at any time.",
            name=ctx.user.display_name,
        )
    )


@listing(feature, "members", N_("the roster, with each member's kind"), page=MembersPage)
async def members(ctx: Context, page: int) -> Listed:
    roster = await ctx.active_members()
    lines = [
        str(ctx.t("• {name} — {kind}", name=m.user.display_name, kind=ctx.t(KIND_NAMES[m.kind])))
        for m in roster
    ]
    header = ctx.t.ngettext("<b>{n} member</b>", "<b>{n} members</b>", len(roster))
    return Listed(str(header), lines, size=30)


@feature.command("iam", N_("say whether you are a resident or a worker"))
async def iam(ctx: Context) -> None:
    member = ctx.require_member()
    word = ctx.args.lower()
    kinds = {k.value: k for k in MemberKind} | {
        str(ctx.t(name)).lower(): k for k, name in KIND_NAMES.items()
    }
    if word not in kinds:
        raise UserError(
            hint(ctx.t, ctx.t("Tell me whether you are a resident or a worker."), "/iam worker")
        )
    member.kind = kinds[word]
    ctx.log("member.kind", name=ctx.user.display_name, kind=member.kind.value)
    ctx.reply(
        ctx.t(
            "{name} is now listed as a {kind}. Residents and workers have equal rights.",
            name=ctx.user.display_name,
            kind=ctx.t(KIND_NAMES[member.kind]),
        )
    )


@feature.command("language", N_("set your personal language"), where=Where.ANY, needs=Needs.NOTHING)
async def language(ctx: Context) -> None:
    chosen = parse_language(ctx.args) if ctx.args else None
    if chosen is None:
        codes = ", ".join(code.lower().replace("_", "-") for code in SUPPORTED)
        raise UserError(hint(ctx.t, ctx.t("Choose one of: {codes}.", codes=codes), "/language ru"))
    _set_language(ctx, chosen)


@feature.button(ChooseLanguage, needs=Needs.NOTHING)
async def language_button(ctx: Context, pressed: ChooseLanguage) -> None:
    chosen = parse_language(pressed.code)
    if chosen is None:
        ctx.answer(ctx.reader.gettext("This button is no longer valid."), alert=True)
        return
    _set_language(ctx, chosen)


def _set_language(ctx: Context, chosen: str) -> None:
    ctx.user.language = chosen
    if ctx.incoming.chat.is_private or ctx.user.started_bot:
        # The menu otherwise follows Telegram's language, not the one just chosen.
        ctx.replies.append(MenuUpdate(ctx.user.id, chosen))
    t = Translator(chosen)
    confirmation = t(
        "From now on I will write to you privately in {language}.", language=LANGUAGE_NAMES[chosen]
    )
    if ctx.incoming.callback_id is not None:
        ctx.answer(confirmation)
    if ctx.incoming.chat.is_private:
        ctx.t = t
        ctx.reply(confirmation)
    elif ctx.incoming.callback_id is None:
        ctx.reply(confirmation, quote=True)


@feature.command(
    "start", N_("welcome and language choice"), where=Where.PRIVATE, needs=Needs.NOTHING
)
async def start(ctx: Context) -> None:
    rows = await ctx.session.scalars(
        select(Community)
        .join(Member, Member.community_id == Community.id)
        .where(Member.user_id == ctx.user.id, Member.left_at.is_(None))
        .order_by(Community.title)
    )
    communities = list(rows)
    lines = [
        str(
            ctx.t(
                "Hello, {name}! I am Courtyard: I help a housing community — residents and workers, "
                "all equal — run its own affairs in its group chat.",
                name=ctx.user.display_name,
            )
        )
    ]
    if communities:
        lines.append(str(ctx.t("Your communities:")))
        lines.extend(str(Markup("• {title}").format(title=c.title)) for c in communities)
    else:
        lines.append(
            str(ctx.t("Add me to your group and an admin can run /setup. Then send /join there."))
        )
    lines.append(str(ctx.t("Choose your language:")))
    buttons = [
        [
            ctx.button(LANGUAGE_NAMES[code], ChooseLanguage(code.replace("_", "-")))
            for code in SUPPORTED
        ]
    ]
    ctx.reply("\n".join(lines), buttons)


@listing(feature, "help", N_("what I can do"), page=HelpPage, needs=Needs.NOTHING, where=Where.ANY)
async def help_(ctx: Context, page: int) -> Listed:
    """Every command in the menu, in pages: all of them together are longer than one message."""
    return Listed(
        str(ctx.t("<b>Courtyard</b> — commands:")),
        [
            str(Markup("/{name} — {text}").format(name=spec.name, text=ctx.t(spec.description)))
            for spec in ctx.registry.commands.values()
            if spec.in_menu
        ],
        "",
        size=HELP_PAGE,
    )


@feature.on_text(Where.PRIVATE)
async def private_text(ctx: Context) -> None:
    """I read commands only. Saying so at every message would be noise, so each person hears it
    once; in the group people talk to each other and the bot stays quiet."""
    if ctx.user.text_hint_sent:
        return
    ctx.user.text_hint_sent = True
    ctx.reply(ctx.t("I only understand commands. Send /help to see them."))


@listing(feature, "log", N_("the latest entries of the public audit log"), page=LogPage)
async def log(ctx: Context, page: int) -> Listed:
    """Newest first, LOG_PAGE entries a page, read from the database a page at a time."""
    community = ctx.require_community()
    mine = AuditEntry.community_id == community.id
    total = int(await ctx.session.scalar(select(func.count(AuditEntry.id)).where(mine)) or 0)
    pages = max(1, -(-total // LOG_PAGE))
    page = min(max(page, 0), pages - 1)
    entries = await ctx.session.scalars(
        select(AuditEntry)
        .where(mine)
        .order_by(AuditEntry.id.desc())
        .offset(page * LOG_PAGE)
        .limit(LOG_PAGE)
    )
    templates = ctx.registry.audit_templates
    lines = [
        str(
            Markup("{at} — {text}").format(
                at=ctx.t.moment(e.at, now=ctx.now),
                text=audit.describe(ctx.t, templates, e.action, e.details),
            )
        )
        for e in entries
    ]
    return Listed(
        str(ctx.t("<b>Audit log</b>")), lines, str(ctx.t("The log is empty.")), pages=pages
    )


@feature.on_event(Event.MEMBER_JOINED)
async def member_joined(ctx: Context) -> None:
    person = ctx.incoming.subject
    if ctx.community is None or person is None or person.is_bot:
        return
    if await queries.join(ctx, ctx.community, person):
        ctx.reply(
            ctx.t(
                "Welcome, {name}! You are on the roster. /help shows what we do here.",
                name=person.display_name,
            )
        )


@feature.on_event(Event.MEMBER_LEFT)
async def member_left(ctx: Context) -> None:
    person = ctx.incoming.subject
    if ctx.community is None or person is None or person.is_bot:
        return
    if await queries.leave(ctx, ctx.community, person):
        ctx.reply(
            ctx.t("{name} left the chat and is no longer on the roster.", name=person.display_name)
        )


@feature.on_event(Event.BOT_ADDED)
async def bot_added(ctx: Context) -> None:
    t = ctx.t if ctx.community else Translator(resolve_language(ctx.incoming.user.language_code))
    ctx.reply(
        t(
            "Hello! I am Courtyard. I help this community decide and act together, in the open: "
            "needs and polls, a public plan, problem reports, duties that rotate through "
            "everyone, and an audit log.\n"
            "A group admin starts with /setup (for example <code>/setup Europe/Berlin en</code>), "
            "then everyone sends /join."
        )
    )


@feature.on_event(Event.CHAT_MIGRATED)
async def chat_migrated(ctx: Context) -> None:
    """A group upgraded to a supergroup gets a new chat id; keep the community.

    Telegram says so twice: in the old group (``migrate_to_chat_id``) and in the
    new supergroup (``migrate_from_chat_id``), before anything else is said
    there. Either moves the community; the second finds it moved. Acting on
    the new chat's notice matters: it is handled in that chat's turn, so a
    command sent in the new supergroup never arrives before its community.
    """
    incoming = ctx.incoming
    if ctx.community is not None and incoming.new_chat_id is not None:
        ctx.community.chat_id = incoming.new_chat_id
    elif ctx.community is None and incoming.old_chat_id is not None:
        moved = await ctx.session.scalar(
            select(Community).where(Community.chat_id == incoming.old_chat_id).with_for_update()
        )
        if moved is not None:
            moved.chat_id = incoming.chat.id
