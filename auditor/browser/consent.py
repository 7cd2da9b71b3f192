"""Finding and pressing consent controls: the site's configuration first, then CMP adapters, then labels.

One *scan* looks at every frame of the page with one ``evaluate`` per frame (``js/scan.js``): it lists
the visible controls (piercing open shadow roots), recognises the consent managers of
:mod:`auditor.browser.cmp` by their signatures and tags the controls their selectors name. The search
for a control is then a list of *finders* tried in order on that scan (:data:`FINDERS`): the site's
configuration, the recognised CMP's adapters, then text heuristics. When reject is not on the first
layer, :func:`choose` opens the settings layer and looks again there (unticking pre-ticked options
before saving when there is no reject control), recording every click in the action's steps.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from auditor.browser.cmp import ADAPTERS, scan_spec
from auditor.browser.cmp.tcf import KNOWN_CMP_IDS
from auditor.browser.consent_dialog import DialogChoice, choose_dialog, describe_box
from auditor.browser.consent_stores import StoreState, capture
from auditor.browser.labels import Role, classify, normalize, score
from auditor.config import ControlSpec, SiteConfig
from auditor.model import Banner, BannerControl, ConsentAction

SCAN_JS = resources.files("auditor.browser").joinpath("js/scan.js").read_text(encoding="utf-8")
_scan_ids = itertools.count()
MAX_UNTICK = 30
"""At most this many pre-ticked options are unticked before saving a settings layer."""


# --- the scan -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Control:
    """A clickable control seen in one frame by the scan script."""

    frame: Frame
    token: str
    label: str
    kind: str
    data: Mapping[str, Any]

    @property
    def selector(self) -> str:
        """The CSS selector that clicks this control in its frame."""
        return f'[data-consent-audit="{self.token}"]'

    @property
    def in_banner(self) -> bool:
        """Whether it sits in something that looks like a consent banner or dialog."""
        return bool(self.data.get("in_banner"))

    @property
    def cmp(self) -> str | None:
        """The adapter whose role selector matched this control."""
        return self.data.get("cmp")

    @property
    def cmp_role(self) -> Role | None:
        """The role that adapter's selector gives it."""
        return self.data.get("cmp_role")

    @property
    def cmp_root(self) -> str | None:
        """The adapter whose UI container holds this control."""
        return self.data.get("cmp_root")

    @property
    def role(self) -> Role | None:
        """The consent role of this control: from its CMP adapter when known, else from its label."""
        return self.cmp_role or classify(self.label)

    @property
    def disabled(self) -> bool:
        """Whether the control is disabled (a locked "strictly necessary" toggle, for instance)."""
        return bool(self.data.get("disabled"))

    def to_model(self, layer: int) -> BannerControl:
        """The banner evidence for this control."""
        role = self.role or "other"
        kind = self.kind if self.kind in ("button", "link", "checkbox") else "other"
        return BannerControl(
            label=self.label,
            role=role,  # type: ignore[arg-type]
            kind=kind,  # type: ignore[arg-type]
            layer=layer,
            frame_url=self.frame.url,
            selector=self.selector,
            width=self.data.get("width"),
            height=self.data.get("height"),
            color=self.data.get("color"),
            background=self.data.get("background"),
            contrast=self.data.get("contrast"),
            font_size=self.data.get("font_size"),
            checked=self.data.get("checked"),
            disabled=self.disabled if kind == "checkbox" else None,
        )


@dataclass(frozen=True)
class Detection:
    """A consent manager recognised on the page, and the signals that betrayed it."""

    adapter: str
    """Adapter id (``didomi``, ``tcf``, ...)."""
    name: str
    signals: tuple[str, ...]
    """``kind:value`` signals (``global:Didomi``, ``selector:#didomi-host``, ``cookie:didomi_token``)."""
    frames: tuple[str, ...]
    """URLs of the frames where they were seen."""
    generic: bool = False


