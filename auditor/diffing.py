"""Run-to-run diff: per site, the cookies, third-party hosts and findings that appeared or disappeared.

``consent-audit diff old.json new.json`` is a regression gate for CI: it exits 1 when a new violation
at the new run's ``--fail-on`` threshold appears (``error`` by default; not accepted by a baseline),
and 3 when evidence was lost: a site that was audited before can no longer be audited, or a check
stopped being evaluated — a rule that failed or passed now has outcome ``error``, a phase disappeared
or failed, a consent click is no longer made or confirmed (a gap of :func:`auditor.verdict.gaps` that
the old run did not have). Findings vanishing because evidence vanished must not pass as an improvement.

Sites are matched by URL. Cookies are compared by ``name (domain)``, hosts by name (third-party
only), findings by rule, phase and subject (kind, name, domain; the URL only when the subject has
neither name nor domain), so a changed message or evidence does not count as a new finding.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.text import Text

from auditor.formats.common import finding_text
from auditor.formats.groups import subject_key
from auditor.formats.summary import site_label, sort_findings, summarise_site
from auditor.formats.text import md, one_line
from auditor.model import Finding, RunResult, SiteResult, phases_of
from auditor.verdict import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_SITE_FAILED,
    Gap,
    Verdict,
    gaps,
    is_failing,
    is_violation,
    run_fail_on,
)

FindingKey = tuple[str, str | None, str, str | None, str | None, str | None]


def finding_key(f: Finding) -> FindingKey:
    """What identifies a finding across runs: rule, phase and subject (:func:`subject_key`)."""
    return (f.rule, f.phase, *subject_key(f.subject))


def _cookies(site: SiteResult | None, phase: str) -> set[str]:
    p = site.phases.get(phase) if site else None
    return {f"{c.name} ({c.domain})" for c in p.cookies} if p else set()


def _hosts(site: SiteResult | None, phase: str) -> set[str]:
    p = site.phases.get(phase) if site else None
    return {r.host for r in p.requests if r.party == "third"} if p else set()


@dataclass(frozen=True)
class PhaseDiff:
    """What changed in one phase of one site."""

    phase: str
    comparable: bool
    """False when the phase is missing or failed in either run (additions and removals then mean little)."""
    cookies_added: tuple[str, ...]
    cookies_removed: tuple[str, ...]
    hosts_added: tuple[str, ...]
    hosts_removed: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether anything appeared or disappeared."""
        return bool(self.cookies_added or self.cookies_removed or self.hosts_added or self.hosts_removed)


@dataclass(frozen=True)
class SiteDiff:
    """What changed for one site between the two runs."""

    url: str
    label: str
    old: SiteResult | None
    """``None`` when the site is new."""
    new: SiteResult | None
    """``None`` when the site was dropped."""
    old_verdict: Verdict | None
    new_verdict: Verdict | None
    phases: tuple[PhaseDiff, ...]
    findings_added: tuple[Finding, ...]
    findings_removed: tuple[Finding, ...]
    gaps_added: tuple[Gap, ...] = ()
    """What the new run could not evaluate and the old one could (empty for added or dropped sites)."""
    fail_on: str = "error"
    """The new run's threshold: a new violation at it is a regression."""

    @property
    def new_errors(self) -> tuple[Finding, ...]:
        """Violations that appeared at the new run's threshold and are not baselined: regressions."""
        return tuple(f for f in self.findings_added if is_violation(f) and is_failing(f, self.fail_on))

    @property
    def newly_unaudited(self) -> bool:
        """The site was audited in the old run and could not be in the new one."""
        return self.old is not None and self.old.status == "ok" and self.new is not None and self.new.status != "ok"

    @property
    def lost_evaluation(self) -> tuple[Gap, ...]:
        """Checks that stopped being evaluated (the site was audited in both runs): regressions too."""
        return self.gaps_added if not self.newly_unaudited else ()

    @property
    def changed(self) -> bool:
        """Whether anything differs."""
        return (
            self.old is None
            or self.new is None
            or self.old_verdict != self.new_verdict
            or bool(self.findings_added or self.findings_removed or self.gaps_added)
            or any(p.changed for p in self.phases)
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "url": self.url,
            "site": self.label,
            "status": {"old": self.old.status if self.old else None, "new": self.new.status if self.new else None},
            "verdict": {
                "old": self.old_verdict.value if self.old_verdict else None,
                "new": self.new_verdict.value if self.new_verdict else None,
            },
            "phases": {
                p.phase: {
                    "comparable": p.comparable,
                    "cookies_added": list(p.cookies_added),
                    "cookies_removed": list(p.cookies_removed),
                    "hosts_added": list(p.hosts_added),
                    "hosts_removed": list(p.hosts_removed),
                }
                for p in self.phases
            },
            "findings_added": [_finding_dict(f) for f in self.findings_added],
            "findings_removed": [_finding_dict(f) for f in self.findings_removed],
            "new_errors": len(self.new_errors),
            "newly_unaudited": self.newly_unaudited,
            "lost_evaluation": [
                {"kind": g.kind, "phase": g.phase, "rule": g.rule, "detail": g.detail} for g in self.lost_evaluation
            ],
        }


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "outcome": f.outcome,
        "phase": f.phase,
        "subject": {"kind": f.subject.kind, "name": f.subject.name, "domain": f.subject.domain, "url": f.subject.url},
        "message": f.message,
        "baseline": f.baseline,
    }


