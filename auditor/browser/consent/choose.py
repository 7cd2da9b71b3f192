"""Choosing: press the control for reject or accept, opening the settings layer when needed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from auditor.browser.autoconsent import AutoconsentSession, engine_id
from auditor.browser.consent.dialog import describe_box
from auditor.browser.consent.evidence import BannerShot, banner_evidence, relevant_controls, screenshot_banner
from auditor.browser.consent.finders import Candidate, click, click_selector, find, receives_click, wait_for_controls
from auditor.browser.consent.scan import Control, PageScan, scan
from auditor.browser.consent.stores import StoreState, capture
from auditor.browser.labels import Role
from auditor.config import SiteConfig
from auditor.model import Banner, ConsentAction

ENGINE_GRACE = 2.0
"""Seconds autoconsent is still given to find the popup once the auditor's own wait is over (it has been
looking since the first scan found nothing)."""
MAX_UNTICK = 30
"""At most this many pre-ticked options are unticked before saving a settings layer."""


@dataclass(frozen=True)
class ChoiceOutcome:
    """The result of :func:`choose`: the action taken and the banner seen along the way."""

    action: ConsentAction
    banner: Banner
    before: StoreState | None = None
    """The consent stores just before the choosing click (:mod:`auditor.browser.confirm` compares)."""
    target: DialogTarget | None = None
    """The dialog of the choosing click, to check that it went away."""
    cmp: str | None = None
    """The consent manager recognised on the page."""


@dataclass(frozen=True)
class DialogTarget:
    """The consent dialog a choosing click was made in: where to look for it after the click."""

    frame: Frame
    selector: str
    """Its container (``[data-consent-audit-box=...]``), or the clicked control when it has none."""
    description: str
    tokens: frozenset[str]
    """Tokens of the dialog's consent controls (accept, reject, save, settings) when it was clicked."""


def _target(candidate: Candidate, page_scan: PageScan) -> DialogTarget:
    control = candidate.control
    box = control.data.get("box") if control is not None else None
    frame = candidate.frame
    members = [
        c
        for c in page_scan.controls
        if c.frame == frame and (box is None or c.data.get("box") == box) and c.role in ("accept", "reject", "save")
    ]
    tokens = frozenset(c.token for c in members) | ({control.token} if control is not None else set())
    if box:
        description = describe_box(page_scan.boxes.get(box, {}))
        return DialogTarget(frame, f'[data-consent-audit-box="{box}"]', description, tokens)
    where = "frame " + frame.url if frame != frame.page.main_frame else "control " + candidate.selector
    return DialogTarget(frame, candidate.selector, where, tokens)


async def choose(
    page: Page,
    site: SiteConfig,
    role: Role,
    *,
    banner_timeout: float,
    click_timeout: float = 5.0,
    shot: BannerShot | None = None,
    autoconsent: bool = True,
    inspect_settings: bool = True,
) -> ChoiceOutcome:
    """Find and press the control for ``role`` (``reject`` or ``accept``), opening a settings layer if needed.

    Every click is a step (``ConsentAction.steps`` and ``step_labels``). With ``shot``, the banner is
    photographed before the first click (``Banner.screenshot``). When the first scan finds nothing of
    ours, DuckDuckGo's autoconsent is injected and looks too (:mod:`auditor.browser.autoconsent`); if no
    finder of ours finds the control nor a settings layer, the autoconsent rule that found the popup makes
    the choice (``method`` ``autoconsent:<rule>``), confirmed afterwards like any other. ``autoconsent``
    false leaves it out (to measure the adapters alone). ``inspect_settings`` false skips the accept
    context's look at the settings layer (the ``withdraw`` phase accepts only to withdraw: the banner's
    evidence is the accept phase's).
    """
    engine = AutoconsentSession(page, role)
    try:
        helper = engine if autoconsent else None
        return await _choose(page, site, role, helper, banner_timeout, click_timeout, shot, inspect_settings)
    finally:
        engine.close()


async def engine_choose(page: Page, role: Role, *, banner_timeout: float) -> ChoiceOutcome:
    """Autoconsent alone (no finder of ours): for measuring it beside the adapters
    (``benchmarks/autoconsent_matrix.py``); the audit itself uses :func:`choose`."""
    engine = AutoconsentSession(page, role)
    try:
        before = await capture(page)
        await engine.start()
        await engine.wait_popup(banner_timeout)
        page_scan = await scan(page)
        return await _engine_choice(engine, role, page_scan, banner_evidence(page_scan, layer=1), before)
    finally:
        engine.close()


