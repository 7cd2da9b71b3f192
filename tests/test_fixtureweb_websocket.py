"""The fixture web's WebSocket upgrade (RFC 6455, server side): the handshake, server frames, refusals.

A raw TCP client speaks to the plain-HTTP server (no browser): the flood host's ``/flux`` answers ``101``
with the ``Sec-WebSocket-Accept`` of the RFC's own example, then pushes its messages as unmasked text
frames; a request that is no handshake gets ``400``. The browser side is in ``test_hostile_resources``.
"""

from __future__ import annotations

import json
import socket
import struct

import fixtureweb_hostile as hostile
import pytest

from auditor.fixtureweb import FixtureWeb
from auditor.fixtureweb.websocket import OP_CLOSE, OP_TEXT, accept_key, frame, upgrade_error

RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
"""The client key of RFC 6455 §1.3, whose accept value the RFC gives: ``s3pPLMBiTxaQ9kYGzzhZRbK+xOo=``."""


def test_accept_key_is_the_rfc_example() -> None:
    assert accept_key(RFC_KEY) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.mark.parametrize(
    ("size", "header"),
    [(5, b"\x81\x05"), (200, b"\x81\x7e\x00\xc8"), (70000, b"\x81\x7f" + struct.pack("!Q", 70000))],
)
def test_frames_use_the_three_length_encodings_unmasked(size: int, header: bytes) -> None:
    data = frame(OP_TEXT, b"a" * size)
    assert data.startswith(header) and data.endswith(b"a" * size) and len(data) == len(header) + size


def test_upgrade_error_names_what_is_missing() -> None:
    good = {"upgrade": "websocket", "connection": "keep-alive, Upgrade", "sec-websocket-version": "13"}
    assert upgrade_error("GET", {**good, "sec-websocket-key": RFC_KEY}) is None
    assert upgrade_error("POST", {**good, "sec-websocket-key": RFC_KEY}) == "a WebSocket handshake is a GET"
    short = upgrade_error("GET", {**good, "sec-websocket-key": "c2hvcnQ="})
    assert short == "Sec-WebSocket-Key is not 16 bytes in base64"
    assert upgrade_error("GET", {**good, "sec-websocket-key": "%%%"}) == "Sec-WebSocket-Key is not base64"
    assert upgrade_error("GET", {**good, "sec-websocket-version": "8", "sec-websocket-key": RFC_KEY}) is not None


def _connect(web: FixtureWeb, headers: str) -> tuple[socket.socket, bytes, bytes]:
    """Send a request to ``/flux`` of the flood host; return the socket, the response head and what followed it."""
    client = socket.create_connection(("127.0.0.1", web.http_port), timeout=10)
    client.sendall(f"GET /flux HTTP/1.1\r\nHost: {hostile.WEBSOCKET_FLOOD_HOST}\r\n{headers}\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        assert chunk, f"the server closed the connection after {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return client, head, rest


def _read_frame(client: socket.socket, buffer: bytes) -> tuple[int, bytes, bytes]:
    """(opcode, payload, what is left of ``buffer``) of the next server frame."""

    def need(count: int) -> None:
        nonlocal buffer
        while len(buffer) < count:
            chunk = client.recv(65536)
            assert chunk, "the connection ended inside a frame"
            buffer += chunk

    need(2)
    first, second = buffer[0], buffer[1]
    assert first & 0x80 and not second & 0x80  # final, unmasked (server frames are never masked)
    size, offset = second & 0x7F, 2
    if size == 126:
        need(4)
        size, offset = struct.unpack("!H", buffer[2:4])[0], 4
    elif size == 127:
        need(10)
        size, offset = struct.unpack("!Q", buffer[2:10])[0], 10
    need(offset + size)
    return first & 0x0F, buffer[offset : offset + size], buffer[offset + size :]


def test_the_flood_socket_upgrades_and_pushes_every_message(fixture_web: FixtureWeb) -> None:
    handshake = (
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {RFC_KEY}\r\n"
    )
    client, head, buffer = _connect(fixture_web, handshake)
    with client:
        lines = head.decode("latin-1").split("\r\n")
        assert lines[0].startswith("HTTP/1.1 101")
        fields = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
        assert fields["upgrade"].lower() == "websocket" and fields["connection"].lower() == "upgrade"
        assert fields["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        numbers = []
        for _ in range(hostile.FLOOD_MESSAGES):
            opcode, payload, buffer = _read_frame(client, buffer)
            assert opcode == OP_TEXT
            numbers.append(json.loads(payload)["n"])
        assert numbers == list(range(hostile.FLOOD_MESSAGES))
        # Then silence: the socket is held open until the client leaves. A close frame from us ends it.
        client.sendall(bytes([0x80 | OP_CLOSE, 0x80 | 2]) + b"\0\0\0\0" + struct.pack("!H", 1000))
        opcode, payload, _ = _read_frame(client, buffer)
        assert (opcode, payload) == (OP_CLOSE, struct.pack("!H", 1000))
        assert client.recv(1) == b""  # and the server dropped the connection


def test_a_request_that_is_no_handshake_gets_400(fixture_web: FixtureWeb) -> None:
    client, head, _ = _connect(fixture_web, "Connection: close\r\n")
    with client:
        assert head.startswith(b"HTTP/1.1 400")
