"""Polls: /poll, the voting buttons, /close, and the deadline and reminder jobs.

Where things are: ``use_cases`` (commands, buttons, jobs, the close),
``outcomes`` (/outcome: what a closed poll decided, with its rule in
``outcome_rules``),
``voting`` (who may vote, a press applied, the count), ``parsing`` (reading
/poll), ``views`` (texts, buttons, the chart); the counting rules are in
``handlers.core.tally``, shared with every feature that decides by vote.

Decisions worth knowing before changing this module:

- **Who may vote** is fixed when a poll opens: the active roster is copied
  into ``poll_voters``. A voter must be on that list *and* still on the
  roster when pressing; ballots of people who left afterwards still count.
- **One ballot row per voter** (primary key poll, voter). Every press locks
  that row (``FOR UPDATE``) and rewrites it, a first press inserts it with
  ``ON CONFLICT DO NOTHING`` and retries on top of a concurrent insert, and
  voters hold a share lock on the poll row that /close and the deadline job
  take exclusively, so no vote lands after the count. Totals stay exact
  with any number of concurrent presses, on PostgreSQL as on SQLite.
- **Live display**: the poll message shows only how many ballots were cast
  (of how many voters), for every kind of poll. Per-option counts appear
  only in the result: a running score nudges late voters towards the
  leader, and for ranked ballots it would be meaningless before the
  runoff. It also keeps edits cheap: the message is edited only when a
  press adds or withdraws a ballot, never when a vote merely moves.
  The live count is refreshed by every press that changes it, in the group
  or in private, and the close takes the buttons off.
- **Pressing**: single choice — another option moves the vote, the same one
  withdraws it; approval — each press toggles an option, removing the last
  one withdraws the ballot; ranked — presses append to your ranking, an
  option already ranked is left where it is, "Clear my ranking" starts over.
  Any ballot can also be built in a private chat ("Vote/Rank privately"),
  where the buttons show your own marks; this needs the voter to have
  started the bot.
- **Private copies follow the poll**: the ballot asked for and the 24-hour
  reminder are copies named ``ballot:<poll id>`` in the voter's chat. Every
  change of the voter's ballot, wherever pressed, edits all of them, and the
  close turns each into the voter's vote and the result, without buttons.
- **Reading /poll** (question, options, kind word, deadline) is in
  ``parsing``, functions with no database.
- **Deadline**: a job closes the poll at the deadline; another reminds,
  24 hours before, members who have not voted and have started the bot
  (polls shorter than a day get no reminder).
- **Quorum** is the community setting ``quorum`` (share 0..1), copied into
  the poll when it opens so changing it cannot alter a running vote.
- **Result**: totals, percentages, turnout and validity as text, plus a bar
  chart. Single-choice percentages are of ballots; approval percentages are
  of ballots too (they need not add up to 100); ranked polls list every
  instant-runoff round, and their chart shows the final round, the one
  that decided, with eliminated options marked "out".
- Individual presses are not written to the audit log: the log is public,
  and who voted (let alone how) is never published. Opening, early
  closing, reminders and every result are logged.
"""

from handlers.polls import outcomes
from handlers.polls.use_cases import feature

feature.include(outcomes.feature)  # /outcome comes after the poll's own commands in the menu

__all__ = ["feature"]