@dataclass(frozen=True)
class PageScan:
    """Everything one scan of every frame saw."""

    controls: tuple[Control, ...]
    detections: Mapping[str, Detection]
    tcf_ping: Mapping[str, Any] | None = None
    """The ``__tcfapi('ping')`` answer of the first frame that has the API."""
    boxes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Banner containers by ``data-consent-audit-box`` token: their text and size."""
    frame_texts: Mapping[str, str] = field(default_factory=dict)
    """Visible text of child frames that hold controls, by frame URL."""
    errors: tuple[str, ...] = ()
    main_url: str | None = None
    """URL of the page's main frame (its controls outside any container are the page, not a dialog)."""

    @property
    def cmp(self) -> str | None:
        """The consent manager of the page: the best specific one, else the TCF CMP id's, else ``tcf``."""
        specific = [d for d in self.detections.values() if not d.generic]
        if specific:
            order = list(ADAPTERS)

            def rank(d: Detection) -> tuple[int, int, int]:
                owns = any(c.cmp == d.adapter or c.cmp_root == d.adapter for c in self.controls)
                return (0 if owns else 1, -len(d.signals), order.index(d.adapter))

            return min(specific, key=rank).adapter
        if "tcf" in self.detections:
            cmp_id = (self.tcf_ping or {}).get("cmpId")
            return KNOWN_CMP_IDS.get(cmp_id, "tcf") if isinstance(cmp_id, int) else "tcf"
        return None

    @cached_property
    def dialog(self) -> DialogChoice:
        """The consent dialog among the prompts of this scan (:mod:`auditor.browser.consent_dialog`)."""
        main = self.main_url if self.main_url is not None else (self.controls[0].frame.url if self.controls else "")
        return choose_dialog(((c, c.frame.url) for c in self.controls), self.boxes, self.frame_texts, main)

    def in_dialog(self, control: Control) -> bool:
        """Whether ``control`` may be chosen: it is in the consent dialog (or in no set-aside prompt)."""
        return self.dialog.allows(control, control.frame.url)

    def text_for(self, control: Control) -> str | None:
        """The text of the banner holding ``control`` (its container, or its whole frame)."""
        box = control.data.get("box")
        if box and box in self.boxes:
            return str(self.boxes[box].get("text") or "") or None
        return self.frame_texts.get(control.frame.url)


async def scan(page: Page) -> PageScan:
    """Scan every frame once (frames that fail to answer, e.g. while navigating, are skipped)."""
    prefix = f"ca{next(_scan_ids)}"
    spec = list(scan_spec())

    async def one(index: int, frame: Frame) -> tuple[Frame, Any]:
        try:
            return frame, await frame.evaluate(SCAN_JS, {"prefix": f"{prefix}f{index}", "adapters": spec})
        except PlaywrightError:
            return frame, None

    controls: list[Control] = []
    found: dict[str, tuple[list[str], list[str]]] = {}
    boxes: dict[str, Mapping[str, Any]] = {}
    frame_texts: dict[str, str] = {}
    errors: list[str] = []
    ping: Mapping[str, Any] | None = None
    for frame, data in await asyncio.gather(*(one(i, f) for i, f in enumerate(page.frames))):
        if not isinstance(data, dict):
            continue
        rows = data.get("controls") or []
        controls.extend(Control(frame, r["token"], r["label"], r["kind"], r) for r in rows)
        for adapter, signals in (data.get("cmps") or {}).items():
            sigs, frames = found.setdefault(adapter, ([], []))
            sigs.extend(s for s in signals if s not in sigs)
            if frame.url not in frames:
                frames.append(frame.url)
        boxes.update(data.get("boxes") or {})
        if data.get("text") and rows:
            frame_texts[frame.url] = str(data["text"])
        if ping is None and isinstance(data.get("tcf"), dict):
            ping = data["tcf"]
        errors.extend(str(e) for e in data.get("errors") or ())
    detections = {
        adapter_id: Detection(
            adapter=adapter_id,
            name=ADAPTERS[adapter_id].name,
            signals=tuple(sigs),
            frames=tuple(frames),
            generic=ADAPTERS[adapter_id].generic,
        )
        for adapter_id, (sigs, frames) in found.items()
        if adapter_id in ADAPTERS
    }
    return PageScan(
        tuple(controls), detections, ping, boxes, frame_texts, tuple(dict.fromkeys(errors)), page.main_frame.url
    )


# --- finders --------------------------------------------------------------------------------------


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
    return await _click(candidate.frame, candidate.selector, candidate.label, timeout)


async def _click(frame: Frame, selector: str, label: str, timeout: float) -> str | None:
    try:
        await frame.locator(selector).first.click(timeout=timeout * 1000)
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        detail = "another element covers it" if "intercepts pointer events" in str(exc) else first
        return f"the control {label!r} could not be clicked: {detail}"
    return None


