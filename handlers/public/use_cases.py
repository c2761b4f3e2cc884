"""public: use cases."""

from __future__ import annotations

from handlers.core.registry import Feature

feature = Feature("public")
