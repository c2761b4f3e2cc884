"""How the plan reads."""

from __future__ import annotations

from datetime import datetime

from handlers.core.buttons import ListPage
from handlers.core.i18n import Translator
from handlers.plan.queries import PlanRow
from models import PlanItem, PlanStatus


class PlanPage(ListPage):
    KIND = "plan.pg"


def plan_entry(t: Translator, row: PlanRow, now: datetime) -> str:
    """An item's line, then who proposed the way it meets its need and what its vote decided."""
    lines = [plan_line(t, row.item, row.noted, now)]
    if row.item.proposal is not None:
        lines.append(t("💡 proposed by {name}", name=row.item.proposal.author.display_name))
    if row.outcome is not None:
        lines.append(t("📌 Outcome of poll #{poll}: {text}", poll=row.poll, text=row.outcome))
    return "\n".join(str(line) for line in lines)


def plan_line(t: Translator, item: PlanItem, noted: datetime | None, now: datetime) -> str:
    values = {"number": item.number, "title": item.title}
    if item.taker is None:
        return t("<b>#{number}</b> {title} — planned, nobody has taken it yet", **values)
    name = item.taker.display_name
    if item.status is PlanStatus.DONE and item.done_at is not None:
        return t(
            "<b>#{number}</b> {title} — done by {name}, {date}",
            name=name,
            date=t.moment(item.done_at, now=now),
            **values,
        )
    if noted is None:
        return t("<b>#{number}</b> {title} — in progress, taken by {name}", name=name, **values)
    return t(
        "<b>#{number}</b> {title} — in progress, taken by {name}; latest note {date}",
        name=name,
        date=t.moment(noted, now=now),
        **values,
    )
