"""How audit-log entries read. Entries store an action and plain details;
they are rendered in the reader's language when someone reads /log, with the
templates the features declared (``Feature.audit``)."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

from handlers.core.i18n import Translator


def describe(
    t: Translator, templates: Mapping[str, str], action: str, details: dict[str, str]
) -> Markup:
    message = templates.get(action)
    if message is None:
        return Markup("{action}").format(action=action)
    try:
        return t(message, **details)
    except (KeyError, IndexError):
        return Markup("{action}").format(action=action)
