"""A need's card (its message in the group) and the needs' buttons."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from handlers.core.buttons import ButtonData, ListPage
from handlers.core.context import Work
from handlers.core.i18n import Translator
from handlers.core.messages import Button
from handlers.needs.queries import support_count
from models import Community, Need, NeedStatus, PlanItem


@dataclass(frozen=True)
class SupportNeed(ButtonData):
    """Support the need, or withdraw one's support."""

    KIND = "need.sup"
    need_id: int


class NeedsPage(ListPage):
    KIND = "needs.pg"


def card_key(need: Need) -> str:
    """Names the need's message so an adoption vote can update it."""
    return f"need:{need.id}"


async def need_card(work: Work, t: Translator, need: Need) -> tuple[str, list[list[Button]]]:
    """The need's message: its text, support count and, while it is open, the Support button."""
    n = await work.session.scalar(select(support_count()).where(Need.id == need.id)) or 0
    lines = [
        t(
            "<b>Need #{number}</b> from {name}:\n{text}",
            number=need.number,
            name=need.author.display_name,
            text=need.text,
        ),
        t.ngettext("{n} member supports it.", "{n} members support it.", n),
    ]
    if need.status is NeedStatus.ADOPTED:
        item = await work.session.scalar(select(PlanItem.number).where(PlanItem.need_id == need.id))
        lines.append(t("Adopted as plan item #{item}.", item=item))
        return "\n".join(lines), []
    if need.status is NeedStatus.VOTING:
        lines.append(t("An adoption vote is open."))
    label = t("👍 Support ({n})", n=t.number(n))
    return "\n".join(lines), [[work.button(str(label), SupportNeed(need.id))]]


async def refresh_card(work: Work, community: Community, need: Need) -> None:
    """Queue an edit of the need's message to show its current state."""
    card = await need_card(work, work.community_translator(community), need)
    work.edit_posted(community.chat_id, card_key(need), *card)


def need_line(t: Translator, need: Need, supporters: int) -> str:
    if need.status is NeedStatus.VOTING:
        return str(
            t.ngettext(
                "<b>#{number}</b> {text} — {n} supporter, adoption vote open",
                "<b>#{number}</b> {text} — {n} supporters, adoption vote open",
                supporters,
                number=need.number,
                text=need.text,
            )
        )
    return str(
        t.ngettext(
            "<b>#{number}</b> {text} — {n} supporter",
            "<b>#{number}</b> {text} — {n} supporters",
            supporters,
            number=need.number,
            text=need.text,
        )
    )
