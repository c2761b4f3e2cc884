"""Reading a command's arguments: free text, "#N" numbers and members named, with a hint when
they are wrong.

Every refusal is a ``UserError`` carrying a short explanation and a working
example, in the chat's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy import select

from handlers.core.context import Context, UserError, example, hint
from handlers.core.numbering import find_numbered, parse_number
from models import Community, Member, User
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


def number_and_rest(
    ctx: Context, missing: str, example: str, *, args: str | None = None
) -> tuple[int, str]:
    """The leading ``5`` or ``#5`` of the arguments (or of ``args``), and the rest of them."""
    parts = (ctx.args if args is None else args).split(maxsplit=1)
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


def number_and_text(
    ctx: Context, command: str, sample: str, missing: str, no_text: Callable[[int], str]
) -> tuple[int, str]:
    """``#5 TEXT``: a number and the free text after it, both required, the text not too long.

    ``missing`` is said when there is nothing at all, ``no_text(number)`` when
    the text is; the example is ``command`` with the number given, then ``sample``.
    """
    number, text = number_and_rest(ctx, missing, example(f"{command} 3", sample))
    shown = example(f"{command} {number}", sample)
    if not text:
        raise UserError(hint(ctx.t, no_text(number), shown))
    return number, checked(ctx, text, shown)


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


async def member_named(ctx: Context, community: Community, who: str, example: str) -> User:
    """The member on ``community``'s roster ``who`` names: ``@username``, or the name a text
    mention shows (any case); refused with ``example`` when nobody or several match."""
    members = await ctx.session.scalars(
        select(User)
        .join(Member, Member.user_id == User.id)
        .where(Member.community_id == community.id, Member.left_at.is_(None))
    )
    unknown = ctx.t(
        "Nobody on the roster is {name}. Name a member by their @username; "
        "/members lists who is on it.",
        name=echoed(who),
    )
    return one_named(ctx, list(members), who, unknown, example)


def leading_words(text: str) -> list[tuple[str, str]]:
    """Every way to cut ``text`` into leading words and the rest, the longest lead first.

    How a name of several words (a member's display name, a role) is found at the
    start of free text: the caller takes the first lead that names something.
    """
    ends = [match.end() for match in re.finditer(r"\S+", text)]
    return [(text[:end].strip(), text[end:].strip()) for end in reversed(ends)]


async def member_and_rest(
    ctx: Context, community: Community, text: str, example: str
) -> tuple[User, str]:
    """The member named at the start of ``text`` (as ``member_named`` reads them) and the rest.

    ``@username`` is one word; a display name may have several, and the longest
    one that names a member wins ("Bob Smith treasurer" is Bob Smith, then "treasurer").
    """
    leads = leading_words(text)
    if not leads:
        return await member_named(ctx, community, "", example), ""
    if not text.strip().startswith("@"):
        names = await ctx.session.scalars(
            select(User.display_name)
            .join(Member, Member.user_id == User.id)
            .where(Member.community_id == community.id, Member.left_at.is_(None))
        )
        known = {name.casefold() for name in names}
        for lead, rest in leads:
            if lead.casefold() in known:
                return await member_named(ctx, community, lead, example), rest
    lead, rest = leads[-1]
    return await member_named(ctx, community, lead, example), rest
