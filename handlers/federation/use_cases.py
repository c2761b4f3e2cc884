"""Federation use cases: /link, /link CODE, the confirm button, /federation, /share with its
"we can help" button, and /unlink.

Who may do what (every command and button needs the sender on the roster of the group it is
sent in): any member makes a code (a new one replaces the community's earlier code) or uses
another community's code; typing it is that community's confirmation, and a member of the
code's community confirms with the button posted in their group. Any member of either side
ends a link with /unlink, without a vote: a link only lets two communities see and answer
each other's needs, so either may step back at once; both groups are told and both logs
keep it. Any member shares one of their community's needs; only members of the linked
community it was shown to can offer help, once each.

What crosses between communities goes to the other group through the outbox, in that
community's language, and names people by display name only.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from handlers.core.buttons import BadAction
from handlers.core.context import Context, UserError, hint
from handlers.core.i18n import N_, Translator
from handlers.core.input import echoed, number_and_rest, numbered
from handlers.core.paging import Listed, listing
from handlers.core.registry import Feature
from handlers.federation import queries, rules
from handlers.federation.rules import CodeProblem, Press, Side
from handlers.federation.views import (
    ConfirmLink,
    FederationPage,
    OfferHelp,
    link_block,
    share_card,
    title,
)
from models import (
    CodeState,
    Community,
    CommunityLink,
    HelpOffer,
    LinkCode,
    LinkState,
    Need,
    NeedShare,
)

feature = Feature("federation")
feature.audit("fed.code", N_("{actor} made a code to link with another community"))
feature.audit("fed.requested", N_("{actor} asked to link with {partner}"))
feature.audit("fed.asked", N_("{partner} asked to link with us"))
feature.audit("fed.confirmed", N_("{actor} confirmed the link with {partner}"))
feature.audit("fed.active", N_("{partner} confirmed the link with us"))
feature.audit("fed.ended", N_("{actor} ended the link with {partner}"))
feature.audit("fed.ended_by", N_("{actor} of {partner} ended the link with us"))
feature.audit("fed.shared", N_("{actor} showed need #{number} to {communities}"))
feature.audit("fed.shared_in", N_("{partner} asked us for help with their need #{number}"))
feature.audit("fed.offer", N_("{actor} offered {partner} help with their need #{number}"))
feature.audit("fed.offered", N_("{actor} of {partner} offered help with need #{number}"))

CODE_EXAMPLE = "/link K7QXM-2PD9R"


# /link -----------------------------------------------------------------------------------------


@feature.command("link", N_("link with another community: /link makes a code, /link CODE uses one"))
async def link(ctx: Context) -> None:
    if ctx.args:
        await _use_code(ctx)
    else:
        await _make_code(ctx)


async def _make_code(ctx: Context) -> None:
    community = ctx.require_community()
    await queries.lock_communities(ctx.session, community)
    for earlier in await queries.active_codes(ctx.session, community):
        earlier.state = CodeState.REPLACED
    code = rules.new_code()
    expires_at = ctx.now + rules.CODE_VALID
    ctx.session.add(
        LinkCode(
            community_id=community.id,
            code_hash=rules.code_hash(code),
            created_by=ctx.user.id,
            created_at=ctx.now,
            expires_at=expires_at,
        )
    )
    ctx.log("fed.code", actor=ctx.user.display_name)
    ctx.reply(
        ctx.t(
            "🔗 A code to link {community} with another community: <code>{code}</code>\n"
            "A member of the other community sends <code>/link {code}</code> in their group "
            "before {until}. It works once; a new /link replaces it.",
            community=title(community),
            code=rules.shown(code),
            until=ctx.t.moment(expires_at, now=ctx.now),
        )
    )


def _code_refusal(t: Translator, problem: CodeProblem) -> str:
    return str(
        {
            CodeProblem.UNKNOWN: t("No community has that code. Check it, or ask for a new one."),
            CodeProblem.USED: t("That code has been used already; a code works once."),
            CodeProblem.REPLACED: t(
                "That code was replaced by a newer one; ask for the newest code."
            ),
            CodeProblem.EXPIRED: t(
                "That code has expired (a code lasts 24 hours); ask for a new one."
            ),
            CodeProblem.OWN: t(
                "That is this community's own code: send it in the group of the community "
                "you want to link with."
            ),
        }[problem]
    )


async def _use_code(ctx: Context) -> None:
    community = ctx.require_community()
    code = rules.read_code(ctx.args)
    if code is None:
        bad = ctx.t(
            "A link code has 10 letters and digits; “{value}” is not one.", value=echoed(ctx.args)
        )
        raise UserError(hint(ctx.t, bad, CODE_EXAMPLE))
    found = await queries.code_by_hash(ctx.session, rules.code_hash(code))
    problem = rules.code_problem(
        rules.CodeState(found.state.value) if found else None,
        found.expires_at if found else None,
        ctx.now,
        own=found is not None and found.community_id == community.id,
    )
    if problem is not None or found is None:
        raise UserError(hint(ctx.t, _code_refusal(ctx.t, problem or CodeProblem.UNKNOWN), "/link"))
    inviter = await ctx.session.get(Community, found.community_id)
    assert inviter is not None
    await queries.lock_communities(ctx.session, community, inviter)
    for existing in await queries.links_between(ctx.session, community, inviter):
        if existing.state is LinkState.ACTIVE:
            raise UserError(
                ctx.t("We are already linked with {community}.", community=title(inviter))
            )
        if _status(existing).blocks_another(ctx.now):
            raise UserError(
                ctx.t(
                    "A link with {community} is already waiting for confirmation.",
                    community=title(inviter),
                )
            )
    requested = rules.requested(ctx.now)
    new = CommunityLink(
        inviter_id=inviter.id,
        invitee_id=community.id,
        state=LinkState.PENDING,
        requested_at=ctx.now,
        expires_at=requested.expires_at,
        invitee_confirmed_by=ctx.user.id,
        invitee_confirmed_at=ctx.now,
    )
    ctx.session.add(new)
    await ctx.session.flush()
    found.state, found.used_at = CodeState.USED, ctx.now
    ctx.log("fed.requested", actor=ctx.user.display_name, partner=inviter.title)
    ctx.audit(inviter, None, "fed.asked", partner=community.title)
    ctx.reply(
        ctx.t(
            "🔗 {name} asked to link with {community}. The link is made when a member of "
            "{community} confirms it in their group.",
            name=ctx.user.display_name,
            community=title(inviter),
        )
    )
    t = ctx.community_translator(inviter)
    ctx.post(
        inviter.chat_id,
        t(
            "🔗 {community} asks to link with us: we would see each other's open needs and "
            "skills on offer (never who holds them) and could help each other. Any member "
            "may confirm before {until}.",
            community=title(community),
            until=t.moment(new.expires_at, now=ctx.now),
        ),
        [
            [
                ctx.button(
                    t("✅ Confirm link with {title}", title=community.title).unescape(),
                    ConfirmLink(new.id),
                )
            ]
        ],
    )


def _status(link: CommunityLink) -> rules.Link:
    confirmed = set()
    if link.inviter_confirmed_by is not None:
        confirmed.add(Side.INVITER)
    if link.invitee_confirmed_by is not None:
        confirmed.add(Side.INVITEE)
    return rules.Link(rules.Phase(link.state.value), frozenset(confirmed), link.expires_at)


@feature.button(ConfirmLink)
async def confirm(ctx: Context, pressed: ConfirmLink) -> None:
    community = ctx.require_community()
    found = await queries.link_for_update(ctx.session, pressed.link_id)
    if found is None or community.id not in (found.inviter_id, found.invitee_id):
        raise BadAction("a link of other communities")
    side = Side.INVITER if community.id == found.inviter_id else Side.INVITEE
    other = queries.other_side(found, community)
    after, press = rules.confirm(_status(found), side, ctx.now)
    if press is Press.ALREADY:
        ctx.answer(ctx.reader.gettext("This link is already confirmed."))
        return
    if press is Press.ENDED:
        ctx.edit(ctx.t("This link with {community} has ended.", community=title(other)))
        ctx.answer(ctx.reader.gettext("This link has ended."), alert=True)
        return
    if press is Press.LAPSED:
        ctx.edit(
            ctx.t(
                "The request of {community} to link with us has lapsed. A new code can "
                "start it again: /link",
                community=title(other),
            )
        )
        ctx.answer(ctx.reader.gettext("This request has lapsed."), alert=True)
        return
    if side is Side.INVITER:
        found.inviter_confirmed_by, found.inviter_confirmed_at = ctx.user.id, ctx.now
    else:
        found.invitee_confirmed_by, found.invitee_confirmed_at = ctx.user.id, ctx.now
    ctx.log("fed.confirmed", actor=ctx.user.display_name, partner=other.title)
    if press is Press.WAITING:
        ctx.answer(ctx.reader.gettext("Confirmed; the other community has to confirm too."))
        return
    assert after.phase is rules.Phase.ACTIVE
    found.state, found.activated_at = LinkState.ACTIVE, ctx.now
    ctx.audit(other, None, "fed.active", partner=community.title)
    ctx.edit(
        ctx.t(
            "🔗 {name} confirmed: we are linked with {community}. /federation shows their "
            "open needs and skills; /share NEED_ID shows them one of ours.",
            name=ctx.user.display_name,
            community=title(other),
        )
    )
    ctx.answer(ctx.reader.gettext("Linked."))
    t = ctx.community_translator(other)
    ctx.post(
        other.chat_id,
        t(
            "🔗 {community} confirmed: we are linked with them. /federation shows their open "
            "needs and skills; /share NEED_ID shows them one of ours.",
            community=title(community),
        ),
    )


# /federation -----------------------------------------------------------------------------------


@listing(
    feature,
    "federation",
    N_("linked communities: their open needs and the skills they offer"),
    page=FederationPage,
)
async def federation(ctx: Context, page: int) -> Listed:
    community = ctx.require_community()
    blocks = []
    for n, (found, other) in enumerate(await queries.links_of(ctx.session, community, ctx.now), 1):
        needs = await queries.open_needs(ctx.session, other, rules.TOP_NEEDS)
        skills = await queries.skills_offered(ctx.session, other, rules.TOP_SKILLS)
        blocks.append(link_block(ctx.t, n, found, other, needs, skills, ctx.now))
    return Listed(
        str(ctx.t("<b>Linked communities</b>")),
        blocks,
        hint(
            ctx.t,
            ctx.t(
                "We are not linked with any community yet. /link makes a code to give to "
                "another community's group."
            ),
            "/link",
        ),
        size=3,
    )


# /share ----------------------------------------------------------------------------------------


@feature.command("share", N_("show one of our needs to the linked communities: /share NEED_ID"))
async def share(ctx: Context) -> None:
    community = ctx.require_community()
    number, _ = number_and_rest(ctx, ctx.t("Which need? Give its number from /needs."), "/share 3")
    unknown = ctx.t("There is no need #{number}; /needs lists them.", number=number)
    need = await numbered(ctx, Need, number, unknown, "/share 3")
    linked = [
        (found, other)
        for found, other in await queries.links_of(ctx.session, community, ctx.now)
        if found.state is LinkState.ACTIVE
    ]
    if not linked:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("We are not linked with any community yet; /link starts a link."),
                "/link",
            )
        )
    already = await queries.shares_of(ctx.session, need)
    targets = [(found, other) for found, other in linked if found.id not in already]
    if not targets:
        raise UserError(
            ctx.t(
                "Need #{number} has already been shown to every linked community.",
                number=number,
            )
        )
    support = await queries.support_of(ctx.session, need)
    for found, other in targets:
        shared = NeedShare(
            need_id=need.id,
            link_id=found.id,
            target_id=other.id,
            shared_by=ctx.user.id,
            shared_at=ctx.now,
        )
        ctx.session.add(shared)
        await ctx.session.flush()
        text, label = share_card(ctx.community_translator(other), community, need, support, 0)
        ctx.post(
            other.chat_id, text, [[ctx.button(label, OfferHelp(shared.id))]], key=_card_key(shared)
        )
        ctx.audit(other, None, "fed.shared_in", partner=community.title, number=need.number)
    names = ", ".join(other.title for _, other in targets)
    ctx.log("fed.shared", actor=ctx.user.display_name, number=need.number, communities=names)
    ctx.reply(
        ctx.t(
            "📣 Need #{number} is shown to {communities}. Their members can answer "
            "“We can help”, and we will hear who did.",
            number=need.number,
            communities=names,
        )
    )


def _card_key(shared: NeedShare) -> str:
    return f"share:{shared.id}"


@feature.button(OfferHelp)
async def offer_help(ctx: Context, pressed: OfferHelp) -> None:
    community = ctx.require_community()
    shared = await ctx.session.get(NeedShare, pressed.share_id)
    if shared is None or shared.target_id != community.id:
        raise BadAction("a need shared with another community")
    found = await ctx.session.get(CommunityLink, shared.link_id)
    need = await ctx.session.get(Need, shared.need_id)
    assert found is not None and need is not None
    asking = queries.other_side(found, community)
    if found.state is not LinkState.ACTIVE:
        ctx.answer(
            ctx.reader.gettext("We are no longer linked with {community}.", community=asking.title),
            alert=True,
        )
        return
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(HelpOffer(share_id=shared.id, user_id=ctx.user.id, offered_at=ctx.now))
    except IntegrityError:
        ctx.answer(
            ctx.reader.gettext(
                "You have already offered to help; {community} knows.", community=asking.title
            ),
            alert=True,
        )
        return
    ctx.log("fed.offer", actor=ctx.user.display_name, partner=asking.title, number=need.number)
    ctx.audit(
        asking,
        None,
        "fed.offered",
        actor=ctx.user.display_name,
        partner=community.title,
        number=need.number,
    )
    t = ctx.community_translator(asking)
    ctx.post(
        asking.chat_id,
        t(
            "🙋 {name} from {community} offers to help with need #{number}: {text}",
            name=ctx.user.display_name,
            community=title(community),
            number=need.number,
            text=need.text,
        ),
    )
    support = await queries.support_of(ctx.session, need)
    text, label = share_card(
        ctx.t, asking, need, support, await queries.offers(ctx.session, shared)
    )
    ctx.edit(text, [[ctx.button(label, OfferHelp(shared.id))]])
    ctx.answer(
        ctx.reader.gettext(
            "Thank you! {community} has been told that you can help.", community=asking.title
        )
    )


# /unlink ---------------------------------------------------------------------------------------


@feature.command("unlink", N_("end a link with another community: /unlink N, N from /federation"))
async def unlink(ctx: Context) -> None:
    community = ctx.require_community()
    number, _ = number_and_rest(
        ctx, ctx.t("Which link? Give its number from /federation."), "/unlink 1"
    )
    links = await queries.links_of(ctx.session, community, ctx.now)
    if not 1 <= number <= len(links):
        raise UserError(
            hint(
                ctx.t,
                ctx.t("There is no link {number}; /federation lists them.", number=number),
                "/unlink 1",
            )
        )
    listed, other = links[number - 1]
    found = await queries.link_for_update(ctx.session, listed.id)
    assert found is not None
    found.state, found.ended_at = LinkState.ENDED, ctx.now
    found.ended_by, found.ended_from = ctx.user.id, community.id
    ctx.log("fed.ended", actor=ctx.user.display_name, partner=other.title)
    ctx.audit(other, None, "fed.ended_by", actor=ctx.user.display_name, partner=community.title)
    ctx.reply(
        ctx.t(
            "🔗 {name} ended the link with {community}.",
            name=ctx.user.display_name,
            community=title(other),
        )
    )
    t = ctx.community_translator(other)
    ctx.post(
        other.chat_id,
        t(
            "🔗 {name} of {community} ended the link with us.",
            name=ctx.user.display_name,
            community=title(community),
        ),
    )
