"""The public page and the 404, rendered from ``templates/`` with Jinja2 (autoescaped).

The templates' words go through the project's catalogs: they call ``t("...")`` and
``ngettext(...)`` — the ``Translator``'s own, so a placeholder's value is HTML-escaped and our
markup is not, as in the bot's messages — and ``locales/update.sh`` extracts them with
Babel's Jinja2 extractor. Moments, numbers and money are formatted here, in the page's
language and the community's time zone.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2

from handlers.core.i18n import LANGUAGE_NAMES, SUPPORTED, Translator
from handlers.public import export
from handlers.public.rules import Money, format_money, page_count
from handlers.public.snapshot import LOG_PAGE, Snapshot

TEMPLATES = Path(__file__).with_name("templates")
#: The page's ``lang`` attribute (BCP 47) for each of our languages.
HTML_LANG = {"en": "en", "ru": "ru", "zh_Hans": "zh-Hans"}


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _words(t: Translator) -> dict[str, Any]:
    """What every template gets to say things in ``t``'s language."""
    return {
        "t": t,
        "ngettext": t.ngettext,
        "number": t.number,
        "percent": t.percent,
        "html_lang": HTML_LANG[t.language],
    }


def render_page(snapshot: Snapshot, t: Translator, slug: str, asked_language: str | None) -> str:
    """The page of ``snapshot`` at ``/public/SLUG``; ``asked_language`` (``?lang=``) is kept
    in its links. Links are relative (``SLUG/export.json``), so the pages work under any
    prefix a proxy puts them at."""
    now = snapshot.made_at

    def moment(at: datetime | None) -> str:
        return t.moment(at, now=now) if at is not None else "—"

    def money(amount: Money) -> str:
        return format_money(amount, t.locale)

    def link(**changes: Any) -> str:
        query = {"lang": asked_language, "log": None, **changes}
        kept = urlencode({k: v for k, v in query.items() if v not in (None, 1)})
        return f"{slug}?{kept}" if kept else slug

    def download(name: str) -> str:
        query = urlencode({"lang": asked_language}) if asked_language else ""
        return f"{slug}/{name}?{query}" if query else f"{slug}/{name}"

    audit_pages = page_count(snapshot.audit.total, LOG_PAGE)
    return (
        _environment()
        .get_template("page.html")
        .render(
            s=snapshot,
            moment=moment,
            money=money,
            link=link,
            download=download,
            languages=[(code, LANGUAGE_NAMES[code], HTML_LANG[code]) for code in SUPPORTED],
            tables=export.TABLES,
            audit_pages=audit_pages,
            **_words(t),
        )
    )


def render_missing(t: Translator) -> str:
    return _environment().get_template("missing.html").render(**_words(t))
