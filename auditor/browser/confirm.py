"""Confirming a consent click: did the site take the choice into account?

A click that "worked" for the browser proves nothing: a handler that throws leaves the banner up and
stores nothing, and the evidence collected after it looks exactly like a correct refusal (the trackers
wait for a choice that never comes). So after every choosing click (:func:`confirm_choice`, called
once the click's network activity has settled) the auditor checks:

* **the dialog** of the click (its container or frame, :class:`auditor.browser.consent.DialogTarget`)
  went away: none of its consent controls, and no accept/reject control of a consent dialog, is still
  shown (one rescan; when something is still shown, the dialog gets a short grace to finish hiding,
  awaited, not slept). Whether the container itself is hidden is recorded too (``dialog_hidden``):
  some consent managers empty it, or fade it out, rather than remove it;
* **the stored choice**: the consent stores (cookies and web storage, :mod:`auditor.browser.consent.stores`)
  compared with their state just before the first click — what was added or changed, and what its
  value says (refused, granted, mixed, unreadable);
* **the TCF state**: ``__tcfapi('getTCData')`` ``eventStatus`` and the purposes of its TC string.

The rule (:func:`decide`):

* ``contradicted`` — a stored choice (or the TC string) says the opposite of the action: after
  reject, consent granted to some purpose; after accept, everything refused;
* ``confirmed`` — the dialog went away **and** a choice consistent with the action was stored (a
  consent store added or changed whose value says the same or cannot be read, or a TCF
  ``useractioncomplete`` with a consistent TC string);
* ``unconfirmed`` — anything else: the click was ignored, the dialog is still there, nothing was
  stored, the stored value mixes grants and refusals after a refusal.

A choice made by a consent engine (autoconsent) is checked the same way, and one whose own self-test
failed (``ConsentAction.self_test`` false) is never ``confirmed``.

After the second page view, :func:`check_second_view` looks once more: a consent banner shown again
means the choice was not kept, and a confirmed effect becomes ``unconfirmed``.

Rules never pass an effect that is not ``confirmed`` (:mod:`auditor.policy.engine`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from auditor.browser import consent
from auditor.browser.consent.stores import capture, changes
from auditor.browser.tcfread import read_tcf
from auditor.model import ConsentAction, ConsentEffectEvidence, StoredChoice, TcfState

Effect = Literal["confirmed", "unconfirmed", "contradicted"]
GRACE = 1.5
"""Seconds a dialog still shown right after the click is given to finish hiding (an animation)."""
_OPPOSITE = {"reject": "accept", "accept": "reject"}


async def _dialog_hidden(target: consent.DialogTarget | None, grace: float) -> bool | None:
    """Whether the click's dialog is hidden or gone, waiting up to ``grace`` for it to hide."""
    if target is None:
        return None
    frame = target.frame
    if frame.is_detached():
        return True
    try:
        if frame != frame.page.main_frame:
            element = await frame.frame_element()
            if not await element.is_visible():
                return True
        locator = frame.locator(target.selector).first
        if grace <= 0:
            return await locator.is_hidden()
        await locator.wait_for(state="hidden", timeout=grace * 1000)
    except PlaywrightError as exc:
        return bool(frame.is_detached() or "detached" in str(exc).lower())
    return True


def _still_shown(page_scan: consent.PageScan, target: consent.DialogTarget | None) -> tuple[str, ...]:
    """Labels of the click's dialog controls still visible, and of accept/reject controls of a consent dialog."""
    tokens = target.tokens if target is not None else frozenset()
    has_dialog = page_scan.dialog.chosen is not None
    shown = [
        c.label
        for c in page_scan.controls
        if c.kind != "checkbox"
        and (
            c.token in tokens
            or (
                has_dialog and c.role in ("accept", "reject") and (c.in_banner or c.cmp_root) and page_scan.in_dialog(c)
            )
        )
    ]
    return tuple(dict.fromkeys(shown))


def _tcf_api(states: Sequence[TcfState]) -> TcfState | None:
    return next((s for s in states if s.source == "api"), None)


