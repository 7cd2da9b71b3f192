"""What every format says about a site: its verdict, a one-line explanation, and counts per phase.

The sentence is written for a non-engineer and states facts from the evidence ("After "Tout
refuser", 3 advertising trackers still set cookies"); the verdict is :func:`auditor.verdict.site_verdict`
at the threshold recorded in the run, so the HTML, Markdown, console, JUnit, CSV outputs and the
exit code never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor.model import (
    PHASES,
    SEVERITIES,
    Cookie,
    Finding,
    PhaseResult,
    Request,
    RunResult,
    Severity,
    SiteResult,
    phases_of,
)
from auditor.party import host_of
from auditor.phasenames import PHASE_WORDS
from auditor.verdict import (
    SEVERITY_RANK,
    Gap,
    Verdict,
    gaps,
    is_not_evaluated,
    is_violation,
    run_fail_on,
    site_verdict,
    worst,
)


@dataclass(frozen=True)
class PhaseCounts:
    """Counts of one phase of one site (all zero when the phase is missing)."""

    phase: str
    present: bool
    """Whether the phase is in the results at all."""
    status: str | None
    """``ok`` or ``error``; ``None`` when missing."""
    error: str | None
    cookies: int
    tracker_cookies: int
    """Cookies classified as trackers, audience measurement that may be exempt left out."""
    exempt_cookies: int
    """Audience-measurement cookies that may be exempt from consent (the rules decide)."""
    third_party_cookies: int
    third_party_hosts: int
    """Distinct third-party hosts contacted."""
    tracker_hosts: int
    """Distinct hosts contacted that are classified as trackers (possibly exempt ones left out)."""
    requests: int
    storage: int
    refused_set_cookies: int
    """``Set-Cookie`` headers the browser did not store (attempts are evidence too)."""


@dataclass(frozen=True)
class SiteSummary:
    """Verdict, sentence and counts of one site."""

    site: SiteResult
    label: str
    """Display name: the configured name, else the host of the URL."""
    verdict: Verdict
    sentence: str
    """One line a non-engineer understands."""
    phases: dict[str, PhaseCounts]
    """Counts of ``before``, ``reject`` and ``accept`` (always all three keys)."""
    failing: dict[str, int]
    """Violations (outcome ``fail``, not baselined) per severity (always all three keys)."""
    not_evaluated: int
    """Findings with outcome ``error``: a rule that could not be evaluated."""
    baselined: int
    """Failing findings accepted by a baseline."""
    findings: tuple[Finding, ...]
    """All findings, worst first."""
    gaps: tuple[Gap, ...] = ()
    """What was not evaluated (:func:`auditor.verdict.gaps`): non-empty means never green."""

    @property
    def missing_phases(self) -> tuple[str, ...]:
        """Requested phases absent from the results (a failed site has all of them missing)."""
        return tuple(p for p in self.site.requested if not self.phases[p].present)


def finding_sort_key(finding: Finding) -> tuple[int, int, int, int, str]:
    """Worst first: not baselined before baselined, then by severity (a rule that could not be evaluated
    weighs as its severity), violations before not-evaluated ones, then by phase and rule."""
    baselined = 1 if finding.baseline is not None else 0
    phase = PHASES.index(finding.phase) if finding.phase in PHASES else len(PHASES)
    return (
        baselined,
        SEVERITY_RANK.get(finding.severity, 9),
        1 if is_not_evaluated(finding) else 0,
        phase,
        finding.rule,
    )


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings, worst first (stable)."""
    return tuple(sorted(findings, key=finding_sort_key))


def site_label(site: SiteResult) -> str:
    """The name people know a site by."""
    return site.name or host_of(site.url) or site.url


def tracker_name(item: Cookie | Request) -> str:
    """Who is behind a cookie or request: vendor, else entity, else registrable domain."""
    c = item.classification
    if c is not None and (c.vendor or c.entity):
        return str(c.vendor or c.entity)
    return item.registrable_domain


def is_tracker(item: Cookie | Request) -> bool:
    """Whether the knowledge base classifies it as a tracker."""
    return item.classification is not None and item.classification.tracker


