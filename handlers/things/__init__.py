"""things."""

from handlers.things.use_cases import feature

__all__ = ["feature"]
