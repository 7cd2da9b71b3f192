"""The browser pool: one live Chromium shared by the sites in flight, replaced after N sites or a crash."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from auditor.browser.session import BrowserSession
from auditor.config import DEFAULT_RESTART_AFTER, AuditOptions
from auditor.model import BrowserInfo
from auditor.run.memory import SITE_MB, MemoryGauge
from auditor.yamlutil import ConfigError

log = logging.getLogger(__name__)

NO_BROWSER_REASON = "the browser could not be started"
"""Start of the error of a site for which no browser could be launched (after a crash, say)."""
CLOSE_TIMEOUT = 30.0
"""Seconds allowed to close a browser (a wedged one is abandoned: its driver is stopped with it)."""


@dataclass(eq=False)
class _Generation:
    """One launched browser and its bookkeeping."""

    session: BrowserSession
    number: int
    served: int = 0
    """Sites (attempts) handed this browser so far."""
    active: int = 0
    """Sites auditing in it right now."""
    retiring: bool = False
    crashed: bool = False

    def healthy(self) -> bool:
        if self.crashed:
            return False
        try:
            return self.session.browser.is_connected()
        except RuntimeError:
            return False


SessionFactory = Callable[[AuditOptions], BrowserSession]


class BrowserPool:
    """One live browser shared by concurrent sites; replaced after ``restart_after`` sites or a crash.

    * at most ``concurrency`` sites hold a lease at once;
    * no new lease while the process tree uses more than ``memory_budget_mb`` (PSS) and other sites
      are still running (they will free memory); over budget with nothing running, the browser is
      restarted (a leak);
    * a browser due for replacement takes no new site; when its last site is done it is closed and a
      fresh one launched (never two browsers at once: memory stays bounded).
    """

    def __init__(
        self,
        options: AuditOptions,
        *,
        concurrency: int,
        restart_after: int = DEFAULT_RESTART_AFTER,
        memory_budget_mb: float | None = None,
        gauge: MemoryGauge | None = None,
        session_factory: SessionFactory = BrowserSession,
    ) -> None:
        self.options = options
        self.concurrency = max(1, concurrency)
        self.restart_after = max(0, restart_after)
        self.memory_budget_mb = memory_budget_mb
        self.gauge = gauge or MemoryGauge()
        self._factory = session_factory
        self._slots = asyncio.Semaphore(self.concurrency)
        self._cond = asyncio.Condition()
        self._current: _Generation | None = None
        self._launched = 0
        self._recent: list[float] = []
        self._over_budget_warned = False
        self._closed = False
        self.restarts = 0
        """Browsers launched after the first one (scheduled restarts, crashes, memory)."""
        self.crashes = 0
        self.info = BrowserInfo()

    async def start(self) -> BrowserInfo:
        """Launch the first browser now, so that setup errors surface before any site starts.

        Raises :class:`ConfigError` when no browser is found or the one named cannot be launched.
        """
        async with self._cond:
            if self._current is None:
                try:
                    self._current = await self._launch()
                except ConfigError:
                    raise
                except Exception as exc:
                    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                    raise ConfigError(f"{NO_BROWSER_REASON}: {first}") from exc
        return self.info

    async def _launch(self) -> _Generation:
        session = self._factory(self.options)
        await session.start()
        self._launched += 1
        if self._launched > 1:
            self.restarts += 1
            log.info("browser %d launched", self._launched)
        self.info = session.info
        return _Generation(session, self._launched)

    async def _close(self, gen: _Generation) -> None:
        try:
            await asyncio.wait_for(gen.session.close(), CLOSE_TIMEOUT)
        except Exception:  # a crashed browser may fail to close; it is gone either way
            log.debug("closing browser %d failed", gen.number, exc_info=True)

    def _over_budget(self) -> bool:
        if self.memory_budget_mb is None:
            return False
        used = self.gauge.used_mb()
        if used is None:
            return False
        now = time.monotonic()
        self._recent = [t for t in self._recent if now - t < 3.0]
        # Sites admitted in the last seconds have not grown yet: count them at their budgeted size.
        return used + SITE_MB * len(self._recent) > self.memory_budget_mb

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[BrowserSession]:
        """A browser for one site attempt (waits for a slot, memory, or a browser restart)."""
        async with self._slots:
            gen = await self._acquire()
            try:
                yield gen.session
            finally:
                await self._release(gen)

    async def _acquire(self) -> _Generation:
        async with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("the browser pool is closed (the run is ending)")
                gen = self._current
                if gen is not None and not gen.retiring:
                    if not gen.healthy():
                        gen.retiring = True
                        gen.crashed = True
                    elif self.restart_after and gen.served >= self.restart_after:
                        gen.retiring = True
                    elif self._over_budget():
                        if gen.active > 0:
                            await self._wait_change(timeout=max(0.1, self.gauge.interval))
                            continue
                        if gen.served > 0:
                            log.info("memory over budget with no site running: restarting the browser")
                            gen.retiring = True
                        elif not self._over_budget_warned:
                            self._over_budget_warned = True
                            log.warning(
                                "a fresh browser already exceeds the memory budget; auditing one site at a time"
                            )
                if gen is not None and gen.retiring:
                    if gen.active > 0:
                        await self._wait_change()
                        continue
                    await self._close(gen)
                    self._current = gen = None
                if gen is None:
                    self._current = gen = await self._launch()
                gen.active += 1
                gen.served += 1
                self._recent.append(time.monotonic())
                return gen

    async def _wait_change(self, timeout: float | None = None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._cond.wait(), timeout)

    async def _release(self, gen: _Generation) -> None:
        async with self._cond:
            gen.active -= 1
            self._cond.notify_all()

    def mark_crashed(self, session: BrowserSession) -> None:
        """Record that ``session``'s browser died: the next lease launches a fresh one."""
        gen = self._current
        if gen is not None and gen.session is session and not gen.crashed:
            gen.crashed = True
            gen.retiring = True
            self.crashes += 1
            log.warning("browser %d crashed; its sites are retried in a fresh browser", gen.number)

    def is_alive(self, session: BrowserSession) -> bool:
        """Whether ``session``'s browser is still connected."""
        try:
            return session.browser.is_connected()
        except RuntimeError:
            return False

    async def close(self) -> None:
        """Close the live browser (sites still holding leases see it close); no browser is launched after."""
        async with self._cond:
            self._closed = True
            gen, self._current = self._current, None
            self._cond.notify_all()
        if gen is not None:
            await self._close(gen)
