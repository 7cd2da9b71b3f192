"""CI verdicts: which findings fail a run, and the exit code.

Exit codes (the values of :class:`auditor.cli.app.ExitCode`), by precedence:

- ``3`` when any site could not be audited (``status: error``): an unaudited site can hide
  violations, so this wins over findings;
- ``1`` when any finding at or above ``fail_on`` is not accepted by the baseline — findings with
  outcome ``error`` (a rule that could not be evaluated, e.g. the reject click failed) count like
  violations: a check that did not run is not a pass;
- ``0`` otherwise. ``fail_on="never"`` only keeps code 3.

Code 2 (usage / configuration / rule-pack error) is raised by the CLI before any evaluation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Literal

from auditor.model import SEVERITIES, Finding, RunResult, SiteResult

FailOn = Literal["error", "warning", "info", "never"]
FAIL_ON_CHOICES: tuple[str, ...] = (*SEVERITIES, "never")

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_SITE_FAILED = 3

_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def check_fail_on(fail_on: str) -> FailOn:
    """Validate a ``--fail-on`` value; ``ValueError`` naming the allowed ones otherwise."""
    if fail_on not in FAIL_ON_CHOICES:
        raise ValueError(f"invalid fail-on {fail_on!r} (expected one of: {', '.join(FAIL_ON_CHOICES)})")
    return fail_on  # type: ignore[return-value]


def is_failing(finding: Finding, fail_on: str) -> bool:
    """Whether a finding fails CI at this threshold (baseline-accepted findings never do)."""
    if fail_on == "never" or finding.baseline:
        return False
    threshold = check_fail_on(fail_on)
    return threshold != "never" and _RANK[finding.severity] <= _RANK[threshold]


def failing_findings(run: RunResult, fail_on: str = "error") -> Iterator[tuple[SiteResult, Finding]]:
    """The (site, finding) pairs that fail CI at this threshold."""
    check_fail_on(fail_on)
    for site in run.sites:
        for finding in site.findings:
            if is_failing(finding, fail_on):
                yield site, finding


def exit_code_for(run: RunResult, fail_on: str = "error") -> int:
    """The exit code of a run (see the module docstring for the precedence)."""
    check_fail_on(fail_on)
    if any(site.status == "error" for site in run.sites):
        return EXIT_SITE_FAILED
    if next(failing_findings(run, fail_on), None) is not None:
        return EXIT_FINDINGS
    return EXIT_OK


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
