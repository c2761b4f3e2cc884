"""Recall and rule petitions told through the emulator, on both runtimes and both databases.

The treasurer's seat is written straight into the database (an active role, Bob's term), so
the story does not depend on how roles are proposed and elected.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox import EmuChat, EmuMessage, EmuUser
from handlers.core.charts import ChartRequest
from models import Community, Election, Term, TermEnd
from models.db import session_factory
from tests.e2e.conftest import World
from tests.e2e.helpers import ask, community
from tests.petition_support import give_seat

REASON = "has not answered about the fund for a month"
CHOICE = re.compile(r"\b(Yes|No)\b")
#: 1×1 PNG: result charts are not what these stories are about, and drawing one costs ~0.5 s.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


async def _no_chart(chart: ChartRequest) -> bytes:
    return PNG


async def _seat(engine: AsyncEngine, group: EmuChat, holder: EmuUser) -> int:
    """Bob holds the treasurer's seat: an active role and a term, in the database."""
    sessions = session_factory(engine)
    async with sessions() as session:
        found = await session.scalar(select(Community).where(Community.chat_id == group.id))
        assert found is not None
    return await give_seat(sessions, group.id, holder.id, found.created_at)


def _button(message: EmuMessage, label: str) -> str:
    return next(data for row in message.buttons for text, data in row if text.startswith(label))


async def _say(world: World, user: EmuUser, group: EmuChat, text: str, expect: str) -> EmuMessage:
    sent = await world.emulator.send_text(user, group, text)
    return await world.emulator.wait_for_bot_message(
        group, lambda m: expect in (m.text or m.caption or ""), since=sent.message_id
    )


async def _press(world: World, user: EmuUser, message: EmuMessage, label: str) -> str:
    """Press the button starting with ``label`` on the message as it is now; the answer."""
    emu = world.emulator
    current = next(m for m in emu.messages(message.chat_id) if m.message_id == message.message_id)
    return (
        await emu.wait_callback_answer(await emu.press(user, current, _button(current, label)))
    ).text


def _sent(world: World) -> list[tuple[int | None, str]]:
    """Everything the bot sent, as (chat id, text): messages, edits, captions, button labels;
    callback answers come with no chat (only the presser sees them)."""
    found: list[tuple[int | None, str]] = []
    for call in world.emulator.api_calls():
        params: dict[str, Any] = call.params
        chat = int(params["chat_id"]) if "chat_id" in params else None
        for key in ("text", "caption"):
            if params.get(key):
                found.append((None if call.method == "answerCallbackQuery" else chat, params[key]))
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in (markup or {}).get("inline_keyboard", []):
            found.extend((chat, button.get("text", "")) for button in row)
    return found


def leaks(sent: Iterable[tuple[int | None, str]], voters: dict[str, int]) -> list[str]:
    """Lines that put a voter's name beside a choice, and anyone's "Your vote" outside the
    voter's own private chat or callback answer."""
    found = []
    for chat, text in sent:
        for line in text.splitlines():
            named = [name for name in voters if name in line]
            if named and CHOICE.search(line):
                found.append(line)
            if "Your vote" in line and chat is not None and chat not in voters.values():
                found.append(line)
    return found


def _atoms(data: bytes, name: str) -> list[str]:
    """An export as the scan reads it: each record (a JSON object's own values, a CSV row) as
    one line, without the poll's question (it names the holder beside "Yes" and "No" options
    by design): a voter's name beside a choice anywhere else in a record is a leak."""
    text = data.decode("utf-8")
    if name == ".csv":
        return [
            " | ".join(v for k, v in row.items() if k != "question" and isinstance(v, str))
            for row in csv.DictReader(io.StringIO(text))
        ]
    records: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            own = [
                str(v)
                for k, v in value.items()
                if k != "question" and not isinstance(v, dict | list)
            ]
            records.append(" | ".join(own))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            scalars = [str(v) for v in value if not isinstance(v, dict | list)]
            if scalars:
                records.append(" | ".join(scalars))
            for item in value:
                walk(item)

    walk(json.loads(text))
    return records


def test_the_scan_would_see_a_leak() -> None:
    voters = {"Carmen": 7, "Dmitri": 8}
    assert leaks([(-100, "Carmen voted Yes")], voters) == ["Carmen voted Yes"]
    assert leaks([(-100, "📊 Poll #1\nYour vote: No")], voters) == ["Your vote: No"]
    assert leaks([(7, "Recall Bob?\nYour vote: Yes"), (None, "Your vote: No")], voters) == []
    record = b'{"polls": [{"question": "Recall Carmen?", "voter": "Dmitri", "choice": "No"}]}'
    assert leaks([(-100, line) for line in _atoms(record, ".json")], voters) != []
    sheet = b"question,voter,choice\nRecall Carmen?,Dmitri,Yes\n"
    assert leaks([(-100, line) for line in _atoms(sheet, ".csv")], voters) != []
    fine = b'{"polls": [{"question": "Recall Carmen?", "options": ["Yes", "No"], "ballots": 4}]}'
    assert leaks([(-100, line) for line in _atoms(fine, ".json")], voters) == []


