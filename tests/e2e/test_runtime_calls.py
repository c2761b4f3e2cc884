"""What each runtime makes of Telegram's answers to its calls."""

from __future__ import annotations

from handlers.core.messages import Outgoing
from tests.e2e.conftest import World


async def test_an_edit_that_changes_nothing_is_no_error(world: World) -> None:
    """Telegram refuses an edit to the same content ("message is not modified"; PTB words it
    "Message is not modified"): that is the wanted state already, not a failed delivery."""
    alice = world.emulator.add_user("Alice")
    group = world.emulator.add_group("Maple Court", admins=[alice])
    sent = await world.runtime.deliver(Outgoing(group.id, "Ballots cast: 3"))
    again = Outgoing(group.id, "Ballots cast: 3", edit_message_id=sent.message_id)
    assert await world.runtime.deliver(again) is None
