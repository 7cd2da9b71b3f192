"""Markdown: a short summary for ``$GITHUB_STEP_SUMMARY``, pull-request comments and chat.

Every page-controlled string is escaped with :func:`auditor.formats.text.md` (GitHub renders raw
HTML inside Markdown, so ``<`` must never pass through).
"""

from __future__ import annotations

import shlex

from auditor.formats.groups import worst_groups
from auditor.formats.interface import Format, Formatter, RenderOptions
from auditor.formats.summary import RunSummary, summarise
from auditor.formats.text import md
from auditor.model import RunResult
from auditor.verdict import Verdict

VERDICT_ICON: dict[Verdict, str] = {
    Verdict.FAIL: "❌",
    Verdict.NOT_AUDITED: "⛔",
    Verdict.WARN: "⚠️",
    Verdict.INCOMPLETE: "❔",
    Verdict.PASS: "✅",
}
SEVERITY_ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}
MAX_FINDINGS = 25


def verdict_line(summary: RunSummary) -> str:
    """The run's verdict in bold, with its exit code and threshold."""
    v = summary.verdict
    return f"{VERDICT_ICON[v]} **Verdict: {v.label}** (exit {v.exit_code}, `--fail-on {summary.fail_on}`)"


def _counts(summary: RunSummary) -> str:
    verdicts = ", ".join(f"{summary.count(v)} {v.label.lower()}" for v in Verdict if summary.count(v))
    return (
        f"{len(summary.sites)} site{'s' if len(summary.sites) != 1 else ''}: {verdicts or 'none'}. "
        f"Failing findings: {summary.failing('error')} error, {summary.failing('warning')} warning, "
        f"{summary.failing('info')} info."
    )


def render_markdown(run: RunResult) -> str:
    """The Markdown summary of ``run``."""
    summary = summarise(run)
    lines = ["# Cookie consent audit", "", verdict_line(summary), "", _counts(summary), ""]
    phases = summary.phases
    names = " / ".join(phases)
    lines += [
        f"| | Site | What we found | Tracker cookies<br>{names} "
        f"| Third-party hosts<br>{names} | Findings<br>error / warning / info |",
        "|---|---|---|:-:|:-:|:-:|",
    ]
    for s in summary.worst_first:
        cookies = " / ".join(str(s.phases[p].tracker_cookies) if s.phases[p].present else "–" for p in phases)
        hosts = " / ".join(str(s.phases[p].third_party_hosts) if s.phases[p].present else "–" for p in phases)
        findings = f"{s.failing['error']} / {s.failing['warning']} / {s.failing['info']}"
        if s.not_evaluated:
            findings += f" (+{s.not_evaluated} not evaluated)"
        lines.append(
            f"| {VERDICT_ICON[s.verdict]} {s.verdict.label} | {md(s.label, 80)} | {md(s.sentence, 300)} "
            f"| {cookies} | {hosts} | {findings} |"
        )
    worst = worst_groups(summary)
    if worst:
        lines += ["", "## Worst findings, by subject", ""]
        lines += ["| Severity | Site | Subject, phases, rules | Worst finding |", "|---|---|---|---|"]
        for site, g in worst[:MAX_FINDINGS]:
            severity = f"{SEVERITY_ICON.get(g.severity, '')} {g.severity}"
            if g.not_evaluated:
                severity += f" ({g.not_evaluated} not evaluated)"
            rules = ", ".join(g.rules)
            lines.append(
                f"| {severity} | {md(site.label, 60)} | {md(g.title, 200)}<br>{md(rules, 200)} "
                f"| {md(g.worst.message, 300)} |"
            )
        if len(worst) > MAX_FINDINGS:
            lines += ["", f"… and {len(worst) - MAX_FINDINGS} more: see the HTML report."]
    lines += [
        "",
        "<details><summary>Provenance</summary>",
        "",
        f"- Tool: {md(run.tool.name)} {md(run.tool.version)}",
        f"- Browser: {md(run.browser.version or 'unknown')}",
        f"- Started: {md(run.started)}; finished: {md(run.finished or 'not finished')}",
        f"- Rule packs: {md(', '.join(run.rule_packs) or 'none recorded')}",
        f"- Command: {md(shlex.join(run.arguments), 500)}",
        "",
        "</details>",
        "",
    ]
    return "\n".join(lines)


class MarkdownFormatter(Formatter):
    """The Markdown summary."""

    format = Format.MARKDOWN
    file_name = "summary.md"
    media_type = "text/markdown"

    def render(self, run: RunResult, options: RenderOptions) -> str:
        """Return the Markdown summary."""
        return render_markdown(run)


FORMATTER = MarkdownFormatter()
