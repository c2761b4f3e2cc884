"""Duties: reminders (being written)."""

from __future__ import annotations

from handlers.core.context import Work
from handlers.core.registry import Feature
from models import Shift

feature = Feature("duties.reminders")


def schedule_for(work: Work, shift: Shift) -> None:
    """Schedule what a new shift needs: its reminders and its record (the planner calls this)."""
