"""Console: the summary the CLI prints after a run, as rich tables (and as plain text for ``--format console``).

Every value that came from a web page goes into a :class:`rich.text.Text`, never into markup, so a
cookie named ``[bold red]x[/]`` prints as written.
"""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from auditor.formats.groups import worst_groups
from auditor.formats.interface import Format, Formatter, RenderOptions
from auditor.formats.summary import RunSummary, SiteSummary, phase_title, summarise
from auditor.formats.text import one_line
from auditor.model import RunResult
from auditor.verdict import Verdict

VERDICT_STYLE: dict[Verdict, str] = {
    Verdict.FAIL: "bold red",
    Verdict.NOT_AUDITED: "bold magenta",
    Verdict.WARN: "yellow",
    Verdict.INCOMPLETE: "bold cyan",
    Verdict.PASS: "green",
}
"""Only ``pass`` is green (:attr:`Verdict.green`)."""
SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "blue"}
PHASE_LETTERS = {"before": "B", "reject": "R", "accept": "A", "ignore": "I", "gpc": "G"}
"""One letter per phase, for the narrow count columns."""


def _per_phase(site: SiteSummary, attr: str, phases: tuple[str, ...]) -> Text:
    parts = []
    for p in phases:
        c = site.phases[p]
        parts.append(str(getattr(c, attr)) if c.present else "–")
    return Text(" / ".join(parts))


def sites_table(summary: RunSummary) -> Table:
    """One row per site, worst first: verdict, sentence, counts per phase, findings."""
    table = Table(title="Consent audit", title_justify="left", show_lines=True, expand=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Site", overflow="fold", ratio=1, min_width=12)
    table.add_column("What we found", overflow="fold", ratio=3, min_width=30)
    phases = summary.phases
    letters = " / ".join(PHASE_LETTERS[p] for p in phases)
    table.add_column(f"Tracker\ncookies\n{letters}", justify="center", no_wrap=True)
    table.add_column(f"3rd-party\nhosts\n{letters}", justify="center", no_wrap=True)
    table.add_column("Findings\nerr / warn\n/ info", justify="center", no_wrap=True)
    legend = " / ".join(phase_title(p).lower() for p in phases)
    table.caption = f"{letters}: {legend}; – phase missing"
    table.caption_justify = "left"
    for s in summary.worst_first:
        findings = f"{s.failing['error']} / {s.failing['warning']} / {s.failing['info']}"
        if s.not_evaluated:
            findings += f"\n+{s.not_evaluated} not\nevaluated"
        table.add_row(
            Text(s.verdict.label, style=VERDICT_STYLE[s.verdict]),
            Text(one_line(s.label, 80)),
            Text(one_line(s.sentence, 400)),
            _per_phase(s, "tracker_cookies", phases),
            _per_phase(s, "third_party_hosts", phases),
            Text(findings),
        )
    return table


def findings_table(summary: RunSummary, limit: int = 10) -> Table | None:
    """The worst findings of the run, one row per site and subject (``None`` when there are none)."""
    worst = worst_groups(summary, limit)
    if not worst:
        return None
    table = Table(title=f"Worst findings by subject (top {len(worst)})", title_justify="left", expand=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Site", overflow="fold", ratio=1, min_width=10)
    table.add_column("Subject, phases, rules", overflow="fold", ratio=2, min_width=24)
    table.add_column("Worst finding", overflow="fold", ratio=3, min_width=30)
    for site, g in worst:
        severity = Text(g.severity, style=SEVERITY_STYLE.get(g.severity, ""))
        if g.not_evaluated:
            severity.append(f"\n{g.not_evaluated} not evaluated", style="dim")
        what = Text(one_line(g.title, 200))
        what.append("\n" + one_line(", ".join(g.rules), 200), style="dim")
        table.add_row(severity, Text(one_line(site.label, 60)), what, Text(one_line(g.worst.message, 300)))
    return table


def verdict_line(summary: RunSummary) -> Text:
    """The run's verdict, its exit code and the threshold, then the count of sites per verdict."""
    verdict = summary.verdict
    line = Text()
    line.append(f"Verdict: {verdict.label}", style=VERDICT_STYLE[verdict])
    line.append(f" (exit {verdict.exit_code}, --fail-on {summary.fail_on}). ")
    line.append(f"{len(summary.sites)} site{'s' if len(summary.sites) != 1 else ''}: ")
    line.append(", ".join(f"{summary.count(v)} {v.label.lower()}" for v in Verdict if summary.count(v)) or "none")
    return line


def console_summary(run: RunResult) -> RenderableType:
    """The rich renderable the CLI prints after a run (to stderr: stdout is for machine output)."""
    summary = summarise(run)
    parts: list[RenderableType] = [sites_table(summary)]
    worst = findings_table(summary)
    if worst is not None:
        parts.append(worst)
    parts.append(verdict_line(summary))
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
