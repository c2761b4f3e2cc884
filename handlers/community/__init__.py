"""Community basics: set-up, the roster, kinds, languages, help and the public log.

``use_cases`` holds the commands, buttons and events; ``rules`` reads the
settings /setup is given; ``queries`` puts people on and off the roster;
``views`` makes the texts and buttons.
"""

from handlers.community.use_cases import feature

__all__ = ["feature"]
