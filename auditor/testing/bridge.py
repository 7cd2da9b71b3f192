"""Running the auditor's async browser code against a page that a sync pytest-playwright test drives.

The choice (see ``docs/pytest-plugin.md``): the test's browser is launched with a DevTools port
(:func:`free_port`, added by the plugin to pytest-playwright's launch arguments), and a
:class:`PageBridge` opens a *second*, async Playwright connection to that browser over CDP, on an
event loop of its own in a worker thread. There it finds the test's very tab by its CDP target id and
hands it to the auditor's unchanged async code (``consent.choose``, the ``NetworkRecorder``, the
snapshot). Nothing of the consent search is re-implemented in sync form, and no private part of
Playwright's sync layer is used: both connections are public APIs driving one tab.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright
from playwright.sync_api import Page as SyncPage

T = TypeVar("T")

CDP_PORT_ARG = "--remote-debugging-port"


def free_port() -> int:
    """A TCP port free on loopback right now (for Chromium's DevTools endpoint)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def target_id(page: SyncPage) -> str:
    """The CDP target id of a sync page's tab (what the second connection looks for)."""
    session = page.context.new_cdp_session(page)
    try:
        info = session.send("Target.getTargetInfo")
    finally:
        session.detach()
    return str(info["targetInfo"]["targetId"])


class PageBridge:
    """An async view of one tab of a running Chromium, on a private event loop in a worker thread.

    ``call(coro_fn)`` runs a coroutine there and returns its result in the calling thread. Events of the
    tab (requests, responses) keep arriving on that loop while the test drives the page synchronously.
    """

    def __init__(self, endpoint: str, target: str, *, timeout: float = 120.0) -> None:
        self.endpoint = endpoint
        self.target = target
        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="consent-audit-bridge", daemon=True)
        self._pw: Playwright | None = None
        self._browser: Browser | None = None
        self._page: Page | None = None

    def start(self) -> PageBridge:
        """Start the loop and connect; raises ``LookupError`` when the tab is not found."""
        self._thread.start()
        try:
            self.call(self._connect())
        except BaseException:
            self.close()
            raise
        return self

    @property
    def page(self) -> Page:
        """The test's tab, as an async Playwright page (use it only inside :meth:`call`)."""
        if self._page is None:
            raise RuntimeError("page bridge not started")
        return self._page

    @property
    def context(self) -> BrowserContext:
        """The browser context of :attr:`page` on the async connection (for its events)."""
        return self.page.context

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the bridge's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(self.timeout)

    async def _connect(self) -> None:
        self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.connect_over_cdp(self.endpoint)
        for context in self._browser.contexts:
            for page in context.pages:
                session = await context.new_cdp_session(page)
                try:
                    info = await session.send("Target.getTargetInfo")
                finally:
                    await session.detach()
                if info["targetInfo"]["targetId"] == self.target:
                    self._page = page
                    return
        raise LookupError(f"the test's page (CDP target {self.target}) was not found at {self.endpoint}")

    async def _disconnect(self) -> None:
        # Closing a CDP-connected browser only disconnects: the test's browser and page live on.
        if self._browser is not None:
            await self._browser.close()
            self._browser = None
        if self._pw is not None:
            await self._pw.stop()
            self._pw = None

    def close(self) -> None:
        """Disconnect and stop the worker thread (the test's browser is left running)."""
        if self._thread.is_alive():
            try:
                self.call(self._disconnect())
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(self.timeout)
        self._loop.close()
