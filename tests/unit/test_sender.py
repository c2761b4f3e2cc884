"""The outgoing sender: per-chat FIFO, per-chat independence, retries and flood limits.

Real (small) times are used throughout; the whole file runs in a few seconds.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import sender as sender_module
from bot.sender import PermanentError, RetryAfter, Sender, TransientError

NO_LIMITS: dict[str, Any] = {
    "per_second": None,
    "group_per_minute": None,
    "private_per_second": None,
}


@dataclass(frozen=True)
class Msg:
    chat_id: int
    seq: int
    text: str = "hello"


@dataclass
class FakeTransport:
    """Records every attempt and delivery as (chat_id, seq, loop time at the call)."""

    latency: float = 0.0
    # Errors to raise on successive attempts of one (chat_id, seq); then it succeeds.
    script: dict[tuple[int, int], list[BaseException]] = field(default_factory=dict)
    # Raise this on every attempt of the given (chat_id, seq).
    always: dict[tuple[int, int], Callable[[], BaseException]] = field(default_factory=dict)
    yields: dict[tuple[int, int], int] = field(default_factory=dict)
    attempts: list[tuple[int, int, float]] = field(default_factory=list)
    delivered: list[tuple[int, int, float]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    async def __call__(self, msg: Msg) -> str:
        key = (msg.chat_id, msg.seq)
        now = asyncio.get_running_loop().time()
        self.attempts.append((msg.chat_id, msg.seq, now))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            for _ in range(self.yields.get(key, 0)):
                await asyncio.sleep(0)
            if key in self.always:
                raise self.always[key]()
            errors = self.script.get(key)
            if errors:
                raise errors.pop(0)
        finally:
            self.in_flight -= 1
        self.delivered.append((msg.chat_id, msg.seq, now))
        return f"sent {msg.chat_id}:{msg.seq}"

    def times(self, chat_id: int, *, delivered: bool = True) -> list[float]:
        rows = self.delivered if delivered else self.attempts
        return [t for c, _, t in rows if c == chat_id]

    def seqs(self, chat_id: int, *, delivered: bool = True) -> list[int]:
        rows = self.delivered if delivered else self.attempts
        return [s for c, s, _ in rows if c == chat_id]


MakeSender = Callable[..., Awaitable[Sender[Msg, str]]]


@pytest.fixture
async def make_sender() -> AsyncIterator[MakeSender]:
    made: list[Sender[Msg, str]] = []

    async def make(transport: FakeTransport, **options: Any) -> Sender[Msg, str]:
        sender: Sender[Msg, str] = Sender(transport, **{**NO_LIMITS, **options})
        await sender.start()
        made.append(sender)
        return sender

    yield make
    for sender in made:
        await sender.stop(drain=False, timeout=1)


def now() -> float:
    return asyncio.get_running_loop().time()


def sender_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("sender:")]


# -- order and independence ----------------------------------------------------------------


async def test_per_chat_order_kept_across_many_concurrent_chats(make_sender: MakeSender) -> None:
    transport = FakeTransport(latency=0.002)
    sender = await make_sender(transport, backoff=0.001, max_backoff=0.002)
    chats = [-(i + 1) for i in range(15)] + [i + 1 for i in range(15)]
    # Some messages fail transiently once, so retries are interleaved with other chats.
    for chat in chats[::4]:
        transport.script[(chat, 3)] = [TransientError("502 Bad Gateway")]
    futures = [sender.submit(Msg(chat, seq)) for seq in range(20) for chat in chats]

    results = await asyncio.gather(*futures)

    assert results == [f"sent {f_chat}:{f_seq}" for f_seq in range(20) for f_chat in chats]
    for chat in chats:
        assert transport.seqs(chat) == list(range(20))
        assert transport.seqs(chat, delivered=False) == sorted(
            transport.seqs(chat, delivered=False)
        )
    assert transport.max_in_flight > 10  # chats really proceeded concurrently
    assert sender.pending() == 0


async def test_retry_after_on_one_chat_does_not_delay_another(make_sender: MakeSender) -> None:
    transport = FakeTransport(latency=0.01)
    transport.script[(-1, 0)] = [RetryAfter(0.4)]
    sender = await make_sender(transport)
    started = now()
    a = [sender.submit(Msg(-1, seq)) for seq in range(3)]
    b = [sender.submit(Msg(-2, seq)) for seq in range(5)]

    await asyncio.gather(*b)
    b_done = now()
    assert b_done - started < 0.2  # B never waited for A's 429
    assert transport.seqs(-1) == []  # and A is still waiting

    await asyncio.gather(*a)
    a_times = transport.times(-1)
    assert transport.seqs(-1) == [0, 1, 2]
    assert a_times[0] - started >= 0.4 + sender_module.RETRY_AFTER_MARGIN - 0.005
    assert transport.seqs(-1, delivered=False) == [0, 0, 1, 2]


async def test_retry_after_exhausted_fails_only_that_message(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    transport.always[(5, 0)] = lambda: RetryAfter(0.0)
    sender = await make_sender(transport, max_retries=2)
    first, second = sender.submit(Msg(5, 0)), sender.submit(Msg(5, 1))

    with pytest.raises(RetryAfter):
        await first
    assert await second == "sent 5:1"
    assert transport.seqs(5, delivered=False) == [0, 0, 0, 1]  # 1 try + max_retries waits


# -- retries -------------------------------------------------------------------------------


async def test_transient_errors_retried_with_exponential_backoff(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    transport.script[(-7, 0)] = [TransientError("503"), TransientError("503"), TransientError("")]
    sender = await make_sender(transport, backoff=0.04, max_backoff=1.0, max_retries=5)

    assert await sender.send(Msg(-7, 0)) == "sent -7:0"

    times = transport.times(-7, delivered=False)
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    for attempt, gap in enumerate(gaps):
        ceiling = 0.04 * 2**attempt
        assert ceiling / 2 - 0.005 <= gap <= ceiling + 0.05, (attempt, gaps)


async def test_backoff_is_capped(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    transport.script[(1, 0)] = [TransientError("503") for _ in range(4)]
    sender = await make_sender(transport, backoff=0.02, max_backoff=0.03, max_retries=5)
    await sender.send(Msg(1, 0))
    times = transport.times(1, delivered=False)
    assert max(b - a for a, b in itertools.pairwise(times)) <= 0.03 + 0.05


async def test_exhausted_retries_fail_future_and_next_message_goes(
    make_sender: MakeSender,
) -> None:
    transport = FakeTransport()
    transport.always[(-3, 0)] = lambda: TransientError("502 Bad Gateway")
    sender = await make_sender(transport, max_retries=2, backoff=0.005, max_backoff=0.01)
    first, second = sender.submit(Msg(-3, 0)), sender.submit(Msg(-3, 1))

    with pytest.raises(TransientError):
        await first
    assert await second == "sent -3:1"
    assert transport.seqs(-3, delivered=False) == [0, 0, 0, 1]
    assert transport.seqs(-3) == [1]


async def test_permanent_error_not_retried_and_logged_without_text_or_token(
    make_sender: MakeSender, caplog: pytest.LogCaptureFixture
) -> None:
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    transport = FakeTransport()
    transport.always[(42, 0)] = lambda: PermanentError(f"Forbidden: bot was blocked {token}")
    transport.always[(42, 1)] = lambda: ValueError(f"https://api.telegram.org/bot{token}/send")
    sender = await make_sender(transport, max_retries=5)
    secret = "the committee's private phone number is ..."

    with caplog.at_level(logging.INFO, logger="bot.sender"):
        futures = [sender.submit(Msg(42, seq, text=secret)) for seq in range(3)]
        results = await asyncio.gather(*futures, return_exceptions=True)

    assert isinstance(results[0], PermanentError)
    assert isinstance(results[1], ValueError)  # unknown errors count as permanent
    assert results[2] == "sent 42:2"
    assert transport.seqs(42, delivered=False) == [0, 1, 2]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "Forbidden" in caplog.text
    assert token not in caplog.text
    assert "AAHdqTcv" not in caplog.text
    assert secret not in caplog.text
    assert all(len(r.getMessage()) < 150 for r in caplog.records)


async def test_fire_and_forget_failure_leaves_no_unretrieved_exception(
    make_sender: MakeSender,
) -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        transport = FakeTransport()
        transport.always[(9, 0)] = lambda: PermanentError("Bad Request: chat not found")
        sender = await make_sender(transport)
        future = sender.submit(Msg(9, 0))
        await asyncio.wait([future])
        del future
        gc.collect()
        assert reported == []
    finally:
        loop.set_exception_handler(None)


# -- limits --------------------------------------------------------------------------------


def max_in_window(times: list[float], window: float) -> int:
    """The most events in any half-open window [t, t + window)."""
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + window) for t in times)


async def test_group_window_limit_respected_with_burst(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    sender = await make_sender(transport, group_per_minute=3, group_window=0.3)
    started = now()
    futures = [sender.submit(Msg(-100, seq)) for seq in range(10)]
    other = [sender.submit(Msg(-200, seq)) for seq in range(3)]

    await asyncio.gather(*other)
    assert now() - started < 0.1  # another group is not held by -100's window
    await asyncio.gather(*futures)

    times = transport.times(-100)
    assert transport.seqs(-100) == list(range(10))
    assert times[2] - started < 0.05  # a burst of 3 goes at once
    assert max_in_window(times, 0.3 - 1e-6) <= 3
    for earlier, later in zip(times, times[3:], strict=False):
        assert later - earlier >= 0.3 - 1e-6
    assert times[-1] - started >= 0.9 - 0.01


async def test_private_chat_spacing(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    sender = await make_sender(transport, private_per_second=20, group_per_minute=3)
    await asyncio.gather(*(sender.submit(Msg(77, seq)) for seq in range(5)))
    times = transport.times(77)
    assert all(b - a >= 0.05 - 1e-6 for a, b in itertools.pairwise(times))
    assert times[-1] - times[0] < 0.4


async def test_global_rate_respected_approximately(make_sender: MakeSender) -> None:
    rate, count = 40, 80
    transport = FakeTransport()
    sender = await make_sender(transport, per_second=rate, private_per_second=1)
    started = now()
    await asyncio.gather(*(sender.submit(Msg(1000 + i, 0)) for i in range(count)))

    times = sorted(t for _, _, t in transport.delivered)
    elapsed = times[-1] - started
    # A burst of `rate`, then `rate` per second: (count - rate) / rate seconds in all.
    assert (count - rate) / rate * 0.9 <= elapsed <= (count - rate) / rate + 0.5
    steady = times[rate:]
    assert (steady[-1] - steady[0]) / (len(steady) - 1) == pytest.approx(1 / rate, rel=0.25)
    assert max_in_window(times, 1.0) <= 2 * rate


async def test_a_zero_limit_disables_it(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    sender = await make_sender(transport, per_second=0, group_per_minute=0, private_per_second=0)
    started = now()
    await asyncio.gather(*(sender.submit(Msg(c, s)) for s in range(30) for c in (-1, 1)))
    assert now() - started < 0.2


# -- lifecycle -----------------------------------------------------------------------------


async def test_idle_chat_state_is_released(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    sender = await make_sender(transport, group_per_minute=2, group_window=0.1)
    chats = [-1, -2, -3, 4, 5]
    await asyncio.gather(*(sender.submit(Msg(c, s)) for c in chats for s in range(3)))
    assert sender.pending() == 0
    await asyncio.sleep(0)
    assert sender_tasks() == []  # workers exit as soon as their queue is empty
    await asyncio.sleep(0.15)  # past every window: limiter state is useless now
    assert sender.tracked_chats() == 0

    # No per-chat limits: nothing to remember once the queue is empty.
    plain = await make_sender(FakeTransport())
    await asyncio.gather(*(plain.submit(Msg(c, 0)) for c in range(1, 50)))
    await asyncio.sleep(0)
    assert plain.tracked_chats() == 0


async def test_window_survives_worker_restart(make_sender: MakeSender) -> None:
    """A chat whose worker exited still has its window honoured by the next worker."""
    transport = FakeTransport()
    sender = await make_sender(transport, group_per_minute=2, group_window=0.2)
    await asyncio.gather(sender.submit(Msg(-1, 0)), sender.submit(Msg(-1, 1)))
    await asyncio.sleep(0)
    assert sender_tasks() == []
    await sender.send(Msg(-1, 2))
    times = transport.times(-1)
    assert times[2] - times[0] >= 0.2 - 1e-6


async def test_cancelled_future_withdraws_message(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    sender = await make_sender(transport, group_per_minute=1, group_window=0.1)
    futures = [sender.submit(Msg(-5, seq)) for seq in range(4)]
    futures[1].cancel()  # before its worker reached it
    await futures[0]
    await asyncio.sleep(0.02)  # message 2 is now waiting for the window
    futures[2].cancel()
    await futures[3]
    assert transport.seqs(-5, delivered=False) == [0, 3]
    assert sender.pending() == 0


async def test_stop_with_drain_delivers_pending(make_sender: MakeSender) -> None:
    transport = FakeTransport(latency=0.005)
    transport.script[(-1, 1)] = [RetryAfter(0.05)]
    sender = await make_sender(transport, group_per_minute=3, group_window=0.15)
    futures = [sender.submit(Msg(chat, seq)) for seq in range(6) for chat in (-1, 2)]
    assert sender.pending() == 12

    await sender.stop(drain=True, timeout=5)

    assert all(f.done() and not f.cancelled() for f in futures)
    assert transport.seqs(-1) == list(range(6))
    assert transport.seqs(2) == list(range(6))
    assert sender.pending() == 0
    assert sender.tracked_chats() == 0
    assert sender_tasks() == []
    with pytest.raises(RuntimeError):
        sender.submit(Msg(1, 0))


async def test_stop_without_drain_cancels_cleanly(make_sender: MakeSender) -> None:
    transport = FakeTransport(latency=30)  # every call hangs
    sender = await make_sender(transport)
    futures = [sender.submit(Msg(chat, seq)) for seq in range(3) for chat in (-1, 1, 2)]
    await asyncio.sleep(0.01)
    assert transport.in_flight == 3

    started = now()
    await sender.stop(drain=False, timeout=2)

    assert now() - started < 0.1
    assert all(f.cancelled() for f in futures)
    assert transport.in_flight == 0  # the in-flight calls were cancelled too
    assert sender_tasks() == []
    assert sender.pending() == 0
    assert sender.tracked_chats() == 0


async def test_stop_with_drain_never_hangs_beyond_timeout(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    transport.script[(-1, 0)] = [RetryAfter(30)]
    sender = await make_sender(transport)
    stuck = sender.submit(Msg(-1, 0))
    quick = sender.submit(Msg(-2, 0))
    await asyncio.sleep(0.01)

    started = now()
    await sender.stop(drain=True, timeout=0.3)

    assert now() - started < 0.35
    assert quick.result() == "sent -2:0"
    assert stuck.cancelled()
    assert sender_tasks() == []


async def test_submit_requires_start_and_sender_restarts() -> None:
    transport = FakeTransport()
    sender: Sender[Msg, str] = Sender(transport, **NO_LIMITS)
    with pytest.raises(RuntimeError):
        sender.submit(Msg(1, 0))
    await sender.start()
    await sender.start()  # idempotent
    assert await sender.send(Msg(1, 0)) == "sent 1:0"
    await sender.stop()
    await sender.stop()  # idempotent
    await sender.start()
    assert await sender.send(Msg(1, 1)) == "sent 1:1"
    await sender.stop()


# -- property: per-chat FIFO under any interleaving ----------------------------------------

CHATS = [-3, -2, -1, 1, 2, 3]
outcomes = st.lists(st.sampled_from(["transient", "flood"]), max_size=2)
plans = st.lists(
    st.tuples(
        st.sampled_from(CHATS),
        outcomes,
        st.integers(min_value=0, max_value=3),  # awaits inside the transport
        st.integers(min_value=0, max_value=2),  # awaits before the next submission
    ),
    min_size=1,
    max_size=40,
)


async def _run_plan(plan: list[tuple[int, list[str], int, int]]) -> None:
    transport = FakeTransport()
    sender: Sender[Msg, str] = Sender(
        transport,
        per_second=None,
        group_per_minute=5,
        group_window=0.005,
        private_per_second=2000,
        max_retries=3,
        backoff=0.0005,
        max_backoff=0.001,
    )
    await sender.start()
    submitted: dict[int, list[int]] = defaultdict(list)
    futures = []
    for seq, (chat, failures, yields, pause) in enumerate(plan):
        transport.script[(chat, seq)] = [
            TransientError("502") if kind == "transient" else RetryAfter(0) for kind in failures
        ]
        transport.yields[(chat, seq)] = yields
        futures.append(sender.submit(Msg(chat, seq)))
        submitted[chat].append(seq)
        for _ in range(pause):
            await asyncio.sleep(0)
    await asyncio.gather(*futures)
    await sender.stop(drain=True, timeout=5)

    for chat in CHATS:
        assert transport.seqs(chat) == submitted[chat]
        tried = transport.seqs(chat, delivered=False)
        assert tried == sorted(tried)  # a retry of N always comes before N + 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans)
def test_property_each_chat_delivered_in_submission_order(
    plan: list[tuple[int, list[str], int, int]],
) -> None:
    with mock.patch.object(sender_module, "RETRY_AFTER_MARGIN", 0.0005):
        asyncio.run(_run_plan(plan))


# -- replies first, edits coalesced --------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """An edit of message ``target`` in ``chat_id``; ``seq`` tells the states apart."""

    chat_id: int
    seq: int
    target: int


def by_target(message: Msg | Edit) -> int | None:
    return message.target if isinstance(message, Edit) else None


async def test_a_queued_edit_is_replaced_by_a_newer_edit_of_the_same_message(
    make_sender: MakeSender,
) -> None:
    transport = FakeTransport(latency=0.05)
    sender = await make_sender(transport, coalesce=by_target, edit_interval=0)
    first = sender.submit(Edit(-1, 1, target=7))
    await asyncio.sleep(0.01)  # it is in flight now
    later = [sender.submit(Edit(-1, seq, target=7)) for seq in range(2, 10)]
    other = sender.submit(Edit(-1, 100, target=8))
    results = await asyncio.gather(first, *later, other)

    # The first was in flight; of the eight queued after it only the newest went out, after
    # the other message's edit (the message edited longest ago goes first).
    assert transport.seqs(-1) == [1, 100, 9]
    assert results[1:-1] == ["sent -1:9"] * 8
    assert sender.pending() == 0


async def test_one_message_is_edited_at_most_once_per_interval(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    sender = await make_sender(transport, coalesce=by_target, edit_interval=0.2)
    started = now()
    for seq in range(12):  # a vote every 50 ms for 0.6 s
        sender.submit(Edit(-1, seq, target=7))
        await asyncio.sleep(0.05)
    await sender.submit(Edit(-1, 99, target=7))

    times = transport.times(-1)
    assert all(b - a >= 0.2 - 0.01 for a, b in itertools.pairwise(times))
    assert transport.seqs(-1)[-1] == 99  # the newest state is always the last one shown
    assert len(times) <= 5 and times[-1] - started < 1.0


async def test_a_reply_never_waits_behind_pending_edits(make_sender: MakeSender) -> None:
    transport = FakeTransport(latency=0.05)
    sender = await make_sender(transport, coalesce=by_target, edit_interval=0)
    edits = [sender.submit(Edit(-1, seq, target=seq)) for seq in range(10)]  # ten messages
    await asyncio.sleep(0.02)  # the first edit is in flight
    reply = sender.submit(Msg(-1, 500))
    await reply
    assert transport.seqs(-1)[:2] == [0, 500]
    await asyncio.gather(*edits)


async def test_edits_leave_room_in_the_group_window_for_replies(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    sender = await make_sender(
        transport,
        coalesce=by_target,
        edit_interval=0,
        group_per_minute=8,
        group_window=0.5,
        edit_reserve=2,
    )
    started = now()
    edits = [sender.submit(Edit(-1, seq, target=seq)) for seq in range(10)]
    await asyncio.sleep(0.1)
    # Six edits went at once and two places are still free: the reply does not wait.
    assert len(transport.times(-1)) == 6
    await sender.submit(Msg(-1, 500))
    assert now() - started < 0.2
    await asyncio.gather(*edits)
    assert max_in_window(transport.times(-1), 0.5 - 1e-6) <= 8


async def test_an_edit_waiting_for_room_gives_way_to_a_reply(make_sender: MakeSender) -> None:
    transport = FakeTransport()
    sender = await make_sender(
        transport, coalesce=by_target, edit_interval=0, group_per_minute=3, group_window=0.4
    )
    await asyncio.gather(*(sender.submit(Msg(-1, seq)) for seq in range(2)))
    edit = sender.submit(Edit(-1, 10, target=1))  # the reserve (0 of 3 here) lets it go
    await edit
    waiting = sender.submit(Edit(-1, 11, target=2))  # the window is full: it waits
    await asyncio.sleep(0.05)
    reply = sender.submit(Msg(-1, 500))
    await asyncio.gather(waiting, reply)
    assert transport.seqs(-1) == [0, 1, 10, 500, 11]


@given(
    script=st.lists(
        st.tuples(st.sampled_from(["msg", "edit"]), st.integers(0, 3)), min_size=1, max_size=30
    )
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_property_messages_keep_order_and_each_edited_message_ends_in_its_newest_state(
    script: list[tuple[str, int]],
) -> None:
    async def run() -> FakeTransport:
        transport = FakeTransport(yields={})
        sender: Sender[Msg | Edit, str] = Sender(
            transport,  # type: ignore[arg-type]
            **NO_LIMITS,
            coalesce=by_target,
            edit_interval=0,
        )
        await sender.start()
        futures = []
        for seq, (kind, target) in enumerate(script):
            message = Msg(-1, seq) if kind == "msg" else Edit(-1, seq, target=target)
            futures.append(sender.submit(message))
            if seq % 3 == 0:
                await asyncio.sleep(0)
        await asyncio.gather(*futures)
        await sender.stop()
        return transport

    transport = asyncio.run(run())
    sent = transport.seqs(-1)
    messages = [seq for seq, (kind, _) in enumerate(script) if kind == "msg"]
    assert [seq for seq in sent if script[seq][0] == "msg"] == messages
    for target in {t for kind, t in script if kind == "edit"}:
        edits = [seq for seq, (kind, t) in enumerate(script) if kind == "edit" and t == target]
        shown = [seq for seq in sent if script[seq] == ("edit", target)]
        assert shown[-1] == edits[-1]
        assert shown == sorted(shown)