async def wait_for_controls(
    page: Page, roles: Iterable[Role], site: SiteConfig, timeout: float, *, exclude: frozenset[str] = frozenset()
) -> PageScan:
    """Scan until a control for one of ``roles`` shows up, or ``timeout`` passes; return the last scan.

    Banners are injected by script at any time after load (a tag manager loading the CMP seconds
    later): between scans the page's DOM mutations are awaited (:func:`_dom_change`), with a rescan
    at least every :data:`MUTATION_WAIT` seconds for changes inside child frames. The caller starts
    this once the page has loaded and settled, so ``timeout`` counts from the load's end. Controls
    whose token is in ``exclude`` (those of a previous layer that are still visible) do not end the wait.
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


# --- evidence -------------------------------------------------------------------------------------


def _relevant(page_scan: PageScan, exclude: frozenset[str] = frozenset()) -> list[Control]:
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
    relevant = [c for c in _relevant(page_scan) if c.selector not in already]
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
    relevant = _relevant(page_scan)
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


# --- choosing -------------------------------------------------------------------------------------


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
) -> ChoiceOutcome:
    """Find and press the control for ``role`` (``reject`` or ``accept``), opening a settings layer if needed.

    Every click is a step (``ConsentAction.steps`` and ``step_labels``). With ``shot``, the banner is
    photographed before the first click (``Banner.screenshot``).
    """
    first = await wait_for_controls(page, (role, "settings"), site, banner_timeout)
    banner = await _with_layer_status(page, site, banner_evidence(first, layer=1), first)
    if shot is not None and banner.found:
        banner = replace(banner, screenshot=await screenshot_banner(page, first, shot))
    steps: list[str] = []
    candidate = await find(page, site, role, first)
    before = await capture(page)
    last = first
    if candidate is None:
        settings = await find(page, site, "settings", first)
        if settings is None:
            return ChoiceOutcome(_not_found(role, first, banner), banner)
        failure = await click(settings, click_timeout)
        if failure:
            return ChoiceOutcome(_failed(role, settings, failure, [settings.label]), banner)
        steps.append(settings.label)
        fallback: tuple[Role, ...] = ("save",) if role == "reject" else ()
        second, fresh, banner = await _second_layer(page, site, first, (role, *fallback), banner, banner_timeout)
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
    failure = await click(candidate, click_timeout)
    if failure:
        return ChoiceOutcome(_failed(role, candidate, failure, [*steps, candidate.label]), banner)
    steps.append(candidate.label)
    action = ConsentAction(
        action=role,  # type: ignore[arg-type]
        clicked=True,
        label=candidate.label,
        selector=candidate.selector if candidate.method == "config" else None,
        frame_url=candidate.frame.url,
        method=candidate.method,
        steps=len(steps),
        step_labels=tuple(steps),
    )
    return ChoiceOutcome(action, banner, before, _target(candidate, last), first.cmp)


async def _with_layer_status(page: Page, site: SiteConfig, banner: Banner, page_scan: PageScan) -> Banner:
    """The first layer's evidence with ``second_layer`` set: ``none`` without a settings control, else
    ``not-inspected`` (until :func:`_second_layer` opens it)."""
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


async def _second_layer(
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
        failure = await _click(c.frame, f'[data-consent-audit="{c.data["toggle"]}"]', c.label, timeout)
        if failure:
            return done, f"could not untick the pre-ticked option {c.label!r}: {failure}"
        done.append(f"untick: {c.label}")
    return done, None


def _not_found(
    role: Role, page_scan: PageScan, banner: Banner, layer: int = 1, steps: Sequence[str] = ()
) -> ConsentAction:
    seen = tuple(dict.fromkeys(c.label for c in _relevant(page_scan)))[:30]
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


# --- probing (``consent-audit probe``) ---------------------------------------------------------------


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


async def probe_page(page: Page, site: SiteConfig, *, banner_timeout: float, click_timeout: float = 5.0) -> ProbeReport:
    """Inspect a loaded page: which CMP, which controls on which layer and frame, what would be clicked.

    Clicks nothing that makes a choice; only the settings control, to see the second layer (where reject
    may be, and pre-ticked options often are).
    """
    first = await wait_for_controls(page, ("reject", "accept", "settings"), site, banner_timeout)
    banner = await _with_layer_status(page, site, banner_evidence(first, layer=1), first)
    plan: dict[str, PlannedClick | None] = {}
    notes: list[str] = list(first.errors)
    for role in ("reject", "accept"):
        candidate = await find(page, site, role, first)  # type: ignore[arg-type]
        plan[role] = _planned(role, candidate, 1) if candidate else None
    missing: list[Role] = [r for r in ("reject", "accept") if plan[r] is None]
    # The settings layer is opened even when both choices are on the first layer (choosing nothing): its
    # pre-ticked options are evidence the audit does not see when it refuses on the first layer.
    settings = await find(page, site, "settings", first)
    if settings is not None:
        failure = await click(settings, click_timeout)
        if failure:
            notes.append(f"the settings layer could not be opened: {failure}")
        else:
            _, fresh, banner = await _second_layer(page, site, first, (*missing, "save"), banner, banner_timeout)
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
