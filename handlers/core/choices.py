"""What a ballot says, as text a database can group by: pure, no storage, no feature.

A choice is a tuple of option indices; its meaning is the poll's: ``(2,)``
one option, ``(0, 3, 11)`` the options approved (callers keep them sorted,
so one set of options is one text), ``(2, 0, 1)`` a ranking, most
preferred first. It is stored as the indices joined by commas ("0,3,11"),
which is as readable in raw SQL as the choice itself, allows any number of
options, and keeps equal ballots equal as text, so a count is one
``GROUP BY`` however many ballots there are.
"""

from __future__ import annotations

Choice = tuple[int, ...]

SEPARATOR = ","


def encode_choice(choice: Choice) -> str:
    """``(0, 3, 11)`` → ``"0,3,11"``; an empty choice is no ballot and has no text."""
    if not choice:
        raise ValueError("an empty choice is no ballot")
    if len(set(choice)) != len(choice):
        raise ValueError(f"an option is marked twice in {choice!r}")
    if any(not isinstance(i, int) or isinstance(i, bool) or i < 0 for i in choice):
        raise ValueError(f"option indices are whole numbers from 0: {choice!r}")
    return SEPARATOR.join(str(i) for i in choice)


def decode_choice(text: str) -> Choice:
    """``"0,3,11"`` → ``(0, 3, 11)``; refuses what ``encode_choice`` never writes."""
    parts = text.split(SEPARATOR)
    if not all(part.isascii() and part.isdigit() and str(int(part)) == part for part in parts):
        raise ValueError(f"not a stored choice: {text!r}")
    choice = tuple(int(part) for part in parts)
    if len(set(choice)) != len(choice):
        raise ValueError(f"not a stored choice: {text!r}")
    return choice
