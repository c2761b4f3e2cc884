"""Public: a community's read-only web page (opt-in) and exports of the same data.

Where things are: ``use_cases`` (the ``public`` setting of /setup, the address it posts,
/export), ``snapshot`` (what is public, gathered from the models into plain values: one
gathering for the page, the JSON and the CSV files), ``export`` (those files), ``rules``
(exact money, random addresses, spreadsheet-safe cells: pure). The page itself is served
by ``bot.web``: the core may not import aiohttp or Jinja2.

Decisions worth knowing:
- Opt-in: a community has no page until an admin says ``/setup public=on``. The address is
  ``PUBLIC_URL/public/SLUG`` with a random 128-bit slug kept in ``Community.settings``
  (never derived from the chat id, so a page cannot be found from the chat; it survives a
  group's migration to a supergroup). ``public=off`` takes the page down (404, the same as
  for an address nobody has) and keeps the slug, so a printed link works again when the
  page comes back on.
- People are their display names, nothing else: no Telegram id, no username (a username is
  a way to reach someone on Telegram, which a public page must not hand to strangers), no
  mention links; a name that is only digits (Telegram's fallback for a nameless account) is
  "a member". Polls give totals only (``Poll.result``) and budget rounds a count of picks
  per item once closed; nothing says who voted for what, nor even who voted.
- The audit log is rendered in the reader's language with the features' templates; the
  exports carry its text, not its raw details.
- /export (any member, in the group) sends everything as one document: JSON by default,
  ``/export csv`` a zip with a CSV per section (one file instead of nine messages). It runs
  in the update's transaction, so it is kept cheap: indexed reads, files made in memory.
  The page reads in a session of its own that holds up no writer.
"""

from handlers.public.use_cases import feature

__all__ = ["feature"]
