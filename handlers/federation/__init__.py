"""Federation: communities served by the same bot link up, see each other's open needs and
skills on offer, and answer each other's needs.

Decisions worth knowing:
- ``/link`` makes a one-time code (10 characters of Crockford base 32, shown ``K7QXM-2PD9R``,
  typed in any case, with or without the hyphen), valid 24 h; only its SHA-256 is stored; a
  new code of the same community replaces the old one; using it spends it.
- Typing ``/link CODE`` in the other community's group is that community's confirmation; a
  member of the code's community confirms with the "Confirm link with …" button posted in
  their group, within 24 h (then the request lapses and a new code starts again). A used,
  replaced, expired or own code, or a pair already linked or waiting, is refused with why.
- ``/federation`` lists active and waiting links, numbered 1, 2 … oldest first (the numbers
  ``/unlink N`` takes): for each active one its three most supported open needs (of how many)
  and up to eight skills with how many can teach them — never who.
- ``/share NEED_ID`` shows one of our needs, whatever its state, to every linked community it
  has not been shown to over the current link; each of their members may press "We can help"
  once, and our group is told their display name and community.
- ``/unlink N``: any member of either side, no vote (a link only lets two communities see and
  answer each other); both groups are told, both logs keep it; old "We can help" buttons stop.
- Across communities only titles, needs, skill names and counts, and display names travel:
  never a Telegram id (no mention links), a private chat or a vote. Entries in the other
  community's log carry no actor id.

Where things are: ``use_cases`` (commands and buttons), ``rules`` (codes and the
confirmation state machine: pure), ``queries`` (codes, links, and the needs and skills of a
linked community, read from their models), ``views`` (texts and buttons).
"""

from handlers.federation.use_cases import feature

__all__ = ["feature"]