async def _choose(
    page: Page,
    site: SiteConfig,
    role: Role,
    engine: AutoconsentSession | None,
    banner_timeout: float,
    click_timeout: float,
    shot: BannerShot | None,
    inspect_settings: bool = True,
) -> ChoiceOutcome:
    first = await wait_for_controls(page, (role, "settings"), site, banner_timeout, helper=engine)
    banner = await with_layer_status(page, site, banner_evidence(first, layer=1), first)
    if shot is not None and banner.found:
        banner = replace(banner, screenshot=await screenshot_banner(page, first, shot))
    steps: list[str] = []
    candidate = await find(page, site, role, first)
    before = await capture(page)
    last = first
    if candidate is None:
        settings = await find(page, site, "settings", first)
        if settings is None:
            # Nothing of ours on the page: autoconsent's rules may know the banner.
            if engine is not None and engine.started:
                return await _engine_choice(engine, role, first, banner, before)
            return ChoiceOutcome(_not_found(role, first, banner), banner)
        failure = await click(settings, click_timeout)
        if failure:
            return ChoiceOutcome(_failed(role, settings, failure, [settings.label]), banner)
        steps.append(settings.label)
        fallback: tuple[Role, ...] = ("save",) if role == "reject" else ()
        second, fresh, banner = await open_second_layer(page, site, first, (role, *fallback), banner, banner_timeout)
        last = second
        candidate = await find(page, site, role, fresh)
        if candidate is None and role == "reject":
            # A second layer often has only "save my choices": untick what is pre-ticked, then save.
            candidate = await find(page, site, "save", fresh)
            if candidate is not None:
                unticked, failure = await _untick(fresh, click_timeout)
                steps.extend(unticked)
                if failure:
                    return ChoiceOutcome(_failed(role, candidate, failure, steps), banner)
        if candidate is None:
            return ChoiceOutcome(_not_found(role, second, banner, layer=2, steps=steps), banner)
    elif role == "accept" and inspect_settings and banner.second_layer == "not-inspected":
        # Accepting needs nothing from the settings layer, so this context opens it first, choosing
        # nothing, to see what it pre-ticks (EDPB "pre-ticked boxes"), then accepts on the first layer
        # exactly as a user would: the inspection changes no step of the choice. The first layer often stays
        # shown beside the settings layer: its accept control is pressed there; when the settings layer
        # covers or replaced it (or the "settings" control led to another page), the page is viewed afresh.
        url = page.url
        inspected = await _inspect_settings_layer(page, site, first, banner, banner_timeout)
        left = page.url != url  # the "settings" control was a link to another page (a cookie policy)
        if inspected is not None and not left:
            banner = inspected
            if await receives_click(candidate):
                before = await capture(page)
                if await click(candidate, click_timeout) is None:
                    steps.append(candidate.label)
                    return ChoiceOutcome(
                        _clicked(role, candidate, steps), banner, before, _target(candidate, first), first.cmp
                    )
        if inspected is not None or left:
            await _view_again(page, banner_timeout, url)
            last = await wait_for_controls(page, (role,), site, banner_timeout)
            found = await find(page, site, role, last)
            if found is None:
                return ChoiceOutcome(_not_found(role, last, banner), banner)
            candidate = found
            before = await capture(page)
    failure = await click(candidate, click_timeout)
    if failure:
        return ChoiceOutcome(_failed(role, candidate, failure, [*steps, candidate.label]), banner)
    steps.append(candidate.label)
    return ChoiceOutcome(_clicked(role, candidate, steps), banner, before, _target(candidate, last), first.cmp)


async def _engine_choice(
    engine: AutoconsentSession, role: Role, first: PageScan, banner: Banner, before: StoreState
) -> ChoiceOutcome:
    """Let autoconsent choose: the rule that found the popup runs its opt-out or opt-in (and self-test).

    Its choice is confirmed like any other (:mod:`auditor.browser.confirm`, on the stores captured in
    ``before``); a rule that only hides the banner, or whose steps fail, made no choice.
    """
    rule = await engine.wait_popup(ENGINE_GRACE)
    if rule is None:  # autoconsent has no rule for it either
        return ChoiceOutcome(_not_found(role, first, banner), banner)
    result = await engine.act()
    ident = engine_id()
    action = ConsentAction(
        action=role,  # type: ignore[arg-type]
        clicked=result.acted,
        frame_url=result.frame_url,
        method=f"autoconsent:{rule}",
        steps=result.clicks,
        step_labels=(f"autoconsent rule {rule!r}: {'opt out' if role == 'reject' else 'opt in'}",),
        reason=result.reason,
        engine=ident,
        engine_clicks=result.clicks,
        self_test=result.self_test,
        engine_ms=result.ms,
    )
    if not result.acted:
        return ChoiceOutcome(action, banner)
    return ChoiceOutcome(action, banner, before, None, first.cmp)


