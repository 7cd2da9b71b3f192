"""The two choice phases: the reject context (``before`` + ``reject``) and the accept context (``accept``).

* the *reject* context loads the page, waits for the network to settle and takes the ``before``
  snapshot (no interaction yet), then presses the reject control, stays long enough for delayed
  beacons, views the page a second time and takes the ``reject`` snapshot;
* the *accept* context does the same with the accept control (its pre-click state duplicates
  ``before`` and is not reported again; it becomes the failed ``accept`` phase when that context fails).

Requests are labelled ``before`` until the click itself (the page tap, :mod:`auditor.browser.pagetap`,
reports it). The clicked page is left at the end of the dwell (sessionStorage read first, unload
handlers run, their beacons awaited); page views live in :mod:`auditor.browser.pageview`.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from playwright.async_api import Error as PlaywrightError

from auditor.browser import confirm, consent
from auditor.browser.pageview import describe_error, is_loaded, leave, load_page, second_page
from auditor.browser.phases.base import Clock, SiteState, failed_phase
from auditor.model import PhaseName, PhaseResult, StorageItem

if TYPE_CHECKING:
    from auditor.browser.collect import SiteCollector


@dataclass(frozen=True)
class RejectUnit:
    """The first context of every site: ``before``, then the reject click and the ``reject`` phase.

    Its load failure is the site's failure (``SiteState.load_error``): no other context runs then."""

    produces: tuple[PhaseName, ...] = ("before", "reject")

    async def collect(self, collector: SiteCollector, state: SiteState) -> None:
        """Run the reject context."""
        before, reject, state.final_url, error = await choice_context(collector, "reject", with_before=True)
        state.phases["before"] = before
        if reject is not None:
            state.phases["reject"] = reject
        if error is not None:
            state.load_error = state.site_error = error


@dataclass(frozen=True)
class AcceptUnit:
    """The accept context: it fails on its own (load error, HTTP error, crash of that context); the accept
    phase is then recorded as an error with its reason, the rest is kept."""

    produces: tuple[PhaseName, ...] = ("accept",)

    async def collect(self, collector: SiteCollector, state: SiteState) -> None:
        """Run the accept context."""
        before = state.phases.get("before")
        shown = before.banner if before is not None else None
        # The banner is shot once, and its settings layer inspected once: here only when the reject context
        # got no picture of it, or did not open that layer.
        shot = shown is None or shown.screenshot is None
        inspect = shown is None or shown.second_layer != "inspected"
        try:
            pre_accept, accept, _, accept_error = await choice_context(
                collector, "accept", with_before=False, shoot_banner=shot, inspect_settings=inspect
            )
        except PlaywrightError as exc:
            pre_accept, accept, accept_error = None, None, f"browser failure: {describe_error(exc)}"
        if accept_error is not None:
            accept = failed_phase("accept", accept_error, pre_accept)
            state.site_error = f"accept context failed: {accept_error}"
        if accept is not None:
            state.phases["accept"] = accept
            if "before" in state.phases:
                state.phases["before"] = _with_inspected_layer(state.phases["before"], accept)


