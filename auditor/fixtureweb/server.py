"""The HTTP(S) plumbing of the fixture web: a quiet threaded server that hands each request to an app.

An *app* is any callable taking a :class:`Request` and returning a :class:`Response`; the fixture web's
dispatcher (static sites plus dynamic handlers) is one. Servers bind ephemeral ports on 127.0.0.1 only.
TLS handshakes run in the worker threads (the listening socket is wrapped with
``do_handshake_on_connect=False``), and network errors from clients (aborted handshakes, resets,
broken pipes) are swallowed: they are normal for a browser and must not print tracebacks. A response
may accept a WebSocket upgrade instead (``Response.websocket``, :mod:`auditor.fixtureweb.websocket`).
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import socketserver
import ssl
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from auditor.fixtureweb.websocket import ServerSocket, SocketScript, accept_key, upgrade_error

LOG = logging.getLogger("auditor.fixtureweb")

MAX_BODY = 1 << 20
"""Largest request body read (1 MiB); larger bodies are refused with 413."""

HANDSHAKE_TIMEOUT = 10.0
"""Seconds a client gets to finish its TLS handshake."""

HOLD_POLL = 0.2
"""Seconds between checks of a held response's connection."""

IDLE_TIMEOUT = 60.0
"""Seconds an idle keep-alive connection is kept before its worker thread lets go."""


@dataclass(frozen=True)
class Request:
    """One HTTP request as the app sees it."""

    method: str
    scheme: str
    """``https`` or ``http``."""
    host: str
    """The ``Host`` header, lower-cased, without port."""
    path: str
    """The percent-decoded path, without the query string."""
    query: str
    """The raw query string (empty when there is none)."""
    headers: Mapping[str, str]
    """Request headers with lower-cased names (a repeated header keeps its last value)."""
    body: bytes = b""

    @property
    def target(self) -> str:
        """Path plus query, as requested."""
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies the browser sent, by name (an unparsable ``Cookie`` header gives what parsed)."""
        jar: SimpleCookie = SimpleCookie()
        for part in self.headers.get("cookie", "").split(";"):
            try:
                jar.load(part.strip())
            except CookieError:
                continue
        return {name: morsel.value for name, morsel in jar.items()}

    def arg(self, name: str) -> str | None:
        """The first value of query parameter ``name``, or ``None``."""
        values = parse_qs(self.query, keep_blank_values=True).get(name)
        return values[0] if values else None


@dataclass
class Response:
    """What the app answers. ``Content-Length`` and ``Cache-Control: no-store`` are added by the server."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/plain; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    """Extra headers, in order; repeat a name (``Set-Cookie``) to send it several times."""
    hold: bool = False
    """Announce ``len(body) + 1`` bytes, send ``body``, then keep the connection open without sending
    the rest until the server stops or the client leaves: a subresource that never completes."""
    websocket: SocketScript | None = None
    """Accept a WebSocket upgrade (``101``) and run this on the connection; a request that is no valid
    handshake gets ``400`` instead (:mod:`auditor.fixtureweb.websocket`). ``status`` and ``body`` are unused."""


App = Callable[[Request], Response]
"""A request handler: the fixture web's dispatcher is one."""


def _host_without_port(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8443
        return value.split("]", 1)[0] + "]"
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class _Handler(BaseHTTPRequestHandler):
    """Parses requests, calls the server's app, writes the response with a correct Content-Length."""

    protocol_version = "HTTP/1.1"
    server_version = "fixtureweb"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stalls
    server: FixtureServer

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(HANDSHAKE_TIMEOUT)
            self.request.do_handshake()
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log."""

    def do_GET(self) -> None:
        """Serve GET."""
        self._serve()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def _read_body(self) -> bytes | None:
        length_header = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return None  # browsers never chunk the bodies we receive; refuse rather than mis-frame
        try:
            length = int(length_header) if length_header else 0
        except ValueError:
            return None
        if length < 0 or length > MAX_BODY:
            return None
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            self.close_connection = True
            self._write(Response(413, b"request body refused\n"), head=False)
            return
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            scheme=self.server.scheme,
            host=_host_without_port(self.headers.get("Host", "")),
            path=unquote(split.path) or "/",
            query=split.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        try:
            response = self.server.app(request)
        except Exception:
            LOG.exception("fixtureweb: handler failed for %s %s%s", request.method, request.host, request.target)
            response = Response(500, b"fixtureweb internal error\n")
        if response.websocket is not None:
            self._upgrade(request, response.websocket)
            return
        self._write(response, head=self.command == "HEAD")

    def _upgrade(self, request: Request, script: SocketScript) -> None:
        """Answer the opening handshake (RFC 6455 §4.2.2) and hand the connection to ``script``."""
        self.close_connection = True
        refused = upgrade_error(request.method, request.headers)
        if refused is not None:
            self._write(Response(400, f"{refused}\n".encode()), head=False)
            return
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept_key(request.headers["sec-websocket-key"]))
        self.end_headers()
        self.wfile.flush()
        socket_ = ServerSocket(self.connection, self.wfile, self.server.stopping)
        try:
            script(socket_)
        finally:
            socket_.close()

    def _write(self, response: Response, *, head: bool) -> None:
        self.send_response(response.status)
        if response.content_type is not None:
            self.send_header("Content-Type", response.content_type)
        bodyless = response.status in (204, 304) or 100 <= response.status < 200
        if not bodyless:
            length = len(response.body) + (1 if response.hold else 0)
            self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        for name, value in response.headers:
            self.send_header(name, value)
        if response.hold:
            self.close_connection = True
        self.end_headers()
        if not head and not bodyless:
            self.wfile.write(response.body)
        if response.hold:
            self.wfile.flush()
            self._hold()

    def _hold(self) -> None:
        """Keep the unfinished response open until the server stops or the client goes away.

        The client sends nothing more on this connection while the response is unfinished, so anything
        readable (a FIN, a TLS close_notify, the shutdown done by :meth:`FixtureServer.stop`) ends the hold.
        """
        while not self.server.stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], HOLD_POLL)
            if readable:
                return


class FixtureServer(ThreadingHTTPServer):
    """A threaded HTTP or HTTPS server on an ephemeral 127.0.0.1 port, serving one app quietly."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, app: App, *, tls: ssl.SSLContext | None = None, stopping: threading.Event | None = None):
        self.app = app
        self.scheme = "https" if tls is not None else "http"
        self.stopping = stopping or threading.Event()
        """Set when the fixture web stops; held responses wait on it."""
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__(("127.0.0.1", 0), _Handler)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self.server_address[1])

    def server_bind(self) -> None:
        """Bind without the reverse DNS look-up :class:`http.server.HTTPServer` does."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = self.port

    def track(self, connection: socket.socket) -> None:
        """Remember an open client connection, so :meth:`stop` can cut it."""
        with self._lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        """Forget a client connection that is closing."""
        with self._lock:
            self._connections.discard(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Swallow client-side network errors; log anything else without printing to stderr directly."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError | ValueError):  # SSLError, resets, broken pipes, timeouts, closed sockets
            LOG.debug("fixtureweb: connection from %s ended: %r", client_address, error)
        else:
            LOG.error("fixtureweb: unexpected error serving %s", client_address, exc_info=error)

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fixtureweb-{self.scheme}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, close the listening socket and cut every open connection (held ones too)."""
        self.stopping.set()
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server_close()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            # the plain socket's shutdown: SSLSocket.shutdown would unwrap under a reading thread's feet
            with contextlib.suppress(OSError):
                socket.socket.shutdown(connection, socket.SHUT_RDWR)