@dataclass(frozen=True)
class RunDiff:
    """The diff of two runs of the same sites."""

    old: RunResult
    new: RunResult
    sites: tuple[SiteDiff, ...]
    """Every site of either run: old order first, then sites only in the new run."""

    @property
    def new_errors(self) -> tuple[tuple[SiteDiff, Finding], ...]:
        """Every regression: a new failing error finding."""
        return tuple((s, f) for s in self.sites for f in s.new_errors)

    @property
    def newly_unaudited(self) -> tuple[SiteDiff, ...]:
        """Sites audited before that could not be audited now."""
        return tuple(s for s in self.sites if s.newly_unaudited)

    @property
    def lost_evaluation(self) -> tuple[tuple[SiteDiff, Gap], ...]:
        """Every check that stopped being evaluated on a site audited in both runs."""
        return tuple((s, g) for s in self.sites for g in s.lost_evaluation)

    @property
    def changed(self) -> tuple[SiteDiff, ...]:
        """Sites with any difference."""
        return tuple(s for s in self.sites if s.changed)

    def exit_code(self) -> int:
        """1 for a new violation, else 3 for lost evidence (a site no longer audited, a check no longer
        evaluated), else 0."""
        if self.new_errors:
            return EXIT_FINDINGS
        if self.newly_unaudited or self.lost_evaluation:
            return EXIT_SITE_FAILED
        return EXIT_OK

    def to_json(self) -> str:
        """JSON: both runs' timestamps, totals and every site's changes."""
        data = {
            "old": {"started": self.old.started, "finished": self.old.finished},
            "new": {"started": self.new.started, "finished": self.new.finished},
            "new_errors": len(self.new_errors),
            "newly_unaudited": [s.url for s in self.newly_unaudited],
            "lost_evaluation": len(self.lost_evaluation),
            "exit_code": self.exit_code(),
            "sites": [s.as_dict() for s in self.sites],
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    def to_markdown(self) -> str:
        """A Markdown summary for pull requests and step summaries (page strings escaped)."""
        lines = [
            "# Consent audit: what changed",
            "",
            f"From the run of {md(self.old.started)} to the run of {md(self.new.started)}: "
            f"{len(self.changed)} of {len(self.sites)} sites changed, "
            f"**{len(self.new_errors)} new error finding{'s' if len(self.new_errors) != 1 else ''}**, "
            f"**{len(self.lost_evaluation)} check{'s' if len(self.lost_evaluation) != 1 else ''} no longer "
            "evaluated**.",
        ]
        for s in self.changed:
            lines += ["", f"## {md(s.label)}", "", f"- Verdict: {_verdict(s.old_verdict)} → {_verdict(s.new_verdict)}"]
            if s.new is None:
                lines.append(f"- Not in the new run ({_count(len(s.findings_removed), 'finding')} before).")
                continue
            if s.old is None:
                lines.append("- New in this run.")
            if s.newly_unaudited:
                lines.append("- ⛔ **No longer audited**: nothing can be concluded from its findings vanishing.")
            for g in s.lost_evaluation:
                lines.append(f"- ❔ **no longer evaluated**: {md(g.detail, 300)}")
            for f in s.findings_added:
                tag = " **(new error)**" if f in s.new_errors else ""
                lines.append(
                    f"- ➕ finding {md(f.rule)} ({f.severity}, {f.phase or 'site'}): {md(f.message, 300)}{tag}"
                )
            for f in s.findings_removed:
                lines.append(f"- ➖ finding {md(f.rule)} ({f.severity}, {f.phase or 'site'}): {md(f.message, 300)}")
            for p in s.phases if s.old is not None else ():
                note = "" if p.comparable else " (phase missing or failed in one run)"
                for what, items, sign in (
                    ("cookie", p.cookies_added, "➕"),
                    ("cookie", p.cookies_removed, "➖"),
                    ("third-party host", p.hosts_added, "➕"),
                    ("third-party host", p.hosts_removed, "➖"),
                ):
                    if items:
                        listed = ", ".join(md(i, 120) for i in items)
                        lines.append(f"- {sign} {p.phase}: {what}{'s' if len(items) > 1 else ''} {listed}{note}")
        lines.append("")
        return "\n".join(lines)

    def to_text(self, width: int = 120) -> str:
        """Plain text (the console form, without colours)."""
        console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False, record=True)
        console.print(self.renderable())
        return console.export_text()

    def renderable(self) -> Text:
        """A rich :class:`~rich.text.Text` of the diff, for printing to a terminal."""
        out = Text()
        out.append("Changes from ", style="bold")
        out.append(self.old.started)
        out.append(" to ", style="bold")
        out.append(self.new.started)
        out.append(f": {len(self.changed)} of {len(self.sites)} sites changed, ")
        errors = len(self.new_errors)
        out.append(f"{errors} new error finding{'s' if errors != 1 else ''}, ", style="bold red" if errors else "")
        lost = len(self.lost_evaluation)
        out.append(f"{lost} check{'s' if lost != 1 else ''} no longer evaluated\n", style="bold cyan" if lost else "")
        for s in self.changed:
            out.append(f"\n{one_line(s.label, 100)}", style="bold")
            out.append(f"  {_verdict(s.old_verdict)} → {_verdict(s.new_verdict)}\n")
            if s.new is None:
                out.append(f"  not in the new run ({_count(len(s.findings_removed), 'finding')} before)\n", style="dim")
                continue
            if s.old is None:
                out.append("  new in this run\n", style="dim")
            if s.newly_unaudited:
                out.append("  no longer audited: its findings vanishing proves nothing\n", style="bold magenta")
            for g in s.lost_evaluation:
                out.append("  ? no longer evaluated: ", style="bold cyan")
                out.append(one_line(g.detail, 200) + "\n")
            for f in s.findings_added:
                style = "red" if f in s.new_errors else "yellow"
                out.append(f"  + {f.rule} [{f.severity}, {f.phase or 'site'}] ", style=style)
                out.append(one_line(f.message, 200) + "\n")
            for f in s.findings_removed:
                out.append(f"  - {f.rule} [{f.severity}, {f.phase or 'site'}] ", style="green")
                out.append(one_line(f.message, 200) + "\n")
            for p in s.phases if s.old is not None else ():
                for what, items, sign in (
                    ("cookie", p.cookies_added, "+"),
                    ("cookie", p.cookies_removed, "-"),
                    ("host", p.hosts_added, "+"),
                    ("host", p.hosts_removed, "-"),
                ):
                    for item in items:
                        out.append(f"  {sign} {p.phase} {what} ", style="dim")
                        out.append(one_line(item, 160) + "\n")
        return out

    def regression_details(self) -> str:
        """The new error findings as plain text with their evidence (for logs)."""
        return "\n\n".join(f"{s.label}:\n{finding_text(f)}" for s, f in self.new_errors)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _verdict(v: Verdict | None) -> str:
    return v.label if v is not None else "absent"


