"""The ``ignore`` phase: a visitor who never answers the banner.

Load the page, scroll down it as a reader would (wheel input, so the page's scroll listeners fire),
let the network settle and dwell, then open a second page of the site (a same-site link of the page,
else a reload), never touching the banner. Silence is not consent (CNIL guidelines of 17 September
2020, art. 2; EDPB Guidelines 05/2020 ¶¶86-88: scrolling or continuing to browse is no clear
affirmative action), so nothing non-exempt may be set: the ``ignore`` rules of the built-in packs
are those of ``before``. Catches the "scrolling means consent" banner.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError

from auditor.browser import consent
from auditor.browser.pageview import load_page
from auditor.browser.phases.extra import ExtraView, first_party_link, run_extra
from auditor.model import PhaseName

if TYPE_CHECKING:
    from auditor.browser.collect import SiteCollector
    from auditor.browser.phases.base import SiteState

SCROLL_STEPS = 8
"""Wheel turns at most (a long page is not read to its end: a reader scrolls a few screens)."""
SCROLL_PX = 700

LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter(a => { const r = a.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
  .map(a => a.href)"""
AT_BOTTOM_JS = "() => window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2"


@dataclass(frozen=True)
class IgnoreUnit:
    """Load, scroll, dwell, second page; no click on the banner."""

    produces: tuple[PhaseName, ...] = ("ignore",)

    async def collect(self, collector: SiteCollector, state: SiteState) -> None:
        """Run the ignore context."""
        await run_extra(collector, state, "ignore", _ignore)


async def scroll_down(view: ExtraView) -> int:
    """Scroll the page down with the mouse wheel until its end (at most :data:`SCROLL_STEPS` turns);
    returns the turns made."""
    page = view.page
    width, height = view.collector.options.viewport
    await page.mouse.move(width / 2, height / 2)
    turns = 0
    for _ in range(SCROLL_STEPS):
        if await page.evaluate(AT_BOTTOM_JS):
            break
        await page.mouse.wheel(0, SCROLL_PX)
        turns += 1
        # Each turn's own effects (a lazy image, a scroll listener's beacon) before the next one.
        await view.recorder.wait_quiet(view.collector.options.quiet_ms, view.collector.options.quiet_cap)
    return turns


async def _ignore(view: ExtraView) -> None:
    options = view.collector.options
    loop = asyncio.get_running_loop()
    dwell_until = loop.time() + options.dwell
    try:
        turns = await scroll_down(view)
    except PlaywrightError as exc:
        view.warnings.append(f"scrolling failed: {exc.message.splitlines()[0]}")
        turns = 0
    view.steps.append(f"scrolled down {turns} wheel turn(s) of {SCROLL_PX} px")
    await view.recorder.wait_quiet(options.quiet_ms, options.quiet_cap, at_least_until=dwell_until)
    view.clock.lap("scroll_dwell")
    try:
        links = await view.page.evaluate(LINKS_JS)
    except PlaywrightError:
        links = []
    target = first_party_link(view.collector, [str(h) for h in links], view.page.url)
    view.steps.append(f"opened a second page: {target}" if target else "reloaded the page (no same-site link)")
    second = await load_page(view.page, view.recorder, options, target, second_view=True)
    view.warnings.extend(second.warnings)
    if second.error:
        view.warnings.append(f"second page view failed: {second.error}")
    await view.recorder.wait_quiet(options.quiet_ms, options.quiet_cap)
    view.clock.lap("second_view")
    try:
        view.changes["banner"] = consent.banner_evidence(await consent.scan(view.page), 1)
    except PlaywrightError:
        view.warnings.append("the banner could not be scanned on the second page")
