"""Typed SQLAlchemy models, the engine/session factory and Alembic migrations.

Importing this package registers every table on ``Base.metadata`` so that
Alembic and the tests see the whole schema.
"""

from models.base import Base
from models.community import AuditEntry, Community, Member, MemberKind, User
from models.duties import (
    Away,
    Duty,
    DutyState,
    Shift,
    ShiftOutcome,
    ShiftPerson,
    SwapRequest,
    SwapState,
)
from models.needs import (
    Need,
    NeedStatus,
    NeedSupport,
    NoteKind,
    PlanItem,
    PlanNote,
    PlanStatus,
    Problem,
    ProblemStatus,
)
from models.polls import (
    Availability,
    BlockReason,
    Participation,
    Poll,
    PollKind,
    PollVoter,
    SecretBallot,
    SlotAnswer,
)
from models.scheduling import Job, JobState, OutboxMessage, OutboxState, PostedMessage
from models.skills import (
    MemberSkill,
    SessionSeat,
    Skill,
    SkillAlias,
    Stance,
    TeachingSession,
)

__all__ = [
    "AuditEntry",
    "Availability",
    "Away",
    "Base",
    "BlockReason",
    "Community",
    "Duty",
    "DutyState",
    "Job",
    "JobState",
    "Member",
    "MemberKind",
    "MemberSkill",
    "Need",
    "NeedStatus",
    "NeedSupport",
    "NoteKind",
    "OutboxMessage",
    "OutboxState",
    "Participation",
    "PlanItem",
    "PlanNote",
    "PlanStatus",
    "Poll",
    "PollKind",
    "PollVoter",
    "PostedMessage",
    "Problem",
    "ProblemStatus",
    "SecretBallot",
    "SessionSeat",
    "Shift",
    "ShiftOutcome",
    "ShiftPerson",
    "Skill",
    "SkillAlias",
    "SlotAnswer",
    "Stance",
    "SwapRequest",
    "SwapState",
    "TeachingSession",
    "User",
]
