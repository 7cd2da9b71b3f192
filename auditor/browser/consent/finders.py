"""Finders: the site's configuration, the CMP adapters, then label heuristics; clicking; waiting for a banner."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from auditor.browser.consent.scan import Control, PageScan, scan
from auditor.browser.labels import Role, classify, normalize, read_label, score
from auditor.config import ControlSpec, SiteConfig


@dataclass(frozen=True)
class Candidate:
    """A control chosen for a role, and how it was found."""

    frame: Frame
    selector: str
    label: str
    method: str
    """``config``, ``cmp:<adapter>`` or ``heuristic``."""
    control: Control | None = None
    """The scanned control, when the candidate came from the scan."""


def _frames(page: Page, spec: ControlSpec) -> list[Frame]:
    if spec.frame:
        return [f for f in page.frames if spec.frame in f.url]
    return list(page.frames)


def _usable(c: Control) -> bool:
    return c.kind != "checkbox" and not c.disabled


async def _config_finder(page: Page, site: SiteConfig, role: Role, page_scan: PageScan) -> Candidate | None:
    """The site's own configuration (``sites.yaml``): a selector, or an exact label."""
    spec = site.control(role)
    if spec is None:
        return None
    if spec.selector:
        for frame in _frames(page, spec):
            try:
                locator = frame.locator(spec.selector).first
                if await locator.count() and await locator.is_visible():
                    label = (await locator.inner_text(timeout=1000)).strip()
                    return Candidate(frame, spec.selector, label, "config")
            except PlaywrightError:
                continue
    if spec.label:
        wanted = normalize(spec.label)
        frames = set(_frames(page, spec))
        for c in page_scan.controls:
            if c.frame in frames and normalize(c.label) == wanted:
                return Candidate(c.frame, c.selector, c.label, "config", c)
    return None


async def _cmp_finder(page: Page, site: SiteConfig, role: Role, page_scan: PageScan) -> Candidate | None:
    """The recognised consent managers' adapters: their role selectors, then labels inside their UI."""
    detected = page_scan.detections
    if not detected:
        return None
    primary = page_scan.cmp
    best: tuple[tuple[int, int], Control] | None = None
    for c in page_scan.controls:
        if not _usable(c):
            continue
        if c.cmp in detected and c.cmp_role == role:
            strength = 2
        elif c.cmp_root in detected and c.cmp_role is None and classify(c.label) == role and page_scan.in_dialog(c):
            strength = 1
        else:
            continue
        owner = c.cmp or c.cmp_root
        rank = (strength, 1 if owner == primary else 0)
        if best is None or rank > best[0]:
            best = (rank, c)
    if best is None:
        return None
    c = best[1]
    return Candidate(c.frame, c.selector, c.label, f"cmp:{c.cmp or c.cmp_root}", c)


async def _label_finder(page: Page, site: SiteConfig, role: Role, page_scan: PageScan) -> Candidate | None:
    """Text heuristics: the best-scoring visible control whose most likely role is ``role``."""
    best: tuple[int, Control] | None = None
    for c in page_scan.controls:
        if not _usable(c) or not page_scan.in_dialog(c):
            continue
        s = score(c.label, role)
        if s == 0 or classify(c.label) != role:
            continue
        if read_label(c.label).needs_context and not page_scan.in_consent_dialog(c):
            continue  # « Non merci » says no to something: only inside a dialog about cookies is it a refusal
        rank = s * 2 + (1 if c.in_banner else 0)
        if best is None or rank > best[0]:
            best = (rank, c)
    if best is None:
        return None
    c = best[1]
    return Candidate(c.frame, c.selector, c.label, "heuristic", c)


Finder = Callable[[Page, SiteConfig, Role, PageScan], Awaitable[Candidate | None]]
FINDERS: list[tuple[str, Finder]] = [("config", _config_finder), ("cmp", _cmp_finder), ("heuristic", _label_finder)]
"""Finders tried in order: the site's configuration, CMP adapters, text heuristics."""


async def find(page: Page, site: SiteConfig, role: Role, page_scan: PageScan) -> Candidate | None:
    """The first candidate any finder proposes for ``role``."""
    for _name, finder in FINDERS:
        candidate = await finder(page, site, role, page_scan)
        if candidate is not None:
            return candidate
    return None


