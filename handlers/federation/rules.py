"""Federation: pure rules — link codes (making, reading, hashing, expiry) and the link's
confirmation state machine.

A code is CODE_LENGTH characters of Crockford's base 32 (digits and capital
letters without I, L, O and U), drawn with ``secrets``: 50 random bits, short
enough to type, shown as two groups of five (``K7QXM-2PD9R``). Reading forgives
what people do when they type one: lower case, spaces and hyphens, and O, I or
L for 0, 1 and 1. Only its SHA-256 is stored; with 2^50 possibilities, one
active code per community and 24 hours of life, guessing one through the
chat is hopeless.

A link has two sides, the *inviter* (whose code it was) and the *invitee*
(whose member typed the code; doing so is the invitee's confirmation). It is
pending until both sides have confirmed, active from then on, and ended for
good by /unlink from either side; a link still pending after LINK_PENDING has
lapsed and blocks nothing.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
CODE_VALID = timedelta(hours=24)
LINK_PENDING = timedelta(hours=24)
#: How many of a linked community's open needs and skills /federation shows.
TOP_NEEDS = 3
TOP_SKILLS = 8

_TYPED_FOR = {"O": "0", "I": "1", "L": "1"}


def new_code(choose: Callable[[str], str] = secrets.choice) -> str:
    """A fresh code, as the bot reads it (no separator)."""
    return "".join(choose(ALPHABET) for _ in range(CODE_LENGTH))


def shown(code: str) -> str:
    """The code as it is shown to be typed: two groups of five."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def read_code(text: str) -> str | None:
    """The code in what a member typed, or None when it cannot be one."""
    letters = "".join(text.split()).replace("-", "").upper()
    code = "".join(_TYPED_FOR.get(c, c) for c in letters)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


class CodeState(enum.StrEnum):
    """Mirrors models.CodeState (rules may not import models; a test checks they agree)."""

    ACTIVE = "active"
    USED = "used"
    REPLACED = "replaced"


class CodeProblem(enum.Enum):
    UNKNOWN = "unknown"
    USED = "used"
    REPLACED = "replaced"
    EXPIRED = "expired"
    OWN = "own"


def code_problem(
    state: CodeState | None, expires_at: datetime | None, now: datetime, *, own: bool
) -> CodeProblem | None:
    """Why a code cannot start a link now (None: it can). ``state`` None: no such code."""
    if state is None or expires_at is None:
        return CodeProblem.UNKNOWN
    if state is CodeState.USED:
        return CodeProblem.USED
    if state is CodeState.REPLACED:
        return CodeProblem.REPLACED
    if now >= expires_at:
        return CodeProblem.EXPIRED
    if own:
        return CodeProblem.OWN
    return None


class Side(enum.Enum):
    INVITER = "inviter"
    INVITEE = "invitee"


class Phase(enum.StrEnum):
    """Mirrors models.LinkState."""

    PENDING = "pending"
    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True)
class Link:
    phase: Phase
    confirmed: frozenset[Side]
    expires_at: datetime

    def lapsed(self, now: datetime) -> bool:
        return self.phase is Phase.PENDING and now >= self.expires_at

    def blocks_another(self, now: datetime) -> bool:
        """Whether this link keeps the same two communities from starting another one."""
        return self.phase is Phase.ACTIVE or (self.phase is Phase.PENDING and not self.lapsed(now))


def requested(now: datetime) -> Link:
    """The link a code starts: the invitee has confirmed by typing it."""
    return Link(Phase.PENDING, frozenset({Side.INVITEE}), now + LINK_PENDING)


class Press(enum.Enum):
    ACTIVATED = "activated"
    WAITING = "waiting"
    ALREADY = "already"
    LAPSED = "lapsed"
    ENDED = "ended"


def confirm(link: Link, side: Side, now: datetime) -> tuple[Link, Press]:
    """A member of ``side`` confirms: the link, and what the press did."""
    if link.phase is Phase.ENDED:
        return link, Press.ENDED
    if link.phase is Phase.ACTIVE or side in link.confirmed:
        return link, Press.ALREADY
    if link.lapsed(now):
        return link, Press.LAPSED
    confirmed = link.confirmed | {side}
    if confirmed == frozenset(Side):
        return replace(link, phase=Phase.ACTIVE, confirmed=confirmed), Press.ACTIVATED
    return replace(link, confirmed=confirmed), Press.WAITING
