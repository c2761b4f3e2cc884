"""Problem reports: what is broken, open until someone fixes it and says how.

``use_cases`` holds /report, /problems, /fixed and /reopen; ``views`` makes
the list's lines.
"""

from handlers.problems.use_cases import feature

__all__ = ["feature"]
