"""Long lists split into pages with ◀ ▶ buttons, never cut mid-entity.

A feature declares a list once (``listing``): a command, a page button and
a function saying what the list holds (``Listed``). Paging,
the ◀ ▶ row and editing the message in place when a page is turned are
done here, the same way for every list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.core.buttons import ButtonData, ListPage
from handlers.core.messages import Button
from handlers.core.registry import ButtonSpec, CommandSpec, Feature, Needs, Where

if TYPE_CHECKING:
    from handlers.core.context import Context

PAGE_SIZE = 10
MAX_PAGE_CHARS = 3500


@dataclass(frozen=True, slots=True)
class Listed:
    """A list's entries under ``header``; ``empty`` is what is said when there are none.

    Usually ``lines`` is the whole list and is cut into pages here, ``size``
    entries at most. A list too long to read whole (the audit log) gives only
    the lines of the page asked for and says how many ``pages`` there are.
    """

    header: str
    lines: Sequence[str]
    empty: str = ""
    size: int = PAGE_SIZE
    pages: int | None = None


def page_of(lines: Sequence[str], page: int, size: int = PAGE_SIZE) -> tuple[list[str], int, int]:
    """Return the lines of ``page`` (clamped), the page number used and the page count.

    A page also stops early when it would exceed MAX_PAGE_CHARS, so long
    entries never push a message over Telegram's limit (``limits.MESSAGE_TEXT``).
    """
    pages: list[list[str]] = [[]]
    length = 0
    for line in lines:
        if pages[-1] and (len(pages[-1]) >= size or length + len(line) > MAX_PAGE_CHARS):
            pages.append([])
            length = 0
        pages[-1].append(line)
        length += len(line) + 1
    page = min(max(page, 0), len(pages) - 1)
    return pages[page], page, len(pages)


def nav_row(
    ctx: Context, kind: Callable[[int], ButtonData], page: int, pages: int
) -> list[list[Button]]:
    """◀ / ▶ buttons turning to the neighbouring pages; none for a single page."""
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(ctx.button("◀", kind(page - 1)))
    row.append(ctx.button(f"{page + 1}/{pages}", kind(page)))
    if page < pages - 1:
        row.append(ctx.button("▶", kind(page + 1)))
    return [row]


def show(ctx: Context, listed: Listed, kind: Callable[[int], ButtonData], page: int) -> None:
    """Send a page of the list, or edit it in place when a page button was pressed.

    ``kind`` makes the button that turns to a page: a ``ListPage`` subclass, or
    any function of the page number for a list that needs more (/schedule NAME).
    """
    if listed.lines:
        if listed.pages is None:
            chunk, page, count = page_of(listed.lines, page, listed.size)
        else:
            chunk, count = list(listed.lines), listed.pages
            page = min(max(page, 0), count - 1)
        text = "\n".join([listed.header, *chunk])
        buttons = nav_row(ctx, kind, page, count)
    else:
        text, buttons = listed.empty, []
    if ctx.incoming.callback_data is not None:
        ctx.edit(text, buttons)
    else:
        ctx.reply(text, buttons)


Lister = Callable[["Context", int], Awaitable[Listed]]


def listing(
    feature: Feature,
    name: str,
    description: str,
    *,
    page: type[ListPage],
    needs: Needs = Needs.MEMBER,
    where: Where = Where.GROUP,
) -> Callable[[Lister], Lister]:
    """Declare ``/name`` on ``feature``: a list shown in pages, ``page`` the button that turns them.

    The decorated function says what the list holds, given the page asked for
    (most lists ignore it and give all their entries); the rest is done here.
    """

    def declare(lister: Lister) -> Lister:
        async def first(ctx: Context) -> None:
            show(ctx, await lister(ctx, 0), page, 0)

        async def turn(ctx: Context, pressed: ListPage) -> None:
            show(ctx, await lister(ctx, pressed.page), page, pressed.page)

        feature.commands.append(CommandSpec(name, first, description, where, needs, True))
        feature.buttons.append(ButtonSpec(page, turn, needs))
        return lister

    return declare
