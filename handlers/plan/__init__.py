"""The plan: what the community decided to do, who took each item, and how it went.

``use_cases`` holds /plan, /take, /progress and /done; ``rules`` says when
an item may be taken over; ``queries`` reads an item's activity; ``views``
makes the plan's lines.
"""

from handlers.plan.use_cases import feature

__all__ = ["feature"]