async def choice_context(
    c: SiteCollector,
    role: Literal["reject", "accept"],
    *,
    with_before: bool,
    shoot_banner: bool = True,
    inspect_settings: bool = True,
) -> tuple[PhaseResult, PhaseResult | None, str | None, str | None]:
    """One context: load, [snapshot before], choose ``role``, second view, snapshot ``role``.

    ``shoot_banner``: screenshot the banner before the click (with ``--screenshots``); ``inspect_settings``:
    an accept opens the settings layer first (:func:`auditor.browser.consent.choose`).
    Returns (first snapshot, phase snapshot or None, final URL, site error).
    """
    clock = Clock()
    context, recorder = await c.open_context("before" if with_before else f"{role}-preclick")
    clock.lap("context")
    try:
        page = await context.new_page()
        # Both contexts let the page settle before clicking, as a user would: a consent manager that
        # registers its services after load ignores an earlier click (tarteaucitron does).
        loaded = await load_page(page, recorder, c.options, c.site.url)
        http_status, load_error, warnings = loaded.status, loaded.error, loaded.warnings
        clock.lap("load")
        final_url = page.url if page.url != "about:blank" else None
        warnings.extend(c.party_after_redirects(final_url))
        first = await c.snapshot(
            "before", context, page, recorder, (recorder.phase,), warnings, http_status, clock, shoot=with_before
        )
        first = replace(first, redirects=loaded.redirects)
        if load_error:
            failed = replace(first, status="error", error=load_error)
            return failed, None, final_url, load_error
        # The label switches to the role at the click itself (the page tap reports it): requests
        # made while the banner is awaited belong to the pre-click phase.
        recorder.switch_at_click(role)
        shot = None
        if c.options.screenshots and shoot_banner:
            shot = consent.BannerShot(c.out_dir, f"screenshots/{c.slug}-{role}-banner.jpg")
        outcome = await consent.choose(
            page, c.site, role, banner_timeout=c.options.banner_timeout, shot=shot, inspect_settings=inspect_settings
        )
        recorder.phase = role  # also when no click happened, or the tap did not see it
        clock.lap("consent")
        first = replace(first, banner=outcome.banner)
        if with_before:  # add what was sent between the snapshot and the click
            first = replace(first, requests=recorder.requests("before"))
        action = outcome.action
        phase_warnings: list[str] = []
        clicked_session: tuple[StorageItem, ...] = ()
        if action.clicked:
            loop = asyncio.get_running_loop()
            dwell_until = loop.time() + c.options.dwell
            await recorder.wait_quiet(c.options.quiet_ms, c.options.quiet_cap)  # the click's own effects
            clock.lap("after_click")
            action = await confirm.confirm_choice(page, outcome)  # did the site take the choice?
            clock.lap("confirm")
            # The second page view opens beside the clicked page, which stays open until the dwell
            # is over: its delayed beacons still fire (a reload would cancel them) while the next
            # page loads, so the dwell and the second view overlap instead of adding up.
            view = await second_page(context, page)
            second = await load_page(
                view, recorder, c.options, page.url if page.url.startswith("http") else None, second_view=True
            )
            phase_warnings.extend(second.warnings)
            if second.error:
                phase_warnings.append(f"second page view failed: {second.error}")
            clock.lap("second_view")
            await recorder.wait_quiet(c.options.quiet_ms, c.options.quiet_cap, at_least_until=dwell_until)
            clock.lap("dwell")
            action = await confirm.check_second_view(view, action)  # the banner came back: choice not kept
            if await is_loaded(view):  # a popup that never finished loading cannot be screenshotted
                # Then the clicked page is left, as a user leaves it: its sessionStorage is read
                # first (the new tab may not share it), then it closes with its unload handlers run,
                # and the beacons they send are awaited before the snapshot.
                clicked_session = tuple(i for i in await c.storage(page) if i.kind == "session")
                if not await leave(page):
                    phase_warnings.append("the clicked page did not close when asked (beforeunload prompt)")
                recorder.release(page)
                await recorder.wait_quiet(c.options.quiet_ms, c.options.quiet_cap)
                clock.lap("leave")
                page = view
        phase = await c.snapshot(
            role, context, page, recorder, (role,), phase_warnings, None, clock, shoot=True, banner=outcome.banner
        )
        phase = replace(phase, consent=action, storage=_merge_storage(phase.storage, clicked_session))
        if not action.clicked:
            phase = replace(phase, status="error", error=action.reason or f"{role} control not clicked")
        return first, phase, final_url, None
    finally:
        with contextlib.suppress(PlaywrightError):
            await context.close()


def _with_inspected_layer(before: PhaseResult, accept: PhaseResult) -> PhaseResult:
    """``before`` with the settings layer the accept context inspected (choosing nothing), when the reject
    context did not open it: the banner as first shown is judged on both of its layers."""
    shown, seen = before.banner, accept.banner
    if shown is None or seen is None or shown.second_layer != "not-inspected" or seen.second_layer != "inspected":
        return before
    known = {(c.label, c.layer) for c in shown.controls}
    layer2 = tuple(c for c in seen.controls if c.layer >= 2 and (c.label, c.layer) not in known)
    return replace(before, banner=replace(shown, controls=shown.controls + layer2, second_layer="inspected"))


def _merge_storage(items: tuple[StorageItem, ...], extra: tuple[StorageItem, ...]) -> tuple[StorageItem, ...]:
    """``items`` plus the ``extra`` keys they lack (same origin, kind and key): no key is lost."""
    seen = {(i.origin, i.kind, i.key) for i in items}
    return items + tuple(i for i in extra if (i.origin, i.kind, i.key) not in seen)
