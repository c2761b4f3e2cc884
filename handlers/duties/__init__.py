"""Duties: security watch and chores that rotate through everyone, with reliable reminders.

Where things are: ``use_cases`` (/duty new|edit|pause|end, /duties, /schedule and the job
that assigns shifts ahead), ``reminders`` (24 h and 1 h reminders, "I'm on it", the
escalation, /cover, the record after a shift), ``swaps`` (/swap and its answers, /away),
``standing`` (/mine, /fairness), ``calendar`` (/ical); ``rules`` (recurrence, rotation,
quiet hours: pure), ``queries`` and ``views``.
"""

from handlers.core.registry import Feature
from handlers.duties import calendar, reminders, standing, swaps, use_cases

feature = Feature("duties").include(
    use_cases.feature, reminders.feature, swaps.feature, standing.feature, calendar.feature
)

__all__ = ["feature"]
