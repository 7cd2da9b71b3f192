"""The fixture web: local HTTPS and HTTP servers that play real sites and trackers for Chromium."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import NamedTuple, Self

from auditor.fixtureweb import catalogue, dynamic, tls
from auditor.fixtureweb.dynamic import Route
from auditor.fixtureweb.server import FixtureServer, Request, Response
from auditor.fixtureweb.static import BUILTIN_SITES, StaticSites

BLOCKED_PATTERNS = ("*.googleapis.com", "*.gvt1.com")
"""Hosts Chromium calls on its own (component updates, safe browsing): never resolved."""


class Hit(NamedTuple):
    """One request received by the fixture web."""

    host: str
    path: str
    """Percent-decoded path, without the query string."""
    method: str


class FixtureWeb:
    """Local HTTPS + HTTP servers on ephemeral 127.0.0.1 ports serving the fixture sites by ``Host``.

    Use as a context manager (or :meth:`start` / :meth:`stop`) and launch Chromium with
    :attr:`chromium_args`: every host then resolves to these servers, the fault hosts fail as
    documented, and the certificate is trusted through its SPKI pin (clean handshakes)::

        with FixtureWeb() as web:
            browser = playwright.chromium.launch(args=web.chromium_args)
            page.goto(web.url("www.le-quotidien-demo.fr", "/"))
    """

    def __init__(
        self,
        sites_dir: str | os.PathLike[str] | None = None,
        *,
        sites_dirs: Iterable[str | os.PathLike[str]] = (),
        routes: Iterable[Route] = (),
    ) -> None:
        """Prepare (not start) the fixture web, with more sites and routes than the built-in ones.

        ``sites_dir``, then each of ``sites_dirs``, holds extra ``<host>/`` folders; they win over the built-in
        sites in that order (a file comes from the first folder of its host that has it, else from ``_common``).
        ``routes`` are dynamic routes tried, in order, before the built-in :data:`dynamic.ROUTES`. The tests
        add their hosts this way (``tests/fixtureweb_sites.py``)."""
        roots: list[Path] = []
        for folder in [*([sites_dir] if sites_dir is not None else []), *sites_dirs]:
            extra = Path(folder)
            if not extra.is_dir():
                raise NotADirectoryError(f"fixture sites directory not found: {extra}")
            roots.append(extra)
        roots.append(BUILTIN_SITES)
        self._routes: tuple[Route, ...] = (*routes, *dynamic.ROUTES)
        self._static = StaticSites(roots)
        self._hits: list[Hit] = []
        self._hits_changed = threading.Condition()
        self._servers: dict[str, FixtureServer] = {}
        self._closed_port_socket: socket.socket | None = None
        self._stopping = threading.Event()

    # --- life cycle --------------------------------------------------------------------------------

    def start(self) -> Self:
        """Start the servers (HTTPS, HTTP and the untrusted-certificate HTTPS) on ephemeral ports."""
        if self._servers:
            raise RuntimeError("FixtureWeb is already running")
        self._stopping = threading.Event()
        try:
            main, untrusted = tls.identity("main"), tls.identity("untrusted")
            self._servers = {
                "https": FixtureServer(self._app, tls=main.server_context(), stopping=self._stopping),
                "http": FixtureServer(self._app, stopping=self._stopping),
                "tls-error": FixtureServer(self._app, tls=untrusted.server_context(), stopping=self._stopping),
            }
            # A port nobody listens on: bound (so no one else gets it) but never listening, hence refused.
            self._closed_port_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._closed_port_socket.bind(("127.0.0.1", 0))
            for server in self._servers.values():
                server.start()
        except BaseException:
            self.stop()
            raise
        self._spki_hash = main.spki_hash
        return self

    def stop(self) -> None:
        """Stop every server and cut open connections, held ones included; safe to call twice."""
        self._stopping.set()
        servers, self._servers = self._servers, {}
        for server in servers.values():
            server.stop()
        if self._closed_port_socket is not None:
            self._closed_port_socket.close()
            self._closed_port_socket = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the servers are up."""
        return bool(self._servers)

    def _server(self, name: str) -> FixtureServer:
        try:
            return self._servers[name]
        except KeyError:
            raise RuntimeError("FixtureWeb is not running: call start() or use it as a context manager") from None

    # --- what Chromium needs -----------------------------------------------------------------------

    @property
    def https_port(self) -> int:
        """Port of the main HTTPS server (every ``*:443``)."""
        return self._server("https").port

    @property
    def http_port(self) -> int:
        """Port of the plain HTTP server (every ``*:80``)."""
        return self._server("http").port

    @property
    def tls_error_port(self) -> int:
        """Port of the HTTPS server presenting an unpinned certificate (:data:`catalogue.TLS_ERROR_HOST`)."""
        return self._server("tls-error").port

    @property
    def refused_port(self) -> int:
        """A port on 127.0.0.1 where connections are refused (:data:`catalogue.REFUSED_HOST`)."""
        self._server("https")
        assert self._closed_port_socket is not None
        return int(self._closed_port_socket.getsockname()[1])

    @property
    def spki_hash(self) -> str:
        """Base64 SHA-256 of the trusted certificate's SubjectPublicKeyInfo."""
        self._server("https")
        return self._spki_hash

    @property
    def host_resolver_rules(self) -> str:
        """The value for Chromium's ``--host-resolver-rules``: fault hosts first, ``~NOTFOUND`` last."""
        rules = [f"MAP {pattern} ~NOTFOUND" for pattern in BLOCKED_PATTERNS]
        rules += [
            f"MAP {catalogue.DNS_FAILURE_HOST} ~NOTFOUND",
            f"MAP {catalogue.REFUSED_HOST} 127.0.0.1:{self.refused_port}",
            f"MAP {catalogue.TLS_ERROR_HOST} 127.0.0.1:{self.tls_error_port}",
            f"MAP *:443 127.0.0.1:{self.https_port}",
            f"MAP *:80 127.0.0.1:{self.http_port}",
            "MAP * ~NOTFOUND",
        ]
        return ", ".join(rules)

    @property
    def chromium_args(self) -> list[str]:
        """Chromium switches mapping every host here and trusting the certificate by its SPKI pin."""
        return [
            f"--host-resolver-rules={self.host_resolver_rules}",
            f"--ignore-certificate-errors-spki-list={self.spki_hash}",
        ]

    def url(self, host: str, path: str = "/", scheme: str = "https") -> str:
        """The URL of ``path`` on ``host`` as the browser sees it (default ports, so no port in it)."""
        if not path.startswith("/"):
            path = "/" + path
        return f"{scheme}://{host}{path}"

    @property
    def sites(self) -> list[str]:
        """Host names served from folders (built-in and extra), sorted."""
        return sorted(self._static.hosts())

    # --- the request log -----------------------------------------------------------------------------

    @property
    def hits(self) -> list[Hit]:
        """A snapshot of every request received so far, in arrival order."""
        with self._hits_changed:
            return list(self._hits)

    def hits_for(self, host: str) -> list[Hit]:
        """The requests received for ``host``, in arrival order."""
        host = host.lower()
        with self._hits_changed:
            return [hit for hit in self._hits if hit.host == host]

    def clear_hits(self) -> None:
        """Forget the requests received so far."""
        with self._hits_changed:
            self._hits.clear()

    def wait_for_hit(self, host: str, path: str | None = None, timeout: float = 10.0) -> Hit | None:
        """Block until a request for ``host`` (and ``path``, when given) has arrived; ``None`` on timeout."""
        host = host.lower()

        def found() -> Hit | None:
            for hit in self._hits:
                if hit.host == host and (path is None or hit.path == path):
                    return hit
            return None

        with self._hits_changed:
            return self._hits_changed.wait_for(found, timeout=timeout)

    # --- dispatch -------------------------------------------------------------------------------------

    def _app(self, request: Request) -> Response:
        with self._hits_changed:
            self._hits.append(Hit(request.host, request.path, request.method))
            self._hits_changed.notify_all()
        if request.path == "/__health":
            return Response(200, b"ok", "text/plain; charset=utf-8")
        if request.method == "OPTIONS":
            return _preflight(request)
        route = dynamic.find_route(self._routes, request.host, request.path)
        if route is not None:
            return route.handler(request)
        served = self._static.serve(request)
        if served is not None:
            return served
        return Response(404, f"fixtureweb: unknown host {request.host!r}\n".encode(), "text/plain; charset=utf-8")


def _preflight(request: Request) -> Response:
    headers = [
        ("Access-Control-Allow-Origin", request.headers.get("origin", "*")),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
        ("Access-Control-Allow-Headers", request.headers.get("access-control-request-headers", "content-type")),
        ("Access-Control-Max-Age", "600"),
    ]
    return Response(204, b"", None, headers)
