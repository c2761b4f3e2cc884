"""Duties: security watch and chores that rotate through everyone, with reliable reminders."""
