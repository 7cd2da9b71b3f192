"""Recording what a browser context sends and receives, and waiting for its network to settle.

One :class:`NetworkRecorder` per browser context listens to every request of every page and frame
(``context.on``), labels each with the current phase, collects the ``Set-Cookie`` headers of the
responses (whether or not the browser then stored the cookie) and counts requests in flight, so
:meth:`NetworkRecorder.wait_quiet` can wait for real network quiet instead of sleeping.

Besides Chromium's request events it records WebSocket connections (``page.on("websocket")``: a row
with ``resource_type: "websocket"``) and the beacons the page tap (:mod:`auditor.browser.pagetap`)
reports from inside the page (``observed: "page"``) when no request event showed them. Requests of
service workers reach ``context.on("request")`` too (their ``initiator`` is ``None``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from playwright.async_api import BrowserContext, Page, WebSocket
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request as PWRequest
from playwright.async_api import Response as PWResponse

from auditor.model import Request, SetCookieHeader
from auditor.party import PartyResolver, host_of, registrable_domain

STUCK_AFTER = 4.0
"""Seconds after which a request still in flight is ignored by quiet-waiting (long-polling, hung loads)."""


@dataclass
class _Entry:
    phase: str
    url: str
    resource_type: str
    method: str
    initiator: str | None
    status: int | None = None
    failure: str | None = None
    content_type: str | None = None
    body_size: int | None = None
    observed: Literal["network", "page"] = "network"


@dataclass
class _RawSetCookie:
    phase: str
    url: str
    header: str


@dataclass
class NetworkRecorder:
    """Collects requests and ``Set-Cookie`` headers of one browser context, labelled by phase."""

    party: PartyResolver
    phase: str = "before"
    """Label given to requests from now on; set by the collector at each phase boundary."""
    _entries: dict[object, _Entry] = field(default_factory=dict)
    """By Playwright request, WebSocket, or a fresh key for a beacon reported by the page tap."""
    _order: list[object] = field(default_factory=list)
    _at_click: str | None = None
    """Label to switch to when the page reports the consent click (:meth:`switch_at_click`)."""
    _inflight: dict[PWRequest, float] = field(default_factory=dict)
    _page_of: dict[PWRequest, Page] = field(default_factory=dict)
    """The page that made each request still in flight (for :meth:`release`)."""
    _set_cookies: list[_RawSetCookie] = field(default_factory=list)
    _pending: set[asyncio.Task[None]] = field(default_factory=set)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _last_activity: float = 0.0

    def attach(self, context: BrowserContext) -> None:
        """Start listening to ``context``."""
        context.on("request", self._on_request)
        context.on("requestfinished", self._on_done)
        context.on("requestfailed", self._on_failed)
        context.on("response", self._on_response)
        context.on("page", self._on_page)

    def _on_page(self, page: Page) -> None:
        page.on("websocket", self._on_websocket)

    def _on_websocket(self, socket: WebSocket) -> None:
        """A WebSocket connection: one request row (its frames are not recorded)."""
        entry = _Entry(self.phase, socket.url, "websocket", "GET", None)
        self._entries[socket] = entry
        self._order.append(socket)

        def failed(error: str) -> None:
            entry.failure = error or "socket error"

        socket.on("socketerror", failed)

    def switch_at_click(self, label: str) -> None:
        """Keep the current label until the page reports the consent click, then switch to ``label``.

        Requests made while the banner is awaited still belong to the current phase. The collector
        sets :attr:`phase` itself after the click too (a click the tap did not see)."""
        self._at_click = label

    def clicked(self) -> None:
        """The page tap saw a click (capture phase, before the page's own handlers): switch the label now."""
        if self._at_click is not None:
            self.phase = self._at_click
            self._at_click = None

    def page_beacon(self, url: str, method: str, resource_type: str, initiator: str | None) -> None:
        """A beacon the page tap saw leave (``sendBeacon`` / keepalive ``fetch``), labelled with the current phase.

        Listed by :meth:`requests` only when no request event of the same phase shows the same URL."""
        if url.startswith(("data:", "blob:", "about:")):
            return
        key = object()
        self._entries[key] = _Entry(self.phase, url, resource_type, method, initiator, observed="page")
        self._order.append(key)

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _touch(self) -> None:
        self._last_activity = self._now()
        self._changed.set()

    def _on_request(self, request: PWRequest) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:", "chrome-extension:")):
            return
        try:
            initiator: str | None = request.frame.url
            self._page_of[request] = request.frame.page
        except PlaywrightError:  # service-worker requests have no frame
            initiator = None
        self._entries[request] = _Entry(self.phase, url, request.resource_type, request.method, initiator)
        self._order.append(request)
        self._inflight[request] = self._now()
        self._touch()

    def _on_done(self, request: PWRequest) -> None:
        self._inflight.pop(request, None)
        self._page_of.pop(request, None)
        self._touch()

    def release(self, page: Page) -> None:
        """Stop waiting for requests of ``page``, which was closed: Chromium reports no end for them.

        A keepalive beacon sent while the page was left is still recorded; only its completion is
        never seen, so quiet-waiting would otherwise hold it for :data:`STUCK_AFTER` seconds."""
        gone = [request for request in self._inflight if self._page_of.get(request) is page]
        for request in gone:
            self._inflight.pop(request, None)
            self._page_of.pop(request, None)
        if gone:
            self._touch()

    def _on_failed(self, request: PWRequest) -> None:
        entry = self._entries.get(request)
        if entry is not None:
            entry.failure = request.failure or "failed"
        self._inflight.pop(request, None)
        self._page_of.pop(request, None)
        self._touch()

    def _on_response(self, response: PWResponse) -> None:
        entry = self._entries.get(response.request)
        if entry is not None:
            entry.status = response.status
            headers = response.headers
            entry.content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower() or None
            length = headers.get("content-length", "")
            entry.body_size = int(length) if length.isdigit() else 0 if response.status == 204 else None
        task = asyncio.ensure_future(self._read_set_cookie(response, self.phase))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _read_set_cookie(self, response: PWResponse, phase: str) -> None:
        try:
            values = await response.header_values("set-cookie")
        except PlaywrightError:
            return
        for value in values:
            for header in value.split("\n"):
                if header.strip():
                    self._set_cookies.append(_RawSetCookie(phase, response.url, header.strip()))

    async def wait_quiet(self, quiet_ms: int, cap: float, at_least_until: float | None = None) -> bool:
        """Wait until no request has been in flight for ``quiet_ms`` (and ``at_least_until`` has passed).

        Requests in flight for longer than :data:`STUCK_AFTER` seconds are ignored. Returns ``False``
        when ``cap`` seconds passed first (the snapshot is then taken anyway).
        """
        quiet = quiet_ms / 1000
        deadline = self._now() + cap
        if at_least_until is not None:
            deadline = max(deadline, at_least_until)
        while True:
            now = self._now()
            busy = [t for t in self._inflight.values() if now - t < STUCK_AFTER]
            remaining_quiet = quiet if busy else quiet - (now - self._last_activity)
            remaining_dwell = (at_least_until - now) if at_least_until is not None else 0.0
            wait = max(remaining_quiet, remaining_dwell)
            if wait <= 0:
                return True
            if now >= deadline:
                return False
            if busy:  # wake when a stuck request crosses STUCK_AFTER, or on any change
                wait = min(wait, min(STUCK_AFTER - (now - t) for t in busy) + 0.01)
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=max(0.01, min(wait, deadline - now)))

    async def drain(self, timeout: float = 2.0) -> None:
        """Let pending ``Set-Cookie`` header reads finish (bounded)."""
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=timeout)

    def requests(self, phase: str) -> tuple[Request, ...]:
        """The requests labelled ``phase``, in the order they were made.

        A beacon reported by the page tap is left out when a request event of the phase has its URL."""
        entries = [self._entries[key] for key in self._order if self._entries[key].phase == phase]
        seen = Counter(e.url for e in entries if e.observed == "network")
        out = []
        for entry in entries:
            if entry.observed == "page" and seen[entry.url] > 0:
                seen[entry.url] -= 1
                continue
            host = host_of(entry.url)
            out.append(
                Request(
                    url=entry.url,
                    host=host,
                    resource_type=entry.resource_type,
                    method=entry.method,
                    party=self.party.of_host(host),
                    registrable_domain=registrable_domain(host),
                    initiator=entry.initiator,
                    status=entry.status,
                    failure=entry.failure,
                    content_type=entry.content_type,
                    body_size=entry.body_size,
                    observed=entry.observed,
                )
            )
        return tuple(out)

    def set_cookie_headers(self, phases: tuple[str, ...], stored: set[tuple[str, str]]) -> tuple[SetCookieHeader, ...]:
        """The ``Set-Cookie`` headers received during ``phases``; ``stored`` holds (name, domain) of the jar."""
        out = []
        for raw in self._set_cookies:
            if raw.phase not in phases:
                continue
            name, attributes = parse_set_cookie(raw.header)
            if not name:
                continue
            host = host_of(raw.url)
            domain = attributes.get("domain", host).lstrip(".").lower() or host
            out.append(
                SetCookieHeader(
                    name=name,
                    domain=domain,
                    url=raw.url,
                    host=host,
                    party=self.party.of_host(domain),
                    stored=(name, domain) in stored,
                    attributes=attributes,
                )
            )
        return tuple(out)

    def header_cookie_keys(self) -> set[tuple[str, str]]:
        """(name, domain) of every cookie some response tried to set: those are ``set_by: header``."""
        keys = set()
        for raw in self._set_cookies:
            name, attributes = parse_set_cookie(raw.header)
            host = host_of(raw.url)
            keys.add((name, attributes.get("domain", host).lstrip(".").lower() or host))
        return keys


def parse_set_cookie(header: str) -> tuple[str, dict[str, str]]:
    """Split a ``Set-Cookie`` header into the cookie name and its attributes (lower-cased names).

    The value is dropped on purpose: the jar has it when the cookie was stored.
    """
    first, *rest = header.split(";")
    name = first.split("=", 1)[0].strip() if "=" in first else ""
    attributes: dict[str, str] = {}
    for part in rest:
        key, _, value = part.partition("=")
        key = key.strip().lower()
        if key:
            attributes[key] = value.strip()
    return name, attributes
