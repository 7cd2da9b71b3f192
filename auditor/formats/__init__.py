"""Output formats: one result object (:class:`~auditor.model.RunResult`), many formats.

The registry maps each :class:`Format` to the module whose ``FORMATTER`` renders it (one module per
format, each a :class:`~auditor.formats.interface.Formatter`), imported when first used: the HTML
formatter's Jinja environment costs nothing to a command that never renders HTML. Adding a format:
write the module, add a member to :class:`Format` and a line to ``_MODULES``.

What the CLI calls::

    render(run, Format.HTML, show_values=False, results_path=path)  -> str
    write_outputs(run, out_dir, [Format.HTML, Format.JUNIT], results_path=...)  -> {Format: Path}
    console_summary(run)      -> rich renderable; print_console_summary(run) prints it to stderr
    github_annotations(run)   -> workflow commands, when GITHUB_ACTIONS=true
    append_step_summary(run, os.environ["GITHUB_STEP_SUMMARY"])  when that variable is set
    write_ci_outputs(run)     -> both, as the environment asks (annotations on stderr: stdout stays
                                 machine output, e.g. ``check -o -``)
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from auditor.formats.interface import Format, FormatError, Formatter, RenderOptions
from auditor.model import RunResult
from auditor.redact import redact_run

if TYPE_CHECKING:
    from rich.console import RenderableType

_MODULES: dict[Format, str] = {
    Format.JSON: "json",
    Format.HTML: "html",
    Format.JUNIT: "junit",
    Format.SARIF: "sarif",
    Format.MARKDOWN: "markdown",
    Format.CONSOLE: "console",
    Format.CSV: "csv",
}
"""The module of :mod:`auditor.formats` that renders each format (its ``FORMATTER``)."""
if set(_MODULES) != set(Format):  # pragma: no cover - a programming error caught by any test run
    raise RuntimeError(f"formats without a formatter: {sorted(set(Format) - set(_MODULES))}")


def console_summary(run: RunResult) -> RenderableType:
    """The console summary of a run as a rich renderable (:func:`auditor.formats.console.console_summary`)."""
    from auditor.formats.console import console_summary as summary

    return summary(run)


def github_annotations(run: RunResult) -> str:
    """GitHub workflow commands for the run's findings (:func:`auditor.formats.github.github_annotations`)."""
    from auditor.formats.github import github_annotations as annotations

    return annotations(run)


__all__ = [
    "Format",
    "FormatError",
    "Formatter",
    "RenderOptions",
    "append_step_summary",
    "console_summary",
    "get_formatter",
    "github_annotations",
    "parse_format",
    "print_console_summary",
    "render",
    "write_ci_outputs",
    "write_outputs",
]


def parse_format(name: str | Format) -> Format:
    """The :class:`Format` called ``name``; :class:`FormatError` naming the bad name and the known ones."""
    if isinstance(name, Format):
        return name
    try:
        return Format(name.strip().lower())
    except ValueError:
        known = ", ".join(f.value for f in Format)
        raise FormatError(f"unknown format {name!r} (expected one of: {known})") from None


def get_formatter(fmt: str | Format) -> Formatter:
    """The formatter of a format (by enum member or name)."""
    module: Any = importlib.import_module(f"auditor.formats.{_MODULES[parse_format(fmt)]}")
    formatter: Formatter = module.FORMATTER
    return formatter


def render(
    run: RunResult, fmt: str | Format, *, show_values: bool = False, results_path: str | Path | None = None
) -> str:
    """Render ``run`` in format ``fmt``.

    ``show_values`` reveals cookie values in the human formats; ``results_path`` is the
    ``results.json`` the run came from (screenshots are embedded relative to it, and its SHA-256 is
    reported as provenance). Values are rendered only for a run audited with ``--keep-values``: any
    other run is redacted first (:func:`auditor.redact.redact_run`; a no-op on redacted results).
    """
    run = redact_run(run)
    options = RenderOptions(show_values=show_values, results_path=Path(results_path) if results_path else None)
    return get_formatter(fmt).render(run, options)


def write_outputs(
    run: RunResult,
    out_dir: str | Path,
    formats: Iterable[str | Format],
    *,
    show_values: bool = False,
    results_path: str | Path | None = None,
) -> dict[Format, Path]:
    """Write each format into ``out_dir`` under its default file name; return the paths written.

    ``results_path`` defaults to ``out_dir/results.json`` when that file exists (the audit writes it
    first). The JSON format is skipped when its file is the results file itself (already written).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if results_path is None and (out / "results.json").is_file():
        results_path = out / "results.json"
    written: dict[Format, Path] = {}
    for fmt in dict.fromkeys(parse_format(f) for f in formats):
        formatter = get_formatter(fmt)
        target = out / formatter.file_name
        if fmt is Format.JSON and results_path is not None and target.resolve() == Path(results_path).resolve():
            written[fmt] = target
            continue
        text = render(run, fmt, show_values=show_values, results_path=results_path)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
        written[fmt] = target
    return written


def append_step_summary(run: RunResult, path: str | Path) -> None:
    """Append the Markdown summary to ``path`` (the file named by ``$GITHUB_STEP_SUMMARY``)."""
    with Path(path).open("a", encoding="utf-8") as fh:
        from auditor.formats.markdown import render_markdown

        fh.write(render_markdown(run))


def write_ci_outputs(run: RunResult, file: TextIO | None = None) -> None:
    """Under GitHub Actions the annotations (to ``file``, default stderr); with ``$GITHUB_STEP_SUMMARY`` the summary.

    Annotations never go to stdout: the runner reads workflow commands from both streams, and stdout
    is for machine output (``consent-audit check -o -`` writes JSON there).
    """
    run = redact_run(run)  # as render(): values only of a run that kept them
    if os.environ.get("GITHUB_ACTIONS") == "true":
        target = file or sys.stderr
        target.write(github_annotations(run))
        target.flush()
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        append_step_summary(run, summary)


def print_console_summary(run: RunResult, file: TextIO | None = None) -> None:
    """Print the console summary to ``file`` (stderr by default: stdout is for machine output).

    Meant for the CLI, which alone prints. On an interactive terminal: rich tables when they fit
    (colours follow the terminal and ``NO_COLOR``); into a pipe or a CI log: whole lines, never
    wrapped, whatever the width (:func:`auditor.formats.console.summary_lines`).
    """
    target = file or sys.stderr
    terminal = hasattr(target, "isatty") and target.isatty()
    from auditor.formats import console

    console.print_summary(redact_run(run), target, terminal=terminal)
