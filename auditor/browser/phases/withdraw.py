"""The ``withdraw`` phase: accept, then take the consent back, as a visitor changing their mind.

One fresh context: the first load; the acceptance, as the accept phase makes it (without its look at the
settings layer: the banner's evidence is the accept phase's) and confirmed the same way
(:func:`auditor.browser.consent.choose`, :func:`auditor.browser.confirm.confirm_choice`), then the
dwell, so the accepted trackers run and set their cookies; the way back to the choices
(:mod:`auditor.browser.consent.wayback`: a persistent link or icon, else the consent manager's API); the
refusal there as the reject phase makes it (reject control, or untick and save) and its confirmation by the
stored choice; a reload, the dwell, the snapshot. Withdrawing must be as easy as consenting and must stop
the trackers (GDPR Art. 7(3); EDPB cookie banner taskforce report, 2023, ¶¶31-35).

Requests are labelled ``withdraw-accept`` until the way back, ``withdraw-choice`` while choosing, and
``withdraw`` from the reload on: the phase's requests are those of the page viewed after the withdrawal
(a tracker already running on the accepted page is not stopped by any consent manager before the page is
left). The jar after acceptance is compared with the jar at the end (:func:`compare_jars`): cookies set
again (renewed) or still sent after the withdrawal are evidence for the rules.

An acceptance that is not confirmed makes the phase a failure (nothing to withdraw: never a pass); no way
back is recorded as such (``WithdrawalEvidence.way_back`` ``none``), for the "no way to withdraw" rule.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from auditor.browser import confirm, consent
from auditor.browser.consent.wayback import open_way_back
from auditor.browser.pageview import load_page
from auditor.browser.phases.extra import ExtraView, run_extra
from auditor.model import ConsentAction, CookieAfterWithdrawal, PhaseName, WithdrawalEvidence

if TYPE_CHECKING:
    from auditor.browser.collect import SiteCollector
    from auditor.browser.phases.base import SiteState

RENEWED_AFTER = 1.0
"""Seconds an expiry must move later for a cookie with the same value to count as set again."""


@dataclass(frozen=True)
class WithdrawUnit:
    """Accept, find the way back, reject there, reload."""

    produces: tuple[PhaseName, ...] = ("withdraw",)

    async def collect(self, collector: SiteCollector, state: SiteState) -> None:
        """Run the withdraw context."""
        await run_extra(collector, state, "withdraw", _withdraw, label="withdraw-accept")


def compare_jars(
    accepted: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]], hosts: Iterable[str]
) -> tuple[CookieAfterWithdrawal, ...]:
    """The jar after acceptance against the jar after the withdrawal (Playwright cookie dicts), by name and
    domain; ``hosts`` are the third-party hosts the ``withdraw`` phase requested (a cookie whose domain covers
    one was sent to that third party)."""
    requested = set(hosts)

    def key(c: Mapping[str, Any]) -> tuple[str, str]:
        return str(c["name"]), str(c["domain"]).lstrip(".").lower()

    def sent(domain: str) -> bool:
        return any(h == domain or h.endswith("." + domain) for h in requested)

    def expiry(c: Mapping[str, Any]) -> float:
        value = c.get("expires")
        return float(value) if value is not None and float(value) > 0 else 0.0

    then = {key(c): c for c in accepted}
    now = {key(c): c for c in after}
    out: list[CookieAfterWithdrawal] = []
    for k, old in then.items():
        new = now.get(k)
        if new is None:
            out.append(CookieAfterWithdrawal(k[0], k[1], "removed"))
            continue
        renewed = new.get("value") != old.get("value") or expiry(new) > expiry(old) + RENEWED_AFTER
        out.append(CookieAfterWithdrawal(k[0], k[1], "renewed" if renewed else "kept", sent(k[1])))
    out.extend(CookieAfterWithdrawal(k[0], k[1], "added", sent(k[1])) for k in now if k not in then)
    return tuple(out)


async def _close_choices(view: ExtraView, refused: consent.ChoiceOutcome) -> str | None:
    """After a refusal that left the reopened choices shown: save them when the layer has a save control
    (Orejime's modal), else close it with Escape (tarteaucitron's panel stays open after "deny all"), as a
    user would; the step taken, or ``None`` when nothing could be done."""
    page, site = view.page, view.collector.site
    try:
        save = await consent.find(page, site, "save", await consent.scan(page))
        tokens = refused.target.tokens if refused.target is not None else frozenset()
        in_layer = save is not None and save.control is not None and save.control.token in tokens
        if save is not None and in_layer and await consent.click(save, 5.0) is None:
            return save.label
        await page.keyboard.press("Escape")
    except PlaywrightError:
        return None
    return "key: Escape"


async def _withdraw(view: ExtraView) -> None:
    c, page, recorder, options = view.collector, view.page, view.recorder, view.collector.options
    loop = asyncio.get_running_loop()
    accepted = await consent.choose(
        page, c.site, "accept", banner_timeout=options.banner_timeout, inspect_settings=False
    )
    action = accepted.action
    evidence = WithdrawalEvidence(accept=action)
    view.changes.update(banner=accepted.banner, withdrawal=evidence)
    if not action.clicked:
        view.error = f"the acceptance could not be made, so withdrawal cannot be judged: {action.reason}"
        return
    dwell_until = loop.time() + options.dwell
    await recorder.wait_quiet(options.quiet_ms, options.quiet_cap)
    action = await confirm.confirm_choice(page, accepted)
    evidence = replace(evidence, accept=action)
    view.changes["withdrawal"] = evidence
    view.steps.append(f"accepted: {' > '.join(action.step_labels)} ({action.effect})")
    view.clock.lap("accept")
    if action.effect != "confirmed":
        view.error = (
            f"the acceptance is not confirmed ({action.effect}: {action.effect_reason}), so withdrawal cannot be judged"
        )
        return
    await recorder.wait_quiet(options.quiet_ms, options.quiet_cap, at_least_until=dwell_until)
    jar_accepted = await view.context.cookies()
    view.clock.lap("accept_dwell")
    way = await open_way_back(page)
    view.clock.lap("way_back")
    if way is None:
        reason = "no way back to the consent choices after acceptance (no persistent link, button or icon, no API)"
        nothing = ConsentAction(action="reject", clicked=False, reason=reason)
        view.changes.update(consent=nothing, withdrawal=replace(evidence, way_back="none"))
        view.steps.append(reason)
        view.error = reason
        return
    recorder.phase = "withdraw-choice"
    view.steps.append(f"way back: {way.label} ({way.method})")
    refused = await consent.choose(page, c.site, "reject", banner_timeout=options.banner_timeout)
    refusal = refused.action
    path = (way.label, *refusal.step_labels)
    evidence = replace(evidence, way_back=way.kind, path=path, steps=len(path))
    if not refusal.clicked:
        reason = f"the refusal could not be made in the reopened choices: {refusal.reason}"
        view.changes.update(consent=replace(refusal, reason=reason), withdrawal=evidence)
        view.error = reason
        return
    await recorder.wait_quiet(options.quiet_ms, options.quiet_cap)
    refusal = await confirm.confirm_choice(page, refused)
    if refusal.effect == "unconfirmed" and refusal.effect_evidence is not None and refusal.effect_evidence.still_shown:
        extra = await _close_choices(view, refused)
        if extra is not None:
            await recorder.wait_quiet(options.quiet_ms, options.quiet_cap)
            refusal = await confirm.confirm_choice(page, refused)
            path = (*path, extra)
            evidence = replace(evidence, path=path, steps=len(path))
    view.clock.lap("withdraw_choice")
    recorder.phase = "withdraw"
    dwell_until = loop.time() + options.dwell
    again = await load_page(
        page, recorder, options, page.url if page.url.startswith("http") else None, second_view=True
    )
    view.warnings.extend(again.warnings)
    if again.error:
        view.warnings.append(f"the reload after the withdrawal failed: {again.error}")
    await recorder.wait_quiet(options.quiet_ms, options.quiet_cap, at_least_until=dwell_until)
    refusal = await confirm.check_second_view(page, refusal)
    view.clock.lap("reload_dwell")
    await recorder.drain()
    hosts = (r.host for r in recorder.requests("withdraw") if r.party == "third")
    cookies = compare_jars(jar_accepted, await view.context.cookies(), hosts)
    view.steps.append(f"withdrew: {' > '.join(path)} ({refusal.effect}); reloaded")
    evidence = replace(evidence, confirmed=refusal.effect == "confirmed", cookies=cookies)
    view.changes.update(consent=refusal, withdrawal=evidence)
