"""The features Courtyard runs, handed to the app explicitly.

Their order is the order of their commands in /help and the command menu.
"""

from __future__ import annotations

from handlers import community, duties, needs, plan, polls, problems, skills
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
    ]
