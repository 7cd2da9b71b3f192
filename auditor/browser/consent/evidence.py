"""Banner evidence from a scan: the consent dialog's controls, its text, its screenshot."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from auditor.browser.consent.scan import Control, PageScan
from auditor.model import Banner


def relevant_controls(page_scan: PageScan, exclude: frozenset[str] = frozenset()) -> list[Control]:
    """The consent-looking controls of the consent dialog (in a banner, in a CMP, or naming an action)."""
    return [
        c
        for c in page_scan.controls
        if c.token not in exclude
        and (c.in_banner or c.cmp_root is not None or c.role is not None)
        and page_scan.in_dialog(c)
    ]


def banner_evidence(page_scan: PageScan, layer: int, previous: Banner | None = None) -> Banner:
    """Banner evidence from a scan: the consent-looking controls (in a banner, in a CMP, or naming an action).

    For a second layer, ``previous`` is the first layer's evidence: controls already reported there
    are not repeated.
    """
    already = {c.selector for c in previous.controls} if previous is not None else set()
    relevant = [c for c in relevant_controls(page_scan) if c.selector not in already]
    models = [c.to_model(layer) for c in relevant]
    found = any(m.role in ("accept", "reject", "settings") for m in models)
    if previous is not None:
        return replace(previous, found=previous.found or found, controls=previous.controls + tuple(models))
    main = next((c for c in relevant if c.role in ("accept", "reject")), None) or next(iter(relevant), None)
    cmp = page_scan.cmp
    dialog = page_scan.dialog
    return Banner(
        found=found or (cmp is not None and any(c.cmp_root for c in relevant)),
        cmp=cmp,
        frame_url=main.frame.url if main is not None else None,
        text=page_scan.text_for(main) if main is not None else None,
        controls=tuple(models),
        dialog=dialog.chosen.description if dialog.chosen else None,
        dialog_reason=dialog.chosen.reason() if dialog.chosen else None,
        other_dialogs=dialog.describe_others(),
    )


@dataclass(frozen=True)
class BannerShot:
    """Where to write the screenshot of the banner taken before the first click."""

    out_dir: Path
    """Directory of ``results.json``."""
    relative: str
    """File path relative to ``out_dir`` (``screenshots/<site>-reject-banner.jpg``)."""


async def screenshot_banner(page: Page, page_scan: PageScan, shot: BannerShot) -> str | None:
    """Screenshot the banner (its container, its frame, or the viewport); the relative path, or ``None``."""
    path = shot.out_dir / shot.relative
    path.parent.mkdir(parents=True, exist_ok=True)
    relevant = relevant_controls(page_scan)
    choices = [c for c in relevant if c.role in ("accept", "reject", "settings")]
    # Prefer a control inside a banner container: a "cookie settings" link in the page footer has none.
    main = next((c for c in choices if c.data.get("box")), choices[0] if choices else None)
    options: dict[str, Any] = {"path": str(path), "type": "jpeg", "quality": 70, "timeout": 5000}
    try:
        if main is not None and main.data.get("box"):
            locator = main.frame.locator(f'[data-consent-audit-box="{main.data["box"]}"]').first
            await locator.screenshot(**options)
            return shot.relative
        if main is not None and main.frame != page.main_frame:
            element = await main.frame.frame_element()
            await element.screenshot(**options)
            return shot.relative
        await page.screenshot(**options)
    except PlaywrightError:
        try:
            await page.screenshot(**options)
        except PlaywrightError:
            return None
    return shot.relative
