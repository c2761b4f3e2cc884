"""The features Courtyard runs, handed to the app explicitly.

Their order is the order of their commands in /help and the command menu.
"""

from __future__ import annotations

from handlers import (
    community,
    duties,
    federation,
    fund,
    governance,
    needs,
    plan,
    polls,
    problems,
    public,
    skills,
    things,
)
from handlers.core.registry import Feature


def all_features() -> list[Feature]:
    return [
        community.feature,
        needs.feature,
        plan.feature,
        problems.feature,
        polls.feature,
        duties.feature,
        skills.feature,
        governance.feature,
        fund.feature,
        things.feature,
        federation.feature,
        public.feature,
    ]