async def click(candidate: Candidate, timeout: float) -> str | None:
    """Click like a user would (no forced or scripted click); return why it failed, or ``None``."""
    return await click_selector(candidate.frame, candidate.selector, candidate.label, timeout)


async def click_selector(frame: Frame, selector: str, label: str, timeout: float) -> str | None:
    try:
        await frame.locator(selector).first.click(timeout=timeout * 1000)
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        detail = "another element covers it" if "intercepts pointer events" in str(exc) else first
        return f"the control {label!r} could not be clicked: {detail}"
    return None


_HIT_JS = """(selector) => {
  let el = null;
  try { el = document.querySelector(selector); } catch (e) { return false; }
  if (!el) return false;
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
  const hit = document.elementFromPoint(x, y);
  return !!hit && (hit === el || el.contains(hit));
}"""


async def receives_click(candidate: Candidate) -> bool:
    """Whether ``candidate`` is in the viewport now and nothing covers its centre (one look, no waiting).

    ``False`` when that cannot be told (a selector in a shadow root, a frame gone): the caller then takes
    the slower, sure way."""
    try:
        return bool(await candidate.frame.evaluate(_HIT_JS, candidate.selector))
    except PlaywrightError:
        return False


class WaitHelper(Protocol):
    """Another engine looking for the banner while :func:`wait_for_controls` waits (autoconsent)."""

    async def start(self) -> None:
        """Called once, when the first scan found no control for the wanted roles."""

    @property
    def found(self) -> bool:
        """Whether it has found the banner: the wait then ends at the next scan without a control."""


async def wait_for_controls(
    page: Page,
    roles: Iterable[Role],
    site: SiteConfig,
    timeout: float,
    *,
    exclude: frozenset[str] = frozenset(),
    helper: WaitHelper | None = None,
) -> PageScan:
    """Scan until a control for one of ``roles`` shows up, or ``timeout`` passes; return the last scan.

    Banners are injected by script at any time after load (a tag manager loading the CMP seconds
    later): between scans the page's DOM mutations are awaited (:func:`_dom_change`), with a rescan
    at least every :data:`MUTATION_WAIT` seconds for changes inside child frames. The caller starts
    this once the page has loaded and settled, so ``timeout`` counts from the load's end. Controls
    whose token is in ``exclude`` (those of a previous layer that are still visible) do not end the wait.
    A ``helper`` is started when the first scan finds nothing, and ends the wait once it has found the
    banner itself (a scan finding a control still wins: the auditor's own finders come first).
    """
    wanted = tuple(roles)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        page_scan = await scan(page)
        visible = replace(page_scan, controls=tuple(c for c in page_scan.controls if c.token not in exclude))
        for role in wanted:
            if await find(page, site, role, visible):
                return page_scan
        if helper is not None:
            if helper.found:
                return page_scan
            await helper.start()
        remaining = deadline - loop.time()
        if remaining <= 0:
            return page_scan
        await _dom_change(page, min(remaining, MUTATION_WAIT))


MUTATION_WAIT = 0.5
"""Longest wait for a DOM mutation of the main frame before scanning again anyway (child frames)."""
_DOM_CHANGE_JS = """(ms) => new Promise((resolve) => {
  // At most one rescan per 150 ms however busy the page (carousels, animations): a scan is not free.
  const started = performance.now();
  let timer = null;
  const done = () => {
    clearTimeout(timer);
    setTimeout(() => resolve(true), Math.max(0, 150 - (performance.now() - started)));
  };
  const observer = new MutationObserver(() => { observer.disconnect(); done(); });
  observer.observe(document, {childList: true, subtree: true, attributes: true,
                              attributeFilter: ['style', 'class', 'hidden', 'open', 'aria-hidden']});
  timer = setTimeout(() => { observer.disconnect(); resolve(false); }, ms);
})"""


async def _dom_change(page: Page, timeout: float) -> None:
    """Return at the main frame's next DOM mutation, or after ``timeout`` seconds."""
    try:
        await page.main_frame.evaluate(_DOM_CHANGE_JS, max(int(timeout * 1000), 1))
    except PlaywrightError:  # navigating: wait for the next document instead
        with contextlib.suppress(PlaywrightError):
            await page.wait_for_load_state("domcontentloaded", timeout=max(timeout * 1000, 1))
