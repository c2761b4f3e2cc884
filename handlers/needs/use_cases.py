"""Needs use cases: /need, /needs, /propose, /adopt, the Support buttons and a vote's close.

Who may do what (every command needs the sender on the roster; one member,
one vote, no role gives more): any member proposes a need, supports it
(once; pressing again withdraws), proposes a way to meet an open need with
/propose, supports proposals the same way, and puts a need to a vote with
/adopt. A need without proposals gets a yes/no vote; a passed one makes it
a plan item. A need with proposals gets a ranked vote among them and "not
now" (``rules.decide``): the winning proposal becomes the plan item, with
its text and its author credited; anything else leaves the need open. No
proposal can join a need while its vote runs, since the ballot is fixed.
The needs feature learns of a close only through its close hooks, never
from the polls feature itself.

Every change is answered in the group and written to the audit log, except
support presses, whose running totals are public on the need's card.
"""

from __future__ import annotations

from sqlalchemy import select

from handlers.core.buttons import BadAction
from handlers.core.context import Context, UserError, Work, example, hint
from handlers.core.i18n import N_, Translator
from handlers.core.input import free_text, number_and_rest, number_and_text, numbered
from handlers.core.numbering import add_numbered
from handlers.core.outcome import Outcome
from handlers.core.paging import Listed, listing
from handlers.core.registry import Feature, VoteRequest
from handlers.needs.queries import proposals_of, ranked_proposals, support_count, toggle_support
from handlers.needs.rules import MAX_PROPOSALS, Decision, Verdict, ballot_options, decide
from handlers.needs.views import (
    NeedsPage,
    SupportNeed,
    SupportProposal,
    card_key,
    need_card,
    need_line,
    proposal_label,
    refresh_card,
)
from models import (
    Community,
    Need,
    NeedStatus,
    NeedSupport,
    PlanItem,
    Poll,
    PollKind,
    Proposal,
    ProposalSupport,
)

feature = Feature("needs")
feature.audit("need.proposed", N_("{actor} proposed need #{number}: {text}"))
feature.audit("need.vote", N_("{actor} put need #{number} to an adoption vote"))
feature.audit("need.adopted", N_("Need #{number} was adopted by vote as plan item #{item}"))
feature.audit("need.rejected", N_("Need #{number} was not adopted by vote"))
feature.audit("need.proposal", N_("{actor} proposed {label} for need #{number}: {text}"))
feature.audit(
    "need.ranked_vote", N_("{actor} put the proposals for need #{number} to a ranked vote")
)
feature.audit(
    "need.adopted_proposal",
    N_("Need #{number} was adopted by ranked vote with {label} from {author} as plan item #{item}"),
)

#: The /propose example: command words as typed, then the (translated) free text.
PROPOSE_SAMPLE = N_("Buy a steel rack at the hardware store")


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
    fresh = NeedSupport(need_id=need.id, user_id=ctx.user.id, created_at=ctx.now)
    if await toggle_support(ctx.session, NeedSupport.need_id, fresh):
        confirmation = ctx.reader.gettext("You support need #{number}.", number=need.number)
    else:
        confirmation = ctx.reader.gettext(
            "You no longer support need #{number}.", number=need.number
        )
    ctx.edit(*await need_card(ctx, ctx.t, need))
    ctx.answer(confirmation)


@feature.button(SupportProposal)
async def support_proposal(ctx: Context, pressed: SupportProposal) -> None:
    """Support a proposal, or withdraw one's support: a toggle, as for the need itself."""
    community = ctx.require_community()
    proposal = await ctx.session.get(Proposal, pressed.proposal_id)
    need = await ctx.session.get(Need, proposal.need_id) if proposal is not None else None
    if proposal is None or need is None or need.community_id != community.id:
        raise BadAction("proposal from another community")
    if need.status is NeedStatus.ADOPTED:
        ctx.edit(*await need_card(ctx, ctx.t, need))
        ctx.answer(ctx.reader.gettext("This need is already adopted; see /plan."), alert=True)
        return
    label = proposal_label(need, proposal)
    fresh = ProposalSupport(proposal_id=proposal.id, user_id=ctx.user.id, created_at=ctx.now)
    if await toggle_support(ctx.session, ProposalSupport.proposal_id, fresh):
        confirmation = ctx.reader.gettext("You support proposal {label}.", label=label)
    else:
        confirmation = ctx.reader.gettext("You no longer support proposal {label}.", label=label)
    ctx.edit(*await need_card(ctx, ctx.t, need))
    ctx.answer(confirmation)


