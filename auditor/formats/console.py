"""Console: the summary the CLI prints after a run, as rich tables (and as plain text for ``--format console``).

Every value that came from a web page goes into a :class:`rich.text.Text`, never into markup, so a
cookie named ``[bold red]x[/]`` prints as written.
"""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from auditor.formats.interface import Format, Formatter, RenderOptions
from auditor.formats.summary import RunSummary, SiteSummary, Verdict, summarise
from auditor.formats.text import one_line
from auditor.model import PHASES, RunResult

VERDICT_STYLE: dict[Verdict, str] = {
    Verdict.FAIL: "bold red",
    Verdict.NOT_AUDITED: "bold magenta",
    Verdict.WARN: "yellow",
    Verdict.INCOMPLETE: "cyan",
    Verdict.PASS: "green",
}
SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "blue"}


def _per_phase(site: SiteSummary, attr: str) -> Text:
    parts = []
    for p in PHASES:
        c = site.phases[p]
        parts.append(str(getattr(c, attr)) if c.present else "–")
    return Text(" / ".join(parts))


def sites_table(summary: RunSummary) -> Table:
    """One row per site, worst first: verdict, sentence, counts per phase, findings."""
    table = Table(title="Consent audit", title_justify="left", show_lines=True, expand=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Site", overflow="fold", ratio=1, min_width=12)
    table.add_column("What we found", overflow="fold", ratio=3, min_width=30)
    table.add_column("Tracker\ncookies\nB / R / A", justify="center", no_wrap=True)
    table.add_column("3rd-party\nhosts\nB / R / A", justify="center", no_wrap=True)
    table.add_column("Findings\nerr / warn\n/ info", justify="center", no_wrap=True)
    table.caption = "B / R / A: before any choice / after refusing / after accepting; – phase missing"
    table.caption_justify = "left"
    for s in summary.worst_first:
        findings = f"{s.failing['error']} / {s.failing['warning']} / {s.failing['info']}"
        if s.not_evaluated:
            findings += f"\n+{s.not_evaluated} not\nevaluated"
        table.add_row(
            Text(s.verdict.label, style=VERDICT_STYLE[s.verdict]),
            Text(one_line(s.label, 80)),
            Text(one_line(s.sentence, 400)),
            _per_phase(s, "tracker_cookies"),
            _per_phase(s, "third_party_hosts"),
            Text(findings),
        )
    return table


def findings_table(summary: RunSummary, limit: int = 10) -> Table | None:
    """The worst findings of the run (``None`` when there are none)."""
    worst = summary.worst_findings(limit)
    if not worst:
        return None
    table = Table(title=f"Worst findings (top {min(limit, len(worst))})", title_justify="left", expand=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Site", overflow="fold", ratio=1, min_width=10)
    table.add_column("Rule", overflow="fold", ratio=1, min_width=16)
    table.add_column("Phase", no_wrap=True)
    table.add_column("Finding", overflow="fold", ratio=3, min_width=30)
    for site, f in worst:
        severity = Text(f.severity, style=SEVERITY_STYLE.get(f.severity, ""))
        if f.outcome == "error":
            severity.append(" (not evaluated)", style="dim")
        table.add_row(
            severity,
            Text(one_line(site.label, 60)),
            Text(one_line(f.rule, 80)),
            Text(f.phase or "–"),
            Text(one_line(f.message, 300)),
        )
    return table


def console_summary(run: RunResult) -> RenderableType:
    """The rich renderable the CLI prints after a run (to stderr: stdout is for machine output)."""
    summary = summarise(run)
    totals = Text()
    totals.append(f"{len(summary.sites)} site{'s' if len(summary.sites) != 1 else ''}: ")
    totals.append(", ".join(f"{summary.count(v)} {v.label.lower()}" for v in Verdict if summary.count(v)) or "none")
    parts: list[RenderableType] = [sites_table(summary)]
    worst = findings_table(summary)
    if worst is not None:
        parts.append(worst)
    parts.append(totals)
    return Group(*parts)


class ConsoleFormatter(Formatter):
    """The console summary as plain text (no colours), 140 columns wide."""

    format = Format.CONSOLE
    file_name = "summary.txt"
    media_type = "text/plain"
    width = 140

    def render(self, run: RunResult, options: RenderOptions) -> str:
        """Render :func:`console_summary` to plain text."""
        console = Console(file=io.StringIO(), width=self.width, color_system=None, force_terminal=False, record=True)
        console.print(console_summary(run))
        return console.export_text()


FORMATTER = ConsoleFormatter()
