"""The server side of RFC 6455 WebSockets, just enough for the fixture web: the upgrade, then server frames.

An app answers a WebSocket upgrade with a :class:`~auditor.fixtureweb.server.Response` whose ``websocket``
is a :data:`SocketScript`: the server checks the request (:func:`upgrade_error`), answers ``101 Switching
Protocols`` with the ``Sec-WebSocket-Accept`` of :func:`accept_key`, and runs the script with a
:class:`ServerSocket` that sends unmasked server frames (RFC 6455 §5.1). Frames from the client are not
decoded: anything the client sends (its close frame) or the end of the connection ends the socket, which
is all a fixture that only talks needs. Nothing here is a general WebSocket implementation.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import select
import socket
import struct
import threading
from collections.abc import Callable, Mapping
from io import BufferedIOBase

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
"""The key suffix of RFC 6455 §1.3."""
OP_TEXT, OP_BINARY, OP_CLOSE = 0x1, 0x2, 0x8
"""Frame opcodes (RFC 6455 §5.2)."""
POLL = 0.2
"""Seconds between checks of the connection while a socket waits (:meth:`ServerSocket.hold`)."""


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key``: base64 of SHA-1 of the key and :data:`GUID`."""
    return base64.b64encode(hashlib.sha1((key.strip() + GUID).encode("ascii")).digest()).decode("ascii")


def upgrade_error(method: str, headers: Mapping[str, str]) -> str | None:
    """Why a request (lower-cased header names) is not a WebSocket opening handshake, or ``None`` when it is."""
    if method != "GET":
        return "a WebSocket handshake is a GET"
    if "websocket" not in headers.get("upgrade", "").lower():
        return "no Upgrade: websocket"
    if "upgrade" not in headers.get("connection", "").lower():
        return "no Connection: Upgrade"
    if headers.get("sec-websocket-version", "").strip() != "13":
        return "Sec-WebSocket-Version must be 13"
    key = headers.get("sec-websocket-key", "").strip()
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            return "Sec-WebSocket-Key is not 16 bytes in base64"
    except ValueError:
        return "Sec-WebSocket-Key is not base64"
    return None


def frame(opcode: int, payload: bytes) -> bytes:
    """One final, unmasked frame (server to client) carrying ``payload``."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return header + payload


class ServerSocket:
    """An upgraded connection, seen from the server: send frames, notice when the client leaves."""

    def __init__(self, connection: socket.socket, wfile: BufferedIOBase, stopping: threading.Event) -> None:
        self._connection = connection
        self._wfile = wfile
        self._stopping = stopping
        self.closed = False
        """Set once the client spoke (its close frame), left, or the fixture web is stopping."""
        self._broken = False
        """Set once a write failed (or the close frame went out): nothing more can be sent."""

    def _check(self, wait: float = 0.0) -> bool:
        """Whether the socket is still open, waiting up to ``wait`` s for the client to end it."""
        if self.closed or self._stopping.is_set():
            self.closed = True
            return False
        try:
            readable, _, _ = select.select([self._connection], [], [], wait)
        except (OSError, ValueError):
            readable = [self._connection]
        if readable:
            self.closed = True
        return not self.closed

    def send_text(self, text: str) -> bool:
        """Send a text message; ``False`` (nothing sent) once the socket is closed."""
        if not self._check():
            return False
        try:
            self._wfile.write(frame(OP_TEXT, text.encode("utf-8")))
        except OSError:
            self.closed = self._broken = True
            return False
        return True

    def hold(self) -> None:
        """Keep the socket open, sending nothing, until the client ends it or the fixture web stops."""
        while self._check(POLL):
            pass

    def close(self, code: int = 1000) -> None:
        """Send a close frame with ``code``, also in answer to the client's (the server then drops the connection)."""
        self.closed = True
        if self._broken:
            return
        self._broken = True  # one close frame at most
        with contextlib.suppress(OSError):
            self._wfile.write(frame(OP_CLOSE, struct.pack("!H", code)))
            self._wfile.flush()


SocketScript = Callable[[ServerSocket], None]
"""What the server side of an upgraded connection does; it runs in the connection's worker thread."""
