"""Governance: roles with short terms, elections, recall petitions and votes, rule petitions
and the rule book. Every mandate is temporary, visible and revocable.

Where things are: ``roles`` (/roles, /role new, /resign, terms ending), ``elections``
(/elect, /nominate, the nomination phase, the secret vote, seats taken), ``petitions``
(/recall, /sign, /unsign, signatures, progress notices, the votes they open), ``rulebook``
(/petition, /rules, rules adopted, amended, repealed); ``rules`` (role names and terms, term limits,
who may stand, winners, tie-breaks: pure), ``queries`` and ``views``.

Roles and elections offer the rest of governance (the decisions behind them are in the
docstrings of ``roles``, ``elections`` and ``rules``):

- ``elections.open_election(work, community, role, *, seats, reason, opened_by=None)``
  opens an election (or adds the seats to the role's election taking nominations) and
  announces it; ``reason`` "recall" after a recall vote passed.
- ``roles.current_terms(session, community, *, user_id=None)``: the seats held now, each a
  ``Term`` (``session.get(Role, term.role_id)`` gives its role).
- ``roles.end_term(work, community, role, term, reason)``: ends a locked term for a
  ``TermEnd`` reason — logged, told to the group, the election for the seat opened. A caller
  may instead set ``ended_at``/``end_reason`` itself: the term's end job then does nothing.
- ``queries.holders(session, role)``, ``queries.role_keyed(session, community, key)`` with
  ``rules.role_key(name)``: who holds a role, a role by the name members write.
"""

from handlers.core.registry import Feature
from handlers.governance import elections, petitions, roles, rulebook

feature = Feature("governance").include(
    roles.feature, elections.feature, petitions.feature, rulebook.feature
)

__all__ = ["feature"]
