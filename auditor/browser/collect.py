"""Collecting the evidence of one site in three phases: before any choice, after reject, after accept.

Two fresh browser contexts per site:

* the *reject* context loads the page, waits for the network to settle and takes the ``before``
  snapshot (no interaction yet), then presses the reject control, stays long enough for delayed
  beacons, views the page a second time and takes the ``reject`` snapshot;
* the *accept* context does the same with the accept control (its pre-click state duplicates
  ``before`` and is not reported again; it becomes the failed ``accept`` phase when that context fails).

Requests are labelled ``before`` until the click itself (the page tap, :mod:`auditor.browser.pagetap`,
reports it). The clicked page is left at the end of the dwell (sessionStorage read first, unload
handlers run, their beacons awaited); page views live in :mod:`auditor.browser.pageview`. Only the
site's own domains are first party, wherever the first load was redirected. See ``docs/evidence.md``.

Every failure becomes data: a page that does not load gives a site ``status: error`` with the reason
and whatever was collected until then; a control that cannot be found or clicked gives a phase error.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from auditor.browser import confirm, consent
from auditor.browser.network import NetworkRecorder
from auditor.browser.pagetap import install_tap
from auditor.browser.pageview import describe_error as describe_error  # re-exported: callers import it from here
from auditor.browser.pageview import is_loaded, leave, load_page, second_page
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
class _Clock:
    """Timings of the steps of one context, for profiling (``PhaseResult.timings``)."""

    marks: dict[str, float] = field(default_factory=dict)
    _t: float = field(default_factory=time.perf_counter)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.marks[name] = round(self.marks.get(name, 0.0) + now - self._t, 3)
        self._t = now


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
        """Audit the site: the reject context (with ``before``), then the accept context."""
        started = iso_now()
        phases: dict[str, PhaseResult] = {}
        final_url: str | None = None
        site_error: str | None = None
        try:
            before, reject, final_url, site_error = await self._context_run("reject", with_before=True)
            phases["before"] = before
            if reject is not None:
                phases["reject"] = reject
            if site_error is None:
                # The accept context fails on its own (load error, HTTP error, crash of that context):
                # the accept phase is then recorded as an error with its reason, the rest is kept.
                try:
                    pre_accept, accept, _, accept_error = await self._context_run("accept", with_before=False)
                except PlaywrightError as exc:
                    pre_accept, accept, accept_error = None, None, f"browser failure: {describe_error(exc)}"
                if accept_error is not None:
                    accept = _failed_phase("accept", accept_error, pre_accept)
                    site_error = f"accept context failed: {accept_error}"
                if accept is not None:
                    phases["accept"] = accept
                    phases["before"] = _with_inspected_layer(before, accept)
        except PlaywrightError as exc:  # the browser itself failed (crash, closed)
            site_error = f"browser failure: {describe_error(exc)}"
        return SiteResult(
            url=self.site.url,
            name=self.site.name,
            status="error" if site_error else "ok",
            error=site_error,
            final_url=final_url,
            first_party=tuple(sorted(self.party.first_party)),
            phases=phases,
            started=started,
            finished=iso_now(),
        )

    async def _context_run(
        self, role: Literal["reject", "accept"], *, with_before: bool
    ) -> tuple[PhaseResult, PhaseResult | None, str | None, str | None]:
        """One context: load, [snapshot before], choose ``role``, second view, snapshot ``role``.

        Returns (first snapshot, phase snapshot or None, final URL, site error).
        """
        clock = _Clock()
        context = await self.session.new_context(self.site)
        recorder = NetworkRecorder(self.party, phase="before" if with_before else f"{role}-preclick")
        recorder.attach(context)
        await install_tap(context, recorder)  # the click marker and the beacons Chromium does not report
        clock.lap("context")
        try:
            page = await context.new_page()
            # Both contexts let the page settle before clicking, as a user would: a consent manager that
            # registers its services after load ignores an earlier click (tarteaucitron does).
            loaded = await load_page(page, recorder, self.options, self.site.url)
            http_status, load_error, warnings = loaded.status, loaded.error, loaded.warnings
            clock.lap("load")
            final_url = page.url if page.url != "about:blank" else None
            warnings.extend(self._party_after_redirects(final_url))
            first = await self._snapshot(
                "before", context, page, recorder, (recorder.phase,), warnings, http_status, clock, shoot=with_before
            )
            first = replace(first, redirects=loaded.redirects)
            if load_error:
                failed = replace(first, status="error", error=load_error)
                return failed, None, final_url, load_error
            # The label switches to the role at the click itself (the page tap reports it): requests
            # made while the banner is awaited belong to the pre-click phase.
            recorder.switch_at_click(role)
            shot = None
            if self.options.screenshots:
                shot = consent.BannerShot(self.out_dir, f"screenshots/{slug(self.site.url)}-{role}-banner.jpg")
            outcome = await consent.choose(page, self.site, role, banner_timeout=self.options.banner_timeout, shot=shot)
            recorder.phase = role  # also when no click happened, or the tap did not see it
            clock.lap("consent")
            first = replace(first, banner=outcome.banner)
            if with_before:  # add what was sent between the snapshot and the click
                first = replace(first, requests=recorder.requests("before"))
            action = outcome.action
            phase_warnings: list[str] = []
            clicked_session: tuple[StorageItem, ...] = ()
            if action.clicked:
                loop = asyncio.get_running_loop()
                dwell_until = loop.time() + self.options.dwell
                await recorder.wait_quiet(self.options.quiet_ms, self.options.quiet_cap)  # the click's own effects
                clock.lap("after_click")
                action = await confirm.confirm_choice(page, outcome)  # did the site take the choice?
                clock.lap("confirm")
                # The second page view opens beside the clicked page, which stays open until the dwell
                # is over: its delayed beacons still fire (a reload would cancel them) while the next
                # page loads, so the dwell and the second view overlap instead of adding up.
                view = await second_page(context, page)
                second = await load_page(
                    view, recorder, self.options, page.url if page.url.startswith("http") else None, second_view=True
                )
                phase_warnings.extend(second.warnings)
                if second.error:
                    phase_warnings.append(f"second page view failed: {second.error}")
                clock.lap("second_view")
                await recorder.wait_quiet(self.options.quiet_ms, self.options.quiet_cap, at_least_until=dwell_until)
                clock.lap("dwell")
                action = await confirm.check_second_view(view, action)  # the banner came back: choice not kept
                if await is_loaded(view):  # a popup that never finished loading cannot be screenshotted
                    # Then the clicked page is left, as a user leaves it: its sessionStorage is read
                    # first (the new tab may not share it), then it closes with its unload handlers run,
                    # and the beacons they send are awaited before the snapshot.
                    clicked_session = tuple(i for i in await self._storage(page) if i.kind == "session")
                    if not await leave(page):
                        phase_warnings.append("the clicked page did not close when asked (beforeunload prompt)")
                    recorder.release(page)
                    await recorder.wait_quiet(self.options.quiet_ms, self.options.quiet_cap)
                    clock.lap("leave")
                    page = view
            phase = await self._snapshot(
                role, context, page, recorder, (role,), phase_warnings, None, clock, shoot=True, banner=outcome.banner
            )
            phase = replace(phase, consent=action, storage=_merge_storage(phase.storage, clicked_session))
            if not action.clicked:
                phase = replace(phase, status="error", error=action.reason or f"{role} control not clicked")
            return first, phase, final_url, None
        finally:
            with contextlib.suppress(PlaywrightError):
                await context.close()

    def _party_after_redirects(self, final_url: str | None) -> list[str]:
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

    async def _snapshot(
        self,
        name: PhaseName,
        context: BrowserContext,
        page: Page,
        recorder: NetworkRecorder,
        request_phases: tuple[str, ...],
        warnings: list[str],
        http_status: int | None,
        clock: _Clock,
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
        storage = await self._storage(page)
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

    async def _storage(self, page: Page) -> tuple[StorageItem, ...]:
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
        relative = Path("screenshots") / f"{slug(self.site.url)}-{name}.jpg"
        path = self.out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            await page.screenshot(path=str(path), type="jpeg", quality=70, timeout=10000)
        except PlaywrightError:
            return ()
        return (Screenshot(label=name, path=relative.as_posix()),)


async def collect_site(session: BrowserSession, site: SiteConfig, out_dir: Path) -> SiteResult:
    """Collect the three phases of ``site`` with an open browser session."""
    return await SiteCollector(session, site, out_dir).run()


def _with_inspected_layer(before: PhaseResult, accept: PhaseResult) -> PhaseResult:
    """``before`` with the settings layer the accept context inspected (choosing nothing), when the reject
    context did not open it: the banner as first shown is judged on both of its layers."""
    shown, seen = before.banner, accept.banner
    if shown is None or seen is None or shown.second_layer != "not-inspected" or seen.second_layer != "inspected":
        return before
    known = {(c.label, c.layer) for c in shown.controls}
    layer2 = tuple(c for c in seen.controls if c.layer >= 2 and (c.label, c.layer) not in known)
    return replace(before, banner=replace(shown, controls=shown.controls + layer2, second_layer="inspected"))


def _merge_storage(items: tuple[StorageItem, ...], extra: tuple[StorageItem, ...]) -> tuple[StorageItem, ...]:
    """``items`` plus the ``extra`` keys they lack (same origin, kind and key): no key is lost."""
    seen = {(i.origin, i.kind, i.key) for i in items}
    return items + tuple(i for i in extra if (i.origin, i.kind, i.key) not in seen)


def _failed_phase(name: PhaseName, reason: str, seen: PhaseResult | None) -> PhaseResult:
    """Phase ``name`` as an error with ``reason``, keeping what ``seen`` (its context's snapshot) observed."""
    if seen is None:
        return PhaseResult(name=name, status="error", error=reason)
    return replace(seen, name=name, status="error", error=reason)
