"""A need's card (its message in the group), its lines in /needs and the needs' buttons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from handlers.core.buttons import ButtonData, ListPage
from handlers.core.context import Work
from handlers.core.i18n import Translator
from handlers.core.messages import Button
from handlers.needs.queries import ranked_proposals, support_count
from handlers.needs.rules import PREVIEW_CHARS, shorten
from models import Community, Need, NeedStatus, PlanItem, Proposal

#: Proposal buttons side by side on a card ("👍 #3.1 (2)" is short).
PROPOSAL_BUTTONS_PER_ROW = 3


@dataclass(frozen=True)
class SupportNeed(ButtonData):
    """Support the need, or withdraw one's support."""

    KIND = "need.sup"
    need_id: int


@dataclass(frozen=True)
class SupportProposal(ButtonData):
    """Support one proposal for a need, or withdraw one's support."""

    KIND = "prop.sup"
    proposal_id: int


class NeedsPage(ListPage):
    KIND = "needs.pg"


def card_key(need: Need) -> str:
    """Names the need's message so proposals and an adoption vote can update it."""
    return f"need:{need.id}"


def proposal_label(need: Need, proposal: Proposal) -> str:
    """How a proposal is named everywhere: its need's number, then its own (#3.2)."""
    return f"#{need.number}.{proposal.number}"


def proposal_line(t: Translator, need: Need, proposal: Proposal, supporters: int) -> str:
    """A proposal under its need, cut to PREVIEW_CHARS so nine fit one message."""
    return str(
        t.ngettext(
            "💡 <b>{label}</b> {text} — {name}, {n} supporter",
            "💡 <b>{label}</b> {text} — {name}, {n} supporters",
            supporters,
            label=proposal_label(need, proposal),
            text=shorten(proposal.text, PREVIEW_CHARS),
            name=proposal.author.display_name,
        )
    )


async def need_card(work: Work, t: Translator, need: Need) -> tuple[str, list[list[Button]]]:
    """The need's message: its text, support, its proposals by support and, while it is not
    adopted, a Support button for it and one for each proposal."""
    n = await work.session.scalar(select(support_count()).where(Need.id == need.id)) or 0
    lines: list[str] = [
        t(
            "<b>Need #{number}</b> from {name}:\n{text}",
            number=need.number,
            name=need.author.display_name,
            text=need.text,
        ),
        t.ngettext("{n} member supports it.", "{n} members support it.", n),
    ]
    proposals = (await ranked_proposals(work.session, need.community_id, [need.id]))[need.id]
    if proposals:
        lines.append(t("<b>Proposals</b>, most supported first:"))
        lines.extend(proposal_line(t, need, proposal, count) for proposal, count in proposals)
    if need.status is NeedStatus.ADOPTED:
        item = await work.session.scalar(select(PlanItem).where(PlanItem.need_id == need.id))
        assert item is not None
        if item.proposal is not None:
            lines.append(
                t(
                    "Adopted as plan item #{item}, with proposal {label} from {name}.",
                    item=item.number,
                    label=proposal_label(need, item.proposal),
                    name=item.proposal.author.display_name,
                )
            )
        else:
            lines.append(t("Adopted as plan item #{item}.", item=item.number))
        return "\n".join(lines), []
    if need.status is NeedStatus.VOTING:
        lines.append(t("An adoption vote is open."))
    label = t("👍 Support ({n})", n=t.number(n))
    rows = [[work.button(str(label), SupportNeed(need.id))]]
    by_number = sorted(proposals, key=lambda row: row[0].number)
    for start in range(0, len(by_number), PROPOSAL_BUTTONS_PER_ROW):
        rows.append(
            [
                work.button(
                    str(
                        t(
                            "👍 {label} ({n})",
                            label=proposal_label(need, proposal),
                            n=t.number(count),
                        )
                    ),
                    SupportProposal(proposal.id),
                )
                for proposal, count in by_number[start : start + PROPOSAL_BUTTONS_PER_ROW]
            ]
        )
    return "\n".join(str(line) for line in lines), rows


async def refresh_card(work: Work, community: Community, need: Need) -> None:
    """Queue an edit of the need's message to show its current state."""
    card = await need_card(work, work.community_translator(community), need)
    work.edit_posted(community.chat_id, card_key(need), *card)


def need_line(
    t: Translator, need: Need, supporters: int, proposals: Sequence[tuple[Proposal, int]] = ()
) -> str:
    """A need in /needs, with its proposals under it, most supported first: one entry, so a
    page never separates them."""
    if need.status is NeedStatus.VOTING:
        line = t.ngettext(
            "<b>#{number}</b> {text} — {n} supporter, adoption vote open",
            "<b>#{number}</b> {text} — {n} supporters, adoption vote open",
            supporters,
            number=need.number,
            text=need.text,
        )
    else:
        line = t.ngettext(
            "<b>#{number}</b> {text} — {n} supporter",
            "<b>#{number}</b> {text} — {n} supporters",
            supporters,
            number=need.number,
            text=need.text,
        )
    under = (proposal_line(t, need, proposal, count) for proposal, count in proposals)
    return "\n".join([str(line), *under])
