"""Collecting the evidence of one site, phase by phase, each phase kind a unit of :mod:`auditor.browser.phases`.

By default two fresh browser contexts per site: the reject context (``before`` then ``reject``) and the
accept context (``accept``), :mod:`auditor.browser.phases.choice`; ``--phases`` adds the extra phases
(``ignore``, ``gpc``, ...), one fresh context each in the same browser. This module holds what every
unit uses: the context with its recorder and page tap, and the snapshot of what is observable. Only the
site's own domains are first party, wherever the first load was redirected. See ``docs/evidence.md``.

Every failure becomes data: a page that does not load gives a site ``status: error`` with the reason
and whatever was collected until then; a control that cannot be found or clicked gives a phase error.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from auditor.browser.network import NetworkRecorder
from auditor.browser.pagetap import install_tap
from auditor.browser.pageview import describe_error as describe_error  # re-exported: callers import it from here
from auditor.browser.phases import Clock, SiteState, units_for
from auditor.browser.session import BrowserSession
from auditor.browser.tcfread import read_tcf
from auditor.config import AuditOptions, SiteConfig
from auditor.knowledge.shape import value_shape
from auditor.model import (
    Banner,
    Cookie,
    PhaseName,
    PhaseResult,
    Screenshot,
    SiteResult,
    StorageItem,
    iso_now,
)
from auditor.party import PartyResolver, host_of, registrable_domain

STORAGE_JS = """() => {
  const out = {origin: location.origin, local: [], session: []};
  for (const [kind, name] of [['local', 'localStorage'], ['session', 'sessionStorage']]) {
    try {
      const s = window[name];
      for (let i = 0; i < s.length; i++) {
        const k = s.key(i); const v = s.getItem(k) || '';
        out[kind].push([k, v.length, v.slice(0, 4096)]);  // the value is only shaped in Python, never kept
      }
    } catch (e) { /* storage blocked in this frame */ }
  }
  return out;
}"""

TRANSIENT = (
    "ERR_CONNECTION_RESET",
    "ERR_CONNECTION_CLOSED",
    "ERR_TIMED_OUT",
    "ERR_CONNECTION_TIMED_OUT",
    "ERR_EMPTY_RESPONSE",
    "timed out",
)
"""Errors worth a retry of the whole site."""


def is_transient(reason: str | None) -> bool:
    """Whether a site error is worth retrying."""
    return bool(reason) and any(t in reason for t in TRANSIENT)  # type: ignore[operator]


def slug(url: str) -> str:
    """A file-name-safe, unique short name for a site URL."""
    host = re.sub(r"[^a-z0-9.-]+", "-", host_of(url)) or "site"
    return f"{host}-{hashlib.sha1(url.encode()).hexdigest()[:8]}"


@dataclass
class SiteCollector:
    """Collects one site; :meth:`run` returns its :class:`SiteResult` (never raises for site problems)."""

    session: BrowserSession
    site: SiteConfig
    out_dir: Path
    options: AuditOptions = field(init=False)
    party: PartyResolver = field(init=False)

    def __post_init__(self) -> None:
        self.options = self.session.options
        self.party = PartyResolver(self.site.url, self.site.first_party)

    async def run(self) -> SiteResult:
        """Audit the site: the reject unit first (``before``, and the site's load), then the units of the other
        requested phases at once, each in a fresh context of the same browser."""
        started = iso_now()
        state = SiteState()
        units = units_for(self.options.phases)
        try:
            await units[0].collect(self, state)
            if state.load_error is None and len(units) > 1:
                # The other contexts share nothing but the site: they run concurrently, and a browser
                # failure in one is raised only once all of them have ended (none is left running).
                ended = await asyncio.gather(*(u.collect(self, state) for u in units[1:]), return_exceptions=True)
                failure = next((e for e in ended if isinstance(e, BaseException)), None)
                if failure is not None:
                    raise failure
        except PlaywrightError as exc:  # the browser itself failed (crash, closed)
            state.site_error = f"browser failure: {describe_error(exc)}"
        # In the units' order, whichever context ended first.
        order = [name for unit in units for name in unit.produces if name in state.phases]
        phases = {name: state.phases[name] for name in order} | state.phases
        return SiteResult(
            url=self.site.url,
            name=self.site.name,
            status="error" if state.site_error else "ok",
            error=state.site_error,
            final_url=state.final_url,
            first_party=tuple(sorted(self.party.first_party)),
            phases=phases,
            started=started,
            finished=iso_now(),
            phases_requested=self.options.phases,
        )

    @property
    def slug(self) -> str:
        """The site's file-name-safe short name (screenshots)."""
        return slug(self.site.url)

    async def open_context(self, label: str) -> tuple[BrowserContext, NetworkRecorder]:
        """A fresh context of the site, its requests recorded under ``label`` and the page tap installed."""
        context = await self.session.new_context(self.site)
        recorder = NetworkRecorder(self.party, phase=label)
        recorder.attach(context)
        await install_tap(context, recorder)  # the click marker and the beacons Chromium does not report
        return context, recorder

    def party_after_redirects(self, final_url: str | None) -> list[str]:
        """Warnings about where the first load ended; only the site's own domains are first party.

        A redirect to another site (a consent wall on ``consent.<platform>.com``, a tracker's page) must
        not make that site first party: its cookies and requests stay third party."""
        if not final_url or not final_url.startswith("http"):
            return []
        domain = registrable_domain(host_of(final_url))
        if self.party.of_host(host_of(final_url)) == "first":
            return []
        return [
            f"the site redirected to another site ({domain}, {final_url}); it is not treated as first party "
            "(declare it in the site's first_party if it is the publisher's own)"
        ]

    async def snapshot(
        self,
        name: PhaseName,
        context: BrowserContext,
        page: Page,
        recorder: NetworkRecorder,
        request_phases: tuple[str, ...],
        warnings: list[str],
        http_status: int | None,
        clock: Clock,
        *,
        shoot: bool,
        banner: Banner | None = None,
    ) -> PhaseResult:
        """Everything observable now: cookies, Set-Cookie headers, requests, storage, TCF, a screenshot."""
        await recorder.drain()
        raw_cookies = await context.cookies()
        header_keys = recorder.header_cookie_keys()
        now = time.time()
        cookies = tuple(self._cookie(c, now, header_keys) for c in raw_cookies)
        stored = {(c.name, c.domain.lstrip(".").lower()) for c in cookies}
        storage = await self.storage(page)
        tcf = await read_tcf(page, cookies, after_choice=name != "before", deadline=self.options.tcf_timeout)
        clock.lap(f"snapshot_{name}")
        shots: tuple[Screenshot, ...] = ()
        if shoot and self.options.screenshots:
            shots = await self._screenshot(page, name)
            clock.lap(f"screenshot_{name}")
        return PhaseResult(
            name=name,
            status="ok",
            url=page.url,
            http_status=http_status,
            cookies=cookies,
            set_cookie_headers=recorder.set_cookie_headers(request_phases, stored),
            requests=recorder.requests(request_phases[0]),
            storage=storage,
            banner=banner,
            tcf=tcf,
            screenshots=shots,
            warnings=tuple(warnings),
            timings=dict(clock.marks),
        )

    def _cookie(self, raw: Any, now: float, header_keys: set[tuple[str, str]]) -> Cookie:
        domain = str(raw["domain"])
        bare = domain.lstrip(".").lower()
        expires = raw.get("expires")
        expires_at = float(expires) if expires is not None and float(expires) > 0 else None
        return Cookie(
            name=raw["name"],
            value=raw["value"],
            domain=domain,
            path=raw.get("path", "/"),
            expires=expires_at,
            lifetime_days=round((expires_at - now) / 86400, 2) if expires_at else None,
            secure=bool(raw.get("secure")),
            http_only=bool(raw.get("httpOnly")),
            same_site=str(raw.get("sameSite") or ""),
            party=self.party.of_host(bare),
            registrable_domain=registrable_domain(bare),
            set_by="header" if (raw["name"], bare) in header_keys else "script",
        )

    async def storage(self, page: Page) -> tuple[StorageItem, ...]:
        async def one(frame: Any) -> Any:
            try:
                return await frame.evaluate(STORAGE_JS)
            except PlaywrightError:
                return None

        seen: set[tuple[str, str, str]] = set()
        items: list[StorageItem] = []
        for data in await asyncio.gather(*(one(f) for f in page.frames)):
            if not data or data["origin"] in ("null", ""):
                continue
            origin = data["origin"]
            for kind in ("local", "session"):
                for key, size, sample in data[kind]:
                    if (origin, kind, key) in seen:
                        continue
                    seen.add((origin, kind, key))
                    items.append(
                        StorageItem(
                            origin=origin,
                            kind=kind,  # type: ignore[arg-type]
                            key=key,
                            size=size,
                            party=self.party.of_host(host_of(origin)),
                            shape=value_shape(sample, size),
                        )
                    )
        return tuple(items)

    async def _screenshot(self, page: Page, name: str) -> tuple[Screenshot, ...]:
        relative = Path("screenshots") / f"{self.slug}-{name}.jpg"
        path = self.out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            await page.screenshot(path=str(path), type="jpeg", quality=70, timeout=10000)
        except PlaywrightError:
            return ()
        return (Screenshot(label=name, path=relative.as_posix()),)


async def collect_site(session: BrowserSession, site: SiteConfig, out_dir: Path) -> SiteResult:
    """Collect the requested phases of ``site`` with an open browser session."""
    return await SiteCollector(session, site, out_dir).run()
