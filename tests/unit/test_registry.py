"""Features are declared and handed to the app: what one declares, the app runs, and
nothing is declared twice."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import community, needs
from handlers.core.buttons import ButtonData
from handlers.core.clock import FixedClock
from handlers.core.context import Context, JobContext, Work
from handlers.core.i18n import N_
from handlers.core.messages import Event
from handlers.core.registry import Feature, Registry, VoteRequest, Where
from handlers.core.settings import Changed, Setting, parse_count, value
from handlers.features import all_features
from models import Community, Member, PollKind
from tests.support import Driver, answers, buttons, text


@dataclass(frozen=True)
class Ping(ButtonData):
    KIND = "t.ping"
    n: int


def _echo_feature() -> Feature:
    feature = Feature("echo")

    @feature.command("echo", N_("say it back"), where=Where.ANY)
    async def echo(ctx: Context) -> None:
        ctx.reply(ctx.args, [[ctx.button("again", Ping(len(ctx.args)))]])

    @feature.button(Ping)
    async def ping(ctx: Context, pressed: Ping) -> None:
        ctx.answer(f"pong {pressed.n}")

    return feature


async def test_an_app_runs_only_the_features_it_is_given(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    driver = Driver(sessions, clock, features=[community.feature, _echo_feature()])
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    replies = await driver.send(alice, chat, "/echo hello")
    assert text(replies) == "hello"
    [(_, data)] = buttons(replies)
    [answer] = answers(await driver.press(alice, chat, data))
    assert answer.text == "pong 5"
    assert "I don't know /need" in text(await driver.send(alice, chat, "/need A bench"))
    help_text = text(await driver.send(alice, chat, "/help"))
    assert "/echo" in help_text and "/need" not in help_text


async def test_asking_for_a_vote_without_the_polls_feature_is_a_bug_not_a_silent_no(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    driver = Driver(sessions, clock, features=[community.feature, needs.feature])
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/need A bench")
    assert "Something went wrong" in text(await driver.send(alice, chat, "/adopt 1"))


def test_the_menu_follows_the_order_of_the_features() -> None:
    names = [name for name, _ in Registry(all_features()).menu("en")]
    assert names.index("setup") < names.index("need") < names.index("plan")
    assert names.index("plan") < names.index("report") < names.index("poll")


def _knob(changed: Changed | None = None) -> Setting:
    return Setting(
        name="knob",
        default=3,
        parse=lambda raw: parse_count(raw, low=1, high=9),
        show=lambda t, value: f"Knob: {value}.",
        problem=N_("A knob is a number from 1 to 9, not “{value}”."),
        example="/setup knob=4",
        changed=changed,
    )


def _declare_twice(what: str) -> list[Feature]:
    first, second = Feature("first"), Feature("second")

    async def run(ctx: Context) -> None: ...

    async def press(ctx: Context, pressed: Ping) -> None: ...

    async def job(work: JobContext, ref: int) -> None: ...

    async def hook(*_: object) -> None: ...

    async def opener(ctx: Context, request: VoteRequest) -> object: ...

    for feature in (first, second):
        if what == "command":
            feature.command("same", N_("what I can do"))(run)
        elif what == "button":
            feature.button(Ping)(press)
        elif what == "job":
            feature.job("same.job")(job)
        elif what == "hook":
            feature.on_close("same")(hook)
        elif what == "audit":
            feature.audit("same.action", N_("{actor} did it"))
        elif what == "text":
            feature.on_text(Where.PRIVATE)(run)
        elif what == "votes":
            feature.opens_votes(opener)  # type: ignore[arg-type]
        elif what == "setting":
            feature.setting(_knob())
    return [first, second]


@pytest.mark.parametrize(
    "what", ["command", "button", "job", "hook", "audit", "text", "votes", "setting"]
)
def test_anything_declared_twice_is_refused(what: str) -> None:
    with pytest.raises(RuntimeError):
        Registry(_declare_twice(what))


def test_several_features_may_listen_to_one_event() -> None:
    a, b = Feature("a"), Feature("b")

    async def run(ctx: Context) -> None: ...

    a.on_event(Event.MEMBER_LEFT)(run)
    b.on_event(Event.MEMBER_LEFT)(run)
    assert len(Registry([a, b]).events[Event.MEMBER_LEFT]) == 2


def test_the_features_declare_every_button_and_job_the_core_is_asked_for() -> None:
    registry = Registry(all_features())
    assert {"poll.close", "poll.remind"} <= set(registry.jobs)
    assert "need" in registry.close_hooks
    assert registry.vote_opener is not None
    assert VoteRequest("Q?", ["Yes", "No"], PollKind.SINGLE, ("need", 1)).deadline is None


async def test_roster_hooks_hear_every_way_of_joining_and_leaving(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    """/join, /leave and the chat's join and leave events all reach each feature's roster
    hook, once, after the member row has changed; a part's hook counts as its feature's."""
    heard: list[tuple[str, int, bool, bool]] = []

    def listener(name: str) -> Feature:
        feature = Feature(name)

        @feature.on_roster_change
        async def changed(work: Work, community: Community, user_id: int, joined: bool) -> None:
            member = await work.session.scalar(
                select(Member).where(Member.community_id == community.id, Member.user_id == user_id)
            )
            assert member is not None
            heard.append((name, user_id, joined, member.active))

        return feature

    whole = Feature("whole").include(listener("part"))
    driver = Driver(sessions, clock, features=[community.feature, whole, listener("other")])
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice)
    await driver.send(bob, chat, "/join")
    await driver.send(bob, chat, "/join")  # already on it: nothing changes
    await driver.send(bob, chat, "/leave")
    await driver.event(bob, chat, Event.MEMBER_JOINED)
    await driver.event(bob, chat, Event.MEMBER_LEFT)
    await driver.event(bob, chat, Event.MEMBER_LEFT)  # already gone
    assert heard[:2] == [("part", alice.id, True, True), ("other", alice.id, True, True)]
    assert [(j, a) for n, u, j, a in heard[2:] if u == bob.id and n == "part"] == [
        (True, True),
        (False, False),
        (True, True),
        (False, False),
    ]
    assert len(heard) == 10


async def test_a_setting_a_feature_declares_is_changed_by_setup_and_read_with_its_default(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    heard: list[object] = []

    async def changed(work: Work, community: Community, stored: object) -> None:
        heard.append(stored)

    knobs = Feature("knobs")
    knob = knobs.setting(_knob(changed))
    driver = Driver(sessions, clock, features=[community.feature, knobs])
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)

    async with sessions() as session:
        [row] = (await session.scalars(select(Community))).all()
        assert value(row, knob) == 3, "never set: the declared default"

    saved = text(await driver.send(alice, chat, "/setup knob=7"))
    assert "Settings saved." in saved and "Knob: 7." in saved
    assert heard == [7]
    async with sessions() as session:
        [row] = (await session.scalars(select(Community))).all()
        assert value(row, knob) == 7 and row.settings["knob"] == 7
    assert "Alice set knob to 7" in text(await driver.send(bob, chat, "/log"))

    refused = text(await driver.send(alice, chat, "/setup knob=12"))
    assert "A knob is a number from 1 to 9, not “12”." in refused and "/setup knob=4" in refused
    unknown = text(await driver.send(alice, chat, "/setup colour=red"))
    assert "There is no setting called “colour”" in unknown and "knob" in unknown
    assert "Only an admin" in text(await driver.send(bob, chat, "/setup knob=2"))
    assert heard == [7], "refused changes run no hook"
    async with sessions() as session:
        [row] = (await session.scalars(select(Community))).all()
        assert value(row, knob) == 7


async def test_every_setup_reaches_the_settings_hooks_after_the_change(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    seen: list[str] = []
    listener = Feature("listener")

    @listener.on_settings_change
    async def heard(work: Work, changed: Community) -> None:
        seen.append(changed.timezone)

    driver = Driver(sessions, clock, features=[community.feature, listener])
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/setup Asia/Tokyo")
    await driver.send(bob, chat, "/setup Europe/Paris")
    assert seen == ["UTC", "Asia/Tokyo"], "once at the setup, once per change; refusals none"
