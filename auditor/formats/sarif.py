"""SARIF 2.1.0: one run, one result per finding, for code-scanning dashboards.

Mapping:

- severity ``error``/``warning``/``info`` → level ``error``/``warning``/``note``;
- outcome ``error`` (rule could not be evaluated) → ``kind: "open"`` with level ``none`` (SARIF's
  "the tool could not determine whether the problem exists");
- a baselined finding → a ``suppressions`` entry of kind ``external`` with the baseline reason;
- location → the site URL as the artifact (``physicalLocation``) and the subject (cookie, request,
  banner ...) as a ``logicalLocation``;
- a site that could not be audited → an ``error`` tool-execution notification, and the invocation's
  ``executionSuccessful`` is false; what was not evaluated on an incomplete site (a phase missing or
  failed, a consent click not made or not confirmed) → a ``warning`` notification per gap;
- every message, logical name, subject and evidence string is :func:`~auditor.formats.text.printable`
  (page strings carry no control, escape or bidi character; ``results.json`` keeps them exact);
- the run's verdict (:mod:`auditor.verdict`) → the run's ``properties``: ``verdict``, ``exitCode``,
  ``failOn``.

``partialFingerprints`` are stable across runs (site, rule, phase, subject), so dashboards can
track a finding over time.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from auditor.formats.common import policy_quote, quote_label, source_title, source_url
from auditor.formats.interface import Format, Formatter, RenderOptions
from auditor.formats.summary import site_label
from auditor.formats.text import printable
from auditor.model import Finding, RunResult, SiteResult, map_strings
from auditor.verdict import gaps, run_fail_on, run_verdict

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://github.com/consent-auditor/consent-auditor"


def _uri(url: str) -> str:
    """Percent-encode what a URI may not contain (quotes, spaces, angle brackets)."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def _http(url: object) -> str | None:
    return url if isinstance(url, str) and url.lower().startswith(("https://", "http://")) else None


def _fingerprint(site: SiteResult, f: Finding) -> str:
    key = "\x1f".join(
        str(x) for x in (site.url, f.rule, f.phase, f.subject.kind, f.subject.name, f.subject.domain, f.subject.url)
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _rule(finding: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": finding.rule,
        "name": finding.rule,
        "shortDescription": {"text": finding.rule},
        "defaultConfiguration": {"level": LEVELS.get(finding.severity, "warning")},
        "properties": {"pack": finding.pack, "source": json.loads(json.dumps(dict(finding.source), default=str))},
    }
    source = finding.source
    described = source_title(source)
    if described:
        rule["fullDescription"] = {"text": described}
    help_uri = _http(source_url(source))
    if help_uri:
        rule["helpUri"] = _uri(help_uri)
    quote = policy_quote(source)
    if quote:
        rule["help"] = {"text": printable(f"{quote_label(source)}: {quote}")}
    return rule


def _result(site: SiteResult, f: Finding, rule_index: int) -> dict[str, Any]:
    subject = f.subject
    logical_name = subject.name or subject.domain or subject.url or subject.kind
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "message": {"text": printable(f.message)},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": _uri(site.final_url or site.url)}},
                "logicalLocations": [
                    {
                        "name": printable(logical_name),
                        "fullyQualifiedName": printable(
                            "/".join(str(x) for x in (site_label(site), f.phase or "site", subject.kind, logical_name))
                        ),
                        "kind": subject.kind,
                    }
                ],
            }
        ],
        "partialFingerprints": {"consentFinding/v1": _fingerprint(site, f)},
        "properties": {
            "site": site.url,
            "phase": f.phase,
            "severity": f.severity,
            "outcome": f.outcome,
            "subject": map_strings(
                {"kind": subject.kind, "name": subject.name, "domain": subject.domain, "url": subject.url}, printable
            ),
            "evidence": map_strings(json.loads(json.dumps(dict(f.evidence), default=str)), printable),
        },
    }
    if f.outcome == "error":
        result["kind"] = "open"
        result["level"] = "none"
    else:
        result["kind"] = "fail"
        result["level"] = LEVELS.get(f.severity, "warning")
    if f.baseline is not None:
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f.baseline}]
    return result


def sarif_log(run: RunResult) -> dict[str, Any]:
    """The SARIF log of ``run`` as a JSON-compatible dict."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for site in run.sites:
        if site.status == "error":
            notifications.append(
                {
                    "level": "error",
                    "message": {
                        "text": printable(f"{site.url} could not be audited: {site.error or 'no reason recorded'}")
                    },
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(site.url)}}}],
                }
            )
        else:
            for gap in gaps(site):
                if gap.kind == "rule":
                    continue  # already a result of kind "open"
                notifications.append(
                    {
                        "level": "warning",
                        "message": {"text": printable(f"{site.url}: not evaluated: {gap.detail}")},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(site.url)}}}],
                        "properties": {"gap": gap.kind, "phase": gap.phase},
                    }
                )
        for f in site.findings:
            if f.rule not in index:
                index[f.rule] = len(rules)
                rules.append(_rule(f))
            results.append(_result(site, f, index[f.rule]))
    invocation: dict[str, Any] = {
        "executionSuccessful": all(s.status == "ok" for s in run.sites),
        "arguments": list(run.arguments),
        "commandLine": " ".join(run.arguments),
        "startTimeUtc": run.started,
        "toolExecutionNotifications": notifications,
    }
    if run.finished:
        invocation["endTimeUtc"] = run.finished
    verdict = run_verdict(run)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": run.tool.name,
                        "version": run.tool.version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [invocation],
                "results": results,
                "properties": {
                    "verdict": verdict.value,
                    "exitCode": verdict.exit_code,
                    "failOn": run_fail_on(run),
                    "browser": {"version": run.browser.version, "userAgent": run.browser.user_agent},
                    "rulePacks": list(run.rule_packs),
                    "sites": [s.url for s in run.sites],
                },
            }
        ],
    }


class SarifFormatter(Formatter):
    """SARIF 2.1.0 JSON."""

    format = Format.SARIF
    file_name = "results.sarif"
    media_type = "application/sarif+json"

    def render(self, run: RunResult, options: RenderOptions) -> str:
        """Return the SARIF log as pretty-printed JSON."""
        return json.dumps(sarif_log(run), ensure_ascii=False, indent=2) + "\n"


FORMATTER = SarifFormatter()
