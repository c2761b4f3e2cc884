"""Needs: what the community lacks, supported by members and adopted into the plan by vote.

``use_cases`` holds /need, /needs, /propose, /adopt, the Support buttons and
what a vote's close does; ``rules`` decides a ranked vote among proposals
and makes its ballot (pure); ``queries`` counts supporters; ``views`` makes
the need's card and its lines in /needs.

Decisions worth knowing:

- **Proposals are numbered per need** (#3.1, #3.2), not per community: a
  proposal means nothing apart from its need, so its name says which need
  it belongs to, the numbers stay small, and proposal *n* is option *n* on
  the ballot that ranks them. No command takes a proposal's number alone.
- **With proposals, /adopt ranks them against "not now"** (instant runoff,
  ``subject=("proposals", need id)``, its own close hook): the winner
  becomes the plan item with its text, crediting its author; "not now", a
  tie, no quorum or no votes leave the need open and say which. Without
  proposals /adopt is the yes/no vote it always was (``("need", id)``).
- **The ballot is fixed while the vote runs**: /propose is refused on a need
  being voted on. At most nine proposals (a ranked poll has ten options,
  one is "not now"); a proposal's text is cut to 40 characters on its
  button, and to 150 on the card and in /needs, so nine fit one message.
- **Support** of a need or a proposal is one row per member (a unique pair),
  pressed again to withdraw; only people still on the roster count.
"""

from handlers.needs.use_cases import feature

__all__ = ["feature"]
