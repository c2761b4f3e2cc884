"""Who may do what: every member-only command and button refuses strangers, and the
command names of SPEC.md for this slice are all there."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from handlers.core.registry import Needs, Registry, Where
from handlers.features import all_features
from models import AuditEntry
from tests.support import Driver, answers, text

SPEC_COMMANDS = {
    "start", "setup", "join", "leave", "members", "iam", "language", "help", "log",
    "need", "needs", "adopt", "plan", "take", "progress", "done", "propose", "outcome",
    "report", "problems", "fixed", "reopen", "poll", "close",
    "duty", "duties", "schedule", "swap", "cover", "away", "mine", "fairness", "ical",
    "skill", "skills", "whoknows", "teach",
    "roles", "role", "elect", "nominate", "recall", "petition", "rules", "resign",
    "fund", "link", "federation", "share", "budget", "cost",
    "things", "thing", "lend", "return", "give", "export",
}  # fmt: skip

REGISTRY = Registry(all_features())
MEMBER_COMMANDS = sorted(
    name
    for name, spec in REGISTRY.commands.items()
    if spec.needs is Needs.MEMBER and spec.where is Where.GROUP
)
MEMBER_BUTTONS = sorted(
    kind for kind, spec in REGISTRY.buttons.items() if spec.needs is Needs.MEMBER
)


def test_every_command_of_the_spec_is_registered() -> None:
    assert not SPEC_COMMANDS - set(REGISTRY.commands)


async def _audit_count(driver: Driver) -> int:
    async with driver.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


@pytest.mark.parametrize("name", MEMBER_COMMANDS)
async def test_a_stranger_is_told_to_join_and_nothing_changes(driver: Driver, name: str) -> None:
    alice, stranger = driver.person("Alice"), driver.person("Stranger")
    chat = await driver.community(alice)
    before = await _audit_count(driver)
    reply = text(await driver.send(stranger, chat, f"/{name} 1 Something | A | B"))
    assert "/join" in reply
    assert await _audit_count(driver) == before


@pytest.mark.parametrize("kind", MEMBER_BUTTONS)
async def test_a_strangers_button_press_is_refused(driver: Driver, kind: str) -> None:
    alice, stranger = driver.person("Alice"), driver.person("Stranger")
    chat = await driver.community(alice)
    before = await _audit_count(driver)
    button = REGISTRY.buttons[kind].type
    fields = dataclasses.fields(button)  # type: ignore[arg-type]
    value = button(**{f.name: 1 if f.type in (int, "int") else "x" for f in fields})
    data = driver.services.codec.pack(value)
    [answer] = answers(await driver.press(stranger, chat, data))
    assert answer.alert and "/join" in answer.text
    assert await _audit_count(driver) == before
