"""Long lists split into pages with ◀ ▶ buttons, never cut mid-entity."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.core.context import Context
from handlers.core.messages import Button

PAGE_SIZE = 10
MAX_PAGE_CHARS = 3500


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


def nav_row(ctx: Context, kind: str, page: int, pages: int, *args: int | str) -> list[list[Button]]:
    """◀ / ▶ buttons calling action ``kind`` with ``(*args, page)``; none for a single page."""
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(ctx.button("◀", kind, *args, page - 1))
    row.append(ctx.button(f"{page + 1}/{pages}", kind, *args, page))
    if page < pages - 1:
        row.append(ctx.button("▶", kind, *args, page + 1))
    return [row]


def show(ctx: Context, text: str, buttons: list[list[Button]]) -> None:
    """Send a list page, or edit it in place when a page button was pressed."""
    if ctx.incoming.callback_data is not None:
        ctx.edit(text, buttons)
    else:
        ctx.reply(text, buttons)
