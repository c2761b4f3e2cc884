"""Skills: digest (being written)."""

from __future__ import annotations

from handlers.core.registry import Feature

feature = Feature("skills.digest")
