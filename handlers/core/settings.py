"""Community settings a feature declares: ``/setup NAME=VALUE`` changes one.

A feature that needs a knob (``fund_limit=500``, ``recall_share=20%``,
``public=on``) declares it with ``Feature.setting(Setting(...))`` instead of
teaching /setup about it: the community feature reads the token, finds the
declared setting, parses the value, stores it in ``Community.settings`` (a
JSON object) and, when the feature asked for it, calls ``changed`` inside
the same transaction (to reschedule a job, say). Features read a value with
``value(community, setting)``, which falls back to the declared default, so
a community set up before the setting existed behaves as the default says.

The stored value is what ``parse`` returns and must be plain JSON (a
Decimal is kept as its string). ``parse`` raises ``ValueError`` for text it
cannot read; /setup then answers with ``problem`` (an N_() string with a
``{value}`` placeholder) and the ``example``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from handlers.core.i18n import N_

if TYPE_CHECKING:
    from handlers.core.context import Work
    from handlers.core.i18n import Translator
    from models import Community

Changed = Callable[["Work", "Community", Any], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Setting:
    """One ``NAME=VALUE`` of /setup.

    ``show(t, value)`` is the line /setup prints for it ("Fund limit: €500.00."), already
    translated; ``changed(work, community, value)`` runs after a new value is stored.
    """

    name: str
    default: Any
    parse: Callable[[str], Any]
    show: Callable[[Translator, Any], str]
    problem: str
    example: str
    changed: Changed | None = None


def value(community: Community, setting: Setting) -> Any:
    """The community's value of ``setting``, or its default when never set."""
    stored = (community.settings or {}).get(setting.name)
    return setting.default if stored is None else stored


def parse_on_off(text: str) -> bool:
    """``on``/``yes``/``true``/``1`` → True, ``off``/``no``/``false``/``0`` → False."""
    word = text.strip().lower()
    if word in ("on", "yes", "true", "1"):
        return True
    if word in ("off", "no", "false", "0"):
        return False
    raise ValueError(text)


def parse_count(text: str, *, low: int = 0, high: int = 10_000) -> int:
    """A whole number between ``low`` and ``high`` (both included)."""
    word = text.strip()
    if not word.isdigit() or not low <= int(word) <= high:
        raise ValueError(text)
    return int(word)


def parse_share(text: str) -> float:
    """``20%`` → 0.2 (0 % to 100 %)."""
    word = text.strip().removesuffix("%")
    if not word.isdigit() or int(word) > 100 or not text.strip().endswith("%"):
        raise ValueError(text)
    return int(word) / 100


def _show_member_days(t: Translator, days: Any) -> str:
    if not days:
        return str(t("Anyone on the roster when a vote or petition opens may take part."))
    return str(
        t(
            "Only members who joined at least {days} days before a vote or petition opens "
            "may take part.",
            days=days,
        )
    )


#: Declared by the community feature (it keeps the roster); read by every feature that
#: fixes who may vote or sign when something opens, against join-to-vote raids.
MEMBER_DAYS = Setting(
    name="member_days",
    default=0,
    parse=lambda raw: parse_count(raw, high=365),
    show=_show_member_days,
    problem=N_(
        "member_days is how many days someone must have been a member before they may "
        "vote or sign: a whole number from 0 to 365, not “{value}”."
    ),
    example="/setup member_days=7",
)


def joined_by(community: Community, now: datetime) -> datetime:
    """Who joined at or before this moment may vote or sign in what opens ``now``."""
    return now - timedelta(days=int(value(community, MEMBER_DAYS) or 0))