def _sorted(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(items, key=str.lower))


def _phases_dropped(old: SiteResult, new: SiteResult) -> tuple[Gap, ...]:
    """Phases the old run audited that the new one was not asked for: their findings vanish because nothing
    looked, not because the site changed, so the diff says the evaluation was lost."""
    return tuple(
        Gap("phase-missing", p, f"the {p} phase was audited before but not requested in the new run")
        for p in old.requested
        if p not in new.requested
    )


def _phase_ok(site: SiteResult | None, phase: str) -> bool:
    p = site.phases.get(phase) if site else None
    return p is not None and p.status == "ok"


def diff_sites(
    old: SiteResult | None, new: SiteResult | None, old_fail_on: str = "error", new_fail_on: str = "error"
) -> SiteDiff:
    """The diff of one site (either side may be ``None``: added or dropped site), verdicts at each run's threshold."""
    some = new or old
    if some is None:
        raise ValueError("diff_sites needs at least one site")
    phases = []
    for p in phases_of(s for s in (old, new) if s is not None):  # the phases either run was asked for
        old_c, new_c = _cookies(old, p), _cookies(new, p)
        old_h, new_h = _hosts(old, p), _hosts(new, p)
        phases.append(
            PhaseDiff(
                phase=p,
                comparable=_phase_ok(old, p) and _phase_ok(new, p),
                cookies_added=_sorted(new_c - old_c),
                cookies_removed=_sorted(old_c - new_c),
                hosts_added=_sorted(new_h - old_h),
                hosts_removed=_sorted(old_h - new_h),
            )
        )
    old_f = {finding_key(f): f for f in (old.findings if old else ())}
    new_f = {finding_key(f): f for f in (new.findings if new else ())}
    added_gaps: tuple[Gap, ...] = ()
    if old is not None and new is not None and old.status == "ok":
        before = {g.key for g in gaps(old)}
        added_gaps = tuple(g for g in gaps(new) if g.key not in before) + _phases_dropped(old, new)
    return SiteDiff(
        url=some.url,
        label=site_label(some),
        old=old,
        new=new,
        old_verdict=summarise_site(old, old_fail_on).verdict if old else None,
        new_verdict=summarise_site(new, new_fail_on).verdict if new else None,
        phases=tuple(phases),
        findings_added=sort_findings(f for k, f in new_f.items() if k not in old_f),
        findings_removed=sort_findings(f for k, f in old_f.items() if k not in new_f),
        gaps_added=added_gaps,
        fail_on=new_fail_on,
    )


def diff_runs(old: RunResult, new: RunResult) -> RunDiff:
    """Compare two runs site by site (matched by URL)."""
    old_sites = {s.url: s for s in old.sites}
    new_sites = {s.url: s for s in new.sites}
    urls = list(old_sites) + [u for u in new_sites if u not in old_sites]
    thresholds = (run_fail_on(old), run_fail_on(new))
    return RunDiff(old, new, tuple(diff_sites(old_sites.get(u), new_sites.get(u), *thresholds) for u in urls))