def is_exempt(item: Cookie | Request) -> bool:
    """Audience measurement that may be exempt from consent: not counted as a tracker (the rules decide)."""
    return item.classification is not None and item.classification.exempt_possible


def count_phase(name: str, phase: PhaseResult | None) -> PhaseCounts:
    """Counts of one phase (zeros when ``phase`` is ``None``)."""
    if phase is None:
        return PhaseCounts(name, False, None, None, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    return PhaseCounts(
        phase=name,
        present=True,
        status=phase.status,
        error=phase.error,
        cookies=len(phase.cookies),
        tracker_cookies=sum(1 for c in phase.cookies if is_tracker(c) and not is_exempt(c)),
        exempt_cookies=sum(1 for c in phase.cookies if is_tracker(c) and is_exempt(c)),
        third_party_cookies=sum(1 for c in phase.cookies if c.party == "third"),
        third_party_hosts=len({r.host for r in phase.requests if r.party == "third"}),
        tracker_hosts=len({r.host for r in phase.requests if is_tracker(r) and not is_exempt(r)}),
        requests=len(phase.requests),
        storage=len(phase.storage),
        refused_set_cookies=sum(1 for h in phase.set_cookie_headers if not h.stored),
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _tracker_phrase(cookies: Sequence[Cookie]) -> tuple[str, int]:
    """``3 advertising trackers`` or ``4 trackers (3 advertising, 1 analytics)``, and the tracker count.

    Trackers are distinct vendors (else entities, else registrable domains), not cookies.
    """
    by_name: dict[str, str] = {}
    for c in cookies:
        category = c.classification.category if c.classification is not None else "unknown"
        by_name.setdefault(tracker_name(c), category or "unknown")
    n = len(by_name)
    per_category: dict[str, int] = {}
    for category in by_name.values():
        per_category[category] = per_category.get(category, 0) + 1
    if len(per_category) == 1:
        (category,) = per_category
        noun = "tracker" if category == "unknown" else f"{category} tracker"
        return _plural(n, noun), n
    detail = ", ".join(f"{k} {c}" for c, k in sorted(per_category.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{_plural(n, 'tracker')} ({detail})", n


def _sets(n: int) -> str:
    return "sets" if n == 1 else "set"


def _gap_note(site: SiteResult, found: Sequence[Gap], not_evaluated: int) -> str:
    """What could not be confirmed, for the end of the sentence (the reject click is described already)."""
    notes = [
        g.detail
        for g in found
        if g.kind != "rule"
        and not (g.phase == "reject" and g.kind in ("phase-missing", "phase-failed"))
        and not (g.phase == "reject" and g.kind == "consent" and _reject_not_clicked(site))
    ]
    out = ""
    if notes:
        text = notes[0] + (f" (and {_plural(len(notes) - 1, 'other gap')})" if len(notes) > 1 else "")
        out += f" Could not confirm everything: {text}."
    if not_evaluated:
        out += f" {_plural(not_evaluated, 'check')} could not be evaluated."
    return out


def _reject_not_clicked(site: SiteResult) -> bool:
    reject = site.phases.get("reject")
    return reject is not None and reject.consent is not None and not reject.consent.clicked


def _sentence(site: SiteResult, failing: Sequence[Finding], not_evaluated: int, found: Sequence[Gap]) -> str:
    if site.status == "error":
        return f"Could not be audited: {site.error or 'no reason recorded'}."
    facts = _facts(site, failing)
    note = _gap_note(site, found, not_evaluated)
    if note and facts.startswith("No tracker cookie"):  # what is unconfirmed comes before the good news
        return f"{note.strip()} Seen: {facts[0].lower()}{facts[1:]}"
    return facts + note


def _facts(site: SiteResult, failing: Sequence[Finding]) -> str:
    before = site.phases.get("before")
    reject = site.phases.get("reject")
    clauses: list[str] = []
    problem = False
    label = "refusing"
    exempt = 0
    if reject is None:
        clauses.append("The refusal was not tested (the reject phase is missing)")
        problem = True
    elif reject.consent is not None and not reject.consent.clicked:
        why = reject.consent.reason or reject.error or "no reason recorded"
        clauses.append(f"Refusing was not possible: {why}")
        problem = True
    else:
        label = reject.consent.label if reject.consent and reject.consent.label else "refusing"
        trackers = [c for c in reject.cookies if is_tracker(c) and not is_exempt(c)]
        exempt = len({tracker_name(c) for c in reject.cookies if is_tracker(c) and is_exempt(c)})
        if trackers:
            phrase, n = _tracker_phrase(trackers)
            clauses.append(f'After "{label}", {phrase} still {_sets(n)} cookies')
            problem = True
    if before is not None:
        early = [c for c in before.cookies if is_tracker(c) and not is_exempt(c)]
        if early:
            phrase, n = _tracker_phrase(early)
            clauses.append(f"{phrase} already {_sets(n)} cookies before any choice")
            problem = True
    serious = [f for f in failing if f.severity != "info"]
    if not problem and serious:
        more = len(serious) - 1
        text = serious[0].message.rstrip(".")
        return text + (f" (and {_plural(more, 'other finding')})." if more else ".")
    if problem:
        sentence = "; ".join(clauses) + "."
        return sentence[0].upper() + sentence[1:]
    where = f'after "{label}"' if before is None else f'before any choice or after "{label}"'
    sentence = f"No tracker cookie {where}"
    if exempt:
        sentence += f" (apart from {_plural(exempt, 'audience-measurement tool')} that may be exempt)"
    return sentence + "."


def summarise_site(site: SiteResult, fail_on: str = "error") -> SiteSummary:
    """Verdict (:func:`auditor.verdict.site_verdict` at ``fail_on``), sentence and counts of one site."""
    findings = sort_findings(site.findings)
    failing = [f for f in findings if is_violation(f)]
    by_severity: dict[str, int] = {s: 0 for s in SEVERITIES}
    for f in failing:
        by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
    not_evaluated = sum(1 for f in findings if is_not_evaluated(f))
    phases: dict[str, PhaseCounts] = {p: count_phase(p, site.phases.get(p)) for p in PHASES}  # every known phase
    found = gaps(site)
    return SiteSummary(
        site=site,
        label=site_label(site),
        verdict=site_verdict(site, fail_on),
        sentence=_sentence(site, failing, not_evaluated, found),
        phases=phases,
        failing=by_severity,
        not_evaluated=not_evaluated,
        baselined=sum(1 for f in findings if f.baseline is not None),
        findings=findings,
        gaps=found,
    )


@dataclass(frozen=True)
class RunSummary:
    """Summaries of every site of a run, and run-wide totals."""

    sites: tuple[SiteSummary, ...]
    """In the order of the results file."""
    fail_on: str = "error"
    """The threshold the verdicts are at."""

    @property
    def phases(self) -> tuple[str, ...]:
        """The phase columns: those any site was asked for, in report order."""
        return phases_of(s.site for s in self.sites)

    @property
    def verdict(self) -> Verdict:
        """The run's verdict: its worst site (:func:`auditor.verdict.worst`); gives the exit code."""
        return worst(s.verdict for s in self.sites)

    @property
    def worst_first(self) -> tuple[SiteSummary, ...]:
        """Sites sorted by verdict, worst first (stable)."""
        return tuple(sorted(self.sites, key=lambda s: s.verdict.rank))

    def count(self, verdict: Verdict) -> int:
        """How many sites got ``verdict``."""
        return sum(1 for s in self.sites if s.verdict is verdict)

    def failing(self, severity: Severity) -> int:
        """Failing findings of ``severity`` over all sites."""
        return sum(s.failing[severity] for s in self.sites)

    @property
    def not_evaluated(self) -> int:
        """Findings whose rule could not be evaluated, over all sites."""
        return sum(s.not_evaluated for s in self.sites)


def summarise(run: RunResult) -> RunSummary:
    """Summarise every site of ``run`` at the threshold recorded in it."""
    fail_on = run_fail_on(run)
    return RunSummary(tuple(summarise_site(s, fail_on) for s in run.sites), fail_on)


PHASE_SHORT: dict[str, str] = {name: words.short for name, words in PHASE_WORDS.items()}
"""One-word names of the phases (table column headers), from :data:`auditor.phasenames.PHASE_WORDS`."""