async def test_a_recall_reaches_its_threshold_passes_and_opens_an_election(
    world: World, engine: AsyncEngine
) -> None:
    emu = world.emulator
    world.service.chart_renderer = _no_chart
    group, people = await community(world, "Alice", "Bob", "Carmen", "Dmitri", "Erin")
    alice, bob, carmen, dmitri, erin = people
    term_id = await _seat(engine, group, bob)
    carmen_dm = emu.private_chat(carmen)
    await ask(world, carmen, carmen_dm, "/start", "Courtyard")

    card = await _say(world, alice, group, f"/recall Bob {REASON}", "Petition #1")
    assert "recall Bob from the seat of Treasurer" in card.text and "0 of 3" in card.text
    # The holder can sign the petition against them, but cannot stop it: nothing does.
    await _press(world, carmen, card, "✍️ Sign")
    await _press(world, dmitri, card, "✍️ Sign")
    assert "withdrew" in await _press(world, dmitri, card, "✍️ Sign")
    await _press(world, dmitri, card, "✍️ Sign")
    await _press(world, erin, card, "✍️ Sign")
    vote = await emu.wait_for_bot_message(
        group, lambda m: "Poll #1" in (m.text or "") and bool(m.buttons)
    )
    threshold = await emu.wait_for_bot_message(
        group, lambda m: "reached its threshold" in (m.text or "")
    )
    assert "A secret recall vote starts now: poll #1, for 48 hours" in threshold.text
    texts = [m.text or "" for m in emu.bot_messages(group)]
    for notice in ("has a third", "has two thirds", "reached its threshold"):
        assert sum(notice in t for t in texts) == 1, notice
    await _say(world, bob, group, "/close 1", "nobody can close it early")

    await _press(world, alice, vote, "1. Yes")
    await _press(world, dmitri, vote, "1. Yes")
    await _press(world, bob, vote, "2. No")
    await _press(world, carmen, vote, "Vote privately")
    ballot = await emu.wait_for_bot_message(carmen_dm, lambda m: "Your ballot" in (m.text or ""))
    assert "Yes" in await _press(world, carmen, ballot, "Yes")

    await world.travel(timedelta(hours=49))
    passed = await emu.wait_for_bot_message(group, lambda m: "no longer holds" in (m.text or ""))
    assert "passed: 3 yes, 1 no of 5. Bob no longer holds the seat of Treasurer." in passed.text
    assert "Election #1 for the seat is open." in passed.text
    await emu.wait_for_bot_message(
        carmen_dm,
        lambda m: m.message_id == ballot.message_id and "Your vote: Yes" in (m.text or ""),
    )
    log = await _say(world, erin, group, "/log", "Audit log")
    assert "Bob was recalled as Treasurer" in log.text
    exports: list[tuple[int | None, str]] = []
    assert "Petition #1 has two thirds of its signatures: 2 of 3" in log.text
    async with session_factory(engine)() as session:
        term = await session.get(Term, term_id)
        assert term is not None and term.end_reason is TermEnd.RECALLED
        election = await session.scalar(select(Election))
        assert election is not None and election.reason == "recall"

    # The exports, JSON and a zip of CSVs, go through the same scan, line by line.
    for command, name in (("/export", ".json"), ("/export csv", ".zip")):
        asked = await emu.send_text(erin, group, command)
        exported = await emu.wait_for_bot_message(
            group, lambda m: m.document is not None, since=asked.message_id, timeout=20
        )
        assert exported.document is not None and exported.document.filename.endswith(name)
        files = [exported.document.data]
        if name == ".zip":
            with zipfile.ZipFile(io.BytesIO(exported.document.data)) as bundle:
                files = [bundle.read(member) for member in bundle.namelist()]
        kind = ".json" if name == ".json" else ".csv"
        exports.extend((group.id, atom) for data in files for atom in _atoms(data, kind))
    assert any("recall" in text.lower() for _, text in exports), "the exports hold the recall"
    assert not any(str(user.id) in text for _, text in exports for user in people), "no ids"

    sent = _sent(world) + exports
    assert any("1. Yes — 3" in text for _, text in sent), "the scan reads the result"
    assert any(chat is None and "Your vote: Yes" in text for chat, text in sent), "and answers"
    assert any("Audit log" in text for _, text in sent), "and /log"
    voters = {user.first_name: user.id for user in people}
    assert leaks(sent, voters) == []


async def test_a_petition_becomes_rule_1_and_is_amended(world: World) -> None:
    emu = world.emulator
    world.service.chart_renderer = _no_chart
    group, people = await community(world, "Alice", "Bob", "Carmen")
    alice = people[0]

    async def passes(command: str, expect: str) -> None:
        card = await _say(world, alice, group, command, "📜")
        for person in people:
            await _press(world, person, card, "✍️ Sign")
        vote = await emu.wait_for_bot_message(
            group, lambda m: "for 72 hours" in (m.text or ""), since=card.message_id
        )
        poll = next(
            m for m in emu.bot_messages(group)
            if m.message_id > card.message_id and m.buttons and "Poll #" in (m.text or "")
        )  # fmt: skip
        for person in people:
            await _press(world, person, poll, "1. Yes")
        await world.travel(timedelta(hours=73))
        await emu.wait_for_bot_message(
            group, lambda m: expect in (m.text or ""), since=vote.message_id
        )

    await passes("/petition Quiet hours in the yard from 22:00.", "it is now rule #1")
    await _say(world, alice, group, "/rules", "#1 Quiet hours in the yard from 22:00.")
    await passes("/petition amend 1 Quiet hours in the yard from 23:00.", "rule #1 is amended")
    history = (await _say(world, alice, group, "/rules 1", "Rule #1")).text
    assert (
        "Version 1 — adopted on" in history and "“Quiet hours in the yard from 22:00.”" in history
    )
    assert (
        "Version 2 — amended on" in history and "“Quiet hours in the yard from 23:00.”" in history
    )
    assert "3 yes, 0 no of 3" in history
