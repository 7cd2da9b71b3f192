"""Finding and pressing consent controls: the site's configuration first, then CMP adapters, then labels.

The search is a list of *finders* tried in order (see :data:`FINDERS`); each looks at every frame of
the page (open shadow roots are pierced by the scan script and by Playwright's CSS engine) and
returns a :class:`Candidate`. New finders (adapters for a consent manager) slot in by being added
to that list. When reject is not on the first layer, :func:`choose` opens the settings layer and
looks again there, recording that refusal took more steps.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from auditor.browser.labels import Role, classify, normalize, score
from auditor.config import ControlSpec, SiteConfig
from auditor.model import Banner, BannerControl, ConsentAction

SCAN_JS = resources.files("auditor.browser").joinpath("js/scan.js").read_text(encoding="utf-8")
_scan_ids = itertools.count()


@dataclass(frozen=True)
class Control:
    """A clickable control seen in one frame by the scan script."""

    frame: Frame
    token: str
    label: str
    kind: str
    data: dict[str, Any]

    @property
    def in_banner(self) -> bool:
        """Whether it sits in something that looks like a consent banner or dialog."""
        return bool(self.data.get("in_banner"))

    def to_model(self, layer: int) -> BannerControl:
        """The banner evidence for this control."""
        role = classify(self.label) or "other"
        kind = self.kind if self.kind in ("button", "link", "checkbox") else "other"
        return BannerControl(
            label=self.label,
            role=role,  # type: ignore[arg-type]
            kind=kind,  # type: ignore[arg-type]
            layer=layer,
            frame_url=self.frame.url,
            selector=f'[data-consent-audit="{self.token}"]',
            width=self.data.get("width"),
            height=self.data.get("height"),
            color=self.data.get("color"),
            background=self.data.get("background"),
            contrast=self.data.get("contrast"),
            font_size=self.data.get("font_size"),
            checked=self.data.get("checked"),
        )


@dataclass(frozen=True)
class Candidate:
    """A control chosen for a role, and how it was found."""

    frame: Frame
    selector: str
    label: str
    method: str


async def scan(page: Page) -> list[Control]:
    """All visible clickable controls of every frame (frames that fail to answer are skipped)."""
    prefix = f"ca{next(_scan_ids)}"

    async def one(index: int, frame: Frame) -> list[Control]:
        try:
            rows = await frame.evaluate(SCAN_JS, f"{prefix}f{index}")
        except PlaywrightError:
            return []
        return [Control(frame, r["token"], r["label"], r["kind"], r) for r in rows]

    results = await asyncio.gather(*(one(i, f) for i, f in enumerate(page.frames)))
    return [c for rows in results for c in rows]


def _frames(page: Page, spec: ControlSpec) -> list[Frame]:
    if spec.frame:
        return [f for f in page.frames if spec.frame in f.url]
    return list(page.frames)


async def _config_finder(page: Page, site: SiteConfig, role: Role, controls: Sequence[Control]) -> Candidate | None:
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
        for c in controls:
            if c.frame in frames and normalize(c.label) == wanted:
                return Candidate(c.frame, f'[data-consent-audit="{c.token}"]', c.label, "config")
    return None


async def _label_finder(page: Page, site: SiteConfig, role: Role, controls: Sequence[Control]) -> Candidate | None:
    """Text heuristics: the best-scoring visible control whose most likely role is ``role``."""
    best: tuple[int, Control] | None = None
    for c in controls:
        if c.kind == "checkbox":
            continue
        s = score(c.label, role)
        if s == 0 or classify(c.label) != role:
            continue
        rank = s * 2 + (1 if c.in_banner else 0)
        if best is None or rank > best[0]:
            best = (rank, c)
    if best is None:
        return None
    c = best[1]
    return Candidate(c.frame, f'[data-consent-audit="{c.token}"]', c.label, "heuristic")


Finder = Callable[[Page, SiteConfig, Role, Sequence[Control]], Awaitable[Candidate | None]]
FINDERS: list[tuple[str, Finder]] = [("config", _config_finder), ("heuristic", _label_finder)]
"""Finders tried in order; CMP adapters insert themselves between ``config`` and ``heuristic``."""


async def find(page: Page, site: SiteConfig, role: Role, controls: Sequence[Control]) -> Candidate | None:
    """The first candidate any finder proposes for ``role``."""
    for _name, finder in FINDERS:
        candidate = await finder(page, site, role, controls)
        if candidate is not None:
            return candidate
    return None


async def click(candidate: Candidate, timeout: float) -> str | None:
    """Click like a user would (no forced or scripted click); return why it failed, or ``None``."""
    try:
        await candidate.frame.locator(candidate.selector).first.click(timeout=timeout * 1000)
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        detail = "another element covers it" if "intercepts pointer events" in str(exc) else first
        return f"the control {candidate.label!r} could not be clicked: {detail}"
    return None


async def wait_for_controls(page: Page, role: Role, site: SiteConfig, timeout: float) -> list[Control]:
    """Scan until a control for ``role`` (or a settings control) shows up, or ``timeout`` passes.

    Polls the DOM (banners are injected by script at any time after load); returns the last scan.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    controls: list[Control] = []
    while True:
        controls = await scan(page)
        if await find(page, site, role, controls) or await find(page, site, "settings", controls):
            return controls
        if loop.time() >= deadline:
            return controls
        await asyncio.sleep(0.25)


