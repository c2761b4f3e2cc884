"""fund."""

from handlers.fund.use_cases import feature

__all__ = ["feature"]
