"""How audit-log entries read. Entries store an action and plain details;
they are rendered in the reader's language when someone reads /log."""

from __future__ import annotations

from markupsafe import Markup

from handlers.core.i18n import Translator

TEMPLATES: dict[str, str] = {}


def template(action: str, message: str) -> None:
    """Register how ``action`` reads; ``message`` is an N_() string with detail placeholders."""
    TEMPLATES[action] = message


def describe(t: Translator, action: str, details: dict[str, str]) -> Markup:
    message = TEMPLATES.get(action)
    if message is None:
        return Markup("{action}").format(action=action)
    try:
        return t(message, **details)
    except (KeyError, IndexError):
        return Markup("{action}").format(action=action)
