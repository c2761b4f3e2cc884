"""The rules of a press and of a decision: pure functions, no database, no I/O.

A ballot is a ``Choice``: option indices, most preferred first for a
ranking. What a press does depends on the poll's form; what "passed" means
depends on whether the poll is a two-way (yes/no) question.
"""

from __future__ import annotations

Choice = tuple[int, ...]


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
