"""Duties: where a member stands — /mine (my next shifts and my record) and /fairness.

/mine works in the group (that community) and in private (every community
the sender is on the roster of); /fairness lists every member of the
group's community. Both need the sender on a roster; both only read.
"""

from __future__ import annotations

from markupsafe import Markup

from handlers.core.context import Context, UserError
from handlers.core.i18n import N_, Translator
from handlers.core.paging import Listed, listing
from handlers.core.registry import Feature, Needs, Where
from handlers.duties.queries import people_on
from handlers.duties.shift_queries import (
    member_communities,
    records,
    roster,
    swaps_of,
    upcoming_shifts,
)
from handlers.duties.views import FairnessPage, people_names, record_line, shift_label
from models import Community

feature = Feature("duties.standing")

#: How many of my next shifts /mine shows.
MINE_SHOWN = 10


async def _my_communities(ctx: Context) -> list[Community]:
    if ctx.incoming.chat.is_group:
        ctx.require_member()
        return [ctx.require_community()]
    communities = await member_communities(ctx.session, ctx.user.id)
    if not communities:
        raise UserError(
            ctx.t("You are not on any community's roster yet. Send /join in your group first.")
        )
    return communities


@feature.command(
    "mine", N_("my next shifts and how my shifts went"), where=Where.ANY, needs=Needs.NOTHING
)
async def mine(ctx: Context) -> None:
    communities = await _my_communities(ctx)
    by_id = {community.id: community for community in communities}
    ids = list(by_id)
    shifts = await upcoming_shifts(ctx.session, ids, ctx.now, user_id=ctx.user.id, limit=MINE_SHOWN)
    people = await people_on(ctx.session, [shift.id for shift in shifts])
    several = len(communities) > 1
    lines: list[str] = [str(ctx.t("<b>Your next shifts</b>"))]
    for shift in shifts:
        community = by_id[shift.community_id]
        # Each community's shifts read in its own zone; the words in the reader's language.
        t = Translator(ctx.t.language, community.timezone)
        others = [p.user for p in people[shift.id] if p.user_id != ctx.user.id]
        label = shift_label(t, shift, ctx.now)
        if several:
            label = ctx.t("{community}: {shift}", community=community.title, shift=label)
        if others:
            line = ctx.t("• {shift} — with {people}", shift=label, people=people_names(others))
        else:
            line = ctx.t("• {shift} — you alone", shift=label)
        lines.append(str(line))
    if not shifts:
        lines.append(str(ctx.t("No shifts ahead of you.")))
    record = (await records(ctx.session, ids)).get(ctx.user.id)
    served, covered, missed = (
        (record.served, record.covered, record.missed) if record else (0, 0, 0)
    )
    swaps = await swaps_of(ctx.session, ids, ctx.user.id)
    lines.append(
        str(
            ctx.t(
                "<b>Your record</b>: {record} · swaps {swaps}",
                record=record_line(ctx.t, served, covered, missed),
                swaps=ctx.t.number(swaps),
            )
        )
    )
    ctx.reply("\n".join(lines))


@listing(
    feature, "fairness", N_("shifts served, covered and missed, per member"), page=FairnessPage
)
async def fairness(ctx: Context, page: int) -> Listed:
    """Every member on the roster, most shifts done first; ties by name."""
    community = ctx.require_community()
    counted = await records(ctx.session, [community.id])
    members = await roster(ctx.session, community)
    members.sort(key=lambda u: (-counted[u.id].done, u.display_name.casefold(), u.id))
    # Other work for the community (hours taught, …) as the features that see it count it.
    other: dict[int, list[str]] = {}
    for count in ctx.registry.service_counts:
        for user_id, phrase in (await count(ctx, community, ctx.t)).items():
            other.setdefault(user_id, []).append(phrase)
    lines = []
    for user in members:
        record = counted[user.id]
        line = Markup(record_line(ctx.t, record.served, record.covered, record.missed))
        for phrase in other.get(user.id, ()):
            line = Markup("{line} · {phrase}").format(line=line, phrase=Markup(phrase))
        lines.append(str(Markup("{name}: {line}").format(name=user.display_name, line=line)))
    return Listed(
        str(ctx.t("<b>Fairness</b>: shifts served, covered and missed, per member")),
        lines,
        str(ctx.t("Nobody is on the roster yet.")),
    )
