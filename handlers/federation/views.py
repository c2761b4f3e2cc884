"""Federation: what its messages say and the buttons they carry.

What one community is shown of another: its title, its needs' numbers, texts
and support counts, its skills' names and holder counts, and the display
name of a member who offers help. Never a Telegram id, never a mention link
(a ``tg://user?id=`` link would carry one), never who holds a skill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from handlers.core.buttons import ButtonData, ListPage
from handlers.core.i18n import Translator
from models import Community, CommunityLink, LinkState, Need

#: A need's text in /federation is cut to this many characters (before escaping).
NEED_PREVIEW = 120


@dataclass(frozen=True)
class ConfirmLink(ButtonData):
    """A member of the code's community confirms the link another community asked for."""

    KIND = "fed.ok"
    link_id: int


@dataclass(frozen=True)
class OfferHelp(ButtonData):
    """A member of a linked community answers a shared need: we can help."""

    KIND = "fed.help"
    share_id: int


class FederationPage(ListPage):
    KIND = "fed.pg"


def _cut(text: str) -> str:
    return text if len(text) <= NEED_PREVIEW else text[: NEED_PREVIEW - 1].rstrip() + "…"


def title(community: Community) -> Markup:
    return Markup("<b>{title}</b>").format(title=community.title)


def link_block(
    t: Translator,
    n: int,
    link: CommunityLink,
    other: Community,
    needs: tuple[Sequence[tuple[Need, int]], int],
    skills: tuple[Sequence[tuple[str, int]], int],
    now: datetime,
) -> str:
    """One linked community in /federation: its top open needs and the skills it offers."""
    if link.state is not LinkState.ACTIVE:
        return str(
            t(
                "{n}. {community} — waiting for confirmation until {until}",
                n=n,
                community=title(other),
                until=t.moment(link.expires_at, now=now),
            )
        )
    assert link.activated_at is not None
    lines = [
        t(
            "{n}. {community} — linked since {since}",
            n=n,
            community=title(other),
            since=t.moment(link.activated_at, now=now),
        )
    ]
    top, open_count = needs
    if top:
        lines.append(
            t.ngettext(
                "{n} open need, most supported:", "{n} open needs, most supported:", open_count
            )
        )
        lines.extend(
            t.ngettext(
                "  • #{number} {text} — {n} supporter",
                "  • #{number} {text} — {n} supporters",
                support,
                number=need.number,
                text=_cut(need.text),
            )
            for need, support in top
        )
    else:
        lines.append(t("No open needs."))
    offered, skill_count = skills
    if offered:
        names = Markup(", ").join(
            Markup("{name} ({n})").format(name=name, n=t.number(holders))
            for name, holders in offered
        )
        more = skill_count - len(offered)
        if more:
            names += Markup(" ") + t.ngettext("and {n} more", "and {n} more", more)
        lines.append(t("Skills on offer: {skills}", skills=names))
    else:
        lines.append(t("No skills on offer yet."))
    return "\n".join(str(line) for line in lines)


def share_card(
    t: Translator, asking: Community, need: Need, support: int, offered: int
) -> tuple[str, str]:
    """The shared need in a linked community's group: its text, and the button's label."""
    text = Markup("{head}\n{need}\n{support}").format(
        head=t("🤝 {community} asks for help:", community=title(asking)),
        need=t("Need #{number}: {text}", number=need.number, text=need.text),
        support=t.ngettext(
            "{n} of their members supports it.", "{n} of their members support it.", support
        ),
    )
    label = t("🙋 We can help ({n})", n=t.number(offered)) if offered else t("🙋 We can help")
    return str(text), str(label)
