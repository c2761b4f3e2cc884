"""The common fund, what plan items cost and participatory budget rounds.

Where things are: ``ledger`` (/fund, /fund in|out|reverse, the poll that decides an "out"
above the limit, the ``currency`` and ``fund_limit`` settings), ``costs`` (/cost),
``budgets`` (/budget, private ballots, the close that funds items); ``money`` (reading and
showing amounts: Decimal and Babel, pure), ``rules`` (balance, limit, reversals, ballots,
funding order: pure), ``queries`` and ``views``.

Decisions worth knowing before changing this package:

- **Money is never a float.** Members' text becomes a ``Decimal`` (``money.parse_amount``
  says what is accepted), stored as whole minor units beside its currency; Babel writes it
  in each reader's language (``€1,250.50``, ``1 250,50 €``).
- **One currency per community**: ``/setup currency=RUB`` (ISO 4217, checked against the
  currencies Babel knows to be in use; default EUR, since neither the language nor the time
  zone says which currency a building uses). It cannot change once an entry, a cost or a
  round keeps an amount: amounts are never added across currencies.
- **Append-only**: an entry is written once; a mistake is fixed by ``/fund reverse N``, an
  entry of the opposite amount pointing at N. An entry is reversed at most once; a reversal
  and a round's commitment are never reversed.
- **The limit** (``/setup fund_limit=500``, default 100): an "out" above it waits as pending
  for a yes/no poll the bot opens (nobody can close it early, not even who asked), and is
  recorded only if it passes. An out the fund cannot pay from its free money is refused; so
  is a round larger than the free money. Pending outs and a running round hold their money,
  so a passed poll and a round's winners always find it.
- **Budget rounds**: the ballot is the open costed plan items at the opening (their costs
  frozen until the close); who may pick is fixed then. A ballot never goes over the round's
  amount. At the close items are funded greedily by support (ties: cheaper, then older),
  skipping any that no longer fit; each funded item gets a commitment entry and its cost is
  marked funded. An out charged to a funded item (``/fund out 120 Paint | 3``) is paid from
  its commitment and needs no poll, up to what is left of it.
- **Picks are private**: nobody else is ever shown who picked what. While the round runs the
  picks are stored by voter (so each can change theirs, as poll ballots are while a poll is
  open); the close erases them in its own transaction and keeps only the support per item.
"""

from handlers.core.registry import Feature
from handlers.fund import budgets, costs, ledger

feature = Feature("fund").include(ledger.feature, costs.feature, budgets.feature)

__all__ = ["feature"]
