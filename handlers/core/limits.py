"""Telegram's limits, named once (as PTB's ``telegram.constants`` does for its users).

The message-size limits come from the Bot API reference; the flood limits are not in it, only
in the Bots FAQ (about 30 messages a second per bot, 20 a minute per group, about one a second
per private chat), and Telegram enforces them by answering 429.
"""

from __future__ import annotations

from typing import Final

#: Characters of a message's text, after entities are parsed.
MESSAGE_TEXT: Final = 4096
#: Characters of a photo's or document's caption.
CAPTION: Final = 1024
#: Bytes (UTF-8) of a button's callback_data.
CALLBACK_DATA_BYTES: Final = 64
#: Characters of the text answering a button press.
CALLBACK_ANSWER: Final = 200
#: Characters of a command's name, and of its description in the menu.
COMMAND_NAME: Final = 32
COMMAND_DESCRIPTION: Final = 256
#: Inline keyboard buttons in all, and per row.
INLINE_BUTTONS: Final = 100
BUTTONS_PER_ROW: Final = 8
#: Flood limits (Bots FAQ).
MESSAGES_PER_SECOND: Final = 30
#: What the sender keeps to by default: a little under Telegram's limit, so that requests
#: bunched on their way (network jitter) still arrive within it.
SEND_PER_SECOND: Final = 29
GROUP_MESSAGES_PER_MINUTE: Final = 20
PRIVATE_MESSAGES_PER_SECOND: Final = 1
#: Bytes of a file a bot may send (sendDocument, multipart upload).
DOCUMENT_BYTES: Final = 50 * 1024 * 1024
