"""The one verdict: which findings fail, what was not evaluated, each site's verdict, the run's exit code.

Every output (badge, sentence, exit code, JUnit, SARIF, GitHub annotations, Markdown, console, HTML,
CSV, ``diff`` and ``compare``) takes its verdict from here, so none can disagree with another.

Definitions:

- a finding is **failing** at a threshold ``fail_on`` when it is not accepted by a baseline and its
  severity is at or above the threshold — whatever its outcome: a rule that could not be evaluated
  (outcome ``error``) counts like a violation of its severity, because a check that did not run is
  not a pass;
- something is **not evaluated** (a *gap*) when the site could not be audited (``status: error``), a
  phase is missing or failed, a consent click of the reject or accept phase was not made or its effect
  is not ``confirmed``, or a finding has outcome ``error``;
- a **site verdict**, worst first: ``not-audited`` (status error), ``fail`` (a failing finding),
  ``incomplete`` (a gap, no failing finding), ``warn`` (violations below the threshold, above
  ``info``), ``pass`` (no gap, no violation above ``info`` below the threshold: compliant *at this
  threshold*, for what the rule packs check);
- the **run verdict** is the worst site verdict (an empty run is ``incomplete``: nothing was shown).

Exit codes (:data:`EXIT_OK` ...), from the run verdict: ``pass`` and ``warn`` → 0; ``fail`` → 1;
``not-audited`` and ``incomplete`` → 3 (evidence is missing: a site, or part of one, could not be
audited, and that can hide violations). So an incomplete site never exits 0 and never gets a green
badge. A site that is both incomplete and failing is ``fail`` (exit 1) unless another site is not
audited at all (exit 3 wins: ``not-audited`` is the worst verdict). Code 2 (usage, configuration or
rule-pack error) is raised by the CLI before any evaluation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from auditor.model import CHOICE_PHASES, SEVERITIES, Finding, RunResult, SiteResult

FailOn = Literal["error", "warning", "info", "never"]
FAIL_ON_CHOICES: tuple[str, ...] = (*SEVERITIES, "never")
DEFAULT_FAIL_ON: FailOn = "error"

EXIT_OK = 0
"""Clean: no failing finding at or above ``--fail-on``, nothing left unevaluated."""
EXIT_FINDINGS = 1
"""Failing findings at or above ``--fail-on`` (not accepted by the baseline; not-evaluated ones included)."""
EXIT_USAGE = 2
"""Usage, configuration or rule-pack error: nothing was evaluated."""
EXIT_SITE_FAILED = 3
"""Evidence is missing: a site could not be audited, or a site is incomplete (a gap, no failing finding)."""

SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
"""0 for ``error`` (worst), 1 for ``warning``, 2 for ``info``."""

CONFIRMED = "confirmed"
"""The ``ConsentAction.effect`` that says the click did what it should (any other value is a gap)."""


def check_fail_on(fail_on: str) -> FailOn:
    """Validate a ``--fail-on`` value; ``ValueError`` naming the allowed ones otherwise."""
    if fail_on not in FAIL_ON_CHOICES:
        raise ValueError(f"invalid fail-on {fail_on!r} (expected one of: {', '.join(FAIL_ON_CHOICES)})")
    return fail_on  # type: ignore[return-value]


def is_not_evaluated(finding: Finding) -> bool:
    """A rule that could not be evaluated (outcome ``error``), baselined or not: never a pass."""
    return finding.outcome == "error"


def is_violation(finding: Finding) -> bool:
    """A violation that counts, at any threshold: outcome ``fail`` and not accepted by a baseline."""
    return finding.outcome == "fail" and finding.baseline is None


def at_threshold(severity: str, fail_on: str) -> bool:
    """Whether ``severity`` is at or above the threshold ``fail_on`` (never for ``never``)."""
    threshold = check_fail_on(fail_on)
    return threshold != "never" and SEVERITY_RANK.get(severity, len(SEVERITIES)) <= SEVERITY_RANK[threshold]


def is_failing(finding: Finding, fail_on: str = DEFAULT_FAIL_ON) -> bool:
    """Whether a finding fails CI at this threshold: not baselined, severe enough, whatever its outcome."""
    return finding.baseline is None and at_threshold(finding.severity, fail_on)


class Verdict(StrEnum):
    """The verdict on a site (or a run: its worst site), worst first."""

    NOT_AUDITED = "not-audited"
    """The site could not be audited at all (exit 3)."""
    FAIL = "fail"
    """At least one failing finding at or above the threshold (exit 1)."""
    INCOMPLETE = "incomplete"
    """No failing finding, but something was not evaluated: a gap (exit 3, never green)."""
    WARN = "warn"
    """Violations below the threshold (above ``info``), nothing left unevaluated (exit 0)."""
    PASS = "pass"
    """No gap, no violation above ``info``: compliant at the threshold, for what the packs check (exit 0)."""

    @property
    def label(self) -> str:
        """Short label for badges."""
        return _LABELS[self]

    @property
    def rank(self) -> int:
        """0 for the worst verdict; used to sort sites worst first and to pick a run's verdict."""
        return list(Verdict).index(self)

    @property
    def exit_code(self) -> int:
        """The exit code of a run whose worst site has this verdict."""
        return _EXIT[self]

    @property
    def green(self) -> bool:
        """Whether a report may show this verdict in green (only ``pass``)."""
        return self is Verdict.PASS


