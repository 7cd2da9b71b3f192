"""JUnit XML: one ``<testsuite>`` per site, one ``<testcase>`` per site × rule.

- a rule with violations failing at the run's threshold (:func:`auditor.verdict.is_failing`) →
  ``<failure type="SEVERITY">`` whose text carries every finding with its evidence;
- a rule that could not be evaluated (outcome ``error``) → ``<error type="not-evaluated">``, at any
  threshold (a check that did not run is never a pass);
- a rule whose findings are all accepted by the baseline → ``<skipped>`` with the reasons;
- violations below the threshold only (``info``, or ``warning`` with ``--fail-on error``) → a passing
  test case with the findings in ``<system-out>``;
- a site that could not be audited → its ``audit`` test case has an ``<error>`` and its rule test
  cases are ``<skipped>``; an incomplete site (a phase missing or failed, a consent click not made or
  not confirmed) → its ``audit`` test case has an ``<error type="incomplete">`` listing the gaps.

Every site has an ``audit`` test case, then one per rule evaluated *for that site*
(``SiteResult.rules``; results written before that field fall back to the run's rules).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from auditor.formats.common import findings_text, rule_ids
from auditor.formats.interface import Format, Formatter, RenderOptions
from auditor.formats.summary import site_label, sort_findings
from auditor.formats.text import one_line, xml_safe
from auditor.model import Finding, RunResult, SiteResult
from auditor.verdict import gaps, is_failing, is_not_evaluated, is_violation, run_fail_on


def _seconds(start: str | None, end: str | None) -> float:
    if not start or not end:
        return 0.0
    try:
        a = datetime.fromisoformat(start.replace("Z", "+00:00"))
        b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return max((b - a).total_seconds(), 0.0)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_safe(text)
    return el


def _rule_case(
    suite: ET.Element, classname: str, rule: str, findings: list[Finding], site_ok: bool, fail_on: str
) -> str:
    """Add one test case; return its result: ``pass``, ``failure``, ``error`` or ``skipped``."""
    case = _el(suite, "testcase", classname=classname, name=rule, time="0")
    if not site_ok:
        _el(case, "skipped", message="not evaluated: the site could not be audited")
        return "skipped"
    failing = [f for f in findings if is_violation(f) and is_failing(f, fail_on)]
    errors = [f for f in findings if is_not_evaluated(f)]
    baselined = [f for f in findings if f.baseline is not None and not is_not_evaluated(f)]
    info = [f for f in findings if is_violation(f) and not is_failing(f, fail_on)]
    if failing:
        worst = failing[0]
        message = one_line(worst.message, 300)
        if len(failing) > 1:
            message += f" (and {len(failing) - 1} more)"
        _el(case, "failure", findings_text(failing + errors + baselined + info), message=message, type=worst.severity)
        return "failure"
    if errors:
        _el(
            case,
            "error",
            findings_text(errors + baselined + info),
            message=one_line(errors[0].message, 300),
            type="not-evaluated",
        )
        return "error"
    if baselined and not info:
        reasons = "; ".join(sorted({str(f.baseline) for f in baselined}))
        _el(case, "skipped", message=one_line(f"accepted by baseline: {reasons}", 300))
        _el(case, "system-out", findings_text(baselined))
        return "skipped"
    if info or baselined:
        _el(case, "system-out", findings_text(info + baselined))
    return "pass"


def _suite(root: ET.Element, site: SiteResult, rules: list[str], fail_on: str) -> dict[str, int]:
    label = site_label(site)
    suite = _el(root, "testsuite", name=f"{label} ({site.url})" if label != site.url else site.url)
    if site.started:
        suite.set("timestamp", xml_safe(site.started))
    props = _el(suite, "properties")
    for name, value in (("url", site.url), ("final_url", site.final_url), ("status", site.status)):
        if value:
            _el(props, "property", name=name, value=value)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    site_ok = site.status == "ok"
    audit = _el(suite, "testcase", classname=label, name="audit", time=f"{_seconds(site.started, site.finished):.3f}")
    counts["tests"] += 1
    if not site_ok:
        _el(
            audit,
            "error",
            site.error or "no reason recorded",
            message=one_line(site.error or "not audited", 300),
            type="site-error",
        )
        counts["errors"] += 1
    else:
        missing = [g.detail for g in gaps(site) if g.kind != "rule"]
        if missing:
            text = "\n".join(missing)
            _el(audit, "error", text, message=one_line("incomplete: " + "; ".join(missing), 300), type="incomplete")
            counts["errors"] += 1
    by_rule: dict[str, list[Finding]] = {}
    for f in sort_findings(site.findings):
        by_rule.setdefault(f.rule, []).append(f)
    site_rules = sorted({*site.rules, *by_rule}) if site.rules else rules
    for rule in site_rules:
        result = _rule_case(suite, label, rule, by_rule.get(rule, []), site_ok, fail_on)
        counts["tests"] += 1
        if result == "failure":
            counts["failures"] += 1
        elif result == "error":
            counts["errors"] += 1
        elif result == "skipped":
            counts["skipped"] += 1
    for key, count in counts.items():
        suite.set(key, str(count))
    suite.set("time", f"{_seconds(site.started, site.finished):.3f}")
    return counts


def render_junit(run: RunResult) -> str:
    """The JUnit XML document of ``run``."""
    root = ET.Element("testsuites", {"name": xml_safe(f"{run.tool.name} {run.tool.version}")})
    rules = rule_ids(run)
    fail_on = run_fail_on(run)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for site in run.sites:
        for key, value in _suite(root, site, rules, fail_on).items():
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{_seconds(run.started, run.finished):.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


class JunitFormatter(Formatter):
    """JUnit XML for CI test views."""

    format = Format.JUNIT
    file_name = "junit.xml"
    media_type = "application/xml"

    def render(self, run: RunResult, options: RenderOptions) -> str:
        """Return the JUnit XML document."""
        return render_junit(run)


FORMATTER = JunitFormatter()
