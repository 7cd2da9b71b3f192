"""Consent checks on the test's own pytest-playwright page: reject or accept, snapshot, assert.

A :class:`ConsentPage` watches one tab from before its first navigation (through a
:class:`~auditor.testing.bridge.PageBridge`), so every request of the test's flow is recorded and
labelled with its phase: ``before`` until :meth:`ConsentPage.reject` or :meth:`ConsentPage.accept`,
then that choice. The snapshots are the auditor's own (cookies with their attributes and who set
them, ``Set-Cookie`` headers also when refused, storage, requests, TCF), and the assertions evaluate
the real rule packs on them: a failure names the rule, the phase and the cookie or host.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, cast

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError
from playwright.sync_api import Page as SyncPage

from auditor.browser import confirm, consent
from auditor.browser.collect import SiteCollector
from auditor.browser.network import NetworkRecorder
from auditor.browser.phases import Clock
from auditor.browser.session import BrowserSession
from auditor.config import AuditOptions, SiteConfig
from auditor.model import Banner, ConsentAction, Finding, PhaseName, PhaseResult, SiteResult, iso_now
from auditor.party import PartyResolver
from auditor.pipeline import Pipeline
from auditor.testing.bridge import PageBridge
from auditor.testing.settings import ConsentSettings
from auditor.verdict import is_failing

Choice = Literal["reject", "accept"]


class ConsentAssertionError(AssertionError):
    """A consent assertion failed; :attr:`findings` are the findings that made it fail."""

    def __init__(self, message: str, findings: Sequence[Finding]) -> None:
        super().__init__(message)
        self.findings = tuple(findings)


class _Cookies:
    """The one part of a browser context a snapshot reads, answered by the test's own connection.

    (A CDP-attached connection does not see the cookie jar of a context it did not create.)
    """

    def __init__(self, cookies: list[Any]) -> None:
        self._cookies = cookies

    async def cookies(self) -> list[Any]:
        return self._cookies


def describe_finding(finding: Finding) -> str:
    """One line naming the rule, its pack and severity, the phase and the cookie, host or storage key."""
    subject = finding.subject
    what: str = subject.kind
    if subject.name:
        what += f" {subject.name}"
    if subject.domain:
        what += f" on {subject.domain}"
    elif subject.url:
        what += f" {subject.url}"
    outcome = "not evaluated" if finding.outcome == "error" else finding.severity
    pack = f"{finding.pack}/" if finding.pack else ""
    return f"[{pack}{finding.rule}] ({outcome}) phase {finding.phase or '-'}: {what}: {finding.message}"


def phase_failures(
    findings: Iterable[Finding], *, fail_on: str = "error", phases: Sequence[str] | None = None
) -> list[Finding]:
    """Findings that fail a check: at least ``fail_on`` severe (``error`` outcomes included), in ``phases``."""
    return [f for f in findings if is_failing(f, fail_on) and (phases is None or f.phase in phases)]


class ConsentPage:
    """Consent checks on one pytest-playwright page; create it before the test navigates.

    ``page`` is the test's sync page, ``bridge`` an async view of the same tab; ``pipeline`` the
    classification and rule packs; ``out_dir`` receives screenshots.
    """

    def __init__(
        self,
        page: SyncPage,
        bridge: PageBridge,
        pipeline: Pipeline,
        settings: ConsentSettings,
        options: AuditOptions,
        out_dir: Path,
    ) -> None:
        self.page = page
        self.bridge = bridge
        self.pipeline = pipeline
        self.settings = settings
        self.options = options
        self.out_dir = out_dir
        self.phases: dict[str, PhaseResult] = {}
        """Snapshots taken so far, by phase name."""
        self.choice: Choice | None = None
        self.action: ConsentAction | None = None
        self._click_document: float | None = None
        """The document the choice was made in (to tell a second page view from the clicked page)."""
        self._started = iso_now()
        self._banner: Banner | None = None
        self._collector: SiteCollector | None = None
        self._recorder = bridge.call(self._attach())

    async def _attach(self) -> NetworkRecorder:
        # The party of each request is decided when the snapshot is taken, from the site's URL then.
        recorder = NetworkRecorder(PartyResolver("about:blank", ()), phase="before")
        recorder.attach(self.bridge.context)
        return recorder

    @property
    def phase(self) -> PhaseName:
        """The phase the page is in: ``before`` until a choice, then ``reject`` or ``accept``."""
        return self.choice or "before"

    def _site(self) -> SiteConfig:
        url = self.page.url
        if not url.startswith("http"):
            raise RuntimeError("navigate the page to the site (page.goto) before a consent check")
        return self.settings.site(url)

    def _collector_for(self, site: SiteConfig) -> SiteCollector:
        if self._collector is None or self._collector.site.url != site.url:
            collector = SiteCollector(BrowserSession(self.options), site, self.out_dir)
            self._recorder.party = collector.party
            self._collector = collector
        self._collector.party.add(self.page.url)
        return self._collector

    def reject(self) -> ConsentAction:
        """Press the site's reject control (second layer included), as the auditor does; see :meth:`choose`."""
        return self.choose("reject")

    def accept(self) -> ConsentAction:
        """Press the site's accept control, as the auditor does; see :meth:`choose`."""
        return self.choose("accept")

    def choose(self, role: Choice) -> ConsentAction:
        """Snapshot ``before``, find and press the ``role`` control, then let the page run for the dwell.

        One choice per page (the auditor uses a fresh context for each): a second one raises
        ``RuntimeError``. Returns the recorded action; when nothing could be clicked, the action says why
        and the rules that need the choice report "not evaluated" (the assertions then fail).
        """
        if self.choice is not None:
            raise RuntimeError(f"this page already made a choice ({self.choice}); use a fresh page for {role}")
        site = self._site()
        before = self.snapshot("before")
        self.choice = role
        self._recorder.phase = role
        outcome = self.bridge.call(self._choose(site, role))
        self.phases["before"] = dataclasses.replace(before, banner=outcome.banner)
        self.action = outcome.action
        return outcome.action

    async def _choose(self, site: SiteConfig, role: Choice) -> consent.ChoiceOutcome:
        options = self.options
        outcome = await consent.choose(self.bridge.page, site, role, banner_timeout=options.banner_timeout)
        if outcome.action.clicked:
            until = asyncio.get_running_loop().time() + options.dwell
            await self._recorder.wait_quiet(options.quiet_ms, options.quiet_cap, at_least_until=until)
            # As in an audit, the click is only a refusal or an acceptance once its effect is confirmed.
            outcome = dataclasses.replace(outcome, action=await confirm.confirm_choice(self.bridge.page, outcome))
            self._click_document = await _document_id(self.bridge.page)
        self._banner = outcome.banner
        return outcome

    def snapshot(self, phase: PhaseName | None = None) -> PhaseResult:
        """Take the snapshot of the current phase now (after the network settles) and keep it."""
        name = phase or self.phase
        if name != self.phase and not (name == "before" and self.choice is None):
            raise ValueError(f"the page is in the {self.phase} phase: a {name} snapshot cannot be taken now")
        site = self._site()
        collector = self._collector_for(site)
        self.bridge.call(self._settle())
        if name != "before" and self.action is not None and self.action.clicked:
            self.action = self.bridge.call(self._seen_again(self.action))
        cookies = self.page.context.cookies()  # through the test's connection, once the network is quiet
        result = self.bridge.call(self._snapshot(collector, name, cookies))
        if name != "before" and self.action is not None:
            result = dataclasses.replace(result, consent=self.action, banner=self._banner)
            if not self.action.clicked:
                result = dataclasses.replace(result, status="error", error=self.action.reason or f"{name} not clicked")
        self.phases[name] = result
        return result

    async def _seen_again(self, action: ConsentAction) -> ConsentAction:
        """Once the test's flow has loaded a new page since the click (a second page view), whether the
        banner came back there: a choice not remembered (``cnil-choice-remembered``)."""
        evidence = action.effect_evidence
        if evidence is None or evidence.banner_back is not None:
            return action
        if await _document_id(self.bridge.page) in (None, self._click_document):
            return action  # still the clicked page: no second view to judge
        return await confirm.check_second_view(self.bridge.page, action)

    async def _settle(self) -> None:
        await self._recorder.wait_quiet(self.options.quiet_ms, self.options.quiet_cap)

    async def _snapshot(self, collector: SiteCollector, name: PhaseName, cookies: list[Any]) -> PhaseResult:
        context = cast(BrowserContext, _Cookies(cookies))
        return await collector.snapshot(
            name, context, self.bridge.page, self._recorder, (name,), [], None, Clock(), shoot=False
        )

    def result(self) -> SiteResult:
        """The site as seen so far (the phases snapshotted), classified and evaluated on the rule packs."""
        site = self._site()
        collector = self._collector_for(site)
        raw = SiteResult(
            url=site.url,
            status="ok",
            final_url=self.page.url,
            first_party=tuple(sorted(collector.party.first_party)),
            phases=dict(self.phases),
            started=self._started,
            finished=iso_now(),
        )
        return self.pipeline.postprocess(raw)

    def assert_no_tracker(self, phase: PhaseName | None = None) -> SiteResult:
        """Snapshot the current phase and fail when a rule pack finds anything in it.

        "Anything" is a finding at least as severe as the settings' ``fail_on``, and also a rule that
        could not be evaluated in that phase (a refusal that was not clicked cannot prove a clean page).
        The message lists each finding: rule, pack, phase and the cookie, host or storage key.
        """
        name = phase or self.phase
        if name == self.phase:
            self.snapshot(name)
        elif name not in self.phases:
            raise ValueError(f"no {name} snapshot was taken on this page")
        return self._assert(self.result(), (name,))

    def assert_compliant(self) -> SiteResult:
        """Snapshot the current phase, then fail on any failing finding in every phase snapshotted."""
        self.snapshot()
        return self._assert(self.result(), tuple(self.phases))

    def _assert(self, site: SiteResult, phases: Sequence[str]) -> SiteResult:
        bad = phase_failures(site.findings, fail_on=self.settings.fail_on, phases=phases)
        # A phase that failed (a choice that could not be made) proves nothing, even where no rule looks.
        failed = [
            f"  - phase {name} could not be checked: {p.error}"
            for name, p in site.phases.items()
            if name in phases and p.status == "error"
        ]
        if bad or failed:
            lines = "\n".join([*failed, *(f"  - {describe_finding(f)}" for f in bad)])
            packs = ", ".join(self.pipeline.pack_names)
            head = f"{len(bad)} consent finding(s), {len(failed)} phase(s) not checked, on {site.url}"
            raise ConsentAssertionError(
                f"{head} in phase(s) {', '.join(phases)} (packs: {packs}):\n{lines}",
                bad,
            )
        return site

    def close(self) -> None:
        """Disconnect the async view of the tab (the test's page stays open)."""
        self.bridge.close()


async def _document_id(page: Page) -> float | None:
    """The page's current document (``performance.timeOrigin``: new at every load), ``None`` when unreadable."""
    try:
        value = await page.evaluate("performance.timeOrigin")
    except PlaywrightError:
        return None
    return float(value) if isinstance(value, (int, float)) else None
