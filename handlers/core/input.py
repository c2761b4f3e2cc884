"""Reading a command's arguments: free text, "#N" numbers and members named by @username, with
a hint when they are wrong.

Every refusal is a ``UserError`` carrying a short explanation and a working
example, in the chat's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from handlers.core.context import Context, UserError, hint
from handlers.core.numbering import find_numbered, parse_number
from models import User
from models.base import Numbered
from models.needs import TEXT_LIMIT


def checked(ctx: Context, text: str, example: str) -> str:
    """``text`` unless it is longer than members' texts may be (TEXT_LIMIT)."""
    if len(text) > TEXT_LIMIT:
        raise UserError(
            hint(
                ctx.t,
                ctx.t.ngettext(
                    "That text has {n} character; the limit is {limit}.",
                    "That text has {n} characters; the limit is {limit}.",
                    len(text),
                    limit=ctx.t.number(TEXT_LIMIT),
                ),
                example,
            )
        )
    return text


def free_text(ctx: Context, missing: str, example: str) -> str:
    """The whole argument as free text: present and not too long."""
    if not ctx.args:
        raise UserError(hint(ctx.t, missing, example))
    return checked(ctx, ctx.args, example)


def number_and_rest(ctx: Context, missing: str, example: str) -> tuple[int, str]:
    """The leading ``5`` or ``#5`` of the arguments, and the rest of them."""
    parts = ctx.args.split(maxsplit=1)
    if not parts:
        raise UserError(hint(ctx.t, missing, example))
    number = parse_number(parts[0])
    if number is None:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("“{value}” is not a number like 5 or #5.", value=echoed(parts[0])),
                example,
            )
        )
    return number, parts[1].strip() if len(parts) > 1 else ""


N = TypeVar("N", bound=Numbered)


async def numbered(ctx: Context, model: type[N], number: int, unknown: str, example: str) -> N:
    """The community's ``model`` numbered ``number``, locked for a change; ``unknown`` (with
    ``example``) is the refusal when there is none."""
    found = await find_numbered(ctx.session, model, ctx.require_community(), number)
    if found is None:
        raise UserError(hint(ctx.t, unknown, example))
    return found


#: How much of a member's input a refusal repeats back.
ECHO_LIMIT = 40


def echoed(text: str) -> str:
    """``text`` as a refusal repeats it: stripped, and cut short so that no input, however
    long, can push the answer past Telegram's limit."""
    text = text.strip()
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 1] + "…"


def _people_named(people: Iterable[User], who: str) -> list[User]:
    """Those of ``people`` whom ``who`` names: ``@username`` (any case), or the name a text
    mention shows (any case)."""
    name = who.strip()
    if name.startswith("@"):
        handle = name[1:].casefold()
        return [u for u in people if u.username and u.username.casefold() == handle]
    return [u for u in people if u.display_name.casefold() == name.casefold()]


def one_named(ctx: Context, people: Iterable[User], who: str, unknown: str, example: str) -> User:
    """The one of ``people`` whom ``who`` names; ``unknown`` (or, when several are, a request
    for their @username) with a hint ending in ``example`` otherwise."""
    found = _people_named(people, who)
    if len(found) == 1:
        return found[0]
    if found:
        unknown = ctx.t(
            "More than one member is called {name}; use their @username.", name=echoed(who)
        )
    raise UserError(hint(ctx.t, unknown, example))


async def member_named(ctx: Context, who: str, example: str) -> User:
    """The member on the roster ``who`` names."""
    unknown = ctx.t(
        "Nobody on the roster is {name}. Name a member by their @username; "
        "/members lists who is on it.",
        name=echoed(who),
    )
    return one_named(ctx, [m.user for m in await ctx.active_members()], who, unknown, example)
