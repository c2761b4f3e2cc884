"""Things: the ledger of shared tools and materials — hand-overs, never payments.

Decisions worth knowing:
- A thing is found by its number (``3``, ``#3``) or its name in any case, width or spacing;
  ``/thing add`` with a name the store already has adds units to that thing. A unit may be
  part of the name ("Cement bags | 10"). A name that is only a number is refused (``3``
  always means thing #3).
- ``/lend THING @user`` hands one unit from the store to a member on the roster (oneself
  included); what is not in the store cannot be lent, whoever holds it.
- ``/return THING`` brings back everything the sender holds of it. Any member may record a
  return for a holder, ``/return THING @user``, even one who has left the roster; the reply
  and the log say who recorded it.
- ``/give THING QUANTITY | PLAN_ID`` uses units from the store for an open plan item, for
  good; never from someone's hands.
- store + held + used always equals everything ever added (``rules``, property-tested).

Where things are: ``use_cases`` (the commands), ``rules`` (names, quantities and the stock
arithmetic: pure), ``queries`` (reading the ledger, writing a move), ``views`` (its lines).
"""

from handlers.things.use_cases import feature

__all__ = ["feature"]