def decide(
    action: Literal["reject", "accept"],
    dialog_gone: bool,
    stored: Sequence[StoredChoice],
    tcf: TcfState | None,
) -> tuple[Effect, str]:
    """The effect of a click and why, from what was seen (the rule of the module docstring)."""
    verb = "a refusal" if action == "reject" else "an acceptance"
    opposite = _OPPOSITE[action]
    live = [s for s in stored if s.change != "removed"]
    against = [s for s in live if s.says == opposite]
    tcf_done = tcf is not None and tcf.event_status == "useractioncomplete" and tcf.valid
    tcf_purposes = tcf.purpose_consents if tcf is not None and tcf.valid else ()
    if action == "reject" and tcf_done and tcf_purposes:
        return "contradicted", (
            f"after the refusal the TCF API reports consent to purposes {', '.join(map(str, tcf_purposes))}"
        )
    if against:
        s = against[0]
        said = ", ".join((s.granted if opposite == "accept" else s.refused)[:8]) or s.says
        return "contradicted", f"the stored choice {s.key} ({s.store}) says {opposite}: {said}"
    consistent = [s for s in live if s.says in (action, "unknown") or (action == "accept" and s.says == "mixed")]
    tcf_ok = tcf_done and (bool(tcf_purposes) if action == "accept" else not tcf_purposes)
    mixed = [s for s in live if s.says == "mixed"]
    if not dialog_gone:
        return "unconfirmed", "the consent dialog is still shown after the click: the click was not taken into account"
    if consistent or tcf_ok:
        what = ", ".join(f"{s.key} ({s.says})" for s in consistent[:4]) or "TCF useractioncomplete"
        return "confirmed", f"the dialog went away and {verb} was stored: {what}"
    if mixed and action == "reject":
        s = mixed[0]
        return (
            "unconfirmed",
            f"the stored choice {s.key} mixes refusals and grants ({', '.join(s.granted[:6])} granted)",
        )
    return "unconfirmed", (
        "the dialog went away but no consent choice was stored (no consent cookie or storage key changed,"
        " no TCF useractioncomplete)"
    )


async def confirm_choice(page: Page, outcome: consent.ChoiceOutcome, *, grace: float = GRACE) -> ConsentAction:
    """The outcome's action with its ``effect`` established (unchanged when nothing was clicked)."""
    action = outcome.action
    if not action.clicked or outcome.before is None:
        return action
    started = time.perf_counter()
    after_scan = await consent.scan(page)
    still = _still_shown(after_scan, outcome.target)
    hidden: bool | None = None
    if still:
        hidden = await _dialog_hidden(outcome.target, grace)
        after_scan = await consent.scan(page)
        still = _still_shown(after_scan, outcome.target)
    elif outcome.target is not None:
        hidden = await _dialog_hidden(outcome.target, 0)
    after = await capture(page)
    stored = changes(outcome.before, after, outcome.cmp)
    tcf = _tcf_api(await read_tcf(page, ()))
    gone = not still
    effect, reason = decide(action.action, gone, stored, tcf)
    if action.self_test is False and effect == "confirmed":  # the engine's rule says its choice did not hold
        effect, reason = "unconfirmed", f"{reason}, but the {action.method} self-test failed"
    evidence = ConsentEffectEvidence(
        dialog=outcome.target.description if outcome.target is not None else None,
        dialog_hidden=hidden if hidden is not None else gone,
        still_shown=still,
        stored=stored,
        tcf_event_status=tcf.event_status if tcf is not None else None,
        tcf_purpose_consents=tcf.purpose_consents if tcf is not None and tcf.valid else None,
        ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return replace(action, effect=effect, effect_reason=reason, effect_evidence=evidence)


async def check_second_view(view: Page, action: ConsentAction) -> ConsentAction:
    """After the second page view: a consent banner shown again means the choice was not kept."""
    if action.effect_evidence is None:
        return action
    try:
        page_scan = await consent.scan(view)
    except PlaywrightError:
        return action
    back = bool(_still_shown(page_scan, None))
    evidence = replace(action.effect_evidence, banner_back=back)
    if back and action.effect == "confirmed":
        reason = "the consent banner came back on the second page view: the choice was not kept"
        return replace(action, effect="unconfirmed", effect_reason=reason, effect_evidence=evidence)
    return replace(action, effect_evidence=evidence)
