"""Elections: /elect, /nominate, the nomination phase, the secret vote, seats taken.

``open_election`` is how every part of governance opens one (a term's end, a
resignation, a recall that passed, a new role, /elect).
"""

from __future__ import annotations

from datetime import timedelta

from handlers.core.context import Work
from handlers.core.i18n import N_
from handlers.core.numbering import add_numbered
from handlers.core.registry import Feature
from models import Community, Election, ElectionPhase, Role

feature = Feature("governance.elections")
feature.audit(
    "election.opened", N_("Election #{number} for {role} opened ({seats} seats): {reason}")
)

NOMINATION_PHASE = timedelta(hours=24)


async def open_election(
    work: Work,
    community: Community,
    role: Role,
    *,
    seats: int,
    reason: str,
    opened_by: int | None = None,
) -> Election:
    """Open the nomination phase of an election for ``seats`` seats of ``role``.

    ``reason`` is one of "term_end", "resignation", "recall", "new_role",
    "member"; ``opened_by`` the member who ran /elect (None: the bot).
    """
    election = Election(
        community_id=community.id,
        role_id=role.id,
        seats=seats,
        phase=ElectionPhase.NOMINATING,
        reason=reason,
        opened_by=opened_by,
        opened_at=work.now,
        nominations_close_at=work.now + NOMINATION_PHASE,
    )
    await add_numbered(work.session, election)
    work.audit(
        community,
        opened_by,
        "election.opened",
        number=election.number,
        role=role.name,
        seats=seats,
        reason=reason,
    )
    return election
