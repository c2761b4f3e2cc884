"""Things: the ledger's lines and the page button of /things."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from handlers.core.buttons import ListPage
from handlers.core.i18n import Translator
from models import Thing, ThingHolding


class ThingsPage(ListPage):
    KIND = "things.pg"


def thing_name(thing: Thing) -> Markup:
    """``<b>Drill</b> (#3)``: the name escaped, with the number to type."""
    return Markup("<b>{name}</b> (#{number})").format(name=thing.name, number=thing.number)


def holders_text(t: Translator, held: Sequence[ThingHolding]) -> Markup:
    """``held by Bob (1), Carol (2)``; empty when nobody holds any."""
    if not held:
        return Markup("")
    people = Markup(", ").join(
        Markup("{name} ({n})").format(name=row.user.display_name, n=t.number(row.quantity))
        for row in held
    )
    return t("held by {people}", people=people)


def thing_line(t: Translator, thing: Thing, held: Sequence[ThingHolding]) -> str:
    """One thing in /things: what is in the store, who holds what, what went to the plan."""
    parts = [t("{n} in store", n=t.number(thing.in_store))]
    if held:
        parts.append(holders_text(t, held))
    if thing.used:
        parts.append(t("{n} used for the plan", n=t.number(thing.used)))
    return str(
        Markup("<b>#{number}</b> {name} — {parts}").format(
            number=thing.number, name=thing.name, parts=Markup("; ").join(parts)
        )
    )


def where_it_is(t: Translator, thing: Thing, held: Sequence[ThingHolding]) -> Markup:
    """Why nothing can leave the store: who holds the thing, or that it went to the plan."""
    if held:
        return t(
            "{thing} is out: none in store, {holders}.",
            thing=thing_name(thing),
            holders=holders_text(t, held),
        )
    return t("{thing} is all used up: none in store.", thing=thing_name(thing))
