"""The rules of a press and of a decision: pure functions, no database, no I/O.

A ballot is a ``Choice``: option indices, most preferred first for a
ranking. What a press does depends on the poll's form; what "passed" means
depends on whether the poll is a two-way (yes/no) question. When a poll
closes because everyone has voted is here too; how consent polls and
meeting slots are counted is in ``handlers.core.tally``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

Choice = tuple[int, ...]
A = TypeVar("A")

#: The answers of a consent poll, by option index; only a block asks for a reason.
AGREE, ABSTAIN, DISAGREE, BLOCK = range(4)


def press_single(before: Choice | None, option: int) -> Choice | None:
    """Another option moves the vote; the same one withdraws it."""
    return None if before == (option,) else (option,)


def press_approval(before: Choice | None, option: int) -> Choice | None:
    """Each press toggles an option; removing the last one withdraws the ballot."""
    chosen = set(before or ()) ^ {option}
    return tuple(sorted(chosen)) or None


def press_ranked(before: Choice | None, option: int) -> Choice | None:
    """Presses append to the ranking; an option already ranked is left where it is."""
    if before is not None and option in before:
        return before
    return (*(before or ()), option)


def passed(
    *, valid: bool, counts: tuple[int, ...], winners: tuple[int, ...], two_way: bool
) -> bool:
    """What a decision by vote needs.

    A two-way question (single choice, exactly two options, "yes" first)
    passes when option 0 got strictly more votes than option 1; any other
    poll when it has a single winner. Never without quorum (``valid``).
    """
    if not valid:
        return False
    if two_way:
        return counts[0] > counts[1]
    return len(winners) == 1


@dataclass(frozen=True, slots=True)
class ConsentPress:
    """A press on a consent poll: the ballot after it, and whether a block now waits
    for its reason (the ballot then stays as it was: a block counts only with one)."""

    after: Choice | None
    awaits_reason: bool = False


def press_consent(before: Choice | None, option: int) -> ConsentPress:
    """Agree, abstain and disagree press like a single choice; Block asks for a reason.

    Block pressed on a ballot that is a block withdraws it, like any vote;
    otherwise the ballot is left as it is until the reason comes.
    """
    if option != BLOCK:
        return ConsentPress(press_single(before, option))
    if before == (BLOCK,):
        return ConsentPress(None)
    return ConsentPress(before, awaits_reason=True)


def press_slot(before: Mapping[int, A], slot: int, answer: A) -> dict[int, A]:
    """A meeting poll's answers after pressing ``answer`` for ``slot``: the same again clears it."""
    after = dict(before)
    if after.get(slot) == answer:
        del after[slot]
    else:
        after[slot] = answer
    return after


def answered_every_slot(answers: Mapping[int, object], slots: int) -> bool:
    """A meeting ballot is complete, and counts as cast, once every slot has an answer."""
    return slots > 0 and all(slot in answers for slot in range(slots))


def everyone_voted(eligible: int, voted: int) -> bool:
    """Whether a poll may close early: every eligible voter has voted.

    ``eligible`` is the electorate fixed at opening that is still on the
    roster, ``voted`` how many of them have a ballot. A poll nobody eligible
    is left in waits for its deadline instead.
    """
    if not 0 <= voted <= eligible:
        raise ValueError(f"{voted} voted of {eligible} eligible")
    return eligible > 0 and voted == eligible
