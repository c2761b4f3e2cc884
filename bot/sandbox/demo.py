"""The demo world a new sandbox starts with: the "Maple Court" group and four people.

Why a ready group: the first thing a newcomer should do is talk to the bot, not build a
Telegram group by hand. The group is *not* set up as a community yet: the bot has just been
added (and says so), so the first story — an admin runs /setup, neighbours /join — is played
by the newcomer, exactly as it would happen on Telegram.

Residents and workers have equal rights. A kind is the bot's to know: everyone on a roster is
a resident until they say ``/iam worker``. So Carmen and Wei say it themselves, in the group,
the first time the bot has them on its roster (:func:`kinds_to_tell`), and so does a member
added with the page's form as a worker. The page shows the roster's kinds, read from the
bot's database, never the personas'.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bot.sandbox.emulator import Emulator
from bot.sandbox.emulator_models import EmuChat

__all__ = ["DEMO_GROUP_TITLE", "PERSONAS", "Persona", "create_demo", "kinds_to_tell"]

DEMO_GROUP_TITLE = "Maple Court"


@dataclass(frozen=True)
class Persona:
    first_name: str
    language_code: str
    kind: str  # "resident" | "worker"
    admin: bool = False


#: The group's owner first; the others are plain members of the Telegram group.
PERSONAS = (
    Persona("Alice", "en", "resident", admin=True),
    Persona("Bob", "en", "resident"),
    Persona("Carmen", "en", "worker"),
    Persona("Wei", "zh-hans", "worker"),
)


def create_demo(emulator: Emulator) -> tuple[EmuChat, dict[int, str]]:
    """Create the people and the group (the owner adds the bot); returns it and their kinds."""
    people = [(emulator.add_user(p.first_name, language_code=p.language_code), p) for p in PERSONAS]
    admins = [user for user, persona in people if persona.admin]
    members = [user for user, persona in people if not persona.admin]
    group = emulator.add_group(
        DEMO_GROUP_TITLE, admins=admins, members=members, bot_added_by=admins[0]
    )
    return group, {user.id: persona.kind for user, persona in people}


def kinds_to_tell(
    group: EmuChat,
    roster: Mapping[int, str],
    kinds: Mapping[int, str],
    told: set[tuple[int, int]],
) -> Iterator[tuple[int, str]]:
    """Who should now tell the bot their kind in ``group``, and the command they send.

    ``roster`` is the bot's (user id → kind), ``kinds`` what each person means to be. A
    person is looked at once per group, the first time they are on its roster: if the bot
    already has them right (a resident, by default) nothing is said, and a kind they later
    change by hand is left alone. Marks them in ``told`` as it goes.
    """
    for user_id, kind in roster.items():
        if (group.id, user_id) in told or user_id not in group.members:
            continue
        told.add((group.id, user_id))
        wanted = kinds.get(user_id)
        if wanted is not None and wanted != kind:
            yield user_id, f"/iam {wanted}"
