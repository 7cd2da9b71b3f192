"""CSV: one row per site with tracker and third-party counts per phase and findings by severity.

The same table as ``consent-audit compare --format csv`` (built by :mod:`auditor.formats.compare`), for one run.
"""

from __future__ import annotations

from auditor.formats.compare import build_comparison
from auditor.formats.interface import Format, Formatter, RenderOptions
from auditor.model import RunResult


class CsvFormatter(Formatter):
    """The per-site comparison table of one run, as CSV."""

    format = Format.CSV
    file_name = "sites.csv"
    media_type = "text/csv"

    def render(self, run: RunResult, options: RenderOptions) -> str:
        """Return the CSV text (header row first)."""
        label = options.results_path.parent.name if options.results_path is not None else "run"
        return build_comparison([(label, run)]).to_csv()


FORMATTER = CsvFormatter()
