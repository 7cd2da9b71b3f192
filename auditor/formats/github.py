"""GitHub Actions workflow commands: one annotation per finding, shown on the run's summary page.

Used by the CLI when ``GITHUB_ACTIONS=true``. Values are escaped as the runner expects
(``%``, CR, LF; and ``:``/``,`` in properties), so a page-controlled string cannot start a
command of its own.
"""

from __future__ import annotations

from auditor.formats.summary import sort_findings, summarise
from auditor.formats.text import one_line
from auditor.model import RunResult
from auditor.verdict import Verdict

VERDICT_COMMAND = {
    Verdict.NOT_AUDITED: "error",
    Verdict.FAIL: "error",
    Verdict.INCOMPLETE: "error",
    Verdict.WARN: "warning",
    Verdict.PASS: "notice",
}
"""The command of the run's verdict line: only ``pass`` is a plain notice."""

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
MAX_ANNOTATIONS = 50
"""GitHub keeps only a few annotations per step; the most severe come first."""


def escape_data(value: str) -> str:
    """Escape a workflow-command message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow-command property value (``title=...``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_annotations(run: RunResult, limit: int = MAX_ANNOTATIONS) -> str:
    """Workflow commands (``::error title=...::message``), one line each, worst first; baselined findings skipped.

    The first line is always the run's verdict (the one that gives the exit code); then sites not
    audited, what was not evaluated on incomplete sites, and the findings.
    """
    summary = summarise(run)
    verdict = summary.verdict
    head = escape_data(f"Verdict: {verdict.label} (exit {verdict.exit_code}, --fail-on {summary.fail_on})")
    first = f"::{VERDICT_COMMAND[verdict]} title=consent-audit verdict::{head}"
    lines: list[tuple[int, str]] = []
    for s in summary.sites:
        site = s.site
        label = s.label
        if site.status == "error":
            title = escape_property(one_line(f"{label}: not audited", 200))
            reason = escape_data(one_line(site.error or "no reason recorded", 1000))
            lines.append((0, f"::error title={title}::{reason}"))
            continue
        for gap in s.gaps:
            if gap.kind != "rule":
                title = escape_property(one_line(f"{label}: not evaluated", 200))
                lines.append((0, f"::error title={title}::{escape_data(one_line(gap.detail, 1000))}"))
        for f in sort_findings(site.findings):
            if f.baseline is not None:
                continue
            command = COMMANDS.get(f.severity, "warning")  # a check that did not run weighs as its severity
            rank = {"error": 0, "warning": 1, "notice": 2}[command]
            suffix = " (could not be evaluated)" if f.outcome == "error" else ""
            title = escape_property(one_line(f"{label}: {f.rule}", 200))
            message = escape_data(one_line(f"[{f.phase or 'site'}] {f.message}{suffix}", 1000))
            lines.append((rank, f"::{command} title={title}::{message}"))
    lines.sort(key=lambda item: item[0])
    text = [first] + [line for _, line in lines[:limit]]
    if len(lines) > limit:
        text.append(f"::notice title=consent-audit::{len(lines) - limit} more findings: see the report")
    return "\n".join(text) + "\n"