_LABELS = {
    Verdict.NOT_AUDITED: "Not audited",
    Verdict.FAIL: "Fails",
    Verdict.INCOMPLETE: "Incomplete",
    Verdict.WARN: "Warnings",
    Verdict.PASS: "No violation found",
}
_EXIT = {
    Verdict.NOT_AUDITED: EXIT_SITE_FAILED,
    Verdict.FAIL: EXIT_FINDINGS,
    Verdict.INCOMPLETE: EXIT_SITE_FAILED,
    Verdict.WARN: EXIT_OK,
    Verdict.PASS: EXIT_OK,
}


@dataclass(frozen=True)
class Gap:
    """Something that was not evaluated on a site: why the site cannot be called complete."""

    kind: Literal["site", "phase-missing", "phase-failed", "consent", "rule"]
    phase: str | None
    """The phase concerned (``None`` for the whole site)."""
    detail: str
    """A short human explanation."""
    rule: str | None = None
    """For ``rule`` gaps: the rule that could not be evaluated."""

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        """What identifies the gap across runs (``diff``): kind, phase, rule."""
        return (self.kind, self.phase, self.rule)


def consent_effect(site: SiteResult, phase: str) -> str | None:
    """The ``effect`` of the consent action of a phase (confirmed / unconfirmed / contradicted).

    ``None`` when there is no action; ``"not recorded"`` for a click saved by a version that did not
    confirm clicks: like the rule engine, such a click is never taken as confirmed.
    """
    p = site.phases.get(phase)
    if p is None or p.consent is None:
        return None
    return p.consent.effect or "not recorded"