def banner_evidence(controls: Sequence[Control], layer: int, previous: Banner | None = None) -> Banner:
    """Banner evidence from a scan: the consent-looking controls (in a banner, or naming a consent action)."""
    relevant = [c for c in controls if c.in_banner or classify(c.label) is not None]
    models = [c.to_model(layer) for c in relevant]
    found = any(m.role in ("accept", "reject", "settings") for m in models)
    if previous is not None:
        return Banner(
            found=previous.found or found,
            cmp=previous.cmp,
            frame_url=previous.frame_url,
            text=previous.text,
            controls=previous.controls + tuple(models),
            screenshot=previous.screenshot,
        )
    frame_url = next((m.frame_url for m in models if m.role in ("accept", "reject")), None)
    return Banner(found=found, frame_url=frame_url, controls=tuple(models))


@dataclass(frozen=True)
class ChoiceOutcome:
    """The result of :func:`choose`: the action taken and the banner seen along the way."""

    action: ConsentAction
    banner: Banner


async def choose(
    page: Page, site: SiteConfig, role: Role, *, banner_timeout: float, click_timeout: float = 5.0
) -> ChoiceOutcome:
    """Find and press the control for ``role`` (``reject`` or ``accept``), opening a settings layer if needed."""
    controls = await wait_for_controls(page, role, site, banner_timeout)
    banner = banner_evidence(controls, layer=1)
    candidate = await find(page, site, role, controls)
    steps = 1
    if candidate is None:
        settings = await find(page, site, "settings", controls)
        if settings is None:
            return ChoiceOutcome(_not_found(role, controls, banner), banner)
        failure = await click(settings, click_timeout)
        if failure:
            return ChoiceOutcome(_failed(role, settings, failure, 1), banner)
        controls = await wait_for_controls(page, role, site, banner_timeout)
        banner = banner_evidence(controls, layer=2, previous=banner)
        candidate = await find(page, site, role, controls)
        steps = 2
        if candidate is None and role == "reject":
            # A second layer often has only "save my choices" with everything off by default.
            candidate = await find(page, site, "save", controls)
        if candidate is None:
            return ChoiceOutcome(_not_found(role, controls, banner, layer=2), banner)
    failure = await click(candidate, click_timeout)
    if failure:
        return ChoiceOutcome(_failed(role, candidate, failure, steps), banner)
    action = ConsentAction(
        action=role,  # type: ignore[arg-type]
        clicked=True,
        label=candidate.label,
        selector=candidate.selector if candidate.method == "config" else None,
        frame_url=candidate.frame.url,
        method=candidate.method,
        steps=steps,
    )
    return ChoiceOutcome(action, banner)


def _not_found(role: Role, controls: Sequence[Control], banner: Banner, layer: int = 1) -> ConsentAction:
    seen = tuple(dict.fromkeys(c.label for c in controls if c.in_banner or classify(c.label)))[:30]
    where = "on the first layer" if layer == 1 else "on the first or second layer"
    reason = f"no {role} control found {where}" + ("" if banner.found else " (no consent banner detected)")
    return ConsentAction(action=role, clicked=False, reason=reason, candidates=seen, steps=0)  # type: ignore[arg-type]


def _failed(role: Role, candidate: Candidate, reason: str, steps: int) -> ConsentAction:
    return ConsentAction(
        action=role,  # type: ignore[arg-type]
        clicked=False,
        label=candidate.label,
        frame_url=candidate.frame.url,
        method=candidate.method,
        steps=steps,
        reason=reason,
    )
