"""Tests of the sandbox: the Bot API emulator against raw HTTP, aiogram and PTB."""

from __future__ import annotations

import struct
import zlib


def tiny_png(width: int = 2, height: int = 3) -> bytes:
    """A valid RGB PNG of the given size: the emulator refuses photos it cannot decode."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