@listing(feature, "needs", N_("open needs, most supported first"), page=NeedsPage)
async def list_needs(ctx: Context, page: int) -> Listed:
    """Each need with its proposals under it, most supported first."""
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
    proposals = await ranked_proposals(ctx.session, community.id, [need.id for need, _ in rows])
    return Listed(
        str(ctx.t("<b>Open needs</b>, most supported first:")),
        [need_line(ctx.t, need, n, proposals[need.id]) for need, n in rows],
        hint(
            ctx.t,
            ctx.t("There are no open needs."),
            example("/need", ctx.t("A bike rack by the entrance")),
        ),
    )


@feature.command("propose", N_("propose a way to meet a need: /propose NEED_ID TEXT"))
async def propose_way(ctx: Context) -> None:
    """Any member, on a need that is open and not being voted on; at most MAX_PROPOSALS."""
    community = ctx.require_community()
    number, text = number_and_text(
        ctx,
        "/propose",
        ctx.t(PROPOSE_SAMPLE),
        ctx.t("Which need, and how would you meet it? Give its number from /needs."),
        lambda n: ctx.t("Say how to meet need #{number}.", number=n),
    )
    sample = example(f"/propose {number}", ctx.t(PROPOSE_SAMPLE))
    unknown = ctx.t("There is no need #{number}; /needs lists them.", number=number)
    need = await numbered(ctx, Need, number, unknown, sample)
    if need.status is NeedStatus.ADOPTED:
        raise UserError(ctx.t("Need #{number} is already adopted; see /plan.", number=number))
    if need.status is NeedStatus.VOTING:
        poll = await ctx.session.get(Poll, need.poll_id) if need.poll_id is not None else None
        raise UserError(
            ctx.t(
                "Need #{number} is being voted on until {when}, and the ballot cannot change "
                "while the vote runs. If the need stays open, propose again after the vote.",
                number=number,
                when=ctx.t.moment(poll.closes_at, now=ctx.now) if poll else "—",
            )
        )
    existing = await proposals_of(ctx.session, need)
    same = next((p for p in existing if p.text.casefold() == text.casefold()), None)
    if same is not None:
        raise UserError(
            ctx.t(
                "That is already proposal {label} for need #{number}; support it on the need's card.",
                label=proposal_label(need, same),
                number=number,
            )
        )
    if len(existing) >= MAX_PROPOSALS:
        raise UserError(
            ctx.t.ngettext(
                "Need #{number} already has {n} proposal, as many as one vote can rank.",
                "Need #{number} already has {n} proposals, as many as one vote can rank.",
                len(existing),
                number=number,
            )
        )
    proposal = Proposal(
        need_id=need.id,
        number=max((p.number for p in existing), default=0) + 1,
        text=text,
        author_id=ctx.user.id,
        author=ctx.user,
        created_at=ctx.now,
    )
    ctx.session.add(proposal)
    await ctx.session.flush()
    label = proposal_label(need, proposal)
    ctx.log("need.proposal", actor=ctx.user.display_name, label=label, number=number, text=text)
    ctx.reply(
        ctx.t(
            "💡 {name} proposed {label}, a way to meet need #{number}:\n{text}\n"
            "Support it with its button on the need's card; /adopt {number} ranks the "
            "proposals against “not now”.",
            name=ctx.user.display_name,
            label=label,
            number=number,
            text=text,
        )
    )
    await refresh_card(ctx, community, need)


@feature.command("adopt", N_("put a need to a vote; if it passes it joins the plan"))
async def adopt(ctx: Context) -> None:
    """A yes/no vote on a need without proposals; a ranked vote among them with them."""
    community = ctx.require_community()
    number, _ = number_and_rest(ctx, ctx.t("Which need? Give its number from /needs."), "/adopt 3")
    unknown = ctx.t("There is no need #{number}; /needs lists them.", number=number)
    found = await numbered(ctx, Need, number, unknown, "/adopt 3")
    if found.status is NeedStatus.ADOPTED:
        raise UserError(ctx.t("Need #{number} is already adopted; see /plan.", number=number))
    if found.status is NeedStatus.VOTING:
        raise UserError(ctx.t("Need #{number} is already being voted on.", number=number))
    proposals = await proposals_of(ctx.session, found)
    if proposals:
        request = VoteRequest(
            question=ctx.t(
                "Which proposal should meet need #{number}? {text}\n"
                "(“{not_now}” keeps the need open for later.)",
                number=number,
                text=found.text,
                not_now=ctx.t("Not now"),
            ).unescape(),
            options=ballot_options([p.text for p in proposals], str(ctx.t("Not now"))),
            kind=PollKind.RANKED,
            subject=("proposals", found.id),
        )
        action = "need.ranked_vote"
    else:
        request = VoteRequest(
            question=ctx.t(
                "Adopt need #{number} into the plan? {text}", number=number, text=found.text
            ).unescape(),
            options=[str(ctx.t("Yes")), str(ctx.t("No"))],
            kind=PollKind.SINGLE,
            subject=("need", found.id),
        )
        action = "need.vote"
    poll = await ctx.open_vote(request)
    found.status, found.poll_id = NeedStatus.VOTING, poll.id
    ctx.log(action, actor=ctx.user.display_name, number=number)
    await refresh_card(ctx, community, found)


