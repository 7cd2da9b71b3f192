"""The scan: one look at every frame of the page (``js/scan.js``), its controls, CMPs and containers."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from auditor.browser.cmp import ADAPTERS, scan_spec
from auditor.browser.cmp.tcf import KNOWN_CMP_IDS
from auditor.browser.consent.dialog import DialogChoice, choose_dialog
from auditor.browser.labels import Role, classify
from auditor.model import BannerControl

SCAN_JS = resources.files("auditor.browser").joinpath("js/scan.js").read_text(encoding="utf-8")
_scan_ids = itertools.count()


@cache
def _scan_expression() -> str:
    """:data:`SCAN_JS` with the adapters' spec (:func:`auditor.browser.cmp.scan_spec`, itself built once) written
    into it, called with the token prefix alone.

    Passed as an argument, the spec (some 90 nested values) was serialised and checked by Playwright's
    protocol validator at every call, once per frame per scan; as source text it is one string."""
    spec_json = json.dumps(list(scan_spec()), separators=(",", ":"))
    return f"(prefix) => ({SCAN_JS.strip().rstrip(';')})({{prefix, adapters: {spec_json}}})"


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
        """The consent dialog among the prompts of this scan (:mod:`auditor.browser.consent.dialog`)."""
        main = self.main_url if self.main_url is not None else (self.controls[0].frame.url if self.controls else "")
        return choose_dialog(((c, c.frame.url) for c in self.controls), self.boxes, self.frame_texts, main)

    def in_dialog(self, control: Control) -> bool:
        """Whether ``control`` may be chosen: it is in the consent dialog (or in no set-aside prompt)."""
        return self.dialog.allows(control, control.frame.url)

    def in_consent_dialog(self, control: Control) -> bool:
        """Whether ``control`` sits in a dialog whose own words (or CMP) say it is about consent."""
        chosen = self.dialog.chosen
        return chosen is not None and chosen.is_consent_vocabulary and self.dialog.allows(control, control.frame.url)

    def text_for(self, control: Control) -> str | None:
        """The text of the banner holding ``control`` (its container, or its whole frame)."""
        box = control.data.get("box")
        if box and box in self.boxes:
            return str(self.boxes[box].get("text") or "") or None
        return self.frame_texts.get(control.frame.url)


async def scan(page: Page) -> PageScan:
    """Scan every frame once (frames that fail to answer, e.g. while navigating, are skipped)."""
    prefix = f"ca{next(_scan_ids)}"
    expression = _scan_expression()

    async def one(index: int, frame: Frame) -> tuple[Frame, Any]:
        try:
            return frame, await frame.evaluate(expression, f"{prefix}f{index}")
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