def _clicked(role: Role, candidate: Candidate, steps: Sequence[str]) -> ConsentAction:
    return ConsentAction(
        action=role,  # type: ignore[arg-type]
        clicked=True,
        label=candidate.label,
        selector=candidate.selector if candidate.method == "config" else None,
        frame_url=candidate.frame.url,
        method=candidate.method,
        steps=len(steps),
        step_labels=tuple(steps),
    )


async def _view_again(page: Page, timeout: float, url: str) -> None:
    """View ``url`` afresh and let it settle as after the first load (a consent manager ignores clicks made
    before it has registered its services: tarteaucitron does): reloaded, or loaded again when a link left
    it. A page whose network never idles is used as it is."""
    wait = max(timeout, 5.0) * 2000
    try:
        if page.url == url:
            await page.reload(wait_until="networkidle", timeout=wait)
        else:
            await page.goto(url, wait_until="networkidle", timeout=wait)
    except PlaywrightError:
        return


async def _inspect_settings_layer(
    page: Page, site: SiteConfig, first: PageScan, banner: Banner, timeout: float
) -> Banner | None:
    """Open the settings layer without choosing anything and return the banner evidence with it.

    ``None`` when the settings control cannot be pressed or the layer shows nothing new (the banner then
    stays ``not-inspected`` and the page is left as it was).
    """
    settings = await find(page, site, "settings", first)
    if settings is None or await click(settings, 5.0):
        return None
    _second, fresh, inspected = await open_second_layer(page, site, first, ("accept", "save"), banner, timeout)
    return inspected if fresh.controls else None


async def with_layer_status(page: Page, site: SiteConfig, banner: Banner, page_scan: PageScan) -> Banner:
    """The first layer's evidence with ``second_layer`` set: ``none`` without a settings control, else
    ``not-inspected`` (until :func:`open_second_layer` opens it)."""
    has_settings = await find(page, site, "settings", page_scan) is not None
    return replace(banner, second_layer="not-inspected" if has_settings else "none")


def pre_ticked(page_scan: PageScan) -> list[Control]:
    """The pre-ticked, enabled options of a consent layer that a user can untick (at most ``MAX_UNTICK``)."""
    found = [
        c
        for c in page_scan.controls
        if c.kind == "checkbox"
        and c.data.get("checked")
        and not c.disabled
        and c.data.get("toggle")
        and (c.in_banner or c.cmp_root)
        and page_scan.in_dialog(c)
    ]
    return found[:MAX_UNTICK]


async def open_second_layer(
    page: Page, site: SiteConfig, first: PageScan, roles: tuple[Role, ...], banner: Banner, timeout: float
) -> tuple[PageScan, PageScan, Banner]:
    """After a settings click: the second layer's scan, the same with only its new controls, the banner evidence.

    Controls already on the first layer do not count as second-layer ones (the first layer often stays
    in the DOM behind the settings dialog).
    """
    layer1 = frozenset(c.token for c in first.controls)
    second = await wait_for_controls(page, roles, site, timeout, exclude=layer1)
    fresh = replace(second, controls=tuple(c for c in second.controls if c.token not in layer1))
    return second, fresh, replace(banner_evidence(fresh, layer=2, previous=banner), second_layer="inspected")


async def _untick(page_scan: PageScan, timeout: float) -> tuple[list[str], str | None]:
    """Untick the pre-ticked options of a settings layer (:func:`pre_ticked`); (labels clicked, failure)."""
    done: list[str] = []
    for c in pre_ticked(page_scan):
        failure = await click_selector(c.frame, f'[data-consent-audit="{c.data["toggle"]}"]', c.label, timeout)
        if failure:
            return done, f"could not untick the pre-ticked option {c.label!r}: {failure}"
        done.append(f"untick: {c.label}")
    return done, None


def _not_found(
    role: Role, page_scan: PageScan, banner: Banner, layer: int = 1, steps: Sequence[str] = ()
) -> ConsentAction:
    seen = tuple(dict.fromkeys(c.label for c in relevant_controls(page_scan)))[:30]
    where = "on the first layer" if layer == 1 else "on the first or second layer"
    reason = f"no {role} control found {where}" + ("" if banner.found else " (no consent banner detected)")
    return ConsentAction(
        action=role,  # type: ignore[arg-type]
        clicked=False,
        reason=reason,
        candidates=seen,
        steps=len(steps),
        step_labels=tuple(steps),
    )


def _failed(role: Role, candidate: Candidate, reason: str, steps: Sequence[str]) -> ConsentAction:
    return ConsentAction(
        action=role,  # type: ignore[arg-type]
        clicked=False,
        label=candidate.label,
        frame_url=candidate.frame.url,
        method=candidate.method,
        steps=len(steps),
        step_labels=tuple(steps),
        reason=reason,
    )
