"""Probing (``consent-audit probe``): which CMP, which controls on which layer, what would be clicked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from playwright.async_api import Page

from auditor.browser.autoconsent import AutoconsentSession, engine_id
from auditor.browser.consent.choose import ENGINE_GRACE, open_second_layer, pre_ticked, with_layer_status
from auditor.browser.consent.evidence import banner_evidence
from auditor.browser.consent.finders import Candidate, click, find, wait_for_controls
from auditor.browser.consent.scan import Detection, PageScan
from auditor.browser.labels import Role
from auditor.config import SiteConfig
from auditor.model import Banner


@dataclass(frozen=True)
class PlannedClick:
    """What :func:`choose` would click for one role."""

    role: str
    label: str
    method: str
    layer: int
    frame_url: str
    selector: str
    via: tuple[str, ...] = ()
    """Labels clicked before it (the settings control, unticked options)."""
    engine: str | None = None
    """The consent engine that would act (``@duckduckgo/autoconsent@16.23.0``); ``None`` for our finders."""


@dataclass(frozen=True)
class ProbeReport:
    """A quick look at a page's consent interface: CMP, controls per layer and frame, planned clicks."""

    url: str
    final_url: str | None
    error: str | None = None
    cmp: str | None = None
    detections: tuple[Detection, ...] = ()
    tcf_ping: Mapping[str, Any] | None = None
    frames: tuple[str, ...] = ()
    banner: Banner | None = None
    plan: Mapping[str, PlannedClick | None] = field(default_factory=dict)
    """``reject`` and ``accept``: the control that would be clicked, or ``None`` when none is found."""
    notes: tuple[str, ...] = ()
    autoconsent_rule: str | None = None
    """The autoconsent rule that recognised an open consent popup on the page (whether or not it would act:
    it acts only when the auditor's own finders find nothing on the first layer)."""
    engine: str | None = None
    """The autoconsent version consulted."""


async def probe_page(page: Page, site: SiteConfig, *, banner_timeout: float, click_timeout: float = 5.0) -> ProbeReport:
    """Inspect a loaded page: which CMP, which controls on which layer and frame, what would be clicked.

    Clicks nothing that makes a choice; only the settings control, to see the second layer (where reject
    may be, and pre-ticked options often are).
    """
    engine = AutoconsentSession(page, "reject")  # it only detects here: no choice is ever sent
    try:
        first = await wait_for_controls(page, ("reject", "accept", "settings"), site, banner_timeout, helper=engine)
        await engine.start()  # when our finders found the banner at once: still report what autoconsent sees
        rule = await engine.wait_popup(ENGINE_GRACE)
        report = await _probe(page, site, first, banner_timeout, click_timeout, engine, rule)
    finally:
        engine.close()
    return replace(report, autoconsent_rule=rule, engine=engine_id())


async def _probe(
    page: Page,
    site: SiteConfig,
    first: PageScan,
    banner_timeout: float,
    click_timeout: float,
    engine: AutoconsentSession,
    rule: str | None,
) -> ProbeReport:
    banner = await with_layer_status(page, site, banner_evidence(first, layer=1), first)
    plan: dict[str, PlannedClick | None] = {}
    notes: list[str] = list(first.errors)
    for role in ("reject", "accept"):
        candidate = await find(page, site, role, first)  # type: ignore[arg-type]
        plan[role] = _planned(role, candidate, 1) if candidate else None
    missing: list[Role] = [r for r in ("reject", "accept") if plan[r] is None]
    if missing and rule is not None and await find(page, site, "settings", first) is None:
        # What choose() does when nothing of ours is found on the first layer: autoconsent's rule acts.
        for role in missing:
            plan[role] = PlannedClick(
                role=role,
                label=f"autoconsent rule {rule!r}",
                method=f"autoconsent:{rule}",
                layer=1,
                frame_url=engine.popup_frame or page.url,
                selector="",
                engine=engine_id(),
            )
        missing = []
    # The settings layer is opened even when both choices are on the first layer (choosing nothing): its
    # pre-ticked options are evidence the audit does not see when it refuses on the first layer.
    settings = await find(page, site, "settings", first)
    if settings is not None:
        failure = await click(settings, click_timeout)
        if failure:
            notes.append(f"the settings layer could not be opened: {failure}")
        else:
            _, fresh, banner = await open_second_layer(page, site, first, (*missing, "save"), banner, banner_timeout)
            for role in missing:
                candidate = await find(page, site, role, fresh)
                via: tuple[str, ...] = (settings.label,)
                if candidate is None and role == "reject":
                    candidate = await find(page, site, "save", fresh)
                    via = (settings.label, *(f"untick: {c.label}" for c in pre_ticked(fresh)))
                plan[role] = _planned(role, candidate, 2, via) if candidate else None
    elif missing:
        notes.append(f"no {' or '.join(missing)} control and no settings control on the first layer")
    return ProbeReport(
        url=site.url,
        final_url=page.url,
        cmp=first.cmp,
        detections=tuple(first.detections.values()),
        tcf_ping=first.tcf_ping,
        frames=tuple(f.url for f in page.frames),
        banner=banner,
        plan=plan,
        notes=tuple(notes),
    )


def _planned(role: str, candidate: Candidate, layer: int, via: tuple[str, ...] = ()) -> PlannedClick:
    return PlannedClick(
        role=role,
        label=candidate.label,
        method=candidate.method,
        layer=layer,
        frame_url=candidate.frame.url,
        selector=candidate.selector,
        via=via,
    )
