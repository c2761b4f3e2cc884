"""The rules of competing proposals: what a ranked vote among them decided, and their ballot.

Pure (no database, no I/O). A need with proposals is put to a ranked vote
(instant runoff, ``handlers.core.tally``) whose options are the proposals,
in their order, then "not now". Option ``i`` below ``proposals`` is proposal
number ``i + 1``; option ``proposals`` is "not now".
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from handlers.core.outcome import Outcome

#: A ranked poll has at most ten options (one keycap per rank) and one of them is "not now".
MAX_PROPOSALS = 9
#: What a poll option may hold: it must fit a button.
OPTION_CHARS = 40
#: How much of a proposal a need's card and /needs show, so nine of them fit one message.
PREVIEW_CHARS = 150


class Verdict(enum.Enum):
    ADOPTED = "adopted"  # a proposal won: it becomes the plan item
    NOT_NOW = "not_now"  # "not now" won: the need stays open
    TIE = "tie"  # no single winner
    NO_QUORUM = "no_quorum"  # too few voted for the result to count
    NO_VOTES = "no_votes"  # nobody ranked anything


@dataclass(frozen=True, slots=True)
class Decision:
    """What the vote decided; ``proposal`` is the winning proposal's number when ADOPTED,
    ``tied`` the options level at the top (proposal numbers, 0 for "not now") on a TIE."""

    verdict: Verdict
    proposal: int | None = None
    tied: tuple[int, ...] = ()


def decide(outcome: Outcome, proposals: int) -> Decision:
    """What the ranked vote among ``proposals`` proposals and "not now" decided.

    Nobody voting comes first, then the quorum: without it even a clear
    winner decides nothing. A tie (the runoff found no single winner) leaves
    the need open, as "not now" does.
    """
    if not 0 < proposals < len(outcome.counts) or len(outcome.counts) != proposals + 1:
        raise ValueError(f"{len(outcome.counts)} options cannot be {proposals} proposals + 1")
    if not outcome.winners:
        return Decision(Verdict.NO_VOTES)
    if not outcome.valid:
        return Decision(Verdict.NO_QUORUM)
    winner = outcome.winner
    if winner is None:
        return Decision(
            Verdict.TIE, tied=tuple(proposal_number(i, proposals) for i in outcome.winners)
        )
    if winner == proposals:
        return Decision(Verdict.NOT_NOW)
    return Decision(Verdict.ADOPTED, proposal=winner + 1)


def proposal_number(option: int, proposals: int) -> int:
    """The proposal an option stands for: its number, or 0 for "not now"."""
    return 0 if option == proposals else option + 1


def ballot_options(texts: Sequence[str], not_now: str) -> list[str]:
    """The options of the ranked vote: each proposal's text cut to fit a button, then ``not_now``.

    Options must differ (ignoring case) and proposals may begin alike: when
    two cut texts (or one and "not now") meet, every proposal is told apart
    by its number in front ("#2 Paint the fence gre…"), which no two share.
    """
    cut = [shorten(" ".join(text.split()), OPTION_CHARS) for text in texts]
    if len({option.casefold() for option in (*cut, not_now)}) <= len(cut):
        cut = [
            shorten(f"#{number} " + " ".join(text.split()), OPTION_CHARS)
            for number, text in enumerate(texts, 1)
        ]
    return [*cut, not_now]


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (as the polls cut a question)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
