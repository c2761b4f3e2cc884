"""Needs use cases: /need, /needs, /adopt, the Support button and an adoption vote's close.

Who may do what (every command needs the sender on the roster; one member,
one vote, no role gives more): any member proposes a need, supports it
(once; pressing again withdraws) and puts it to an adoption vote with
/adopt. A passed vote makes it a plan item; the needs feature learns of the
close only through its close hook, never from the polls feature itself.

Every change is answered in the group and written to the audit log, except
support presses, whose running total is public on the need itself.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from handlers.core.buttons import BadAction
from handlers.core.context import Context, UserError, Work, example, hint
from handlers.core.i18n import N_
from handlers.core.input import free_text, number_and_rest, numbered
from handlers.core.numbering import add_numbered
from handlers.core.outcome import Outcome
from handlers.core.paging import Listed, listing
from handlers.core.registry import Feature, VoteRequest
from handlers.needs.queries import support_count
from handlers.needs.views import (
    NeedsPage,
    SupportNeed,
    card_key,
    need_card,
    need_line,
    refresh_card,
)
from models import Community, Need, NeedStatus, NeedSupport, PlanItem, Poll, PollKind

feature = Feature("needs")
feature.audit("need.proposed", N_("{actor} proposed need #{number}: {text}"))
feature.audit("need.vote", N_("{actor} put need #{number} to an adoption vote"))
feature.audit("need.adopted", N_("Need #{number} was adopted by vote as plan item #{item}"))
feature.audit("need.rejected", N_("Need #{number} was not adopted by vote"))


@feature.command("need", N_("propose something the community needs"))
async def propose(ctx: Context) -> None:
    community = ctx.require_community()
    text = free_text(
        ctx,
        ctx.t("Say what the community needs."),
        example("/need", ctx.t("A bike rack by the entrance")),
    )
    new = Need(community_id=community.id, text=text, author_id=ctx.user.id, created_at=ctx.now)
    await add_numbered(ctx.session, new)
    ctx.log("need.proposed", actor=ctx.user.display_name, number=new.number, text=text)
    text, buttons = await need_card(ctx, ctx.t, new)
    ctx.reply(text, buttons, key=card_key(new))


@feature.button(SupportNeed)
async def support(ctx: Context, pressed: SupportNeed) -> None:
    """Support the need, or withdraw one's support: a toggle, one support per member."""
    community = ctx.require_community()
    need = await ctx.session.get(Need, pressed.need_id)
    if need is None or need.community_id != community.id:
        raise BadAction("need from another community")
    if need.status is NeedStatus.ADOPTED:
        ctx.edit(*await need_card(ctx, ctx.t, need))
        ctx.answer(ctx.reader.gettext("This need is already adopted; see /plan."), alert=True)
        return
    withdrawn = await ctx.session.scalar(
        delete(NeedSupport)
        .where(NeedSupport.need_id == need.id, NeedSupport.user_id == ctx.user.id)
        .returning(NeedSupport.id)
    )
    if withdrawn is not None:
        confirmation = ctx.reader.gettext(
            "You no longer support need #{number}.", number=need.number
        )
    else:
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(
                    NeedSupport(need_id=need.id, user_id=ctx.user.id, created_at=ctx.now)
                )
        except IntegrityError:
            pass  # A simultaneous press of the same member got there first: supported either way.
        confirmation = ctx.reader.gettext("You support need #{number}.", number=need.number)
    ctx.edit(*await need_card(ctx, ctx.t, need))
    ctx.answer(confirmation)


@listing(feature, "needs", N_("open needs, most supported first"), page=NeedsPage)
async def list_needs(ctx: Context, page: int) -> Listed:
    community = ctx.require_community()
    supporters = support_count().label("support")
    rows = (
        await ctx.session.execute(
            select(Need, supporters)
            .where(
                Need.community_id == community.id,
                Need.status.in_([NeedStatus.OPEN, NeedStatus.VOTING]),
            )
            .order_by(supporters.desc(), Need.created_at, Need.number)
        )
    ).all()
    return Listed(
        str(ctx.t("<b>Open needs</b>, most supported first:")),
        [need_line(ctx.t, need, n) for need, n in rows],
        hint(
            ctx.t,
            ctx.t("There are no open needs."),
            example("/need", ctx.t("A bike rack by the entrance")),
        ),
    )


@feature.command("adopt", N_("put a need to a yes/no vote; if it passes it joins the plan"))
async def adopt(ctx: Context) -> None:
    community = ctx.require_community()
    number, _ = number_and_rest(ctx, ctx.t("Which need? Give its number from /needs."), "/adopt 3")
    unknown = ctx.t("There is no need #{number}; /needs lists them.", number=number)
    found = await numbered(ctx, Need, number, unknown, "/adopt 3")
    if found.status is NeedStatus.ADOPTED:
        raise UserError(ctx.t("Need #{number} is already adopted; see /plan.", number=number))
    if found.status is NeedStatus.VOTING:
        raise UserError(ctx.t("Need #{number} is already being voted on.", number=number))
    poll = await ctx.open_vote(
        VoteRequest(
            question=ctx.t(
                "Adopt need #{number} into the plan? {text}", number=number, text=found.text
            ).unescape(),
            options=[str(ctx.t("Yes")), str(ctx.t("No"))],
            kind=PollKind.SINGLE,
            subject=("need", found.id),
        )
    )
    found.status, found.poll_id = NeedStatus.VOTING, poll.id
    ctx.log("need.vote", actor=ctx.user.display_name, number=number)
    await refresh_card(ctx, community, found)


@feature.on_close("need")
async def need_poll_closed(work: Work, poll: Poll, outcome: Outcome) -> None:
    """A passed adoption vote turns the need into a plan item; a failed one leaves it open."""
    found = await work.session.get(Need, poll.subject_id)
    if found is None or found.status is not NeedStatus.VOTING or found.poll_id != poll.id:
        return
    community = await work.session.get(Community, found.community_id)
    assert community is not None
    t = work.community_translator(community)
    if not outcome.passed:
        found.status = NeedStatus.OPEN
        await refresh_card(work, community, found)
        work.audit(community, None, "need.rejected", number=found.number)
        work.post(
            community.chat_id,
            t(
                "Need #{number} was not adopted this time. It stays on the list of /needs.",
                number=found.number,
            ),
        )
        return
    item = PlanItem(
        community_id=community.id, title=found.text, need_id=found.id, created_at=work.now
    )
    await add_numbered(work.session, item)
    found.status, found.adopted_at = NeedStatus.ADOPTED, work.now
    await refresh_card(work, community, found)
    work.audit(community, None, "need.adopted", number=found.number, item=item.number)
    work.post(
        community.chat_id,
        t(
            "Need #{number} is adopted. It is now plan item #{item}: {title}\n"
            "Anyone can take it on with /take {item}.",
            number=found.number,
            item=item.number,
            title=item.title,
        ),
    )