async def _voted_need(work: Work, poll: Poll) -> tuple[Need, Community] | None:
    """The need ``poll`` was deciding, if that vote is still the need's current one."""
    found = await work.session.get(Need, poll.subject_id)
    if found is None or found.status is not NeedStatus.VOTING or found.poll_id != poll.id:
        return None
    community = await work.session.get(Community, found.community_id)
    assert community is not None
    return found, community


async def _adopt(
    work: Work, community: Community, need: Need, title: str, proposal: Proposal | None = None
) -> PlanItem:
    """The need becomes the next plan item (its card says so)."""
    item = PlanItem(
        community_id=community.id,
        title=title,
        need_id=need.id,
        proposal_id=proposal.id if proposal else None,
        proposal=proposal,
        created_at=work.now,
    )
    await add_numbered(work.session, item)
    need.status, need.adopted_at = NeedStatus.ADOPTED, work.now
    await refresh_card(work, community, need)
    return item


async def _keep_open(work: Work, community: Community, need: Need, said: str) -> None:
    """The vote did not adopt the need: it is open again, and the group is told why."""
    need.status = NeedStatus.OPEN
    await refresh_card(work, community, need)
    work.audit(community, None, "need.rejected", number=need.number)
    work.post(community.chat_id, said)


@feature.on_close("need")
async def need_poll_closed(work: Work, poll: Poll, outcome: Outcome) -> None:
    """A passed adoption vote turns the need into a plan item; a failed one leaves it open."""
    voted = await _voted_need(work, poll)
    if voted is None:
        return
    found, community = voted
    t = work.community_translator(community)
    if not outcome.passed:
        said = t(
            "Need #{number} was not adopted this time. It stays on the list of /needs.",
            number=found.number,
        )
        await _keep_open(work, community, found, said)
        return
    item = await _adopt(work, community, found, found.text)
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


@feature.on_close("proposals")
async def proposals_poll_closed(work: Work, poll: Poll, outcome: Outcome) -> None:
    """The ranked vote among a need's proposals: the winner becomes the plan item, credited
    to its author; "not now", a tie, no quorum or no votes leave the need open."""
    voted = await _voted_need(work, poll)
    if voted is None:
        return
    found, community = voted
    t = work.community_translator(community)
    proposals = await proposals_of(work.session, found)
    decision = decide(outcome, len(poll.options) - 1)
    winner = next((p for p in proposals if p.number == decision.proposal), None)
    if decision.verdict is not Verdict.ADOPTED or winner is None:
        await _keep_open(work, community, found, _undecided(t, found, poll, decision))
        return
    item = await _adopt(work, community, found, winner.text, winner)
    label = proposal_label(found, winner)
    author = winner.author.display_name
    work.audit(
        community,
        None,
        "need.adopted_proposal",
        number=found.number,
        label=label,
        author=author,
        item=item.number,
    )
    work.post(
        community.chat_id,
        t(
            "Need #{number} is adopted: the ranked vote chose proposal {label} from {name}. "
            "It is now plan item #{item}: {title}\nAnyone can take it on with /take {item}.",
            number=found.number,
            label=label,
            name=author,
            item=item.number,
            title=item.title,
        ),
    )


def _undecided(t: Translator, need: Need, poll: Poll, decision: Decision) -> str:
    """Why a ranked vote left the need open, and what can happen next."""
    values = {"number": need.number, "poll": poll.number}
    if decision.verdict is Verdict.NOT_NOW:
        said = t("Poll #{poll} chose “not now” for need #{number}.", **values)
    elif decision.verdict is Verdict.TIE:
        names = ", ".join(
            f"#{need.number}.{tied}" if tied else str(t("Not now")) for tied in decision.tied
        )
        said = t(
            "Poll #{poll} on need #{number} ended in a tie between {options}: nothing was chosen.",
            options=names,
            **values,
        )
    elif decision.verdict is Verdict.NO_QUORUM:
        said = t(
            "Too few members voted in poll #{poll} on need #{number} for the result to count.",
            **values,
        )
    else:
        said = t("Nobody voted in poll #{poll} on need #{number}.", **values)
    then = t(
        "The need stays open with its proposals; /propose {number} adds one, "
        "/adopt {number} puts them to a vote again.",
        number=need.number,
    )
    return f"{said}\n{then}"
