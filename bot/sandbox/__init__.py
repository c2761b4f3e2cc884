"""The local sandbox: a Telegram Bot API emulator that real aiogram and PTB bots talk to.

Tests and the sandbox web page drive the humans through :class:`Emulator`'s scenario API;
see :mod:`bot.sandbox.emulator`.
"""

from bot.sandbox.emulator import Emulator
from bot.sandbox.emulator_api import ApiCall
from bot.sandbox.emulator_models import (
    EmuCallbackAnswer,
    EmuChat,
    EmuDocument,
    EmulatorError,
    EmuMessage,
    EmuUser,
)
from bot.sandbox.emulator_state import FailedCall

__all__ = [
    "ApiCall",
    "EmuCallbackAnswer",
    "EmuChat",
    "EmuDocument",
    "EmuMessage",
    "EmuUser",
    "Emulator",
    "EmulatorError",
    "FailedCall",
]
