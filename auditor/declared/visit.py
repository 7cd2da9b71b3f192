"""Reading a live page's declarations with the auditor's own browser session and consent scan.

One visit: the page is loaded in a fresh context of :class:`~auditor.browser.session.BrowserSession`,
the consent scan (:func:`~auditor.browser.consent.wait_for_controls`) finds the banner and its text
(:func:`~auditor.browser.consent.banner_evidence`), ``js/cmpconfig.js`` reads the consent manager's
configuration, and the cookie-policy link (from the banner, the page, or the CMP's configuration) is
opened in the same context. Nothing is clicked.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from auditor.config import AuditOptions, SiteConfig
from auditor.declared.cmpconfig import CMP_CONFIG_JS
from auditor.declared.draft import DraftInputs, PolicyPage
from auditor.declared.tables import policy_links
from auditor.party import registrable_domain

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page

    from auditor.browser.session import BrowserSession

MAX_POLICY_PAGES = 2
"""Policy pages opened at most (the best-ranked links)."""


class UnreachableSite(Exception):
    """The page to draft from could not be loaded (the message says why)."""


async def read_page(page: Page, site: SiteConfig, *, banner_timeout: float) -> DraftInputs:
    """The declarations of a loaded page (its banner, its consent manager) and its policy links, without clicking."""
    from playwright.async_api import Error as PlaywrightError

    from auditor.browser.consent import banner_evidence, wait_for_controls

    notes: list[str] = []
    page_scan = await wait_for_controls(page, ("reject", "accept", "settings"), site, banner_timeout)
    banner = banner_evidence(page_scan, layer=1)
    text = banner.text
    if banner.found and not text:
        text = next((str(b.get("text") or "") for b in page_scan.boxes.values() if b.get("text")), None)
    config: Any = None
    try:
        config = await page.main_frame.evaluate(CMP_CONFIG_JS)
    except PlaywrightError as exc:
        notes.append(f"the consent manager's configuration could not be read: {exc.message.splitlines()[0]}")
    html = ""
    with contextlib.suppress(PlaywrightError):
        html = await page.content()
    extra = _config_policy_urls(config)
    same_site = registrable_domain(page.url.split("/")[2]) if "//" in page.url else ""
    links = [u for u in policy_links(html, page.url, extra) if same_site and same_site in u]
    return DraftInputs(
        url=page.url,
        banner_found=banner.found,
        banner_text=text,
        cmp=banner.cmp,
        cmp_config=config,
        pages=tuple(PolicyPage(url=u) for u in links[:MAX_POLICY_PAGES]),
        notes=tuple(notes),
    )


def _config_policy_urls(config: Any) -> list[str]:
    if isinstance(config, dict) and isinstance(config.get("policy_url"), str):
        return [config["policy_url"]]
    return []


async def fetch_pages(context: BrowserContext, pages: tuple[PolicyPage, ...], timeout: float) -> tuple[PolicyPage, ...]:
    """Open each policy page in ``context`` (a new tab each) and keep its HTML, or why it failed."""
    from playwright.async_api import Error as PlaywrightError

    from auditor.browser.collect import describe_error

    out: list[PolicyPage] = []
    for wanted in pages:
        tab = await context.new_page()
        try:
            response = await tab.goto(wanted.url, wait_until="load", timeout=timeout * 1000)
            if response is not None and response.status >= 400:
                out.append(PolicyPage(wanted.url, error=f"HTTP {response.status}"))
                continue
            out.append(PolicyPage(wanted.url, html=await tab.content()))
        except PlaywrightError as exc:
            out.append(PolicyPage(wanted.url, error=describe_error(exc)))
        finally:
            await tab.close()
    return tuple(out)


async def read_site(site: SiteConfig, options: AuditOptions) -> DraftInputs:
    """Visit ``site`` once in a fresh browser and read what it declares; :class:`UnreachableSite` when it won't load."""
    from auditor.browser.pageview import Unreachable, opened
    from auditor.browser.session import BrowserSession

    async with BrowserSession(options) as session:
        try:
            async with opened(session, site, options.timeout) as (context, page):
                inputs = await read_page(page, site, banner_timeout=options.banner_timeout)
                fetched = await fetch_pages(context, inputs.pages, options.timeout)
        except Unreachable as exc:
            raise UnreachableSite(str(exc)) from None
    return replace(inputs, pages=fetched)


async def read_sites(sites: Sequence[SiteConfig], options: AuditOptions) -> list[SiteReading]:
    """Read the declarations of several sites in one browser, ``options.concurrency`` at a time, in order
    (``audit --policy auto``).

    Each site costs one extra visit (a fresh context), timed; a site that cannot be loaded is a reading with
    its error, never an exception.
    """
    from auditor.browser.session import BrowserSession

    limit = asyncio.Semaphore(max(1, options.concurrency))
    async with BrowserSession(options) as session:

        async def one(site: SiteConfig) -> SiteReading:
            async with limit:
                return await _read_one(session, site, options)

        return list(await asyncio.gather(*(one(s) for s in sites)))


async def _read_one(session: BrowserSession, site: SiteConfig, options: AuditOptions) -> SiteReading:
    from playwright.async_api import Error as PlaywrightError

    from auditor.browser.collect import describe_error
    from auditor.browser.pageview import Unreachable, opened

    started = time.monotonic()
    try:
        async with opened(session, site, options.timeout) as (context, page):
            inputs = await read_page(page, site, banner_timeout=options.banner_timeout)
            inputs = replace(inputs, pages=await fetch_pages(context, inputs.pages, options.timeout))
            return SiteReading(site, inputs, time.monotonic() - started)
    except (Unreachable, PlaywrightError) as exc:
        error = str(exc) if isinstance(exc, Unreachable) else describe_error(exc)
        note = f"the page could not be loaded to read its declarations: {error}"
        return SiteReading(site, DraftInputs(url=site.url, notes=(note,)), time.monotonic() - started, error)


@dataclass(frozen=True)
class SiteReading:
    """What :func:`read_sites` read of one site, and what it cost."""

    site: SiteConfig
    inputs: DraftInputs
    seconds: float
    """Wall-clock time of the extra visit (load, banner wait, configuration, policy pages)."""
    error: str | None = None
