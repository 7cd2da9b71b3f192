"""Findings grouped by subject, for the human formats (HTML, console, Markdown).

One tracker seen in two phases by four rules is one subject with its rules and phases listed
("IDE on .doubleclick.net: before any choice, after refusing; 5 rules"), not nine look-alike lines.
The machine formats (JSON, SARIF, JUnit) keep one finding per rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditor.formats.summary import RunSummary, SiteSummary, finding_sort_key
from auditor.model import PHASES, Finding, Subject
from auditor.phasenames import phase_title
from auditor.verdict import SEVERITY_RANK, is_not_evaluated

SubjectKey = tuple[str, str | None, str | None, str | None]


def subject_key(subject: Subject) -> SubjectKey:
    """What identifies a subject: kind, name, domain (the URL only when there is neither name nor domain)."""
    url = subject.url if not (subject.name or subject.domain) else None
    return (subject.kind, subject.name, subject.domain, url)


def subject_text(subject: Subject) -> str:
    """A subject as people read it: ``IDE on .doubleclick.net``, ``request to ads.example``, ``the site``."""
    if subject.kind == "site":  # its URL is the site's own: no need to repeat it
        return f"the site ({subject.name})" if subject.name else "the site"
    if subject.name and subject.domain:
        return f"{subject.name} on {subject.domain}"
    what = subject.name or subject.domain or subject.url
    return f"{subject.kind} {what}" if what else subject.kind


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one site about one subject, worst first."""

    subject: Subject
    findings: tuple[Finding, ...]

    @property
    def worst(self) -> Finding:
        """The most serious finding (its severity and message lead the group)."""
        return self.findings[0]

    @property
    def rules(self) -> tuple[str, ...]:
        """Distinct rules, worst first."""
        return tuple(dict.fromkeys(f.rule for f in self.findings))

    @property
    def phases(self) -> tuple[str, ...]:
        """Distinct phases, in audit order (``site`` last for findings about no phase)."""
        present = {f.phase or "site" for f in self.findings}
        return tuple(p for p in (*PHASES, "site") if p in present)

    @property
    def severity(self) -> str:
        """Severity of the worst finding that is not baselined (else of the worst finding)."""
        live = [f for f in self.findings if f.baseline is None]
        return min((f.severity for f in live or self.findings), key=lambda s: SEVERITY_RANK.get(s, 9))

    @property
    def not_evaluated(self) -> int:
        """Findings of the group whose rule could not be evaluated."""
        return sum(1 for f in self.findings if is_not_evaluated(f))

    @property
    def baselined(self) -> bool:
        """Whether every finding of the group is accepted by a baseline."""
        return all(f.baseline is not None for f in self.findings)

    @property
    def title(self) -> str:
        """One line: subject, phases, rule count (``IDE on .doubleclick.net: before any choice, ...; 5 rules``)."""
        phases = ", ".join(phase_title(p).lower() if p != "site" else "whole site" for p in self.phases)
        n = len(self.rules)
        return f"{subject_text(self.subject)}: {phases}; {n} rule{'s' if n != 1 else ''}"


def group_findings(findings: Iterable[Finding]) -> tuple[FindingGroup, ...]:
    """Group one site's findings by subject; groups and their findings worst first (stable)."""
    by_subject: dict[SubjectKey, list[Finding]] = {}
    for f in sorted(findings, key=finding_sort_key):
        by_subject.setdefault(subject_key(f.subject), []).append(f)
    groups = [FindingGroup(fs[0].subject, tuple(fs)) for fs in by_subject.values()]
    groups.sort(key=lambda g: finding_sort_key(g.worst))
    return tuple(groups)


def worst_groups(summary: RunSummary, limit: int | None = None) -> list[tuple[SiteSummary, FindingGroup]]:
    """Finding groups of every site, worst first; groups whose findings are all baselined left out."""
    pairs = [(s, g) for s in summary.sites for g in group_findings(s.findings) if not g.baselined]
    pairs.sort(key=lambda p: finding_sort_key(p[1].worst))
    return pairs if limit is None else pairs[:limit]