def gaps(site: SiteResult) -> tuple[Gap, ...]:
    """Everything not evaluated on ``site`` (empty: complete evidence and every rule evaluated)."""
    if site.status == "error":
        return (Gap("site", None, f"the site could not be audited: {site.error or 'no reason recorded'}"),)
    out: list[Gap] = []
    for name in site.requested:  # a requested phase missing is a gap; one not requested is not
        phase = site.phases.get(name)
        if phase is None:
            out.append(Gap("phase-missing", name, f"the {name} phase is missing"))
            continue
        action = phase.consent
        not_clicked = name in CHOICE_PHASES and action is not None and not action.clicked
        if phase.status != "ok" and not not_clicked:  # a click not made says why itself (below)
            out.append(Gap("phase-failed", name, f"the {name} phase failed: {phase.error or 'no reason recorded'}"))
        if name not in CHOICE_PHASES:
            continue
        if action is None:
            out.append(Gap("consent", name, f"no {name} click was recorded"))
        elif not action.clicked:
            out.append(Gap("consent", name, f"the {name} click was not made: {action.reason or 'no reason recorded'}"))
        else:
            effect = consent_effect(site, name)
            if effect != CONFIRMED:
                out.append(Gap("consent", name, f"the effect of the {name} click is {effect}, not confirmed"))
    seen: set[tuple[str, str | None]] = set()
    for f in site.findings:
        if is_not_evaluated(f) and (f.rule, f.phase) not in seen:
            seen.add((f.rule, f.phase))
            where = f" ({f.phase})" if f.phase else ""
            out.append(Gap("rule", f.phase, f"rule {f.rule}{where} could not be evaluated", rule=f.rule))
    return tuple(out)


def site_verdict(site: SiteResult, fail_on: str = DEFAULT_FAIL_ON) -> Verdict:
    """The verdict on one site at the threshold ``fail_on`` (see the module docstring)."""
    check_fail_on(fail_on)
    if site.status == "error":
        return Verdict.NOT_AUDITED
    if any(is_failing(f, fail_on) for f in site.findings):
        return Verdict.FAIL
    if gaps(site):
        return Verdict.INCOMPLETE
    if any(is_violation(f) and f.severity != "info" for f in site.findings):
        return Verdict.WARN
    return Verdict.PASS


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The worst of ``verdicts``; ``incomplete`` when there are none (nothing was shown)."""
    return min(verdicts, key=lambda v: v.rank, default=Verdict.INCOMPLETE)


def run_fail_on(run: RunResult) -> str:
    """The threshold a run was judged at (recorded in ``results.json``; ``error`` for older files)."""
    return run.fail_on if run.fail_on in FAIL_ON_CHOICES else DEFAULT_FAIL_ON


def run_verdict(run: RunResult, fail_on: str | None = None) -> Verdict:
    """The verdict on a run: its worst site (``fail_on`` defaults to the one recorded in the run)."""
    threshold = check_fail_on(fail_on or run_fail_on(run))
    return worst(site_verdict(s, threshold) for s in run.sites)


def exit_code_for(run: RunResult, fail_on: str | None = None) -> int:
    """The exit code of a run (see the module docstring)."""
    return run_verdict(run, fail_on).exit_code


def exit_code_for_sites(sites: Iterable[SiteResult], fail_on: str = DEFAULT_FAIL_ON) -> int:
    """The exit code of a run streamed one site at a time (large runs): same verdict, never all in memory."""
    check_fail_on(fail_on)
    current: Verdict | None = None
    for site in sites:
        v = site_verdict(site, fail_on)
        current = v if current is None or v.rank < current.rank else current
        if current is Verdict.NOT_AUDITED:
            break
    return (current or Verdict.INCOMPLETE).exit_code


def failing_findings(run: RunResult, fail_on: str | None = None) -> Iterator[tuple[SiteResult, Finding]]:
    """The (site, finding) pairs that fail CI at this threshold."""
    threshold = check_fail_on(fail_on or run_fail_on(run))
    for site in run.sites:
        for finding in site.findings:
            if is_failing(finding, threshold):
                yield site, finding


def summarize(run: RunResult) -> dict[str, int]:
    """Counts for a summary line: sites, failed sites, findings by severity/outcome, accepted."""
    counts: Counter[str] = Counter()
    counts["sites"] = len(run.sites)
    for site in run.sites:
        if site.status == "error":
            counts["sites_failed"] += 1
        for f in site.findings:
            if f.baseline:
                counts["accepted"] += 1
            elif f.outcome == "error":
                counts["not_evaluated"] += 1
            else:
                counts[f.severity] += 1
    return dict(counts)
