"""Polls: /poll in every form, the voting buttons, /close, /block, and the deadline,
early-close and reminder jobs.

Where things are: ``use_cases`` (commands, buttons, jobs, the close),
``outcomes`` (/outcome: what a closed poll decided, with its rule in
``outcome_rules``),
``consent`` (a block's reason: /block and replies), ``followup`` (what
follows any change of a ballot), ``voting`` (who may vote, a press applied,
the count, the early-close check), ``blocks`` (block reasons, secret like
the ballots), ``answers`` (meeting answers, open), ``parsing`` and ``slots``
(reading /poll and time slots), ``views`` (texts, buttons, the chart),
``rules`` (pure: presses, when everyone has voted); the counting rules are in
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
- **Live display**: the poll message shows each option's count as it
  stands (a ranked poll's first choices, said to be only that; a meeting
  slot's yes / maybe / no) and the ballots cast. ``/poll hidden …`` (any
  kind) shows only the ballots cast until the close, for those who fear a
  running score nudges late voters. Private ballots and callback answers
  show only the reader's own vote, for every poll, so nothing shows a hidden
  poll's counts before its result. (Until the hidden form came, every poll
  was shown the hidden way; the form is what lets the default show counts.)
  The group message is edited by every press that changes a count or the
  ballots cast, in the group or in private; the sender coalesces the edits.
- **Early close**: a poll closes by itself as soon as every voter of its
  electorate still on the roster has voted ("closed early: everyone has
  voted"), unless opened with ``| keep-open``. A press that casts a ballot
  checks whether it was the last one missing (on PostgreSQL the casts of one
  poll take an advisory lock in turn there, or two last votes at once would
  each miss the other's); if so it schedules ``poll.everyone_voted``, which
  decides again under the poll's exclusive lock (the one /close and the
  deadline take) and closes it once. A voter leaving the roster schedules
  the same check. The deadline and reminder jobs are then cancelled.
- **Pressing**: single choice — another option moves the vote, the same one
  withdraws it; approval — each press toggles an option, removing the last
  one withdraws the ballot; ranked — presses append to your ranking, an
  option already ranked is left where it is, "Clear my ranking" starts over;
  consent — Agree / Abstain / Disagree like single choice, Block asks for a
  reason (see ``consent``) and counts only once it has one; meeting — Yes /
  Maybe / No per slot, the same again clears it, and the ballot counts as
  cast once every slot has an answer. Any ballot can also be built in a
  private chat ("Vote/Rank/Answer privately"), where the buttons show your
  own marks; this needs the voter to have started the bot.
- **Consent** passes with quorum, no block and more agree than disagree; the
  result names the rule that decided ("Blocked: 1 block", "Passed: no
  blocks, 5 agree vs 1 disagree", "Not passed: no quorum") and lists the
  reasons, sorted, without names.
- **Meeting polls are not secret**: their answers name the member
  (``poll_slot_answers``), never the ballot box, which they do not have (no
  key). Slots are read in the community's zone and shown in the reader's
  language; the result ranks slots by yes, then maybe (level slots tie) and
  names who can come to the best ones. No quorum: they decide no question.
- **Private copies follow the poll**: the ballot asked for and the 24-hour
  reminder are copies named ``ballot:<poll id>`` in the voter's chat. Every
  change of the voter's ballot, wherever made, edits all of them, and the
  close turns each into the voter's vote and the result, without buttons.
- **Reading /poll** (question, options, kind words, hidden, deadline,
  keep-open, slots) is in ``parsing`` and ``slots``, functions with no database.
- **Deadline**: a job closes the poll at the deadline; another reminds,
  24 hours before, members who have not voted and have started the bot
  (polls shorter than a day get no reminder).
- **Quorum** is the community setting ``quorum`` (share 0..1), copied into
  the poll when it opens so changing it cannot alter a running vote.
- **Result**: totals, percentages, turnout and validity as text, plus a
  chart: bars (single choice, approval; ranked polls show the final round,
  with eliminated options marked "out"), a stacked bar (consent) or a slot ×
  answer grid (meeting). Single-choice and approval percentages are of
  ballots (approval ones need not add up to 100); ranked polls list every
  instant-runoff round.
- Individual presses are not written to the audit log, nor are blocks and
  their reasons: the log is public, and who voted (let alone how) is never
  published. Opening, early closing, reminders and every result are logged.
"""

from handlers.polls import outcomes
from handlers.polls.use_cases import feature

feature.include(outcomes.feature)  # /outcome comes after the poll's own commands in the menu

__all__ = ["feature"]
