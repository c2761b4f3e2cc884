"""What a vote decided: the count of a closed poll, handed to the feature that asked.

Pure (no database, no I/O), so features that act on decisions — a need
adopted, an election won — read it without knowing how polls are stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.core import tally


@dataclass(frozen=True, slots=True)
class Outcome:
    """The count of a closed poll, as handed to close hooks.

    ``counts`` has one entry per option: votes (single choice), approvals
    (approval) or votes in the final instant-runoff round (ranked; 0 for
    options eliminated earlier). ``winners`` is the winner, or every option
    tied for first, or empty when nobody voted. ``valid`` says the quorum
    was met (always true without a quorum).

    ``passed`` is what a decision by vote needs: for a single-choice poll
    with exactly two options (yes/no style, "yes" first) it means option 0
    got strictly more votes than option 1 and the poll is valid; for a
    consent poll (``counts``: agree, abstain, disagree, blocks) that it is
    valid, nobody blocked and agree beat disagree (``tally.decide_consent``);
    for a meeting poll (``counts``: the yes per time slot) that one slot is
    best; for every other poll that the poll is valid and has a single winner.
    """

    ballots: int
    electorate: int
    quorum: float | None
    valid: bool
    passed: bool
    counts: tuple[int, ...]
    winners: tuple[int, ...]
    rounds: tuple[tally.Round, ...] = ()

    @property
    def winner(self) -> int | None:
        return self.winners[0] if len(self.winners) == 1 else None

    @property
    def turnout(self) -> float:
        return tally.turnout(self.ballots, self.electorate)

    def as_json(self) -> dict[str, Any]:
        return {
            "ballots": self.ballots,
            "electorate": self.electorate,
            "quorum": self.quorum,
            "valid": self.valid,
            "passed": self.passed,
            "counts": list(self.counts),
            "winners": list(self.winners),
            "rounds": [
                {
                    "counts": list(r.counts),
                    "eliminated": list(r.eliminated),
                    "exhausted": r.exhausted,
                }
                for r in self.rounds
            ],
        }
