"""Helpers shared by the machine formats: the rule ids of a run and a plain-text rendering of a finding."""

from __future__ import annotations

import json
from collections.abc import Iterable

from auditor.model import Finding, RunResult


def rule_ids(run: RunResult) -> list[str]:
    """Rule ids known for the run, sorted: every rule with a finding, plus ``options["rules"]`` when recorded.

    A rule appears in the results only when it found something; when the audit records the ids of
    every rule it evaluated in ``run.options["rules"]``, the passing rules get test cases too.
    """
    ids = {f.rule for s in run.sites for f in s.findings}
    recorded = run.options.get("rules") if isinstance(run.options, dict) else None
    if isinstance(recorded, (list, tuple)):
        ids.update(str(r) for r in recorded)
    return sorted(ids)


def finding_text(finding: Finding) -> str:
    """A finding as plain text: message, subject, evidence, source, baseline (for JUnit bodies and logs)."""
    lines = [f"[{finding.severity}] {finding.phase or 'site'}: {finding.message}"]
    if finding.outcome == "error":
        lines[0] += " (rule could not be evaluated)"
    subject = finding.subject
    parts = [f"{k}={v}" for k, v in (("name", subject.name), ("domain", subject.domain), ("url", subject.url)) if v]
    lines.append(f"  subject: {subject.kind}" + (f" {' '.join(parts)}" if parts else ""))
    if finding.evidence:
        lines.append("  evidence: " + json.dumps(finding.evidence, ensure_ascii=False, sort_keys=True, default=str))
    if finding.source:
        lines.append("  source: " + json.dumps(finding.source, ensure_ascii=False, sort_keys=True, default=str))
    if finding.pack:
        lines.append(f"  pack: {finding.pack}")
    if finding.baseline:
        lines.append(f"  baseline: {finding.baseline}")
    return "\n".join(lines)


def findings_text(findings: Iterable[Finding]) -> str:
    """Several findings as plain text, separated by blank lines."""
    return "\n\n".join(finding_text(f) for f in findings)
