"""Helpers shared by the machine formats: the rule ids of a run and a plain-text rendering of a finding."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from auditor.model import Finding, RunResult


def rule_ids(run: RunResult) -> list[str]:
    """Rule ids known for the run, sorted: every rule with a finding, plus every rule evaluated.

    A rule appears in the findings only when it found something; ``run.rules`` records every rule the
    audit (or ``check``) evaluated, so the passing rules get test cases too.
    """
    ids = {f.rule for s in run.sites for f in s.findings}
    ids.update(run.rules)
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


def citations(source: Mapping[str, Any]) -> list[dict[str, str]]:
    """The citations of a rule source: the source itself, then each entry of its ``also`` list.

    Values are flattened to strings; the ``quote`` (a site policy's words) is left to :func:`policy_quote`.
    """
    entries: list[Mapping[str, Any]] = [source]
    also = source.get("also")
    if isinstance(also, (list, tuple)):
        entries += [a for a in also if isinstance(a, Mapping)]
    out = []
    for entry in entries:
        flat = {str(k): str(v) for k, v in entry.items() if k not in ("also", "quote") and v not in (None, "")}
        if flat:
            out.append(flat)
    return out


def policy_quote(source: Mapping[str, Any]) -> str | None:
    """The quoted text a rule implements (the site's policy, or a regulation's words), if any."""
    quote = source.get("quote")
    return str(quote) if quote else None


def quote_label(source: Mapping[str, Any]) -> str:
    """What the quote of a rule source is: the site's own policy (it has a ``policy_url``) or a cited text."""
    return "Site policy" if source.get("policy_url") else "Quoted text"


def source_url(source: Mapping[str, Any]) -> str | None:
    """The first ``url`` or ``policy_url`` of a rule source."""
    for key in ("url", "policy_url"):
        value = source.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def source_title(source: Mapping[str, Any]) -> str | None:
    """A one-line description of a rule source: document and article."""
    parts = [str(source[k]) for k in ("document", "title", "regulation", "policy", "article") if source.get(k)]
    return ", ".join(parts) or None
