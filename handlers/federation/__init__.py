"""federation."""

from handlers.federation.use_cases import feature

__all__ = ["feature"]
