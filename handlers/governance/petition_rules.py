"""Petitions: thresholds and progress notices as pure functions."""
