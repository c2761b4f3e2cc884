"""Governance: roles with short terms, elections, recall petitions and votes, rule petitions
and the rule book. Every mandate is temporary, visible and revocable.

Where things are: ``roles`` (/roles, /role new, /resign, terms ending), ``elections``
(/elect, /nominate, the nomination phase, the secret vote, seats taken), ``petitions``
(/recall, /petition, signatures, progress notices, the votes they open), ``rulebook``
(/rules, rules adopted, amended, repealed); ``rules`` (thresholds, term limits, tie-breaks:
pure), ``queries`` and ``views``.
"""

from handlers.core.registry import Feature
from handlers.governance import elections, petitions, roles, rulebook

feature = Feature("governance").include(
    roles.feature, elections.feature, petitions.feature, rulebook.feature
)

__all__ = ["feature"]
