"""The plan: what the community decided to do, who took each item, and how it went.

``use_cases`` holds /plan, /take, /progress and /done; ``rules`` says when
an item may be taken over; ``queries`` reads an item's activity and the
outcome recorded for the vote that adopted it; ``views`` makes the plan's
lines: who proposed the way an item meets its need, and that outcome.
"""

from handlers.plan.use_cases import feature

__all__ = ["feature"]
