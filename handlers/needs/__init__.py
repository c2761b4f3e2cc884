"""Needs: what the community lacks, supported by members and adopted into the plan by vote.

``use_cases`` holds /need, /needs, /adopt, the Support button and what an
adoption vote's close does; ``queries`` counts supporters; ``views`` makes
the need's card.
"""

from handlers.needs.use_cases import feature

__all__ = ["feature"]
