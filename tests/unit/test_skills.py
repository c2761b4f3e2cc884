"""Skill registry: names normalised and aliased, declaring and dropping, /skills flags,
/whoknows with suggestions, and the group told when a skill's only holder leaves."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from handlers.core.messages import Event
from handlers.skills import queries, rules
from models import (
    AuditEntry,
    Community,
    MemberSkill,
    OutboxMessage,
    SessionSeat,
    Skill,
    TeachingSession,
)
from models.skills import SKILL_NAME_LIMIT
from tests.support import Driver, text

# Rules -----------------------------------------------------------------------------------------

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda s: s.strip())


def test_the_rules_limit_agrees_with_the_column() -> None:
    assert rules.NAME_LIMIT == SKILL_NAME_LIMIT


@given(names)
def test_normalise_is_idempotent(name: str) -> None:
    try:
        key = rules.normalise(name)
    except rules.BadName:
        return
    assert rules.normalise(key) == key


@given(st.text(alphabet="abcxyzABCXYZ абвгдАБВГД修水管做饭", min_size=1, max_size=20), st.data())
def test_case_space_and_width_variants_share_a_key(name: str, data: st.DataObject) -> None:
    try:
        key = rules.normalise(name)
    except rules.BadName:
        return
    wide = "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in name
    )
    pad = data.draw(st.sampled_from(["", " ", "  ", "\t", "\u3000"]))
    variants = [name.upper(), name.lower(), name.swapcase(), f"{pad}{name}{pad}", wide]
    variants.append(name.replace(" ", "   "))
    for variant in variants:
        assert rules.normalise(variant) == key


def test_normalise_keeps_chinese_and_cyrillic() -> None:
    assert rules.normalise("  Сантехника ") == "сантехника"
    assert rules.normalise("修水管") == "修水管"
    assert rules.normalise("ＰＬＵＭＢＩＮＧ　Work") == "plumbing work"
    assert rules.normalise("Straße") == rules.normalise("STRASSE")


@pytest.mark.parametrize("bad", ["", "   ", "\u3000", "x" * (SKILL_NAME_LIMIT + 1), "㍿" * 20])
def test_normalise_refuses_empty_and_too_long(bad: str) -> None:
    with pytest.raises(rules.BadName):
        rules.normalise(bad)


def test_a_name_at_the_limit_is_fine() -> None:
    assert rules.normalise("x" * SKILL_NAME_LIMIT) == "x" * SKILL_NAME_LIMIT


def test_split_names_knows_latin_and_cjk_commas() -> None:
    assert rules.split_names("Plumbing, cooking，修水管、 Сантехника ;; ,") == [
        "Plumbing",
        "cooking",
        "修水管",
        "Сантехника",
    ]
    assert rules.split_names(" , ，") == []


def test_unique_by_key_keeps_the_first_spelling() -> None:
    assert rules.unique_by_key(["Plumbing", "plumbing ", "Cooking"]) == [
        ("Plumbing", "plumbing"),
        ("Cooking", "cooking"),
    ]


@given(st.lists(st.text(alphabet="abcdef", min_size=1, max_size=8), min_size=1, max_size=8))
def test_close_matches_returns_an_exact_match_first(keys: list[str]) -> None:
    found = rules.close_matches(keys[0], keys)
    assert found[0] == keys[0]
    assert len(found) <= 3 and len(set(found)) == len(found)
    assert set(found) <= set(keys)


def test_close_matches_suggests_near_names_and_not_far_ones() -> None:
    pool = ["plumbing", "cooking", "bike repair", "сантехника", "修水管"]
    assert rules.close_matches("plumbng", pool)[0] == "plumbing"
    assert rules.close_matches("сантехник", pool)[0] == "сантехника"
    assert rules.close_matches("修水", pool)[0] == "修水管"
    assert rules.close_matches("zzzz", pool) == []
    assert rules.close_matches("plumbing", pool, limit=0) == []


def test_risk_flags_single_holders_and_skills_nobody_holds() -> None:
    assert rules.risk(1, 0) is rules.Risk.SINGLE_HOLDER
    assert rules.risk(0, 2) is rules.Risk.UNHELD
    assert rules.risk(0, 0) is rules.Risk.NONE
    assert rules.risk(2, 5) is rules.Risk.NONE
    assert rules.orphaned([1, 2, 3], {1: 0, 2: 1}) == [1, 3]


def test_hours_taught_add_up_per_teacher() -> None:
    assert rules.hours_taught([(1, 60), (2, 30), (1, 90)]) == {1: 2.5, 2: 0.5}


def test_rapidfuzz_is_not_loaded_when_the_rules_are() -> None:
    import subprocess
    import sys

    code = "import handlers.skills.rules, sys; print('rapidfuzz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# Stories ---------------------------------------------------------------------------------------


async def stances(driver: Driver) -> set[tuple[str, int, str]]:
    async with driver.sessions() as session:
        rows = await session.execute(
            select(Skill.key, MemberSkill.user_id, MemberSkill.stance).join(
                MemberSkill, MemberSkill.skill_id == Skill.id
            )
        )
        return {(key, user, stance.value) for key, user, stance in rows}


async def audit_actions(driver: Driver) -> list[str]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def outbox(driver: Driver) -> list[str]:
    async with driver.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row.payload["text"] for row in rows]


async def test_variants_of_a_name_meet_in_one_skill(driver: Driver) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    reply = text(await driver.send(alice, chat, "/skill have Plumbing, Cooking，修水管"))
    assert "Alice can teach <b>Plumbing</b>, <b>Cooking</b>, <b>修水管</b>" in reply
    await driver.send(bob, chat, "/skill have plumbing ")
    await driver.send(carol, chat, "/skill learn ＣＯＯＫＩＮＧ")
    assert await stances(driver) == {
        ("plumbing", alice.id, "has"),
        ("cooking", alice.id, "has"),
        ("修水管", alice.id, "has"),
        ("plumbing", bob.id, "has"),
        ("cooking", carol.id, "wants"),
    }
    async with driver.sessions() as session:
        names = set(await session.scalars(select(Skill.name)))
    assert names == {"Plumbing", "Cooking", "修水管"}
    assert await audit_actions(driver) == [
        "community.setup",
        "member.joined",
        "member.joined",
        "member.joined",
        "skill.have",
        "skill.have",
        "skill.learn",
    ]


async def test_declaring_twice_and_learning_what_you_teach_are_said_plainly(
    driver: Driver,
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/skill learn Cooking")
    reply = text(await driver.send(alice, chat, "/skill have cooking, Plumbing, PLUMBING"))
    assert "can teach <b>Cooking</b>, <b>Plumbing</b>" in reply
    assert await stances(driver) == {
        ("cooking", alice.id, "has"),
        ("plumbing", alice.id, "has"),
    }
    reply = text(await driver.send(alice, chat, "/skill have Plumbing"))
    assert "already said so for <b>Plumbing</b>" in reply
    reply = text(await driver.send(alice, chat, "/skill learn Plumbing"))
    assert "already teach <b>Plumbing</b>" in reply
    assert await audit_actions(driver) == [
        "community.setup",
        "member.joined",
        "skill.learn",
        "skill.have",
    ]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/skill", "Start with have, learn, drop or alias"),
        ("/skill teach Plumbing", "Start with have, learn, drop or alias"),
        ("/skill have", "Name the skill, or several"),
        ("/skill have , ，", "Name the skill, or several"),
        ("/skill learn " + "x" * 65, "at most 64 characters"),
        ("/skill have " + ", ".join(f"s{i}" for i in range(11)), "At most 10 skills"),
        ("/skill drop", "Name the skill."),
        ("/skill drop Knitting", "Nobody has declared the skill “Knitting”"),
        ("/skill alias pipes", "then =, then the skill"),
        ("/skill alias = Plumbing", "then =, then the skill"),
        ("/skill alias pipes = Knitting", "Nobody has declared the skill “Knitting”"),
        ("/whoknows", "Name the skill."),
        ("/whoknows Knitting", "Nobody has declared the skill “Knitting”"),
    ],
)
async def test_bad_input_gets_a_hint_with_an_example(
    driver: Driver, command: str, expected: str
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    reply = text(await driver.send(alice, chat, command))
    assert expected in reply and "Example:" in reply
    assert await stances(driver) == set()


async def test_hints_speak_the_communitys_language(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice, setup="Europe/Moscow ru")
    reply = text(await driver.send(alice, chat, "/skill drop Вязание"))
    assert "Навык «Вязание» никто не указывал" in reply
    chat = await driver.community(alice, setup="Asia/Shanghai zh_Hans")
    reply = text(await driver.send(alice, chat, "/skill"))
    assert "请以 have、learn、drop 或 alias 开头" in reply


async def test_only_members_on_the_roster_may_use_the_registry(driver: Driver) -> None:
    alice, stranger = driver.person("Alice"), driver.person("Stranger")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/skill have Plumbing")
    for command in ("/skill have Cooking", "/skill alias pipes = Plumbing", "/skills"):
        assert "Send /join first" in text(await driver.send(stranger, chat, command))
    assert "Send /join first" in text(await driver.send(stranger, chat, "/whoknows Plumbing"))
    assert "Send /join first" in text(await driver.send(stranger, chat, "/skill drop Plumbing"))
    assert await stances(driver) == {("plumbing", alice.id, "has")}


async def test_drop_removes_only_the_senders_own_skill(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/skill have Plumbing")
    await driver.send(bob, chat, "/skill have Plumbing")
    await driver.send(bob, chat, "/skill learn Cooking")
    reply = text(await driver.send(bob, chat, "/skill drop Bike repair"))
    assert "Nobody has declared" in reply
    await driver.send(alice, chat, "/skill learn Knitting")
    reply = text(await driver.send(bob, chat, "/skill drop knitting"))
    assert "You have not declared <b>Knitting</b>" in reply
    assert "Bob dropped <b>Plumbing</b>" in text(
        await driver.send(bob, chat, "/skill drop PLUMBING")
    )
    await driver.send(bob, chat, "/skill drop cooking")
    assert await stances(driver) == {
        ("plumbing", alice.id, "has"),
        ("knitting", alice.id, "wants"),
    }
    assert (await audit_actions(driver))[-2:] == ["skill.drop", "skill.drop"]
    assert await outbox(driver) == []  # Alice still holds plumbing


async def test_dropping_the_last_hold_of_a_wanted_skill_tells_the_group(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/skill have Plumbing")
    await driver.send(bob, chat, "/skill learn plumbing")
    await driver.send(alice, chat, "/skill drop Plumbing")
    [posted] = await outbox(driver)
    assert "Alice dropped it, and now nobody here can teach this skill" in posted
    assert "<b>Plumbing</b> — wanted by Bob" in posted


async def test_aliases_meet_and_cannot_shadow_or_move(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/skill have Plumbing, Cooking")
    reply = text(await driver.send(bob, chat, "/skill alias Pipes = plumbing"))
    assert "From now on <b>Pipes</b> means <b>Plumbing</b>" in reply
    await driver.send(bob, chat, "/skill learn PIPES")
    assert ("plumbing", bob.id, "wants") in await stances(driver)
    reply = text(await driver.send(bob, chat, "/skill alias pipes = Cooking"))
    assert "pipes already means <b>Plumbing</b>" in reply and "Example:" in reply
    reply = text(await driver.send(bob, chat, "/skill alias cooking = Plumbing"))
    assert "already the name of a skill" in reply
    reply = text(await driver.send(bob, chat, "/skill alias pipes = plumbing"))
    assert "already means <b>Plumbing</b>" in reply and "Example:" not in reply
    # an alias of an alias names the same skill
    await driver.send(bob, chat, "/skill alias tubes = pipes")
    assert "Can teach: Alice" in text(await driver.send(bob, chat, "/whoknows Tubes"))
    assert (await audit_actions(driver)).count("skill.alias") == 2


async def test_skills_lists_counts_and_flags(driver: Driver) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    assert "Nobody has declared a skill yet" in text(await driver.send(alice, chat, "/skills"))
    await driver.send(alice, chat, "/skill have Plumbing, Cooking")
    await driver.send(bob, chat, "/skill have plumbing")
    await driver.send(carol, chat, "/skill learn Cooking, Bike repair")
    await driver.send(bob, chat, "/skill learn bike repair")
    reply = text(await driver.send(alice, chat, "/skills"))
    lines = reply.splitlines()
    assert lines[1:] == [
        "• <b>Bike repair</b> — 0 can teach, 2 want to learn ❗ nobody holds it; wanted by 2",
        "• <b>Cooking</b> — 1 can teach, 1 wants to learn ⚠️ only one holder",
        "• <b>Plumbing</b> — 2 can teach, 0 want to learn",
    ]


async def test_skills_pages_a_long_registry(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/skill have " + ", ".join(f"Skill {i:02}" for i in range(10)))
    await driver.send(
        alice, chat, "/skill learn " + ", ".join(f"Skill {i:02}" for i in range(10, 15))
    )
    replies = await driver.send(alice, chat, "/skills")
    assert "Skill 09" in text(replies) and "Skill 10" not in text(replies)
    from tests.support import buttons

    [(_, data)] = [b for b in buttons(replies) if b[0] == "▶"]
    turned = text(await driver.press(alice, chat, data))
    assert "Skill 14" in turned and "Skill 00" not in turned


async def test_skills_shows_hours_taught(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/skill have Plumbing")
    async with driver.sessions() as session, session.begin():
        community = await session.scalar(select(Community))
        assert community is not None
        skill = await queries.skill_named(session, community, " PLUMBING ")
        assert skill is not None
        for number, (length, asked) in enumerate([(90, True), (60, True), (60, False)], 1):
            start = driver.clock.now() - timedelta(days=number)
            held = TeachingSession(
                community_id=community.id,
                number=number,
                skill_id=skill.id,
                teacher_id=alice.id,
                starts_at=start,
                length_minutes=length,
                capacity=3,
                created_at=start,
                asked_at=start if asked else None,
            )
            session.add(held)
            await session.flush()
            session.add(SessionSeat(session_id=held.id, user_id=bob.id, signed_at=start))
        # A session held for nobody teaches nobody: it does not count.
        empty = TeachingSession(
            community_id=community.id,
            number=4,
            skill_id=skill.id,
            teacher_id=alice.id,
            starts_at=driver.clock.now() - timedelta(days=5),
            length_minutes=120,
            capacity=3,
            created_at=driver.clock.now() - timedelta(days=5),
            asked_at=driver.clock.now() - timedelta(days=5),
        )
        session.add(empty)
    reply = text(await driver.send(bob, chat, "/skills"))
    assert "<b>Hours taught:</b> Alice 2.5 h" in reply


async def test_whoknows_names_holders_and_learners_and_suggests(driver: Driver) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob <b>"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    await driver.send(alice, chat, "/skill have Plumbing")
    await driver.send(bob, chat, "/skill have PLUMBING")
    await driver.send(carol, chat, "/skill learn plumbing, Painting")
    reply = text(await driver.send(carol, chat, "/whoknows plumbing"))
    assert "Can teach: Alice, Bob &lt;b&gt;" in reply and "Wants to learn: Carol" in reply
    reply = text(await driver.send(carol, chat, "/whoknows plumbng"))
    assert "Did you mean <b>Plumbing</b>" in reply
    reply = text(await driver.send(alice, chat, "/whoknows painting"))
    assert "Can teach: nobody yet" in reply and "<code>/skill have Painting</code>" in reply


async def test_the_only_holder_leaving_tells_the_group_who_wanted_it(driver: Driver) -> None:
    alice, bob, carol = driver.person("Alice <i>"), driver.person("Bob"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    await driver.send(alice, chat, "/skill have Plumbing, Cooking, 修水管")
    await driver.send(bob, chat, "/skill have Cooking")
    await driver.send(bob, chat, "/skill learn Plumbing")
    await driver.send(carol, chat, "/skill learn plumbing")
    reply = text(await driver.send(alice, chat, "/leave"))
    assert "has left the roster" in reply
    [posted] = await outbox(driver)
    assert posted.splitlines() == [
        "⚠️ Alice &lt;i&gt; has left, and now nobody here can teach these skills:",
        "• <b>Plumbing</b> — wanted by Bob, Carol",
        "• <b>修水管</b> — nobody has asked to learn it",
        "Can you teach one of them? <code>/skill have Plumbing</code>",
    ]
    reply = text(await driver.send(bob, chat, "/skills"))
    assert "<b>Plumbing</b> — 0 can teach, 2 want to learn ❗" in reply
    # back on the roster, back to teaching; leaving the chat tells the group again
    await driver.send(alice, chat, "/join")
    assert "Can teach: Alice &lt;i&gt;" in text(await driver.send(bob, chat, "/whoknows plumbing"))
    await driver.event(alice, chat, Event.MEMBER_LEFT)
    assert len(await outbox(driver)) == 2


async def test_leaving_with_nothing_held_alone_posts_nothing(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/skill have Plumbing")
    await driver.send(bob, chat, "/skill have Plumbing")
    await driver.send(bob, chat, "/skill learn Cooking")
    await driver.send(bob, chat, "/leave")
    assert await outbox(driver) == []


async def test_the_leave_announcement_speaks_the_communitys_language(driver: Driver) -> None:
    alice, bob = driver.person("Алиса", "ru"), driver.person("Боб", "ru")
    chat = await driver.community(alice, bob, setup="Europe/Moscow ru")
    await driver.send(alice, chat, "/skill have Сантехника")
    await driver.send(bob, chat, "/skill learn сантехника")
    await driver.event(alice, chat, Event.MEMBER_LEFT)
    [posted] = await outbox(driver)
    assert "Алиса ушёл(ушла)" in posted and "хотят научиться: Боб" in posted


def test_normalised_keys_are_nfkc() -> None:
    key = rules.normalise("ﬁsh Ｃａｆé")
    assert unicodedata.normalize("NFKC", key) == key == "fish café"


async def test_two_names_of_one_skill_in_one_list_declare_it_once(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/skill have Plumbing")
    await driver.send(alice, chat, "/skill alias pipes = Plumbing")
    reply = text(await driver.send(bob, chat, "/skill have pipes, plumbing"))
    assert reply == "🧰 Bob can teach <b>Plumbing</b>."
