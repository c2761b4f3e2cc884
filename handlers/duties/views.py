"""What duty messages say and the buttons they carry."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.buttons import ButtonData


@dataclass(frozen=True)
class OnIt(ButtonData):
    """ "I'm on it": the person on a shift acknowledges it."""

    KIND = "shift.ack"
    shift_id: int


@dataclass(frozen=True)
class WillCover(ButtonData):
    """ "I'll cover": a volunteer takes an unacknowledged place on a shift."""

    KIND = "shift.cover"
    shift_id: int


@dataclass(frozen=True)
class SwapYes(ButtonData):
    KIND = "swap.yes"
    swap_id: int


@dataclass(frozen=True)
class SwapNo(ButtonData):
    KIND = "swap.no"
    swap_id: int


@dataclass(frozen=True)
class SwapTake(ButtonData):
    """A swap nobody answered, offered to the whole group: the first to press takes it."""

    KIND = "swap.take"
    swap_id: int
