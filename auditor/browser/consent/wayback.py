"""The way back to the consent choices once they were made: what the ``withdraw`` phase opens to withdraw.

After a confirmed acceptance the banner is gone; withdrawing must stay possible, and as easy as consenting
(GDPR Art. 7(3)): a persistent link or button (« Gérer mes cookies », "Cookie settings", in a footer) or a
small floating icon. :func:`open_way_back` looks for one, in this order:

1. the recognised consent manager's own persistent control (``CmpAdapter.reopen_controls``: tarteaucitron's
   icon, the ``data-cc="show-preferencesModal"`` links of vanilla-cookieconsent), clicked like a user would;
2. any visible control whose label reads as a way back (:func:`auditor.browser.vocabulary.is_way_back`);
3. only then the consent manager's API (``CmpAdapter.reopen``: ``klaro.show()``...). A panel reopened that
   way proves the refusal can be *recorded*, but the user was shown no way back: the way is ``api``.

The search waits for a control for at most :data:`WAY_BACK_WAIT` seconds (a floating icon drawn after the
banner's exit animation), awaiting the page's DOM mutations between scans.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from auditor.browser.cmp import ADAPTERS
from auditor.browser.consent.finders import Candidate, _dom_change, click
from auditor.browser.consent.scan import PageScan, scan
from auditor.browser.vocabulary import is_way_back

WAY_BACK_WAIT = 3.0
"""Seconds a persistent way back is awaited on the accepted page."""

_LABEL_JS = """(el) => (el.getAttribute('aria-label') || el.getAttribute('title') || el.innerText ||
  (el.querySelector('img[alt]') || {}).alt || '').trim().slice(0, 120)"""

_CALL_JS = """(path) => {
  const parts = path.split('.');
  let owner = window;
  for (const part of parts.slice(0, -1)) { owner = owner == null ? undefined : owner[part]; }
  const fn = owner == null ? undefined : owner[parts[parts.length - 1]];
  if (typeof fn !== 'function') return false;
  fn.call(owner);
  return true;
}"""


@dataclass(frozen=True)
class WayBack:
    """How the consent choices were reopened: a control clicked, or a consent-manager API called."""

    kind: Literal["control", "api"]
    label: str
    """The control's label, or ``api: <path>()``."""
    method: str
    """``cmp:<adapter>`` (its control or API) or ``heuristic`` (a label read as a way back)."""


def detected_adapters(page_scan: PageScan) -> list[str]:
    """The recognised consent managers, the page's main one first."""
    primary = page_scan.cmp
    found = list(page_scan.detections)
    return sorted(found, key=lambda a: a != primary)


def label_way_back(page_scan: PageScan) -> Candidate | None:
    """The first visible control of the scan whose label reads as a way back to the consent choices."""
    for c in page_scan.controls:
        if c.kind != "checkbox" and not c.disabled and c.data.get("visible", True) and is_way_back(c.label):
            return Candidate(c.frame, c.selector, c.label, "heuristic", c)
    return None


async def adapter_way_back(page: Page, page_scan: PageScan) -> Candidate | None:
    """The first visible persistent control of a recognised consent manager (``CmpAdapter.reopen_controls``)."""
    for adapter_id in detected_adapters(page_scan):
        for selector in ADAPTERS[adapter_id].reopen_controls:
            for frame in page.frames:
                try:
                    locator = frame.locator(selector).first
                    if not await locator.count() or not await locator.is_visible():
                        continue
                    label = str(await locator.evaluate(_LABEL_JS)) or selector
                except PlaywrightError:
                    continue
                return Candidate(frame, selector, label, f"cmp:{adapter_id}")
    return None


async def find_way_back(page: Page, timeout: float = WAY_BACK_WAIT) -> tuple[Candidate | None, PageScan]:
    """A persistent way back on the page (adapter control, then label), awaited up to ``timeout`` seconds;
    with the last scan."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        page_scan = await scan(page)
        found = await adapter_way_back(page, page_scan) or label_way_back(page_scan)
        remaining = deadline - loop.time()
        if found is not None or remaining <= 0:
            return found, page_scan
        await _dom_change(page, min(remaining, 0.5))


async def reopen_by_api(page: Page, page_scan: PageScan) -> WayBack | None:
    """Call the first reopening API (``CmpAdapter.reopen``) of a recognised consent manager that the page has."""
    for adapter_id in detected_adapters(page_scan):
        for path in ADAPTERS[adapter_id].reopen:
            try:
                called = await page.evaluate(_CALL_JS, path)
            except PlaywrightError:
                continue
            if called:
                return WayBack("api", f"api: {path}()", f"cmp:{adapter_id}")
    return None


async def open_way_back(page: Page, *, timeout: float = WAY_BACK_WAIT, click_timeout: float = 5.0) -> WayBack | None:
    """Reopen the consent choices: a persistent control of the page, else the consent manager's API.

    ``None`` when there is no way back (no control, no API, or the control could not be clicked and no API
    answered)."""
    candidate, page_scan = await find_way_back(page, timeout)
    if candidate is not None and await click(candidate, click_timeout) is None:
        return WayBack("control", candidate.label, candidate.method)
    return await reopen_by_api(page, page_scan)
