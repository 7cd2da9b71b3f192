"""``consent-audit report``, ``compare`` and ``diff``: outputs re-rendered from saved results, no browser.

- ``report RESULTS --format html|junit|sarif|markdown|json|csv|console -o OUT [--show-values] [--fail-on SEV]``
- ``compare RESULTS... -o compare.html [--format html|csv|json]``
- ``diff OLD NEW [--format console|markdown|json] [-o OUT]``: exits 1 when a new error finding
  appears, 3 when evidence was lost: a site that was audited before no longer can be, or a check that
  was evaluated before no longer is (see :mod:`auditor.diffing`).

Without ``-o`` (or with ``-o -``) the output goes to stdout.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor.cli.app import ExitCode, app, fail
from auditor.formats import Format, FormatError, render
from auditor.model import RunResult
from auditor.results import RESULTS_FILE, ResultsError, read_results

OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).", show_default=False)
]


class CompareFormat(StrEnum):
    """Output formats of ``compare``."""

    HTML = "html"
    CSV = "csv"
    JSON = "json"


class DiffFormat(StrEnum):
    """Output formats of ``diff``."""

    CONSOLE = "console"
    MARKDOWN = "markdown"
    JSON = "json"


def _results_file(path: Path) -> Path:
    return path / RESULTS_FILE if path.is_dir() else path


def _load(path: Path) -> RunResult:
    try:
        return read_results(path)
    except ResultsError as exc:
        fail(str(exc))


def _emit(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` atomically, or to stdout."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, output)
    except OSError as exc:
        fail(f"{output}: cannot write: {exc.strerror or exc}")
    print(f"wrote {output}", file=sys.stderr)


@app.command("report")
def report_command(
    results: Annotated[Path, typer.Argument(help="results.json (or the folder holding it).", show_default=False)],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.HTML,
    output: OutputOpt = None,
    show_values: Annotated[
        bool, typer.Option("--show-values", help="Show cookie values (hidden by default: they can identify people).")
    ] = False,
    fail_on: Annotated[
        str | None,
        typer.Option(help="Show the verdicts at this threshold (default: the one the run was judged at)."),
    ] = None,
) -> None:
    """Render a saved results file as HTML, JUnit, SARIF, Markdown, JSON, CSV or a console summary."""
    from auditor.verdict import check_fail_on

    run = _load(results)
    if fail_on is not None:
        try:
            run = dataclasses.replace(run, fail_on=check_fail_on(fail_on))
        except ValueError as exc:
            fail(f"--fail-on: {exc}")
    try:
        text = render(run, fmt, show_values=show_values, results_path=_results_file(results))
    except FormatError as exc:
        fail(str(exc))
    _emit(text, output)


@app.command("compare")
def compare_command(
    results: Annotated[list[Path], typer.Argument(help="One or more results.json files (or folders).")],
    fmt: Annotated[CompareFormat, typer.Option("--format", "-f", help="Output format.")] = CompareFormat.HTML,
    output: OutputOpt = None,
) -> None:
    """Compare sites across results files: trackers and third parties per phase, findings by severity."""
    from auditor.formats.compare import build_comparison, run_labels

    runs = [_load(p) for p in results]
    comparison = build_comparison(list(zip(run_labels(results), runs, strict=True)))
    try:
        if fmt is CompareFormat.HTML:
            text = comparison.to_html()
        elif fmt is CompareFormat.CSV:
            text = comparison.to_csv()
        else:
            text = comparison.to_json()
    except FormatError as exc:
        fail(str(exc))
    _emit(text, output)


@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="The earlier results.json (or folder).", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The later results.json (or folder).", show_default=False)],
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = DiffFormat.CONSOLE,
    output: OutputOpt = None,
) -> None:
    """Show what changed between two runs; exit 1 when a new error finding appears, 3 when evidence was lost.

    Lost evidence: a site no longer audited, or a check no longer evaluated (a rule that now could not
    be evaluated, a phase that disappeared or failed, a consent click no longer made or confirmed).
    """
    from auditor.diffing import diff_runs

    diff = diff_runs(_load(old), _load(new))
    if fmt is DiffFormat.JSON:
        _emit(diff.to_json(), output)
    elif fmt is DiffFormat.MARKDOWN:
        _emit(diff.to_markdown(), output)
    elif output is None or str(output) == "-":
        from rich.console import Console

        Console(soft_wrap=False).print(diff.renderable())
    else:
        _emit(diff.to_text(), output)
    code = diff.exit_code()
    if code == ExitCode.FINDINGS:
        print(f"consent-audit: {len(diff.new_errors)} new error finding(s)", file=sys.stderr)
    elif code == ExitCode.SITE_FAILED:
        if diff.newly_unaudited:
            urls = ", ".join(s.url for s in diff.newly_unaudited)
            print(f"consent-audit: no longer audited: {urls}", file=sys.stderr)
        for site, gap in diff.lost_evaluation:
            print(f"consent-audit: no longer evaluated on {site.url}: {gap.detail}", file=sys.stderr)
    raise typer.Exit(code)
