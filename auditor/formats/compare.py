"""Cross-site comparison: which sites honour refusal, side by side, from one or more results files.

One row per site of each run: tracker cookies, tracker hosts and third-party hosts per phase, and
failing findings per severity. Rendered as CSV, JSON, or a self-contained HTML page with inline SVG
charts and a sortable table (``consent-audit compare a.json b.json -o compare.html``).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.formats.summary import PHASE_SHORT, PhaseCounts, summarise
from auditor.formats.templating import asset, render_template
from auditor.model import PHASES, SEVERITIES, RunResult, phases_of
from auditor.phasenames import PHASE_WORDS
from auditor.verdict import Gap, Verdict

METRICS: dict[str, str] = {
    "tracker_cookies": "Tracker cookies",
    "tracker_hosts": "Tracker hosts contacted",
    "third_party_hosts": "Third-party hosts contacted",
}
"""The per-phase counts compared (all in CSV and JSON), with their human titles."""
SHOWN_METRICS = ("tracker_cookies", "third_party_hosts")
"""The counts charted and tabulated on the HTML page (kept to two so the table fits a screen)."""
PHASE_COLOURS = {
    "before": "#7f56d9",
    "reject": "#1570ef",
    "accept": "#f79009",
    "ignore": "#d92d20",
    "gpc": "#667085",
    "withdraw": "#039855",
}
PHASE_LABELS = {name: words.legend for name, words in PHASE_WORDS.items()}
"""The chart legends of the phases (:data:`auditor.phasenames.PHASE_WORDS`)."""
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ComparisonRow:
    """One site of one run."""

    run: str
    """Label of the results file the row comes from."""
    site: str
    """Display name of the site."""
    url: str
    status: str
    verdict: Verdict
    sentence: str
    phases: dict[str, PhaseCounts]
    failing: dict[str, int]
    """Failing findings per severity."""
    not_evaluated: int
    gaps: tuple[Gap, ...] = ()
    """What was not evaluated on the site (:func:`auditor.verdict.gaps`)."""

    def count(self, metric: str, phase: str) -> int | None:
        """A per-phase count, ``None`` when the phase is missing."""
        counts = self.phases[phase]
        return int(getattr(counts, metric)) if counts.present else None

    @property
    def honours_refusal(self) -> bool | None:
        """No tracker cookie and no tracker host after refusing; ``None`` when that was not observed.

        Not observed: the reject phase is missing or failed, or its click was not made or not confirmed.
        """
        reject = self.phases["reject"]
        if (
            not reject.present
            or reject.status != "ok"
            or any(g.phase == "reject" and g.kind != "rule" for g in self.gaps)
        ):
            return None
        return reject.tracker_cookies == 0 and reject.tracker_hosts == 0

    def as_dict(self) -> dict[str, Any]:
        """Flat JSON/CSV form of the row."""
        out: dict[str, Any] = {
            "run": self.run,
            "site": self.site,
            "url": self.url,
            "status": self.status,
            "verdict": self.verdict.value,
            "honours_refusal": self.honours_refusal,
        }
        for metric in METRICS:
            for phase in PHASES:
                out[f"{metric}_{phase}"] = self.count(metric, phase)
        for severity in SEVERITIES:
            out[f"findings_{severity}"] = self.failing[severity]
        out["not_evaluated"] = self.not_evaluated
        out["summary"] = self.sentence
        return out


@dataclass(frozen=True)
class Bar:
    """One bar of a chart (geometry in SVG user units)."""

    phase: str
    value: int | None
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class ChartRow:
    """The three bars of one site."""

    label: str
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    """A grouped horizontal bar chart of one metric: sites × phases."""

    title: str
    width: float
    height: float
    plot_x: float
    plot_width: float
    ticks: tuple[tuple[float, int], ...]
    rows: tuple[ChartRow, ...]


def _chart(title: str, metric: str, rows: Sequence[ComparisonRow], multi_run: bool, phases: Sequence[str]) -> Chart:
    label_width, plot_width, bar, gap, top = 190.0, 310.0, 9.0, 14.0, 26.0
    values = [r.count(metric, p) or 0 for r in rows for p in phases]
    top_value = max([*values, 1])
    step = max(1, -(-top_value // 5))
    scale_max = step * -(-top_value // step)
    chart_rows = []
    y = top
    for r in rows:
        bars = []
        for i, p in enumerate(phases):
            value = r.count(metric, p)
            width = plot_width * (value or 0) / scale_max
            bars.append(Bar(p, value, label_width, y + i * bar, width, bar - 1.5, PHASE_COLOURS[p]))
        label = f"{r.site} ({r.run})" if multi_run else r.site
        chart_rows.append(ChartRow(label=label if len(label) <= 30 else label[:29] + "…", y=y, bars=tuple(bars)))
        y += len(phases) * bar + gap
    ticks = tuple((label_width + plot_width * v / scale_max, v) for v in range(0, scale_max + 1, step))
    return Chart(title, label_width + plot_width + 40, y + 4, label_width, plot_width, ticks, tuple(chart_rows))


@dataclass(frozen=True)
class Comparison:
    """Sites × counts across one or more runs."""

    runs: tuple[tuple[str, RunResult], ...]
    rows: tuple[ComparisonRow, ...]

    @property
    def multi_run(self) -> bool:
        """Whether the rows come from more than one results file."""
        return len(self.runs) > 1

    def to_csv(self) -> str:
        """CSV, one row per site and run; cells that a spreadsheet would run as formulas are quoted with ``'``."""
        buffer = io.StringIO()
        rows = [r.as_dict() for r in self.rows]
        fields = list(rows[0]) if rows else list(_empty_row())
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(v) for k, v in row.items()})
        return buffer.getvalue()

    def to_json(self) -> str:
        """JSON: the runs (provenance) and the rows."""
        data = {
            "runs": [
                {
                    "label": label,
                    "started": run.started,
                    "finished": run.finished,
                    "tool": {"name": run.tool.name, "version": run.tool.version},
                    "browser": run.browser.version,
                    "rule_packs": list(run.rule_packs),
                    "sites": len(run.sites),
                }
                for label, run in self.runs
            ],
            "rows": [r.as_dict() for r in self.rows],
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    def charts(self) -> tuple[Chart, ...]:
        """One chart per metric."""
        audited = [r for r in self.rows if r.status == "ok"]
        return tuple(_chart(METRICS[m], m, audited, self.multi_run, self.phases) for m in SHOWN_METRICS)

    @property
    def phases(self) -> tuple[str, ...]:
        """The phase columns of the charts and the table: those any compared site was asked for. The CSV
        and JSON rows have every known phase (empty when not run), so their columns never depend on the runs."""
        return phases_of(s for _, run in self.runs for s in run.sites)

    def to_html(self) -> str:
        """The self-contained comparison page (inline CSS, SVG and a small sorting script)."""
        script = asset("sortable.js")
        digest = base64.b64encode(hashlib.sha256(str(script).encode("utf-8")).digest()).decode("ascii")
        return render_template(
            "compare.html.j2",
            comparison=self,
            charts=self.charts(),
            metrics={m: METRICS[m] for m in SHOWN_METRICS},
            phases=self.phases,
            phase_labels=PHASE_LABELS,
            phase_short=PHASE_SHORT,
            phase_colours=PHASE_COLOURS,
            severities=SEVERITIES,
            verdicts=list(Verdict),
            script=script,
            script_hash=f"sha256-{digest}",
        )


def _empty_row() -> dict[str, Any]:
    keys = ["run", "site", "url", "status", "verdict", "honours_refusal"]
    keys += [f"{m}_{p}" for m in METRICS for p in PHASES]
    keys += [f"findings_{s}" for s in SEVERITIES] + ["not_evaluated", "summary"]
    return dict.fromkeys(keys)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    return value


def build_comparison(runs: Sequence[tuple[str, RunResult]]) -> Comparison:
    """Compare the sites of ``runs`` (``(label, run)`` pairs), rows in run order then site order."""
    rows = []
    for label, run in runs:
        for s in summarise(run).sites:
            rows.append(
                ComparisonRow(
                    run=label,
                    site=s.label,
                    url=s.site.url,
                    status=s.site.status,
                    verdict=s.verdict,
                    sentence=s.sentence,
                    phases=s.phases,
                    failing=s.failing,
                    not_evaluated=s.not_evaluated,
                    gaps=s.gaps,
                )
            )
    return Comparison(tuple(runs), tuple(rows))


def run_labels(paths: Sequence[str | Path]) -> list[str]:
    """Short, unique labels for results files: the folder name for ``NAME/results.json`` or ``NAME/``, else
    the file stem; the full paths when those collide."""
    labels = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            labels.append(path.resolve().name)
        elif path.name == "results.json" and path.parent.name:
            labels.append(path.parent.name)
        else:
            labels.append(path.stem)
    if len(set(labels)) < len(labels):
        labels = [str(p) for p in paths]
    return labels
