"""Skills: who can teach what, who wants to learn it, and teaching sessions, so that no
skill stays in one person's hands.

Where things are: ``registry`` (/skill have|learn|drop|alias, /skills, /whoknows, and the
group told when a skill's only holder leaves), ``sessions`` (/teach, sign-up and waitlist,
reminders, "did you learn it?"), ``digest`` (the weekly digest); ``rules`` (normalising
names, matching, pairing learners with holders: pure), ``queries`` and ``views``.
"""

from handlers.core.registry import Feature
from handlers.skills import digest, registry, sessions

feature = Feature("skills").include(registry.feature, sessions.feature, digest.feature)

__all__ = ["feature"]
