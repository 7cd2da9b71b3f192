"""Console: the summary the CLI prints after a run.

Two layouts of the same summary: rich tables on an interactive terminal wide enough to give every
site name and rule id a line of its own, and whole lines everywhere else (a pipe, a file, a CI log,
``--format console``) where nothing is laid out to a width, so nothing is ever wrapped or cut.
Every value that came from a web page goes into a :class:`rich.text.Text`, never into markup, so a
cookie named ``[bold red]x[/]`` prints as written, and through :func:`~auditor.formats.text.one_line`.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from auditor.formats.groups import worst_groups
from auditor.formats.interface import Format, Formatter, RenderOptions
from auditor.formats.summary import RunSummary, SiteSummary, summarise
from auditor.formats.text import one_line
from auditor.model import RunResult
from auditor.phasenames import phase_title
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
_LABEL_WIDTH = max(len(v.label) for v in Verdict)
_UNBOUNDED = 1_000_000
"""Width to measure a table's true minimum at (rich clamps a measurement to the width it is given)."""


PHASE_LETTERS = {"before": "B", "reject": "R", "accept": "A", "ignore": "I", "gpc": "G", "withdraw": "W"}
"""One letter per phase, for the narrow count columns."""


def _per_phase(site: SiteSummary, attr: str, phases: tuple[str, ...]) -> str:
    """A count per phase (``–`` for a phase missing), in the order of ``phases``."""
    return " / ".join(str(getattr(site.phases[p], attr)) if site.phases[p].present else "–" for p in phases)


def _site_name(s: SiteSummary) -> str:
    """The site as a log line names it: its label and, when that is not the URL, the URL in brackets."""
    label = one_line(s.label)
    return label if label == s.site.url else f"{label} <{one_line(s.site.url)}>"


def _findings_count(s: SiteSummary) -> str:
    text = f"{s.failing['error']} / {s.failing['warning']} / {s.failing['info']}"
    return text + (f" (+{s.not_evaluated} not evaluated)" if s.not_evaluated else "")


# --- lines: CI logs, pipes, files (no width, nothing ever wrapped) ---------------------------------


def summary_lines(summary: RunSummary, limit: int = 10) -> list[Text]:
    """The summary as whole lines: one per site, one per finding group (rules listed whole), then the verdict.

    Nothing is laid out to a width, so a rule id, a site name or a URL is never cut across lines,
    whatever reads the log.
    """
    phases = summary.phases
    legend = " / ".join(phase_title(p).lower() for p in phases)
    lines = [Text(f"Consent audit (counts {legend}; – phase missing)")]
    for s in summary.worst_first:
        line = Text()
        line.append(s.verdict.label.ljust(_LABEL_WIDTH), style=VERDICT_STYLE[s.verdict])
        line.append(f" {_site_name(s)}: {one_line(s.sentence, 400)}")
        line.append(
            f" | tracker cookies {_per_phase(s, 'tracker_cookies', phases)}"
            f" | third-party hosts {_per_phase(s, 'third_party_hosts', phases)}"
            f" | findings err / warn / info {_findings_count(s)}"
        )
        lines.append(line)
    worst = worst_groups(summary, limit)
    if worst:
        lines.append(Text(f"Worst findings by subject (top {len(worst)}):"))
        for site, g in worst:
            line = Text()
            line.append(f"{g.severity:<8}", style=SEVERITY_STYLE.get(g.severity, ""))
            line.append(f" {_site_name(site)} | {one_line(g.title)}")
            if g.not_evaluated:
                line.append(f" ({g.not_evaluated} not evaluated)", style="dim")
            line.append(f" | rules: {', '.join(g.rules)} | {one_line(g.worst.message, 300)}")
            lines.append(line)
    lines.append(verdict_line(summary))
    return lines


# --- tables: an interactive terminal wide enough for them -------------------------------------------


def sites_table(summary: RunSummary) -> Table:
    """One row per site, worst first: verdict, sentence, counts per phase, findings."""
    table = Table(title="Consent audit", title_justify="left", show_lines=True, expand=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Site", no_wrap=True)
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
            Text(_per_phase(s, "tracker_cookies", phases)),
            Text(_per_phase(s, "third_party_hosts", phases)),
            Text(findings),
        )
    return table


def findings_table(summary: RunSummary, limit: int = 10) -> Table | None:
    """The worst findings of the run, one row per site and subject (``None`` when there are none).

    Site names and rule ids (one per line) sit in columns that never wrap: :func:`print_summary`
    prints the tables only when the terminal is wide enough for them.
    """
    worst = worst_groups(summary, limit)
    if not worst:
        return None
    table = Table(title=f"Worst findings by subject (top {len(worst)})", title_justify="left", expand=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Site", no_wrap=True)
    table.add_column("Subject, phases", overflow="fold", ratio=2, min_width=20)
    table.add_column("Rules", no_wrap=True, style="dim")
    table.add_column("Worst finding", overflow="fold", ratio=3, min_width=24)
    for site, g in worst:
        severity = Text(g.severity, style=SEVERITY_STYLE.get(g.severity, ""))
        if g.not_evaluated:
            severity.append(f"\n{g.not_evaluated} not evaluated", style="dim")
        table.add_row(
            severity,
            Text(one_line(site.label, 80)),
            Text(one_line(g.title, 200)),
            Text("\n".join(g.rules)),
            Text(one_line(g.worst.message, 300)),
        )
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


def _tables(summary: RunSummary) -> list[RenderableType]:
    parts: list[RenderableType] = [sites_table(summary)]
    worst = findings_table(summary)
    if worst is not None:
        parts.append(worst)
    return parts


def console_summary(run: RunResult) -> RenderableType:
    """The rich tables for an interactive terminal (see :func:`print_summary` for who gets what)."""
    summary = summarise(run)
    return Group(*_tables(summary), verdict_line(summary))


def print_summary(run: RunResult, file: TextIO, *, terminal: bool) -> None:
    """Print the summary to ``file``: tables on a ``terminal`` wide enough for them, else whole lines.

    Into a pipe, a file or a CI log (``terminal`` false) every line is written whole, never wrapped:
    a log viewer wraps (or scrolls) on its own, and ``grep`` finds a rule id or URL on one line.
    """
    summary = summarise(run)
    if terminal:
        console = Console(file=file)
        tables = _tables(summary)
        unbounded = console.options.update_width(_UNBOUNDED)
        if all(console.measure(t, options=unbounded).minimum <= console.width for t in tables):  # nothing cut
            console.print(Group(*tables, verdict_line(summary)))
            return
    console = Console(file=file, soft_wrap=True, force_terminal=terminal or None, no_color=not terminal or None)
    for line in summary_lines(summary):
        console.print(line, soft_wrap=True, overflow="ignore", crop=False)


class ConsoleFormatter(Formatter):
    """The console summary as plain text: whole lines (:func:`summary_lines`), no colours, no width."""

    format = Format.CONSOLE
    file_name = "summary.txt"
    media_type = "text/plain"

    def render(self, run: RunResult, options: RenderOptions) -> str:
        """Render :func:`summary_lines` to plain text, one line each."""
        return "".join(line.plain + "\n" for line in summary_lines(summarise(run)))


FORMATTER = ConsoleFormatter()
