"""The demo world a new sandbox starts with: the "Maple Court" group and four people.

Why a ready group: the first thing a newcomer should do is talk to the bot, not build a
Telegram group by hand. The group is *not* set up as a community yet: the bot has just been
added (and says so), so the first story — an admin runs /setup, neighbours /join — is played
by the newcomer, exactly as it would happen on Telegram.

Residents and workers have equal rights; the personas only suggest who says ``/iam worker``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.emulator import Emulator
from bot.sandbox.emulator_models import EmuChat

__all__ = ["DEMO_GROUP_TITLE", "PERSONAS", "Persona", "create_demo"]

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
