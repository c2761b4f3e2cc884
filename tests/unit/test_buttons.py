"""Typed buttons: values packed into signed callback data and read back, or refused."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.core.buttons import MAX_CALLBACK_BYTES, BadAction, ButtonCodec, ButtonData, ListPage
from handlers.polls.views import PollClear, PollVote

CODEC = ButtonCodec(b"secret")
KINDS: dict[str, type[ButtonData]] = {"poll.v": PollVote, "poll.clr": PollClear}


@dataclass(frozen=True)
class Named(ButtonData):
    KIND = "t.named.longer"
    code: str
    number: int


@given(
    poll_id=st.integers(min_value=0, max_value=2**53), option=st.integers(min_value=0, max_value=99)
)
def test_a_value_comes_back_as_it_was_packed(poll_id: int, option: int) -> None:
    data = CODEC.pack(PollVote(poll_id, option))
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert CODEC.unpack(data, KINDS) == PollVote(poll_id, option)


@given(code=st.from_regex(r"[A-Za-z0-9_-]{1,24}", fullmatch=True), number=st.integers(-999, 999))
def test_text_and_negative_numbers_survive(code: str, number: int) -> None:
    assert CODEC.unpack(CODEC.pack(Named(code, number)), {"t.named.longer": Named}) == Named(
        code, number
    )


def test_the_wire_format_is_the_one_buttons_already_in_chats_carry() -> None:
    """kind:field:field:signature, in field order, so no button posted before breaks."""
    assert CODEC.pack(PollVote(7, 2)).startswith("poll.v:7:2:")
    assert CODEC.pack(PollClear(7)).count(":") == 2


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data: data[:-1] + ("A" if data[-1] != "A" else "B"),  # forged signature
        lambda data: data.replace("poll.v:7:2", "poll.v:7:3"),  # changed value, old signature
        lambda data: ButtonCodec(b"other").pack(PollVote(7, 2)),  # another bot's button
        lambda data: "",
        lambda data: "x" * 65,
    ],
)
def test_tampered_data_is_refused(tamper: object) -> None:
    data = CODEC.pack(PollVote(7, 2))
    with pytest.raises(BadAction):
        CODEC.unpack(tamper(data), KINDS)  # type: ignore[operator]


def test_data_that_does_not_fit_its_kind_is_refused() -> None:
    sign = CODEC._sign
    for body in ("poll.v:7", "poll.v:7:2:9", "poll.v:seven:2", "poll.zz:7", "poll.clr:-"):
        with pytest.raises(BadAction):
            CODEC.unpack(f"{body}:{sign(body)}", KINDS)


def test_a_field_a_button_cannot_carry_is_a_programming_error() -> None:
    @dataclass(frozen=True)
    class Bad(ButtonData):
        KIND = "t.bad"
        share: float

    with pytest.raises(TypeError):
        CODEC.pack(Bad(0.5))


def test_a_value_too_long_for_telegram_is_refused_when_packed() -> None:
    with pytest.raises(ValueError, match="longer than"):
        CODEC.pack(Named("x" * 24, 10**17))
    with pytest.raises(ValueError, match="bad button argument"):
        CODEC.pack(Named("not allowed!", 1))


def test_every_list_page_button_is_its_own_kind() -> None:
    class OnePage(ListPage):
        KIND = "t.pg"

    data = CODEC.pack(OnePage(3))
    assert data.startswith("t.pg:3:")
    assert CODEC.unpack(data, {"t.pg": OnePage}) == OnePage(3)
