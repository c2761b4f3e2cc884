"""public."""

from handlers.public.use_cases import feature

__all__ = ["feature"]
