"""Duty use cases: /duty new|edit|pause|end, /duties, /schedule, and assigning shifts ahead."""

from __future__ import annotations

from handlers.core.registry import Feature

feature = Feature("duties")
